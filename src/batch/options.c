/* options.c - pilecon's global options: one table that drives getopt, the
 * usage text, the config file keys (config.c), the man page and completion.
 * Precedence: command line, then PILECON_PORT, then config.yaml, then
 * defaults. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "batch/batch.h"

enum { O_PORT, O_ADDRESS, O_BAUD, O_PARITY, O_STOP_BITS, O_FRAMING, O_RS485, O_RS485_DELAY,
	O_NO_LOW_LATENCY, O_ECHO, O_TRACE, O_KEYS, O_ARCHIVE, O_CONFIG, O_JSON, O_NO_FC23,
	O_TIMEOUT, O_RETRIES, O_BUS_RANGE, O_BUS_KNOWN, O_HELP, O_VERSION };

/* Indexed by the enum above. */
const struct pilecon_option pilecon_options[] = {
	[O_PORT] = { "port", 'p', "port", POPT_STRING, "PORT", 0, 0,
	    N_("serial port of the RS-485 adapter or the pile's USB port (/dev/ttyUSB0, "
	    "a /dev/pts symlink) or tcp:HOST:PORT") },
	[O_ADDRESS] = { "address", 'a', "address", POPT_INT, "ADDR", 1, 247,
	    N_("Modbus address of the pile on the bus (default 1)") },
	[O_BAUD] = { "baud", 'b', "baud", POPT_INT, "BAUD", 1200, 4000000,
	    N_("line speed in bit/s (default 115200)") },
	[O_PARITY] = { "parity", 0, "parity", POPT_STRING, "none|even|odd", 0, 0,
	    N_("parity bit (default even, as Modbus over serial line asks)") },
	[O_STOP_BITS] = { "stop-bits", 0, "stop_bits", POPT_INT, "1|2", 1, 2,
	    N_("stop bits (default 1; 8N2 is Modbus's framing without parity)") },
	[O_FRAMING] = { "framing", 's', "framing", POPT_STRING, "8E1", 0, 0,
	    N_("data bits, parity and stop bits at once, as tio and mbpoll write "
	    "them: 8E1 (default), 8N1, 8N2, 8O1") },
	[O_RS485] = { "rs485", 0, NULL, POPT_FLAG, NULL, 0, 0,
	    N_("native UARTs: the kernel drives the RS-485 direction (TIOCSRS485, "
	    "RTS on send); USB adapters do it themselves") },
	[O_RS485_DELAY] = { "rs485-delay", 0, "rs485_delay_ms", POPT_INT, "MS", 0, 100,
	    N_("with --rs485: RTS delay before and after sending (default 0)") },
	[O_NO_LOW_LATENCY] = { "no-low-latency", 0, NULL, POPT_FLAG, NULL, 0, 0,
	    N_("leave a USB adapter's latency timer alone (pilecon lowers it to 1 ms "
	    "and restores it on exit)") },
	[O_ECHO] = { "echo", 0, NULL, POPT_FLAG, NULL, 0, 0,
	    N_("the adapter echoes what it sends (two-wire, no automatic direction): "
	    "drop the echo") },
	[O_TRACE] = { "trace", 0, NULL, POPT_PATH, "FILE", 0, 0,
	    N_("write every frame to FILE with time and direction, as mbpoll -v shows") },
	[O_KEYS] = { "keys", 0, "keys", POPT_PATH, "FILE",  0, 0,
	    N_("keys file: the per-pile keys writes authenticate with") },
	[O_ARCHIVE] = { "archive", 0, "archive", POPT_PATH, "FILE", 0, 0,
	    N_("archive of pulled records (default $XDG_DATA_HOME/pilecon/archive.db)") },
	[O_CONFIG] = { "config", 0, NULL, POPT_PATH, "FILE", 0, 0,
	    N_("config file (default $XDG_CONFIG_HOME/pilecon/config.yaml)") },
	[O_JSON] = { "json", 0, NULL, POPT_FLAG, NULL, 0, 0,
	    N_("print results as JSON, for scripts") },
	[O_NO_FC23] = { "no-fc23", 0, NULL, POPT_FLAG, NULL, 0, 0,
	    N_("read windows with FC 16 + FC 03, for gateways without FC 23") },
	[O_TIMEOUT] = { "timeout", 0, "timeout_ms", POPT_INT, "MS", 0, 60000,
	    N_("response timeout in milliseconds (default: from the baud rate)") },
	[O_RETRIES] = { "retries", 0, "retries", POPT_INT, "N", 0, 10,
	    N_("extra tries after a timeout or a garbled answer (default 2)") },
	[O_BUS_RANGE] = { "bus-range", 0, "bus_range", POPT_STRING, "FIRST-LAST", 0, 0,
	    N_("the console looks for piles at these addresses (default 1-247); it "
	    "keeps them in the config") },
	[O_BUS_KNOWN] = { "bus-known", 0, "bus_known", POPT_STRING, "ADDRS", 0, 0,
	    N_("addresses the console asks first, like 1-8,12: where piles answered "
	    "last time (the console keeps them in the config)") },
	[O_HELP] = { "help", 'h', NULL, POPT_FLAG, NULL, 0, 0,
	    N_("show this help; 'pilecon help COMMAND' for one command") },
	[O_VERSION] = { "version", 0, NULL, POPT_FLAG, NULL, 0, 0,
	    N_("show the version") },
};
const size_t pilecon_options_len = nitems(pilecon_options);

