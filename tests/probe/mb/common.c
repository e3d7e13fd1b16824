/*
 * common.c - what every Multiboot probe shares: the verdict lines, the
 * command-line options, and the checks of the memory map, the command
 * line, the modules and the boot loader name (after the protocol file has
 * gathered them into struct mb).
 */
#include "mb.h"

#define DEBUG_EXIT_PORT 0xF4
#define MIB             0x100000ull
#define GIB4            0x100000000ull
#define CMDLINE_MAX     0x10000         /* longer is surely garbage */

void verdict(struct probe *p, const char *name, bool ok, const char *fmt, ...)
{
	va_list ap;

	p->checks++;
	if (!ok)
		p->failed++;
	con_printf("PROBE %s: %s ", name, ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	con_vprintf(fmt, ap);
	va_end(ap);
	con_putc('\n');
}

__attribute__((noreturn)) void mb_exit(unsigned failed)
{
	outl(DEBUG_EXIT_PORT, failed ? 1 : 0);
	/* No debug-exit device: stop; the harness has seen DONE. */
	for (;;)
		__asm__ volatile("cli; hlt");
}

__attribute__((noreturn)) void mb_done(struct mb *m)
{
	con_printf("PROBE DONE %u checks %u failed\n", m->p.checks, m->p.failed);
	mb_exit(m->p.failed);
}

void mb_init(struct mb *m, const struct mb_entry *e, const char *name)
{
	uint64_t size = (uint64_t)(uintptr_t)__bss_end -
			(uint64_t)(uintptr_t)mb_image_start;

	m->e = e;
	m->name = name;
	m->image = e->base;
	m->image_end = e->base + size;
	m->p.map_limit = GIB4;
	con_init();
}

void mb_print_intro(const struct mb *m)
{
	const struct mb_entry *e = m->e;

	con_printf("\nPROBE INFO kernel=%s\n", m->name);
	con_printf("PROBE INFO load_addr=0x%lx end=0x%lx\n", m->image, m->image_end);
	con_printf("PROBE INFO entry eax=0x%lx ebx=0x%lx esp=0x%lx eflags=0x%lx\n",
		   e->magic, e->mbi, e->sp, e->flags);
}

bool mb_in_image(const struct mb *m, uint64_t addr, uint64_t len)
{
	return addr < m->image_end && m->image < addr + len;
}

int64_t mb_strlen_at(const struct mb *m, uint64_t addr, uint64_t max)
{
	for (uint64_t n = 0; n < max; n++) {
		if (!mem_ok(&m->p, addr + n, 1))
			return -1;
		if (!rd8(addr + n))
			return (int64_t)n;
	}
	return -1;
}

const char *mb_opt(const struct mb *m, const char *key, size_t *len)
{
	const char *s = m->cmdline;
	size_t klen = strlen(key);

	while (s && *s) {
		while (*s == ' ' || *s == '\t')
			s++;
		const char *word = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		size_t wlen = (size_t)(s - word);
		if (wlen > klen && memcmp(word, key, klen) == 0 &&
		    word[klen] == '=') {
			*len = wlen - klen - 1;
			return word + klen + 1;
		}
	}
	return NULL;
}

bool mb_opt_is(const struct mb *m, const char *key, const char *value)
{
	size_t len;
	const char *v = mb_opt(m, key, &len);

	return v && len == strlen(value) && memcmp(v, value, len) == 0;
}

void mb_put_escaped(const char *s)
{
	for (; s && *s; s++) {
		uint8_t c = (uint8_t)*s;
		if (c < 0x20 || c >= 0x7F || c == '\\')
			con_printf("\\x%x%x", c >> 4, c & 15);
		else
			con_putc((char)c);
	}
}

void mb_print_cmdline(const struct mb *m)
{
	con_puts("PROBE INFO cmdline=");
	if (m->cmdline)
		mb_put_escaped(m->cmdline);
	else
		con_puts("(none)");
	con_putc('\n');
}

/* --- entry state ------------------------------------------------------------- */

void mb_check_magic(struct mb *m, uint32_t want)
{
	uint32_t got = (uint32_t)m->e->magic;

	verdict(&m->p, "magic", got == want, "%seax=0x%x (want 0x%x)",
		got == want ? "" : "wrong magic; ", got, want);
}

/*
 * The loader must zero .bss (ELF: memsz beyond filesz; a.out kludge and
 * Multiboot2 address tag: up to bss_end_addr).  The entry code counted
 * the nonzero bytes before anything was written there.
 */
void mb_check_bss_zeroed(struct mb *m)
{
	const struct mb_entry *e = m->e;
	uint64_t start = (uint64_t)(uintptr_t)__bss_start;
	uint64_t end = (uint64_t)(uintptr_t)__bss_end;

	if (e->bss_dirty)
		verdict(&m->p, "bss_zeroed", false,
			"%lu nonzero bytes, the first at 0x%lx; bss=0x%lx-0x%lx",
			e->bss_dirty, e->bss_first, start, end);
	else
		verdict(&m->p, "bss_zeroed", true, "bss=0x%lx-0x%lx (%lu bytes) all zero",
			start, end, end - start);
}

/* --- the memory map ------------------------------------------------------------ */

void mb_regions_validate(struct mb *m)
{
	if (m->regions_why)
		return;         /* the protocol parser already refused it */
	if (!m->n_regions) {
		m->regions_why = "the memory map is empty";
		return;
	}
	for (unsigned i = 0; i < m->n_regions; i++) {
		const struct mb_region *r = &m->region[i];

		if (!r->len) {
			m->regions_why = "an entry has length 0";
			return;
		}
		if (r->base + r->len < r->base) {
			m->regions_why = "an entry wraps around";
			return;
		}
		if (i && r->base < m->region[i - 1].base) {
			m->regions_why = "not sorted by address";
			return;
		}
		if (i && r->base < m->region[i - 1].base + m->region[i - 1].len) {
			m->regions_why = "entries overlap";
			return;
		}
	}
	m->regions_ok = true;
}

bool mb_ram_covers(const struct mb *m, uint64_t addr, uint64_t len)
{
	uint64_t at = addr, end = addr + len;

	if (!m->regions_ok || end < addr)
		return false;
	for (unsigned i = 0; i < m->n_regions && at < end; i++) {
		const struct mb_region *r = &m->region[i];

		if (r->type == MB_RAM && r->base <= at && at < r->base + r->len)
			at = r->base + r->len;
	}
	return at >= end;
}

void mb_check_mmap(struct mb *m)
{
	for (unsigned i = 0; i < m->n_regions; i++)
		con_printf("PROBE INFO mmap[%u] addr=0x%lx size=0x%lx type=%u\n", i,
			   m->region[i].base, m->region[i].len, m->region[i].type);
	if (!m->regions_ok) {
		verdict(&m->p, "mmap", false, "%s; %u entries",
			m->regions_why ? m->regions_why : "no memory map",
			m->n_regions);
		return;
	}
	bool covered = mb_ram_covers(m, m->image, m->image_end - m->image);

	verdict(&m->p, "mmap", covered,
		"%s%u entries, sorted, no overlaps; image 0x%lx-0x%lx %s",
		covered ? "" : "the probe's image is not in type-1 RAM; ",
		m->n_regions, m->image, m->image_end,
		covered ? "in type-1 RAM" : "not covered");
}

const char *mb_meminfo_problem(const struct mb *m)
{
	uint64_t lower = (uint64_t)m->mem_lower * 1024;
	uint64_t upper = (uint64_t)m->mem_upper * 1024;

	if (m->mem_lower == 0 || m->mem_lower > 640)
		return "mem_lower is not in 1..640 KiB";
	if (m->mem_upper == 0)
		return "mem_upper is 0";
	if (MIB + upper > GIB4)
		return "mem_upper reaches past 4 GiB";
	if (!m->regions_ok)
		return NULL;    /* judged by mmap */
	/* The spec: mem_upper is at most the first hole above 1 MiB, less
	 * 1 MiB; mem_lower is conventional memory from 0. */
	if (!mb_ram_covers(m, 0, lower))
		return "[0, mem_lower) is not all RAM in the memory map";
	if (!mb_ram_covers(m, MIB, upper))
		return "[1 MiB, 1 MiB + mem_upper) is not all RAM in the memory map";
	return NULL;
}

/* --- command line, modules, loader name ----------------------------------- */

void mb_check_cmdline(struct mb *m)
{
	mb_print_cmdline(m);
	if (!m->cmdline) {
		verdict(&m->p, "cmdline", false, "%s",
			m->cmdline_why ? m->cmdline_why : "no command line");
		return;
	}
	uint64_t at = (uint64_t)(uintptr_t)m->cmdline;
	uint64_t len = strlen(m->cmdline);
	bool inside = mb_in_image(m, at, len + 1);

	verdict(&m->p, "cmdline", !inside, "%sat 0x%lx, %lu bytes",
		inside ? "inside the probe's image; " : "", at, len);
}

static char lower_hex(char c)
{
	return c >= 'A' && c <= 'F' ? (char)(c - 'A' + 'a') : c;
}

static bool hex_equal(const char *a, size_t alen, const char *hex)
{
	if (alen != 64)
		return false;
	for (size_t i = 0; i < 64; i++)
		if (lower_hex(a[i]) != hex[i])
			return false;
	return true;
}

/* "probe.mod<n>_sha256" for n = 1..99. */
static void mod_key(char *buf, unsigned n)
{
	const char *pre = "probe.mod";
	size_t i = 0;

	while (*pre)
		buf[i++] = *pre++;
	if (n >= 10)
		buf[i++] = (char)('0' + n / 10);
	buf[i++] = (char)('0' + n % 10);
	memcpy(buf + i, "_sha256", 8);
}

/* Parse a decimal option value; -1 if absent or not a number. */
static int64_t opt_number(const struct mb *m, const char *key)
{
	size_t len;
	const char *v = mb_opt(m, key, &len);
	int64_t n = 0;

	if (!v || !len || len > 6)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		n = n * 10 + (v[i] - '0');
	}
	return n;
}

