/*
 * console.c - COM1 output and a small printf for the verdict lines.
 *
 * The UART is polled; its interrupts stay off (IER = 0, MCR.OUT2 = 0) so
 * the probe never disturbs the interrupt state it is checking.
 */
#include "probe.h"

#define COM1            0x3F8
#define UART_THR        0       /* transmit holding (DLAB = 0) */
#define UART_DLL        0       /* divisor latch low (DLAB = 1) */
#define UART_IER        1
#define UART_DLM        1
#define UART_FCR        2
#define UART_LCR        3
#define UART_MCR        4
#define UART_LSR        5
#define LSR_THRE        0x20

void con_init(void)
{
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, 0x80);    /* DLAB: the divisor follows */
	outb(COM1 + UART_DLL, 1);       /* 115200 baud */
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, 0x03);    /* 8N1 */
	outb(COM1 + UART_FCR, 0x07);    /* FIFOs on and cleared */
	outb(COM1 + UART_MCR, 0x03);    /* DTR and RTS, OUT2 off */
}

static void uart_write(char c)
{
	/* Bounded wait: a missing UART reads 0xFF, a wedged one must not
	 * hang the probe forever. */
	for (unsigned spin = 0; spin < 1000000; spin++)
		if (inb(COM1 + UART_LSR) & LSR_THRE)
			break;
	outb(COM1 + UART_THR, (uint8_t)c);
}

void con_putc(char c)
{
	if (c == '\n')
		uart_write('\r');
	uart_write(c);
}

void con_puts(const char *s)
{
	while (*s)
		con_putc(*s++);
}

static void put_unsigned(uint64_t v, unsigned base)
{
	char buf[24];
	unsigned n = 0;

	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n)
		con_putc(buf[--n]);
}

void con_vprintf(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			con_putc(*fmt);
			continue;
		}
		bool is_long = false;
		if (fmt[1] == 'l') {
			is_long = true;
			fmt++;
		}
		switch (*++fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			con_puts(s ? s : "(null)");
			break;
		}
		case 'c':
			con_putc((char)va_arg(ap, int));
			break;
		case 'd': {
			int64_t v = is_long ? va_arg(ap, int64_t) : va_arg(ap, int);
			if (v < 0) {
				con_putc('-');
				v = -v;
			}
			put_unsigned((uint64_t)v, 10);
			break;
		}
		case 'u':
			put_unsigned(is_long ? va_arg(ap, uint64_t)
					     : va_arg(ap, unsigned), 10);
			break;
		case 'x':
			put_unsigned(is_long ? va_arg(ap, uint64_t)
					     : va_arg(ap, unsigned), 16);
			break;
		case '%':
			con_putc('%');
			break;
		case '\0':
			return;
		default:
			con_putc('?');
			break;
		}
	}
}

void con_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	con_vprintf(fmt, ap);
	va_end(ap);
}