void
pilecon_opts_init(struct pilecon_opts *o)
{
	memset(o, 0, sizeof *o);
	o->addr = -1;
	o->timeout_ms = -1;
	o->retries = -1;
	o->json = -1;
	o->no_fc23 = -1;
	o->rs485_delay_ms = -1;
}

void
pilecon_opts_free(struct pilecon_opts *o)
{
	free(o->port);
	free(o->keys_file);
	free(o->archive_path);
	free(o->config_file);
	free(o->trace_file);
	free(o->bus_known);
	memset(o, 0, sizeof *o);
}

int
pilecon_opts_serial(struct pilecon_opts *o, const char *name, const char *v,
    char **cause)
{
	if (strcmp(name, "parity") == 0) {
		if (proto_parse_parity(v, &o->parity) != 0)
			return set_cause(cause, -1, _("bad value '%s' for --parity: "
			    "expected none, even or odd"), v);
		return 0;
	}
	if (proto_parse_framing(v, &o->parity, &o->stop_bits) != 0)
		return set_cause(cause, -1, _("bad value '%s' for --framing: "
		    "expected 8 data bits, parity N, E or O and 1 or 2 stop bits, "
		    "like 8E1, 8N1 or 8N2"), v);
	return 0;
}

/* "1-8,12,20-23" into set (1..247); 0, or -1 with *cause. */
int
pilecon_parse_addrs(const char *s, uint8_t set[PILECON_ADDRS], char **cause)
{
	const char	*p = s;
	char		*end;
	long		 a, b;

	memset(set, 0, PILECON_ADDRS);
	if (*s == '\0')
		return 0;
	for (;;) {
		a = strtol(p, &end, 10);
		if (end == p || a < 1 || a > 247)
			break;
		b = a;
		if (*end == '-') {
			p = end + 1;
			b = strtol(p, &end, 10);
			if (end == p || b < a || b > 247)
				break;
		}
		for (; a <= b; a++)
			set[a] = 1;
		if (*end == '\0')
			return 0;
		if (*end != ',')
			break;
		p = end + 1;
	}
	return set_cause(cause, -1, _("bad address list '%s': expected addresses "
	    "1-247 and ranges, like 1-8,12"), s);
}

char *
pilecon_format_addrs(const uint8_t set[PILECON_ADDRS])
{
	char	*s = xstrdup(""), *t;
	int	 a, b;

	for (a = 1; a <= 247; a++) {
		if (!set[a])
			continue;
		for (b = a; b < 247 && set[b + 1]; b++)
			;
		if (b == a)
			t = xasprintf("%s%s%d", s, *s ? "," : "", a);
		else
			t = xasprintf("%s%s%d-%d", s, *s ? "," : "", a, b);
		free(s);
		s = t;
		a = b;
	}
	return s;
}

