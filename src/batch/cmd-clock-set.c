/* cmd-clock-set.c - `pilecon clock set [TIME]`: set the pile's clock, by
 * default to this laptop's; records and tariff periods follow it. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "common.h"
#include "batch/batch.h"

static int	cmd_clock_set_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_clock_set_entry = {
	.name = "clock set",
	.args = "[TIME] --json",
	.usage = "[TIME] [--json]",
	.exec = cmd_clock_set_exec,
	.help = N_("set the pile's clock to TIME (ISO 8601 or unix seconds), by default this laptop's"),
};

static int
cmd_clock_set_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct pile		*pile;
	struct proto_live	 live;
	char			*cause = NULL, *d;
	int64_t			 t, drift;
	int			 rc;

	if (ctx->args->npos > 0) {
		if (batch_parse_time(ctx->args->pos[0], 0, &t, &cause) != 0)
			return cmd_fail(ctx, EXIT_USAGE, cause);
		if (t < 0 || t > UINT32_MAX) {
			fprintf(ctx->err, _("pilecon: time '%s' is out of range\n"),
			    ctx->args->pos[0]);
			return EXIT_USAGE;
		}
	}
	if ((pile = cmd_pile(ctx)) == NULL)
		return cmd_exit_code(ctx->pile_rc);
	if ((rc = pile_live(pile, &live, &cause)) != 0)
		return cmd_fail(ctx, rc, cause);
	if (ctx->args->npos == 0)
		t = time(NULL);	/* read now, after the connection is up */
	drift = (int64_t)live.clock - t;
	if ((rc = pile_clock_set(pile, (uint32_t)t, &cause)) != 0)
		return cmd_fail(ctx, rc, cause);
	if (ctx->opts.json) {
		fprintf(ctx->out, "{\"serial\":");
		batch_json_str(ctx->out, ctx->identity.serial);
		fprintf(ctx->out, ",\"clock\":%lld,\"was\":%u}\n", (long long)t, live.clock);
		return EXIT_OK;
	}
	if (drift == 0) {
		fprintf(ctx->out, _("pile %s: clock set to %s (it was right)\n"),
		    ctx->identity.serial, batch_format_time(t));
		return EXIT_OK;
	}
	d = batch_format_duration((uint32_t)(drift < 0 ? -drift : drift));
	fprintf(ctx->out, drift > 0 ? _("pile %s: clock set to %s (it was %s ahead)\n") :
	    _("pile %s: clock set to %s (it was %s behind)\n"), ctx->identity.serial,
	    batch_format_time(t), d);
	free(d);
	return EXIT_OK;
}
