/* jobs.c - the console's jobs: every action and every ':' command runs as
 * a job of the command engine (src/batch/job.h) on the console's runner,
 * inside the console's poll loop, several at once across piles. Their
 * events land in the events view as they happen, their outcome on the
 * message line, their results in the view that asked; Esc cancels the one
 * in the foreground. */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch/job.h"
#include "common.h"
#include "tui.h"

static const enum tui_level tui_job_levels[] = {
	[RESULT_INFO] = TUI_INFO, [RESULT_OK] = TUI_OK, [RESULT_WARN] = TUI_WARN,
	[RESULT_ERROR] = TUI_ERROR
};

void
tui_jobs_init(struct tui *t)
{
	t->runner = job_runner_new();
	job_runner_set_gate(t->runner, tui_bus_gate, t);
}

/* "logs pull --json" */
static char *
tui_job_words(int argc, const char **argv)
{
	char	*s = xstrdup(""), *n;
	int	 i;

	for (i = 0; i < argc; i++) {
		n = xasprintf("%s%s%s", s, i > 0 ? " " : "", argv[i]);
		free(s);
		s = n;
	}
	return (s);
}

static void
tui_job_text(struct tui *t, struct job *job)
{
	struct result	*r = &job->result;
	char		*p = r->text + r->text_shown, *e;

	while ((e = strchr(p, '\n')) != NULL) {
		if (e > p)
			tui_event(t, TUI_INFO, "%.*s", (int)(e - p), p);
		p = e + 1;
	}
	r->text_shown = (size_t)(p - r->text);
}

static void
tui_job_notify(struct job *job, enum job_notify what, void *arg)
{
	struct tui_job			*tj = arg;
	const struct result_event	*e;

	if (what == JOB_NOTIFY_EVENT) {
		for (; tj->events_shown < job->result.nevents; tj->events_shown++) {
			e = &job->result.events[tj->events_shown];
			tui_event(tj->t, tui_job_levels[e->level], "%s", e->text);
		}
	}
	/* A result's first part (a plan before it is applied): its lines as
	 * they come; a quiet job's is for the terminal that asked. */
	if (what == JOB_NOTIFY_TEXT && !tj->quiet)
		tui_job_text(tj->t, job);
	tj->t->dirty = 1;
	if (tj->chain != NULL)
		tj->chain(job, what, tj->chain_arg);
}

struct tui_job *
tui_job_new(struct tui *t, enum tui_job_origin origin, int argc, const char **argv,
    struct cmd_ctx *ctx, struct pile *pile, const struct proto_identity *id, uint8_t addr,
    const char *pile_name, char **cause)
{
	struct tui_job	*tj;
	struct job	*job;
	char		**words;
	int		 exit_code, i;

	words = xcalloc((size_t)argc + 1, sizeof *words);
	for (i = 0; i < argc; i++)
		words[i] = xstrdup(argv[i]);
	job = job_new(ctx != NULL ? ctx : t->ctx, argc, words, pile, id, &exit_code, cause);
	for (i = 0; i < argc; i++)
		free(words[i]);
	free(words);
	if (job == NULL)
		return (NULL);
	tj = xcalloc(1, sizeof *tj);
	tj->t = t;
	tj->job = job;
	tj->origin = origin;
	tj->addr = pile != NULL ? addr : 0;
	tj->words = tui_job_words(argc, argv);
	if (pile_name != NULL)
		tj->title = xasprintf("%s (%s)", tj->words, pile_name);
	else if (pile != NULL)
		tj->title = xasprintf(_("%s (address %u)"), tj->words, addr);
	else
		tj->title = xstrdup(tj->words);
	tj->started_ms = tui_now_ms();
	job->notify = tui_job_notify;
	job->notify_arg = tj;
	tj->next = t->jobs;
	t->jobs = tj;
	if (origin != TUI_JOB_SHARED)
		t->fg = tj;
	job_runner_add(t->runner, job);
	t->dirty = 1;
	return (tj);
}

struct tui_job *
tui_job_start(struct tui *t, struct tui_pile *p, enum tui_job_origin origin, int argc,
    const char **argv, struct cmd_ctx *ctx, char **cause)
{
	char	name[64];

	if (p != NULL && !p->have_id)
		return (set_cause(cause, -1, _("address %u has not answered yet: try again "
		    "when it shows on the bus view"), p->addr), NULL);
	if (p == NULL)
		return (tui_job_new(t, origin, argc, argv, ctx, NULL, NULL, 0, NULL, cause));
	return (tui_job_new(t, origin, argc, argv, ctx, p->pile, &p->id, p->addr,
	    tui_pile_name(p, name, sizeof name), cause));
}

