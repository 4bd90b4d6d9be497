/* cmd-help.c - `pilecon help [COMMAND]`: the usage and options of one
 * command, from the same table that parses them. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common.h"
#include "batch/batch.h"

static int	cmd_help_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_help_entry = {
	.name = "help",
	.flags = CMD_LOCAL,
	.args = "[COMMAND] [SUBCOMMAND]",
	.usage = "[COMMAND...]",
	.exec = cmd_help_exec,
	.help = N_("show the commands, or the usage of one command"),
};

static int
cmd_help_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry	**ce, *e;
	size_t			  len;
	int			  used, found = 0;

	if (argc == 0) {
		pilecon_usage(ctx->out, 1);
		return EXIT_OK;
	}
	if ((e = cmd_find(argc, argv, &used)) != NULL && used == argc) {
		cmd_usage(e, ctx->out);
		fprintf(ctx->out, "%s\n", _(e->help));
		return EXIT_OK;
	}
	/* "help whitelist": every command of the group. */
	len = strlen(argv[0]);
	for (ce = cmd_table; *ce != NULL; ce++)
		if (argc == 1 && strncmp((*ce)->name, argv[0], len) == 0 &&
		    (*ce)->name[len] == ' ') {
			cmd_usage(*ce, ctx->out);
			fprintf(ctx->out, "    %s\n", _((*ce)->help));
			found = 1;
		}
	if (found)
		return EXIT_OK;
	fprintf(ctx->err, _("pilecon: no command '%s'; try 'pilecon help'\n"), argv[0]);
	return EXIT_USAGE;
}
