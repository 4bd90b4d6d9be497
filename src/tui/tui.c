/* tui.c - the console's main loop: one poll() over the terminal, the link,
 * a self-pipe for signals and timers. Pile traffic is one asynchronous
 * transaction at a time (pile_bus_start/step); long work (a log pull, a
 * whitelist load) advances one window per turn, so keys stay live. */
#include "config.h"

#include <sys/ioctl.h>

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "batch/batch.h"
#include "common.h"
#include "tui.h"

#define TUI_SCAN_LAST		8	/* start-up scan: addresses 1..8 */
#define TUI_REFRESH_MS		500	/* the watched pile: at least 2/s */
#define TUI_BUS_REFRESH_MS	1000	/* each pile in the bus view */
#define TUI_RETRY_MS		1000	/* a silent pile */
#define TUI_MESSAGE_S		15
#define TUI_SCAN_TIMEOUT_MS	100	/* a pile answers in a few ms or not at all */

static struct tui		*tui_global;
static volatile sig_atomic_t	 tui_sig_quit, tui_sig_winch;
static int			 tui_sigpipe[2] = { -1, -1 };

uint64_t
tui_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
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

/* ---- events and the message line ------------------------------------------ */

void
tui_event(struct tui *t, enum tui_level level, const char *fmt, ...)
{
	struct tui_event	*e;
	va_list			 ap;
	int			 i;

	if (t->nevents == TUI_EVENTS_MAX) {
		free(t->events[t->event_first].text);
		t->event_first = (t->event_first + 1) % TUI_EVENTS_MAX;
		t->nevents--;
	}
	i = (t->event_first + t->nevents) % TUI_EVENTS_MAX;
	e = &t->events[i];
	e->t = time(NULL);
	e->level = level;
	va_start(ap, fmt);
	e->text = xvasprintf(fmt, ap);
	va_end(ap);
	t->nevents++;
	free(t->message);
	t->message = xstrdup(e->text);
	t->message_level = level;
	t->message_at = e->t;
	t->dirty = 1;
}

/* ---- piles ------------------------------------------------------------------ */

const char *
tui_pile_name(const struct tui_pile *p, char *buf, size_t len)
{
	if (p->have_id && p->id.serial[0] != '\0')
		snprintf(buf, len, "%s", p->id.serial);
	else
		snprintf(buf, len, _("address %u"), p->addr);
	return (buf);
}

struct tui_pile *
tui_cur(struct tui *t)
{
	if (t->cur < 0 || t->cur >= t->npiles)
		return (NULL);
	return (&t->piles[t->cur]);
}

uint32_t
tui_pile_clock(const struct tui_pile *p)
{
	if (!p->have_live)
		return (0);
	return (p->live.clock + (uint32_t)(time(NULL) - p->live_at));
}

struct tui_pile *
tui_pile_add(struct tui *t, uint8_t addr, int scanned)
{
	struct tui_pile	*p;
	int		 i, at;

	for (i = 0; i < t->npiles; i++) {
		if (t->piles[i].addr == addr) {
			if (!scanned)
				t->piles[i].scanned = 0;
			return (&t->piles[i]);
		}
	}
	for (at = 0; at < t->npiles && t->piles[at].addr < addr; at++)
		;
	t->piles = xrealloc(t->piles, (t->npiles + 1) * sizeof *t->piles);
	memmove(&t->piles[at + 1], &t->piles[at], (t->npiles - at) * sizeof *t->piles);
	t->npiles++;
	if (t->cur >= at)
		t->cur++;
	if (t->xkind != TUI_X_NONE && t->xpile >= at)
		t->xpile++;
	p = &t->piles[at];
	memset(p, 0, sizeof *p);
	p->addr = addr;
	p->scanned = scanned;
	if (t->ctx->pile != NULL && pile_addr(t->ctx->pile) == addr)
		p->pile = t->ctx->pile;
	else {
		p->pile = pile_new(t->bus, addr);
		p->own = 1;
	}
	if (t->cur < 0)
		t->cur = at;
	t->dirty = 1;
	return (p);
}

