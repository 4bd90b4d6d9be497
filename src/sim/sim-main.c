/* sim-main.c - pilesim: N simulated piles on one emulated RS-485 bus behind a
 * pseudo-terminal (or a real serial device), driven by a control socket. One
 * poll loop, no threads; signals only write to a self-pipe. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "sim/shell.h"

#define SHELL_MAX_PILES		247
#define SHELL_POLLFDS		(2 + 1 + CTLSOCK_MAX_CLIENTS + 1)

struct shell {
	struct sim_world	*world;
	struct bus		*bus;
	struct ctlsock		*ctl;
	struct line		 line;
	int			 npiles;
};

static int	shell_sigpipe[2] = { -1, -1 };

static void
shell_signal(int sig)
{
	int	saved = errno;
	char	c = (char)sig;

	(void)!write(shell_sigpipe[1], &c, 1);
	errno = saved;
}

static void
usage(FILE *f)
{
	fprintf(f, "%s", _(
"usage: pilesim --data DIR [--piles N] [options]\n"
"       pilesim ctl --data DIR COMMAND [ARG...]\n"
"\n"
"Simulates N charging piles (Modbus addresses 1..N) on one RS-485 bus behind\n"
"a pseudo-terminal, or a real serial device, and runs until SIGTERM/SIGINT.\n"
"State, records, the emulated cloud and DIR/keys.yaml persist in DIR.\n"
"\n"
"  -d, --data DIR         data folder (created when missing)\n"
"  -n, --piles N          piles on the bus, 1..247 (default 1)\n"
"  -b, --baud B           baud rate (default 115200)\n"
"      --parity P         none, even or odd (default even: Modbus 8E1)\n"
"      --stop-bits N      1 or 2 (default 1)\n"
"  -s, --framing 8E1      data bits, parity and stop bits at once: 8E1, 8N1,\n"
"                         8N2, 8O1; a master whose settings differ (read back\n"
"                         from the pty) gets garbled bytes, as on a real line\n"
"  -l, --link PATH        symlink to the pseudo-terminal (default DIR/bus)\n"
"      --device DEV       serve a real serial device instead of a pty\n"
"      --pace             pace bytes at the baud rate (11 bits a byte at 8E1,\n"
"                         10 at 8N1)\n"
"      --latency-ms MS    delay before each reply, like a USB adapter's\n"
"                         latency timer (implies --pace)\n"
"      --clock UNIX       pile clock at first start (default: now)\n"
"      --frozen-clock     the clock moves only by 'ctl advance' and clock\n"
"                         writes, so tests meter exact seconds\n"
"      --wl-capacity N    whitelist entries per pile (default 10000)\n"
"      --protocol V       protocol the piles speak: 1.1 (default) or 1.0\n"
"                         (no signed records: a pile from before 1.1)\n"
"      --record-capacity N  charging records per pile (default 2000)\n"
"      --full-policy refuse|unrecorded\n"
"                         what a full record store does to an offline card:\n"
"                         refuse it (the default) or charge without a record\n"
"      --seed S           seed of the line emulator (default 1)\n"
"      --ber RATE         bit-error rate on the line (implies --pace)\n"
"      --drop RATE        probability that a frame is lost (implies --pace)\n"
"      --truncate RATE    probability that a reply is cut short (implies --pace)\n"
"      --frames FILE      append every request frame received to FILE, in\n"
"                         hex, one a line (a tap on the line, for tests)\n"
"  -h, --help             this help\n"
"\n"
"`pilesim ctl --data DIR help` lists the control commands; `line ...`\n"
"commands change the line emulator at run time:\n"
"  line ber RATE | drop RATE | truncate RATE | latency MS | pull SECONDS |\n"
"       busy ADDR on|off | echo on|off | off | show\n"));
	fprintf(f, "%s", _(
"\n"
"Broadcast frames (address 0) reach every pile on the bus:\n"
"      --drop-broadcast RATE  probability that a broadcast frame is lost\n"
"      --drop-pile ADDR:RATE  probability that pile ADDR alone misses a frame\n"
"                             (repeat for more piles)\n"
"  line drop-broadcast RATE | drop-pile ADDR RATE;  mains ADDR off|on\n"));
	fprintf(f, "%s", _(
"      --serial ADDR:TEXT     pile ADDR's serial instead of SIM-ADDR (1 to 16\n"
"                             bytes; its key in keys.yaml is made for it)\n"));
}

static int
parse_uint(const char *opt, const char *s, unsigned long min, unsigned long max,
    unsigned long *out)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	if (*s >= '0' && *s <= '9') {
		v = strtoul(s, &end, 10);
		if (errno == 0 && *end == '\0' && v >= min && v <= max) {
			*out = v;
			return 0;
		}
	}
	fprintf(stderr, _("pilesim: invalid value '%s' for %s: give a whole "
	    "number from %lu to %lu\n"), s, opt, min, max);
	return -1;
}

static int
parse_rate(const char *opt, const char *s, double *out)
{
	if (line_parse_rate(s, out) == 0)
		return 0;
	fprintf(stderr, _("pilesim: invalid rate '%s' for %s: give a probability "
	    "from 0 to 1 (e.g. 1e-4)\n"), s, opt);
	return -1;
}

/* `line show` starts with the settings of both ends of the line. */
static void
shell_show_settings(struct shell *sh, FILE *out)
{
	struct uart_fmt	peer;
	char		a[32], b[32];

	fprintf(out, "pile       %s\n", uart_fmt_str(bus_fmt(sh->bus), a,
	    sizeof a));
	if (bus_peer_fmt(sh->bus, &peer))
		fprintf(out, "master     %s%s\n", uart_fmt_str(&peer, b, sizeof b),
		    uart_fmt_equal(&peer, bus_fmt(sh->bus)) ? "" :
		    _(" (differs: the line garbles every byte)"));
}