int
pilecon_opts_bus(struct pilecon_opts *o, const char *name, const char *v, char **cause)
{
	uint8_t	 set[PILECON_ADDRS];
	char	*end;
	long	 a, b;

	if (strcmp(name, "bus-known") == 0) {
		if (pilecon_parse_addrs(v, set, cause) != 0)
			return -1;
		free(o->bus_known);
		o->bus_known = xstrdup(v);
		return 0;
	}
	a = strtol(v, &end, 10);
	b = *end == '-' ? strtol(end + 1, &end, 10) : -1;
	if (a < 1 || b < a || b > 247 || *end != '\0')
		return set_cause(cause, -1, _("bad value '%s' for --bus-range: expected "
		    "FIRST-LAST within 1-247, like 1-32"), v);
	o->bus_first = (int)a;
	o->bus_last = (int)b;
	return 0;
}

static int
parse_int_option(const struct pilecon_option *po, const char *s, long *v, FILE *err)
{
	char	*end;

	errno = 0;
	*v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || *v < po->min || *v > po->max) {
		fprintf(err, _("pilecon: bad value '%s' for --%s: expected a number from %ld "
		    "to %ld\n"), s, po->name, po->min, po->max);
		return -1;
	}
	return 0;
}

static void
take_str(char **dst, char **src, const char *fallback)
{
	if (*src != NULL) {
		*dst = *src;
		*src = NULL;
	} else if (fallback != NULL)
		*dst = xstrdup(fallback);
	else
		*dst = NULL;
}

/* *dst becomes a copy of s; its old value is freed. */
static void
set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = xstrdup(s);
}

/* getopt's tables for pilecon_options: longopts (nitems + 1) and the short
 * option string. */
static void
opts_getopt_tables(struct option *longopts, char *shortopts)
{
	char	*p = shortopts;
	size_t	 i;

	*p++ = '+';	/* stop at the command: its options are its own */
	*p++ = ':';	/* report a missing argument apart from an unknown option */
	for (i = 0; i < nitems(pilecon_options); i++) {
		longopts[i].name = pilecon_options[i].name;
		longopts[i].has_arg = pilecon_options[i].type == POPT_FLAG ?
		    no_argument : required_argument;
		longopts[i].flag = NULL;
		longopts[i].val = 256 + (int)i;
		if (pilecon_options[i].short_name != 0) {
			*p++ = (char)pilecon_options[i].short_name;
			if (pilecon_options[i].type != POPT_FLAG)
				*p++ = ':';
		}
	}
	*p = '\0';
	memset(&longopts[i], 0, sizeof longopts[i]);
}

/* A whole-number option's value into its field of cli. */
static int
opts_int(struct pilecon_opts *cli, size_t i, const char *arg, FILE *err)
{
	long	v;

	if (parse_int_option(&pilecon_options[i], arg, &v, err) != 0)
		return -1;
	if (i == O_ADDRESS)
		cli->addr = (int)v;
	else if (i == O_BAUD)
		cli->baud = (unsigned)v;
	else if (i == O_STOP_BITS)
		cli->stop_bits = (unsigned)v;
	else if (i == O_RS485_DELAY)
		cli->rs485_delay_ms = (int)v;
	else if (i == O_TIMEOUT)
		cli->timeout_ms = (int)v;
	else
		cli->retries = (int)v;
	return 0;
}

/* Option i (pilecon_options) with its value into cli: 0, -1 when refused
 * (said on err), -2 after --help or --version (printed). */
