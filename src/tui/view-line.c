/* view-line.c - the Line view: what the line does, per pile and live (the
 * counters `pilecon ping` ends with), and the frames themselves with time
 * and direction when the trace is on (mbpoll -v). The frames come through
 * the bus's one trace hook, the one --trace FILE writes through. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch/batch.h"
#include "common.h"
#include "tui.h"

#define LINE_TRACE_MAX	1000	/* frames kept for scrolling back */

struct line_frame {
	char		*text;		/* pile_trace_format */
	size_t		 len;		/* bytes in the frame */
};

struct line_view {
	int			 trace;		/* the trace is on */
	struct line_frame	 frames[LINE_TRACE_MAX];	/* a ring */
	int		 n, first;
	int		 back;		/* lines scrolled back from the newest */
};

static const enum tui_action line_bar[] = {
	TUI_A_TRACE, TUI_A_PAGE_UP, TUI_A_PAGE_DOWN, TUI_A_VIEW_BUS, TUI_A_VIEW_EVENTS,
	TUI_A_NONE
};

static void
line_init(struct tui *t)
{
	t->lineview = xcalloc(1, sizeof *t->lineview);
}

static void
line_clear(struct line_view *lv)
{
	int	i;

	for (i = 0; i < lv->n; i++)
		free(lv->frames[(lv->first + i) % LINE_TRACE_MAX].text);
	lv->n = lv->first = lv->back = 0;
}

static void
line_free(struct tui *t)
{
	/* The bus outlives the console (main closes the pile's session on
	 * it): the hook goes back to the --trace file alone. */
	t->ctx->trace_fn = NULL;
	t->ctx->trace_arg = NULL;
	if (t->bus != NULL)
		pile_bus_set_trace(t->bus, t->ctx->trace != NULL ? cmd_trace_frame : NULL,
		    t->ctx->trace);
	if (t->lineview == NULL)
		return;
	line_clear(t->lineview);
	free(t->lineview);
	t->lineview = NULL;
}

/* The bus's trace hook: the --trace file gets every frame, the view the
 * frames while its trace is on. */
static void
line_trace_frame(void *arg, enum pile_trace_dir dir, uint8_t unit,
    const uint8_t *buf, size_t len, uint64_t wall_us)
{
	struct tui		*t = arg;
	struct line_view	*lv = t->lineview;
	struct line_frame	*f;

	if (t->ctx->trace != NULL)
		cmd_trace_frame(t->ctx->trace, dir, unit, buf, len, wall_us);
	if (lv == NULL || !lv->trace)
		return;
	if (lv->n == LINE_TRACE_MAX) {
		free(lv->frames[lv->first].text);
		lv->first = (lv->first + 1) % LINE_TRACE_MAX;
		lv->n--;
	}
	/* Scrolled back, what the user looks at stays put. */
	if (lv->back > 0 && lv->back < LINE_TRACE_MAX - 1)
		lv->back++;
	f = &lv->frames[(lv->first + lv->n) % LINE_TRACE_MAX];
	f->text = pile_trace_format(dir, buf, len, wall_us);
	f->len = len;
	lv->n++;
	if (t->view == &tui_view_line)
		t->dirty = 1;
}

/* The console's buses, and every bus a job makes (cmd_bus_new), trace
 * here. */
void
tui_line_trace_attach(struct tui *t, struct pile_bus *bus)
{
	t->ctx->trace_fn = line_trace_frame;
	t->ctx->trace_arg = t;
	if (bus != NULL)
		pile_bus_set_trace(bus, line_trace_frame, t);
}

/* One address's counters on both of the console's buses (the scan bus
 * asks once with a short timeout; the same wire). */
