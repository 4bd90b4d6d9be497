/* view-events.c - the event log: what happened on the bus and every error
 * in words; the ':' line's output lands here too. The view scrolls it and
 * follows the newest line unless the user scrolled up. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "common.h"
#include "tui.h"

struct tui_event {
	time_t		 t;
	enum tui_level	 level;
	char		*text;
};

struct ev_view {
	struct tui_event	*log;	/* a ring of TUI_EVENTS_MAX */
	int			 n, first;
	struct tui_list		 list;
	int			 follow;	/* keep the newest line in sight */
};

static const enum tui_action ev_bar[] = {
	TUI_A_VIEW_BUS, TUI_A_VIEW_DASHBOARD, TUI_A_TOP, TUI_A_BOTTOM, TUI_A_NONE
};

static void
ev_init(struct tui *t)
{
	t->events = xcalloc(1, sizeof *t->events);
	t->events->log = xcalloc(TUI_EVENTS_MAX, sizeof *t->events->log);
	t->events->follow = 1;
}

static void
ev_free(struct tui *t)
{
	struct ev_view	*ev = t->events;
	int		 i;

	if (ev == NULL)
		return;
	for (i = 0; i < ev->n; i++)
		free(ev->log[(ev->first + i) % TUI_EVENTS_MAX].text);
	free(ev->log);
	free(ev);
	t->events = NULL;
}

/* Logs an event and shows it on the message line. */
static struct tui_event *
tui_event_add(struct tui *t, enum tui_level level, const char *fmt, va_list ap)
{
	struct ev_view		*ev = t->events;
	struct tui_event	*e;

	if (ev->n == TUI_EVENTS_MAX) {
		free(ev->log[ev->first].text);
		ev->first = (ev->first + 1) % TUI_EVENTS_MAX;
		ev->n--;
	}
	e = &ev->log[(ev->first + ev->n) % TUI_EVENTS_MAX];
	e->t = time(NULL);
	e->level = level;
	e->text = xvasprintf(fmt, ap);
	ev->n++;
	t->dirty = 1;
	return (e);
}

/* In the events view only: news nobody waits for. */
void
tui_log(struct tui *t, enum tui_level level, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	tui_event_add(t, level, fmt, ap);
	va_end(ap);
}

void
tui_event(struct tui *t, enum tui_level level, const char *fmt, ...)
{
	struct tui_event	*e;
	va_list			 ap;

	va_start(ap, fmt);
	e = tui_event_add(t, level, fmt, ap);
	va_end(ap);
	free(t->message);
	t->message = xstrdup(e->text);
	t->message_level = level;
	t->message_at = e->t;
	t->dirty = 1;
}

static void
ev_enter(struct tui *t)
{
	t->events->follow = 1;
}

static void
ev_draw(struct tui *t, int y0, int rows)
{
	static const enum tui_role roles[] = { TUI_R_NORMAL, TUI_R_OK, TUI_R_WARN, TUI_R_ERROR };
	struct ev_view		*ev = t->events;
	struct tui_list		*l = &ev->list;
	const struct tui_event	*e;
	struct tm		 tm;
	char			 hms[16];
	int			 r, i, x;

	l->n = ev->n;
	if (ev->follow)
		l->sel = l->n - 1;
	else if (rows > 1)
		rows--;		/* the last row says where we are */
	tui_list_fit(l, rows);
	if (!ev->follow)
		tui_putf(y0 + rows, 0, COLS, tui_attr(TUI_R_DIM),
		    _("-- line %d of %d: End follows the newest --"), l->sel + 1, l->n);
	for (r = 0; r < rows && l->top + r < ev->n; r++) {
		i = l->top + r;
		e = &ev->log[(ev->first + i) % TUI_EVENTS_MAX];
		if (localtime_r(&e->t, &tm) != NULL)
			strftime(hms, sizeof hms, "%H:%M:%S", &tm);
		x = tui_put(y0 + r, 0, COLS, i == l->sel && !ev->follow ?
		    tui_attr(TUI_R_SELECTED) : tui_attr(TUI_R_DIM), hms);
		tui_put(y0 + r, x + 1, COLS - x - 1, tui_attr(roles[e->level]), e->text);
	}
}

static int
ev_action(struct tui *t, enum tui_action a)
{
	struct ev_view	*ev = t->events;

	if (!tui_list_action(&ev->list, a, LINES - 3))
		return (0);
	ev->follow = ev->list.sel >= ev->list.n - 1;
	return (1);
}

const struct tui_view tui_view_events = {
	N_("events"), ev_init, ev_free, ev_enter, ev_draw, ev_action, ev_bar
};
