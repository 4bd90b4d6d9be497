/* view-whitelist.c - the pile's card whitelist: read window by window from
 * the loop, searched with '/', edited through prompts; every write is
 * confirmed first and its result shown. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "batch/batch.h"
#include "common.h"
#include "tui.h"

struct wl_view {
	uint8_t			 addr;		/* pile the list belongs to; 0 none */
	uint32_t		 version, count;
	int			 loaded;
	struct proto_wl_entry	*e;
	int			 n;
	struct proto_wl_entry	 edit;		/* the entry a prompt chain builds */
	unsigned		 cmd;
	char			*import;	/* the file the confirmation names */
	struct tui_list		 list;
	char			*search;	/* last search text */
};

static const enum tui_action wl_bar[] = {
	TUI_A_WL_ADD, TUI_A_WL_BLOCK, TUI_A_WL_REMOVE, TUI_A_WL_EXPIRY, TUI_A_WL_IMPORT,
	TUI_A_SEARCH, TUI_A_NONE
};

static void
wl_init(struct tui *t)
{
	t->whitelist = xcalloc(1, sizeof *t->whitelist);
}

static void
wl_free(struct tui *t)
{
	if (t->whitelist == NULL)
		return;
	free(t->whitelist->e);
	free(t->whitelist->search);
	free(t->whitelist->import);
	free(t->whitelist);
	t->whitelist = NULL;
}

/* The rows of a finished 'whitelist list' job (its --json shape). */
static void
wl_take(struct wl_view *wl, const struct json *data)
{
	const struct json	*rows = json_get(data, "entries"), *r;
	struct proto_wl_entry	*e;
	size_t			 i;

	free(wl->e);
	wl->e = xcalloc(json_len(rows) + 1, sizeof *wl->e);
	wl->n = 0;
	for (i = 0; i < json_len(rows); i++) {
		r = json_at(rows, i);
		e = &wl->e[wl->n];
		if (proto_uid_normalize(json_get_str(r, "uid") != NULL ?
		    json_get_str(r, "uid") : "", e->uid) != 0)
			continue;
		e->status = json_get_str(r, "status") != NULL &&
		    strcmp(json_get_str(r, "status"), "blocked") == 0 ?
		    PROTO_WL_BLOCKED : PROTO_WL_ACCEPTED;
		e->expiry = (uint32_t)json_get_int(r, "expiry", 0);
		snprintf(e->holder, sizeof e->holder, "%s",
		    json_get_str(r, "holder") != NULL ? json_get_str(r, "holder") : "");
		wl->n++;
	}
	wl->version = (uint32_t)json_get_int(data, "version", 0);
	wl->count = (uint32_t)wl->n;
	wl->list.n = wl->n;
}

static void
wl_load_done(struct tui *t, struct tui_job *tj)
{
	struct wl_view		*wl = t->whitelist;
	const struct result	*r = &tj->job->result;

	if (tj->addr != wl->addr)
		return;
	if (r->error.exit != EXIT_OK || r->cancelled || r->data == NULL) {
		wl->loaded = 1;		/* no retry at every turn: R reads again */
		return;
	}
	wl_take(wl, r->data);
	wl->loaded = 1;
	tui_event(t, TUI_INFO, ngettext("whitelist v%lu of %s read: %d card",
	    "whitelist v%lu of %s read: %d cards", wl->n), (unsigned long)wl->version,
	    json_get_str(r->data, "serial") != NULL ? json_get_str(r->data, "serial") : "?",
	    wl->n);
}

/* A job of this pile that reads or changes its whitelist. */
static struct tui_job *
wl_job(struct tui *t, uint8_t addr)
{
	struct tui_job	*tj;

	for (tj = t->jobs; tj != NULL; tj = tj->next) {
		if (tj->addr == addr && strncmp(tj->words, "whitelist ", 10) == 0)
			return (tj);
	}
	return (NULL);
}

static void
wl_load(struct tui *t)
{
	static const char	*argv[] = { "whitelist", "list", "--json" };
	struct wl_view		*wl = t->whitelist;
	struct tui_pile		*p = tui_cur(t);
	struct tui_job		*tj, *fg = t->fg;
	char			*cause = NULL;

	if (p == NULL || !p->have_id || wl_job(t, p->addr) != NULL)
		return;
	if (wl->addr != p->addr) {
		free(wl->e);
		wl->e = NULL;
		wl->n = 0;
		wl->list.n = 0;
	}
	wl->addr = p->addr;
	wl->loaded = 0;
	if ((tj = tui_job_start(t, p, TUI_JOB_KEY, 3, argv, NULL, &cause)) == NULL) {
		tui_event(t, TUI_ERROR, "%s", cause);
		free(cause);
		wl->loaded = 1;
		return;
	}
	tj->done = wl_load_done;
	tj->quiet = 1;	/* its rows go to the view, not the events */
	t->fg = fg;	/* a read the view started itself: Esc is not for it */
}

