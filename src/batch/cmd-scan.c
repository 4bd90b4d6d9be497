/* cmd-scan.c - `pilecon scan`: which addresses on the bus answer. Each
 * address is probed with a one-register read and a short timeout, no
 * retries, so 247 addresses take seconds; only those that answer have their
 * identity read (with the normal timeout and retries). --bauds tries several
 * baud rates, for a bus whose rate nobody wrote down; --detect finds baud
 * rate and framing by itself (scan-detect.c). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "json.h"
#include "batch/batch.h"
#include "batch/cmd-util.h"
#include "batch/scan.h"

#define SCAN_BAUDS_MAX	8

static int	cmd_scan_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_scan_entry = {
	.name = "scan",
	.args = "--from=ADDR --to=ADDR --timeout=MS --bauds=BAUDS --detect --json",
	.usage = "[--from ADDR] [--to ADDR] [--timeout MS] [--bauds B1,B2,...] [--detect] [--json]",
	.exec = cmd_scan_exec,
	.help = N_("find the piles on the bus: address, serial, model and firmware of each that " "answers; --bauds tries each baud rate in turn; --detect finds baud rate and framing"),
};

static int
scan_number(struct cmd_ctx *ctx, const char *opt, long min, long max, long *v)
{
	const char	*s = cmd_args_get(ctx->args, opt);
	char		*end;

	if (s == NULL)
		return 0;
	errno = 0;
	*v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || *v < min || *v > max) {
		fprintf(ctx->err, _("pilecon: bad value '%s' for --%s: expected a number from "
		    "%ld to %ld\n"), s, opt, min, max);
		return -1;
	}
	return 0;
}

/* "9600,19200,115200": 0 with the list, -1 after a message. */
static int
scan_bauds(struct cmd_ctx *ctx, unsigned *bauds, int *n)
{
	const char	*s = cmd_args_get(ctx->args, "bauds"), *p;
	char		*end;
	unsigned long	 v;

	*n = 0;
	if (s == NULL) {
		bauds[(*n)++] = ctx->opts.baud;
		return 0;
	}
	for (p = s; ; p = end + 1) {
		errno = 0;
		v = strtoul(p, &end, 10);
		if (*p < '0' || *p > '9' || errno != 0 || v < 1200 || v > 4000000 ||
		    (*end != ',' && *end != '\0') || *n == SCAN_BAUDS_MAX) {
			fprintf(ctx->err, _("pilecon: bad value '%s' for --bauds: expected "
			    "up to %d baud rates separated by commas, like "
			    "9600,19200,115200\n"), s, SCAN_BAUDS_MAX);
			return -1;
		}
		bauds[(*n)++] = (unsigned)v;
		if (*end == '\0')
			return 0;
	}
}

struct scan_hit {
	int			addr;
	unsigned		baud;
	char			framing[4];	/* "8E1" */
	struct proto_identity	id;
};

/* 1 when hits already hold the pile at addr with this serial. */
static int
scan_seen(const struct scan_hit *hits, int nhits, int addr, const struct proto_identity *id)
{
	int	i;

	for (i = 0; i < nhits; i++)
		if (hits[i].addr == addr && strcmp(hits[i].id.serial, id->serial) == 0)
			return 1;
	return 0;
}

/* One pass over [from, to] at the link's baud rate; appends to hits. */
static int
scan_pass(struct cmd_ctx *ctx, struct link *link, long from, long to, long timeout_ms,
    struct scan_hit *hits, int nhits, struct progress *pr, uint64_t *done)
{
	struct pile_bus_opts	 probe_o, id_o;
	struct pile_bus		*probe, *idbus;
	struct pile		*pile;
	struct pile_xfer	 x;
	uint16_t		 reg;
	char			*cause;
	int			 a, rc;