static void
tui_pile_remove(struct tui *t, int i)
{
	struct tui_pile	*p = &t->piles[i];

	if (p->own)
		pile_free(p->pile);
	free(p->error);
	memmove(p, p + 1, (t->npiles - i - 1) * sizeof *p);
	t->npiles--;
	if (t->cur > i || t->cur >= t->npiles)
		t->cur--;
	if (t->cur < 0 && t->npiles > 0)
		t->cur = 0;
	t->dirty = 1;
}

/* Which piles the screen shows: every one on the bus view, else the
 * selected one, so a dashboard refresh costs exactly one transaction. */
static int
tui_watched(struct tui *t, int i)
{
	if (!t->piles[i].have_id)
		return (1);
	if (t->view == &tui_view_bus)
		return (1);
	return (i == t->cur);
}

static int
tui_period_ms(struct tui *t)
{
	return (t->view == &tui_view_bus ? TUI_BUS_REFRESH_MS : TUI_REFRESH_MS);
}

static void
tui_identity_request(struct tui_pile *p, struct pile_xfer *x)
{
	memset(&x->req, 0, sizeof x->req);
	x->req.unit = p->addr;
	x->req.fc = PROTO_FC_READ_HOLDING;
	x->req.read_addr = PROTO_IDENTITY_ADDR;
	x->req.read_count = PROTO_IDENTITY_COUNT;
}

static void
tui_load_key(struct tui *t, struct tui_pile *p)
{
	uint8_t	 key[PROTO_KEY_BYTES];
	char	*cause = NULL;

	if (t->ctx->opts.keys_file == NULL)
		return;
	if (keys_lookup(t->ctx->opts.keys_file, p->id.serial, key, &cause) == 0)
		pile_set_key(p->pile, key);
	else {
		tui_event(t, TUI_WARN, _("writes to %s will be refused: %s"), p->id.serial, cause);
		free(cause);
	}
	memset(key, 0, sizeof key);
}

static void
tui_xfer_done(struct tui *t)
{
	struct tui_pile		*p = &t->piles[t->xpile];
	struct proto_live	 live;
	char			*cause = NULL, name[64], span[32];
	enum tui_xfer_kind	 kind = t->xkind;
	int			 rc = t->xfer.status;
	uint64_t		 now = tui_now_ms();

	t->xkind = TUI_X_NONE;
	t->dirty = 1;
	t->quiet_us = tui_now_ms() * 1000 + link_t35_us(link_params(pile_bus_link(t->bus)));
	if (rc == 0 && kind == TUI_X_IDENTITY) {
		if (t->xfer.resp.nregs < PROTO_IDENTITY_COUNT)
			rc = set_cause(&cause, PILE_E_PROTOCOL,
			    _("short identity block from address %u"), p->addr);
		else {
			proto_identity_decode(t->xfer.resp.regs, &p->id);
			if (t->xbus == t->bus)
				t->identity_reads++;
			p->have_id = 1;
			p->due_ms = now;
			tui_event(t, TUI_OK, _("found %s at address %u (%s %s, firmware %s)"),
			    p->id.serial, p->addr, p->id.vendor, p->id.model, p->id.firmware);
			tui_load_key(t, p);
		}
	} else if (rc == 0 && kind == TUI_X_LIVE) {
		rc = pile_live_parse(&t->xfer, &live, &cause);
		if (rc == 0) {
			p->prev = p->live;
			p->have_prev = p->have_live;
			p->live = live;
			p->have_live = 1;
			p->live_at = time(NULL);
			p->refreshes++;
		}
	} else if (rc < 0) {
		cause = t->xfer.cause;
		t->xfer.cause = NULL;
	}
	pile_xfer_reset(&t->xfer);

	if (rc == 0) {
		if (p->silent_since_ms != 0)
			tui_event(t, TUI_OK, _("%s answers again after %s"),
			    tui_pile_name(p, name, sizeof name),
			    tui_fmt_span((long)((now - p->silent_since_ms) / 1000), span, sizeof span));
		p->silent_since_ms = 0;
		free(p->error);
		p->error = NULL;
		return;
	}
	if (p->scanned && !p->have_id) {
		/* Nobody at this address: the scan just moves on. */
		free(cause);
		tui_pile_remove(t, t->xpile);
		return;
	}
	p->due_ms = now + TUI_RETRY_MS;
	if (p->silent_since_ms == 0) {
		p->silent_since_ms = t->xstarted_ms;
		tui_event(t, TUI_ERROR, "%s", cause != NULL ? cause : _("no answer"));
	}
	free(p->error);
	p->error = cause;
}

