/* main.c - the pilecon program: global options and config, then one batch
 * command, or the console when run on a terminal with no command. */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "batch/batch.h"

int
main(int argc, char **argv)
{
	struct cmd_ctx	ctx;
	const char	*localedir;
	int		first, rc;

	setlocale(LC_ALL, "");
	/* PILECON_LOCALEDIR: a catalog not installed yet (the tests, a
	 * translator checking a .po) is found without 'make install'. */
	localedir = getenv("PILECON_LOCALEDIR");
	if (localedir == NULL || *localedir == '\0')
		localedir = LOCALEDIR;
	bindtextdomain(PACKAGE, localedir);
	textdomain(PACKAGE);

	/* Hidden: the bash completion script asks for candidates. */
	if (argc >= 2 && strcmp(argv[1], "--complete") == 0)
		return batch_complete(argc - 2, argv + 2, stdout);

	memset(&ctx, 0, sizeof ctx);
	if ((first = pilecon_opts_parse(&ctx.opts, argc, argv, stderr)) < 0)
		return first == -2 ? EXIT_OK : EXIT_USAGE;
	ctx.out = stdout;
	ctx.err = stderr;
	ctx.progress = isatty(STDERR_FILENO);

	if (first == argc) {
		if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
			rc = tui_main(&ctx);
		else {
			fprintf(stderr, _("pilecon: no command given (the console needs a "
			    "terminal)\n"));
			pilecon_usage(stderr, 0);
			rc = EXIT_USAGE;
		}
	} else
		rc = cmd_run(&ctx, argc - first, argv + first);
	cmd_ctx_close(&ctx);
	pilecon_opts_free(&ctx.opts);
	if (fclose(stdout) != 0 && rc == EXIT_OK) {
		perror("pilecon: stdout");
		rc = EXIT_FAILED;
	}
	return rc;
}
