/*
 * hello.efi — a tiny EFI application that reports how it was started.
 *
 * It is the chain-load target of the end-to-end tests and of the demo menu.
 * It prints exactly one line to the firmware console:
 *
 *   HELLO-EFI options='<load options>' path='<file path>' sibling='<text>'
 *
 * options  its LoadOptions as UTF-16 text (up to the first NUL; characters
 *          outside printable ASCII shown as '?'), empty when it has none;
 * path     the media file path nodes of its LoadedImage FilePath, joined,
 *          e.g. \EFI\tools\hello.efi;
 * sibling  the first line of hello.txt in the same folder as itself, read
 *          through the SimpleFileSystem protocol of its DeviceHandle, or
 *          (none) when there is no such file or no file system.
 *
 * If the options contain the word exit=N (decimal, or hex with 0x), it
 * returns N as its EFI status, otherwise EFI_SUCCESS. So a test can check
 * that a chain-loader passes the right device path and load options and
 * reports the returned status.
 *
 * It links only against libgnuefi (crt0 + relocation), so it uses no libefi
 * helpers: the few string routines it needs are below. GNU-EFI's crt0 calls
 * efi_main with the SysV ABI (hence no EFIAPI on it); firmware services are
 * called directly because the build defines GNU_EFI_USE_MS_ABI.
 */
#include <efi.h>

#define LINE_MAX_CHARS 1024
#define SIBLING_MAX_BYTES 256

/* Defined here because their GNU-EFI definitions live in libefi. */
static EFI_GUID loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
static EFI_GUID simple_fs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;

/* A bounded UTF-16 string being built; it always stays NUL-terminated. */
struct wbuf {
	CHAR16 *s;
	UINTN len;
	UINTN cap; /* including the NUL */
};

static void wbuf_init(struct wbuf *b, CHAR16 *storage, UINTN cap)
{
	b->s = storage;
	b->len = 0;
	b->cap = cap;
	b->s[0] = 0;
}

/* Append one character, shown as '?' unless printable ASCII; drops on overflow. */
static void wbuf_putc(struct wbuf *b, CHAR16 c)
{
	if (b->len + 1 >= b->cap)
		return;
	if (c < 0x20 || c > 0x7e)
		c = L'?';
	b->s[b->len++] = c;
	b->s[b->len] = 0;
}

static void wbuf_puts(struct wbuf *b, const CHAR16 *s)
{
	while (*s)
		wbuf_putc(b, *s++);
}

static void wbuf_putascii(struct wbuf *b, const char *s)
{
	while (*s)
		wbuf_putc(b, (CHAR16)(unsigned char)*s++);
}

/* The load options as text: UTF-16 up to the first NUL or the given size. */
static void put_options(struct wbuf *b, const EFI_LOADED_IMAGE *li)
{
	const CHAR16 *opt = li->LoadOptions;
	UINTN n = li->LoadOptionsSize / sizeof(CHAR16);

	for (UINTN i = 0; opt && i < n && opt[i]; i++)
		wbuf_putc(b, opt[i]);
}

/*
 * Joins the media file path nodes of a device path into one path, adding a
 * backslash between nodes where neither side has one (the spec allows a path
 * to be split across several nodes).
 */
static void put_file_path(struct wbuf *b, EFI_DEVICE_PATH *dp)
{
	while (dp && !(dp->Type == END_DEVICE_PATH_TYPE &&
		       dp->SubType == END_ENTIRE_DEVICE_PATH_SUBTYPE)) {
		UINTN node_len = dp->Length[0] | (dp->Length[1] << 8);

		if (node_len < sizeof(EFI_DEVICE_PATH))
			break; /* malformed: stop instead of looping forever */
		if (dp->Type == MEDIA_DEVICE_PATH && dp->SubType == MEDIA_FILEPATH_DP) {
			const CHAR16 *name = ((FILEPATH_DEVICE_PATH *)dp)->PathName;
			UINTN chars = (node_len - sizeof(EFI_DEVICE_PATH)) / sizeof(CHAR16);

			if (b->len > 0 && b->s[b->len - 1] != L'\\' && chars > 0 &&
			    name[0] != L'\\')
				wbuf_putc(b, L'\\');
			for (UINTN i = 0; i < chars && name[i]; i++)
				wbuf_putc(b, name[i]);
		}
		dp = (EFI_DEVICE_PATH *)((UINT8 *)dp + node_len);
	}
}

/*
 * Reads the first line of <folder of path>\hello.txt on the device the image
 * came from into b; returns FALSE when there is no such file.
 */
