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
	char		 parity;	/* --parity, -s; 'N', 'E', 'O'; default 'E' */
	unsigned	 stop_bits;	/* --stop-bits, -s; default 1 */
	int		 addr;		/* -a; default 1 */
	char		*keys_file;	/* --keys */
	char		*archive_path;	/* --archive */
	char		*config_file;	/* --config */
	int		 json;		/* --json */
	int		 no_fc23;	/* --no-fc23 */
	int		 timeout_ms;	/* --timeout; 0 from baud */
	int		 retries;
	int		 rs485;		/* --rs485: the kernel's RS-485 mode */
	int		 rs485_delay_ms;	/* --rs485-delay: RTS before/after */
	int		 no_low_latency;	/* --no-low-latency */
	int		 echo;		/* --echo: the adapter echoes what it sends */
	char		*trace_file;	/* --trace: every frame, timestamped */
	int		 bus_first, bus_last;	/* --bus-range: the console's search */
	char		*bus_known;	/* --bus-known: "1-8,12", asked first */
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
	/* Added: filled by cmd_pile. */
	int			 pile_rc;	/* PILE_E_* of cmd_pile's last failure */
	int			 have_identity;
	struct proto_identity	 identity;	/* of ctx->pile, read by cmd_pile */
	FILE			*trace;		/* --trace FILE, opened with the link */
	/* The trace hook of every bus cmd_bus_new makes (the console's Line
	 * view, which writes --trace too); NULL: --trace FILE alone. */
	pile_trace_fn		*trace_fn;
	void			*trace_arg;
};

/* What a job's step returns (tmux's CMD_RETURN_*); see batch/job.h. */
enum job_return { JOB_NORMAL, JOB_ERROR, JOB_WAIT };
struct job;
struct result;

#define CMD_PILE	0x1	/* the runner connects and identifies the pile first */
#define CMD_JSONL	0x2	/* --json writes an array result as JSON Lines */
#define CMD_LOCAL	0x4	/* needs no port: runs here even while a console shares it */

