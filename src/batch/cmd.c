/* cmd.c - the command table (tmux's cmd_entry list) and what every command
 * runs with: option parsing from each entry's spec, the connection opened on
 * first use, the pile's key, and PILE_E_* turned into exit codes. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/share.h"
#include "batch/job.h"

extern const struct cmd_entry cmd_status_entry, cmd_ports_entry, cmd_scan_entry,
    cmd_offline_on_entry, cmd_offline_off_entry, cmd_whitelist_list_entry,
    cmd_whitelist_add_entry, cmd_whitelist_block_entry, cmd_whitelist_remove_entry,
    cmd_whitelist_import_entry, cmd_whitelist_export_entry, cmd_logs_pull_entry,
    cmd_logs_list_entry, cmd_logs_export_entry, cmd_logs_verify_entry, cmd_logs_report_entry, cmd_resync_entry,
    cmd_tariff_show_entry, cmd_clock_set_entry, cmd_help_entry,
    cmd_whitelist_sync_entry, cmd_provision_entry, cmd_whitelist_sync_all_entry,
    cmd_ping_entry;

const struct cmd_entry *cmd_table[] = {
	&cmd_status_entry,
	&cmd_ports_entry,
	&cmd_scan_entry,
	&cmd_ping_entry,
	&cmd_offline_on_entry,
	&cmd_offline_off_entry,
	&cmd_whitelist_list_entry,
	&cmd_whitelist_add_entry,
	&cmd_whitelist_block_entry,
	&cmd_whitelist_remove_entry,
	&cmd_whitelist_import_entry,
	&cmd_whitelist_export_entry,
	&cmd_whitelist_sync_entry,
	&cmd_whitelist_sync_all_entry,
	&cmd_logs_pull_entry,
	&cmd_logs_list_entry,
	&cmd_logs_export_entry,
	&cmd_logs_verify_entry,
	&cmd_logs_report_entry,
	&cmd_resync_entry,
	&cmd_tariff_show_entry,
	&cmd_clock_set_entry,
	&cmd_provision_entry,
	&cmd_help_entry,
	NULL
};

/* How many words of argv spell name ("whitelist add"); 0 when they do not. */
static int
cmd_match(const char *name, int argc, char **argv)
{
	const char	*p = name;
	size_t		 len;
	int		 i;

	if (name == NULL)
		return 0;
	for (i = 0; *p != '\0'; i++) {
		len = strcspn(p, " ");
		if (i >= argc || strlen(argv[i]) != len || strncmp(argv[i], p, len) != 0)
			return 0;
		p += len;
		while (*p == ' ')
			p++;
	}
	return i;
}

const struct cmd_entry *
cmd_find(int argc, char **argv, int *used)
{
	const struct cmd_entry	**ce, *best = NULL;
	int			  n, bestn = 0;

	for (ce = cmd_table; *ce != NULL; ce++) {
		n = cmd_match((*ce)->name, argc, argv);
		if (n == 0)
			n = cmd_match((*ce)->alias, argc, argv);
		if (n > bestn) {
			best = *ce;
			bestn = n;
		}
	}
	if (used != NULL)
		*used = bestn;
	return best;
}

void
cmd_usage(const struct cmd_entry *ce, FILE *f)
{
	fprintf(f, _("usage: pilecon %s%s%s\n"), ce->name, *ce->usage ? " " : "", ce->usage);
}

/* One token of an args spec: "--for=DURATION", "-o=FILE", "--json", "UID",
 * "[TIME]". Returns the length, 0 at the end. */
static size_t
spec_next(const char **pp, const char **tok)
{
	const char	*p = *pp;
	size_t		 len;

	while (*p == ' ')
		p++;
	*tok = p;
	len = strcspn(p, " ");
	*pp = p + len;
	return len;
}

