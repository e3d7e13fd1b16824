/* Unit tests for loader/pe.c: which files are accepted as x86-64 EFI programs. */
#include "tests/unit/helpers.h"
#include "loader/pe.h"

#define PE_OFF 0x80

/* A minimal PE32+ header for the given machine, magic and subsystem. */
static void make_pe(uint8_t *img, size_t len, uint16_t machine, uint16_t magic,
		    uint16_t subsystem)
{
	memset(img, 0, len);
	img[0] = 'M';
	img[1] = 'Z';
	img[0x3c] = PE_OFF;
	memcpy(img + PE_OFF, "PE\0\0", 4);
	img[PE_OFF + 4] = machine & 0xff;
	img[PE_OFF + 5] = machine >> 8;
	img[PE_OFF + 24] = magic & 0xff;
	img[PE_OFF + 25] = magic >> 8;
	img[PE_OFF + 24 + 68] = subsystem & 0xff;
	img[PE_OFF + 24 + 69] = subsystem >> 8;
}

static void test_accepts_x64_app(void **state)
{
	uint8_t img[512];
	char why[160];

	make_pe(img, sizeof(img), 0x8664, 0x20b, 10);
	assert_int_equal(pe_check(img, sizeof(img), why, sizeof(why)), 0);
	make_pe(img, sizeof(img), 0x8664, 0x20b, 11);	/* boot service driver */
	assert_int_equal(pe_check(img, sizeof(img), why, sizeof(why)), 0);
}

static void expect_reject(const uint8_t *img, size_t len, const char *text)
{
	char why[160];

	assert_int_equal(pe_check(img, len, why, sizeof(why)), BT_EFORMAT);
	if (!strstr(why, text))
		fail_msg("message '%s' lacks '%s'", why, text);
}

static void test_rejections(void **state)
{
	uint8_t img[512];

	expect_reject((const uint8_t *)"hello", 5, "no MZ signature");
	make_pe(img, sizeof(img), 0x8664, 0x20b, 10);
	img[0] = 'X';
	expect_reject(img, sizeof(img), "no MZ signature");
	make_pe(img, sizeof(img), 0x8664, 0x20b, 10);
	img[PE_OFF] = 'Q';
	expect_reject(img, sizeof(img), "no PE header");
	make_pe(img, sizeof(img), 0x8664, 0x20b, 10);
	img[0x3c] = 0xff;
	img[0x3d] = 0xff;	/* points far past the end */
	expect_reject(img, sizeof(img), "no PE header");
	expect_reject(img, PE_OFF + 40, "no PE header");	/* truncated */
	make_pe(img, sizeof(img), 0x014c, 0x10b, 10);
	expect_reject(img, sizeof(img), "32-bit x86");
	make_pe(img, sizeof(img), 0xaa64, 0x20b, 10);
	expect_reject(img, sizeof(img), "ARM64");
	make_pe(img, sizeof(img), 0x1234, 0x20b, 10);
	expect_reject(img, sizeof(img), "machine type 0x1234");
	make_pe(img, sizeof(img), 0x8664, 0x10b, 10);
	expect_reject(img, sizeof(img), "PE32+");
	make_pe(img, sizeof(img), 0x8664, 0x20b, 3);	/* a Windows console program */
	expect_reject(img, sizeof(img), "subsystem 3");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts_x64_app),
		cmocka_unit_test(test_rejections),
	};

	return cmocka_run_group_tests_name("pe", tests, NULL, NULL);
}