static int
opts_one(struct pilecon_opts *cli, size_t i, const char *arg, FILE *err)
{
	char	*cause = NULL;
	int	 rc = 0;

	switch (i) {
	case O_PORT:
		set_str(&cli->port, arg);
		break;
	case O_KEYS:
		set_str(&cli->keys_file, arg);
		break;
	case O_ARCHIVE:
		set_str(&cli->archive_path, arg);
		break;
	case O_CONFIG:
		set_str(&cli->config_file, arg);
		break;
	case O_TRACE:
		set_str(&cli->trace_file, arg);
		break;
	case O_JSON:
		cli->json = 1;
		break;
	case O_NO_FC23:
		cli->no_fc23 = 1;
		break;
	case O_RS485:
		cli->rs485 = 1;
		break;
	case O_NO_LOW_LATENCY:
		cli->no_low_latency = 1;
		break;
	case O_ECHO:
		cli->echo = 1;
		break;
	case O_BUS_RANGE:
	case O_BUS_KNOWN:
		rc = pilecon_opts_bus(cli, pilecon_options[i].name, arg, &cause);
		break;
	case O_PARITY:
	case O_FRAMING:
		rc = pilecon_opts_serial(cli, pilecon_options[i].name, arg, &cause);
		break;
	case O_ADDRESS:
	case O_BAUD:
	case O_STOP_BITS:
	case O_RS485_DELAY:
	case O_TIMEOUT:
	case O_RETRIES:
		return opts_int(cli, i, arg, err);
	case O_HELP:
		pilecon_usage(stdout, 1);
		return -2;
	case O_VERSION:
		printf("pilecon %s\n", PACKAGE_VERSION);
		return -2;
	}
	if (rc != 0) {
		fprintf(err, "pilecon: %s\n", cause);
		free(cause);
		return -1;
	}
	return 0;
}

/* The options in force: the command line's (cli) over $PILECON_PORT (the
 * port only) over the configuration file's (cfg) over the defaults. Takes
 * the strings of cli and cfg, and path. */
static void
opts_merge(struct pilecon_opts *opts, struct pilecon_opts *cli,
    struct pilecon_opts *cfg, char *path)
{
	const char	*env = getenv("PILECON_PORT");

	pilecon_opts_init(opts);
	if (env != NULL && *env == '\0')
		env = NULL;
	if (cli->port != NULL)
		take_str(&opts->port, &cli->port, NULL);
	else if (env != NULL)
		opts->port = xstrdup(env);
	else
		take_str(&opts->port, &cfg->port, NULL);
	take_str(&opts->keys_file, cli->keys_file ? &cli->keys_file : &cfg->keys_file,
	    NULL);
	take_str(&opts->archive_path, cli->archive_path ? &cli->archive_path :
	    &cfg->archive_path, NULL);
	if (opts->archive_path == NULL)
		opts->archive_path = archive_default_path();
	opts->config_file = path;
	opts->addr = cli->addr >= 0 ? cli->addr : cfg->addr >= 0 ? cfg->addr : 1;
	opts->baud = cli->baud ? cli->baud : cfg->baud ? cfg->baud : 115200;
	/* Modbus over Serial Line V1.02 §2.5.1: even parity by default. */
	opts->parity = cli->parity ? cli->parity : cfg->parity ? cfg->parity : 'E';
	opts->stop_bits = cli->stop_bits ? cli->stop_bits : cfg->stop_bits ?
	    cfg->stop_bits : 1;
	opts->timeout_ms = cli->timeout_ms >= 0 ? cli->timeout_ms :
	    cfg->timeout_ms >= 0 ? cfg->timeout_ms : 0;
	opts->retries = cli->retries >= 0 ? cli->retries : cfg->retries >= 0 ?
	    cfg->retries : 2;
	opts->json = cli->json > 0;
	opts->no_fc23 = cli->no_fc23 > 0;
	opts->rs485 = cli->rs485 > 0;
	opts->rs485_delay_ms = cli->rs485_delay_ms >= 0 ? cli->rs485_delay_ms :
	    cfg->rs485_delay_ms >= 0 ? cfg->rs485_delay_ms : 0;
	opts->no_low_latency = cli->no_low_latency > 0;
	opts->echo = cli->echo > 0;
	take_str(&opts->trace_file, &cli->trace_file, NULL);
	opts->bus_first = cli->bus_first ? cli->bus_first : cfg->bus_first ?
	    cfg->bus_first : 1;
	opts->bus_last = cli->bus_first ? cli->bus_last : cfg->bus_first ?
	    cfg->bus_last : 247;
	take_str(&opts->bus_known, cli->bus_known ? &cli->bus_known : &cfg->bus_known,
	    NULL);
}

