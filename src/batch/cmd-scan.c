/* cmd-scan.c - `pilecon scan`: which addresses on the bus answer. Each
 * address is probed with a one-register read and a short timeout, no
 * retries, so 247 addresses take seconds; only those that answer have their
 * identity read (with the normal timeout and retries), and join the
 * result's rows at once (the console's search for piles shows them so). --bauds tries several
 * baud rates, for a bus whose rate nobody wrote down; --detect finds baud
 * rate and framing by itself (scan-detect.c says what to try). A job: one
 * probe a turn, so the console keeps answering while it scans. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "json.h"
#include "batch/batch.h"
#include "batch/cmd-util.h"
#include "batch/job.h"
#include "batch/scan.h"

#define SCAN_BAUDS_MAX	8

static enum job_return	cmd_scan_step(struct job *);
static void		cmd_scan_render(const struct result *, FILE *);

const struct cmd_entry cmd_scan_entry = {
	.name = "scan",
	.args = "--from=ADDR --to=ADDR --timeout=MS --bauds=BAUDS --detect --json",
	.usage = "[--from ADDR] [--to ADDR] [--timeout MS] [--bauds B1,B2,...] [--detect] [--json]",
	.help = N_("find the piles on the bus: address, serial, model and firmware of each that " "answers; --bauds tries each baud rate in turn; --detect finds baud rate and framing"),
	.step = cmd_scan_step,
	.render = cmd_scan_render,
};

struct scan_hit {
	int			addr;
	unsigned		baud;
	char			framing[4];	/* "8E1" */
	struct proto_identity	id;
};

enum {
	SC_START,
	SC_DETECT_NEXT,		/* open the next setting --detect tries */
	SC_DETECT_PROBE,	/* probe the next address at it */
	SC_DETECT_PROBED,
	SC_PASS_NEXT,		/* open the next baud rate of the scan */
	SC_PASS_PROBE,
	SC_PASS_PROBED,
	SC_PASS_IDENT
};

struct scan {
	long			 from, to, timeout_ms, tmo, a, last;
	unsigned		 bauds[SCAN_BAUDS_MAX];
	int			 nbauds, b, detect, own_link;
	struct scan_detect	 sd;
	struct scan_detected	 det;
	struct pile_bus		*probe, *idbus;
	struct pile		*probe_pile, *id_pile;
	struct scan_hit		*hits;
	int			 nhits;
	uint64_t		 done, t0;
	int			 complete;	/* the last address was probed */
};

static void
scan_buses_free(struct scan *sc)
{
	pile_free(sc->probe_pile);
	pile_free(sc->id_pile);
	pile_bus_free(sc->probe);
	pile_bus_free(sc->idbus);
	sc->probe_pile = sc->id_pile = NULL;
	sc->probe = sc->idbus = NULL;
}

static void
scan_free(void *p)
{
	struct scan	*sc = p;

	scan_buses_free(sc);
	free(sc->hits);
	free(sc);
}

static int
scan_number(struct job *job, const char *opt, long min, long max, long *v)
{
	const char	*s = cmd_args_get(&job->args, opt);
	char		*end;

	if (s == NULL)
		return 0;
	errno = 0;
	*v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || *v < min || *v > max) {
		job_fail(job, EXIT_USAGE, _("bad value '%s' for --%s: expected a "
		    "number from %ld to %ld"), s, opt, min, max);
		return -1;
	}
	return 0;
}

/* "9600,19200,115200": 0 with the list, -1 with the job failed. */
static int
scan_bauds(struct job *job, struct scan *sc)
{
	const char	*s = cmd_args_get(&job->args, "bauds"), *p;
	char		*end;
	unsigned long	 v;

	sc->nbauds = 0;
	if (s == NULL) {
		sc->bauds[sc->nbauds++] = job->ctx->opts.baud;
		return 0;
	}
	for (p = s; ; p = end + 1) {
		errno = 0;
		v = strtoul(p, &end, 10);
		if (*p < '0' || *p > '9' || errno != 0 || v < 1200 || v > 4000000 ||
		    (*end != ',' && *end != '\0') || sc->nbauds == SCAN_BAUDS_MAX) {
			job_fail(job, EXIT_USAGE, _("bad value '%s' for --bauds: expected "
			    "up to %d baud rates separated by commas, like "
			    "9600,19200,115200"), s, SCAN_BAUDS_MAX);
			return -1;
		}
		sc->bauds[sc->nbauds++] = (unsigned)v;
		if (*end == '\0')
			return 0;
	}
}

