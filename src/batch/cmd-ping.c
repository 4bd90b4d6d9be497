/* cmd-ping.c - `pilecon ping [-c N]`: the wiring check. Polls one address N
 * times with a one-register read, as mbpoll does, and ends with the line's
 * statistics (requests, replies, CRC errors, timeouts, exceptions, retries,
 * round trips) and a verdict in words a technician can act on. It needs no
 * identity and no key: it must work on the line that does not work yet. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/job.h"

#define PING_COUNT_DEFAULT	10
#define PING_COUNT_MAX		1000000
#define PING_INTERVAL_DEFAULT	100	/* ms between polls */

static enum job_return	cmd_ping_step(struct job *);
static void		cmd_ping_render(const struct result *, FILE *);

const struct cmd_entry cmd_ping_entry = {
	.name = "ping",
	.args = "-c=N -i=MS -q --json",
	.usage = "[-c N] [-i MS] [-q] [--json]",
	.help = N_("check the wiring: poll the pile N times (default 10) and show "
	    "requests, replies, CRC errors, timeouts, round trips and a verdict"),
	.step = cmd_ping_step,
	.render = cmd_ping_render,
};

enum { PING_START, PING_SEND, PING_DONE, PING_NEXT };

struct ping {
	long			count, interval_ms, sent;
	uint8_t			unit;
	struct pile_bus_stats	before;
};

static int
ping_number(struct job *job, const char *opt, long min, long max, long *v)
{
	const char	*s = cmd_args_get(&job->args, opt);
	char		*end;

	if (s == NULL)
		return 0;
	errno = 0;
	*v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || *v < min || *v > max) {
		job_fail(job, EXIT_USAGE, _("bad value '%s' for -%s: expected a "
		    "number from %ld to %ld"), s, opt, min, max);
		return -1;
	}
	return 0;
}

/* What the line did for this address since the ping started. */
static void
ping_delta(const struct pile_bus_stats *now, const struct pile_bus_stats *b,
    struct pile_bus_stats *d)
{
	memset(d, 0, sizeof *d);
	d->requests = now->requests - b->requests;
	d->replies = now->replies - b->replies;
	d->crc_errors = now->crc_errors - b->crc_errors;
	d->timeouts = now->timeouts - b->timeouts;
	d->exceptions = now->exceptions - b->exceptions;
	d->retries = now->retries - b->retries;
	d->echoes = now->echoes - b->echoes;
	d->rtt_sum_us = now->rtt_sum_us - b->rtt_sum_us;
	/* Min and max over the ping only: the bus keeps them since its
	 * start, which for a ping is the same but for the console is not. */
	d->rtt_min_us = now->rtt_min_us;
	d->rtt_max_us = now->rtt_max_us;
}

static enum job_return
ping_result(struct job *job, struct ping *p)
{
	const struct pile_bus_stats	*now;
	struct pile_bus_stats		 d;
	struct json			*o = job_data(job), *rtt;
	const struct link_params	*lp;
	char				*verdict, line[32];
	int				 bad;

	/* Stopped before its count, as ping(8) is: a success all the same. */
	if (job_cancelled(job) && p->sent < p->count)
		job->result.cancelled = 1;
	now = pile_bus_unit_stats(pile_bus(job->pile), p->unit);
	ping_delta(now, &p->before, &d);
	lp = link_params(pile_bus_link(pile_bus(job->pile)));
	json_set_int(o, "address", p->unit);
	json_set_str(o, "port", link_name(pile_bus_link(pile_bus(job->pile))));
	json_set_str(o, "line", link_params_str(lp, line, sizeof line));
	json_set_int(o, "polls", p->sent);
	json_set_int(o, "requests", (int64_t)d.requests);
	json_set_int(o, "replies", (int64_t)d.replies);
	json_set_int(o, "crc_errors", (int64_t)d.crc_errors);
	json_set_int(o, "timeouts", (int64_t)d.timeouts);
	json_set_int(o, "exceptions", (int64_t)d.exceptions);
	json_set_int(o, "retries", (int64_t)d.retries);
	rtt = json_set(o, "rtt_us", json_object());
	if (d.replies > 0) {
		json_set_int(rtt, "min", (int64_t)d.rtt_min_us);
		json_set_int(rtt, "avg", (int64_t)(d.rtt_sum_us / d.replies));
		json_set_int(rtt, "max", (int64_t)d.rtt_max_us);
	}
	verdict = pile_line_verdict(&d, &bad);
	json_set_str(o, "verdict", verdict);
	json_set_bool(o, "line_ok", !bad);
	if (d.replies == 0 && d.crc_errors == 0 && p->sent > 0) {
		job_fail(job, EXIT_NO_ANSWER, _("wiring check of address %u on "
		    "'%s' at %s: %s"), p->unit, link_name(pile_bus_link(
		    pile_bus(job->pile))), line, verdict);
		free(verdict);
		return JOB_ERROR;
	}
	if (bad) {
		job_fail(job, EXIT_FAILED, _("wiring check of address %u on '%s' "
		    "at %s: %s"), p->unit, link_name(pile_bus_link(
		    pile_bus(job->pile))), line, verdict);
		free(verdict);
		return JOB_ERROR;
	}
	free(verdict);
	return JOB_NORMAL;
}

