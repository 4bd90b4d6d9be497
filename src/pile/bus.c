/* bus.c - the Modbus RTU master on one link: one transaction at a time as a
 * small state machine an event loop advances (line silence, request, reply,
 * retries), plus a blocking wrapper. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "pile-int.h"

struct pile_bus *
pile_bus_new(struct link *link, const struct pile_bus_opts *opts)
{
	struct pile_bus	*bus = xcalloc(1, sizeof *bus);

	bus->link = link;
	bus->opts.retries = 2;
	if (opts != NULL) {
		bus->opts = *opts;
		if (bus->opts.timeout_ms < 0)
			bus->opts.timeout_ms = 0;
		if (bus->opts.retries < 0)
			bus->opts.retries = 2;
	}
	return bus;
}

void
pile_bus_free(struct pile_bus *bus)
{
	if (bus == NULL)
		return;
	free(bus->unit_stats);
	free(bus);
}

struct link *
pile_bus_link(struct pile_bus *bus)
{
	return bus->link;
}

const struct pile_bus_stats *
pile_bus_stats(const struct pile_bus *bus)
{
	return &bus->stats;
}

const struct pile_bus_stats *
pile_bus_unit_stats(const struct pile_bus *bus, uint8_t addr)
{
	static const struct pile_bus_stats	none;

	return bus->unit_stats != NULL ? &bus->unit_stats[addr] : &none;
}

void
pile_bus_stats_reset(struct pile_bus *bus)
{
	memset(&bus->stats, 0, sizeof bus->stats);
	if (bus->unit_stats != NULL)
		memset(bus->unit_stats, 0, 256 * sizeof *bus->unit_stats);
}

void
pile_bus_set_trace(struct pile_bus *bus, pile_trace_fn *fn, void *arg)
{
	bus->trace = fn;
	bus->trace_arg = arg;
}

/* Counts an event in the total and in the address's own counters. */
#define PILE_COUNT(bus, unit, field) do {				\
	(bus)->stats.field++;						\
	pile_bus_unit(bus, unit)->field++;				\
} while (0)

static struct pile_bus_stats *
pile_bus_unit(struct pile_bus *bus, uint8_t unit)
{
	if (bus->unit_stats == NULL)
		bus->unit_stats = xcalloc(256, sizeof *bus->unit_stats);
	return &bus->unit_stats[unit];
}

static void
pile_bus_rtt(struct pile_bus_stats *st, uint64_t rtt_us)
{
	if (st->replies == 1 || rtt_us < st->rtt_min_us)
		st->rtt_min_us = rtt_us;
	if (rtt_us > st->rtt_max_us)
		st->rtt_max_us = rtt_us;
	st->rtt_sum_us += rtt_us;
	st->rtt_last_us = rtt_us;
}