struct cmd_entry {
	const char	*name;		/* "logs pull" (words of the command) */
	const char	*alias;
	const char	*args;		/* getopt-style option string for completion */
	const char	*usage;		/* "[--format csv|jsonl] [-o FILE]" */
	const char	*help;		/* one line */
	/* The job: its step (batch/job.h), and its result for people
	 * (NULL: only the JSON, or nothing). */
	enum job_return	(*step)(struct job *);
	void		(*render)(const struct result *, FILE *);
	int		 flags;		/* CMD_* */
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
/* Opens the port, the bus and the pile of -p/-a (no transaction): NULL
 * with *exit (EXIT_*) and *cause. */
struct pile	*cmd_connect(struct cmd_ctx *, int *exit, char **cause);
/* Connects on demand; NULL with a message on ctx->err. */
struct pile	*cmd_pile(struct cmd_ctx *);
struct archive	*cmd_archive(struct cmd_ctx *);

/* The archive learns what the cloud acknowledged (reconcile.c): every
 * archived record of the pile's store up to live.last_seq - live.unsynced
 * is marked synced, in the series proven to be that store, never another.
 * batch_reconcile_live: by the pile's store id (1.1, cap STORE); 1 done,
 * 0 nothing provable (no store id, or a store the archive has not met),
 * -1 with *cause. For a pile without one: batch_reconcile_series gives
 * the archive's latest series when the pile may hold its last record (1),
 * then batch_reconcile_proven marks it when the pile's record at that seq
 * is the archive's byte for byte (synced flag aside): 1, 0 or -1 as above.
 * *changed: how many records became synced. */
int	batch_reconcile_live(struct archive *, const char *serial,
	    const struct proto_identity *, const struct proto_live *, uint32_t *changed,
	    char **cause);
int	batch_reconcile_series(struct archive *, const char *serial,
	    const struct proto_live *, struct archive_series *, char **cause);
int	batch_reconcile_proven(struct archive *, const char *serial,
	    const struct archive_series *, const struct proto_live *,
	    const struct proto_record *, uint32_t *changed, char **cause);
/* 1 when the archive is open or its file exists (reconciling never makes
 * one). */
int	batch_archive_exists(const struct cmd_ctx *);
void	cmd_ctx_close(struct cmd_ctx *);

/* Parses global options and the config file into opts; returns the index of
 * the first command word, or -1 after printing a message naming the option. */
int	pilecon_opts_parse(struct pilecon_opts *, int argc, char **argv, FILE *err);
/* Reads the key for this pile serial from the keys file; 0, or -1 with *cause
 * (missing file, no entry, bad key). Never prints the key. */
int	keys_lookup(const char *path, const char *serial, uint8_t key[PROTO_KEY_BYTES], char **cause);
/* 0 when only the owner can read the keys file; 1 with *warning when group
 * or others can (the caller warns loudly; ssh refuses, we warn so a
 * technician on a shared laptop is not locked out in the field); -1 with
 * *warning when it cannot be examined. */
int	keys_check_private(const char *path, char **warning);

/* ---- added: the pieces the table, man page, completion and tests share -- */

/* Parsed options of one command: cmd_entry.args is a space-separated spec
 * of "--name" (flag), "--name=ARG" / "-o=ARG" (takes a value), "WORD"
 * (required positional), "[WORD]" (optional positional). ARG and WORD name
 * the kind of value for completion: FILE, PORT, SERIAL, ... */
#define CMD_ARGS_MAX	16
struct cmd_args {
	int		 n;
	char		 name[CMD_ARGS_MAX][24];	/* "for", "o" */
	const char	*value[CMD_ARGS_MAX];	/* NULL for a flag */
	int		 npos;
	char		*pos[CMD_ARGS_MAX];
};
int		 cmd_args_parse(const struct cmd_entry *, int argc, char **argv,
		    struct cmd_args *, char **cause);
const char	*cmd_args_get(const struct cmd_args *, const char *name);
int		 cmd_args_has(const struct cmd_args *, const char *name);
/* The full name "whitelist add" + usage, for messages. */
void		 cmd_usage(const struct cmd_entry *, FILE *);
/* Exit code for a PILE_E_* (EXIT_NO_ANSWER, EXIT_REFUSED, ...). */
int		 cmd_exit_code(int pile_rc);
/* The open link, opened at the options' settings when it is not yet: NULL
 * with *exit (EXIT_*) and *cause. Notes on what the port cannot do go to
 * ctx->err. */
struct link	*cmd_link_open(struct cmd_ctx *, int *exit, char **cause);

/* Global options: one table drives getopt, --help, the man page, the
 * config file keys and completion. */
enum pilecon_opt_type { POPT_FLAG, POPT_STRING, POPT_PATH, POPT_INT };
struct pilecon_option {
	const char		*name;		/* long option: "port" */
	int			 short_name;	/* 'p', or 0 */
	const char		*config_key;	/* key in config.yaml, or NULL */
	enum pilecon_opt_type	 type;
	const char		*arg;		/* "PORT" */
	long			 min, max;	/* POPT_INT */
	const char		*help;
};
extern const struct pilecon_option	pilecon_options[];
extern const size_t			pilecon_options_len;

/* --parity none|even|odd and -s/--framing 8E1, from the command line or
 * the config (name is the option's long name): 0, or -1 with *cause. */
int	pilecon_opts_serial(struct pilecon_opts *, const char *name, const char *value,
	    char **cause);

/* --bus-range FIRST-LAST and --bus-known 1-8,12 (name: the long option):
 * 0, or -1 with *cause. */
int	pilecon_opts_bus(struct pilecon_opts *, const char *name, const char *value,
	    char **cause);
/* Address lists, "1-8,12" <-> set[a] = 1 for a in 1..247. */
#define PILECON_ADDRS	248
int	pilecon_parse_addrs(const char *, uint8_t set[PILECON_ADDRS], char **cause);
char	*pilecon_format_addrs(const uint8_t set[PILECON_ADDRS]);	/* malloc'ed */
/* Sets top-level keys of a config file to values (quoted), keeping every
 * other line; a new file or folder is made. Atomic: 0, or -1 with *cause. */
int	pilecon_config_set(const char *path, int n, const char *const *keys,
	    const char *const *values, char **cause);

/* The line the options ask for (baud, framing, RS-485, latency, echo). */
struct link_params;
void	cmd_link_params(const struct cmd_ctx *, struct link_params *);
/* A bus on the context's link with the given timeout and retries, and the
 * context's trace (ctx->trace_fn, else --trace): every bus on the line
 * is made here, so every frame on it is traced. */
struct pile_bus	*cmd_bus_new(struct cmd_ctx *, const struct pile_bus_opts *);
/* The trace hook --trace FILE sets (arg: the FILE): one line a frame. */
void	cmd_trace_frame(void *file, enum pile_trace_dir, uint8_t unit,
	    const uint8_t *buf, size_t len, uint64_t wall_us);

/* Sets every field to "not given" (NULL, or -1 / 0 for numbers). */
void	pilecon_opts_init(struct pilecon_opts *);
void	pilecon_opts_free(struct pilecon_opts *);
/* Loads a config file into opts (fields it names only). must_exist 0: a
 * missing file is no error. -1 with *cause naming file:line:column. */
int	pilecon_config_load(struct pilecon_opts *, const char *path, int must_exist,
	    char **cause);
/* $XDG_CONFIG_HOME/pilecon/config.yaml or ~/.config/...; malloc'ed. */
char	*pilecon_config_default_path(void);
/* Global usage + the command list. */
void	pilecon_usage(FILE *, int full);

/* Durations "90s", "30m", "2h", "1d", "1h30m" -> seconds; -1 with *cause. */
int	batch_parse_duration(const char *, uint32_t *secs, char **cause);
/* "2h", "1h30m", "45s" (the largest two units). */
char	*batch_format_duration(uint32_t secs);
/* "2026-11-25 14:00:05" in local time; static buffer. */
const char *batch_format_time(int64_t t);

/* Hidden `pilecon --complete WORDS...`: candidates for the last word. */
int	batch_complete(int argc, char **argv, FILE *out);

/* tui/: the console, when pilecon runs on a terminal with no command. */
int	tui_main(struct cmd_ctx *);

#endif
