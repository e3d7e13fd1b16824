/* The UEFI entry point: gather what the portable core needs, then run it. */
#include "firmware/efi/efi_fw.h"
#include "core/baton.h"
#include "lib/mem.h"
#include "lib/utf8.h"

static EFI_GUID loaded_guid = LOADED_IMAGE_PROTOCOL;

/* The media file path in our own LoadedImage as "/a/b", or "". */
static char *self_path(EFI_LOADED_IMAGE *li)
{
	const UINT8 *p = li ? (const UINT8 *)li->FilePath : NULL;

	while (p) {
		const EFI_DEVICE_PATH *n = (const EFI_DEVICE_PATH *)p;
		UINTN len = n->Length[0] | (UINTN)n->Length[1] << 8;

		if (n->Type == END_DEVICE_PATH_TYPE || len < 4)
			break;
		if (n->Type == MEDIA_DEVICE_PATH && n->SubType == MEDIA_FILEPATH_DP) {
			char *s = ucs2_to_utf8((const uint16_t *)(p + 4),
					       (len - 4) / sizeof(CHAR16));
			size_t i;

			for (i = 0; s && s[i]; i++)
				if (s[i] == '\\')
					s[i] = '/';
			return s;
		}
		p += len;
	}
	return str_dup("");
}

/* Our load options as UTF-8, or "" when there are none or they are not
 * text (a firmware boot entry may pass binary data). */
static char *load_options(EFI_LOADED_IMAGE *li)
{
	const CHAR16 *o;
	UINTN units, i;

	if (!li || !li->LoadOptions || li->LoadOptionsSize < sizeof(CHAR16))
		return str_dup("");
	o = li->LoadOptions;
	units = li->LoadOptionsSize / sizeof(CHAR16);
	for (i = 0; i < units && o[i]; i++)
		if (o[i] < 0x20 && o[i] != '\t')
			return str_dup("");
	return ucs2_to_utf8(o, units);
}

/*
 * One empty PE base-relocation block (page 0, 12 bytes, two absolute
 * no-op entries).  The relocations are applied by crt0 from .rela at
 * start; this block only makes the image say it is relocatable, so the
 * firmware may load it anywhere.  crt0 carries the same block, but nothing
 * refers to it and --gc-sections drops it: efi_main refers to this one.
 */
static const uint32_t pe_reloc_block[3]
	__attribute__((section(".reloc"), aligned(4))) = { 0, 12, 0 };

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct fw fw = {
		.image = image,
		.st = st,
		.bs = st->BootServices,
		.rs = st->RuntimeServices,
	};
	int rc;

	__asm__ volatile("" : : "r"(pe_reloc_block));
	efi_bs = st->BootServices;
	/* The boot manager armed a 5-minute watchdog; a menu may wait longer. */
	fw.bs->SetWatchdogTimer(0, 0, 0, NULL);
	if (fw.bs->HandleProtocol(image, &loaded_guid, (void **)&fw.loaded) != EFI_SUCCESS)
		fw.loaded = NULL;
	efi_console_init(&fw);
	fw.load_options = load_options(fw.loaded);
	if (!fw.load_options || efi_blockdevs_init(&fw, self_path(fw.loaded))) {
		st->ConOut->OutputString(st->ConOut, L"baton: out of memory at start\r\n");
		return EFI_OUT_OF_RESOURCES;
	}
	efi_load_drivers(&fw);
	rc = baton_main(&fw);
	return rc ? EFI_LOAD_ERROR : EFI_SUCCESS;
}

struct fs *fw_fs(struct fw *fw)
{
	return &fw->fs;
}

const char *fw_load_options(struct fw *fw)
{
	return fw->load_options;
}

