/* scan-detect.c - `pilecon scan --detect`: find an unknown bus's baud rate
 * and framing. Tries the rates a pile vendor ships (115200 down to 9600)
 * with the framings Modbus allows (8E1 first, its default, then 8N1 and
 * 8N2) and stops at the first setting where a valid frame comes back. At a
 * wrong setting a pile hears garbage and stays silent, so each try costs
 * only a few short probes: the first addresses of the range (where piles
 * usually are), then, when no setting answered there, the whole range. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/cmd-util.h"
#include "batch/scan.h"

static const unsigned	detect_bauds[] = { 115200, 57600, 38400, 19200, 9600 };
static const struct {
	char		parity;
	unsigned	stop_bits;
} detect_framings[] = { { 'E', 1 }, { 'N', 1 }, { 'N', 2 } };

/* Addresses probed at each setting in the first round. */
#define DETECT_FIRST_ROUND	8

/* Opens the context's link at this setting (closing the one before). */
static struct link *
detect_open(struct cmd_ctx *ctx, unsigned baud, char parity, unsigned stop_bits)
{
	if (ctx->link != NULL) {
		if (ctx->pile != NULL)
			pile_free(ctx->pile);
		if (ctx->bus != NULL)
			pile_bus_free(ctx->bus);
		link_close(ctx->link);
		ctx->pile = NULL;
		ctx->bus = NULL;
		ctx->link = NULL;
		ctx->have_identity = 0;
	}
	ctx->opts.baud = baud;
	ctx->opts.parity = parity;
	ctx->opts.stop_bits = stop_bits;
	return cmd_link(ctx);
}

/* Probes [from, to] at the open setting: the first address whose answer is
 * a valid frame (an exception counts: the pile understood us), else 0. */
static int
detect_probe(struct cmd_ctx *ctx, long from, long to, long timeout_ms)
{
	struct pile_bus_opts	 o;
	struct pile_bus		*probe;
	struct pile_xfer	 x;
	long			 a;
	int			 rc, found = 0;

	memset(&o, 0, sizeof o);
	o.timeout_ms = (int)timeout_ms;
	o.retries = 0;
	probe = cmd_bus_new(ctx, &o);
	for (a = from; a <= to && !found && !cmd_interrupted; a++) {
		memset(&x, 0, sizeof x);
		x.req.unit = (uint8_t)a;
		x.req.fc = PROTO_FC_READ_HOLDING;
		x.req.read_addr = PROTO_A_ID_PROTOCOL;
		x.req.read_count = 1;
		rc = pile_bus_transact(probe, &x);
		if (rc == 0 || rc == PILE_E_EXCEPTION)
			found = (int)a;
		pile_xfer_reset(&x);
		if (rc == PILE_E_LINK)
			break;
	}
	pile_bus_free(probe);
	return found;
}

int
scan_detect(struct cmd_ctx *ctx, long from, long to, long timeout_ms,
    struct scan_detected *d)
{
	struct link	*link;
	size_t		 b, f;
	long		 last, tmo;
	int		 round, addr;

	memset(d, 0, sizeof d[0]);
	d->start_ms = mono_ms();
	for (round = 0; round < 2 && !cmd_interrupted; round++) {
		last = round == 0 ? from + DETECT_FIRST_ROUND - 1 : to;
		if (last > to)
			last = to;
		for (b = 0; b < nitems(detect_bauds) && !cmd_interrupted; b++) {
			for (f = 0; f < nitems(detect_framings) && !cmd_interrupted; f++) {
				link = detect_open(ctx, detect_bauds[b],
				    detect_framings[f].parity,
				    detect_framings[f].stop_bits);
				if (link == NULL)
					return -1;
				tmo = timeout_ms > 0 ? timeout_ms : SCAN_MARGIN_MS +
				    (long)((link_frame_us(link_params(link), 8) +
				    link_frame_us(link_params(link), 7)) / 1000);
				d->tries++;
				if (ctx->progress)
					fprintf(ctx->err, _("pilecon: trying %u 8%c%u "
					    "(addresses %ld..%ld)\n"), detect_bauds[b],
					    detect_framings[f].parity,
					    detect_framings[f].stop_bits, from, last);
				addr = detect_probe(ctx, from, last, tmo);
				if (addr > 0) {
					d->found = 1;
					d->baud = detect_bauds[b];
					d->parity = detect_framings[f].parity;
					d->stop_bits = detect_framings[f].stop_bits;
					d->first_addr = addr;
					d->ms = mono_ms() - d->start_ms;
					return 0;
				}
			}
		}
		if (last == to)
			break;	/* the first round was the whole range */
	}
	d->ms = mono_ms() - d->start_ms;
	return 0;
}