/* The link at this setting: reopened when it differs, which only a scan
 * that opened the port itself may do (the console's line is the
 * console's). NULL with the job failed. */
static struct link *
scan_link(struct job *job, struct scan *sc, unsigned baud, char parity,
    unsigned stop_bits)
{
	struct cmd_ctx		*ctx = job->ctx;
	const struct link_params *lp;
	char			*cause = NULL;
	int			 exit;

	job->pile = NULL;	/* it was the probe's */
	scan_buses_free(sc);
	if (ctx->link != NULL) {
		lp = link_params(ctx->link);
		if (lp->baud == baud && (parity == 0 || (lp->parity == parity &&
		    lp->stop_bits == stop_bits)))
			return ctx->link;
		if (!sc->own_link) {
			job_fail(job, EXIT_USAGE, _("scanning at %u baud needs the port "
			    "at that rate, and another front end holds '%s' at %u: run it "
			    "where nothing else has the port open"), baud,
			    link_name(ctx->link), lp->baud);
			return NULL;
		}
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
	if (parity != 0) {
		ctx->opts.parity = parity;
		ctx->opts.stop_bits = stop_bits;
	}
	if (cmd_link_open(ctx, &exit, &cause) == NULL) {
		job_fail_cause(job, exit, cause);
		return NULL;
	}
	return ctx->link;
}

/* The probe at address a through job->xfer: one register, the protocol
 * version, every Modbus master can read it. */
static enum job_return
scan_probe(struct job *job, struct scan *sc)
{
	pile_free(sc->probe_pile);
	sc->probe_pile = pile_new(sc->probe, (uint8_t)sc->a);
	job->pile = sc->probe_pile;
	return job_read(job, PROTO_A_ID_PROTOCOL, 1);
}

static long
scan_timeout(const struct scan *sc, struct link *link)
{
	if (sc->timeout_ms > 0)
		return sc->timeout_ms;
	return SCAN_MARGIN_MS + (long)((link_frame_us(link_params(link), 8) +
	    link_frame_us(link_params(link), 7)) / 1000);
}

static enum job_return
scan_start(struct job *job, struct scan *sc)
{
	struct cmd_ctx	*ctx = job->ctx;

	sc->from = 1;
	sc->to = 247;
	if (scan_number(job, "from", 1, 247, &sc->from) != 0 ||
	    scan_number(job, "to", 1, 247, &sc->to) != 0 ||
	    scan_number(job, "timeout", 1, 10000, &sc->timeout_ms) != 0 ||
	    scan_bauds(job, sc) != 0)
		return JOB_ERROR;
	if (sc->from > sc->to)
		return job_fail(job, EXIT_USAGE, _("--from %ld is above --to %ld"),
		    sc->from, sc->to);
	sc->detect = cmd_args_has(&job->args, "detect");
	if (sc->detect && cmd_args_has(&job->args, "bauds"))
		return job_fail(job, EXIT_USAGE, "%s", _("--detect tries the baud "
		    "rates itself: leave out --bauds"));
	sc->own_link = ctx->link == NULL;
	sc->t0 = mono_ms();
	sc->det.start_ms = sc->t0;
	job->state = sc->detect ? SC_DETECT_NEXT : SC_PASS_NEXT;
	if (!sc->detect)
		sc->hits = xcalloc((size_t)(sc->to - sc->from + 1) * (size_t)sc->nbauds,
		    sizeof *sc->hits);
	if (!sc->detect)
		job_progress_start(job, _("addresses"), (uint64_t)(sc->to - sc->from +
		    1) * (uint64_t)sc->nbauds);
	return job_yield(job);
}

/* --detect found nothing: how long it looked, and where. */
static enum job_return
scan_detect_none(struct job *job, struct scan *sc)
{
	struct json	*o = job_data(job);

	sc->det.ms = mono_ms() - sc->det.start_ms;
	json_set_bool(o, "found", 0);
	json_set_int(o, "tries", sc->det.tries);
	json_set(o, "seconds", json_fixed((int64_t)(sc->det.ms + 50) / 100, 1));
	return job_fail(job, job_cancelled(job) ? EXIT_FAILED : EXIT_NO_ANSWER,
	    _("no pile answered on %s at any of %d settings (115200 to 9600 baud, "
	    "8E1, 8N1, 8N2; addresses %ld..%ld, %.1f s): check the A/B pair, the "
	    "termination and that the piles are powered"), job->ctx->opts.port,
	    sc->det.tries, sc->from, sc->to, (double)sc->det.ms / 1000);
}

static enum job_return
scan_detect_step(struct job *job, struct scan *sc)
{
	struct pile_bus_opts	 o;
	struct link		*link;
	unsigned		 baud, stop_bits;
	char			 parity;
	int			 rc;

	switch (job->state) {
	case SC_DETECT_NEXT:
		if (job_cancelled(job) || !scan_detect_next(&sc->sd, sc->from, sc->to,
		    &baud, &parity, &stop_bits, &sc->last))
			return scan_detect_none(job, sc);
		if ((link = scan_link(job, sc, baud, parity, stop_bits)) == NULL)
			return JOB_ERROR;
		memset(&o, 0, sizeof o);
		o.timeout_ms = (int)scan_timeout(sc, link);
		o.retries = 0;
		sc->probe = cmd_bus_new(job->ctx, &o);
		sc->det.tries++;
		if (job->ctx->progress)
			job_event(job, RESULT_INFO, _("trying %u 8%c%u (addresses "
			    "%ld..%ld)"), baud, parity, stop_bits, sc->from, sc->last);
		sc->a = sc->from;
		job->state = SC_DETECT_PROBE;
		/* FALLTHROUGH */
	case SC_DETECT_PROBE:
		if (sc->a > sc->last || job_cancelled(job)) {
			job->state = SC_DETECT_NEXT;
			return job_yield(job);
		}
		job->state = SC_DETECT_PROBED;
		return scan_probe(job, sc);
	case SC_DETECT_PROBED:
		rc = job->xfer.status;
		pile_xfer_reset(&job->xfer);
		/* A valid frame, an exception too: the pile understood us. */
		if (rc == 0 || rc == PILE_E_EXCEPTION) {
			link = job->ctx->link;
			sc->det.found = 1;
			sc->det.baud = link_params(link)->baud;
			sc->det.parity = link_params(link)->parity;
			sc->det.stop_bits = link_params(link)->stop_bits;
			sc->det.first_addr = (int)sc->a;
			sc->det.ms = mono_ms() - sc->det.start_ms;
			job_event(job, RESULT_INFO, _("address %d answers at %u 8%c%u: "
			    "found after %d settings in %.1f s; scanning the bus at it"),
			    sc->det.first_addr, sc->det.baud, sc->det.parity,
			    sc->det.stop_bits, sc->det.tries, (double)sc->det.ms / 1000);
			sc->bauds[0] = sc->det.baud;
			sc->nbauds = 1;
			sc->hits = xcalloc((size_t)(sc->to - sc->from + 1), sizeof *sc->hits);
			job_progress_start(job, _("addresses"), (uint64_t)(sc->to -
			    sc->from + 1));
			job->state = SC_PASS_NEXT;
			return job_yield(job);
		}
		sc->a = rc == PILE_E_LINK ? sc->last + 1 : sc->a + 1;
		job->state = SC_DETECT_PROBE;
		return scan_detect_step(job, sc);
	}
	return job_fail(job, EXIT_FAILED, _("failed"));
}

/* The result's rows as the piles answer, so that a front end can show
 * each one while the scan goes on (the console's search for piles). */
static void
scan_hit_json(struct job *job, const struct scan_hit *h)
{
	struct json	*o;

	if (job->result.data == NULL)
		job->result.data = json_array();
	o = json_push(job->result.data, json_object());
	json_set_int(o, "address", h->addr);
	json_set_int(o, "baud", h->baud);
	json_set_str(o, "framing", h->framing);
	json_set_str(o, "serial", h->id.serial);
	json_set_str(o, "vendor", h->id.vendor);
	json_set_str(o, "model", h->id.model);
	json_set_str(o, "firmware", h->id.firmware);
	json_set_str(o, "device_id", h->id.device_id);
}

/* 1 when hits already hold the pile at addr with this serial. */
static int
scan_seen(const struct scan *sc, int addr, const struct proto_identity *id)
{
	int	i;

	for (i = 0; i < sc->nhits; i++)
		if (sc->hits[i].addr == addr && strcmp(sc->hits[i].id.serial,
		    id->serial) == 0)
			return 1;
	return 0;
}

/* Two piles on one address, noise, or another kind of Modbus device: say
 * so, go on. */
static void
scan_odd(struct job *job, struct scan *sc, const char *cause)
{
	job_event(job, RESULT_WARN, _("address %ld at %u baud: %s"), sc->a,
	    link_params(job->ctx->link)->baud, cause != NULL ? cause :
	    _("no valid answer"));
}

static enum job_return
scan_found(struct job *job, struct scan *sc)
{
	struct cmd_ctx		*ctx = job->ctx;
	const struct link_params *lp = link_params(ctx->link);
	struct scan_hit		*h = &sc->hits[sc->nhits];
	char			*cause = NULL;
	int			 rc;

	rc = pile_identity_parse(sc->id_pile, &job->xfer, &h->id, &cause);
	pile_xfer_reset(&job->xfer);
	if (rc == 0 && scan_seen(sc, (int)sc->a, &h->id)) {
		/* The same pile answering at another baud rate (a
		 * pseudo-terminal or a USB port ignores it): one pile,
		 * counted once, at the first rate it answered. */
	} else if (rc == 0) {
		h->addr = (int)sc->a;
		h->baud = lp->baud;
		snprintf(h->framing, sizeof h->framing, "8%c%u", lp->parity,
		    lp->stop_bits % 10);
		sc->nhits++;
		scan_hit_json(job, h);
	} else
		scan_odd(job, sc, cause);
	free(cause);
	job_progress(job, sc->done, 0);
	sc->a++;
	job->state = SC_PASS_PROBE;
	return job_yield(job);
}

static enum job_return
scan_pass_step(struct job *job, struct scan *sc)
{
	struct cmd_ctx		*ctx = job->ctx;
	struct pile_bus_opts	 probe_o, id_o;
	struct link		*link;
	char			*cause = NULL;
	uint16_t		 reg;
	int			 rc;

	switch (job->state) {
	case SC_PASS_NEXT:
		if (sc->b >= sc->nbauds && sc->a > sc->to)
			sc->complete = 1;	/* every address at every rate */
		if (sc->complete || job_cancelled(job))
			return JOB_NORMAL;
		if ((link = scan_link(job, sc, sc->bauds[sc->b++], 0, 0)) == NULL)
			return JOB_ERROR;
		sc->tmo = scan_timeout(sc, link);
		/* The probe goes through a bus of its own so that the short
		 * timeout and no retries apply to it only. */
		memset(&probe_o, 0, sizeof probe_o);
		probe_o.timeout_ms = (int)sc->tmo;
		probe_o.retries = 0;
		probe_o.no_fc23 = ctx->opts.no_fc23;
		memset(&id_o, 0, sizeof id_o);
		id_o.timeout_ms = ctx->opts.timeout_ms > 0 ? ctx->opts.timeout_ms : 0;
		id_o.retries = ctx->opts.retries >= 0 ? ctx->opts.retries : 2;
		sc->probe = cmd_bus_new(ctx, &probe_o);
		sc->idbus = cmd_bus_new(ctx, &id_o);
		sc->a = sc->from;
		job->state = SC_PASS_PROBE;
		/* FALLTHROUGH */
	case SC_PASS_PROBE:
		if (sc->a > sc->to || job_cancelled(job)) {
			job->state = SC_PASS_NEXT;
			return job_yield(job);
		}
		sc->done++;
		job->state = SC_PASS_PROBED;
		return scan_probe(job, sc);
	case SC_PASS_PROBED:
		rc = job->xfer.status;
		reg = rc == 0 && job->xfer.resp.nregs > 0 ? job->xfer.resp.regs[0] : 0;
		if (rc != 0 && rc != PILE_E_TIMEOUT && job->xfer.cause != NULL)
			cause = xstrdup(job->xfer.cause);
		pile_xfer_reset(&job->xfer);
		/* The port went away: no address after this one can answer. */
		if (rc == PILE_E_LINK)
			return job_fail_pile(job, rc, cause != NULL ? cause :
			    xstrdup(_("the port went away")));
		if (rc == 0 && (reg >> 8) != (PROTO_VERSION >> 8)) {
			cause = xasprintf(_("protocol version %u.%u, this pilecon speaks "
			    "%u.x"), reg >> 8, reg & 0xff, PROTO_VERSION >> 8);
			rc = PILE_E_PROTOCOL;
		}
		if (rc == 0) {
			pile_free(sc->id_pile);
			sc->id_pile = pile_new(sc->idbus, (uint8_t)sc->a);
			job->pile = sc->id_pile;
			pile_identity_request(sc->id_pile, &job->xfer);
			job->state = SC_PASS_IDENT;
			return job_transact(job);
		}
		if (rc != PILE_E_TIMEOUT)
			scan_odd(job, sc, cause);
		free(cause);
		job_progress(job, sc->done, 0);
		sc->a++;
		job->state = SC_PASS_PROBE;
		return scan_pass_step(job, sc);
	case SC_PASS_IDENT:
		return scan_found(job, sc);
	}
	return job_fail(job, EXIT_FAILED, _("failed"));
}

/* The piles found, and the line that says how the scan went. */
static enum job_return
scan_finish(struct job *job, struct scan *sc)
{
	struct cmd_ctx	*ctx = job->ctx;
	const char	*bauds = cmd_args_get(&job->args, "bauds");
	char		 baudstr[128];
	int		 cancelled = job_cancelled(job) && !sc->complete;

	if (job->result.data == NULL)	/* the rows came as the piles answered */
		job->result.data = json_array();
	job->result.meta = json_object();
	json_set_bool(job->result.meta, "show_baud", sc->nbauds > 1);
	if (bauds != NULL)
		snprintf(baudstr, sizeof baudstr, "%s", bauds);
	else
		snprintf(baudstr, sizeof baudstr, "%u", sc->bauds[0]);
	if (!job->json && sc->detect)
		job_event(job, RESULT_OK, _("%d pile%s answered on %s at %u 8%c%u (found "
		    "by --detect in %.1f s after %d settings; addresses %ld..%ld, "
		    "%.1f s in all)%s"), sc->nhits, sc->nhits == 1 ? "" : "s",
		    ctx->opts.port, sc->det.baud, sc->det.parity, sc->det.stop_bits,
		    (double)sc->det.ms / 1000, sc->det.tries, sc->from, sc->to,
		    (double)(mono_ms() - sc->t0) / 1000,
		    cancelled ? _(", interrupted") : "");
	else if (!job->json)
		job_event(job, RESULT_OK, _("%d pile%s answered on %s at %s baud "
		    "(addresses %ld..%ld, %ld ms probe timeout, %.1f s)%s"), sc->nhits,
		    sc->nhits == 1 ? "" : "s", ctx->opts.port, baudstr, sc->from,
		    sc->to, sc->tmo, (double)(mono_ms() - sc->t0) / 1000,
		    cancelled ? _(", interrupted") : "");
	if (cancelled)
		return job_fail_said(job, EXIT_FAILED);
	if (sc->nhits == 0)
		return job_fail_said(job, EXIT_NO_ANSWER);
	return JOB_NORMAL;
}

static enum job_return
cmd_scan_step(struct job *job)
{
	struct scan	*sc = job->data;
	enum job_return	 rc;

	if (sc == NULL) {
		job->data = sc = xcalloc(1, sizeof *sc);
		job->free_data = scan_free;
		return scan_start(job, sc);
	}
	if (job->state < SC_PASS_NEXT)
		rc = scan_detect_step(job, sc);
	else
		rc = scan_pass_step(job, sc);
	/* The job's pile is the probe's: none once the scan is over. */
	if (rc != JOB_WAIT)
		job->pile = NULL;
	if (rc == JOB_NORMAL)
		return scan_finish(job, sc);
	return rc;
}

static void
cmd_scan_render(const struct result *r, FILE *f)
{
	const struct json	*h;
	int			 show_baud = json_get_bool(r->meta, "show_baud");
	size_t			 i, n = json_len(r->data);

	if (r->data == NULL || r->data->type != JSON_ARRAY)
		return;		/* --detect found nothing: the error says it */
	if (n > 0) {
		fprintf(f, "%-7s ", _("address"));
		if (show_baud)
			fprintf(f, "%-7s ", _("baud"));
		fprintf(f, "%-16s %-16s %-16s %s\n", _("serial"), _("model"),
		    _("firmware"), _("vendor"));
	}
	for (i = 0; i < n; i++) {
		h = json_at(r->data, i);
		fprintf(f, "%-7d ", (int)json_get_int(h, "address", 0));
		if (show_baud)
			fprintf(f, "%-7u ", (unsigned)json_get_int(h, "baud", 0));
		put_cell(f, json_get_str(h, "serial"), 16);
		fputc(' ', f);
		put_cell(f, json_get_str(h, "model"), 16);
		fputc(' ', f);
		put_cell(f, json_get_str(h, "firmware"), 16);
		fprintf(f, " %s\n", text_show(json_get_str(h, "vendor")));
	}
}