/* The control socket's commands: `line ...` is about the wire, the shell's
 * business; everything else belongs to the world. */
static int
shell_ctl(void *arg, int argc, char **argv, FILE *out)
{
	struct shell	*sh = arg;
	uint64_t	 now_us = mono_us();
	int		 status;

	if (strcmp(argv[0], "line") == 0) {
		if (argc < 2 || strcmp(argv[1], "show") == 0)
			shell_show_settings(sh, out);
		return line_ctl(&sh->line, bus_stats(sh->bus), sh->npiles, argc,
		    argv, out, now_us);
	}
	status = sim_world_ctl(sh->world, argc, argv, out, now_us / 1000);
	if (strcmp(argv[0], "help") == 0 && argc == 1)
		fprintf(out, "%s", _("line ber RATE | drop RATE | truncate RATE | "
		    "latency MS | pull SECONDS | busy ADDR on|off | echo on|off | "
		    "off | show\n"
		    "    the line emulator: faults on the wire, deterministic "
		    "from --seed\n"));
	return status;
}

static int
shell_signals(char **cause)
{
	struct sigaction	sa;

	if (pipe2(shell_sigpipe, O_CLOEXEC | O_NONBLOCK) != 0)
		return set_cause(cause, -1, _("cannot create a pipe: %s"),
		    strerror(errno));
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = shell_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	return 0;
}

/* Ticks the world; returns when it wants the next tick (at most 100 ms on,
 * as sim.h promises the world). */
static uint64_t
shell_tick(struct shell *sh, uint64_t now_us)
{
	int	ms;

	sim_world_tick(sh->world, now_us / 1000);
	ms = sim_world_next_tick_ms(sh->world, now_us / 1000);
	if (ms < 0 || ms > 100)
		ms = 100;
	return now_us + (uint64_t)ms * 1000;
}