	memset(&probe_o, 0, sizeof probe_o);
	probe_o.timeout_ms = (int)timeout_ms;
	probe_o.retries = 0;
	probe_o.no_fc23 = ctx->opts.no_fc23;
	memset(&id_o, 0, sizeof id_o);
	id_o.timeout_ms = ctx->opts.timeout_ms > 0 ? ctx->opts.timeout_ms : 0;
	id_o.retries = ctx->opts.retries >= 0 ? ctx->opts.retries : 2;
	probe = pile_bus_new(link, &probe_o);
	idbus = pile_bus_new(link, &id_o);
	for (a = (int)from; a <= to && !cmd_interrupted; a++) {
		(*done)++;
		cause = NULL;
		/* The probe goes through a bus of its own so that the short
		 * timeout and no retries apply to it only. */
		memset(&x, 0, sizeof x);
		x.req.unit = (uint8_t)a;
		x.req.fc = PROTO_FC_READ_HOLDING;
		x.req.read_addr = PROTO_A_ID_PROTOCOL;
		x.req.read_count = 1;
		rc = pile_bus_transact(probe, &x);
		reg = rc == 0 ? x.resp.regs[0] : 0;
		if (rc != 0 && rc != PILE_E_TIMEOUT && x.cause != NULL)
			cause = xstrdup(x.cause);
		pile_xfer_reset(&x);
		if (rc == PILE_E_TIMEOUT) {
			progress_update(pr, *done, 0);
			continue;
		}
		if (rc == 0 && (reg >> 8) != (PROTO_VERSION >> 8)) {
			cause = xasprintf(_("protocol version %u.%u, this pilecon speaks "
			    "%u.x"), reg >> 8, reg & 0xff, PROTO_VERSION >> 8);
			rc = PILE_E_PROTOCOL;
		}
		if (rc == 0) {
			pile = pile_new(idbus, (uint8_t)a);
			rc = pile_identity(pile, &hits[nhits].id, &cause);
			pile_free(pile);
		}
		if (rc == 0 && scan_seen(hits, nhits, a, &hits[nhits].id)) {
			/* The same pile answering at another baud rate (a
			 * pseudo-terminal or a USB port ignores it): one pile,
			 * counted once, at the first rate it answered. */
		} else if (rc == 0) {
			hits[nhits].addr = a;
			hits[nhits].baud = link_params(link)->baud;
			snprintf(hits[nhits].framing, sizeof hits[nhits].framing,
			    "8%c%u", link_params(link)->parity,
			    link_params(link)->stop_bits % 10);
			nhits++;
		} else {
			/* Two piles on one address, noise, or another kind of
			 * Modbus device: say so, go on. */
			if (pr->drawn)
				fputc('\n', ctx->err);
			fprintf(ctx->err, _("pilecon: address %d at %u baud: %s\n"), a,
			    link_params(link)->baud, cause ? cause : _("no valid answer"));
		}
		free(cause);
		progress_update(pr, *done, 0);
	}
	pile_bus_free(probe);
	pile_bus_free(idbus);
	return nhits;
}

static void
scan_print(struct cmd_ctx *ctx, const struct scan_hit *hits, int nhits, int show_baud)
{
	int	i;

	if (ctx->opts.json) {
		fputc('[', ctx->out);
		for (i = 0; i < nhits; i++) {
			fprintf(ctx->out, "%s{\"address\":%d,\"baud\":%u,"
			    "\"framing\":\"%s\",\"serial\":", i ? "," : "",
			    hits[i].addr, hits[i].baud, hits[i].framing);
			json_write_str(ctx->out, hits[i].id.serial);
			fprintf(ctx->out, ",\"vendor\":");
			json_write_str(ctx->out, hits[i].id.vendor);
			fprintf(ctx->out, ",\"model\":");
			json_write_str(ctx->out, hits[i].id.model);
			fprintf(ctx->out, ",\"firmware\":");
			json_write_str(ctx->out, hits[i].id.firmware);
			fprintf(ctx->out, ",\"device_id\":");
			json_write_str(ctx->out, hits[i].id.device_id);
			fputc('}', ctx->out);
		}
		fputs("]\n", ctx->out);
		return;
	}
	if (nhits > 0) {
		fprintf(ctx->out, "%-7s ", _("address"));
		if (show_baud)
			fprintf(ctx->out, "%-7s ", _("baud"));
		fprintf(ctx->out, "%-16s %-16s %-16s %s\n", _("serial"), _("model"),
		    _("firmware"), _("vendor"));
	}
	for (i = 0; i < nhits; i++) {
		fprintf(ctx->out, "%-7d ", hits[i].addr);
		if (show_baud)
			fprintf(ctx->out, "%-7u ", hits[i].baud);
		put_cell(ctx->out, hits[i].id.serial, 16);
		fputc(' ', ctx->out);
		put_cell(ctx->out, hits[i].id.model, 16);
		fputc(' ', ctx->out);
		put_cell(ctx->out, hits[i].id.firmware, 16);
		fprintf(ctx->out, " %s\n", text_show(hits[i].id.vendor));
	}
}

