/* job-batch.c - batch mode's front end for jobs: one poll loop that runs a
 * job to completion (Ctrl-C cancels it), progress on a terminal, and the
 * result rendered as text or JSON with the exit code of its error. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "batch/job.h"

/* Set by the SIGINT/SIGTERM handler while a batch job runs. */
static volatile sig_atomic_t	job_batch_signal;

static void
job_batch_on_signal(int sig)
{
	job_batch_signal = sig;
}

struct job_batch {
	struct cmd_ctx	*ctx;
	size_t		 events_shown;
	uint64_t	 drawn_ms;
	int		 drawn;
};

static void
job_batch_draw(struct job_batch *b, const struct result_progress *p,
    uint64_t now)
{
	char		 bar[31], *left = NULL;
	uint64_t	 elapsed = now - p->start_ms, rate = 0;
	size_t		 fill, i;
	FILE		*f = b->ctx->err;

	fill = p->total ? (size_t)(p->done * 30 / p->total) : 0;
	for (i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[30] = '\0';
	if (elapsed > 0)
		rate = p->bytes * 1000 / elapsed;
	if (p->done > 0 && p->total > p->done)
		left = batch_format_duration((uint32_t)((p->total - p->done) *
		    elapsed / p->done / 1000));
	fputc('\r', f);
	fprintf(f, _("[%s] %llu/%llu %s, %llu B/s, %s left  "), bar,
	    (unsigned long long)p->done, (unsigned long long)p->total, p->what,
	    (unsigned long long)rate, left ? left : "-");
	fflush(f);
	free(left);
	b->drawn = 1;
	b->drawn_ms = now;
}

void *
job_batch_notifier_new(struct cmd_ctx *ctx)
{
	struct job_batch	*b = xcalloc(1, sizeof *b);

	b->ctx = ctx;
	return b;
}

void
job_batch_notifier_free(void *b)
{
	free(b);
}

void
job_batch_notify(struct job *job, enum job_notify what, void *arg)
{
	struct job_batch		*b = arg;
	const struct result_progress	*p = &job->result.progress;
	const struct result_event	*e;
	uint64_t			 now;

	switch (what) {
	case JOB_NOTIFY_EVENT:
		if (b->drawn) {		/* the line goes under the bar */
			fputc('\n', b->ctx->err);
			b->drawn = 0;
		}
		/* Warnings and notes as they come; the closing lines
		 * (RESULT_OK) after the result. */
		for (; b->events_shown < job->result.nevents; b->events_shown++) {
			e = &job->result.events[b->events_shown];
			if (e->level != RESULT_OK)
				fprintf(b->ctx->err, "pilecon: %s\n", text_show(e->text));
		}
		break;
	case JOB_NOTIFY_TEXT:
		/* The result's first part, on the result's stream, now. */
		if (b->ctx->out == NULL)
			break;
		if (b->drawn) {
			fputc('\n', b->ctx->err);
			b->drawn = 0;
		}
		fwrite(job->result.text + job->result.text_shown, 1,
		    job->result.text_len - job->result.text_shown, b->ctx->out);
		fflush(b->ctx->out);
		job->result.text_shown = job->result.text_len;
		break;
	case JOB_NOTIFY_PROGRESS:
		if (!b->ctx->progress || p->what == NULL)
			break;
		now = mono_ms();
		/* 10 redraws a second are plenty */
		if (b->drawn && now - b->drawn_ms < 100 && p->done < p->total)
			break;
		job_batch_draw(b, p, now);
		break;
	case JOB_NOTIFY_DONE:
		if (b->drawn) {
			if (b->ctx->progress && p->what != NULL)
				job_batch_draw(b, p, mono_ms());
			fputc('\n', b->ctx->err);
			b->drawn = 0;
		}
		break;
	}
}

void
job_render(const struct job *job, FILE *out, FILE *err)
{
	const struct result	*r = &job->result;
	size_t			 i;

	if (r->text_shown < r->text_len)
		fwrite(r->text + r->text_shown, 1, r->text_len - r->text_shown, out);
	if (job->json && r->data != NULL) {
		/* A command whose answer is a stream of rows writes JSON
		 * Lines: one object per line. */
		if ((job->entry->flags & CMD_JSONL) && r->data->type == JSON_ARRAY)
			for (i = 0; i < json_len(r->data); i++) {
				json_write(out, json_at(r->data, i));
				fputc('\n', out);
			}
		else {
			json_write(out, r->data);
			fputc('\n', out);
		}
	} else if (!job->json && job->entry->render != NULL && r->data != NULL)
		job->entry->render(r, out);
	for (i = 0; i < r->nevents; i++)
		if (r->events[i].level == RESULT_OK)
			fprintf(err, "%s\n", text_show(r->events[i].text));
	/* Said for every command alike: Ctrl-C asked, the job succeeded. */
	if (job_cancelled(job) && !r->cancelled && r->error.exit == EXIT_OK)
		fprintf(err, _("'%s' finished: the cancel came too late to stop it\n"),
		    job->entry->name);
	/* Events and causes quote what a pile, a file or the user sent (a
	 * serial, a path): one line each, shown as text (text_safe). An
	 * empty cause: the result already said why (job_fail_said). */
	if (r->error.exit != EXIT_OK && (r->error.cause == NULL ||
	    *r->error.cause != '\0')) {
		fprintf(err, "pilecon: %s\n", r->error.cause != NULL ?
		    text_show(r->error.cause) : _("failed"));
		if (r->error.hint != NULL)
			fprintf(err, _("hint: %s\n"), text_show(r->error.hint));
	}
}

int
job_run_batch(struct cmd_ctx *ctx, struct job *job)
{
	struct job_runner	*r = job_runner_new();
	struct job_batch	 b;
	struct sigaction	 sa, old_int, old_term;
	struct pollfd		 pfd[4];
	int			 n, timeout, rc;

	memset(&b, 0, sizeof b);
	b.ctx = ctx;
	job->notify = job_batch_notify;
	job->notify_arg = &b;
	/* No SA_RESTART: poll returns at once and the job stops at the next
	 * transaction boundary, saying what it did. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = job_batch_on_signal;
	sigemptyset(&sa.sa_mask);
	job_batch_signal = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	job_runner_add(r, job);
	job_runner_step(r);
	while (job_runner_running(r) > 0) {
		n = job_runner_pollfds(r, pfd, (int)nitems(pfd), &timeout);
		if (job_batch_signal != 0)
			timeout = 0;
		/* A failed poll only costs a turn: the bus keeps its own
		 * deadlines and every step reads only what is there. */
		if (poll(pfd, (nfds_t)n, timeout) < 0 && errno != EINTR)
			timeout = 0;
		if (job_batch_signal != 0)
			job_cancel(job);
		job_runner_step(r);
	}
	job_runner_take_done(r);
	job_runner_free(r);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);

	job->notify = NULL;
	job_render(job, ctx->out, ctx->err);
	rc = job_exit_code(job);
	fflush(ctx->out);
	if (ferror(ctx->out)) {
		fprintf(ctx->err, _("pilecon: cannot write the output\n"));
		if (rc == EXIT_OK)
			rc = EXIT_FAILED;
	}
	return rc;
}
