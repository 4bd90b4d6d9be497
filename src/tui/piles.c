/* piles.c - the piles on the bus: the list (address order, the selected
 * one), their identity and live refresh, and the one Modbus transaction in
 * flight. The screen's refresh shares the wire with the console's jobs
 * (jobs.c) and goes first. */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "batch/batch.h"
#include "common.h"
#include "tui.h"

#define TUI_REFRESH_MS		500	/* the watched pile: at least 2/s */
#define TUI_BUS_REFRESH_MS	1000	/* each pile in the bus view */
#define TUI_RETRY_MS		1000	/* a silent pile */

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

/* Once the start-up scan is over: alone on the bus, a pile gets its
 * dashboard at once, unless the user already moved. */
void
tui_piles_scan_check(struct tui *t)
{
	int	i, n;

	if (!t->scanning || t->xkind != TUI_X_NONE)
		return;
	for (n = 0, i = 0; i < t->npiles; i++)
		n += t->piles[i].have_id || !t->piles[i].scanned;
	if (n != t->npiles)
		return;
	t->scanning = 0;
	tui_event(t, TUI_INFO, ngettext("%d pile answers on the bus",
	    "%d piles answer on the bus", t->npiles), t->npiles);
	tui_discover_next(t);	/* the rest of the range, in the background */
	if (t->npiles == 1 && !t->touched)
		tui_show_view(t, &tui_view_dashboard);
}

void
tui_select_pile(struct tui *t, int step)
{
	if (t->npiles == 0)
		return;
	t->cur = (t->cur + step + t->npiles) % t->npiles;
	if (t->view->enter != NULL)
		t->view->enter(t);
	t->dirty = 1;
}

void
tui_piles_free(struct tui *t)
{
	int	i;

	/* Close the write sessions we opened, once the bus is free. */
	tui_bus_drain(t);
	for (i = 0; i < t->npiles; i++) {
		if (t->piles[i].own && t->bus != NULL)
			pile_session_close(t->piles[i].pile, NULL);
	}
	for (i = 0; i < t->npiles; i++) {
		if (t->piles[i].own)
			pile_free(t->piles[i].pile);
		free(t->piles[i].error);
	}
	free(t->piles);
	t->piles = NULL;
	t->npiles = 0;
	pile_xfer_reset(&t->xfer);
}

/* ---- refresh -------------------------------------------------------------- */

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

/* The identity block of a pile found by the scan or named by ':open'. */
static int
tui_identity_done(struct tui *t, struct tui_pile *p, char **cause)
{
	if (t->xfer.resp.nregs < PROTO_IDENTITY_COUNT)
		return (set_cause(cause, PILE_E_PROTOCOL,
		    _("short identity block from address %u"), p->addr));
	proto_identity_decode(t->xfer.resp.regs, &p->id);
	pile_set_identity(p->pile, &p->id);	/* which live registers it has */
	if (t->xbus == t->bus)
		t->identity_reads++;
	p->have_id = 1;
	p->due_ms = tui_now_ms();
	tui_event(t, TUI_OK, _("found %s at address %u (%s %s, firmware %s)"),
	    p->id.serial, p->addr, p->id.vendor, p->id.model, p->id.firmware);
	tui_load_key(t, p);
	return (0);
}

static int
tui_live_done(struct tui *t, struct tui_pile *p, char **cause)
{
	struct proto_live	live;

	if (pile_live_parse(&t->xfer, &live, cause) != 0)
		return (-1);
	p->prev = p->live;
	p->have_prev = p->have_live;
	p->live = live;
	p->have_live = 1;
	p->live_at = time(NULL);
	p->refreshes++;
	tui_records_reconcile(t, p);
	return (0);
}