/* Runs until a signal; -1 when the terminal failed. */
static int
shell_loop(struct shell *sh)
{
	struct pollfd	 pfd[SHELL_POLLFDS];
	struct timespec	 ts;
	uint64_t	 now_us, next_us, tick_us, t;
	char		 buf[16];
	int		 n, nctl, r;

	now_us = mono_us();
	tick_us = shell_tick(sh, now_us);
	bus_service(sh->bus, 0, now_us);
	for (;;) {
		pfd[0].fd = shell_sigpipe[0];
		pfd[0].events = POLLIN;
		pfd[0].revents = 0;
		bus_pollfd(sh->bus, &pfd[1]);
		nctl = ctlsock_pollfds(sh->ctl, &pfd[2], SHELL_POLLFDS - 2);
		n = 2 + nctl;

		now_us = mono_us();
		next_us = tick_us;
		if ((t = bus_next_us(sh->bus)) < next_us)
			next_us = t;
		if ((t = ctlsock_next_us(sh->ctl)) < next_us)
			next_us = t;
		t = next_us > now_us ? next_us - now_us : 0;
		ts.tv_sec = (time_t)(t / 1000000);
		ts.tv_nsec = (long)(t % 1000000) * 1000;
		r = ppoll(pfd, (nfds_t)n, &ts, NULL);
		if (r < 0 && errno != EINTR)
			return -1;
		if (r < 0)
			continue;
		if (pfd[0].revents & POLLIN) {
			(void)!read(shell_sigpipe[0], buf, sizeof buf);
			return 0;
		}

		now_us = mono_us();
		if (now_us >= tick_us)
			tick_us = shell_tick(sh, now_us);
		bus_service(sh->bus, pfd[1].revents, now_us);
		if (bus_error(sh->bus) != NULL)
			return -1;
		ctlsock_service(sh->ctl, &pfd[2], nctl, mono_us());
	}
}

static int
shell_mkdir(const char *dir)
{
	struct stat	st;

	if (mkdir(dir, 0700) == 0)
		return 0;
	if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (errno == EEXIST)
		errno = ENOTDIR;
	fprintf(stderr, _("pilesim: cannot create data folder '%s': %s\n"), dir,
	    strerror(errno));
	return -1;
}

/* What the command line asks for. */
struct sim_args {
	struct sim_config	 cfg;
	struct bus_config	 bcfg;
	const char		*dir;
	char			*link;
	double			 ber, drop, trunc, drop_bcast;
	double			 drop_pile[256];
	unsigned		 latency_ms;
	uint64_t		 seed;
};

enum { OPT_DEVICE = 256, OPT_PACE, OPT_LATENCY, OPT_CLOCK, OPT_FROZEN, OPT_WL,
	OPT_REC, OPT_POLICY, OPT_SEED, OPT_BER, OPT_DROP, OPT_TRUNC, OPT_DROP_BCAST,
	OPT_DROP_PILE, OPT_PROTOCOL, OPT_FRAMES, OPT_PARITY, OPT_STOP, OPT_SERIAL };

static const struct option sim_longopts[] = {
	{ "data", required_argument, NULL, 'd' },
	{ "piles", required_argument, NULL, 'n' },
	{ "baud", required_argument, NULL, 'b' },
	{ "parity", required_argument, NULL, OPT_PARITY },
	{ "stop-bits", required_argument, NULL, OPT_STOP },
	{ "framing", required_argument, NULL, 's' },
	{ "link", required_argument, NULL, 'l' },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "pace", no_argument, NULL, OPT_PACE },
	{ "latency-ms", required_argument, NULL, OPT_LATENCY },
	{ "clock", required_argument, NULL, OPT_CLOCK },
	{ "frozen-clock", no_argument, NULL, OPT_FROZEN },
	{ "wl-capacity", required_argument, NULL, OPT_WL },
	{ "record-capacity", required_argument, NULL, OPT_REC },
	{ "full-policy", required_argument, NULL, OPT_POLICY },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "ber", required_argument, NULL, OPT_BER },
	{ "drop", required_argument, NULL, OPT_DROP },
	{ "truncate", required_argument, NULL, OPT_TRUNC },
	{ "drop-broadcast", required_argument, NULL, OPT_DROP_BCAST },
	{ "drop-pile", required_argument, NULL, OPT_DROP_PILE },
	{ "protocol", required_argument, NULL, OPT_PROTOCOL },
	{ "frames", required_argument, NULL, OPT_FRAMES },
	{ "serial", required_argument, NULL, OPT_SERIAL },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* --protocol V (every pile) or ADDR:V (that pile alone: a bus of old and
 * new piles); V is 1.0 or 1.1. */
