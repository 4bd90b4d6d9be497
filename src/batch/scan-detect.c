/* scan-detect.c - `pilecon scan --detect`: find an unknown bus's baud rate
 * and framing. At a wrong setting a pile hears garbage and stays silent,
 * so each try costs only a few short probes; the search stops at the first
 * setting where a valid frame comes back (cmd-scan.c probes, this file
 * says what to try next). */
#include "config.h"

#include "common.h"
#include "batch/scan.h"

static const unsigned	detect_bauds[] = { 115200, 57600, 38400, 19200, 9600 };
static const struct {
	char		parity;
	unsigned	stop_bits;
} detect_framings[] = { { 'E', 1 }, { 'N', 1 }, { 'N', 2 } };

/* Addresses probed at each setting in the first round. */
#define DETECT_FIRST_ROUND	8

int
scan_detect_next(struct scan_detect *sd, long from, long to, unsigned *baud,
    char *parity, unsigned *stop_bits, long *last)
{
	if (sd->framing == nitems(detect_framings)) {
		sd->framing = 0;
		sd->baud++;
	}
	if (sd->baud == nitems(detect_bauds)) {
		/* The first round was the whole range: nothing more to try. */
		if (sd->round > 0 || from + DETECT_FIRST_ROUND - 1 >= to)
			return 0;
		sd->round++;
		sd->baud = 0;
	}
	*last = sd->round == 0 ? from + DETECT_FIRST_ROUND - 1 : to;
	if (*last > to)
		*last = to;
	*baud = detect_bauds[sd->baud];
	*parity = detect_framings[sd->framing].parity;
	*stop_bits = detect_framings[sd->framing].stop_bits;
	sd->framing++;
	return 1;
}
