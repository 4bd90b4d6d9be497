/* job.c - jobs and the runner that advances them from one poll loop (the
 * contract is in job.h): connecting and identifying the pile, transactions
 * on the asynchronous bus one at a time per bus, timers, cancel. */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "batch/job.h"

enum job_phase {
	PH_START,	/* connect and identify first when the command needs it */
	PH_IDENT,	/* identity read queued or in flight */
	PH_RUN,		/* the step may run */
	PH_XFER,	/* job->xfer queued or in flight */
	PH_SLEEP,	/* until wake_ms */
	PH_WRITE,	/* job->write's next transaction queued or in flight */
	PH_SUB,		/* job->sub runs in its place (job_run_sub) */
	PH_DONE
};

struct job_runner {
	struct job	*head;
	uint64_t	 tickets;	/* turns at the bus, handed out in order */
	int		(*gate)(void *, struct pile_bus *);
	void		*gate_arg;
};

/* Set while job->xfer is on the bus (pile_bus_start accepted it). */
#define JOB_XFER_ON	0x100

/* ---- jobs ----------------------------------------------------------------- */

struct job *
job_new(struct cmd_ctx *ctx, int argc, char **argv, struct pile *pile,
    const struct proto_identity *id, int *exit_code, char **cause)
{
	const struct cmd_entry	*ce;
	struct job		*job;
	int			 used, i;

	*exit_code = EXIT_USAGE;
	if (argc == 0)
		return set_cause(cause, 0, _("no command given")), NULL;
	if ((ce = cmd_find(argc, argv, &used)) == NULL || ce->step == NULL)
		return set_cause(cause, 0, _("unknown command '%s'"), argv[0]),
		    NULL;
	job = xcalloc(1, sizeof *job);
	job->entry = ce;
	job->ctx = ctx;
	job->argc = argc - used;
	job->argv = xcalloc((size_t)job->argc + 1, sizeof *job->argv);
	for (i = 0; i < job->argc; i++)
		job->argv[i] = xstrdup(argv[used + i]);
	if (cmd_args_parse(ce, job->argc, job->argv, &job->args, cause) != 0) {
		job_free(job);
		return NULL;
	}
	job->json = ctx->opts.json || cmd_args_has(&job->args, "json");
	job->pile = pile;
	if (id != NULL) {
		job->identity = *id;
		job->have_identity = 1;
	}
	*exit_code = EXIT_OK;
	return job;
}

void
job_free(struct job *job)
{
	size_t	i;
	int	j;

	if (job == NULL)
		return;
	if (job->free_data != NULL)
		job->free_data(job->data);
	for (j = 0; j < job->argc; j++)
		free(job->argv[j]);
	free(job->argv);
	free(job->key_cause);
	json_free(job->result.data);
	json_free(job->result.meta);
	free(job->result.text);
	for (i = 0; i < job->result.nevents; i++)
		free(job->result.events[i].text);
	free(job->result.events);
	free(job->result.error.cause);
	free(job->result.error.hint);
	pile_xfer_reset(&job->xfer);
	if (job->write != NULL)
		pile_write_free(job->write);
	free(job->write);
	free(job->write_cause);
	free(job);
}

void
job_cancel(struct job *job)
{
	job->cancel = 1;
}

int
job_cancelled(const struct job *job)
{
	return job->cancel;
}

int
job_finished(const struct job *job)
{
	return job->done;
}

int
job_exit_code(const struct job *job)
{
	return job->result.error.exit;
}

static void
job_notify(struct job *job, enum job_notify what)
{
	if (job->notify != NULL)
		job->notify(job, what, job->notify_arg);
}

struct json *
job_data(struct job *job)
{
	if (job->result.data == NULL)
		job->result.data = json_object();
	return job->result.data;
}

enum job_return
job_transact(struct job *job)
{
	return job_transact_unit(job, pile_addr(job->pile));
}