static int
sim_opt_protocol(struct sim_config *cfg, const char *arg)
{
	const char	*colon = strchr(arg, ':'), *ver = colon != NULL ? colon + 1 : arg;
	unsigned	 version;
	unsigned long	 at = 0;
	char		*end;

	if (strcmp(ver, "1.0") == 0)
		version = PROTO_VERSION;
	else if (strcmp(ver, "1.1") == 0)
		version = PROTO_VERSION_1_1;
	else
		version = 0;
	if (colon != NULL) {
		errno = 0;
		at = strtoul(arg, &end, 10);
		if (end == arg || end != colon || errno != 0 || at < 1 || at > 247)
			version = 0;
	}
	if (version == 0 && colon == NULL) {
		fprintf(stderr, _("pilesim: unknown protocol '%s' (use 1.0 or 1.1)\n"),
		    arg);
		return -1;
	}
	if (version == 0) {
		fprintf(stderr, _("pilesim: invalid --protocol '%s': give 1.0, 1.1 "
		    "or ADDR:1.0\n"), arg);
		return -1;
	}
	if (colon != NULL)
		cfg->pile_protocol[at] = version;
	else
		cfg->protocol = version;
	return 0;
}

/* --serial ADDR:TEXT; TEXT is any bytes but NUL (a test's hostile serial),
 * 1 to 16 of them. */
static int
sim_opt_serial(struct sim_config *cfg, char *arg)
{
	unsigned long	 v;
	char		*end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (end == arg || *end != ':' || errno != 0 || v < 1 || v > 247 ||
	    end[1] == '\0' || strlen(end + 1) > 16) {
		fprintf(stderr, _("pilesim: invalid --serial '%s': give "
		    "ADDR:TEXT, TEXT 1 to 16 bytes\n"), arg);
		return -1;
	}
	cfg->serial[v] = end + 1;
	return 0;
}

/* The line's settings and its faults. */
static int
sim_opt_line(struct sim_args *a, int c, char *arg)
{
	struct bus_config	*b = &a->bcfg;
	unsigned long		 v;
	unsigned		 at;
	double			 rate;

	switch (c) {
	case 'b':
		if (parse_uint("--baud", arg, 1, 4000000, &v) != 0)
			return -1;
		if (bus_baud_valid((unsigned)v) != 0) {
			fprintf(stderr, _("pilesim: unsupported baud rate '%s' "
			    "(use 1200, 2400, 4800, 9600, 19200, 38400, 57600, "
			    "115200, 230400, 460800, 921600 ...)\n"), arg);
			return -1;
		}
		b->baud = (unsigned)v;
		return 0;
	case OPT_PARITY:
		if (proto_parse_parity(arg, &b->parity) != 0) {
			fprintf(stderr, _("pilesim: invalid parity '%s': use none, "
			    "even or odd\n"), arg);
			return -1;
		}
		return 0;
	case OPT_STOP:
		if (parse_uint("--stop-bits", arg, 1, 2, &v) != 0)
			return -1;
		b->stop_bits = (unsigned)v;
		return 0;
	case 's':
		if (proto_parse_framing(arg, &b->parity, &b->stop_bits) != 0) {
			fprintf(stderr, _("pilesim: invalid framing '%s': give data "
			    "bits, parity and stop bits like 8E1, 8N1, 8N2 or 8O1\n"),
			    arg);
			return -1;
		}
		return 0;
	case OPT_LATENCY:
		if (parse_uint("--latency-ms", arg, 0, 60000, &v) != 0)
			return -1;
		a->latency_ms = (unsigned)v;
		return 0;
	case OPT_SEED:
		if (parse_uint("--seed", arg, 0, ULONG_MAX, &v) != 0)
			return -1;
		a->seed = v;
		return 0;
	case OPT_BER:
		return parse_rate("--ber", arg, &a->ber);
	case OPT_DROP:
		return parse_rate("--drop", arg, &a->drop);
	case OPT_TRUNC:
		return parse_rate("--truncate", arg, &a->trunc);
	case OPT_DROP_BCAST:
		return parse_rate("--drop-broadcast", arg, &a->drop_bcast);
	case OPT_DROP_PILE:
		if (line_parse_pile_rate(arg, &at, &rate) != 0) {
			fprintf(stderr, _("pilesim: invalid --drop-pile '%s': "
			    "give ADDR:RATE, e.g. 3:0.05\n"), arg);
			return -1;
		}
		a->drop_pile[at] = rate;
		return 0;
	}
	return 1;
}