/* Reads the list again when it belongs to another pile or when the pile's
 * version moved (an edit from here, from the back-end or from a script),
 * once whatever changes it here is over. */
static void
wl_check(struct tui *t)
{
	struct wl_view	*wl = t->whitelist;
	struct tui_pile	*p = tui_cur(t);

	if (p == NULL || !p->have_live || wl_job(t, p->addr) != NULL)
		return;
	if (wl->addr != p->addr || !wl->loaded || p->live.wl_version != wl->version)
		wl_load(t);
}

static void
wl_enter(struct tui *t)
{
	wl_check(t);
}

static void
wl_status_words(const struct proto_wl_entry *e, char *buf, size_t len)
{
	snprintf(buf, len, "%s", e->status == PROTO_WL_BLOCKED ? _("blocked") : _("accepted"));
}

static void
wl_draw(struct tui *t, int y0, int rows)
{
	struct wl_view	*wl = t->whitelist;
	struct tui_pile	*p = tui_cur(t);
	struct tui_job	*tj;
	const char	*h[] = { _("card UID"), _("status"), _("expires"), _("holder") };
	int		 w[4], x, i, r, attr, sel;
	char		 buf[64];

	if (p == NULL) {
		tui_put(y0 + 1, 1, COLS - 2, TUI_PLAIN, _("no pile selected: the bus view (1) lists the piles that answer"));
		return;
	}
	wl_check(t);
	if ((tj = tui_job_find(t, p->addr, "whitelist list")) != NULL &&
	    tj->job->result.progress.what != NULL)
		tui_putf(y0, 1, COLS - 2, TUI_PLAIN, _("reading the whitelist of %s: %lu of %lu cards"),
		    p->id.serial, (unsigned long)tj->job->result.progress.done,
		    (unsigned long)tj->job->result.progress.total);
	else if (tj != NULL)
		tui_putf(y0, 1, COLS - 2, TUI_PLAIN, _("reading the whitelist of %s..."), p->id.serial);
	else
		tui_putf(y0, 1, COLS - 2, TUI_PLAIN, _("whitelist v%lu of %s: %d cards%s%s"),
		    (unsigned long)wl->version, p->id.serial, wl->n,
		    wl->search != NULL ? _(", search: ") : "", wl->search != NULL ? wl->search : "");
	w[0] = utf8_width(h[0]) > 20 ? utf8_width(h[0]) : 20;
	w[1] = utf8_width(h[1]) > 9 ? utf8_width(h[1]) : 9;
	w[2] = utf8_width(h[2]) > 10 ? utf8_width(h[2]) : 10;
	for (x = 1, i = 0; i < 4; i++) {
		tui_cell(y0 + 1, x, i == 3 ? COLS - x : w[i], tui_attr(TUI_R_HEADER), 0, h[i]);
		if (i < 3)
			x += w[i] + 2;
	}
	wl->list.n = wl->n;
	tui_list_fit(&wl->list, rows - 2);
	for (r = 0; r < rows - 2 && wl->list.top + r < wl->n; r++) {
		const struct proto_wl_entry *e = &wl->e[wl->list.top + r];

		sel = wl->list.top + r == wl->list.sel;
		attr = sel ? tui_attr(TUI_R_SELECTED) : TUI_PLAIN;
		if (sel)
			tui_fill(y0 + 2 + r, attr);
		x = 1;
		tui_cell(y0 + 2 + r, x, w[0], attr, 0, e->uid);
		x += w[0] + 2;
		wl_status_words(e, buf, sizeof buf);
		tui_cell(y0 + 2 + r, x, w[1], attr | (e->status == PROTO_WL_BLOCKED && !sel ?
		    tui_attr(TUI_R_WARN) : 0), 0, buf);
		x += w[1] + 2;
		if (e->expiry == 0)
			snprintf(buf, sizeof buf, "%s", _("never"));
		else
			tui_fmt_date(e->expiry, buf, sizeof buf);
		tui_cell(y0 + 2 + r, x, w[2], attr, 0, buf);
		x += w[2] + 2;
		tui_cell(y0 + 2 + r, x, COLS - x, attr, 0, e->holder);
	}
}

/* ---- edits: jobs ------------------------------------------------------------ */

/* The list is read again once the edit is over, and the dashboard's
 * version too. */
static void
wl_edit_done(struct tui *t, struct tui_job *tj)
{
	int	i;

	if (tj->addr == t->whitelist->addr)
		t->whitelist->loaded = 0;
	for (i = 0; i < t->npiles; i++) {
		if (t->piles[i].addr == tj->addr)
			t->piles[i].due_ms = 0;
	}
}

