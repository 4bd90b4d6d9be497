/* scan.h - what `pilecon scan` shares with its --detect search
 * (scan-detect.c). */
#ifndef BATCH_SCAN_H
#define BATCH_SCAN_H

#include <stdint.h>

struct cmd_ctx;

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

/* Tries baud rates and framings until a valid frame comes back; leaves
 * ctx->link open (and ctx->opts set) at that setting. 0 (d->found says
 * whether it found one), -1 after a message when the port cannot be
 * opened. */
int	scan_detect(struct cmd_ctx *, long from, long to, long timeout_ms,
	    struct scan_detected *d);

#endif