/* The piles' settings. */
static int
sim_opt_piles(struct sim_config *cfg, int c, char *arg)
{
	unsigned long	 v;

	switch (c) {
	case 'n':
		if (parse_uint("--piles", arg, 1, SHELL_MAX_PILES, &v) != 0)
			return -1;
		cfg->npiles = (int)v;
		return 0;
	case OPT_CLOCK:
		if (parse_uint("--clock", arg, 1, UINT32_MAX, &v) != 0)
			return -1;
		cfg->start_clock = (uint32_t)v;
		return 0;
	case OPT_FROZEN:
		cfg->frozen_clock = 1;
		return 0;
	case OPT_SERIAL:
		return sim_opt_serial(cfg, arg);
	case OPT_WL:
		if (parse_uint("--wl-capacity", arg, 1, 1000000, &v) != 0)
			return -1;
		cfg->wl_capacity = (uint32_t)v;
		return 0;
	case OPT_REC:
		if (parse_uint("--record-capacity", arg, 1, 1000000, &v) != 0)
			return -1;
		cfg->rec_capacity = (uint32_t)v;
		return 0;
	case OPT_POLICY:
		if (strcmp(arg, "refuse") == 0)
			cfg->full_policy = PROTO_FULL_REFUSE;
		else if (strcmp(arg, "unrecorded") == 0)
			cfg->full_policy = PROTO_FULL_UNRECORDED;
		else {
			fprintf(stderr, _("pilesim: unknown full policy '%s' (use "
			    "refuse or unrecorded)\n"), arg);
			return -1;
		}
		cfg->set_full_policy = 1;
		return 0;
	case OPT_PROTOCOL:
		return sim_opt_protocol(cfg, arg);
	}
	return 1;
}

/* Fills a from the command line: -1 to run, else the exit status (0 after
 * --help, 2 for a usage error, said on stderr). */
