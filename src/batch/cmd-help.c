/* cmd-help.c - `pilecon help [COMMAND]`: the usage and options of one
 * command, from the same table that parses them. A job like every command:
 * its result is the text. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/job.h"

static enum job_return	cmd_help_step(struct job *);
static void		cmd_help_render(const struct result *, FILE *);

const struct cmd_entry cmd_help_entry = {
	.name = "help",
	.flags = CMD_LOCAL,
	.args = "[COMMAND] [SUBCOMMAND]",
	.usage = "[COMMAND...]",
	.help = N_("show the commands, or the usage of one command"),
	.step = cmd_help_step,
	.render = cmd_help_render,
};

static enum job_return
cmd_help_step(struct job *job)
{
	const struct cmd_entry	**ce, *e;
	char			**argv = job->args.pos, *text = NULL;
	size_t			  len, tlen = 0;
	int			  argc = job->args.npos, used, found = 0;
	FILE			 *f;

	if ((f = open_memstream(&text, &tlen)) == NULL)
		fatal_oom();
	if (argc == 0) {
		pilecon_usage(f, 1);
		found = 1;
	} else if ((e = cmd_find(argc, argv, &used)) != NULL && used == argc) {
		cmd_usage(e, f);
		fprintf(f, "%s\n", _(e->help));
		found = 1;
	} else {
		/* "help whitelist": every command of the group. */
		len = strlen(argv[0]);
		for (ce = cmd_table; *ce != NULL; ce++)
			if (argc == 1 && strncmp((*ce)->name, argv[0], len) == 0 &&
			    (*ce)->name[len] == ' ') {
				cmd_usage(*ce, f);
				fprintf(f, "    %s\n", _((*ce)->help));
				found = 1;
			}
	}
	fclose(f);
	if (!found) {
		free(text);
		return job_fail(job, EXIT_USAGE, _("no command '%s'; try 'pilecon help'"),
		    argv[0]);
	}
	json_set_str(job_data(job), "text", text);
	free(text);
	return JOB_NORMAL;
}

static void
cmd_help_render(const struct result *r, FILE *f)
{
	const char	*text = json_get_str(r->data, "text");

	if (text != NULL)
		fputs(text, f);
}