/*
 * Returns the index of the first command word (argc when there is none),
 * -1 after printing a message, or -2 after printing --help or --version.
 */
int
pilecon_opts_parse(struct pilecon_opts *opts, int argc, char **argv, FILE *err)
{
	struct option	 longopts[nitems(pilecon_options) + 1];
	struct pilecon_opts cli, cfg;
	char		 shortopts[64], *cause = NULL, *path;
	size_t		 i;
	int		 c, idx, rc = -1;

	pilecon_opts_init(&cli);
	pilecon_opts_init(&cfg);
	opts_getopt_tables(longopts, shortopts);
	optind = 0;	/* glibc: full reinitialisation, so tests may call twice */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, &idx)) != -1) {
		if (c == '?') {
			if (optopt != 0)
				fprintf(err, _("pilecon: unknown option '-%c'\n"), optopt);
			else
				fprintf(err, _("pilecon: unknown option '%s'\n"), argv[optind - 1]);
			fprintf(err, _("try 'pilecon --help'\n"));
			goto out;
		}
		if (c == ':') {
			fprintf(err, _("pilecon: option '%s' needs a value\n"), argv[optind - 1]);
			goto out;
		}
		if (c < 256) {
			for (i = 0; i < nitems(pilecon_options); i++)
				if (pilecon_options[i].short_name == c)
					break;
		} else
			i = (size_t)(c - 256);
		if ((rc = opts_one(&cli, i, optarg, err)) != 0)
			goto out;
		rc = -1;
	}

	path = cli.config_file ? xstrdup(cli.config_file) : pilecon_config_default_path();
	if (pilecon_config_load(&cfg, path, cli.config_file != NULL, &cause) != 0) {
		/* Help needs no configuration: a broken file must not stop a
		 * technician from reading how to fix it. */
		if (optind < argc && strcmp(argv[optind], "help") == 0) {
			fprintf(err, _("pilecon: warning: %s (ignored by 'help')\n"), cause);
			free(cause);
			pilecon_opts_free(&cfg);
			pilecon_opts_init(&cfg);
		} else {
			fprintf(err, "pilecon: %s\n", cause);
			free(cause);
			free(path);
			goto out;
		}
	}
	opts_merge(opts, &cli, &cfg, path);
	rc = optind;
out:
	pilecon_opts_free(&cli);
	pilecon_opts_free(&cfg);
	return rc;
}

void
pilecon_usage(FILE *f, int full)
{
	const struct cmd_entry	**ce;
	const struct pilecon_option *po;
	size_t			 i;
	char			 lhs[64];

	fprintf(f, _("usage: pilecon [-p PORT] [-a ADDR] [-b BAUD] [-s 8E1] [--keys FILE] "
	    "[--json] COMMAND [ARGS...]\n"));
	fprintf(f, _("       pilecon                (the console, on a terminal)\n"));
	if (!full) {
		fprintf(f, _("try 'pilecon --help' or 'pilecon help COMMAND'\n"));
		return;
	}
	fprintf(f, _("\nOptions:\n"));
	for (i = 0; i < pilecon_options_len; i++) {
		po = &pilecon_options[i];
		if (po->short_name != 0)
			snprintf(lhs, sizeof lhs, "-%c, --%s%s%s", po->short_name, po->name,
			    po->arg ? " " : "", po->arg ? po->arg : "");
		else
			snprintf(lhs, sizeof lhs, "    --%s%s%s", po->name,
			    po->arg ? " " : "", po->arg ? po->arg : "");
		fprintf(f, "  %-22s %s\n", lhs, _(po->help));
	}
	fprintf(f, _("\nCommands:\n"));
	for (ce = cmd_table; *ce != NULL; ce++)
		fprintf(f, "  %-22s %s\n", (*ce)->name, _((*ce)->help));
	fprintf(f, _("\nExit codes: 0 ok, 1 failed, 2 usage or bad input, 3 no answer "
	    "from the pile, 4 the pile refused.\nSee pilecon(1).\n"));
}
