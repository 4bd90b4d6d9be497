/* reconnect.c - the port went away (adapter yanked, the pty's other end
 * gone): the console says so, keeps running and opens the port again by
 * the same name, the /dev/serial/by-id one when the port has one, once a
 * second until it is back. Piles, views and selection stay as they were; a
 * pull the loss cut short starts again and resumes from the archive's last
 * sequence number, as every pull does. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "tui.h"

#define TUI_REOPEN_MS	1000	/* between tries to open the port again */

/* A job the loss cut short, to start again once the port is back. */
struct tui_resume {
	uint8_t			 addr;
	char			*words;		/* "logs pull" */
	enum tui_job_origin	 origin;
	void			(*done)(struct tui *, struct tui_job *);
	struct tui_resume	*next;
};

/* At start: the name to reopen by. A USB adapter may come back as another
 * /dev/ttyUSBn; its by-id name stays. */
void
tui_link_init(struct tui *t)
{
	const char	*name = link_name(pile_bus_link(t->bus));

	free(t->link_spec);
	t->link_spec = link_by_id(name);
	if (t->link_spec != NULL)
		tui_event(t, TUI_INFO, _("'%s' is '%s': the console reopens it by that name if it goes away"),
		    name, t->link_spec);
	else
		t->link_spec = xstrdup(name);
}

void
tui_link_free(struct tui *t)
{
	struct tui_resume	*r, *next;

	for (r = t->resume; r != NULL; r = next) {
		next = r->next;
		free(r->words);
		free(r);
	}
	t->resume = NULL;
	free(t->link_spec);
	t->link_spec = NULL;
	free(t->link_switch_spec);
	t->link_switch_spec = NULL;
}

void
tui_link_lost(struct tui *t, const char *cause)
{
	uint64_t	now = tui_now_ms();

	if (t->link_down)
		return;
	t->link_down = 1;
	t->link_down_ms = now;
	t->link_retry_ms = now + TUI_REOPEN_MS;
	t->link_tries = 0;
	t->link_connecting = 0;
	/* Nothing polls a port that is gone (a hung-up tty polls readable
	 * forever); the device node is freed for the adapter's return. */
	link_suspend(pile_bus_link(t->bus));
	tui_event(t, TUI_ERROR, _("%s; the console goes on and reopens '%s' when it is back"),
	    cause != NULL ? cause : _("the port went away"), t->link_spec);
	t->dirty = 1;
}

/* A job ended: one the lost port cut short tells of the loss, and a pull
 * starts again once the port is back. */
void
tui_link_job_done(struct tui *t, struct tui_job *tj)
{
	const struct result	*r = &tj->job->result;
	struct tui_resume	*res;

	if (r->cancelled || r->error.exit == EXIT_OK || r->error.pile_rc != PILE_E_LINK)
		return;
	tui_link_lost(t, r->error.cause);
	if (tj->addr == 0 || strncmp(tj->words, "logs pull", 9) != 0)
		return;
	for (res = t->resume; res != NULL; res = res->next) {
		if (res->addr == tj->addr && strcmp(res->words, tj->words) == 0)
			return;
	}
	res = xcalloc(1, sizeof *res);
	res->addr = tj->addr;
	res->words = xstrdup(tj->words);
	res->origin = tj->origin == TUI_JOB_SHARED ? TUI_JOB_KEY : tj->origin;
	res->done = tj->origin == TUI_JOB_SHARED ? NULL : tj->done;
	res->next = t->resume;
	t->resume = res;
	tui_event(t, TUI_WARN, _("'%s' on address %u stopped with the port: it resumes when the port is back"),
	    tj->words, tj->addr);
}

/* Starts the cut-short jobs again on their piles. */
static void
tui_link_resume(struct tui *t)
{
	struct tui_resume	*r, *next;
	struct tui_pile		*p;
	struct tui_job		*tj;
	const char		*argv[16];
	char			*words, *w, *save, *cause = NULL;
	int			 argc, i;

	for (r = t->resume; r != NULL; r = next) {
		next = r->next;
		for (p = NULL, i = 0; i < t->npiles; i++) {
			if (t->piles[i].addr == r->addr)
				p = &t->piles[i];
		}
		if (p != NULL && tui_job_find(t, r->addr, r->words) == NULL) {
			words = xstrdup(r->words);
			argc = 0;
			for (w = strtok_r(words, " ", &save); w != NULL && argc < 16;
			    w = strtok_r(NULL, " ", &save))
				argv[argc++] = w;
			if ((tj = tui_job_start(t, p, r->origin, argc, argv, NULL, &cause)) == NULL) {
				tui_event(t, TUI_ERROR, "%s", cause);
				free(cause);
				cause = NULL;
			} else {
				tj->done = r->done;
				tui_event(t, TUI_INFO, _("'%s' on address %u starts again where the archive ends"),
				    r->words, r->addr);
			}
			free(words);
		}
		free(r->words);
		free(r);
	}
	t->resume = NULL;
}