/* Finds option "name" (len bytes) in spec; *takes_value set. */
static int
spec_option(const char *spec, const char *name, size_t len, int *takes_value)
{
	const char	*p = spec, *tok, *eq;
	size_t		 tlen, dashes;

	while ((tlen = spec_next(&p, &tok)) != 0) {
		if (tok[0] != '-')
			continue;
		dashes = tok[1] == '-' ? 2 : 1;
		eq = memchr(tok, '=', tlen);
		if ((size_t)((eq ? eq : tok + tlen) - tok) - dashes == len &&
		    strncmp(tok + dashes, name, len) == 0) {
			*takes_value = eq != NULL;
			return 0;
		}
	}
	return -1;
}

int
cmd_args_parse(const struct cmd_entry *ce, int argc, char **argv, struct cmd_args *a,
    char **cause)
{
	const char	*p, *tok, *arg, *name, *eq;
	size_t		 tlen, len;
	int		 i, takes, need = 0, optional = 0, only_pos = 0;

	memset(a, 0, sizeof *a);
	for (i = 0; i < argc; i++) {
		arg = argv[i];
		if (only_pos || arg[0] != '-' || arg[1] == '\0') {
			if (a->npos == CMD_ARGS_MAX)
				return set_cause(cause, -1, _("too many arguments"));
			a->pos[a->npos++] = argv[i];
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			only_pos = 1;
			continue;
		}
		name = arg + (arg[1] == '-' ? 2 : 1);
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		if (arg[1] != '-' && len != 1)
			return set_cause(cause, -1, _("unknown option '%s'"), arg);
		if ((len == 4 && strncmp(name, "json", 4) == 0) ||
		    (len == 4 && strncmp(name, "help", 4) == 0) ||
		    (len == 1 && *name == 'h'))
			takes = 0;
		else if (spec_option(ce->args, name, len, &takes) != 0)
			return set_cause(cause, -1, _("unknown option '%s' for '%s'"), arg,
			    ce->name);
		if (len >= sizeof a->name[0] || a->n == CMD_ARGS_MAX)
			return set_cause(cause, -1, _("unknown option '%s'"), arg);
		memcpy(a->name[a->n], name, len);
		a->name[a->n][len] = '\0';
		if (len == 1 && *name == 'h')
			strcpy(a->name[a->n], "help");
		if (takes) {
			if (eq != NULL)
				a->value[a->n] = eq + 1;
			else if (i + 1 < argc)
				a->value[a->n] = argv[++i];
			else
				return set_cause(cause, -1, _("option '%s' needs a value"), arg);
		} else if (eq != NULL)
			return set_cause(cause, -1, _("option '%.*s' takes no value"),
			    (int)(eq - arg), arg);
		a->n++;
	}
	if (cmd_args_has(a, "help"))
		return 0;
	p = ce->args;
	while ((tlen = spec_next(&p, &tok)) != 0) {
		if (tok[0] == '[')
			optional++;
		else if (tok[0] != '-')
			need++;
	}
	if (a->npos < need)
		return set_cause(cause, -1, _("'%s' needs %d argument%s"), ce->name, need,
		    need == 1 ? "" : "s");
	if (a->npos > need + optional)
		return set_cause(cause, -1, _("unexpected argument '%s'"), a->pos[need + optional]);
	return 0;
}

const char *
cmd_args_get(const struct cmd_args *a, const char *name)
{
	int	i;

	for (i = a->n - 1; i >= 0; i--)	/* the last one given wins */
		if (strcmp(a->name[i], name) == 0)
			return a->value[i];
	return NULL;
}

int
cmd_args_has(const struct cmd_args *a, const char *name)
{
	int	i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->name[i], name) == 0)
			return 1;
	return 0;
}

