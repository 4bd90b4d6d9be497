/* view-help.c - the '?' screen, generated from the action table and the
 * keys bound now (so the user's keys.conf shows up too). */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "tui.h"

struct help_view {
	struct tui_list	list;	/* only top moves: the screen scrolls */
};

static const enum tui_action help_bar[] = { TUI_A_HELP, TUI_A_PAGE_DOWN, TUI_A_PAGE_UP, TUI_A_NONE };

static void
help_init(struct tui *t)
{
	t->help = xcalloc(1, sizeof *t->help);
}

static void
help_free(struct tui *t)
{
	free(t->help);
	t->help = NULL;
}

static const char *const help_groups[] = {
	N_("global"), N_("movement"), N_("pile"), N_("whitelist"), N_("records"),
	N_("line")
};

/* Lines of the screen, group headers included; line i is an action when
 * *a is set. */
static int
help_line(int i, const char **group, enum tui_action *a)
{
	size_t	g;
	int	n = 0, k;

	for (g = 0; g < nitems(help_groups); g++) {
		if (n++ == i) {
			*group = help_groups[g];
			*a = TUI_A_NONE;
			return (1);
		}
		for (k = 0; k < tui_nactions; k++) {
			if (strcmp(tui_actions[k].group, help_groups[g]) != 0)
				continue;
			if (n++ == i) {
				*group = NULL;
				*a = tui_actions[k].action;
				return (1);
			}
		}
		if (n++ == i) {
			*group = "";
			*a = TUI_A_NONE;
			return (1);
		}
	}
	return (0);
}

static void
help_draw(struct tui *t, int y0, int rows)
{
	struct tui_list			*l = &t->help->list;
	const struct tui_action_info	*ai;
	const char			*group;
	enum tui_action			 a;
	char				 keys[64];
	int				 n, r, kw = 12, nw = 15;

	for (n = 0; help_line(n, &group, &a); n++)
		;
	l->n = n;
	l->sel = l->top;
	tui_list_fit(l, rows);
	for (r = 0; r < rows && help_line(l->top + r, &group, &a); r++) {
		if (group != NULL) {
			if (*group != '\0')
				tui_putf(y0 + r, 1, COLS - 2, tui_attr(TUI_R_HEADER), "%s", _(group));
			continue;
		}
		ai = tui_action_info(a);
		tui_action_keys(a, keys, sizeof keys, 0);
		tui_cell(y0 + r, 2, kw, tui_attr(TUI_R_LABEL), 0, keys[0] != '\0' ? keys : "-");
		tui_cell(y0 + r, 2 + kw + 1, nw, TUI_PLAIN, 0, ai->name);
		tui_put(y0 + r, 2 + kw + nw + 2, COLS - kw - nw - 4, TUI_PLAIN, _(ai->help));
	}
}

static int
help_action(struct tui *t, enum tui_action a)
{
	struct tui_list	*l = &t->help->list;

	switch (a) {
	case TUI_A_UP:
		l->top--;
		break;
	case TUI_A_DOWN:
		l->top++;
		break;
	case TUI_A_PAGE_UP:
		l->top -= LINES - 4;
		break;
	case TUI_A_PAGE_DOWN:
		l->top += LINES - 4;
		break;
	case TUI_A_TOP:
		l->top = 0;
		break;
	case TUI_A_BOTTOM:
		l->top = l->n;
		break;
	case TUI_A_OPEN:
		tui_show_view(t, t->back);
		return (1);
	default:
		return (0);
	}
	if (l->top > l->n - (LINES - 3))
		l->top = l->n - (LINES - 3);
	if (l->top < 0)
		l->top = 0;
	return (1);
}

const struct tui_view tui_view_help = {
	N_("help"), help_init, help_free, NULL, help_draw, help_action, help_bar
};