static BOOLEAN put_sibling(struct wbuf *b, EFI_BOOT_SERVICES *bs,
			   const EFI_LOADED_IMAGE *li, const CHAR16 *path)
{
	static const CHAR16 leaf[] = L"hello.txt";
	CHAR16 name[LINE_MAX_CHARS];
	struct wbuf nb;
	EFI_FILE_IO_INTERFACE *fs;
	EFI_FILE_HANDLE root, file;
	char data[SIBLING_MAX_BYTES];
	UINTN size = sizeof(data), dir_end = 0;
	EFI_STATUS st;

	/* name = everything up to and including the last backslash, then leaf */
	for (UINTN i = 0; path[i]; i++)
		if (path[i] == L'\\')
			dir_end = i + 1;
	wbuf_init(&nb, name, LINE_MAX_CHARS);
	if (dir_end == 0)
		wbuf_putc(&nb, L'\\');
	for (UINTN i = 0; i < dir_end; i++)
		wbuf_putc(&nb, path[i]);
	wbuf_puts(&nb, leaf);

	if (!li->DeviceHandle)
		return FALSE;
	st = bs->HandleProtocol(li->DeviceHandle, &simple_fs_guid, (void **)&fs);
	if (EFI_ERROR(st))
		return FALSE;
	st = fs->OpenVolume(fs, &root);
	if (EFI_ERROR(st))
		return FALSE;
	st = root->Open(root, &file, name, EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(st)) {
		root->Close(root);
		return FALSE;
	}
	st = file->Read(file, &size, data);
	file->Close(file);
	root->Close(root);
	if (EFI_ERROR(st))
		return FALSE;
	for (UINTN i = 0; i < size && data[i] != '\n' && data[i] != '\r'; i++)
		wbuf_putc(b, (CHAR16)(unsigned char)data[i]);
	return TRUE;
}

static BOOLEAN is_digit(CHAR16 c, unsigned base)
{
	if (c >= L'0' && c <= L'9')
		return TRUE;
	return base == 16 && ((c >= L'a' && c <= L'f') || (c >= L'A' && c <= L'F'));
}

static unsigned digit_value(CHAR16 c)
{
	if (c >= L'0' && c <= L'9')
		return c - L'0';
	if (c >= L'a' && c <= L'f')
		return c - L'a' + 10;
	return c - L'A' + 10;
}

/*
 * Looks for the word exit=N in the options text (at its start or after a
 * space); stores N and returns TRUE when found.
 */
static BOOLEAN find_exit_code(const CHAR16 *s, UINT64 *code)
{
	static const CHAR16 key[] = L"exit=";

	for (UINTN i = 0; s[i]; i++) {
		UINTN k = 0;
		unsigned base = 10;
		UINT64 v = 0;
		const CHAR16 *p;

		if (i > 0 && s[i - 1] != L' ')
			continue;
		while (key[k] && s[i + k] == key[k])
			k++;
		if (key[k])
			continue;
		p = s + i + k;
		if (p[0] == L'0' && (p[1] == L'x' || p[1] == L'X')) {
			base = 16;
			p += 2;
		}
		if (!is_digit(*p, base))
			continue;
		while (is_digit(*p, base))
			v = v * base + digit_value(*p++);
		*code = v;
		return TRUE;
	}
	return FALSE;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	/* On the stack: as statics they would add 6 KiB of zeros to the file
	 * (GNU-EFI's linker script puts .bss into .data). */
	CHAR16 line[LINE_MAX_CHARS], options[LINE_MAX_CHARS], path[LINE_MAX_CHARS];
	struct wbuf out, ob, pb;
	EFI_LOADED_IMAGE *li = NULL;
	UINT64 code = 0;

	wbuf_init(&out, line, LINE_MAX_CHARS);
	wbuf_init(&ob, options, LINE_MAX_CHARS);
	wbuf_init(&pb, path, LINE_MAX_CHARS);

	if (EFI_ERROR(st->BootServices->HandleProtocol(image, &loaded_image_guid,
						       (void **)&li)) || !li) {
		st->ConOut->OutputString(st->ConOut,
			L"HELLO-EFI error: no LoadedImage protocol\r\n");
		return EFI_LOAD_ERROR;
	}
	put_options(&ob, li);
	put_file_path(&pb, li->FilePath);

	wbuf_putascii(&out, "HELLO-EFI options='");
	wbuf_puts(&out, options);
	wbuf_putascii(&out, "' path='");
	wbuf_puts(&out, path);
	wbuf_putascii(&out, "' sibling='");
	if (!put_sibling(&out, st->BootServices, li, path))
		wbuf_putascii(&out, "(none)");
	wbuf_putascii(&out, "'");
	/* the line break is added after the bounded text so it is never cut */
	st->ConOut->OutputString(st->ConOut, line);
	st->ConOut->OutputString(st->ConOut, L"\r\n");

	if (find_exit_code(options, &code))
		return (EFI_STATUS)code;
	return EFI_SUCCESS;
}