enum job_return
job_transact_unit(struct job *job, uint8_t unit)
{
	job->xfer.req.unit = unit;
	job->phase = PH_XFER;
	return JOB_WAIT;
}

/* The write machine gave its next request in job->xfer, or ended. */
static enum job_return
job_write_go(struct job *job)
{
	int	rc;

	free(job->write_cause);
	job->write_cause = NULL;
	rc = pile_write_next(job->pile, job->write, &job->xfer, &job->write_cause);
	if (rc == PILE_XFER_PENDING) {
		job->phase = PH_WRITE;
		return JOB_WAIT;
	}
	job->write_rc = rc;
	return job_yield(job);
}

enum job_return
job_write(struct job *job, uint16_t addr, uint16_t count, const uint16_t *values)
{
	if (job->write == NULL)
		job->write = xmalloc(sizeof *job->write);
	else
		pile_write_free(job->write);
	pile_write_begin(job->write, addr, count, values);
	pile_xfer_reset(&job->xfer);
	return job_write_go(job);
}

enum job_return
job_auth(struct job *job)
{
	if (job->write == NULL)
		job->write = xmalloc(sizeof *job->write);
	else
		pile_write_free(job->write);
	pile_auth_begin(job->write);
	pile_xfer_reset(&job->xfer);
	if (!pile_needs_auth(job->pile)) {
		job->write_rc = 0;
		return job_yield(job);
	}
	return job_write_go(job);
}

int
job_write_status(struct job *job, uint8_t *exception, char **cause)
{
	if (exception != NULL)
		*exception = job->write != NULL ? job->write->exception : 0;
	if (job->write_rc == 0)
		return 0;
	if (cause != NULL) {
		*cause = job->write_cause != NULL ? job->write_cause : xstrdup(_("failed"));
		job->write_cause = NULL;
	}
	return job->write_rc;
}

enum job_return
job_read(struct job *job, uint16_t addr, uint16_t count)
{
	pile_xfer_reset(&job->xfer);
	job->xfer.req.fc = PROTO_FC_READ_HOLDING;
	job->xfer.req.read_addr = addr;
	job->xfer.req.read_count = count;
	return job_transact(job);
}

int
job_xfer_status(struct job *job, char **cause)
{
	if (job->xfer.status == 0)
		return 0;
	if (job->xfer.status > 0)
		return set_cause(cause, PILE_E_PROTOCOL, _("the request to "
		    "address %u has not finished"), job->xfer.req.unit);
	*cause = job->xfer.cause != NULL ? job->xfer.cause :
	    xstrdup(_("failed"));
	job->xfer.cause = NULL;
	return job->xfer.status;
}

enum job_return
job_connect(struct job *job)
{
	if (job->have_identity && job->pile != NULL)
		return job_yield(job);
	if (job_pile(job) == NULL)
		return JOB_ERROR;
	if (job->have_identity)
		return job_yield(job);
	pile_identity_request(job->pile, &job->xfer);
	job->phase = PH_IDENT;
	return JOB_WAIT;
}

enum job_return
job_run_sub(struct job *job, struct job *sub)
{
	if (sub->done) {
		job->sub = NULL;
		return sub->result.error.exit == EXIT_OK ? JOB_NORMAL : JOB_ERROR;
	}
	job->sub = sub;
	job->phase = PH_SUB;
	return JOB_WAIT;
}

enum job_return
job_sleep(struct job *job, int ms)
{
	job->wake_ms = mono_ms() + (uint64_t)(ms > 0 ? ms : 0);
	job->phase = PH_SLEEP;
	return JOB_WAIT;
}

enum job_return
job_yield(struct job *job)
{
	return job_sleep(job, 0);
}

void
job_hint(struct job *job, const char *fmt, ...)
{
	va_list	ap;

	free(job->result.error.hint);
	va_start(ap, fmt);
	job->result.error.hint = xvasprintf(fmt, ap);
	va_end(ap);
}