static void
wl_describe(const struct proto_wl_entry *e, char *buf, size_t len)
{
	char	d[32];

	if (e->expiry == 0)
		snprintf(d, sizeof d, "%s", _("never expires"));
	else {
		snprintf(d, sizeof d, "%s ", _("expires"));
		tui_fmt_date(e->expiry, d + strlen(d), sizeof d - strlen(d));
	}
	snprintf(buf, len, "%s%s%s%s, %s, %s", e->uid, e->holder[0] != '\0' ? " (" : "", e->holder,
	    e->holder[0] != '\0' ? ")" : "",
	    e->status == PROTO_WL_BLOCKED ? _("blocked") : _("accepted"), d);
}

/* The edit as a command: 'whitelist add UID --holder H --expires T',
 * 'whitelist block UID' or 'whitelist remove UID'. */
static void
wl_write_yes(struct tui *t, void *arg)
{
	struct wl_view		*wl = t->whitelist;
	struct tui_pile		*p = tui_cur(t);
	struct tui_job		*tj;
	const char		*argv[7];
	char			 exp[16], *cause = NULL;
	int			 argc = 0;

	(void)arg;
	if (p == NULL)
		return;
	argv[argc++] = "whitelist";
	if (wl->cmd == PROTO_WL_REMOVE)
		argv[argc++] = "remove";
	else if (wl->edit.status == PROTO_WL_BLOCKED)
		argv[argc++] = "block";
	else
		argv[argc++] = "add";
	argv[argc++] = wl->edit.uid;
	if (wl->cmd != PROTO_WL_REMOVE && wl->edit.status != PROTO_WL_BLOCKED) {
		argv[argc++] = "--holder";
		argv[argc++] = wl->edit.holder;
		if (wl->edit.expiry != 0) {
			snprintf(exp, sizeof exp, "%lu", (unsigned long)wl->edit.expiry);
			argv[argc++] = "--expires";
			argv[argc++] = exp;
		}
	}
	if ((tj = tui_job_start(t, p, TUI_JOB_KEY, argc, argv, NULL, &cause)) == NULL) {
		tui_event(t, TUI_ERROR, "%s", cause);
		free(cause);
		return;
	}
	tj->done = wl_edit_done;
}

static void
wl_ask_confirm(struct tui *t)
{
	struct wl_view	*wl = t->whitelist;
	struct tui_pile	*p = tui_cur(t);
	char		 what[160], *q;

	wl_describe(&wl->edit, what, sizeof what);
	if (wl->cmd == PROTO_WL_REMOVE)
		q = xasprintf(_("remove card %s from the whitelist of %s?"), what, p->id.serial);
	else
		q = xasprintf(_("store card %s on %s?"), what, p->id.serial);
	tui_confirm(t, q, wl_write_yes, NULL);
	free(q);
}

static void
wl_expiry_answer(struct tui *t, const char *answer, void *arg)
{
	struct wl_view	*wl = t->whitelist;
	long long	 d = tui_parse_date(answer);	/* the one parser */

	(void)arg;
	if (d < 0) {
		tui_event(t, TUI_ERROR, _("cannot read the date '%s': write it as YYYY-MM-DD, or leave it empty for never"),
		    answer);
		return;
	}
	wl->edit.expiry = (uint32_t)d;
	wl_ask_confirm(t);
}

static void
wl_holder_answer(struct tui *t, const char *answer, void *arg)
{
	struct wl_view	*wl = t->whitelist;
	snprintf(wl->edit.holder, sizeof wl->edit.holder, "%s", answer);
	tui_ask(t, _("expires (YYYY-MM-DD, empty: never): "), "", wl_expiry_answer, NULL);
}

static void
wl_uid_answer(struct tui *t, const char *answer, void *arg)
{
	struct wl_view	*wl = t->whitelist;
	int	i;

	memset(&wl->edit, 0, sizeof wl->edit);
	if (proto_uid_normalize(answer, wl->edit.uid) != 0) {
		tui_event(t, TUI_ERROR, _("cannot read the card UID '%s': 4 to 10 bytes of hex, like 04A1B2C3"),
		    answer);
		return;
	}
	wl->edit.status = PROTO_WL_ACCEPTED;
	wl->cmd = PROTO_WL_UPSERT;
	for (i = 0; i < wl->n; i++) {
		if (strcmp(wl->e[i].uid, wl->edit.uid) == 0) {
			/* Updating a card keeps what the prompts do not ask. */
			wl->edit = wl->e[i];
			wl->edit.status = PROTO_WL_ACCEPTED;
		}
	}
	tui_ask(t, _("holder name (may be empty): "), wl->edit.holder, wl_holder_answer, NULL);
}