static void
line_stats_add(struct pile_bus_stats *sum, const struct pile_bus_stats *st)
{
	if (st->replies > 0 && (sum->replies == 0 || st->rtt_min_us < sum->rtt_min_us))
		sum->rtt_min_us = st->rtt_min_us;
	if (st->rtt_max_us > sum->rtt_max_us)
		sum->rtt_max_us = st->rtt_max_us;
	sum->rtt_sum_us += st->rtt_sum_us;
	sum->requests += st->requests;
	sum->replies += st->replies;
	sum->crc_errors += st->crc_errors;
	sum->timeouts += st->timeouts;
	sum->exceptions += st->exceptions;
	sum->retries += st->retries;
}

/* addr -1: every pile listed. Not the bus's own totals: the search for
 * piles asks empty addresses, whose silence says nothing of the line. */
static void
line_stats(struct tui *t, int addr, struct pile_bus_stats *st)
{
	struct pile_bus_stats	one;
	int			i;

	memset(st, 0, sizeof *st);
	if (addr < 0) {
		for (i = 0; i < t->npiles; i++) {
			line_stats(t, t->piles[i].addr, &one);
			line_stats_add(st, &one);
		}
		return;
	}
	line_stats_add(st, pile_bus_unit_stats(t->bus, (uint8_t)addr));
	if (t->scan_bus != NULL)
		line_stats_add(st, pile_bus_unit_stats(t->scan_bus, (uint8_t)addr));
}

static int
col(const char *h, int min)
{
	int	w = utf8_width(h);

	return (w > min ? w : min);
}

#define LINE_COLS	9

static void
line_row(int y, const int *w, int attr, const char *name, const char *serial,
    const struct pile_bus_stats *st)
{
	char	 v[LINE_COLS][48];
	int	 i, x;

	snprintf(v[0], sizeof v[0], "%s", name);
	snprintf(v[1], sizeof v[1], "%s", serial);
	snprintf(v[2], sizeof v[2], "%lu", st->requests);
	snprintf(v[3], sizeof v[3], "%lu", st->replies);
	snprintf(v[4], sizeof v[4], "%lu", st->crc_errors);
	snprintf(v[5], sizeof v[5], "%lu", st->timeouts);
	snprintf(v[6], sizeof v[6], "%lu", st->exceptions);
	snprintf(v[7], sizeof v[7], "%lu", st->retries);
	if (st->replies > 0)
		snprintf(v[8], sizeof v[8], "%.1f/%.1f/%.1f",
		    (double)st->rtt_min_us / 1000,
		    (double)st->rtt_sum_us / (double)st->replies / 1000,
		    (double)st->rtt_max_us / 1000);
	else
		snprintf(v[8], sizeof v[8], "-");
	for (x = 0, i = 0; i < LINE_COLS && x < COLS; i++) {
		tui_cell(y, x, i == LINE_COLS - 1 ? COLS - x : w[i],
		    (i == 4 || i == 5) && v[i][0] != '0' ? attr | tui_attr(TUI_R_WARN) : attr,
		    i != 1 && i != LINE_COLS - 1, v[i]);
		x += w[i] + 1;
	}
}

static void
line_draw_counters(struct tui *t, int y0, int rows)
{
	const char		*h[LINE_COLS] = { _("addr"), _("serial"), _("requests"),
				    _("replies"), _("CRC"), _("timeouts"), _("exc"),
				    _("retries"), _("RTT min/avg/max ms") };
	static const int	 min[LINE_COLS] = { 4, 10, 8, 7, 4, 8, 4, 7, 0 };
	struct pile_bus_stats	 st;
	struct tui_pile		*p;
	int			 w[LINE_COLS], x, i, r;
	char			 addr[16];

	for (x = 0, i = 0; i < LINE_COLS; i++) {
		w[i] = col(h[i], min[i]);
		tui_cell(y0, x, i == LINE_COLS - 1 ? COLS - x : w[i],
		    tui_attr(TUI_R_HEADER), i != 1 && i != LINE_COLS - 1, h[i]);
		x += w[i] + 1;
	}
	/* The whole bus last, so it stays in sight when the piles do not fit. */
	for (r = 0; r < rows - 2 && r < t->npiles; r++) {
		i = t->npiles <= rows - 2 ? r : (t->cur + r) % t->npiles;
		p = &t->piles[i];
		line_stats(t, p->addr, &st);
		snprintf(addr, sizeof addr, "%u", p->addr);
		line_row(y0 + 1 + r, w, i == t->cur ? tui_attr(TUI_R_SELECTED) : TUI_PLAIN,
		    addr, p->have_id ? p->id.serial : "?", &st);
	}
	if (rows >= 2) {
		line_stats(t, -1, &st);
		line_row(y0 + 1 + r, w, tui_attr(TUI_R_LABEL), _("all"), "", &st);
	}
}