enum job_return
job_fail_cause(struct job *job, int exit, char *cause)
{
	free(job->result.error.cause);
	job->result.error.cause = cause != NULL ? cause : xstrdup(_("failed"));
	job->result.error.exit = exit != EXIT_OK ? exit : EXIT_FAILED;
	return JOB_ERROR;
}

enum job_return
job_fail_said(struct job *job, int exit)
{
	return job_fail_cause(job, exit, xstrdup(""));
}

enum job_return
job_fail(struct job *job, int exit, const char *fmt, ...)
{
	va_list	ap;
	char	*cause;

	va_start(ap, fmt);
	cause = xvasprintf(fmt, ap);
	va_end(ap);
	return job_fail_cause(job, exit, cause);
}

/* Why writes to this pile have no key: the keys file is not given, or
 * has no entry for the serial. */
static void
job_key_hint(struct job *job)
{
	struct cmd_ctx	*ctx = job->ctx;
	uint8_t		 key[PROTO_KEY_BYTES];
	char		*cause = NULL;
	const char	*c = job->result.error.cause;

	if (ctx->opts.keys_file == NULL) {
		if (c == NULL || strstr(c, "--keys") == NULL)
			job_hint(job, _("writes need the pile's key: give the keys "
			    "file with --keys FILE or 'keys:' in %s"),
			    ctx->opts.config_file ? ctx->opts.config_file :
			    "config.yaml");
		return;
	}
	if (job->key_cause == NULL && job->have_identity &&
	    keys_lookup(ctx->opts.keys_file, job->identity.serial, key,
	    &cause) != 0)
		job->key_cause = cause;
	explicit_bzero(key, sizeof key);
	if (job->key_cause != NULL)
		job_hint(job, "%s", job->key_cause);
}

enum job_return
job_fail_pile(struct job *job, int pile_rc, char *cause)
{
	job_fail_cause(job, cmd_exit_code(pile_rc), cause);
	job->result.error.pile_rc = pile_rc;
	if (pile_rc == PILE_E_AUTH)
		job_key_hint(job);
	/* A keys file that is missing, malformed or without this pile is bad
	 * input (exit 2), not the pile refusing (4): say that, not the
	 * refusal it caused. */
	if (pile_rc == PILE_E_AUTH && job->ctx->opts.keys_file != NULL &&
	    job->key_cause != NULL) {
		free(job->result.error.hint);
		job->result.error.hint = NULL;
		job_fail_cause(job, EXIT_USAGE, xasprintf(_("%s; nothing was written"),
		    job->key_cause));
	}
	return JOB_ERROR;
}

void
job_event(struct job *job, enum result_level level, const char *fmt, ...)
{
	struct result	*r = &job->result;
	va_list		 ap;

	r->events = xrealloc(r->events, (r->nevents + 1) * sizeof *r->events);
	va_start(ap, fmt);
	r->events[r->nevents].text = xvasprintf(fmt, ap);
	va_end(ap);
	r->events[r->nevents++].level = level;
	job_notify(job, JOB_NOTIFY_EVENT);
}

void
job_text(struct job *job, const char *text)
{
	struct result	*r = &job->result;
	size_t		 n = strlen(text);

	if (job->json || n == 0)
		return;
	r->text = xrealloc(r->text, r->text_len + n + 1);
	memcpy(r->text + r->text_len, text, n + 1);
	r->text_len += n;
	job_notify(job, JOB_NOTIFY_TEXT);
}

void
job_progress_start(struct job *job, const char *what, uint64_t total)
{
	struct result_progress	*p = &job->result.progress;

	memset(p, 0, sizeof *p);
	p->what = what;
	p->total = total;
	p->start_ms = mono_ms();
	job_notify(job, JOB_NOTIFY_PROGRESS);
}

void
job_progress(struct job *job, uint64_t done, uint64_t bytes)
{
	job->result.progress.done = done;
	job->result.progress.bytes = bytes;
	job_notify(job, JOB_NOTIFY_PROGRESS);
}