/* The port is open again: ask every pile at once (what the screen showed
 * stays) and start again what the loss cut short. */
static void
tui_link_up(struct tui *t, uint64_t now)
{
	int	i;

	t->link_down = 0;
	free(t->link_cause);
	t->link_cause = NULL;
	for (i = 0; i < t->npiles; i++)
		t->piles[i].due_ms = now;
	t->quiet_us = now * 1000;
	tui_link_resume(t);
	t->dirty = 1;
}

static void
tui_link_back(struct tui *t, uint64_t now)
{
	char	span[32];

	tui_event(t, TUI_OK, _("'%s' is back after %s: reconnected"),
	    link_name(pile_bus_link(t->bus)),
	    tui_fmt_span((long)((now - t->link_down_ms) / 1000), span, sizeof span));
	tui_link_up(t, now);
}

static void
tui_link_failed(struct tui *t, char *cause)
{
	free(t->link_cause);
	t->link_cause = cause;	/* shown on the status line */
	t->dirty = 1;
}

static void	tui_link_switch_end(struct tui *, int rc, char *cause);

/* Each turn: once a second while the port is gone, try to open it again.
 * A tcp: port connects without blocking the screen: the loop polls what
 * link_connect_fd says (the name's lookup, then the socket) and this
 * finishes the connect, or gives up after LINK_CONNECT_TIMEOUT_MS. */
void
tui_link_retry(struct tui *t)
{
	struct link	*l = pile_bus_link(t->bus);
	uint64_t	 now = tui_now_ms();
	char		*cause = NULL;
	int		 rc;

	if (!t->link_down || t->detecting)
		return;
	if (t->link_connecting) {
		rc = link_reopen_finish(l, now >= t->link_connect_end_ms, &cause);
		if (rc == 1)
			return;
		t->link_connecting = 0;
		t->link_retry_ms = now + TUI_REOPEN_MS;
		if (t->link_switch_spec != NULL)
			tui_link_switch_end(t, rc, cause);
		else if (rc != 0)
			tui_link_failed(t, cause);
		else
			tui_link_back(t, now);
		return;
	}
	if (now < t->link_retry_ms)
		return;
	t->link_tries++;
	t->link_retry_ms = now + TUI_REOPEN_MS;
	rc = link_reopen_start(l, t->link_spec, NULL, &cause);
	if (rc == 1) {
		t->link_connecting = 1;
		t->link_connect_end_ms = now + LINK_CONNECT_TIMEOUT_MS;
		return;
	}
	if (rc != 0) {
		tui_link_failed(t, cause);
		return;
	}
	tui_link_back(t, now);
}

/* The port switched to is open: it is the console's port from now on.
 * Piles stay listed and are asked again at once; the search for piles
 * starts over. */
static void
tui_link_switched(struct tui *t, const char *spec)
{
	struct link	*l = pile_bus_link(t->bus);
	char		*port, *oldspec, line[32];
	uint64_t	 now = tui_now_ms();
	int		 i;

	/* spec may be t->link_spec or the port option itself (the
	 * detection reopens the port it has): the new names are made
	 * before the old ones are freed. */
	port = xstrdup(spec);
	oldspec = t->link_spec;
	if ((t->link_spec = link_by_id(port)) == NULL)
		t->link_spec = xstrdup(port);
	free(oldspec);
	free(t->ctx->opts.port);
	t->ctx->opts.port = port;
	t->ctx->opts.baud = link_params(l)->baud;
	t->ctx->opts.parity = link_params(l)->parity;
	t->ctx->opts.stop_bits = link_params(l)->stop_bits;
	t->link_down = 0;
	free(t->link_cause);
	t->link_cause = NULL;
	for (i = 0; i < t->npiles; i++)
		t->piles[i].due_ms = now;
	t->quiet_us = now * 1000;
	tui_event(t, TUI_OK, _("'%s' open at %s"), link_name(l),
	    link_params_str(link_params(l), line, sizeof line));
	tui_discover_restart(t);
	t->dirty = 1;
}

/* The switch did not happen: back to the port it came from, at its
 * settings; a tcp: one connects without waiting, as a reconnect does. */
