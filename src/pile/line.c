/* line.c - what the line did, for people: the trace of frames (mbpoll -v)
 * and the wiring check's verdict in words, from the bus's counters. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "pile-int.h"

char *
pile_trace_format(enum pile_trace_dir dir, const uint8_t *buf, size_t len,
    uint64_t wall_us)
{
	static const char *const tags[] = { "TX ", "RX ", "RX!", "-- " };
	struct tm	 tm;
	time_t		 t = (time_t)(wall_us / 1000000);
	char		*s, *p;
	size_t		 i, size = 32 + 3 * len + 64;

	s = p = xmalloc(size);
	localtime_r(&t, &tm);
	p += strftime(p, 16, "%H:%M:%S", &tm);
	p += snprintf(p, size - (size_t)(p - s), ".%06u %s",
	    (unsigned)(wall_us % 1000000), tags[dir]);
	for (i = 0; i < len; i++)
		p += snprintf(p, size - (size_t)(p - s), " %02X", buf[i]);
	if (dir == PILE_TRACE_RX_BAD)
		snprintf(p, size - (size_t)(p - s), "  %s", _("(CRC error)"));
	else if (dir == PILE_TRACE_TIMEOUT)
		snprintf(p, size - (size_t)(p - s), " %s", _("(no answer)"));
	return s;
}

/* "12 %", "0.8 %": a share of n in total, to two digits. */
static void
pile_percent(char *buf, size_t size, unsigned long n, unsigned long total)
{
	double	pc = total > 0 ? 100.0 * (double)n / (double)total : 0;

	if (pc >= 9.95)
		snprintf(buf, size, "%.0f %%", pc);
	else
		snprintf(buf, size, "%.1f %%", pc);
}

static void
pile_append(char **s, const char *part)
{
	char	*t;

	if (*s == NULL) {
		*s = xstrdup(part);
		return;
	}
	t = xasprintf("%s; %s", *s, part);
	free(*s);
	*s = t;
}

/*
 * The thresholds: an RS-485 line that is wired and terminated right gives
 * no CRC errors at all; one in a hundred is a line that will fail a long
 * pull. A slave stays silent when a request reaches it garbled (Modbus over
 * serial line V1.02 §2.4.2), so the same faults show as timeouts too.
 */
#define PILE_LINE_BAD_PERMILLE	10
#define PILE_LINE_SLOW_US	15000

char *
pile_line_verdict(const struct pile_bus_stats *st, int *bad)
{
	unsigned long	 answered = st->replies + st->crc_errors;
	char		*s = NULL, *part, pc[32];

	*bad = 0;
	if (st->requests == 0)
		return xstrdup(_("nothing was sent"));
	if (answered == 0) {
		*bad = 1;
		return xasprintf(_("no answer to any of %lu requests: check that "
		    "the pile is powered, its address ('pilecon scan'), the A/B "
		    "pair, and the baud rate and framing ('pilecon scan "
		    "--detect')"), st->requests);
	}
	if (st->replies == 0 && st->echoes > 0) {
		*bad = 1;
		return xasprintf(_("the answers were our own requests: the adapter "
		    "echoes what it sends (two-wire, without automatic direction "
		    "control); add --echo"));
	}
	if (st->replies == 0) {
		*bad = 1;
		return xasprintf(_("only garbled answers (%lu CRC errors, no valid "
		    "reply): the baud rate or framing is wrong, or A and B are "
		    "swapped; try 'pilecon scan --detect'"), st->crc_errors);
	}
	if (st->crc_errors > 0) {
		pile_percent(pc, sizeof pc, st->crc_errors, answered);
		part = xasprintf(_("CRC errors on %s of replies: check termination "
		    "(120 ohm at both ends of the bus, nowhere else) and the A/B "
		    "pair"), pc);
		pile_append(&s, part);
		free(part);
		if (st->crc_errors * 1000 >= answered * PILE_LINE_BAD_PERMILLE)
			*bad = 1;
	}
	if (st->timeouts > 0) {
		pile_percent(pc, sizeof pc, st->timeouts, st->requests);
		part = xasprintf(_("no answer to %s of requests: a pile stays "
		    "silent when a request reaches it garbled, so check the cable, "
		    "its connectors and the termination"), pc);
		pile_append(&s, part);
		free(part);
		if (st->timeouts * 1000 >= st->requests * PILE_LINE_BAD_PERMILLE)
			*bad = 1;
	}
	if (s == NULL)
		s = xasprintf(_("line clean: %lu of %lu requests answered, no CRC "
		    "errors, no timeouts"), st->replies, st->requests);
	if (st->exceptions > 0) {
		part = xasprintf(_("%lu refused with an exception (the pile "
		    "answered: not a wiring fault)"), st->exceptions);
		pile_append(&s, part);
		free(part);
	}
	if (st->rtt_sum_us / st->replies > PILE_LINE_SLOW_US) {
		part = xasprintf(_("replies take %.1f ms on average: a USB "
		    "adapter's latency timer? ('pilecon ports' shows it)"),
		    (double)st->rtt_sum_us / (double)st->replies / 1000);
		pile_append(&s, part);
		free(part);
	}
	return s;
}
