/* cmd-offline.c - `pilecon offline on|off`: force the pile offline to test
 * offline card charging, always with an expiry so that a pile is never left
 * offline by mistake. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "common.h"
#include "batch/batch.h"

#define OFFLINE_DEFAULT_S	(2 * 3600)
#define OFFLINE_MAX_S		(7 * 86400)	/* the pile refuses more */

static int	cmd_offline_on_exec(struct cmd_ctx *, int, char **);
static int	cmd_offline_off_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_offline_on_entry = {
	.name = "offline on",
	.args = "--for=DURATION",
	.usage = "[--for DURATION]",
	.exec = cmd_offline_on_exec,
	.help = N_("force the pile offline until its clock plus DURATION (default 2h, at most 7d)"),
};

const struct cmd_entry cmd_offline_off_entry = {
	.name = "offline off",
	.args = "",
	.usage = "",
	.exec = cmd_offline_off_exec,
	.help = N_("end forced offline: the pile goes back to its network link"),
};

static int
cmd_offline_on_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct pile		*pile;
	struct proto_live	 live;
	const char		*dur = cmd_args_get(ctx->args, "for");
	char			*cause = NULL, *pretty;
	uint32_t		 secs = OFFLINE_DEFAULT_S, until;
	int			 rc;

	if (dur != NULL && batch_parse_duration(dur, &secs, &cause) != 0)
		return cmd_fail(ctx, EXIT_USAGE, cause);
	if (secs == 0) {
		fprintf(ctx->err, _("pilecon: --for must be longer than 0s "
		    "(use 'pilecon offline off' to end forced offline)\n"));
		return EXIT_USAGE;
	}
	if (secs > OFFLINE_MAX_S) {
		fprintf(ctx->err, _("pilecon: --for %s is too long: a pile stays forced "
		    "offline at most 7d\n"), dur);
		return EXIT_USAGE;
	}
	if ((pile = cmd_pile(ctx)) == NULL)
		return cmd_exit_code(ctx->pile_rc);
	/* The expiry is in the pile's clock, which may differ from ours. */
	if ((rc = pile_live(pile, &live, &cause)) != 0)
		return cmd_fail(ctx, rc, cause);
	until = live.clock + secs;
	if ((rc = pile_force_offline(pile, until, &cause)) != 0)
		return cmd_fail(ctx, rc, cause);
	pretty = batch_format_duration(secs);
	if (ctx->opts.json)
		fprintf(ctx->out, "{\"serial\":\"%s\",\"link\":\"forced_offline\","
		    "\"forced_until\":%u}\n", ctx->identity.serial, until);
	else
		fprintf(ctx->out, _("pile %s forced offline until %s (in %s)\n"),
		    ctx->identity.serial, batch_format_time(until), pretty);
	free(pretty);
	return EXIT_OK;
}

static int
cmd_offline_off_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct pile	*pile;
	char		*cause = NULL;
	int		 rc;

	if ((pile = cmd_pile(ctx)) == NULL)
		return cmd_exit_code(ctx->pile_rc);
	if ((rc = pile_force_offline(pile, 0, &cause)) != 0)
		return cmd_fail(ctx, rc, cause);
	if (ctx->opts.json)
		fprintf(ctx->out, "{\"serial\":\"%s\",\"forced_until\":0}\n",
		    ctx->identity.serial);
	else
		fprintf(ctx->out, _("pile %s: forced offline ended\n"), ctx->identity.serial);
	return EXIT_OK;
}