static void
tui_link_switch_back(struct tui *t)
{
	struct link	*l = pile_bus_link(t->bus);
	uint64_t	 now = tui_now_ms();
	char		*why = NULL;
	int		 rc;

	free(t->link_switch_spec);
	t->link_switch_spec = NULL;
	rc = link_reopen_start(l, t->link_spec, &t->link_switch_from, &why);
	if (rc == 0) {
		tui_link_up(t, now);
		return;
	}
	t->link_down = 1;	/* the reconnect mends it */
	t->link_down_ms = now;
	t->link_retry_ms = now + TUI_REOPEN_MS;
	t->link_tries = 0;
	if (rc == 1) {
		t->link_connecting = 1;
		t->link_connect_end_ms = now + LINK_CONNECT_TIMEOUT_MS;
	} else
		tui_link_failed(t, why);
	t->dirty = 1;
}

/* A switch's connect ended: open, or said why not and went back. */
static void
tui_link_switch_end(struct tui *t, int rc, char *cause)
{
	char	*spec = t->link_switch_spec;

	if (rc == 0) {
		t->link_switch_spec = NULL;
		tui_link_switched(t, spec);
		free(spec);
		return;
	}
	tui_event(t, TUI_ERROR, _("%s; back to '%s'"), cause, t->link_spec);
	free(cause);
	tui_link_switch_back(t);
}

int
tui_link_switch_cancel(struct tui *t)
{
	if (t->link_switch_spec == NULL)
		return (0);
	tui_event(t, TUI_WARN, _("connecting to '%s' stopped; back to '%s'"),
	    t->link_switch_spec, t->link_spec);
	t->link_connecting = 0;
	tui_link_switch_back(t);	/* its reopen ends the connect */
	return (1);
}

/* The connect view: the port again, maybe another one, maybe at other
 * settings. A tcp: port connects without blocking the screen (1): the
 * loop finishes the switch (tui_link_retry); the screen says so meanwhile
 * and Esc stops it. */
int
tui_link_switch(struct tui *t, const char *spec, const struct link_params *lp,
    char **cause)
{
	struct link	*l = pile_bus_link(t->bus);
	uint64_t	 now = tui_now_ms();
	int		 rc;

	tui_bus_drain(t);
	/* A switch that was connecting goes back to where it came from
	 * only once this one fails too. */
	if (t->link_switch_spec == NULL)
		t->link_switch_from = *link_params(l);
	free(t->link_switch_spec);
	t->link_switch_spec = NULL;
	t->link_connecting = 0;	/* the reopen ends a connect in progress */
	rc = link_reopen_start(l, spec, lp, cause);
	if (rc == 0) {
		tui_link_switched(t, spec);
		return (0);
	}
	if (rc == 1) {
		t->link_switch_spec = xstrdup(spec);
		t->link_down = 1;
		t->link_down_ms = now;
		t->link_connecting = 1;
		t->link_connect_end_ms = now + LINK_CONNECT_TIMEOUT_MS;
		tui_event(t, TUI_INFO, _("connecting to '%s' (Esc stops it)"), spec);
		t->dirty = 1;
		return (1);
	}
	tui_link_switch_back(t);
	return (-1);
}

/* How long the loop may sleep before the next try; -1 while the port is up. */
int
tui_link_timeout_ms(struct tui *t)
{
	uint64_t	now = tui_now_ms();

	if (!t->link_down)
		return (-1);
	if (t->link_connecting)	/* woken by the socket, or to give up */
		return (t->link_connect_end_ms <= now ? 0 :
		    (int)(t->link_connect_end_ms - now));
	return (t->link_retry_ms <= now ? 0 : (int)(t->link_retry_ms - now));
}

/* The status line while the port is gone; 1 when it said so. */
int
tui_link_message(struct tui *t, int y)
{
	char	span[32];

	if (!t->link_down)
		return (0);
	if (t->link_switch_spec != NULL) {
		tui_fmt_span((long)((tui_now_ms() - t->link_down_ms) / 1000), span, sizeof span);
		tui_putf(y, 0, COLS, tui_attr(TUI_R_WARN),
		    _("connecting to '%s' for %s: Esc stops it"), t->link_switch_spec, span);
		return (1);
	}
	if (t->detecting) {
		tui_putf(y, 0, COLS, tui_attr(TUI_R_WARN),
		    _("finding the baud rate and framing on '%s' (scan --detect): Esc stops it"),
		    t->link_spec);
		return (1);
	}
	tui_fmt_span((long)((tui_now_ms() - t->link_down_ms) / 1000), span, sizeof span);
	if (t->link_cause != NULL && t->link_tries > 0)
		tui_putf(y, 0, COLS, tui_attr(TUI_R_ERROR),
		    _("port gone for %s, reopening every second (try %u): %s"), span,
		    t->link_tries, t->link_cause);
	else
		tui_putf(y, 0, COLS, tui_attr(TUI_R_ERROR),
		    _("port '%s' gone for %s: reopening it every second"), t->link_spec, span);
	return (1);
}