static int
cmd_scan_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct link		*link;
	struct scan_hit		*hits;
	struct progress		 pr;
	unsigned		 bauds[SCAN_BAUDS_MAX];
	char			 baudstr[128];
	struct scan_detected	 det;
	uint64_t		 done = 0, t0;
	long			 from = 1, to = 247, timeout_ms = 0, tmo;
	int			 nbauds, nhits = 0, b;

	(void)argc;
	(void)argv;
	if (scan_number(ctx, "from", 1, 247, &from) != 0 ||
	    scan_number(ctx, "to", 1, 247, &to) != 0 ||
	    scan_number(ctx, "timeout", 1, 10000, &timeout_ms) != 0 ||
	    scan_bauds(ctx, bauds, &nbauds) != 0)
		return EXIT_USAGE;
	if (from > to) {
		fprintf(ctx->err, _("pilecon: --from %ld is above --to %ld\n"), from, to);
		return EXIT_USAGE;
	}
	if (cmd_args_has(ctx->args, "detect") && cmd_args_has(ctx->args, "bauds")) {
		fprintf(ctx->err, "%s", _("pilecon: --detect tries the baud rates "
		    "itself: leave out --bauds\n"));
		return EXIT_USAGE;
	}
	cmd_catch_signals();
	t0 = mono_ms();
	if (cmd_args_has(ctx->args, "detect")) {
		if (scan_detect(ctx, from, to, timeout_ms, &det) != 0) {
			cmd_restore_signals();
			return cmd_exit_code(ctx->pile_rc);
		}
		if (!det.found) {
			cmd_restore_signals();
			if (ctx->opts.json)
				fprintf(ctx->out, "{\"found\":false,\"tries\":%d,"
				    "\"seconds\":%.1f}\n", det.tries,
				    (double)det.ms / 1000);
			fprintf(ctx->err, _("pilecon: no pile answered on %s at any of "
			    "%d settings (115200 to 9600 baud, 8E1, 8N1, 8N2; addresses "
			    "%ld..%ld, %.1f s): check the A/B pair, the termination and "
			    "that the piles are powered\n"), ctx->opts.port, det.tries,
			    from, to, (double)det.ms / 1000);
			return cmd_interrupted ? EXIT_FAILED : EXIT_NO_ANSWER;
		}
		fprintf(ctx->err, _("pilecon: address %d answers at %u 8%c%u: found "
		    "after %d settings in %.1f s; scanning the bus at it\n"),
		    det.first_addr, det.baud, det.parity, det.stop_bits, det.tries,
		    (double)det.ms / 1000);
		bauds[0] = det.baud;
		nbauds = 1;
	}
	hits = xcalloc((size_t)(to - from + 1) * (size_t)nbauds, sizeof *hits);
	progress_start(&pr, ctx, _("addresses"), (uint64_t)(to - from + 1) *
	    (uint64_t)nbauds);
	tmo = timeout_ms;
	for (b = 0; b < nbauds && !cmd_interrupted; b++) {
		if (ctx->link != NULL && link_params(ctx->link)->baud != bauds[b]) {
			link_close(ctx->link);
			ctx->link = NULL;
		}
		ctx->opts.baud = bauds[b];
		if ((link = cmd_link(ctx)) == NULL) {
			progress_end(&pr);
			cmd_restore_signals();
			free(hits);
			return cmd_exit_code(ctx->pile_rc);
		}
		if (timeout_ms == 0)
			tmo = SCAN_MARGIN_MS + (long)((link_frame_us(link_params(link), 8) +
			    link_frame_us(link_params(link), 7)) / 1000);
		nhits = scan_pass(ctx, link, from, to, tmo, hits, nhits, &pr, &done);
	}
	progress_end(&pr);
	cmd_restore_signals();

	scan_print(ctx, hits, nhits, nbauds > 1);
	if (cmd_args_get(ctx->args, "bauds") != NULL)
		snprintf(baudstr, sizeof baudstr, "%s", cmd_args_get(ctx->args, "bauds"));
	else
		snprintf(baudstr, sizeof baudstr, "%u", bauds[0]);
	if (!ctx->opts.json && cmd_args_has(ctx->args, "detect"))
		fprintf(ctx->err, _("%d pile%s answered on %s at %u 8%c%u (found by "
		    "--detect in %.1f s after %d settings; addresses %ld..%ld, "
		    "%.1f s in all)%s\n"), nhits, nhits == 1 ? "" : "s",
		    ctx->opts.port, det.baud, det.parity, det.stop_bits,
		    (double)det.ms / 1000, det.tries, from, to,
		    (double)(mono_ms() - t0) / 1000,
		    cmd_interrupted ? _(", interrupted") : "");
	else if (!ctx->opts.json)
		fprintf(ctx->err, _("%d pile%s answered on %s at %s baud (addresses "
		    "%ld..%ld, %ld ms probe timeout, %.1f s)%s\n"), nhits,
		    nhits == 1 ? "" : "s", ctx->opts.port, baudstr, from, to, tmo, (double)(mono_ms() - t0) / 1000,
		    cmd_interrupted ? _(", interrupted") : "");
	free(hits);
	if (cmd_interrupted)
		return EXIT_FAILED;
	if (nhits == 0)
		return EXIT_NO_ANSWER;
	return EXIT_OK;
}
