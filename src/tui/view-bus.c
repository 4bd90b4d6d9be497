/* view-bus.c - the bus view: one line per pile that answers, polled in
 * turn; Enter opens a pile's dashboard. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "tui.h"

struct bus_view {
	struct tui_list	list;
};

static const enum tui_action bus_bar[] = {
	TUI_A_OPEN, TUI_A_VIEW_WHITELIST, TUI_A_VIEW_RECORDS, TUI_A_VIEW_EVENTS, TUI_A_NONE
};

static void
bus_init(struct tui *t)
{
	t->bus_view = xcalloc(1, sizeof *t->bus_view);
}

static void
bus_free(struct tui *t)
{
	free(t->bus_view);
	t->bus_view = NULL;
}

static void
bus_enter(struct tui *t)
{
	t->bus_view->list.n = t->npiles;
	t->bus_view->list.sel = t->cur;
}

/* Column widths: at least the header's width, so a translation that is
 * wider than the English pushes the next column rather than overlap it. */
static int
col(const char *h, int min)
{
	int	w = utf8_width(h);

	return (w > min ? w : min);
}

static void
bus_draw(struct tui *t, int y0, int rows)
{
	struct tui_list	*l = &t->bus_view->list;
	const char	*h[] = { _("addr"), _("serial"), _("link"), _("charge point"),
			    _("power"), _("unsynced"), _("last error") };
	int		 w[7], x, i, r, attr, sel;
	struct tui_pile	*p;
	char		 buf[64], span[32], *err;

	w[0] = col(h[0], 4);
	w[1] = col(h[1], 10);
	w[2] = col(h[2], 14);
	w[3] = col(h[3], 12);
	w[4] = col(h[4], 9);
	w[5] = col(h[5], 8);
	l->n = t->npiles;
	if (l->n > 0 && l->sel < 0)
		l->sel = 0;
	tui_list_fit(l, rows - 2);
	for (x = 0, i = 0; i < 7; i++) {
		w[6] = COLS - x;
		tui_cell(y0, x, w[i], tui_attr(TUI_R_HEADER), i == 4 || i == 5, h[i]);
		x += w[i] + 1;
	}
	if (t->npiles == 0) {
		tui_put(y0 + 2, 1, COLS - 2, TUI_PLAIN,
		    _("no pile answers on this bus: check the port, baud rate and wiring, or ':open ADDRESS'"));
		return;
	}
	for (r = 0; r < rows - 1 && l->top + r < t->npiles; r++) {
		i = l->top + r;
		p = &t->piles[i];
		sel = i == l->sel;
		attr = sel ? tui_attr(TUI_R_SELECTED) : TUI_PLAIN;
		if (sel)
			tui_fill(y0 + 1 + r, attr);
		x = 0;
		snprintf(buf, sizeof buf, "%u", p->addr);
		tui_cell(y0 + 1 + r, x, w[0], attr, 1, buf);
		x += w[0] + 1;
		tui_cell(y0 + 1 + r, x, w[1], attr, 0, p->have_id ? p->id.serial : "?");
		x += w[1] + 1;
		if (p->have_live) {
			tui_cell(y0 + 1 + r, x, w[2], attr | (p->live.link != PROTO_LINK_ONLINE && !sel ?
			    tui_attr(TUI_R_WARN) : 0), 0, _(proto_link_str(p->live.link)));
			x += w[2] + 1;
			tui_cell(y0 + 1 + r, x, w[3], attr, 0, _(proto_cp_str(p->live.cp_state)));
			x += w[3] + 1;
			snprintf(buf, sizeof buf, "%lu.%02lu kW", (unsigned long)p->live.power_w / 1000,
			    (unsigned long)p->live.power_w % 1000 / 10);
			tui_cell(y0 + 1 + r, x, w[4], attr, 1, buf);
			x += w[4] + 1;
			snprintf(buf, sizeof buf, "%lu", (unsigned long)p->live.unsynced);
			tui_cell(y0 + 1 + r, x, w[5], attr, 1, buf);
			x += w[5] + 1;
		} else
			x += w[2] + w[3] + w[4] + w[5] + 4;
		err = NULL;
		if (p->silent_since_ms != 0) {
			tui_fmt_span((long)((tui_now_ms() - p->silent_since_ms) / 1000), span, sizeof span);
			err = xasprintf(_("no answer for %s"), span);
		} else if (!p->have_id)
			err = xstrdup(_("asking..."));
		if (err != NULL && x < COLS)
			tui_cell(y0 + 1 + r, x, COLS - x, sel ? attr : tui_attr(TUI_R_ERROR), 0, err);
		free(err);
	}
}

static int
bus_action(struct tui *t, enum tui_action a)
{
	struct tui_list	*l = &t->bus_view->list;

	if (tui_list_action(l, a, LINES - 5)) {
		if (l->n > 0)
			t->cur = l->sel;
		return (1);
	}
	if (a == TUI_A_OPEN) {
		if (t->npiles == 0)
			return (1);
		t->cur = l->sel;
		tui_show_view(t, &tui_view_dashboard);
		return (1);
	}
	return (0);
}

const struct tui_view tui_view_bus = {
	N_("bus"), bus_init, bus_free, bus_enter, bus_draw, bus_action, bus_bar
};