struct mod_tally {
	const char *why;        /* the first problem */
	unsigned index;         /* module it concerns (1-based), 0: none */
};

static void mod_fail(struct mod_tally *t, unsigned n, const char *why)
{
	if (!t->why) {
		t->why = why;
		t->index = n;
	}
}

/* Hash module n (1-based), print its INFO lines, record any problem. */
static void module_one(struct mb *m, unsigned n, struct mod_tally *t)
{
	const struct mb_mod *d = &m->mod[n - 1];
	uint64_t size = d->end - d->start;
	char hex[65];

	con_printf("PROBE INFO module %u start=0x%lx end=0x%lx size=%lu\n", n,
		   d->start, d->end, d->end >= d->start ? size : 0);
	hex[0] = 0;
	if (d->end < d->start)
		mod_fail(t, n, "end is below start");
	else if (!mem_ok(&m->p, d->start, size))
		mod_fail(t, n, "not readable below 4 GiB");
	else {
		struct sha256 s;
		uint8_t dig[32];

		sha256_init(&s);
		sha256_update(&s, phys(d->start), (size_t)size);
		sha256_final(&s, dig);
		for (unsigned i = 0; i < 32; i++) {
			hex[2 * i] = "0123456789abcdef"[dig[i] >> 4];
			hex[2 * i + 1] = "0123456789abcdef"[dig[i] & 15];
		}
		hex[64] = 0;
	}

	const char *string = NULL;
	if (d->string) {
		if (mb_strlen_at(m, d->string, CMDLINE_MAX) < 0)
			mod_fail(t, n, "its string is unreadable or unterminated");
		else
			string = phys(d->string);
	}
	con_printf("PROBE INFO module %u sha256=%s string=", n,
		   hex[0] ? hex : "unreadable");
	mb_put_escaped(string);
	con_putc('\n');

	if (d->end >= d->start && mb_in_image(m, d->start, size ? size : 1))
		mod_fail(t, n, "overlaps the probe's image");
	if (m->mbi && d->end >= d->start &&
	    d->start < m->mbi + m->mbi_size && m->mbi < d->end)
		mod_fail(t, n, "overlaps the boot information");
	if (m->mods_page_aligned && (d->start & 0xFFF))
		mod_fail(t, n, "not page-aligned, which the header asks for");
	if (size && m->regions_ok && !mb_ram_covers(m, d->start, size))
		mod_fail(t, n, "not in type-1 RAM of the memory map");
	for (unsigned j = 0; j + 1 < n; j++) {
		const struct mb_mod *o = &m->mod[j];
		if (d->start < o->end && o->start < d->end)
			mod_fail(t, n, "overlaps an earlier module");
	}

	char key[32];
	size_t want_len;
	mod_key(key, n);
	const char *want = mb_opt(m, key, &want_len);
	if (want && (!hex[0] || !hex_equal(want, want_len, hex)))
		mod_fail(t, n, "sha256 differs from the command line's");
}

