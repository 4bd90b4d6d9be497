/* view-records.c - charging records: what the pile holds (unsynced first)
 * and what the local archive holds; a pull stepped one window per loop turn
 * with a progress bar, export, and resync with the unsynced count falling
 * live. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "batch/batch.h"
#include "common.h"
#include "tui.h"

/* The archive is read a page a turn (a pile can have tens of thousands of
 * records: read at once they would hold the console), into next; the rows
 * shown change once the read is whole. */
#define REC_PAGE	256

struct rec_view {
	char			 serial[17];	/* pile the rows belong to */
	struct archive_row	*rows;
	int			 n, loaded;
	struct archive_row	*next;		/* the read in progress */
	int			 nnext, cap, loading;
	struct archive_page	 pg;
	struct tui_list		 list;
};

static const enum tui_action rec_bar[] = {
	TUI_A_PULL, TUI_A_RESYNC, TUI_A_EXPORT, TUI_A_CANCEL, TUI_A_RELOAD, TUI_A_NONE
};

static void
rec_init(struct tui *t)
{
	t->records = xcalloc(1, sizeof *t->records);
}

static void
rec_free(struct tui *t)
{
	if (t->records == NULL)
		return;
	free(t->records->rows);
	free(t->records->next);
	free(t->records);
	t->records = NULL;
}

/* The archive, shared with the console's jobs (ctx->archive), opened on
 * first use. */
static struct archive *
rec_archive(struct tui *t)
{
	struct cmd_ctx	*ctx = t->ctx;
	char		*cause = NULL;

	if (ctx->archive == NULL &&
	    (ctx->archive = archive_open(ctx->opts.archive_path, &cause)) == NULL) {
		tui_event(t, TUI_ERROR, "%s", cause);
		free(cause);
	}
	return (ctx->archive);
}

static int
rec_collect(const struct archive_row *row, void *arg)
{
	struct rec_view	*rec = arg;

	if (rec->nnext == rec->cap) {
		rec->cap = rec->cap > 0 ? rec->cap * 2 : REC_PAGE;
		rec->next = xrealloc(rec->next, (size_t)rec->cap * sizeof *rec->next);
	}
	rec->next[rec->nnext++] = *row;
	return (0);
}

/* Unsynced first (they are what a technician is here for), then newest. */
static int
rec_cmp(const void *a, const void *b)
{
	const struct archive_row	*x = a, *y = b;
	int				 ux = !(x->rec.flags & PROTO_REC_F_SYNCED);
	int				 uy = !(y->rec.flags & PROTO_REC_F_SYNCED);

	if (ux != uy)
		return (uy - ux);
	/* Two series of one pile (its numbering restarted): the one pulled
	 * last is the newer. */
	if (x->store_id != y->store_id && x->pulled_at != y->pulled_at)
		return (x->pulled_at < y->pulled_at ? 1 : -1);
	return (x->rec.seq < y->rec.seq ? 1 : x->rec.seq > y->rec.seq ? -1 : 0);
}

/* The next page of the read; once it is whole, its rows are shown. */
static void
rec_load_step(struct tui *t)
{
	struct rec_view	*rec = t->records;
	struct archive	*a;
	char		*cause = NULL;

	if (!rec->loading)
		return;
	if ((a = rec_archive(t)) == NULL) {
		rec->loading = 0;
		return;
	}
	if (archive_foreach_page(a, rec->serial, &rec->pg, REC_PAGE, rec_collect, rec,
	    &cause) < 0) {
		tui_event(t, TUI_ERROR, "%s", cause);
		free(cause);
		rec->loading = 0;
		rec->nnext = 0;
		return;
	}
	if (!rec->pg.done)
		return;
	if (rec->nnext > 1)
		qsort(rec->next, (size_t)rec->nnext, sizeof *rec->next, rec_cmp);
	free(rec->rows);
	rec->rows = rec->next;
	rec->n = rec->nnext;
	rec->next = NULL;
	rec->nnext = rec->cap = 0;
	rec->loading = 0;
	rec->list.n = rec->n;
	t->dirty = 1;
}

