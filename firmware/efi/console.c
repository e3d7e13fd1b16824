/*
 * The console on the firmware's text output and input.  OVMF mirrors both to
 * the serial port (as an ANSI terminal), so everything here works on a
 * serial line alone as well as on a screen.
 */
#include "firmware/efi/efi_fw.h"
#include "lib/mem.h"
#include "lib/utf8.h"
#include "lib/error.h"

#define ATTR_NORMAL EFI_TEXT_ATTR(EFI_LIGHTGRAY, EFI_BLACK)
#define ATTR_HIGHLIGHT EFI_TEXT_ATTR(EFI_BLACK, EFI_LIGHTGRAY)

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

void efi_console_init(struct fw *fw)
{
	SIMPLE_TEXT_OUTPUT_INTERFACE *out = fw->st->ConOut;
	uint64_t t0;

	out->SetAttribute(out, ATTR_NORMAL);
	out->EnableCursor(out, FALSE);
	if (fw->bs->CreateEvent(EVT_TIMER, 0, NULL, NULL, &fw->timer) != EFI_SUCCESS)
		fw->timer = NULL;
	/* Calibrate the TSC against the firmware's Stall (1 ms is plenty for
	 * a countdown display; the TSC is invariant on anything recent). */
	t0 = rdtsc();
	fw->bs->Stall(1000);
	fw->tsc_per_ms = rdtsc() - t0;
	if (!fw->tsc_per_ms)
		fw->tsc_per_ms = 1;
}

uint64_t fw_time_ms(struct fw *fw)
{
	return rdtsc() / fw->tsc_per_ms;
}

uint64_t fw_time_us(struct fw *fw)
{
	return rdtsc() * 1000 / fw->tsc_per_ms;
}

void fw_con_size(struct fw *fw, unsigned *cols, unsigned *rows)
{
	SIMPLE_TEXT_OUTPUT_INTERFACE *out = fw->st->ConOut;
	UINTN c = 80, r = 25;

	if (out->QueryMode(out, out->Mode->Mode, &c, &r) != EFI_SUCCESS) {
		c = 80;
		r = 25;
	}
	*cols = (unsigned)c;
	*rows = (unsigned)r;
}

void fw_con_clear(struct fw *fw)
{
	fw->st->ConOut->SetAttribute(fw->st->ConOut, ATTR_NORMAL);
	fw->st->ConOut->ClearScreen(fw->st->ConOut);
}

void fw_con_goto(struct fw *fw, unsigned col, unsigned row)
{
	fw->st->ConOut->SetCursorPosition(fw->st->ConOut, col, row);
}

void fw_con_highlight(struct fw *fw, bool on)
{
	fw->st->ConOut->SetAttribute(fw->st->ConOut,
				     on ? ATTR_HIGHLIGHT : ATTR_NORMAL);
}

void fw_con_cursor(struct fw *fw, bool visible)
{
	fw->st->ConOut->EnableCursor(fw->st->ConOut, visible);
}

void fw_con_write(struct fw *fw, const char *utf8)
{
	/* Convert in small pieces on the stack: no allocation, so messages
	 * can still be shown when memory is short.  "\n" becomes CR LF. */
	CHAR16 buf[128];
	size_t len = strlen(utf8), off = 0, n = 0;

	while (off < len) {
		uint32_t cp;
		size_t step = utf8_decode(utf8 + off, len - off, &cp);

		off += step ? step : 1;
		if (cp == '\n')
			buf[n++] = '\r';
		buf[n++] = cp > 0xFFFF ? 0xFFFD : (CHAR16)cp;
		if (n >= 126 || off >= len) {
			buf[n] = 0;
			fw->st->ConOut->OutputString(fw->st->ConOut, buf);
			n = 0;
		}
	}
}

/* Translate the firmware's key to baton's. */
static void key_from_efi(const EFI_INPUT_KEY *in, struct key *k)
{
	static const uint8_t scan[] = {		/* enum key_code */
		[SCAN_UP] = KEY_UP, [SCAN_DOWN] = KEY_DOWN,
		[SCAN_RIGHT] = KEY_RIGHT, [SCAN_LEFT] = KEY_LEFT,
		[SCAN_HOME] = KEY_HOME, [SCAN_END] = KEY_END,
		[SCAN_DELETE] = KEY_DELETE, [SCAN_PAGE_UP] = KEY_PGUP,
		[SCAN_PAGE_DOWN] = KEY_PGDN, [SCAN_ESC] = KEY_ESC,
	};

	k->ch = 0;
	k->code = KEY_OTHER;
	if (in->ScanCode) {
		/* Unlisted scan codes are 0 (KEY_CHAR) in the table. */
		if (in->ScanCode < sizeof(scan) / sizeof(scan[0]) &&
		    scan[in->ScanCode] != KEY_CHAR)
			k->code = (enum key_code)scan[in->ScanCode];
		return;
	}
	switch (in->UnicodeChar) {
	case CHAR_CARRIAGE_RETURN:
	case CHAR_LINEFEED:
		k->code = KEY_ENTER;
		break;
	case CHAR_BACKSPACE:
		k->code = KEY_BACKSPACE;
		break;
	case CHAR_TAB:
		k->code = KEY_TAB;
		break;
	case 0x1B:
		k->code = KEY_ESC;
		break;
	case 0x7F:
		k->code = KEY_DELETE;
		break;
	default:
		if (in->UnicodeChar >= 0x20) {
			k->code = KEY_CHAR;
			k->ch = in->UnicodeChar;
		}
	}
}

int fw_key_wait(struct fw *fw, uint32_t timeout_ms, struct key *k)
{
	SIMPLE_INPUT_INTERFACE *in = fw->st->ConIn;
	EFI_INPUT_KEY key;
	EFI_EVENT events[2];
	UINTN index, n = 1;

	for (;;) {
		if (in->ReadKeyStroke(in, &key) == EFI_SUCCESS) {
			key_from_efi(&key, k);
			return 0;
		}
		if (timeout_ms == 0)
			return BT_ETIMEOUT;
		events[0] = in->WaitForKey;
		if (timeout_ms != UINT32_MAX && fw->timer) {
			/* SetTimer counts in 100 ns units. */
			fw->bs->SetTimer(fw->timer, TimerRelative,
					 (UINT64)timeout_ms * 10000);
			events[1] = fw->timer;
			n = 2;
		}
		if (fw->bs->WaitForEvent(n, events, &index) != EFI_SUCCESS)
			return BT_ETIMEOUT;
		if (n == 2)
			fw->bs->SetTimer(fw->timer, TimerCancel, 0);
		if (index == 1)
			return BT_ETIMEOUT;
		/* A key event can fire without a complete key (an ESC that
		 * may start a sequence): read again, but do not wait twice. */
		if (in->ReadKeyStroke(in, &key) == EFI_SUCCESS) {
			key_from_efi(&key, k);
			return 0;
		}
		timeout_ms = timeout_ms == UINT32_MAX ? UINT32_MAX : 0;
	}
}
