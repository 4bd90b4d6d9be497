/* discover.c - the console finds every pile on the bus (1-247, or the
 * range the config names) without making anyone wait: first the pile it
 * was given and the addresses where piles answered last time (the config's
 * bus_known; 1-8 when there are none), then the rest of the range in the
 * background as a job, `scan --from A --to B` (cmd-scan.c), one short probe
 * a turn, taking turns on the wire with the screen's refresh and the other
 * jobs. Its progress shows in the title, Esc stops it, piles show as they
 * answer; at the end the range and the addresses that answered go to the
 * config for next time. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch/batch.h"
#include "batch/job.h"
#include "common.h"
#include "tui.h"

#define TUI_QUICK_LAST	8	/* with nothing known: addresses 1..8 first */
/* A probe waits as long as the first look's (tui.c's scan bus). */
#define TUI_PROBE_MS	"100"

struct tui_discover {
	int		 first, last;	/* the range */
	uint8_t		 known[PILECON_ADDRS];	/* asked first (the config) */
	uint8_t		 asked[PILECON_ADDRS];	/* asked by the first look */
	int		 next;		/* the first address not probed yet */
	int		 from;		/* where the running job started */
	size_t		 rows;		/* its result's rows seen */
	int		 found;		/* piles the background search found */
	int		 over;
	int		 restart;	/* the running job stops: start over */
	int		 saved;
	uint64_t	 started_ms;
	struct tui_job	*job;		/* the scan, while it runs */
};

static const char *
tui_addrs(const uint8_t *set, char *buf, size_t len)
{
	char	*s = pilecon_format_addrs(set);

	snprintf(buf, len, "%s", s);
	free(s);
	return (buf);
}

/* The first look: addr, then the known addresses (or 1..8) as piles of the
 * start-up scan, forgotten if silent. */
void
tui_piles_scan(struct tui *t, int addr)
{
	struct tui_discover	*d;
	struct pilecon_opts	*o = &t->ctx->opts;
	char			*cause = NULL, list[256];
	int			 i, nknown = 0;

	t->discover = d = xcalloc(1, sizeof *d);
	d->first = o->bus_first > 0 ? o->bus_first : 1;
	d->last = o->bus_last > 0 ? o->bus_last : 247;
	d->next = d->first;
	if (o->bus_known != NULL && pilecon_parse_addrs(o->bus_known, d->known, &cause) != 0) {
		tui_event(t, TUI_WARN, "%s", cause);
		free(cause);
		memset(d->known, 0, sizeof d->known);
	}
	for (i = 1; i <= 247; i++)
		nknown += d->known[i];
	tui_pile_add(t, (uint8_t)addr, 0);
	d->asked[addr] = 1;
	for (i = 1; i <= 247; i++) {
		if (nknown > 0 ? d->known[i] : i <= TUI_QUICK_LAST) {
			d->asked[i] = 1;
			if (i != addr)
				tui_pile_add(t, (uint8_t)i, 1);
		}
	}
	t->cur = 0;
	for (i = 0; i < t->npiles; i++) {
		if (t->piles[i].addr == addr)
			t->cur = i;
	}
	t->scanning = 1;
	if (nknown > 0)
		tui_event(t, TUI_INFO, _("console on %s: looking for piles at addresses %s "
		    "(known), then %d-%d in the background"), link_name(pile_bus_link(t->bus)),
		    tui_addrs(d->known, list, sizeof list), d->first, d->last);
	else
		tui_event(t, TUI_INFO, _("console on %s: looking for piles at addresses 1-%d, "
		    "then %d-%d in the background"), link_name(pile_bus_link(t->bus)),
		    TUI_QUICK_LAST, d->first, d->last);
}