/* Reads the current pile's records again (its first page now); the rows
 * shown stay until the read is whole, unless they are another pile's. */
static void
rec_load(struct tui *t)
{
	struct rec_view	*rec = t->records;
	struct tui_pile	*p = tui_cur(t);

	if (p == NULL || !p->have_id)
		return;
	if (strcmp(rec->serial, p->id.serial) != 0) {
		free(rec->rows);
		rec->rows = NULL;
		rec->n = rec->list.n = 0;
	}
	snprintf(rec->serial, sizeof rec->serial, "%s", p->id.serial);
	rec->loaded = 1;
	rec->loading = 1;
	rec->nnext = 0;
	memset(&rec->pg, 0, sizeof rec->pg);
	rec_load_step(t);
}

int
tui_records_step(struct tui *t)
{
	if (t->records == NULL || !t->records->loading)
		return (0);
	rec_load_step(t);
	return (t->records->loading);
}

static void
rec_enter(struct tui *t)
{
	struct rec_view	*rec = t->records;
	struct tui_pile	*p = tui_cur(t);

	if (p != NULL && p->have_id && (!rec->loaded || strcmp(rec->serial, p->id.serial) != 0))
		rec_load(t);
}

/* ---- the cloud's acknowledgements -------------------------------------------- */

void
tui_records_reconcile(struct tui *t, struct tui_pile *p)
{
	struct rec_view	*rec = t->records;
	struct archive	*a;
	uint32_t	 through, changed = 0;
	char		*cause = NULL;
	int		 rc;

	/* Only a pile that names its store: the archive's series is then
	 * known without reading a record (a 1.0 pile: pull, or resync --wait). */
	if (!p->have_id || !(p->id.caps & PROTO_CAP_STORE) || p->live.store_id == 0 ||
	    p->live.last_seq < p->live.unsynced)
		return;
	through = p->live.last_seq - p->live.unsynced;
	if (p->reconciled && p->reconciled_store == p->live.store_id &&
	    p->reconciled_through == through)
		return;
	if (!batch_archive_exists(t->ctx) || (a = rec_archive(t)) == NULL)
		return;
	rc = batch_reconcile_live(a, p->id.serial, &p->id, &p->live, &changed, &cause);
	if (rc < 0) {
		tui_event(t, TUI_ERROR, "%s", cause);
		free(cause);
		return;
	}
	p->reconciled = 1;
	p->reconciled_store = p->live.store_id;
	p->reconciled_through = through;
	if (changed > 0 && rec != NULL && rec->loaded && strcmp(rec->serial, p->id.serial) == 0)
		rec_load(t);
}

/* ---- pull and export: jobs ---------------------------------------------------- */

/* The archive changed: show it once the job is over. */
static void
rec_job_done(struct tui *t, struct tui_job *tj)
{
	struct tui_pile	*p = tui_cur(t);

	if (p != NULL && p->addr == tj->addr)
		rec_load(t);
}

static void
rec_pull(struct tui *t)
{
	static const char	*argv[] = { "logs", "pull" };
	struct tui_pile		*p = tui_cur(t);
	struct tui_job		*tj;
	char			*cause = NULL;

	if (p == NULL || !p->have_live) {
		tui_event(t, TUI_WARN, _("no pile answers yet: nothing to do"));
		return;
	}
	if (tui_job_find(t, p->addr, "logs pull") != NULL) {
		tui_event(t, TUI_INFO, _("%s: a pull is already running (Esc stops it)"),
		    p->id.serial);
		return;
	}
	if ((tj = tui_job_start(t, p, TUI_JOB_KEY, 2, argv, NULL, &cause)) == NULL) {
		tui_event(t, TUI_ERROR, "%s", cause);
		free(cause);
		return;
	}
	tj->done = rec_job_done;
}