/* "whitelist frob": name what the group takes instead of just "unknown". */
static void
cmd_unknown(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry	**ce;
	size_t			  len = strlen(argv[0]);
	int			  group = 0;

	for (ce = cmd_table; *ce != NULL; ce++)
		if (strncmp((*ce)->name, argv[0], len) == 0 && (*ce)->name[len] == ' ')
			group = 1;
	if (!group) {
		fprintf(ctx->err, _("pilecon: unknown command '%s'\n"), argv[0]);
		pilecon_usage(ctx->err, 0);
		return;
	}
	if (argc > 1)
		fprintf(ctx->err, _("pilecon: unknown command '%s %s'\n"), argv[0], argv[1]);
	else
		fprintf(ctx->err, _("pilecon: '%s' needs a subcommand\n"), argv[0]);
	for (ce = cmd_table; *ce != NULL; ce++)
		if (strncmp((*ce)->name, argv[0], len) == 0 && (*ce)->name[len] == ' ')
			cmd_usage(*ce, ctx->err);
}

int
cmd_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry	*ce;
	struct cmd_args		 args;
	struct job		*job;
	char			*cause = NULL;
	int			 used, rc;

	if (argc == 0) {
		pilecon_usage(ctx->err, 0);
		return EXIT_USAGE;
	}
	if ((ce = cmd_find(argc, argv, &used)) == NULL) {
		cmd_unknown(ctx, argc, argv);
		return EXIT_USAGE;
	}
	if (cmd_args_parse(ce, argc - used, argv + used, &args, &cause) != 0) {
		fprintf(ctx->err, "pilecon: %s\n", text_show(cause));
		free(cause);
		cmd_usage(ce, ctx->err);
		return EXIT_USAGE;
	}
	if (cmd_args_has(&args, "help")) {
		cmd_usage(ce, ctx->out);
		fprintf(ctx->out, "%s\n", _(ce->help));
		return EXIT_OK;
	}
	/* A console holds the port: the command runs there (batch/share.h). */
	if (!(ce->flags & CMD_LOCAL) && (rc = share_client_run(ctx, argc, argv)) >= 0)
		return rc;
	if ((job = job_new(ctx, argc, argv, NULL, NULL, &rc, &cause)) == NULL) {
		fprintf(ctx->err, "pilecon: %s\n", text_show(cause));
		free(cause);
		return rc;
	}
	rc = job_run_batch(ctx, job);
	job_free(job);
	return rc;
}

int
cmd_exit_code(int rc)
{
	switch (rc) {
	case 0:
		return EXIT_OK;
	case PILE_E_TIMEOUT:
	case PILE_E_GARBLED:
	case PILE_E_LINK:	/* the port went away: no answer (README's table) */
		return EXIT_NO_ANSWER;
	case PILE_E_EXCEPTION:
	case PILE_E_AUTH:
	case PILE_E_REFUSED:
		return EXIT_REFUSED;
	default:
		return rc > 0 ? rc : EXIT_FAILED;
	}
}

/* The line as the options say: baud rate, framing (the Modbus default 8E1
 * for options never parsed, as in a test's context), RS-485 mode, low
 * latency. */
void
cmd_link_params(const struct cmd_ctx *ctx, struct link_params *lp)
{
	memset(lp, 0, sizeof *lp);
	lp->baud = ctx->opts.baud;
	lp->parity = ctx->opts.parity ? ctx->opts.parity : 'E';
	lp->stop_bits = ctx->opts.stop_bits ? ctx->opts.stop_bits : 1;
	lp->rs485 = ctx->opts.rs485 > 0;
	lp->rts_delay_before_ms = lp->rts_delay_after_ms =
	    ctx->opts.rs485_delay_ms > 0 ? (unsigned)ctx->opts.rs485_delay_ms : 0;
	lp->low_latency = ctx->opts.no_low_latency <= 0;
	lp->echo = ctx->opts.echo > 0;
}

/* --trace FILE: one line a frame, flushed at once so that a trace of a
 * command that hangs or crashes still ends at its last frame. */
void
cmd_trace_frame(void *arg, enum pile_trace_dir dir, uint8_t unit,
    const uint8_t *buf, size_t len, uint64_t wall_us)
{
	FILE	*f = arg;
	char	*line = pile_trace_format(dir, buf, len, wall_us);

	(void)unit;
	fprintf(f, "%s\n", line);
	fflush(f);
	free(line);
}