static void
tui_xfer_step(struct tui *t)
{
	if (t->xkind == TUI_X_NONE)
		return;
	if (pile_bus_step(t->xbus, &t->xfer) != PILE_XFER_PENDING)
		tui_xfer_done(t);
}

void
tui_bus_drain(struct tui *t)
{
	struct pollfd	pfd;
	int		ms;

	while (t->xkind != TUI_X_NONE) {
		ms = pile_bus_wait_ms(t->xbus, &t->xfer);
		pfd.fd = link_fd(pile_bus_link(t->bus));
		pfd.events = POLLIN;
		if (ms != 0)
			poll(&pfd, 1, ms < 0 ? 50 : ms);
		tui_xfer_step(t);
	}
}

/* Starts the next transaction when the bus is free: a due live read first
 * (the screen must stay fresh), else one step of the running job. */
static void
tui_schedule(struct tui *t)
{
	struct tui_pile	*p;
	uint64_t	 now = tui_now_ms();
	int		 i, best = -1, rc;

	if (t->xkind != TUI_X_NONE || t->bus == NULL)
		return;
	/* Two pile_bus objects share the link: keep the Modbus silence
	 * between frames across them (each only knows its own). */
	if (now * 1000 < t->quiet_us)
		return;
	for (i = 0; i < t->npiles; i++) {
		if (!tui_watched(t, i) || t->piles[i].due_ms > now)
			continue;
		if (best < 0 || t->piles[i].due_ms < t->piles[best].due_ms)
			best = i;
	}
	if (best < 0) {
		if (t->job != NULL) {
			rc = t->job(t);
			t->dirty = 1;
			if (rc <= 0) {
				t->job = NULL;
				t->job_stop = NULL;
				t->job_name = NULL;
			}
		}
		return;
	}
	p = &t->piles[best];
	pile_xfer_reset(&t->xfer);
	t->xbus = t->bus;
	if (!p->have_id) {
		tui_identity_request(p, &t->xfer);
		t->xkind = TUI_X_IDENTITY;
		/* The start-up scan asks once with a short timeout, so empty
		 * addresses cost 0.1 s each rather than three full timeouts. */
		if (p->scanned && t->scan_bus != NULL)
			t->xbus = t->scan_bus;
	} else {
		pile_live_request(p->pile, &t->xfer);
		t->xkind = TUI_X_LIVE;
	}
	t->xpile = best;
	t->xstarted_ms = now;
	p->due_ms = now + tui_period_ms(t);
	if (pile_bus_start(t->xbus, &t->xfer) != PILE_XFER_PENDING)
		tui_xfer_done(t);
}

static int
tui_timeout_ms(struct tui *t)
{
	uint64_t	now = tui_now_ms();
	int		ms = 1000, i, w;

	if (t->xkind != TUI_X_NONE) {
		w = pile_bus_wait_ms(t->xbus, &t->xfer);
		return (w < 0 ? 50 : w);
	}
	if (now * 1000 < t->quiet_us)
		return (1);
	if (t->job != NULL)
		return (0);
	for (i = 0; i < t->npiles; i++) {
		if (!tui_watched(t, i))
			continue;
		w = t->piles[i].due_ms <= now ? 0 : (int)(t->piles[i].due_ms - now);
		if (w < ms)
			ms = w;
	}
	/* Counters such as "no answer for 3 s" tick once a second. */
	w = 1000 - (int)(now % 1000);
	return (w < ms ? w : ms);
}

int
tui_start_job(struct tui *t, const char *name, int (*step)(struct tui *),
    void (*stop)(struct tui *))
{
	if (t->job != NULL) {
		tui_event(t, TUI_WARN, _("'%s' is still running: wait, or press Esc to stop it"),
		    t->job_name);
		return (-1);
	}
	t->job = step;
	t->job_stop = stop;
	t->job_name = name;
	return (0);
}