/* ---- the pile ------------------------------------------------------------- */

/* Loads the pile's key from the keys file; why it could not is kept for
 * the hint of a refused write, a loose file mode is said at once. */
static void
job_load_key(struct job *job)
{
	struct cmd_ctx	*ctx = job->ctx;
	uint8_t		 key[PROTO_KEY_BYTES];
	char		*cause = NULL;

	if (ctx->opts.keys_file == NULL)
		return;
	if (keys_check_private(ctx->opts.keys_file, &cause) > 0)
		job_event(job, RESULT_WARN, _("WARNING: %s"), cause);
	free(cause);
	cause = NULL;
	if (keys_lookup(ctx->opts.keys_file, job->identity.serial, key,
	    &cause) != 0) {
		free(job->key_cause);
		job->key_cause = cause;
		return;
	}
	pile_set_key(job->pile, key);
	explicit_bzero(key, sizeof key);
}

struct pile *
job_pile(struct job *job)
{
	char	*cause = NULL;
	int	 exit;

	if (job->pile == NULL &&
	    (job->pile = cmd_connect(job->ctx, &exit, &cause)) == NULL) {
		job_fail_cause(job, exit, cause);
		if (exit != EXIT_USAGE)
			job->result.error.pile_rc = PILE_E_LINK;
		return NULL;
	}
	if (!job->have_identity && job->pile == job->ctx->pile &&
	    job->ctx->have_identity) {
		job->identity = job->ctx->identity;
		job->have_identity = 1;
	}
	return job->pile;
}

struct archive *
job_archive(struct job *job)
{
	struct cmd_ctx	*ctx = job->ctx;
	char		*cause = NULL;

	if (ctx->archive == NULL &&
	    (ctx->archive = archive_open(ctx->opts.archive_path, &cause)) == NULL)
		job_fail_cause(job, EXIT_FAILED, cause);
	return ctx->archive;
}

/* The identity read finished: keep it (ctx too, for the next job of a
 * batch run on the same pile), load the key. */
static int
job_identity_done(struct job *job)
{
	struct cmd_ctx	*ctx = job->ctx;
	char		*cause = NULL;
	int		 rc;

	if ((rc = pile_identity_parse(job->pile, &job->xfer, &job->identity,
	    &cause)) != 0) {
		job_fail_pile(job, rc, cause);
		return -1;
	}
	job->have_identity = 1;
	if (ctx->pile == job->pile) {
		ctx->identity = job->identity;
		ctx->have_identity = 1;
	}
	job_load_key(job);
	pile_xfer_reset(&job->xfer);
	return 0;
}

/* ---- the runner ----------------------------------------------------------- */

struct job_runner *
job_runner_new(void)
{
	return xcalloc(1, sizeof (struct job_runner));
}

void
job_runner_free(struct job_runner *r)
{
	struct job	*job, *next;

	if (r == NULL)
		return;
	for (job = r->head; job != NULL; job = next) {
		next = job->next;
		job_free(job);
	}
	free(r);
}

void
job_runner_add(struct job_runner *r, struct job *job)
{
	struct job	**jp;

	for (jp = &r->head; *jp != NULL; jp = &(*jp)->next)
		;
	job->next = NULL;
	*jp = job;
}

/* The job that moves in job's place: its sub-job while it runs one. */
static const struct job *
job_active(const struct job *job)
{
	while ((job->phase & ~JOB_XFER_ON) == PH_SUB && job->sub != NULL &&
	    !job->sub->done)
		job = job->sub;
	return job;
}

static struct pile_bus *
job_bus(const struct job *job)
{
	return job->pile != NULL ? pile_bus(job->pile) : NULL;
}

/* The wire a job's bus speaks on: jobs with buses of their own on one link
 * (scan's short-timeout probes beside a pull) still take turns. */
static struct link *
job_link(const struct job *job)
{
	struct pile_bus	*bus = job_bus(job);

	return bus != NULL ? pile_bus_link(bus) : NULL;
}