struct pile_bus *
cmd_bus_new(struct cmd_ctx *ctx, const struct pile_bus_opts *bo)
{
	struct pile_bus	*bus = pile_bus_new(ctx->link, bo);

	if (ctx->opts.trace_file != NULL && ctx->trace == NULL) {
		ctx->trace = fopen(ctx->opts.trace_file, "a");
		if (ctx->trace == NULL)
			fprintf(ctx->err, _("pilecon: cannot write the trace to "
			    "'%s': %s (going on without it)\n"),
			    ctx->opts.trace_file, strerror(errno));
	}
	if (ctx->trace_fn != NULL)
		pile_bus_set_trace(bus, ctx->trace_fn, ctx->trace_arg);
	else if (ctx->trace != NULL)
		pile_bus_set_trace(bus, cmd_trace_frame, ctx->trace);
	return bus;
}

/* What the link could not do but works without (low latency), once. */
static void
cmd_link_notes(struct cmd_ctx *ctx)
{
	const char	*notes = link_notes(ctx->link);
	const char	*p, *nl;

	for (p = notes; p != NULL && *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		fprintf(ctx->err, "pilecon: note: %.*s\n",
		    (int)(nl != NULL ? nl - p : (ptrdiff_t)strlen(p)), p);
		if (nl == NULL)
			break;
	}
}

struct pile *
cmd_connect(struct cmd_ctx *ctx, int *exit, char **cause)
{
	struct link_params	 lp;
	struct pile_bus_opts	 bo;

	cmd_link_params(ctx, &lp);
	if (ctx->pile != NULL)
		return ctx->pile;
	if (ctx->link == NULL && ctx->opts.port == NULL) {
		*exit = EXIT_USAGE;
		return set_cause(cause, 0, _("no port given: use -p PORT, set "
		    "PILECON_PORT or 'port:' in the config (list ports with "
		    "'pilecon ports')")), NULL;
	}
	if (ctx->link == NULL && link_check(ctx->opts.port, &lp, cause) != 0) {
		*exit = EXIT_USAGE;	/* a mistyped port or number */
		return NULL;
	}
	if (ctx->link == NULL) {
		if ((ctx->link = link_open(ctx->opts.port, &lp, cause)) == NULL) {
			*exit = EXIT_FAILED;
			return NULL;
		}
		cmd_link_notes(ctx);
	}
	if (ctx->bus == NULL) {
		bo.timeout_ms = ctx->opts.timeout_ms > 0 ? ctx->opts.timeout_ms : 0;
		bo.retries = ctx->opts.retries >= 0 ? ctx->opts.retries : 2;
		bo.no_fc23 = ctx->opts.no_fc23;
		ctx->bus = cmd_bus_new(ctx, &bo);
	}
	ctx->pile = pile_new(ctx->bus, (uint8_t)ctx->opts.addr);
	*exit = EXIT_OK;
	return ctx->pile;
}

/* The open link for cmd_pile; NULL with a message on ctx->err. */
static struct link *
cmd_link(struct cmd_ctx *ctx)
{
	struct link_params	 lp;
	char			*cause = NULL;

	cmd_link_params(ctx, &lp);
	if (ctx->link != NULL)
		return ctx->link;
	if (ctx->opts.port == NULL) {
		fprintf(ctx->err, _("pilecon: no port given: use -p PORT, set PILECON_PORT "
		    "or 'port:' in the config (list ports with 'pilecon ports')\n"));
		ctx->pile_rc = EXIT_USAGE;
		return NULL;
	}
	if ((ctx->link = link_open(ctx->opts.port, &lp, &cause)) == NULL) {
		fprintf(ctx->err, "pilecon: %s\n", text_show(cause));
		free(cause);
		ctx->pile_rc = PILE_E_LINK;
	} else
		cmd_link_notes(ctx);
	return ctx->link;
}