static void
ping_event(struct job *job, struct ping *p, int rc)
{
	const struct pile_bus_stats	*st;

	if (cmd_args_has(&job->args, "q"))
		return;
	st = pile_bus_unit_stats(pile_bus(job->pile), p->unit);
	switch (rc) {
	case 0:
	case PILE_E_EXCEPTION:
		job_event(job, RESULT_INFO, _("poll %ld: reply from address %u in "
		    "%.1f ms%s"), p->sent, p->unit, (double)st->rtt_last_us / 1000,
		    rc == 0 ? "" : _(" (an exception)"));
		break;
	case PILE_E_TIMEOUT:
		job_event(job, RESULT_WARN, _("poll %ld: no answer from address %u"),
		    p->sent, p->unit);
		break;
	default:
		job_event(job, RESULT_WARN, _("poll %ld: only garbled answers from "
		    "address %u"), p->sent, p->unit);
		break;
	}
}

static enum job_return
cmd_ping_step(struct job *job)
{
	struct ping	*p = job->data;
	char		*cause = NULL;
	int		 rc;

	switch (job->state) {
	case PING_START:
		job->data = p = xcalloc(1, sizeof *p);
		job->free_data = free;
		p->count = PING_COUNT_DEFAULT;
		p->interval_ms = PING_INTERVAL_DEFAULT;
		if (ping_number(job, "c", 1, PING_COUNT_MAX, &p->count) != 0 ||
		    ping_number(job, "i", 0, 60000, &p->interval_ms) != 0)
			return JOB_ERROR;
		if (job_pile(job) == NULL)
			return JOB_ERROR;
		p->unit = pile_addr(job->pile);
		p->before = *pile_bus_unit_stats(pile_bus(job->pile), p->unit);
		job->state = PING_SEND;
		/* FALLTHROUGH */
	case PING_SEND:
		if (job_cancelled(job))
			return ping_result(job, p);
		p->sent++;
		job->state = PING_DONE;
		/* The protocol version: one register every Modbus master can
		 * read, the same probe as `pilecon scan`. */
		return job_read(job, PROTO_A_ID_PROTOCOL, 1);
	case PING_DONE:
		rc = job->xfer.status;
		if (rc == PILE_E_LINK) {
			rc = job_xfer_status(job, &cause);
			return job_fail_pile(job, rc, cause);
		}
		ping_event(job, p, rc);
		if (p->sent >= p->count || job_cancelled(job))
			return ping_result(job, p);
		job->state = PING_SEND;
		return job_sleep(job, (int)p->interval_ms);
	}
	return job_fail(job, EXIT_FAILED, _("failed"));
}

/* An integer field of the result. */
static long long
ping_int(const struct json *o, const char *key)
{
	return (long long)json_get_int(o, key, 0);
}

static void
cmd_ping_render(const struct result *r, FILE *out)
{
	const struct json	*o = r->data, *rtt;

	rtt = json_get(o, "rtt_us");
	fprintf(out, _("--- address %lld on '%s' at %s: wiring check ---\n"),
	    ping_int(o, "address"), json_get_str(o, "port"),
	    json_get_str(o, "line"));
	fprintf(out, _("%lld polls: %lld requests, %lld replies, %lld CRC errors, "
	    "%lld timeouts, %lld exceptions, %lld retries\n"),
	    ping_int(o, "polls"), ping_int(o, "requests"),
	    ping_int(o, "replies"), ping_int(o, "crc_errors"),
	    ping_int(o, "timeouts"), ping_int(o, "exceptions"),
	    ping_int(o, "retries"));
	if (rtt != NULL && json_get(rtt, "avg") != NULL)
		fprintf(out, _("round trip min/avg/max = %.1f/%.1f/%.1f ms\n"),
		    (double)ping_int(rtt, "min") / 1000,
		    (double)ping_int(rtt, "avg") / 1000,
		    (double)ping_int(rtt, "max") / 1000);
	if (r->error.exit == EXIT_OK)
		fprintf(out, _("verdict: %s\n"), json_get_str(o, "verdict"));
}
