/* cmd-scan.c - `pilecon scan`: which addresses on the bus answer, with a
 * short per-address timeout and no retries so 247 addresses take seconds. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/cmd-util.h"

static int	cmd_scan_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_scan_entry = {
	"scan", NULL, "--from=ADDR --to=ADDR --timeout=MS --json",
	"[--from ADDR] [--to ADDR] [--timeout MS] [--json]", cmd_scan_exec,
	N_("find the piles on the bus: address, serial, model and firmware of each that answers")
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

struct scan_hit {
	int			addr;
	struct proto_identity	id;
};

static int
cmd_scan_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct link		*link;
	struct pile_bus		*bus;
	struct pile		*pile;
	struct pile_bus_opts	 bo;
	struct scan_hit		*hits;
	struct progress		 pr;
	char			*cause;
	long			 from = 1, to = 247, timeout_ms = 0;
	int			 nhits = 0, a, i, rc;

	if (scan_number(ctx, "from", 1, 247, &from) != 0 ||
	    scan_number(ctx, "to", 1, 247, &to) != 0 ||
	    scan_number(ctx, "timeout", 1, 10000, &timeout_ms) != 0)
		return EXIT_USAGE;
	if (from > to) {
		fprintf(ctx->err, _("pilecon: --from %ld is above --to %ld\n"), from, to);
		return EXIT_USAGE;
	}
	if ((link = cmd_link(ctx)) == NULL)
		return cmd_exit_code(ctx->pile_rc);
	/*
	 * An absent pile costs one timeout, so keep it short: 50 ms of turn
	 * around (USB adapters add up to 16 ms of latency) plus the time the
	 * request and the identity answer take on the wire.
	 */
	if (timeout_ms == 0)
		timeout_ms = 50 + (long)((link_frame_us(link_params(link), 8) +
		    link_frame_us(link_params(link), 5 + 2 * PROTO_IDENTITY_COUNT)) / 1000);
	memset(&bo, 0, sizeof bo);
	bo.timeout_ms = (int)timeout_ms;
	bo.retries = 0;
	bo.no_fc23 = ctx->opts.no_fc23;
	bus = pile_bus_new(link, &bo);
	hits = xcalloc((size_t)(to - from + 1), sizeof *hits);
	cmd_catch_signals();
	progress_start(&pr, ctx, _("addresses"), (uint64_t)(to - from + 1));
	for (a = (int)from; a <= to && !cmd_interrupted; a++) {
		pile = pile_new(bus, (uint8_t)a);
		cause = NULL;
		rc = pile_identity(pile, &hits[nhits].id, &cause);
		if (rc == 0)
			hits[nhits++].addr = a;
		else if (rc != PILE_E_TIMEOUT) {
			/* Two piles on one address, or noise: say so, go on. */
			if (pr.drawn)
				fputc('\n', ctx->err);
			fprintf(ctx->err, _("pilecon: address %d: %s\n"), a, cause);
		}
		free(cause);
		pile_free(pile);
		progress_update(&pr, (uint64_t)(a - from + 1), 0);
	}
	progress_end(&pr);
	cmd_restore_signals();
	pile_bus_free(bus);

	if (ctx->opts.json) {
		fputc('[', ctx->out);
		for (i = 0; i < nhits; i++) {
			fprintf(ctx->out, "%s{\"address\":%d,\"serial\":", i ? "," : "", hits[i].addr);
			batch_json_str(ctx->out, hits[i].id.serial);
			fprintf(ctx->out, ",\"vendor\":");
			batch_json_str(ctx->out, hits[i].id.vendor);
			fprintf(ctx->out, ",\"model\":");
			batch_json_str(ctx->out, hits[i].id.model);
			fprintf(ctx->out, ",\"firmware\":");
			batch_json_str(ctx->out, hits[i].id.firmware);
			fprintf(ctx->out, ",\"device_id\":");
			batch_json_str(ctx->out, hits[i].id.device_id);
			fputc('}', ctx->out);
		}
		fputs("]\n", ctx->out);
	} else {
		if (nhits > 0)
			fprintf(ctx->out, "%-7s %-16s %-16s %-16s %s\n", _("address"), _("serial"),
			    _("model"), _("firmware"), _("vendor"));
		for (i = 0; i < nhits; i++)
			fprintf(ctx->out, "%-7d %-16s %-16s %-16s %s\n", hits[i].addr,
			    hits[i].id.serial, hits[i].id.model, hits[i].id.firmware,
			    hits[i].id.vendor);
		fprintf(ctx->err, _("%d pile%s answered on %s at %u baud (addresses %ld..%ld, "
		    "%ld ms timeout)%s\n"), nhits, nhits == 1 ? "" : "s", link_name(link),
		    link_params(link)->baud, from, to, timeout_ms,
		    cmd_interrupted ? _(", interrupted") : "");
	}
	free(hits);
	if (cmd_interrupted)
		return EXIT_FAILED;
	if (nhits == 0)
		return EXIT_NO_ANSWER;
	return EXIT_OK;
}