/* The range and the addresses that answer, for the next start. */
static void
tui_discover_save(struct tui *t)
{
	struct tui_discover	*d = t->discover;
	struct pilecon_opts	 was;
	uint8_t			 set[PILECON_ADDRS];
	const char		*keys[] = { "bus_range", "bus_known" };
	const char		*values[2];
	char			 range[32], *known, *cause = NULL;
	int			 i;

	if (d == NULL || d->saved || t->ctx->opts.config_file == NULL)
		return;
	/* A search cut short keeps what it did not get to look at. */
	memset(set, 0, sizeof set);
	if (!d->over)
		for (i = d->next; i <= d->last && i <= 247; i++)
			set[i] = d->known[i];
	for (i = 0; i < t->npiles; i++) {
		if (t->piles[i].have_id)
			set[t->piles[i].addr] = 1;
	}
	known = pilecon_format_addrs(set);
	snprintf(range, sizeof range, "%d-%d", d->first, d->last);
	/* What the file says now (not the options: --bus-range may differ). */
	pilecon_opts_init(&was);
	if (pilecon_config_load(&was, t->ctx->opts.config_file, 0, &cause) == 0 &&
	    was.bus_known != NULL && strcmp(known, was.bus_known) == 0 &&
	    d->first == was.bus_first && d->last == was.bus_last) {
		pilecon_opts_free(&was);
		free(known);
		d->saved = 1;
		return;		/* nothing new: leave the file alone */
	}
	pilecon_opts_free(&was);
	free(cause);
	cause = NULL;
	values[0] = range;
	values[1] = known;
	if (pilecon_config_set(t->ctx->opts.config_file, 2, keys, values, &cause) != 0) {
		tui_event(t, TUI_WARN, _("cannot keep the bus in the config: %s"), cause);
		free(cause);
	} else
		tui_log(t, TUI_INFO, _("kept in '%s': bus_range %s, bus_known %s"),
		    t->ctx->opts.config_file, range, *known != '\0' ? known : "-");
	free(known);
	d->saved = 1;
}

void
tui_discover_free(struct tui *t)
{
	if (t->discover == NULL)
		return;
	tui_discover_save(t);
	free(t->discover);
	t->discover = NULL;
}

/* The scan job's rows as they come: each address that answered joins the
 * piles (its identity is read as any new pile's); the addresses it got
 * past are probed. */
static void
tui_discover_notify(struct job *job, enum job_notify what, void *arg)
{
	struct tui		*t = arg;
	struct tui_discover	*d = t->discover;
	const struct json	*row;
	int			 addr, i;

	if (d == NULL || d->job == NULL || d->job->job != job)
		return;
	for (; job->result.data != NULL && d->rows < json_len(job->result.data); d->rows++) {
		row = json_at(job->result.data, d->rows);
		addr = (int)json_get_int(row, "address", 0);
		if (addr < 1 || addr > 247)
			continue;
		for (i = 0; i < t->npiles && t->piles[i].addr != addr; i++)
			;
		if (i == t->npiles) {
			tui_pile_add(t, (uint8_t)addr, 1);
			d->found++;
		}
	}
	/* progress.done counts the probes sent: those before the last one
	 * are over. */
	if (what == JOB_NOTIFY_PROGRESS && job->result.progress.done > 0)
		d->next = d->from + (int)job->result.progress.done - 1;
}

/* The scan ended: over, stopped by Esc, or cut short by the port, after
 * which it goes on from where it was once the port is back. */
static void
tui_discover_done(struct tui *t, struct tui_job *tj)
{
	struct tui_discover	*d = t->discover;
	const struct result	*r = &tj->job->result;
	char			 span[32];

	if (d == NULL || d->job != tj)
		return;
	tui_discover_notify(tj->job, JOB_NOTIFY_DONE, t);
	d->job = NULL;
	if (d->restart) {
		tui_discover_restart(t);
		return;
	}
	if (r->cancelled) {
		tui_fmt_span(d->started_ms > 0 ? (long)((tui_now_ms() - d->started_ms) /
		    1000) : 0, span, sizeof span);
		tui_event(t, TUI_WARN, ngettext("search of addresses %d-%d stopped at "
		    "address %d after %s: %d pile answers on the bus", "search of "
		    "addresses %d-%d stopped at address %d after %s: %d piles answer on "
		    "the bus", t->npiles), d->first, d->last, d->next, span, t->npiles);
		tui_discover_save(t);	/* keeps the known ones it did not reach */
		d->over = 1;
		return;
	}
	if (r->error.pile_rc == PILE_E_LINK)
		return;		/* the reconnect brings it back: tui_discover_next */
	if (r->error.exit != EXIT_OK && r->error.exit != EXIT_NO_ANSWER) {
		tui_event(t, TUI_ERROR, _("the search for piles failed: %s"),
		    r->error.cause != NULL ? r->error.cause : "");
		tui_discover_save(t);
		d->over = 1;
		return;
	}
	d->next = d->last + 1;
	tui_discover_end(t);
}