static void
pile_bus_trace(struct pile_bus *bus, enum pile_trace_dir dir, uint8_t unit,
    const uint8_t *buf, size_t len)
{
	struct timespec	ts;

	if (bus->trace == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	bus->trace(bus->trace_arg, dir, unit, buf, len,
	    (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000);
}

void
pile_xfer_reset(struct pile_xfer *x)
{
	free(x->cause);
	memset(x, 0, sizeof *x);
}

/* "reading 'live.link_state' (0x0100)", or inside a register, or a bare
 * address: one side of a request, in whole sentences for the translators. */
static char *
pile_bus_what_reg(uint16_t addr, int writing)
{
	const struct proto_reg	*r = proto_reg_at(addr);

	if (r != NULL && r->addr == addr)
		return writing ? xasprintf(_("writing '%s' (0x%04X)"), r->name,
		    addr) : xasprintf(_("reading '%s' (0x%04X)"), r->name, addr);
	if (r != NULL)
		return writing ? xasprintf(_("writing inside '%s' (0x%04X)"),
		    r->name, addr) : xasprintf(_("reading inside '%s' (0x%04X)"),
		    r->name, addr);
	return writing ? xasprintf(_("writing register 0x%04X"), addr) :
	    xasprintf(_("reading register 0x%04X"), addr);
}

/* "writing 'x' (0x0200) and reading 'y' (0x0100)": what the refused request
 * did. */
static char *
pile_bus_what(const struct proto_request *req)
{
	char	*rd = NULL, *wr = NULL, *s;

	if (req->fc == PROTO_FC_READ_HOLDING || req->fc == PROTO_FC_READ_INPUT ||
	    req->fc == PROTO_FC_READ_WRITE_MULTIPLE)
		rd = pile_bus_what_reg(req->read_addr, 0);
	if (req->fc == PROTO_FC_WRITE_SINGLE ||
	    req->fc == PROTO_FC_WRITE_MULTIPLE ||
	    req->fc == PROTO_FC_READ_WRITE_MULTIPLE)
		wr = pile_bus_what_reg(req->write_addr, 1);
	if (rd != NULL && wr != NULL)
		s = xasprintf(_("%s and %s"), wr, rd);
	else if (rd != NULL)
		s = xstrdup(rd);
	else if (wr != NULL)
		s = xstrdup(wr);
	else
		s = xasprintf(_("function %u"), req->fc);
	free(rd);
	free(wr);
	return s;
}

static int
pile_bus_finish(struct pile_bus *bus, struct pile_xfer *x, int status,
    char *cause)
{
	if (x->half != 0) {	/* the caller sees the request it made */
		x->req = x->whole;
		x->half = 0;
	}
	free(x->cause);
	x->cause = status < 0 ? cause : NULL;
	if (status >= 0)
		free(cause);
	x->status = status;
	bus->running = NULL;
	bus->phase = PILE_IDLE;
	bus->stats.transactions++;
	return status;
}

static int
pile_bus_fail_tries(struct pile_bus *bus, struct pile_xfer *x)
{
	const struct link_params	*lp = link_params(bus->link);
	const char			*port = link_name(bus->link);
	int				 silent = x->tries - bus->garbled;
	char				*cause, line[32];

	/* "115200 8E1": a wrong framing looks exactly like a dead line. */
	link_params_str(lp, line, sizeof line);
	if (bus->echo_seen && !lp->echo)
		return pile_bus_finish(bus, x, PILE_E_GARBLED, xasprintf(
		    _("address %u on '%s' answered with our own request: the "
		    "adapter echoes what it sends (two-wire, without automatic "
		    "direction control); add --echo"), x->req.unit, port));
	if (bus->garbled == 0) {
		cause = xasprintf(ngettext("no answer from address %u on '%s' "
		    "at %s after %d try (check the A/B wiring, the address "
		    "with 'pilecon scan', the baud rate and framing (Modbus "
		    "default 8E1; 'pilecon scan --detect' finds them), and that "
		    "the pile is powered)", "no answer from address %u on '%s' "
		    "at %s after %d tries (check the A/B wiring, the address "
		    "with 'pilecon scan', the baud rate and framing (Modbus "
		    "default 8E1; 'pilecon scan --detect' finds them), and that "
		    "the pile is powered)", (unsigned long)x->tries),
		    x->req.unit, port, line, x->tries);
		return pile_bus_finish(bus, x, PILE_E_TIMEOUT, cause);
	}
	if (silent <= 0)
		cause = xasprintf(ngettext("only garbled answers from address "
		    "%u on '%s' at %s after %d try (CRC errors: check "
		    "termination, baud rate and framing)", "only garbled answers "
		    "from address %u on '%s' at %s after %d tries (CRC "
		    "errors: check termination, baud rate and framing)",
		    (unsigned long)x->tries), x->req.unit, port, line,
		    x->tries);
	else
		cause = xasprintf(_("no valid answer from address %u on '%s' "
		    "at %s after %d tries (%d garbled, %d silent: check "
		    "termination, baud rate and framing)"), x->req.unit, port,
		    line, x->tries, bus->garbled, silent);
	return pile_bus_finish(bus, x, PILE_E_GARBLED, cause);
}

/* A try failed: try again once the line is quiet, or give up. */
static int
pile_bus_retry(struct pile_bus *bus, struct pile_xfer *x, uint64_t now)
{
	if (x->tries > bus->opts.retries)
		return pile_bus_fail_tries(bus, x);
	bus->phase = PILE_QUIET;
	bus->gap_us = (uint64_t)PILE_RETRY_QUIET_MS * 1000;
	if (bus->gap_us < link_t35_us(link_params(bus->link)))
		bus->gap_us = link_t35_us(link_params(bus->link));
	x->not_before_us = now + bus->gap_us;
	return PILE_XFER_PENDING;
}

static int
pile_bus_send(struct pile_bus *bus, struct pile_xfer *x)
{
	const struct link_params	*lp = link_params(bus->link);
	uint8_t				 frame[PROTO_ADU_MAX];
	uint64_t			 tx_end, wait_us;
	char				*cause = NULL;
	int				 n, write_ms;

	n = proto_request_encode(&x->req, frame, sizeof frame);
	if (n < 0)
		return pile_bus_finish(bus, x, PILE_E_PROTOCOL, xasprintf(
		    _("cannot send function %u to address %u: the request "
		    "breaks a Modbus limit"), x->req.fc, x->req.unit));

	/* Whatever came before the request cannot be its answer. */
	link_flush_input(bus->link);
	write_ms = (int)(link_frame_us(lp, (size_t)n) / 1000) + 1000;
	if (link_write(bus->link, frame, (size_t)n, write_ms, &cause) != 0)
		return pile_bus_finish(bus, x, PILE_E_LINK, cause);
	x->tries++;
	if (x->tries > 1)
		PILE_COUNT(bus, x->req.unit, retries);
	PILE_COUNT(bus, x->req.unit, requests);
	bus->stats.bytes_out += (unsigned long)n;
	pile_bus_trace(bus, PILE_TRACE_TX, x->req.unit, frame, (size_t)n);

	/* write() returns once the kernel has the bytes; they are on the wire
	 * for the frame time after that. */
	bus->sent_us = mono_us();
	memcpy(bus->sent, frame, (size_t)n);
	bus->sent_len = (size_t)n;
	tx_end = bus->sent_us + link_frame_us(lp, (size_t)n);
	if (x->req.unit == 0) {
		bus->quiet_at_us = tx_end + link_t35_us(lp) + (uint64_t)(x->turnaround_ms > 0 ?
		    x->turnaround_ms : PILE_TURNAROUND_MS) * 1000;
		return pile_bus_finish(bus, x, 0, NULL);
	}
	wait_us = (uint64_t)(bus->opts.timeout_ms > 0 ? bus->opts.timeout_ms :
	    PILE_TIMEOUT_MS) * 1000;
	wait_us += link_frame_us(lp, proto_response_length(&x->req));
	x->deadline_us = tx_end + wait_us;
	x->got = 0;
	/* --echo: the adapter hears the request first; it also takes the
	 * wire time of the request again. */
	bus->echo_done = !lp->echo;
	if (lp->echo)
		x->deadline_us += link_frame_us(lp, (size_t)n);
	bus->phase = PILE_COLLECT;
	return PILE_XFER_PENDING;
}

/* --echo: takes our request off the front of what came; 1 while what came
 * is still a prefix of it (wait for more). Bytes that differ mean no echo
 * this time: they stay, as the reply. */
static int
pile_bus_drop_echo(struct pile_bus *bus, struct pile_xfer *x)
{
	size_t	n = x->got < bus->sent_len ? x->got : bus->sent_len;

	if (memcmp(x->buf, bus->sent, n) != 0) {
		bus->echo_done = 1;
		return 0;
	}
	if (x->got < bus->sent_len)
		return 1;
	memmove(x->buf, x->buf + bus->sent_len, x->got - bus->sent_len);
	x->got -= bus->sent_len;
	bus->echo_done = 1;
	return x->got == 0;
}

/*
 * An FC 23 (write a cursor, read its window) on a bus without it goes as
 * its two halves, each a transaction of its own on the wire: the write
 * (FC 16), then, once it is answered, the read (FC 03). Modbus performs an
 * FC 23's write before its read, so the halves do what the whole does. The
 * caller waits for the one x as for the whole; the event loop keeps
 * turning between the halves.
 */
static int
pile_bus_use_fc23(const struct pile_bus *bus, const struct proto_request *req)
{
	return req->fc != PROTO_FC_READ_WRITE_MULTIPLE ||
	    (!bus->opts.no_fc23 && !bus->fc23_refused);
}

/* x's next half on the wire, after t3.5 of silence. */
static void
pile_bus_half(struct pile_bus *bus, struct pile_xfer *x, uint64_t now)
{
	const struct proto_request	*w = &x->whole;

	if (x->half == 0)
		x->whole = x->req;
	x->half++;
	memset(&x->req, 0, sizeof x->req);
	x->req.unit = w->unit;
	if (x->half == 1) {
		x->req.fc = PROTO_FC_WRITE_MULTIPLE;
		x->req.write_addr = w->write_addr;
		x->req.write_count = w->write_count;
		memcpy(x->req.values, w->values, w->write_count * sizeof *w->values);
	} else {
		x->req.fc = PROTO_FC_READ_HOLDING;
		x->req.read_addr = w->read_addr;
		x->req.read_count = w->read_count;
	}
	memset(&x->resp, 0, sizeof x->resp);
	x->tries = 0;
	x->got = 0;
	x->not_before_us = bus->quiet_at_us > now ? bus->quiet_at_us : now;
	bus->phase = PILE_QUIET;
	bus->gap_us = link_t35_us(link_params(bus->link));
	bus->garbled = 0;
	bus->echo_seen = 0;
}

static int
pile_bus_reply(struct pile_bus *bus, struct pile_xfer *x, uint64_t now,
    int len)
{
	char	*what, *cause;

	bus->quiet_at_us = now + link_t35_us(link_params(bus->link));
	PILE_COUNT(bus, x->req.unit, replies);
	pile_bus_rtt(&bus->stats, now > bus->sent_us ? now - bus->sent_us : 0);
	pile_bus_rtt(pile_bus_unit(bus, x->req.unit), now > bus->sent_us ?
	    now - bus->sent_us : 0);
	pile_bus_trace(bus, PILE_TRACE_RX, x->req.unit, x->buf, (size_t)len);
	if (x->resp.exception == 0 && x->half == 1) {
		bus->stats.transactions++;
		pile_bus_half(bus, x, now);
		return PILE_XFER_PENDING;
	}
	if (x->resp.exception == 0)
		return pile_bus_finish(bus, x, 0, NULL);
	PILE_COUNT(bus, x->req.unit, exceptions);
	if (x->req.fc == PROTO_FC_READ_WRITE_MULTIPLE &&
	    x->resp.exception == PROTO_EX_ILLEGAL_FUNCTION) {
		/* Gateways and older firmware lack FC 23: remember it for
		 * the whole bus and send this one as its halves. */
		bus->fc23_refused = 1;
		bus->stats.transactions++;
		pile_bus_half(bus, x, now);
		return PILE_XFER_PENDING;
	}
	what = pile_bus_what(&x->req);
	cause = xasprintf(_("address %u refused %s: %s"), x->req.unit, what,
	    proto_exception_str(x->resp.exception));
	free(what);
	return pile_bus_finish(bus, x, PILE_E_EXCEPTION, cause);
}

int
pile_bus_step(struct pile_bus *bus, struct pile_xfer *x)
{
	uint8_t		 scratch[PROTO_ADU_MAX];
	uint64_t	 now;
	char		*cause = NULL;
	int		 n, rc;

	if (x->status != PILE_XFER_PENDING || bus->running != x)
		return x->status;
	for (;;) {
		now = mono_us();
		switch (bus->phase) {
		case PILE_QUIET:
			/* Anything still arriving is a late or stray answer:
			 * drop it and wait for silence again. */
			n = link_read_now(bus->link, scratch, sizeof scratch,
			    &cause);
			if (n < 0)
				return pile_bus_finish(bus, x, PILE_E_LINK,
				    cause);
			if (n > 0) {
				bus->stats.bytes_in += (unsigned long)n;
				if (x->not_before_us < now + bus->gap_us)
					x->not_before_us = now + bus->gap_us;
				continue;
			}
			if (now < x->not_before_us)
				return PILE_XFER_PENDING;
			rc = pile_bus_send(bus, x);
			if (rc != PILE_XFER_PENDING)
				return rc;
			continue;
		case PILE_COLLECT:
			n = link_read_now(bus->link, x->buf + x->got,
			    sizeof x->buf - x->got, &cause);
			if (n < 0)
				return pile_bus_finish(bus, x, PILE_E_LINK,
				    cause);
			if (n == 0) {
				if (now < x->deadline_us)
					return PILE_XFER_PENDING;
				if (x->got > 0) {	/* cut short */
					bus->garbled++;
					PILE_COUNT(bus, x->req.unit, crc_errors);
					pile_bus_trace(bus, PILE_TRACE_RX_BAD,
					    x->req.unit, x->buf, x->got);
				} else {
					PILE_COUNT(bus, x->req.unit, timeouts);
					pile_bus_trace(bus, PILE_TRACE_TIMEOUT,
					    x->req.unit, NULL, 0);
				}
				rc = pile_bus_retry(bus, x, now);
				if (rc != PILE_XFER_PENDING)
					return rc;
				continue;
			}
			x->got += (size_t)n;
			bus->stats.bytes_in += (unsigned long)n;
			if (!bus->echo_done && pile_bus_drop_echo(bus, x))
				continue;	/* the echo so far: read on */
			/* The request tells the reply's length: done the
			 * moment it is complete, no silence to wait for. */
			rc = proto_response_decode(x->buf, x->got, &x->req,
			    &x->resp);
			if (rc > 0) {
				rc = pile_bus_reply(bus, x, now, rc);
				if (rc != PILE_XFER_PENDING)
					return rc;
				continue;	/* the read half of an FC 23 */
			}
			if (rc == PROTO_NEED_MORE && x->got < sizeof x->buf)
				continue;
			/* Bad CRC, impossible frame, another unit's answer,
			 * or our own request heard back. */
			if (x->got >= bus->sent_len && bus->sent_len > 0 &&
			    memcmp(x->buf, bus->sent, bus->sent_len) == 0) {
				bus->echo_seen = 1;
				PILE_COUNT(bus, x->req.unit, echoes);
			}
			bus->garbled++;
			PILE_COUNT(bus, x->req.unit, crc_errors);
			pile_bus_trace(bus, PILE_TRACE_RX_BAD, x->req.unit, x->buf,
			    x->got);
			rc = pile_bus_retry(bus, x, now);
			if (rc != PILE_XFER_PENDING)
				return rc;
			continue;
		case PILE_IDLE:
			break;
		}
		return x->status;
	}
}

int
pile_bus_start(struct pile_bus *bus, struct pile_xfer *x)
{
	uint64_t	now = mono_us();

	if (bus->running != NULL && bus->running != x) {
		free(x->cause);
		x->cause = xasprintf(_("cannot start a request to address %u "
		    "on '%s': another one is still running"), x->req.unit,
		    link_name(bus->link));
		x->status = PILE_E_PROTOCOL;
		return x->status;
	}
	free(x->cause);
	x->cause = NULL;
	memset(&x->resp, 0, sizeof x->resp);
	x->status = PILE_XFER_PENDING;
	x->tries = 0;
	x->got = 0;
	x->deadline_us = 0;
	/* Modbus over serial line V1.02 §2.5.1.1: frames are separated by at
	 * least 3.5 character times of silence. */
	x->not_before_us = bus->quiet_at_us > now ? bus->quiet_at_us : now;
	bus->running = x;
	bus->phase = PILE_QUIET;
	bus->gap_us = link_t35_us(link_params(bus->link));
	bus->garbled = 0;
	bus->echo_seen = 0;
	x->half = 0;
	if (!pile_bus_use_fc23(bus, &x->req))
		pile_bus_half(bus, x, now);
	return pile_bus_step(bus, x);
}

int
pile_bus_busy(const struct pile_bus *bus)
{
	return (bus->running != NULL);
}

/* Microseconds until the transaction needs a step; -1 when idle. */
static int64_t
pile_bus_wait_us(const struct pile_bus *bus, const struct pile_xfer *x)
{
	uint64_t	now, target;

	if (x == NULL || x->status != PILE_XFER_PENDING || bus->running != x)
		return -1;
	target = bus->phase == PILE_QUIET ? x->not_before_us : x->deadline_us;
	now = mono_us();
	return target <= now ? 0 : (int64_t)(target - now);
}

int
pile_bus_wait_ms(const struct pile_bus *bus, const struct pile_xfer *x)
{
	int64_t	us = pile_bus_wait_us(bus, x);

	return us < 0 ? -1 : (int)((us + 999) / 1000);
}

int
pile_bus_transact(struct pile_bus *bus, struct pile_xfer *x)
{
	struct pollfd	 pfd;
	struct timespec	 ts;
	int64_t		 us;
	int		 rc;

	rc = pile_bus_start(bus, x);
	while (rc == PILE_XFER_PENDING) {
		pfd.fd = link_fd(bus->link);
		pfd.events = POLLIN;
		/* To the microsecond: t3.5 is 1750 us above 19200 baud, and
		 * rounding it up to 2 ms would cost a pull 1 % of its speed. */
		us = pile_bus_wait_us(bus, x);
		ts.tv_sec = us < 0 ? 0 : (time_t)(us / 1000000);
		ts.tv_nsec = us < 0 ? 0 : (long)(us % 1000000) * 1000;
		if (ppoll(&pfd, 1, us < 0 ? NULL : &ts, NULL) < 0 &&
		    errno != EINTR) {
			return pile_bus_finish(bus, x, PILE_E_LINK, xasprintf(
			    _("cannot wait for port '%s': %s"),
			    link_name(bus->link), strerror(errno)));
		}
		rc = pile_bus_step(bus, x);
	}
	return rc;
}