void
tui_stats(struct tui *t)
{
	const struct pile_bus_stats	*st = pile_bus_stats(t->bus);
	unsigned long			 refreshes = 0;
	int				 i;

	for (i = 0; i < t->npiles; i++)
		refreshes += t->piles[i].refreshes;
	tui_event(t, TUI_INFO, _("bus: %lu transactions, %lu timeouts, %lu CRC errors, %lu exceptions, %lu retries"),
	    st->transactions, st->timeouts, st->crc_errors, st->exceptions, st->retries);
	tui_event(t, TUI_INFO, _("bus: %lu bytes out, %lu bytes in; %lu live refreshes, %.2f transactions each"),
	    st->bytes_out, st->bytes_in, refreshes,
	    refreshes > 0 ? (double)(st->transactions - t->identity_reads) / refreshes : 0.0);
}

/* ---- screen ----------------------------------------------------------------- */

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

static void
tui_draw_title(struct tui *t)
{
	struct tui_pile	*p = tui_cur(t);
	char		 name[64], right[300];
	int		 x, attr = tui_attr(TUI_R_TITLE);

	tui_fill(0, attr);
	x = tui_putf(0, 0, COLS, attr | A_BOLD, " pilecon ");
	x += tui_putf(0, x, COLS - x, attr, " %s ", _(t->view->name));
	if (p != NULL)
		x += tui_putf(0, x, COLS - x, attr, "  %s @%u", tui_pile_name(p, name, sizeof name), p->addr);
	if (t->npiles > 1)
		x += tui_putf(0, x, COLS - x, attr, " (%d/%d)", t->cur + 1, t->npiles);
	snprintf(right, sizeof right, "%s ", link_name(pile_bus_link(t->bus)));
	if (COLS - x > utf8_width(right) + 2)
		tui_put(0, COLS - utf8_width(right), utf8_width(right), attr, right);
}

static void
tui_draw_message(struct tui *t, int y)
{
	struct tui_pile	*p = tui_cur(t);
	char		 span[32], name[64];
	static const enum tui_role roles[] = { TUI_R_NORMAL, TUI_R_OK, TUI_R_WARN, TUI_R_ERROR };

	if (t->line.active) {
		tui_line_draw(t, y);
		return;
	}
	if (p != NULL && p->silent_since_ms != 0 && t->view != &tui_view_events) {
		tui_fmt_span((long)((tui_now_ms() - p->silent_since_ms) / 1000), span, sizeof span);
		if (p->have_id)
			tui_putf(y, 0, COLS, tui_attr(TUI_R_ERROR),
			    _("no answer from address %u for %s (%s): retrying"), p->addr, span,
			    tui_pile_name(p, name, sizeof name));
		else
			tui_putf(y, 0, COLS, tui_attr(TUI_R_ERROR),
			    _("no answer from address %u for %s: retrying"), p->addr, span);
		return;
	}
	if (t->message != NULL && time(NULL) - t->message_at < TUI_MESSAGE_S)
		tui_put(y, 0, COLS, tui_attr(roles[t->message_level]), t->message);
}

static int
tui_bar_has(const enum tui_action *bar, enum tui_action a)
{
	for (; bar != NULL && *bar != TUI_A_NONE; bar++) {
		if (*bar == a)
			return (1);
	}
	return (0);
}

static void
tui_draw_bar(struct tui *t, int y)
{
	static const enum tui_action tail[] = { TUI_A_HELP, TUI_A_COMMAND, TUI_A_QUIT, TUI_A_NONE };
	const enum tui_action	*lists[2] = { t->view->bar, tail };
	const struct tui_action_info *ai;
	char			 keys[32];
	int			 x = 0, l, i, need;

	tui_fill(y, tui_attr(TUI_R_BAR));
	for (l = 0; l < 2; l++) {
		for (i = 0; lists[l] != NULL && lists[l][i] != TUI_A_NONE; i++) {
			ai = tui_action_info(lists[l][i]);
			if (l == 1 && tui_bar_has(t->view->bar, ai->action))
				continue;
			tui_action_keys(ai->action, keys, sizeof keys, 1);
			if (keys[0] == '\0')
				continue;
			/* "Enter Open  3 Cards": reads in monochrome and in a
			 * capture as well as in colour. */
			need = utf8_width(keys) + utf8_width(_(ai->label)) + 3;
			if (x + need - 2 > COLS)
				return;
			x += tui_put(y, x, COLS - x, tui_attr(TUI_R_BAR_KEY), keys);
			x += tui_put(y, x, COLS - x, tui_attr(TUI_R_BAR), " ");
			x += tui_put(y, x, COLS - x, tui_attr(TUI_R_BAR), _(ai->label));
			x += tui_put(y, x, COLS - x, tui_attr(TUI_R_BAR), "  ");
		}
	}
}