struct link *
cmd_link_open(struct cmd_ctx *ctx, int *exit, char **cause)
{
	struct link_params	lp;

	*exit = EXIT_OK;
	if (ctx->link != NULL)
		return ctx->link;
	if (ctx->opts.port == NULL) {
		*exit = EXIT_USAGE;
		return set_cause(cause, 0, _("no port given: use -p PORT, set "
		    "PILECON_PORT or 'port:' in the config (list ports with "
		    "'pilecon ports')")), NULL;
	}
	cmd_link_params(ctx, &lp);
	if ((ctx->link = link_open(ctx->opts.port, &lp, cause)) == NULL) {
		*exit = cmd_exit_code(PILE_E_LINK);
		return NULL;
	}
	cmd_link_notes(ctx);
	return ctx->link;
}

static void
cmd_load_key(struct cmd_ctx *ctx)
{
	uint8_t	 key[PROTO_KEY_BYTES];
	char	*cause = NULL;
	int	 rc;

	if (ctx->opts.keys_file == NULL)
		return;
	rc = keys_check_private(ctx->opts.keys_file, &cause);
	if (rc > 0) {
		fprintf(ctx->err, _("pilecon: WARNING: %s\n"), cause);
	}
	free(cause);
	cause = NULL;
	/* Why there is no key is the job's to say, when a write needs it. */
	if (keys_lookup(ctx->opts.keys_file, ctx->identity.serial, key, &cause) != 0) {
		free(cause);
		return;
	}
	pile_set_key(ctx->pile, key);
	explicit_bzero(key, sizeof key);
}

struct pile *
cmd_pile(struct cmd_ctx *ctx)
{
	struct pile_bus_opts	 bo;
	char			*cause = NULL;
	int			 rc;

	if (ctx->pile != NULL && ctx->have_identity)
		return ctx->pile;
	if (cmd_link(ctx) == NULL)
		return NULL;
	if (ctx->bus == NULL) {
		bo.timeout_ms = ctx->opts.timeout_ms > 0 ? ctx->opts.timeout_ms : 0;
		bo.retries = ctx->opts.retries >= 0 ? ctx->opts.retries : 2;
		bo.no_fc23 = ctx->opts.no_fc23;
		ctx->bus = cmd_bus_new(ctx, &bo);
	}
	if (ctx->pile == NULL)
		ctx->pile = pile_new(ctx->bus, (uint8_t)ctx->opts.addr);
	/* The serial names the key and every record in the archive. */
	if ((rc = pile_identity(ctx->pile, &ctx->identity, &cause)) != 0) {
		fprintf(ctx->err, "pilecon: %s\n", text_show(cause));
		free(cause);
		ctx->pile_rc = rc;
		return NULL;
	}
	ctx->have_identity = 1;
	cmd_load_key(ctx);
	return ctx->pile;
}

struct archive *
cmd_archive(struct cmd_ctx *ctx)
{
	char	*cause = NULL;

	if (ctx->archive != NULL)
		return ctx->archive;
	if ((ctx->archive = archive_open(ctx->opts.archive_path, &cause)) == NULL) {
		fprintf(ctx->err, "pilecon: %s\n", text_show(cause));
		free(cause);
		ctx->pile_rc = EXIT_FAILED;
	}
	return ctx->archive;
}

void
cmd_ctx_close(struct cmd_ctx *ctx)
{
	/* Close what we opened: nobody rides on our session after us. */
	if (ctx->pile != NULL)
		pile_session_close(ctx->pile, NULL);
	if (ctx->pile != NULL)
		pile_free(ctx->pile);
	if (ctx->bus != NULL)
		pile_bus_free(ctx->bus);
	if (ctx->link != NULL)
		link_close(ctx->link);
	if (ctx->archive != NULL)
		archive_close(ctx->archive);
	ctx->pile = NULL;
	ctx->bus = NULL;
	ctx->link = NULL;
	ctx->archive = NULL;
	ctx->have_identity = 0;
	if (ctx->trace != NULL)
		fclose(ctx->trace);
	ctx->trace = NULL;
}
