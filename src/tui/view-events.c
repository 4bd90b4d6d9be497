/* view-events.c - a scrolling log of what happened on the bus and every
 * error in words; the ':' line's output lands here too. Follows the newest
 * line unless the user scrolled up. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <time.h>

#include "common.h"
#include "tui.h"

#define L	(&t->lists[4])

static int	ev_follow = 1;

static const enum tui_action ev_bar[] = {
	TUI_A_VIEW_BUS, TUI_A_VIEW_DASHBOARD, TUI_A_TOP, TUI_A_BOTTOM, TUI_A_NONE
};

static void
ev_enter(struct tui *t)
{
	ev_follow = 1;
}

static void
ev_draw(struct tui *t, int y0, int rows)
{
	static const enum tui_role roles[] = { TUI_R_NORMAL, TUI_R_OK, TUI_R_WARN, TUI_R_ERROR };
	const struct tui_event	*e;
	struct tm		 tm;
	char			 hms[16];
	int			 r, i, x;

	L->n = t->nevents;
	if (ev_follow)
		L->sel = L->n - 1;
	tui_list_fit(L, rows);
	for (r = 0; r < rows && L->top + r < t->nevents; r++) {
		i = L->top + r;
		e = &t->events[(t->event_first + i) % TUI_EVENTS_MAX];
		if (localtime_r(&e->t, &tm) != NULL)
			strftime(hms, sizeof hms, "%H:%M:%S", &tm);
		x = tui_put(y0 + r, 0, COLS, i == L->sel && !ev_follow ?
		    tui_attr(TUI_R_SELECTED) : tui_attr(TUI_R_DIM), hms);
		tui_put(y0 + r, x + 1, COLS - x - 1, tui_attr(roles[e->level]), e->text);
	}
}

static int
ev_action(struct tui *t, enum tui_action a)
{
	if (!tui_list_action(L, a, LINES - 3))
		return (0);
	ev_follow = L->sel >= L->n - 1;
	return (1);
}

const struct tui_view tui_view_events = {
	N_("events"), ev_enter, ev_draw, ev_action, ev_bar
};
