/* uart.c - what a UART set to one baud rate and framing makes of characters
 * sent at another: pilesim's model of a master whose serial settings differ
 * from the pile's. A real line gives garbled bytes and framing errors, never
 * a clean frame; so does this, bit by bit. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <termios.h>

#include "common.h"
#include "sim/shell.h"

static unsigned
uart_data_bits(const struct uart_fmt *f)
{
	return 1 + 8 + (f->parity != 'N') + f->stop_bits;
}

int
uart_fmt_equal(const struct uart_fmt *a, const struct uart_fmt *b)
{
	return a->baud == b->baud && a->parity == b->parity &&
	    a->stop_bits == b->stop_bits;
}

const char *
uart_fmt_str(const struct uart_fmt *f, char *buf, size_t size)
{
	snprintf(buf, size, "%u 8%c%u", f->baud, f->parity, f->stop_bits);
	return buf;
}

static unsigned
uart_parity_bit(uint8_t byte, char parity)
{
	unsigned	ones = (unsigned)__builtin_popcount(byte) & 1;

	return parity == 'O' ? !ones : ones;
}

/*
 * The sender's characters go back to back on the wire, then the line idles.
 * Time is counted in units of 1 / (2 * tx baud * rx baud) s, so that one
 * sent bit lasts 2 * rx_baud units and the receiver's half bit tx_baud
 * units, all in integers. The receiver does what a 16550 does: waits for a
 * falling edge, checks the start bit at its middle, samples data, parity and
 * the first stop bit at their middles; a parity or framing error delivers
 * 0x00 (what Linux's n_tty gives without IGNPAR or PARMRK, and what a Modbus
 * slave discards), and it looks for the next start at once.
 */
size_t
uart_convert(const struct uart_fmt *tx, const struct uart_fmt *rx,
    const uint8_t *in, size_t n, uint8_t *out, size_t max)
{
	uint8_t		*bits;
	size_t		 nbits, idle, i, k, len = 0;
	uint64_t	 tx_bit, half, t, start, total;
	unsigned	 j, per, pos, byte, bad;

	if (n == 0 || max == 0)
		return 0;
	per = uart_data_bits(tx);
	/* Idle after the last character: enough for the receiver to finish
	 * one character of its own, however slow. */
	idle = (size_t)(((uint64_t)uart_data_bits(rx) + 2) * tx->baud /
	    rx->baud) + 4;
	nbits = n * per + idle;
	bits = xcalloc(nbits, 1);
	for (i = 0, k = 0; i < n; i++) {
		bits[k++] = 0;				/* start */
		for (j = 0; j < 8; j++)
			bits[k++] = (in[i] >> j) & 1;	/* LSB first */
		if (tx->parity != 'N')
			bits[k++] = (uint8_t)uart_parity_bit(in[i], tx->parity);
		for (j = 0; j < tx->stop_bits; j++)
			bits[k++] = 1;
	}
	memset(bits + k, 1, nbits - k);

	tx_bit = 2 * (uint64_t)rx->baud;
	half = tx->baud;
#define LEVEL(at)	((at) / tx_bit < nbits ? bits[(at) / tx_bit] : 1)
	total = nbits * tx_bit;
	t = 0;
	while (t < total && len < max) {
		/* The next falling edge (or a line already low). */
		k = (size_t)(t / tx_bit);
		if (bits[k] != 0) {
			while (k < nbits && bits[k] != 0)
				k++;
			if (k == nbits)
				break;
			start = (uint64_t)k * tx_bit;
		} else
			start = t;
		if (LEVEL(start + half) != 0) {		/* a glitch, no start */
			t = start + half;
			continue;
		}
		byte = 0;
		for (j = 0; j < 8; j++)
			if (LEVEL(start + (2 * (uint64_t)j + 3) * half))
				byte |= 1u << j;
		bad = 0;
		pos = 9;
		if (rx->parity != 'N') {
			if (LEVEL(start + (2 * (uint64_t)pos + 1) * half) !=
			    uart_parity_bit((uint8_t)byte, rx->parity))
				bad = 1;
			pos++;
		}
		if (LEVEL(start + (2 * (uint64_t)pos + 1) * half) == 0)
			bad = 1;			/* framing error */
		out[len++] = bad ? 0x00 : (uint8_t)byte;
		t = start + (2 * (uint64_t)pos + 1) * half;
	}
#undef LEVEL
	free(bits);
	return len;
}

/*
 * A pseudo-terminal carries no bits, but the master's termios settings can
 * be read back on our side of it: Linux answers TCGETS on the pty master
 * with the slave's termios. Baud rate, CSTOPB and PARODD survive; PARENB
 * does not (pty_set_termios forces CS8 and clears PARENB on every set), so
 * even parity shows as INPCK, the input parity checking a master turns on
 * with parity (libmodbus, pilecon). pyserial clears INPCK whatever its
 * parity, so a pyserial master reads as 8N1 or 8O1.
 */
int
uart_fmt_from_termios(const struct termios *tio, struct uart_fmt *f)
{
	static const struct {
		speed_t		speed;
		unsigned	baud;
	} speeds[] = {
		{ B1200, 1200 }, { B2400, 2400 }, { B4800, 4800 },
		{ B9600, 9600 }, { B19200, 19200 }, { B38400, 38400 },
		{ B57600, 57600 }, { B115200, 115200 }, { B230400, 230400 },
		{ B460800, 460800 }, { B500000, 500000 }, { B576000, 576000 },
		{ B921600, 921600 }, { B1000000, 1000000 },
		{ B1500000, 1500000 }, { B2000000, 2000000 },
	};
	speed_t	sp = cfgetospeed(tio);
	size_t	i;

	f->baud = 0;
	for (i = 0; i < nitems(speeds); i++)
		if (speeds[i].speed == sp)
			f->baud = speeds[i].baud;
	if (f->baud == 0)
		return -1;
	if (tio->c_cflag & PARODD)
		f->parity = 'O';
	else if ((tio->c_cflag & PARENB) || (tio->c_iflag & INPCK))
		f->parity = 'E';
	else
		f->parity = 'N';
	f->stop_bits = (tio->c_cflag & CSTOPB) ? 2 : 1;
	return 0;
}

/* The termios flags for a format: raw, 8 data bits, parity checked on
 * input when there is parity. */
void
uart_fmt_to_termios(const struct uart_fmt *f, struct termios *tio)
{
	tio->c_cflag &= ~(CSIZE | PARENB | PARODD | CSTOPB);
	tio->c_cflag |= CS8;
	tio->c_iflag &= ~(INPCK | ISTRIP | IGNPAR | PARMRK);
	if (f->parity != 'N') {
		tio->c_cflag |= PARENB;
		tio->c_iflag |= INPCK;
	}
	if (f->parity == 'O')
		tio->c_cflag |= PARODD;
	if (f->stop_bits == 2)
		tio->c_cflag |= CSTOPB;
}