/* A pile answered, or stayed silent: say so once, not at every retry. */
static void
tui_pile_answered(struct tui *t, int i, int rc, char *cause)
{
	struct tui_pile	*p = &t->piles[i];
	char		 name[64], span[32];
	uint64_t	 now = tui_now_ms();

	if (rc == 0) {
		if (p->silent_since_ms != 0)
			tui_event(t, TUI_OK, _("%s answers again after %s"),
			    tui_pile_name(p, name, sizeof name),
			    tui_fmt_span((long)((now - p->silent_since_ms) / 1000), span, sizeof span));
		p->silent_since_ms = 0;
		free(p->error);
		p->error = NULL;
		free(cause);
		return;
	}
	if (p->scanned && !p->have_id) {
		/* Nobody at this address: the scan just moves on. */
		free(cause);
		tui_pile_remove(t, i);
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
tui_xfer_done(struct tui *t)
{
	struct tui_pile		*p;
	char			*cause = NULL;
	enum tui_xfer_kind	 kind = t->xkind;
	int			 rc = t->xfer.status;

	t->xkind = TUI_X_NONE;
	t->dirty = 1;
	t->quiet_us = tui_now_ms() * 1000 + link_t35_us(link_params(pile_bus_link(t->bus)));
	p = &t->piles[t->xpile];
	if (rc == 0 && kind == TUI_X_IDENTITY)
		rc = tui_identity_done(t, p, &cause);
	else if (rc == 0 && kind == TUI_X_LIVE)
		rc = tui_live_done(t, p, &cause);
	else if (rc < 0) {
		cause = t->xfer.cause;
		t->xfer.cause = NULL;
	}
	pile_xfer_reset(&t->xfer);
	if (rc == PILE_E_LINK) {
		/* Not the pile's silence: the port is gone (reconnect.c). */
		tui_link_lost(t, cause);
		free(cause);
		return;
	}
	tui_pile_answered(t, t->xpile, rc, cause);
}

void
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

/* The watched pile whose refresh is due first, or -1. */
static int
tui_refresh_due(struct tui *t, uint64_t now)
{
	int	i, best = -1;

	for (i = 0; i < t->npiles; i++) {
		if (!tui_watched(t, i) || t->piles[i].due_ms > now)
			continue;
		if (best < 0 || t->piles[i].due_ms < t->piles[best].due_ms)
			best = i;
	}
	return (best);
}

/* Jobs share the wire with the screen's refresh, which goes first: a job
 * waits one transaction at most, the screen never more than one of a
 * job's. */
int
tui_bus_gate(void *arg, struct pile_bus *bus)
{
	struct tui	*t = arg;
	uint64_t	 now = tui_now_ms();

	(void)bus;	/* one link: the console's bus and its scan bus */
	if (t->xkind != TUI_X_NONE || now * 1000 < t->quiet_us)
		return (0);
	/* While the port is gone no refresh runs: a job goes on and fails at
	 * once, saying so (a pull starts again when the port is back,
	 * reconnect.c), or runs on a port of its own (scan --detect). */
	if (t->link_down)
		return (1);
	/* Leaving: no refresh runs, the jobs go to their safe points. */
	if (t->quit)
		return (1);
	return (tui_refresh_due(t, now) < 0);
}

/* Starts the refresh that is due when the wire is free. */
void
tui_schedule(struct tui *t)
{
	struct tui_pile	*p;
	uint64_t	 now = tui_now_ms();
	int		 best;

	tui_discover_next(t);	/* the search's job, once it is due */
	if (t->xkind != TUI_X_NONE || t->bus == NULL || pile_bus_busy(t->bus) ||
	    t->link_down)
		return;
	/* Two pile_bus objects share the link: keep the Modbus silence
	 * between frames across them (each only knows its own). */
	if (now * 1000 < t->quiet_us)
		return;
	if ((best = tui_refresh_due(t, now)) < 0)
		return;
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

/* How long the loop may sleep for the refresh; the runner's own wait is
 * taken apart (tui.c). */
int
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
	if (t->link_down)
		return (tui_link_timeout_ms(t));
	/* A job's transaction on the wire: its end wakes the loop. */
	for (i = 0; i < t->npiles && !pile_bus_busy(t->bus); i++) {
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
