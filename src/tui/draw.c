/* draw.c - drawing the console: the frame (title, the view, the message
 * line, the key bar) and the wide-character primitives the views use. Every
 * column count comes from utf8_width(), so Chinese labels (two columns a
 * character) line up. */
#include "config.h"

#include <sys/ioctl.h>

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "common.h"
#include "tui.h"

#define TUI_MESSAGE_S	15	/* how long the message line stays */

static int	tui_attrs[TUI_R_DIM + 1];

void
tui_colours_init(struct tui *t)
{
	const char	*nc = getenv("NO_COLOR");
	int		 i;

	/* no-color.org: present and not empty means no colour. */
	t->colour = has_colors() && (nc == NULL || *nc == '\0');
	for (i = 0; i <= TUI_R_DIM; i++)
		tui_attrs[i] = TUI_PLAIN;
	tui_attrs[TUI_R_TITLE] = A_REVERSE;
	tui_attrs[TUI_R_BAR_KEY] = A_REVERSE | A_BOLD;
	tui_attrs[TUI_R_SELECTED] = A_REVERSE;
	tui_attrs[TUI_R_CHANGED] = A_BOLD | A_UNDERLINE;
	tui_attrs[TUI_R_ERROR] = A_BOLD;
	tui_attrs[TUI_R_WARN] = A_BOLD;
	tui_attrs[TUI_R_HEADER] = A_BOLD;
	tui_attrs[TUI_R_DIM] = A_DIM;
	if (!t->colour)
		return;
	start_color();
	use_default_colors();
	init_pair(1, COLOR_BLACK, COLOR_CYAN);
	init_pair(2, COLOR_BLACK, COLOR_CYAN);
	init_pair(3, COLOR_GREEN, -1);
	init_pair(4, COLOR_YELLOW, -1);
	init_pair(5, COLOR_RED, -1);
	init_pair(6, COLOR_CYAN, -1);
	init_pair(7, COLOR_BLACK, COLOR_YELLOW);
	tui_attrs[TUI_R_TITLE] = COLOR_PAIR(1);
	tui_attrs[TUI_R_BAR_KEY] = COLOR_PAIR(2) | A_BOLD;
	tui_attrs[TUI_R_OK] = COLOR_PAIR(3);
	tui_attrs[TUI_R_WARN] = COLOR_PAIR(4) | A_BOLD;
	tui_attrs[TUI_R_ERROR] = COLOR_PAIR(5) | A_BOLD;
	tui_attrs[TUI_R_LABEL] = COLOR_PAIR(6);
	tui_attrs[TUI_R_CHANGED] = COLOR_PAIR(7) | A_BOLD;
}

int
tui_attr(enum tui_role r)
{
	return (tui_attrs[r]);
}

/* Every string reaches the screen through text_safe (the one function for
 * text from a pile or a file): an escape or a newline in a holder's name
 * shows as \x1B or \n, as in batch mode; what the locale still cannot
 * show becomes '?'. */
int
tui_put(int y, int x, int w, int attr, const char *str)
{
	mbstate_t	 mbs;
	wchar_t		 wc;
	size_t		 n;
	int		 used = 0, cw;
	char		*safe;
	const char	*s;

	if (w <= 0 || y < 0 || y >= LINES || x >= COLS)
		return (0);
	s = safe = text_safe(str, 0);
	if (x + w > COLS)
		w = COLS - x;
	attrset(attr);
	move(y, x);
	memset(&mbs, 0, sizeof mbs);
	while (*s != '\0') {
		n = mbrtowc(&wc, s, MB_CUR_MAX, &mbs);
		if (n == (size_t)-1 || n == (size_t)-2) {
			memset(&mbs, 0, sizeof mbs);
			wc = L'?';
			n = 1;
		}
		if (wc == L'\t' || wc == L'\n' || wc == L'\r')
			wc = L' ';
		cw = wcwidth(wc);
		if (cw < 0) {
			wc = L'?';
			cw = 1;
		}
		if (used + cw > w)
			break;
		addnwstr(&wc, 1);
		used += cw;
		s += n;
	}
	attrset(TUI_PLAIN);
	free(safe);
	return (used);
}