static void
rec_export_answer(struct tui *t, const char *answer, void *arg)
{
	struct tui_pile	*p = tui_cur(t);
	struct tui_job	*tj;
	size_t		 len = strlen(answer);
	const char	*argv[] = { "logs", "export", "--format", "csv", "-o", answer,
			    "--pile", NULL };
	char		*cause = NULL;

	(void)arg;
	if (len == 0 || p == NULL || !p->have_id)
		return;
	if (len > 6 && strcmp(answer + len - 6, ".jsonl") == 0)
		argv[3] = "jsonl";
	argv[7] = p->id.serial;
	if ((tj = tui_job_start(t, NULL, TUI_JOB_KEY, 8, argv, NULL, &cause)) == NULL) {
		tui_event(t, TUI_ERROR, "%s", cause);
		free(cause);
	}
}

/* ---- screen ---------------------------------------------------------------- */

#define REC_COLS	8

/* What the pile holds, what the archive holds, the pull in progress. */
static void
rec_draw_summary(struct tui *t, struct tui_pile *p, int y)
{
	struct rec_view			*rec = t->records;
	struct tui_job			*tj = tui_job_find(t, p->addr, "logs pull");
	const struct result_progress	*pr;
	char				 a[32];
	double				 secs, rate;
	uint64_t			 left;
	int				 x;

	if (p->live.last_seq == 0)
		tui_putf(y++, 1, COLS - 2, TUI_PLAIN, _("on %s: no records"), p->id.serial);
	else
		tui_putf(y++, 1, COLS - 2, p->live.unsynced > 0 ? tui_attr(TUI_R_WARN) : TUI_PLAIN,
		    _("on %s: seq %lu-%lu, %lu unsynced (waiting for the back-end)"), p->id.serial,
		    (unsigned long)p->live.first_seq, (unsigned long)p->live.last_seq,
		    (unsigned long)p->live.unsynced);
	if (rec->loading && rec->n == 0)
		tui_putf(y++, 1, COLS - 2, TUI_PLAIN, _("in the archive: reading (%d records so "
		    "far)"), rec->nnext);
	else
		tui_putf(y++, 1, COLS - 2, TUI_PLAIN, _("in the archive: %d records of this "
		    "pile"), rec->n);
	if (tj == NULL || (pr = &tj->job->result.progress)->what == NULL)
		return;
	secs = (tui_now_ms() - pr->start_ms) / 1000.0;
	rate = secs > 0.05 ? pr->done / secs : 0;
	left = pr->total > pr->done ? pr->total - pr->done : 0;
	x = tui_putf(y, 1, COLS - 2, TUI_PLAIN, "%s ", _("pulling"));
	tui_progress(y, 1 + x, 22, pr->total > 0 ? (double)pr->done / pr->total : 0);
	if (rate > 0)
		tui_putf(y, x + 24, COLS - x - 25, TUI_PLAIN, _("%lu/%lu records  %.0f B/s  %s left"),
		    (unsigned long)pr->done, (unsigned long)pr->total, pr->bytes / secs,
		    tui_fmt_span((long)(left / rate + 0.5), a, sizeof a));
	else
		tui_putf(y, x + 24, COLS - x - 25, TUI_PLAIN, _("%lu/%lu records"),
		    (unsigned long)pr->done, (unsigned long)pr->total);
}

