/* tui.c - the console's main loop: one poll() over the terminal, the link
 * and a self-pipe for signals, with timers from the pile scheduler
 * (piles.c). Keys go to the ':' line when it is open, else through the key
 * table to the console or the view on screen. */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "batch/batch.h"
#include "common.h"
#include "tui.h"

#define TUI_SCAN_TIMEOUT_MS	100	/* a pile answers in a few ms or not at all */

/* Every view, for init and free. */
static const struct tui_view *const tui_views[] = {
	&tui_view_bus, &tui_view_dashboard, &tui_view_whitelist, &tui_view_records,
	&tui_view_events, &tui_view_help, &tui_view_line, &tui_view_connect
};

static volatile sig_atomic_t	 tui_sig_quit, tui_sig_winch;
static int			 tui_sigpipe[2] = { -1, -1 };

uint64_t
tui_now_ms(void)
{
	return (mono_ms());
}

/* ---- leaving the terminal as we found it ----------------------------------- */

static void
tui_restore(void)
{
	if (!isendwin()) {
		curs_set(1);
		endwin();
	}
}

static void
tui_crash(int sig)
{
	/* endwin() is not async-signal-safe, but a crashing process has
	 * nothing left to protect and a dead terminal helps nobody (htop). */
	tui_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
tui_signal(int sig)
{
	int	saved = errno;

	if (sig == SIGWINCH)
		tui_sig_winch = 1;
	else
		tui_sig_quit = sig;
	if (tui_sigpipe[1] != -1)
		(void)!write(tui_sigpipe[1], "", 1);
	errno = saved;
}

static void
tui_signals(void)
{
	struct sigaction	sa;
	static const int	crash[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	size_t			i;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = tui_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGWINCH, &sa, NULL);
	sa.sa_handler = tui_crash;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	for (i = 0; i < nitems(crash); i++)
		sigaction(crash[i], &sa, NULL);
}

/* ---- keys ----------------------------------------------------------------- */

void
tui_show_view(struct tui *t, const struct tui_view *v)
{
	if (v != &tui_view_help)
		t->back = v;
	t->view = v;
	if (v->enter != NULL)
		v->enter(t);
	t->dirty = 1;
}

/* Actions that mean the same in every view; 1 when a is one of them. */
static int
tui_global_action(struct tui *t, enum tui_action a)
{
	static const struct {
		enum tui_action		 a;
		const struct tui_view	*v;
	} views[] = {
		{ TUI_A_VIEW_BUS, &tui_view_bus },
		{ TUI_A_VIEW_DASHBOARD, &tui_view_dashboard },
		{ TUI_A_VIEW_WHITELIST, &tui_view_whitelist },
		{ TUI_A_VIEW_RECORDS, &tui_view_records },
		{ TUI_A_VIEW_EVENTS, &tui_view_events },
		{ TUI_A_VIEW_LINE, &tui_view_line },
		{ TUI_A_VIEW_CONNECT, &tui_view_connect },
	};
	size_t	i;

	for (i = 0; i < nitems(views); i++) {
		if (views[i].a == a) {
			tui_show_view(t, views[i].v);
			return (1);
		}
	}
	switch (a) {
	case TUI_A_QUIT:
		t->quit = 1;
		return (1);
	case TUI_A_HELP:
		tui_show_view(t, t->view == &tui_view_help ? t->back : &tui_view_help);
		return (1);
	case TUI_A_COMMAND:
		tui_command_open(t);
		return (1);
	case TUI_A_NEXT_PILE:
		tui_select_pile(t, 1);
		return (1);
	case TUI_A_PREV_PILE:
		tui_select_pile(t, -1);
		return (1);
	case TUI_A_REDRAW:
		clearok(curscr, TRUE);
		t->dirty = 1;
		return (1);
	default:
		return (0);
	}
}

/* Esc: stops a switch to another port that is connecting, else the job in
 * the foreground, else leaves the help screen. */
static void
tui_cancel(struct tui *t)
{
	if (tui_link_switch_cancel(t))
		return;
	if (t->fg != NULL)
		tui_job_cancel(t);
	else if (t->view == &tui_view_help)
		tui_show_view(t, t->back);
}

static void
tui_action(struct tui *t, enum tui_action a, int key)
{
	const struct tui_action_info	*ai;
	char				 name[32];

	if (tui_global_action(t, a) || t->view->action(t, a))
		return;
	if (a == TUI_A_CANCEL) {
		tui_cancel(t);
		return;
	}
	if (a == TUI_A_NONE) {
		tui_key_name(key, name, sizeof name);
		tui_event(t, TUI_INFO, _("key '%s' does nothing here (press ? for the keys)"), name);
		return;
	}
	ai = tui_action_info(a);
	tui_event(t, TUI_INFO, _("'%s' does nothing in the %s view (press ? for the keys)"),
	    ai->name, _(t->view->name));
}

static void
tui_keys_read(struct tui *t)
{
	wint_t	wc;
	int	rc, key;

	while ((rc = get_wch(&wc)) != ERR) {
		if (rc == KEY_CODE_YES && wc == KEY_RESIZE) {
			t->dirty = 1;
			continue;
		}
		key = rc == KEY_CODE_YES ? (int)(TUI_KEY_FN | wc) : (int)wc;
		t->touched = 1;
		t->dirty = 1;
		if (t->line.active && tui_line_key(t, key))
			continue;
		tui_action(t, tui_key_action(key), key);
		if (t->quit)
			return;
	}
}

/* ---- start and end ---------------------------------------------------------- */

static int
tui_connect(struct tui *t)
{
	struct cmd_ctx		*ctx = t->ctx;
	struct pile_bus_opts	 sbo;
	FILE			*saved = ctx->err;
	char			*msg = NULL;
	size_t		 len = 0;
	FILE		*mem;

	/* cmd_pile may say why it cannot open the port; that must reach the
	 * terminal before curses takes it. */
	if ((mem = open_memstream(&msg, &len)) != NULL)
		ctx->err = mem;
	cmd_pile(ctx);
	ctx->err = saved;
	if (mem != NULL) {
		fclose(mem);
		if (ctx->bus == NULL && ctx->pile == NULL)
			fputs(msg, saved);
	}
	if (ctx->pile != NULL)
		t->bus = pile_bus(ctx->pile);
	else
		t->bus = ctx->bus;
	if (t->bus == NULL) {
		free(msg);
		return (-1);
	}
	sbo.timeout_ms = TUI_SCAN_TIMEOUT_MS;
	sbo.retries = 0;
	sbo.no_fc23 = ctx->opts.no_fc23;
	t->scan_bus = pile_bus_new(pile_bus_link(t->bus), &sbo);
	tui_line_trace_attach(t, t->bus);
	tui_line_trace_attach(t, t->scan_bus);
	if (ctx->have_identity)
		t->identity_reads = 1;	/* cmd_pile read it on this bus */
	if (msg != NULL && *msg != '\0') {
		msg[strcspn(msg, "\n")] = '\0';
		tui_event(t, TUI_WARN, "%s", msg);
	}
	free(msg);
	return (0);
}

static void
tui_free(struct tui *t)
{
	size_t	i;

	tui_discover_free(t);	/* keeps the bus in the config */
	tui_share_close(t);
	tui_jobs_free(t);
	tui_piles_free(t);
	tui_link_free(t);
	for (i = 0; i < nitems(tui_views); i++) {
		if (tui_views[i]->free != NULL)
			tui_views[i]->free(t);
	}
	free(t->message);
	if (t->scan_bus != NULL)
		pile_bus_free(t->scan_bus);
	tui_keys_free();
}

/* Curses on, signals to the self-pipe; -1 with a message on ctx->err. */
static int
tui_screen_start(struct tui *t)
{
	int	i;

	if (pipe(tui_sigpipe) != 0) {
		fprintf(t->ctx->err, "pilecon: %s\n", strerror(errno));
		return (-1);
	}
	for (i = 0; i < 2; i++)
		fcntl(tui_sigpipe[i], F_SETFL, fcntl(tui_sigpipe[i], F_GETFL) | O_NONBLOCK);
	atexit(tui_restore);
	if (initscr() == NULL) {
		fprintf(t->ctx->err, "pilecon: %s\n", _("cannot start the console on this terminal: check TERM"));
		return (-1);
	}
	tui_signals();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	tui_colours_init(t);
	return (0);
}

static void
tui_screen_end(void)
{
	tui_restore();
	signal(SIGWINCH, SIG_DFL);
	if (tui_sigpipe[0] != -1) {
		close(tui_sigpipe[0]);
		close(tui_sigpipe[1]);
	}
	tui_sigpipe[0] = tui_sigpipe[1] = -1;
}

#define TUI_POLL_FIXED	3	/* terminal, signals, the console's own transaction */
#define TUI_POLL_JOBS	8
#define TUI_POLL_SHARE	17	/* the socket and 16 connections */

/* One turn: start what is due on the bus, draw, sleep in poll() until a
 * key, a byte from the pile, a signal, a timer or a connection, then handle
 * it. 0 to go on, -1 to leave. */
static int
tui_turn(struct tui *t)
{
	struct pollfd	pfd[TUI_POLL_FIXED + TUI_POLL_JOBS + TUI_POLL_SHARE];
	char		c[64];
	int		n, nj, ns, ms, jms, keyed = 0;

	if (tui_sig_quit != 0) {
		if (tui_sig_quit != SIGINT || !t->line.active)
			return (-1);
		tui_sig_quit = 0;
		tui_line_key(t, 3);	/* Ctrl-C cancels the line */
		return (0);
	}
	if (tui_sig_winch) {
		tui_sig_winch = 0;
		tui_resize(t);
	}
	tui_link_retry(t);
	tui_schedule(t);
	tui_piles_scan_check(t);
	if (t->dirty)
		tui_draw(t);
	pfd[0].fd = STDIN_FILENO;
	pfd[0].events = POLLIN;
	pfd[1].fd = tui_sigpipe[0];
	pfd[1].events = POLLIN;
	pfd[2].fd = t->xkind != TUI_X_NONE ? link_fd(pile_bus_link(t->bus)) : -1;
	pfd[2].events = POLLIN;
	if (t->link_connecting) {	/* a tcp: reopen: writable once connected */
		pfd[2].fd = link_connect_fd(pile_bus_link(t->bus), &pfd[2].events);
	}
	ms = tui_records_step(t) ? 0 : tui_timeout_ms(t);
	nj = tui_jobs_pollfds(t, pfd + TUI_POLL_FIXED, TUI_POLL_JOBS, &jms);
	/* A job held at the gate waits for what opens it, which ms covers. */
	if (jms >= 0 && jms < ms && tui_bus_gate(t, t->bus))
		ms = jms;
	ns = tui_share_pollfds(t, pfd + TUI_POLL_FIXED + nj, TUI_POLL_SHARE);
	n = poll(pfd, (nfds_t)(TUI_POLL_FIXED + nj + ns), ms);
	if (n < 0 && errno != EINTR)
		return (-1);
	if (n > 0 && (pfd[1].revents & POLLIN))
		while (read(tui_sigpipe[0], c, sizeof c) > 0)
			;
	if (n > 0 && (pfd[0].revents & (POLLIN | POLLHUP))) {
		tui_keys_read(t);
		keyed = 1;
	}
	if (n > 0 && (pfd[0].revents & POLLHUP))
		return (-1);
	/* A key's answer goes on screen before the jobs take their turn. */
	if (keyed && t->dirty && !t->quit)
		tui_draw(t);
	tui_xfer_step(t);
	tui_jobs_step(t);
	if (n > 0)
		tui_share_io(t, pfd + TUI_POLL_FIXED + nj, ns);
	/* Second-resolution counters on screen. */
	t->dirty = 1;
	return (0);
}

int
tui_main(struct cmd_ctx *ctx)
{
	struct tui	 t;
	char		*cause = NULL;
	size_t		 i;

	memset(&t, 0, sizeof t);
	t.ctx = ctx;
	t.cur = -1;
	for (i = 0; i < nitems(tui_views); i++) {
		if (tui_views[i]->init != NULL)
			tui_views[i]->init(&t);
	}
	setlocale(LC_ALL, "");
	if (tui_keys_init(&cause) != 0) {
		fprintf(ctx->err, "pilecon: %s\n", cause);
		free(cause);
		tui_free(&t);
		return (EXIT_USAGE);
	}
	if (tui_connect(&t) != 0) {
		tui_free(&t);
		return (EXIT_NO_ANSWER);
	}
	tui_jobs_init(&t);
	tui_link_init(&t);
	tui_piles_scan(&t, ctx->opts.addr > 0 ? ctx->opts.addr : 1);
	tui_share_open(&t);
	if (tui_screen_start(&t) != 0) {
		tui_screen_end();
		tui_free(&t);
		return (EXIT_FAILED);
	}
	tui_history_open();
	tui_show_view(&t, &tui_view_bus);

	while (!t.quit && tui_turn(&t) == 0)
		;

	/* Jobs stop at their next safe point: nothing is left half-applied. */
	if (tui_jobs_running(&t) > 0) {
		tui_event(&t, TUI_WARN, _("stopping %d running jobs before leaving"),
		    tui_jobs_running(&t));
		tui_draw(&t);
		tui_jobs_stop_all(&t, 10000);
	}
	tui_share_close(&t);
	tui_bus_drain(&t);
	tui_history_close();
	tui_screen_end();
	tui_free(&t);
	if (tui_sig_quit == SIGTERM || tui_sig_quit == SIGHUP) {
		signal(tui_sig_quit, SIG_DFL);
		raise(tui_sig_quit);
	}
	return (EXIT_OK);
}