/* Is job held back from its bus now? While a transaction of another job
 * is on its wire, or a job that has waited longer wants it (jobs take turns: a
 * long pull does not starve a short write), or someone else's
 * transaction is on it, or the front end's gate is shut. */
static int
job_runner_held(const struct job_runner *r, const struct job *job)
{
	const struct pile_bus	*bus = job_bus(job);
	const struct link	*link = job_link(job);
	const struct job	*j, *a;

	if (bus == NULL)
		return 0;
	for (j = r->head; j != NULL; j = j->next) {
		a = job_active(j);
		if (j == job || a == job || j->done || job_link(a) != link)
			continue;
		if (a->phase & JOB_XFER_ON)
			return 1;
		if (job->background && !j->background &&
		    (a->phase & ~JOB_XFER_ON) != PH_SLEEP)
			return 1;	/* yields to a job that runs */
		if (j->background && !job->background)
			continue;	/* its turn comes after */
		if (a->ticket != 0 && (job->ticket == 0 || a->ticket < job->ticket))
			return 1;
	}
	if (pile_bus_busy(bus))
		return 1;
	if (r->gate != NULL && !r->gate(r->gate_arg, job_bus(job)))
		return 1;
	return 0;
}

/* May job use its bus now? A job that must wait takes a ticket, its turn;
 * using the bus gives it back. */
static int
job_runner_bus_busy(struct job_runner *r, struct job *job)
{
	if (job_bus(job) == NULL)
		return 0;
	if (job->ticket == 0)
		job->ticket = ++r->tickets;
	if (job_runner_held(r, job))
		return 1;
	job->ticket = 0;
	return 0;
}

void
job_runner_set_gate(struct job_runner *r, int (*gate)(void *, struct pile_bus *), void *arg)
{
	r->gate = gate;
	r->gate_arg = arg;
}

static void
job_finish(struct job *job, enum job_return rc)
{
	if (rc == JOB_ERROR && job->result.error.exit == EXIT_OK)
		job->result.error.exit = EXIT_FAILED;
	if (rc == JOB_NORMAL && job->result.error.exit != EXIT_OK)
		rc = JOB_ERROR;
	/* Stopped only when it did not finish: a cancel that came too late
	 * (a begun change finished) leaves a success a success. */
	if (job->cancel && rc == JOB_ERROR)
		job->result.cancelled = 1;
	job->phase = PH_DONE;
	job->done = 1;
	job_notify(job, JOB_NOTIFY_DONE);
}

/* Moves one job as far as it can go now; 1 when it moved. */
static int
job_advance(struct job_runner *r, struct job *job)
{
	struct pile_bus	*bus;
	enum job_return	 rc;
	int		 phase = job->phase & ~JOB_XFER_ON, st;

	switch (phase) {
	case PH_START:
		/* Cancelled before it began: PH_RUN stops it, nothing sent. */
		if (job->cancel || !(job->entry->flags & CMD_PILE) ||
		    job->have_identity) {
			job->phase = PH_RUN;
			return 1;
		}
		if (job_pile(job) == NULL) {
			job_finish(job, JOB_ERROR);
			return 1;
		}
		pile_identity_request(job->pile, &job->xfer);
		job->phase = PH_IDENT;
		return 1;
	case PH_IDENT:
	case PH_XFER:
	case PH_WRITE:
		bus = job_bus(job);
		if (!(job->phase & JOB_XFER_ON)) {
			if (job_runner_bus_busy(r, job))
				return 0;
			st = pile_bus_start(bus, &job->xfer);
		} else
			st = pile_bus_step(bus, &job->xfer);
		if (st == PILE_XFER_PENDING) {
			st = !(job->phase & JOB_XFER_ON);
			job->phase = phase | JOB_XFER_ON;
			return st;
		}
		job->phase = PH_RUN;
		if (phase == PH_IDENT && job_identity_done(job) != 0)
			job_finish(job, JOB_ERROR);
		else if (phase == PH_WRITE)
			(void)job_write_go(job);	/* the next piece, or the end */
		return 1;
	case PH_SLEEP:
		if (!job->cancel && mono_ms() < job->wake_ms)
			return 0;
		job->phase = PH_RUN;
		return 1;
	case PH_SUB:
		/* The sub-job moves in the job's place; the job's step goes
		 * on once it has finished. */
		if (job->sub != NULL && !job->sub->done) {
			if (job->cancel)
				job->sub->cancel = 1;
			return job_advance(r, job->sub);
		}
		job->phase = PH_RUN;
		return 1;
	case PH_RUN:
		if (job_runner_bus_busy(r, job))
			return 0;
		if (job->cancel && !job->stepped) {
			/* Esc while the runner connected or read the identity:
			 * the command itself never ran. */
			job_finish(job, job_fail(job, EXIT_FAILED, _("interrupted: "
			    "nothing was written")));
			return 1;
		}
		job->stepped = 1;
		rc = job->entry->step(job);
		if (rc != JOB_WAIT)
			job_finish(job, rc);
		else if (job->phase == PH_RUN)	/* waits for nothing: next turn */
			job_yield(job);
		return 1;
	}
	return 0;
}