static void
rec_draw_row(int y, const int w[REC_COLS], const struct proto_record *rc, int sel)
{
	int		 attr = sel ? tui_attr(TUI_R_SELECTED) : TUI_PLAIN, x = 1;
	char		 buf[64];
	time_t		 tt = rc->start;
	struct tm	 tm;

	if (sel)
		tui_fill(y, attr);
	snprintf(buf, sizeof buf, "%lu", (unsigned long)rc->seq);
	tui_cell(y, x, w[0], attr, 1, buf);
	x += w[0] + 1;
	tui_cell(y, x, w[1], attr, 0, _(proto_kind_str(rc->kind)));
	x += w[1] + 1;
	tui_cell(y, x, w[2], attr, 0, rc->tag);
	x += w[2] + 1;
	if (localtime_r(&tt, &tm) != NULL)
		strftime(buf, sizeof buf, "%m-%d %H:%M", &tm);
	tui_cell(y, x, w[3], attr, 0, buf);
	x += w[3] + 1;
	tui_cell(y, x, w[4], attr, 1, tui_fmt_kwh(proto_record_energy_wh(rc), buf, sizeof buf));
	x += w[4] + 1;
	tui_cell(y, x, w[5], attr, 1, tui_fmt_money(proto_record_fee_minor(rc), buf, sizeof buf));
	x += w[5] + 1;
	snprintf(buf, sizeof buf, "v%lu", (unsigned long)rc->tariff_version);
	tui_cell(y, x, w[6], attr, 1, buf);
	x += w[6] + 1;
	if (x < COLS)
		tui_cell(y, x, COLS - x, sel ? attr : (rc->flags & PROTO_REC_F_SYNCED) ?
		    TUI_PLAIN : tui_attr(TUI_R_WARN), 0,
		    (rc->flags & PROTO_REC_F_SYNCED) ? _("synced") : _("unsynced"));
}

static void
rec_draw(struct tui *t, int y0, int rows)
{
	struct rec_view		*rec = t->records;
	struct tui_list		*l = &rec->list;
	struct tui_pile		*p = tui_cur(t);
	const char		*h[REC_COLS] = { _("seq"), _("kind"), _("card/order"), _("start"),
				    _("energy"), _("fee"), _("tariff"), _("sync") };
	static const int	 minw[REC_COLS] = { 5, 12, 12, 11, 10, 7, 4, 8 };
	static const int	 right[REC_COLS] = { 1, 0, 0, 0, 1, 1, 1, 0 };
	int			 w[REC_COLS], x, i, r, y;

	if (p == NULL || !p->have_live) {
		tui_put(y0 + 1, 1, COLS - 2, TUI_PLAIN, _("no pile selected: the bus view (1) lists the piles that answer"));
		return;
	}
	rec_enter(t);
	rec_draw_summary(t, p, y0);
	y = y0 + 3;
	for (i = 0; i < REC_COLS; i++)
		w[i] = utf8_width(h[i]) > minw[i] ? utf8_width(h[i]) : minw[i];
	for (x = 1, i = 0; i < REC_COLS && x < COLS; i++) {
		tui_cell(y, x, i == REC_COLS - 1 ? COLS - x : w[i], tui_attr(TUI_R_HEADER), right[i], h[i]);
		x += w[i] + 1;
	}
	y++;
	l->n = rec->n;
	tui_list_fit(l, y0 + rows - y);
	for (r = 0; y + r < y0 + rows && l->top + r < rec->n; r++)
		rec_draw_row(y + r, w, &rec->rows[l->top + r].rec, l->top + r == l->sel);
	if (rec->n == 0 && !rec->loading && y < y0 + rows)
		tui_put(y + 1, 1, COLS - 2, TUI_PLAIN, _("nothing archived yet: press p to pull the pile's records"));
}

static int
rec_action(struct tui *t, enum tui_action a)
{
	struct rec_view	*rec = t->records;
	struct tui_pile	*p = tui_cur(t);
	char		*path;

	if (tui_list_action(&rec->list, a, LINES - 9))
		return (1);
	switch (a) {
	case TUI_A_PULL:
		rec_pull(t);
		return (1);
	case TUI_A_RELOAD:
		rec_load(t);
		return (1);
	case TUI_A_EXPORT:
		if (p == NULL || !p->have_id)
			return (1);
		path = xasprintf("pilecon-%s.csv", p->id.serial);
		tui_ask(t, _("export to (.csv or .jsonl): "), path, rec_export_answer, NULL);
		free(path);
		return (1);
	default:
		return (tui_pile_action(t, a));
	}
}

const struct tui_view tui_view_records = {
	N_("records"), rec_init, rec_free, rec_enter, rec_draw, rec_action, rec_bar
};