static int
sim_args_parse(struct sim_args *a, int argc, char **argv)
{
	int	c, rc;

	memset(a, 0, sizeof *a);
	a->cfg.npiles = 1;
	a->cfg.wl_capacity = 10000;
	a->bcfg.baud = 115200;
	a->bcfg.parity = 'E';
	a->bcfg.stop_bits = 1;
	a->seed = 1;
	while ((c = getopt_long(argc, argv, "d:n:b:l:s:h", sim_longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			a->dir = optarg;
			continue;
		case 'l':
			a->link = optarg;
			continue;
		case OPT_DEVICE:
			a->bcfg.device = optarg;
			continue;
		case OPT_PACE:
			a->bcfg.pace = 1;
			continue;
		case OPT_FRAMES:
			a->bcfg.frames = optarg;
			continue;
		case 'h':
			usage(stdout);
			return 0;
		case '?':
			usage(stderr);
			return 2;
		}
		if ((rc = sim_opt_line(a, c, optarg)) == 1)
			rc = sim_opt_piles(&a->cfg, c, optarg);
		if (rc != 0) {
			if (rc == 1)
				usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, _("pilesim: unexpected argument '%s'\n"), argv[optind]);
		usage(stderr);
		return 2;
	}
	if (a->dir == NULL) {
		fprintf(stderr, "%s", _("pilesim: missing --data DIR (the folder "
		    "that keeps the piles' state)\n"));
		usage(stderr);
		return 2;
	}
	if (a->bcfg.device != NULL && a->link != NULL) {
		fprintf(stderr, "%s", _("pilesim: --link and --device exclude each "
		    "other (the link points at a pseudo-terminal)\n"));
		return 2;
	}
	return -1;
}

/* Opens the control socket, the world and the bus, serves until a signal
 * or a failure; the exit status. */
static int
sim_run(struct sim_args *a)
{
	struct shell	 sh;
	char		*cause = NULL, *deflink = NULL, *sockpath;
	int		 rc;

	memset(&sh, 0, sizeof sh);
	if (shell_mkdir(a->dir) != 0)
		return 1;
	a->cfg.dir = a->dir;
	sh.npiles = a->cfg.npiles;
	line_init(&sh.line, a->seed);
	sh.line.ber = a->ber;
	sh.line.drop = a->drop;
	sh.line.truncate = a->trunc;
	sh.line.drop_broadcast = a->drop_bcast;
	memcpy(sh.line.drop_pile, a->drop_pile, sizeof a->drop_pile);
	sh.line.latency_ms = a->latency_ms;

	if (shell_signals(&cause) != 0)
		goto fail;
	/* The socket first: it tells whether another pilesim owns the folder
	 * before this one touches the world's files. */
	sockpath = xasprintf("%s/%s", a->dir, SHELL_SOCKET_NAME);
	sh.ctl = ctlsock_open(sockpath, shell_ctl, &sh, &cause);
	free(sockpath);
	if (sh.ctl == NULL)
		goto fail;
	sh.world = sim_world_open(&a->cfg, &cause);
	if (sh.world == NULL)
		goto fail;
	a->bcfg.link = a->link;
	if (a->bcfg.device == NULL && a->bcfg.link == NULL)
		a->bcfg.link = deflink = xasprintf("%s/bus", a->dir);
	sh.bus = bus_open(&a->bcfg, sh.world, &sh.line, &cause);
	if (sh.bus == NULL)
		goto fail;

	if (a->bcfg.device != NULL)
		printf(_("pilesim: %d piles on %s, %u baud 8%c%u\n"), sh.npiles,
		    bus_tty_name(sh.bus), a->bcfg.baud, a->bcfg.parity,
		    a->bcfg.stop_bits);
	else
		printf(_("pilesim: %d piles on %s (%s), %u baud 8%c%u\n"), sh.npiles,
		    a->bcfg.link, bus_tty_name(sh.bus), a->bcfg.baud,
		    a->bcfg.parity, a->bcfg.stop_bits);
	printf(_("pilesim: control socket %s/%s, keys in %s/keys.yaml\n"), a->dir,
	    SHELL_SOCKET_NAME, a->dir);
	fflush(stdout);

	rc = shell_loop(&sh);
	if (rc != 0) {
		if (bus_error(sh.bus) != NULL)
			fprintf(stderr, "pilesim: %s\n", bus_error(sh.bus));
		else
			fprintf(stderr, _("pilesim: cannot wait for input: %s\n"),
			    strerror(errno));
	}
	bus_close(sh.bus);
	ctlsock_close(sh.ctl);
	sim_world_close(sh.world);
	free(deflink);
	return rc == 0 ? 0 : 1;

fail:
	fprintf(stderr, "pilesim: %s\n", cause);
	free(cause);
	bus_close(sh.bus);
	ctlsock_close(sh.ctl);
	if (sh.world != NULL)
		sim_world_close(sh.world);
	free(deflink);
	return 1;
}

int
main(int argc, char **argv)
{
	struct sim_args	a;
	int		rc;

	setlocale(LC_ALL, "");
	bindtextdomain(PACKAGE, LOCALEDIR);
	textdomain(PACKAGE);

	if (argc > 1 && strcmp(argv[1], "ctl") == 0)
		return ctl_client_main(argc - 1, argv + 1);
	if ((rc = sim_args_parse(&a, argc, argv)) >= 0)
		return rc;
	return sim_run(&a);
}
