/* batch.h - public face of src/batch: the command table that drives batch
 * mode, --help, the console's ':' line, bash completion and man/pilecon.1;
 * the configuration and the keys file. */
#ifndef BATCH_H
#define BATCH_H

#include <stdint.h>
#include <stdio.h>

#include "archive/archive.h"
#include "pile/pile.h"

/* Global options: command line over $XDG_CONFIG_HOME/pilecon/config.yaml over
 * defaults. Strings are malloc'ed. */
struct pilecon_opts {
	char		*port;		/* -p; default from config */
	unsigned	 baud;		/* -b; default 115200 */
	int		 addr;		/* -a; default 1 */
	char		*keys_file;	/* --keys */
	char		*archive_path;	/* --archive */
	char		*config_file;	/* --config */
	int		 json;		/* --json */
	int		 no_fc23;	/* --no-fc23 */
	int		 timeout_ms;	/* --timeout; 0 from baud */
	int		 retries;
};

/* What a command runs with. The connection is opened on first use by
 * cmd_pile(), so `pilecon ports` or `logs list` need no port. */
struct cmd_ctx {
	struct pilecon_opts	 opts;
	struct link		*link;
	struct pile_bus		*bus;
	struct pile		*pile;
	struct archive		*archive;
	FILE			*out;	/* results */
	FILE			*err;	/* messages, progress */
	int			 progress;	/* draw progress bars on err */
};

struct cmd_entry {
	const char	*name;		/* "logs pull" (words of the command) */
	const char	*alias;
	const char	*args;		/* getopt-style option string for completion */
	const char	*usage;		/* "[--format csv|jsonl] [-o FILE]" */
	int		(*exec)(struct cmd_ctx *, int argc, char **argv);
	const char	*help;		/* one line */
};
extern const struct cmd_entry	*cmd_table[];

/* Exit codes (documented in pilecon(1)). */
#define EXIT_OK		0
#define EXIT_FAILED	1	/* the command failed */
#define EXIT_USAGE	2	/* bad command line or input file */
#define EXIT_NO_ANSWER	3	/* the pile did not answer */
#define EXIT_REFUSED	4	/* the pile refused (exception, key) */

/* Finds the command named by the first words of argv; *used says how many
 * words named it. NULL when none. */
const struct cmd_entry *cmd_find(int argc, char **argv, int *used);
/* Runs one command line (words after the global options). */
int	cmd_run(struct cmd_ctx *, int argc, char **argv);
/* Connects on demand; NULL with a message on ctx->err. */
struct pile	*cmd_pile(struct cmd_ctx *);
struct archive	*cmd_archive(struct cmd_ctx *);
void	cmd_ctx_close(struct cmd_ctx *);

/* Parses global options and the config file into opts; returns the index of
 * the first command word, or -1 after printing a message naming the option. */
int	pilecon_opts_parse(struct pilecon_opts *, int argc, char **argv, FILE *err);
/* Reads the key for this pile serial from the keys file; 0, or -1 with *cause
 * (missing file, no entry, file readable by others). Never prints the key. */
int	keys_lookup(const char *path, const char *serial, uint8_t key[PROTO_KEY_BYTES], char **cause);

/* tui/: the console, when pilecon runs on a terminal with no command. */
int	tui_main(struct cmd_ctx *);

#endif