/* Starts the background search when it is due: the first look is over,
 * the port is up, nothing runs yet. Each turn; cheap. */
void
tui_discover_next(struct tui *t)
{
	struct tui_discover	*d = t->discover;
	struct tui_job		*tj, *fg = t->fg;
	char			 from[8], to[8], *cause = NULL;
	const char		*argv[] = { "scan", "--from", from, "--to", to,
				    "--timeout", TUI_PROBE_MS };

	if (d == NULL || d->over || d->job != NULL || t->scanning || t->link_down)
		return;
	/* The first look's addresses at the start are not asked again. */
	while (d->next <= d->last && d->asked[d->next])
		d->next++;
	if (d->next > d->last) {
		tui_discover_end(t);
		return;
	}
	if (d->started_ms == 0)
		d->started_ms = tui_now_ms();
	snprintf(from, sizeof from, "%d", d->next);
	snprintf(to, sizeof to, "%d", d->last);
	tj = tui_job_new(t, TUI_JOB_KEY, (int)nitems(argv), argv, NULL, NULL, NULL, 0,
	    NULL, &cause);
	if (tj == NULL) {
		tui_event(t, TUI_ERROR, _("the search for piles failed: %s"), cause);
		free(cause);
		d->over = 1;
		return;
	}
	/* A pull or a sync started meanwhile keeps the whole line: the
	 * search's probes of absent addresses each wait out a timeout. */
	tj->job->background = 1;
	/* Esc stops it unless a job a person started is in the foreground. */
	if (fg != NULL)
		t->fg = fg;
	free(tj->title);
	tj->title = xasprintf(_("search of addresses %d-%d"), d->next, d->last);
	tj->told = 1;		/* its end is said here */
	tj->done = tui_discover_done;
	tj->chain = tui_discover_notify;
	tj->chain_arg = t;
	d->job = tj;
	d->from = d->next;
	d->rows = 0;
}

/* The search is over: say so (in the events view only when it found no
 * more piles than the first look) and keep the bus in the config. */
void
tui_discover_end(struct tui *t)
{
	struct tui_discover	*d = t->discover;
	char			 span[32];
	long			 s;

	if (d == NULL || d->over)
		return;
	d->over = 1;
	s = d->started_ms > 0 ? (long)((tui_now_ms() - d->started_ms) / 1000) : 0;
	tui_fmt_span(s, span, sizeof span);
	if (d->found > 0)
		tui_event(t, TUI_OK, ngettext("search of addresses %d-%d over in %s: %d pile "
		    "answers on the bus", "search of addresses %d-%d over in %s: %d piles "
		    "answer on the bus", t->npiles), d->first, d->last, span, t->npiles);
	else
		tui_log(t, TUI_INFO, ngettext("search of addresses %d-%d over in %s: %d pile "
		    "answers on the bus", "search of addresses %d-%d over in %s: %d piles "
		    "answer on the bus", t->npiles), d->first, d->last, span, t->npiles);
	tui_discover_save(t);
}

/* Another port or other settings: the whole range again (a search that
 * runs stops first, and starts over once it has). */
void
tui_discover_restart(struct tui *t)
{
	struct tui_discover	*d = t->discover;

	if (d == NULL)
		return;
	if (d->job != NULL) {
		d->restart = 1;
		job_cancel(d->job->job);
		return;
	}
	memset(d->asked, 0, sizeof d->asked);
	d->next = d->first;
	d->over = d->saved = d->restart = 0;
	d->found = 0;
	d->started_ms = 0;
}

/* 1 while the search's job runs (the connect view's detection stops it:
 * tui_discover_restart). */
int
tui_discover_busy(struct tui *t)
{
	return (t->discover != NULL && t->discover->job != NULL);
}