static void
wl_import_yes(struct tui *t, void *arg)
{
	struct wl_view	*wl = t->whitelist;
	struct tui_job	*tj;
	const char	*argv[] = { "whitelist", "import", wl->import };
	char		*cause = NULL;

	(void)arg;
	if ((tj = tui_job_start(t, tui_cur(t), TUI_JOB_KEY, 3, argv, NULL, &cause)) == NULL) {
		tui_event(t, TUI_ERROR, "%s", cause);
		free(cause);
		return;
	}
	tj->done = wl_edit_done;
}

static void
wl_import_answer(struct tui *t, const char *answer, void *arg)
{
	struct wl_view	*wl = t->whitelist;
	struct tui_pile	*p = tui_cur(t);
	char		*q;

	(void)arg;
	if (answer[0] == '\0' || p == NULL)
		return;
	free(wl->import);
	wl->import = xstrdup(answer);
	q = xasprintf(_("import the cards in '%s' into %s (nothing is imported if a line is bad)?"),
	    answer, p->id.serial);
	tui_confirm(t, q, wl_import_yes, NULL);
	free(q);
}

static int
wl_match(const struct proto_wl_entry *e, const char *s)
{
	return (strcasestr(e->uid, s) != NULL || strcasestr(e->holder, s) != NULL);
}

static void
wl_search_next(struct tui *t)
{
	struct wl_view	*wl = t->whitelist;
	int	i, k;

	if (wl->search == NULL || wl->n == 0)
		return;
	for (k = 1; k <= wl->n; k++) {
		i = (wl->list.sel + k) % wl->n;
		if (wl_match(&wl->e[i], wl->search)) {
			wl->list.sel = i;
			return;
		}
	}
	tui_event(t, TUI_INFO, _("no card matches '%s'"), wl->search);
}

static void
wl_search_answer(struct tui *t, const char *answer, void *arg)
{
	struct wl_view	*wl = t->whitelist;
	free(wl->search);
	wl->search = answer[0] != '\0' ? xstrdup(answer) : NULL;
	wl->list.sel--;
	wl_search_next(t);
}

static int
wl_action(struct tui *t, enum tui_action a)
{
	struct wl_view		*wl = t->whitelist;
	struct tui_pile		*p = tui_cur(t);
	struct proto_wl_entry	*sel = NULL;
	char			 buf[32];

	if (tui_list_action(&wl->list, a, LINES - 6))
		return (1);
	if (a == TUI_A_SEARCH) {
		tui_ask(t, "/", wl->search, wl_search_answer, NULL);
		return (1);
	}
	if (a == TUI_A_SEARCH_NEXT) {
		wl_search_next(t);
		return (1);
	}
	if (a == TUI_A_RELOAD) {
		wl->loaded = 0;
		wl_load(t);
		return (1);
	}
	if (a != TUI_A_WL_ADD && a != TUI_A_WL_BLOCK && a != TUI_A_WL_REMOVE &&
	    a != TUI_A_WL_EXPIRY && a != TUI_A_WL_IMPORT)
		return (tui_pile_action(t, a));
	if (p == NULL || !p->have_id) {
		tui_event(t, TUI_WARN, _("no pile answers yet: nothing to do"));
		return (1);
	}
	if (a == TUI_A_WL_ADD) {
		tui_ask(t, _("card UID to add (hex, e.g. 04A1B2C3): "), "", wl_uid_answer, NULL);
		return (1);
	}
	if (a == TUI_A_WL_IMPORT) {
		tui_ask(t, _("CSV file to import: "), "", wl_import_answer, NULL);
		return (1);
	}
	if (wl->list.sel >= 0 && wl->list.sel < wl->n)
		sel = &wl->e[wl->list.sel];
	if (sel == NULL) {
		tui_event(t, TUI_INFO, _("no card selected"));
		return (1);
	}
	wl->edit = *sel;
	wl->cmd = PROTO_WL_UPSERT;
	switch (a) {
	case TUI_A_WL_BLOCK:
		wl->edit.status = sel->status == PROTO_WL_BLOCKED ? PROTO_WL_ACCEPTED : PROTO_WL_BLOCKED;
		wl_ask_confirm(t);
		break;
	case TUI_A_WL_REMOVE:
		wl->cmd = PROTO_WL_REMOVE;
		wl_ask_confirm(t);
		break;
	default:
		if (sel->expiry != 0)
			tui_fmt_date(sel->expiry, buf, sizeof buf);
		else
			buf[0] = '\0';
		tui_ask(t, _("expires (YYYY-MM-DD, empty: never): "), buf, wl_expiry_answer, NULL);
		break;
	}
	return (1);
}

const struct tui_view tui_view_whitelist = {
	N_("whitelist"), wl_init, wl_free, wl_enter, wl_draw, wl_action, wl_bar
};