void mb_check_modules(struct mb *m)
{
	struct mod_tally t = { 0 };
	int64_t want = opt_number(m, "probe.modules");

	if (!m->have_mods && !m->mods_why)
		m->mods_why = "the loader reported no modules";
	for (unsigned n = 1; n <= m->n_mods; n++)
		module_one(m, n, &t);
	if (m->mods_why) {
		verdict(&m->p, "modules", want == 0 && !m->n_mods_total, "%s",
			m->mods_why);
		return;
	}
	if (m->n_mods_total > m->n_mods)
		mod_fail(&t, 0, "more modules than the probe can check");
	if (want >= 0 && m->n_mods_total != (uint64_t)want)
		mod_fail(&t, 0, "module count differs from probe.modules");
	if (want < 0 && !m->n_mods_total)
		mod_fail(&t, 0, "no modules (at least one expected)");
	if (t.why && t.index)
		verdict(&m->p, "modules", false, "module %u: %s; %u module(s)",
			t.index, t.why, m->n_mods_total);
	else if (t.why)
		verdict(&m->p, "modules", false, "%s; %u module(s)", t.why,
			m->n_mods_total);
	else
		verdict(&m->p, "modules", true, "%u module(s)%s%s", m->n_mods_total,
			m->mods_page_aligned ? ", page-aligned" : "",
			mb_opt(m, "probe.mod1_sha256", &(size_t){ 0 })
				? ", module 1 sha256 matches" : "");
}

void mb_check_loader_name(struct mb *m)
{
	size_t plen;
	const char *prefix = mb_opt(m, "probe.loader", &plen);

	if (!prefix) {
		prefix = "baton";
		plen = 5;
	}
	con_puts("PROBE INFO loader_name=");
	mb_put_escaped(m->loader ? m->loader : "(none)");
	con_putc('\n');
	if (!m->loader) {
		verdict(&m->p, "loader_name", false, "%s",
			m->loader_why ? m->loader_why : "no boot loader name");
		return;
	}
	bool ok = strlen(m->loader) >= plen && memcmp(m->loader, prefix, plen) == 0;
	verdict(&m->p, "loader_name", ok, "%sat 0x%lx",
		ok ? "" : "does not start with the expected name; ",
		(uint64_t)(uintptr_t)m->loader);
}