/* A frame wider than the screen ends with how long it is, so a cut-short
 * reply never passes for a whole one. */
static void
line_draw_frame(int y, const struct line_frame *f)
{
	char	tail[48];
	int	w;

	if (utf8_width(f->text) <= COLS) {
		tui_put(y, 0, COLS, TUI_PLAIN, f->text);
		return;
	}
	snprintf(tail, sizeof tail, _(" ... (%zu bytes)"), f->len);
	w = utf8_width(tail);
	tui_put(y, 0, COLS - w, TUI_PLAIN, f->text);
	tui_put(y, COLS - w, w, tui_attr(TUI_R_DIM), tail);
}

static void
line_draw(struct tui *t, int y0, int rows)
{
	struct line_view	*lv = t->lineview;
	char			 keys[32];
	int			 top, trows, r, i, last;

	top = t->npiles + 2;
	if (lv->trace && top > rows / 2)
		top = rows / 2;
	if (top > rows)
		top = rows;
	line_draw_counters(t, y0, top);
	if (rows - top < 2)
		return;
	tui_action_keys(TUI_A_TRACE, keys, sizeof keys, 1);
	if (!lv->trace) {
		tui_putf(y0 + top + 1, 1, COLS - 2, tui_attr(TUI_R_DIM),
		    _("trace off: press %s to show every frame on the line"), keys);
		return;
	}
	if (lv->back > 0)
		tui_putf(y0 + top, 0, COLS, tui_attr(TUI_R_HEADER),
		    _("trace: %d frames, %d lines back (press %s to stop)"), lv->n,
		    lv->back, keys);
	else
		tui_putf(y0 + top, 0, COLS, tui_attr(TUI_R_HEADER),
		    _("trace: %d frames, newest last (press %s to stop)"), lv->n, keys);
	trows = rows - top - 1;
	last = lv->n - 1 - lv->back;	/* the line at the foot */
	for (r = 0; r < trows; r++) {
		i = last - (trows - 1) + r;
		if (i < 0 || i >= lv->n)
			continue;
		line_draw_frame(y0 + top + 1 + r, &lv->frames[(lv->first + i) % LINE_TRACE_MAX]);
	}
}

static int
line_action(struct tui *t, enum tui_action a)
{
	struct line_view	*lv = t->lineview;
	int			 page = LINES / 2 > 1 ? LINES / 2 : 1;

	switch (a) {
	case TUI_A_TRACE:
		lv->trace = !lv->trace;
		if (lv->trace) {
			line_clear(lv);
			tui_event(t, TUI_INFO, _("trace on: every frame on the line shows in the Line view"));
		} else
			tui_event(t, TUI_INFO, _("trace off"));
		return (1);
	case TUI_A_UP:
		lv->back++;
		break;
	case TUI_A_DOWN:
		lv->back--;
		break;
	case TUI_A_PAGE_UP:
		lv->back += page;
		break;
	case TUI_A_PAGE_DOWN:
		lv->back -= page;
		break;
	case TUI_A_TOP:
		lv->back = lv->n;
		break;
	case TUI_A_BOTTOM:
		lv->back = 0;
		break;
	default:
		return (0);
	}
	if (lv->back > lv->n - 1)
		lv->back = lv->n - 1;
	if (lv->back < 0)
		lv->back = 0;
	return (1);
}

const struct tui_view tui_view_line = {
	N_("line"), line_init, line_free, NULL, line_draw, line_action, line_bar
};