void
job_runner_step(struct job_runner *r)
{
	struct job	*job;
	int		 n;

	for (job = r->head; job != NULL; job = job->next) {
		/* A job that slept 0 ms ran once this turn: the others go
		 * next, whatever it asks. */
		for (n = 0; n < 8 && !job->done; n++) {
			if ((job_active(job)->phase & ~JOB_XFER_ON) == PH_SLEEP &&
			    n > 0)
				break;
			if (!job_advance(r, job))
				break;
		}
	}
}

int
job_runner_pollfds(struct job_runner *r, struct pollfd *pfd, int max,
    int *timeout_ms)
{
	const struct job *j, *job;
	uint64_t	 now = mono_ms();
	int		 n = 0, i, t = -1, w, fd, phase;

	for (j = r->head; j != NULL; j = j->next) {
		if (j->done)
			continue;
		job = job_active(j);
		phase = job->phase & ~JOB_XFER_ON;
		w = -1;
		if (job->phase & JOB_XFER_ON) {
			w = pile_bus_wait_ms(job_bus(job), &job->xfer);
			fd = link_fd(pile_bus_link(job_bus(job)));
			for (i = 0; i < n && pfd[i].fd != fd; i++)
				;
			if (i == n && n < max) {
				pfd[n].fd = fd;
				pfd[n].events = POLLIN;
				pfd[n++].revents = 0;
			}
		} else if (phase == PH_SLEEP)
			w = job->cancel || job->wake_ms <= now ? 0 :
			    (int)(job->wake_ms - now);
		else if (phase == PH_SUB)	/* its sub-job has finished */
			w = 0;
		else if (phase == PH_RUN || phase == PH_START ||
		    phase == PH_XFER || phase == PH_IDENT || phase == PH_WRITE)
			/* Waiting for its bus: woken by whoever holds it, or
			 * now when that one finished in the last step. */
			w = job->ticket != 0 && job_runner_held(r, job) ? -1 : 0;
		if (w >= 0 && (t < 0 || w < t))
			t = w;
	}
	*timeout_ms = t;
	return n;
}

struct job *
job_runner_take_done(struct job_runner *r)
{
	struct job	**jp, *job;

	for (jp = &r->head; *jp != NULL; jp = &(*jp)->next)
		if ((*jp)->done) {
			job = *jp;
			*jp = job->next;
			job->next = NULL;
			return job;
		}
	return NULL;
}

int
job_runner_running(const struct job_runner *r)
{
	const struct job	*job;
	int			 n = 0;

	for (job = r->head; job != NULL; job = job->next)
		if (!job->done)
			n++;
	return n;
}
