/*
 * bootinfo.c - checks of boot_params and what it points at: the setup
 * header copy, the command line, the initrd, the e820 table, efi_info and
 * the ACPI RSDP.  Offsets: Linux Documentation/arch/x86/boot.rst and
 * arch/x86/include/uapi/asm/bootparam.h.
 */
#include "probe.h"
#include "sha256.h"

#define HDRS_MAGIC      0x53726448u     /* "HdrS" */
#define EL64_MAGIC      0x34364C45u     /* "EL64" */
#define EFI_SYST_MAGIC  0x5453595320494249ull   /* "IBI SYST" */

static const char *sep(const char *why)
{
	return why ? "; " : "";
}

static const char *str(const char *why)
{
	return why ? why : "";
}

/*
 * Does [addr, addr + len) overlap [L, L + init_size)?  The kernel owns that
 * range (the probe zeroes its .bss there at entry), so a loader must not
 * put anything it passes inside it.
 */
static bool in_image(const struct probe *p, uint64_t addr, uint64_t len)
{
	return addr < p->image + p->image_size && p->image < addr + len;
}

void check_boot_params(struct probe *p)
{
	uint64_t bp = p->entry->rsi;
	const char *why = NULL;

	if (!bp) {
		verdict(p, "boot_params", false, "rsi is 0");
		return;
	}
	if (!mem_ok(p, bp, BP_SIZE)) {
		verdict(p, "boot_params", false, "rsi=0x%lx is unreadable", bp);
		return;
	}
	uint32_t magic = rd32(bp + BP_HEADER);
	uint16_t flag = rd16(bp + BP_BOOT_FLAG);
	uint16_t version = rd16(bp + BP_VERSION);
	uint8_t loader = rd8(bp + BP_TYPE_OF_LOADER);
	uint8_t sentinel = rd8(bp + BP_SENTINEL);
	uint32_t init_size = rd32(bp + BP_INIT_SIZE);

	if (in_image(p, bp, BP_SIZE))
		why = "inside the kernel's [load, load + init_size)";
	else if (bp & 15)
		why = "not 16-byte aligned";
	else if (magic != HDRS_MAGIC)
		why = "no HdrS at 0x202";
	else if (flag != 0xAA55)
		why = "boot_flag is not 0xAA55";
	else if (loader == 0)
		why = "type_of_loader is 0";
	else if (sentinel != 0)
		why = "sentinel at 0x1ef is set (more than the header was copied)";
	else if (version != PROBE_BOOT_VERSION)
		why = "version differs from the probe's header (not copied?)";
	else if (init_size != p->image_size)
		why = "init_size differs from the probe's header (not copied?)";

	/* The other checks read boot_params whenever it is recognisable. */
	if (magic == HDRS_MAGIC && flag == 0xAA55)
		p->bp = bp;
	verdict(p, "boot_params", !why,
		"%s%sbp=0x%lx type_of_loader=0x%x version=0x%x init_size=0x%x",
		str(why), sep(why), bp, loader, version, init_size);
}

/* Print the command line, escaping what a serial log would mangle. */
static void print_cmdline(const char *s)
{
	con_puts("PROBE INFO cmdline=");
	for (; s && *s; s++) {
		uint8_t c = (uint8_t)*s;
		if (c < 0x20 || c >= 0x7F || c == '\\')
			con_printf("\\x%x%x", c >> 4, c & 15);
		else
			con_putc((char)c);
	}
	con_putc('\n');
}

void check_cmdline(struct probe *p)
{
	if (!p->bp) {
		print_cmdline(NULL);
		verdict(p, "cmdline", false, "no boot_params");
		return;
	}
	uint64_t ptr = rd32(p->bp + BP_CMD_LINE_PTR) |
		       (uint64_t)rd32(p->bp + BP_EXT_CMD_LINE_PTR) << 32;
	uint32_t max = rd32(p->bp + BP_CMDLINE_SIZE);
	uint64_t len = 0;

	if (!ptr || !mem_ok(p, ptr, 1)) {
		print_cmdline(NULL);
		verdict(p, "cmdline", false, "cmd_line_ptr=0x%lx is %s", ptr,
			ptr ? "unreadable" : "0");
		return;
	}
	/* cmdline_size excludes the NUL. */
	while (len <= max && mem_ok(p, ptr + len, 1) && rd8(ptr + len))
		len++;
	if (len > max || !mem_ok(p, ptr + len, 1)) {
		print_cmdline(NULL);
		verdict(p, "cmdline", false,
			"ptr=0x%lx: no NUL within cmdline_size %u", ptr, max);
		return;
	}
	p->cmdline = phys(ptr);
	print_cmdline(p->cmdline);
	bool inside = in_image(p, ptr, len + 1);
	verdict(p, "cmdline", !inside, "%sptr=0x%lx len=%lu cmdline_size=%u",
		inside ? "inside the kernel's [load, load + init_size); " : "",
		ptr, len, max);
}

