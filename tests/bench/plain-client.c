/* plain-client.c - the baseline of tests/bench/pull: how a plain Modbus
 * master (libmodbus, no FC 23) pulls a pile's records from the published map:
 * per window one FC 16 to records.cursor, then one FC 03 of records.window.
 * It checks each record's sequence and CRC-32 like pilecon does, so both
 * sides do the same work per record; it does not store them. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <modbus.h>

#define LIVE_FIRST_SEQ	0x0107		/* live.first_seq, live.last_seq: u32 each */
#define REC_CURSOR	0x1000
#define REC_WINDOW	0x1002
#define REC_WINDOW_REGS	125
#define REC_REGS	62
#define REC_BYTES	124

static uint32_t
crc32_ieee(const uint8_t *p, size_t len)
{
	uint32_t	c = 0xffffffffu;
	size_t		i;
	int		k;

	for (i = 0; i < len; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return c ^ 0xffffffffu;
}

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	modbus_t	*ctx;
	uint16_t	 seqs[4], cursor[2], win[REC_WINDOW_REGS];
	uint8_t		 b[REC_BYTES];
	uint32_t	 first, last, next, seq, want;
	unsigned long	 records = 0, windows = 0, bad = 0;
	double		 t0, t1;
	int		 baud = 115200, addr, count, i, j;

	if (argc == 5 && strcmp(argv[1], "-b") == 0) {
		baud = atoi(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc != 3 || (addr = atoi(argv[2])) < 1 || addr > 247 || baud <= 0) {
		fprintf(stderr, "usage: plain-client [-b BAUD] PORT ADDRESS\n");
		return 2;
	}
	ctx = modbus_new_rtu(argv[1], baud, 'E', 8, 1);
	if (ctx == NULL || modbus_set_slave(ctx, addr) != 0 || modbus_connect(ctx) != 0) {
		fprintf(stderr, "plain-client: cannot open '%s': %s\n", argv[1],
		    modbus_strerror(errno));
		return 1;
	}
	modbus_set_response_timeout(ctx, 2, 0);

	t0 = now_s();
	if (modbus_read_registers(ctx, LIVE_FIRST_SEQ, 4, seqs) != 4) {
		fprintf(stderr, "plain-client: reading live.first_seq: %s\n", modbus_strerror(errno));
		return 1;
	}
	first = (uint32_t)seqs[0] << 16 | seqs[1];
	last = (uint32_t)seqs[2] << 16 | seqs[3];
	for (next = first; first != 0 && next <= last; ) {
		cursor[0] = next >> 16;
		cursor[1] = next & 0xffff;
		if (modbus_write_registers(ctx, REC_CURSOR, 2, cursor) != 2 ||
		    modbus_read_registers(ctx, REC_WINDOW, REC_WINDOW_REGS, win) != REC_WINDOW_REGS) {
			fprintf(stderr, "plain-client: window at %lu: %s\n",
			    (unsigned long)next, modbus_strerror(errno));
			return 1;
		}
		windows++;
		count = win[0];
		if (count < 1 || count > 2) {
			fprintf(stderr, "plain-client: window at %lu holds %d records\n",
			    (unsigned long)next, count);
			return 1;
		}
		for (i = 0; i < count; i++) {
			for (j = 0; j < REC_REGS; j++) {
				b[2 * j] = win[1 + i * REC_REGS + j] >> 8;
				b[2 * j + 1] = win[1 + i * REC_REGS + j] & 0xff;
			}
			seq = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
			want = (uint32_t)b[120] << 24 | (uint32_t)b[121] << 16 |
			    (uint32_t)b[122] << 8 | b[123];
			b[5] &= ~0x02;	/* synced flag: outside the CRC */
			if (seq != next || crc32_ieee(b, 120) != want)
				bad++;
			records++;
			next = seq + 1;
		}
	}
	t1 = now_s();
	printf("records %lu windows %lu bad %lu seconds %.6f\n", records, windows, bad, t1 - t0);
	modbus_close(ctx);
	modbus_free(ctx);
	return bad ? 1 : 0;
}