void
tui_cell(int y, int x, int w, int attr, int right, const char *s)
{
	char	*safe;
	int	 sw, pad;

	if (w <= 0)
		return;
	safe = text_safe(s, 0);		/* the width of what tui_put shows */
	sw = utf8_width(safe);
	free(safe);
	pad = sw < w ? w - sw : 0;
	if (right && pad > 0) {
		mvhline(y, x, ' ', pad);
		tui_put(y, x + pad, w - pad, attr, s);
		return;
	}
	sw = tui_put(y, x, w, attr, s);
	if (sw < w && x + sw < COLS) {
		attrset(attr);
		mvhline(y, x + sw, ' ', w - sw);
		attrset(TUI_PLAIN);
	}
}

int
tui_putf(int y, int x, int w, int attr, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	n = tui_put(y, x, w, attr, s);
	free(s);
	return (n);
}

void
tui_fill(int y, int attr)
{
	attrset(attr);
	mvhline(y, 0, ' ', COLS);
	attrset(TUI_PLAIN);
}

/* [#######.......] with eighth blocks would break monochrome terminals;
 * plain ASCII reads everywhere. */
void
tui_progress(int y, int x, int w, double frac)
{
	int	i, full;

	if (w < 3)
		return;
	if (frac < 0)
		frac = 0;
	if (frac > 1)
		frac = 1;
	full = (int)(frac * (w - 2) + 0.5);
	mvaddch(y, x, '[');
	for (i = 0; i < w - 2; i++)
		addch(i < full ? ('#' | tui_attr(TUI_R_OK)) : '.');
	addch(']');
}

void
tui_list_fit(struct tui_list *l, int rows)
{
	if (rows < 1)
		rows = 1;
	if (l->sel >= l->n)
		l->sel = l->n - 1;
	if (l->sel < 0)
		l->sel = 0;
	if (l->top > l->sel)
		l->top = l->sel;
	if (l->sel >= l->top + rows)
		l->top = l->sel - rows + 1;
	if (l->top > l->n - rows)
		l->top = l->n - rows;
	if (l->top < 0)
		l->top = 0;
}

int
tui_list_action(struct tui_list *l, enum tui_action a, int rows)
{
	switch (a) {
	case TUI_A_UP:
		l->sel--;
		break;
	case TUI_A_DOWN:
		l->sel++;
		break;
	case TUI_A_PAGE_UP:
		l->sel -= rows > 1 ? rows - 1 : 1;
		l->top -= rows > 1 ? rows - 1 : 1;
		break;
	case TUI_A_PAGE_DOWN:
		l->sel += rows > 1 ? rows - 1 : 1;
		l->top += rows > 1 ? rows - 1 : 1;
		break;
	case TUI_A_TOP:
		l->sel = 0;
		break;
	case TUI_A_BOTTOM:
		l->sel = l->n - 1;
		break;
	default:
		return (0);
	}
	tui_list_fit(l, rows);
	return (1);
}

/* ---- the frame around the view ------------------------------------------ */

static void
tui_draw_title(struct tui *t)
{
	struct tui_pile	*p = tui_cur(t);
	char		 name[64], jobs[96], right[400];
	int		 x, attr = tui_attr(TUI_R_TITLE);

	tui_fill(0, attr);
	x = tui_putf(0, 0, COLS, attr | A_BOLD, " pilecon ");
	x += tui_putf(0, x, COLS - x, attr, " %s ", _(t->view->name));
	if (p != NULL)
		x += tui_putf(0, x, COLS - x, attr, "  %s @%u", tui_pile_name(p, name, sizeof name), p->addr);
	if (t->npiles > 1)
		x += tui_putf(0, x, COLS - x, attr, " (%d/%d)", t->cur + 1, t->npiles);
	/* The running jobs and the port; the jobs alone when both do not
	 * fit (a long port path). */
	tui_jobs_summary(t, jobs, sizeof jobs);
	snprintf(right, sizeof right, "%s%s%s ", jobs, jobs[0] != '\0' ? "  " : "",
	    link_name(pile_bus_link(t->bus)));
	if (COLS - x <= utf8_width(right) + 2)
		snprintf(right, sizeof right, "%s ", jobs);
	if (right[1] != '\0' && COLS - x > utf8_width(right) + 2)
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
	if (tui_link_message(t, y))
		return;
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

void
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

void
tui_resize(struct tui *t)
{
	struct winsize	ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
	t->dirty = 1;
}