struct tui_job *
tui_job_find(struct tui *t, uint8_t addr, const char *words)
{
	struct tui_job	*tj;
	size_t		 n = strlen(words);

	for (tj = t->jobs; tj != NULL; tj = tj->next) {
		if (tj->addr == addr && strncmp(tj->words, words, n) == 0 &&
		    (tj->words[n] == '\0' || tj->words[n] == ' '))
			return (tj);
	}
	return (NULL);
}

int
tui_jobs_running(struct tui *t)
{
	return (job_runner_running(t->runner));
}

void
tui_job_cancel(struct tui *t)
{
	struct tui_job	*tj = t->fg;

	if (tj == NULL) {
		tui_event(t, TUI_INFO, _("nothing to stop"));
		return;
	}
	if (tj->cancelling)
		return;
	tj->cancelling = 1;
	job_cancel(tj->job);
	tui_event(t, TUI_WARN, _("stopping '%s' at the next safe point"), tj->title);
}

/* "logs pull 37% +2": the foreground job (else the newest a person
 * started, else the newest at all: the bus search) and how many more run;
 * "" when none. A view's own reads (quiet jobs) show in the view, not
 * here. */
void
tui_jobs_summary(struct tui *t, char *buf, size_t len)
{
	const struct result_progress	*pr;
	struct tui_job			*tj, *show = t->fg, *bg = NULL;
	int				 more = -1, n;

	buf[0] = '\0';
	for (tj = t->jobs; tj != NULL; tj = tj->next) {
		if (tj->quiet)
			continue;
		more++;
		/* the list is newest first */
		if (t->fg == NULL && show == NULL && !tj->job->background)
			show = tj;
		if (bg == NULL && tj->job->background)
			bg = tj;
	}
	if (show == NULL)
		show = bg;
	if (show == NULL)
		return;
	/* The command's name, not its words: a file's path would push the
	 * summary off the title. */
	pr = &show->job->result.progress;
	if (pr->what != NULL && pr->total > 0)
		n = snprintf(buf, len, "%s %d%%", show->job->entry->name,
		    (int)(pr->done * 100 / pr->total));
	else
		n = snprintf(buf, len, "%s...", show->job->entry->name);
	if (more > 0 && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " +%d", more);
}

/* ---- the end of a job --------------------------------------------------------- */

/* A ':' command's output, one event a line (the last state of a line that
 * a progress bar redrew with '\r'). */
static void
tui_job_output(struct tui *t, struct job *job)
{
	char		*out = NULL, *err = NULL, *p, *e, *cr, *q;
	size_t		 outlen = 0, errlen = 0;
	FILE		*fout, *ferr;

	if ((fout = open_memstream(&out, &outlen)) == NULL)
		return;
	if ((ferr = open_memstream(&err, &errlen)) == NULL) {
		fclose(fout);
		free(out);
		return;
	}
	job_render(job, fout, ferr);	/* the error is told apart below */
	fclose(fout);
	fclose(ferr);
	for (p = out; p != NULL && *p != '\0'; p = *e != '\0' ? e + 1 : NULL) {
		if ((e = strchr(p, '\n')) == NULL)
			e = p + strlen(p);
		for (cr = p, q = p; q < e; q++) {
			if (*q == '\r' && q + 1 < e)
				cr = q + 1;
		}
		if (e > cr)
			tui_event(t, TUI_INFO, "%.*s", (int)(e - cr), cr);
	}
	free(out);
	free(err);
}

/* The outcome goes last, so the message line shows it: a failure says
 * why there, not only in the events view; a stopped job what it did (its
 * cause: "interrupted: nothing was written", or how far it got); a job
 * the cancel came too late to stop that it finished. */
