/* scan.h - what `pilecon scan` shares with its --detect search
 * (scan-detect.c). */
#ifndef BATCH_SCAN_H
#define BATCH_SCAN_H

#include <stddef.h>
#include <stdint.h>

/*
 * What an absent address costs: the request and a 1-register answer on the
 * wire, plus this much for the pile to turn around and for a USB adapter's
 * latency timer (16 ms by default on FTDI chips; 1-2 ms when set low).
 * pilesim answers within a millisecond; a real pile that is slower than
 * this needs --timeout.
 */
#define SCAN_MARGIN_MS	25

struct scan_detected {
	int		 found;		/* a setting answered */
	unsigned	 baud;
	char		 parity;
	unsigned	 stop_bits;
	int		 first_addr;	/* the address that answered first */
	int		 tries;		/* settings tried */
	uint64_t	 start_ms, ms;	/* how long the search took */
};

/* The order in which --detect tries the settings: the rates a pile vendor
 * ships (115200 down to 9600) with the framings Modbus allows (8E1 first,
 * its default, then 8N1 and 8N2); at each, the first addresses of the
 * range (where piles usually are), then, when no setting answered there,
 * the whole range. Zero it and call scan_detect_next for each setting. */
struct scan_detect {
	int	round;
	size_t	baud, framing;
};
/* The next setting to try and the last address to probe at it (from is
 * the first): 1, or 0 when every setting was tried. */
int	scan_detect_next(struct scan_detect *, long from, long to, unsigned *baud,
	    char *parity, unsigned *stop_bits, long *last);

#endif