static void
tui_draw(struct tui *t)
{
	int	rows = LINES - 3;

	erase();
	tui_draw_title(t);
	if (rows > 0)
		t->view->draw(t, 1, rows);
	tui_draw_message(t, LINES - 2);
	tui_draw_bar(t, LINES - 1);
	if (t->line.active) {
		curs_set(1);
		tui_line_draw(t, LINES - 2);
	} else
		curs_set(0);
	refresh();
	t->dirty = 0;
}

static void
tui_resize(struct tui *t)
{
	struct winsize	ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
	t->dirty = 1;
}

/* ---- keys ----------------------------------------------------------------- */

static void
tui_select_pile(struct tui *t, int step)
{
	if (t->npiles == 0)
		return;
	t->cur = (t->cur + step + t->npiles) % t->npiles;
	if (t->view->enter != NULL)
		t->view->enter(t);
	t->dirty = 1;
}

static void
tui_action(struct tui *t, enum tui_action a, int key)
{
	const struct tui_action_info	*ai;
	char				 name[32];

	switch (a) {
	case TUI_A_QUIT:
		t->quit = 1;
		return;
	case TUI_A_HELP:
		tui_show_view(t, t->view == &tui_view_help ? t->back : &tui_view_help);
		return;
	case TUI_A_COMMAND:
		tui_command_open(t);
		return;
	case TUI_A_VIEW_BUS:
		tui_show_view(t, &tui_view_bus);
		return;
	case TUI_A_VIEW_DASHBOARD:
		tui_show_view(t, &tui_view_dashboard);
		return;
	case TUI_A_VIEW_WHITELIST:
		tui_show_view(t, &tui_view_whitelist);
		return;
	case TUI_A_VIEW_RECORDS:
		tui_show_view(t, &tui_view_records);
		return;
	case TUI_A_VIEW_EVENTS:
		tui_show_view(t, &tui_view_events);
		return;
	case TUI_A_NEXT_PILE:
		tui_select_pile(t, 1);
		return;
	case TUI_A_PREV_PILE:
		tui_select_pile(t, -1);
		return;
	case TUI_A_REDRAW:
		clearok(curscr, TRUE);
		t->dirty = 1;
		return;
	default:
		break;
	}
	if (t->view->action(t, a))
		return;
	if (a == TUI_A_CANCEL) {
		if (t->job != NULL) {
			tui_event(t, TUI_WARN, _("stopped '%s'"), t->job_name);
			if (t->job_stop != NULL)
				t->job_stop(t);
			t->job = NULL;
			t->job_stop = NULL;
			t->job_name = NULL;
		} else if (t->view == &tui_view_help)
			tui_show_view(t, t->back);
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
	int	i;

	for (i = 0; i < t->npiles; i++) {
		if (t->piles[i].own)
			pile_free(t->piles[i].pile);
		free(t->piles[i].error);
	}
	free(t->piles);
	for (i = 0; i < t->nevents; i++)
		free(t->events[(t->event_first + i) % TUI_EVENTS_MAX].text);
	free(t->events);
	free(t->message);
	free(t->search);
	pile_xfer_reset(&t->xfer);
	if (t->scan_bus != NULL)
		pile_bus_free(t->scan_bus);
	tui_keys_free();
}

int
tui_main(struct cmd_ctx *ctx)
{
	struct tui	 t;
	struct pollfd	 pfd[3];
	char		*cause = NULL, c[64];
	int		 i, n, first, addr;

	memset(&t, 0, sizeof t);
	t.ctx = ctx;
	t.cur = -1;
	t.events = xcalloc(TUI_EVENTS_MAX, sizeof *t.events);
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

	/* The configured address first, then whoever else answers on 1..8. */
	addr = ctx->opts.addr > 0 ? ctx->opts.addr : 1;
	tui_pile_add(&t, (uint8_t)addr, 0);
	for (i = 1; i <= TUI_SCAN_LAST; i++) {
		if (i != addr)
			tui_pile_add(&t, (uint8_t)i, 1);
	}
	t.cur = 0;
	for (i = 0; i < t.npiles; i++) {
		if (t.piles[i].addr == addr)
			t.cur = i;
	}

	if (pipe(tui_sigpipe) != 0) {
		fprintf(ctx->err, "pilecon: %s\n", strerror(errno));
		tui_free(&t);
		return (EXIT_FAILED);
	}
	for (i = 0; i < 2; i++)
		fcntl(tui_sigpipe[i], F_SETFL, fcntl(tui_sigpipe[i], F_GETFL) | O_NONBLOCK);
	tui_global = &t;
	atexit(tui_restore);
	if (initscr() == NULL) {
		fprintf(ctx->err, "pilecon: %s\n", _("cannot start the console on this terminal: check TERM"));
		tui_free(&t);
		return (EXIT_FAILED);
	}
	tui_signals();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	tui_colours_init(&t);
	tui_history_open();
	tui_event(&t, TUI_INFO, _("console on %s: looking for piles at addresses 1-%d"),
	    link_name(pile_bus_link(t.bus)), TUI_SCAN_LAST);
	tui_show_view(&t, &tui_view_bus);
	first = 1;

	while (!t.quit) {
		if (tui_sig_quit != 0) {
			if (tui_sig_quit == SIGINT && t.line.active) {
				tui_sig_quit = 0;
				tui_line_key(&t, 3);	/* Ctrl-C cancels the line */
				continue;
			}
			break;
		}
		if (tui_sig_winch) {
			tui_sig_winch = 0;
			tui_resize(&t);
		}
		tui_schedule(&t);
		/* Once the scan is over: alone on the bus, a pile gets its
		 * dashboard at once, unless the user already moved. */
		if (first && t.xkind == TUI_X_NONE) {
			for (n = 0, i = 0; i < t.npiles; i++)
				n += t.piles[i].have_id || !t.piles[i].scanned;
			if (n == t.npiles) {
				first = 0;
				tui_event(&t, TUI_INFO, ngettext("%d pile answers on the bus",
				    "%d piles answer on the bus", t.npiles), t.npiles);
				if (t.npiles == 1 && !t.touched)
					tui_show_view(&t, &tui_view_dashboard);
			}
		}
		if (t.dirty)
			tui_draw(&t);
		pfd[0].fd = STDIN_FILENO;
		pfd[0].events = POLLIN;
		pfd[1].fd = tui_sigpipe[0];
		pfd[1].events = POLLIN;
		pfd[2].fd = t.xkind != TUI_X_NONE ? link_fd(pile_bus_link(t.bus)) : -1;
		pfd[2].events = POLLIN;
		n = poll(pfd, 3, tui_timeout_ms(&t));
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0 && (pfd[1].revents & POLLIN))
			while (read(tui_sigpipe[0], c, sizeof c) > 0)
				;
		if (n > 0 && (pfd[0].revents & (POLLIN | POLLHUP)))
			tui_keys_read(&t);
		if (n > 0 && (pfd[0].revents & POLLHUP))
			break;
		tui_xfer_step(&t);
		/* Second-resolution counters on screen. */
		t.dirty = 1;
	}

	tui_bus_drain(&t);
	tui_history_close();
	tui_restore();
	signal(SIGWINCH, SIG_DFL);
	tui_global = NULL;
	close(tui_sigpipe[0]);
	close(tui_sigpipe[1]);
	tui_sigpipe[0] = tui_sigpipe[1] = -1;
	tui_free(&t);
	if (tui_sig_quit == SIGTERM || tui_sig_quit == SIGHUP) {
		signal(tui_sig_quit, SIG_DFL);
		raise(tui_sig_quit);
	}
	return (EXIT_OK);
}