const char *cmdline_opt(const struct probe *p, const char *key, size_t *len)
{
	const char *s = p->cmdline;
	size_t klen = strlen(key);

	while (s && *s) {
		while (*s == ' ' || *s == '\t')
			s++;
		const char *word = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		size_t wlen = (size_t)(s - word);
		if (wlen >= klen && memcmp(word, key, klen) == 0 &&
		    (wlen == klen || word[klen] == '=')) {
			const char *v = wlen == klen ? word + klen : word + klen + 1;
			*len = (size_t)(s - v);
			return v;
		}
	}
	return NULL;
}

static bool opt_is(const struct probe *p, const char *key, const char *value)
{
	size_t len;
	const char *v = cmdline_opt(p, key, &len);

	return v && len == strlen(value) && memcmp(v, value, len) == 0;
}

/* Index of the RAM region holding [addr, addr + len), or -1. */
static int e820_ram_holding(const struct probe *p, uint64_t addr, uint64_t len)
{
	for (unsigned i = 0; p->e820_ok && i < p->e820_n; i++) {
		const struct e820_entry *r = &p->e820[i];
		if (r->type == E820_RAM && addr >= r->addr &&
		    addr + len <= r->addr + r->size)
			return (int)i;
	}
	return -1;
}

static char hex_lower(char c)
{
	return c >= 'A' && c <= 'F' ? (char)(c - 'A' + 'a') : c;
}

void check_initrd(struct probe *p)
{
	if (!p->bp) {
		con_puts("PROBE INFO initrd_sha256=none size=0\n");
		verdict(p, "initrd", false, "no boot_params");
		return;
	}
	uint64_t addr = rd32(p->bp + BP_RAMDISK_IMAGE) |
			(uint64_t)rd32(p->bp + BP_EXT_RAMDISK_IMAGE) << 32;
	uint64_t size = rd32(p->bp + BP_RAMDISK_SIZE) |
			(uint64_t)rd32(p->bp + BP_EXT_RAMDISK_SIZE) << 32;
	size_t want_len = 0;
	const char *want = cmdline_opt(p, "probe.initrd_sha256", &want_len);
	bool want_none = opt_is(p, "probe.initrd", "none");

	if (size == 0) {
		con_puts("PROBE INFO initrd_sha256=none size=0\n");
		if (want)
			verdict(p, "initrd", false,
				"no initrd, but probe.initrd_sha256 expects one");
		else
			verdict(p, "initrd", true, "no initrd (ramdisk_image=0x%lx)",
				addr);
		return;
	}
	if (!addr || !mem_ok(p, addr, size)) {
		con_printf("PROBE INFO initrd_sha256=none size=%lu\n", size);
		verdict(p, "initrd", false, "ramdisk 0x%lx size %lu is unreadable",
			addr, size);
		return;
	}

	struct sha256 s;
	uint8_t digest[32];
	char hex[65];

	sha256_init(&s);
	sha256_update(&s, phys(addr), size);
	sha256_final(&s, digest);
	for (unsigned i = 0; i < 32; i++) {
		hex[2 * i] = "0123456789abcdef"[digest[i] >> 4];
		hex[2 * i + 1] = "0123456789abcdef"[digest[i] & 15];
	}
	hex[64] = 0;
	con_printf("PROBE INFO initrd_sha256=%s size=%lu\n", hex, size);

	const char *why = NULL;
	if (want_none)
		why = "probe.initrd=none, but an initrd was passed";
	else if (in_image(p, addr, size))
		why = "inside the kernel's [load, load + init_size)";
	else if (p->e820_ok && e820_ram_holding(p, addr, size) < 0)
		why = "the initrd is not inside one e820 RAM region";
	else if (want) {
		bool same = want_len == 64;
		for (unsigned i = 0; same && i < 64; i++)
			same = hex_lower(want[i]) == hex[i];
		if (!same)
			why = "sha256 differs from probe.initrd_sha256";
	}
	verdict(p, "initrd", !why, "%s%saddr=0x%lx size=%lu sha256=%s%s",
		str(why), sep(why), addr, size, hex,
		want && !why ? " (as expected)" : "");
}