static void
tui_job_outcome(struct tui *t, struct tui_job *tj)
{
	const struct result	*r = &tj->job->result;
	const char		*prefix = tj->origin == TUI_JOB_CMDLINE ? ":" : "";
	const char		*from = tj->origin == TUI_JOB_SHARED ?
				    _(" (from another terminal)") : "";

	if (r->cancelled && r->error.exit != EXIT_OK && r->error.cause != NULL &&
	    *r->error.cause != '\0')
		tui_event(t, TUI_WARN, _("stopped '%s%s'%s: %s"), prefix, tj->title, from,
		    r->error.cause);
	else if (r->cancelled)
		tui_event(t, TUI_WARN, _("stopped '%s%s'%s"), prefix, tj->title, from);
	else if (r->error.exit != EXIT_OK && (r->error.cause == NULL ||
	    *r->error.cause == '\0'))
		/* Said already, in the job's own events (a scan that found
		 * no pile): no empty "failed: " after it. */
		tui_event(t, TUI_ERROR, _("'%s%s' failed%s"), prefix, tj->title, from);
	else if (r->error.exit != EXIT_OK && r->error.hint != NULL)
		tui_event(t, TUI_ERROR, _("'%s%s' failed%s: %s (%s)"), prefix, tj->title, from,
		    r->error.cause != NULL ? r->error.cause : "", r->error.hint);
	else if (r->error.exit != EXIT_OK)
		tui_event(t, TUI_ERROR, _("'%s%s' failed%s: %s"), prefix, tj->title, from,
		    r->error.cause != NULL ? r->error.cause : "");
	else if (job_cancelled(tj->job))
		tui_event(t, TUI_OK, _("'%s%s' finished%s: the cancel came too late to "
		    "stop it"), prefix, tj->title, from);
	else if (tj->origin != TUI_JOB_KEY)
		tui_event(t, TUI_OK, _("'%s%s' done%s"), prefix, tj->title, from);
}

static void
tui_job_free(struct tui_job *tj)
{
	job_free(tj->job);
	free(tj->words);
	free(tj->title);
	free(tj);
}

/* The next foreground job, the one Esc stops: the newest a person started
 * here, a search of the bus only when nothing else runs. Not a view's own
 * read, not a job from another terminal. */
static struct tui_job *
tui_job_next_fg(struct tui *t)
{
	struct tui_job	*tj, *bg = NULL;

	for (tj = t->jobs; tj != NULL; tj = tj->next) {
		if (tj->origin == TUI_JOB_SHARED || tj->quiet)
			continue;
		if (!tj->job->background)
			return (tj);
		if (bg == NULL)
			bg = tj;
	}
	return (bg);
}

static void
tui_job_finish(struct tui *t, struct job *job)
{
	struct tui_job	**tp, *tj;

	for (tp = &t->jobs; *tp != NULL && (*tp)->job != job; tp = &(*tp)->next)
		;
	if ((tj = *tp) == NULL) {
		job_free(job);
		return;
	}
	*tp = tj->next;
	if (!tj->quiet && !tj->told)
		tui_job_output(t, job);
	if (!tj->told)
		tui_job_outcome(t, tj);
	tui_link_job_done(t, tj);
	if (tj->done != NULL)
		tj->done(t, tj);
	if (t->fg == tj)
		t->fg = tui_job_next_fg(t);
	tui_job_free(tj);
	t->dirty = 1;
}

void
tui_jobs_step(struct tui *t)
{
	struct job	*job;

	job_runner_step(t->runner);
	while ((job = job_runner_take_done(t->runner)) != NULL)
		tui_job_finish(t, job);
}

int
tui_jobs_pollfds(struct tui *t, struct pollfd *pfd, int max, int *timeout_ms)
{
	return (job_runner_pollfds(t->runner, pfd, max, timeout_ms));
}

/* Quitting: every job stops at its next safe point, so nothing is left
 * half-applied, within limit_ms. */
void
tui_jobs_stop_all(struct tui *t, int limit_ms)
{
	struct tui_job	*tj;
	struct pollfd	 pfd[8];
	uint64_t	 end = tui_now_ms() + (uint64_t)limit_ms;
	int		 n, ms;

	t->quit = 1;	/* the screen's refresh no longer holds the wire */
	for (tj = t->jobs; tj != NULL; tj = tj->next)
		job_cancel(tj->job);
	while (job_runner_running(t->runner) > 0 && tui_now_ms() < end) {
		tui_xfer_step(t);
		n = job_runner_pollfds(t->runner, pfd, (int)nitems(pfd), &ms);
		poll(pfd, (nfds_t)n, ms < 0 || ms > 50 ? 50 : ms);
		tui_jobs_step(t);
	}
}

void
tui_jobs_free(struct tui *t)
{
	struct tui_job	*tj, *next;

	for (tj = t->jobs; tj != NULL; tj = next) {
		next = tj->next;
		tj->job = NULL;		/* the runner frees it */
		free(tj->words);
		free(tj->title);
		free(tj);
	}
	t->jobs = t->fg = NULL;
	if (t->runner != NULL)
		job_runner_free(t->runner);
	t->runner = NULL;
}