void e820_parse(struct probe *p)
{
	p->e820_ok = false;
	if (!p->bp) {
		p->e820_why = "no boot_params";
		return;
	}
	unsigned n = rd8(p->bp + BP_E820_ENTRIES);

	p->e820_n = n > E820_MAX ? E820_MAX : n;
	for (unsigned i = 0; i < p->e820_n; i++) {
		uint64_t e = p->bp + BP_E820_TABLE + 20ull * i;
		p->e820[i] = (struct e820_entry){
			.addr = rd64(e), .size = rd64(e + 8), .type = rd32(e + 16),
		};
	}
	p->e820_why = NULL;
	if (n == 0)
		p->e820_why = "e820_entries is 0";
	else if (n > E820_MAX)
		p->e820_why = "e820_entries is above 128";
	for (unsigned i = 0; !p->e820_why && i < n; i++) {
		const struct e820_entry *r = &p->e820[i];
		if (r->size == 0)
			p->e820_why = "an entry has size 0";
		else if (r->addr + r->size < r->addr)
			p->e820_why = "an entry wraps around";
		else if (i && r->addr < p->e820[i - 1].addr)
			p->e820_why = "entries are not sorted";
		else if (i && r->addr < p->e820[i - 1].addr + p->e820[i - 1].size)
			p->e820_why = "entries overlap";
	}
	p->e820_ok = !p->e820_why;
}

void check_e820(struct probe *p)
{
	uint64_t ram = 0;

	for (unsigned i = 0; i < p->e820_n; i++) {
		const struct e820_entry *r = &p->e820[i];
		con_printf("PROBE INFO e820[%u] addr=0x%lx size=0x%lx type=%u\n",
			   i, r->addr, r->size, r->type);
		if (r->type == E820_RAM)
			ram += r->size;
	}
	if (!p->e820_ok) {
		verdict(p, "e820", false, "%s (%u entries)", p->e820_why, p->e820_n);
		return;
	}

	/* Placement: the loader must honour min_alignment, never load below
	 * pref_address (a relocatable Linux would decompress itself there,
	 * outside what the loader set aside) and put the whole of
	 * [L, L + init_size) in RAM. */
	unsigned min_align = rd8(p->bp + BP_MIN_ALIGNMENT);
	uint64_t pref = rd64(p->bp + BP_PREF_ADDRESS);
	int k = e820_ram_holding(p, p->image, p->image_size);
	const char *why = NULL;

	if (min_align < 64 && (p->image & ((1ull << min_align) - 1)))
		why = "load address violates min_alignment";
	else if (p->image < pref)
		why = "loaded below pref_address";
	else if (k < 0)
		why = "the image is not inside one RAM region";
	verdict(p, "e820", !why,
		"%s%s%u entries, %lu MiB RAM, image 0x%lx-0x%lx in entry %d, "
		"pref_address 0x%lx", str(why), sep(why), p->e820_n, ram >> 20,
		p->image, p->image + p->image_size, k, pref);
}

void check_efi_info(struct probe *p)
{
	if (opt_is(p, "probe.efi", "none")) {
		verdict(p, "efi_info", true, "skipped (probe.efi=none)");
		return;
	}
	if (!p->bp) {
		verdict(p, "efi_info", false, "no boot_params");
		return;
	}
	uint64_t ei = p->bp + BP_EFI_INFO;
	uint32_t sig = rd32(ei);
	uint64_t systab = rd32(ei + 0x04) | (uint64_t)rd32(ei + 0x18) << 32;
	uint32_t dsize = rd32(ei + 0x08), dver = rd32(ei + 0x0C);
	uint64_t memmap = rd32(ei + 0x10) | (uint64_t)rd32(ei + 0x1C) << 32;
	uint32_t msize = rd32(ei + 0x14);
	const char *why = NULL;

	if (sig != EL64_MAGIC)
		why = "efi_loader_signature is not EL64";
	else if (!systab)
		why = "efi_systab is 0";
	else if (!mem_ok(p, systab, 8) || rd64(systab) != EFI_SYST_MAGIC)
		why = "efi_systab does not point at an EFI system table";
	else if (!memmap)
		why = "efi_memmap is 0";
	else if (dsize < 40)
		why = "efi_memdesc_size is below 40";
	else if (dver != 1)
		why = "efi_memdesc_version is not 1";
	else if (msize == 0 || msize % dsize)
		why = "efi_memmap_size is not a multiple of efi_memdesc_size";
	else if (!mem_ok(p, memmap, msize))
		why = "the memory map is unreadable";
	verdict(p, "efi_info", !why,
		"%s%ssystab=0x%lx memmap=0x%lx size=0x%x desc_size=%u version=%u",
		str(why), sep(why), systab, memmap, msize, dsize, dver);
}

void check_acpi_rsdp(struct probe *p)
{
	if (!p->bp) {
		verdict(p, "acpi_rsdp", false, "no boot_params");
		return;
	}
	uint64_t rsdp = rd64(p->bp + BP_ACPI_RSDP_ADDR);
	const char *why = rsdp ? acpi_rsdp_problem(p, rsdp)
			       : "acpi_rsdp_addr is 0";

	if (!why)
		p->rsdp = rsdp;
	verdict(p, "acpi_rsdp", !why, "%s%srsdp=0x%lx revision=%u", str(why),
		sep(why), rsdp, why ? 0 : rd8(rsdp + 15));
}
