/* job.h - the command engine: every pilecon command runs as a job (tmux's
 * command queue), a state machine advanced on the asynchronous bus, that
 * produces a structured result. Batch mode runs one job to completion in
 * its own poll loop (job_run_batch) and renders the result as text or
 * JSON; the console adds jobs to a runner inside its own poll loop, several
 * at once across piles, and renders their results in its views.
 *
 * The contract:
 *
 * - A command's step function (cmd_entry.step) is called first with
 *   job->state == 0, then once more each time what it waited for is done.
 *   It returns JOB_NORMAL (finished, result complete), JOB_ERROR (finished,
 *   result.error set: use job_fail / job_fail_pile) or JOB_WAIT (call me
 *   again), and never prints: it fills job->result.
 * - To wait, a step returns what one of these returns: job_transact (run
 *   job->xfer, whose request the step filled, e.g. with pile_live_request;
 *   on resume job->xfer.status is 0 or PILE_E_* with job->xfer.cause),
 *   job_sleep (resume after ms) or job_yield (resume on the next turn).
 * - The runner calls a step only when the job's bus has no transaction in
 *   flight, so one Modbus transaction is on the wire at a time per bus. A
 *   step may therefore call the blocking pile_* functions (writes that
 *   authenticate first); each such call is one transaction group and holds
 *   the loop while it runs, so long work goes through job_transact.
 * - Cancel: job_cancel() asks; a sleeping job is woken, a transaction in
 *   flight finishes first. A step sees job_cancelled() at each resume, i.e.
 *   at a transaction boundary, and stops there, saying in its result what
 *   was done: a failure whose cause says "interrupted: nothing was
 *   written" or how far it got. A step that has started a change it must
 *   finish (a version bump after entries) finishes it before it looks, and
 *   succeeds: the cancel came too late to stop it. The runner sets
 *   result.cancelled for a cancelled job that failed, never for one that
 *   succeeded, so a front end tells stopped from finished by it alone.
 *   A job cancelled before its step first runs (while the runner connects
 *   and reads the identity) stops there: "interrupted: nothing was
 *   written".
 * - Ownership: job_new copies argv; the job borrows ctx (options, archive,
 *   the connection) and the pile it is given, which must outlive it. The
 *   result belongs to the job until job_free; a front end may take
 *   result.data by setting it to NULL. Hints travel with the error of the
 *   job that failed (result.error.hint), never in a static.
 * - Exit codes (pilecon(1)): result.error.exit is EXIT_OK when the job
 *   succeeded; result.error.pile_rc keeps the PILE_E_* cause, a separate
 *   field. */
#ifndef JOB_H
#define JOB_H

#include <poll.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "batch/batch.h"


/* ---- results ------------------------------------------------------------ */

/* RESULT_OK events are closing lines ("exported 12 records to 'x.csv'"):
 * batch shows them after the result; the others as they come. */
enum result_level { RESULT_INFO, RESULT_OK, RESULT_WARN, RESULT_ERROR };

struct result_event {
	enum result_level	 level;
	char			*text;		/* one line, translated */
};

struct result_error {
	int	 exit;		/* EXIT_*; EXIT_OK when the job succeeded */
	int	 pile_rc;	/* the PILE_E_* behind it, 0 when none */
	char	*cause;		/* what went wrong, where */
	char	*hint;		/* what to try, or NULL */
};

struct result_progress {
	const char	*what;		/* "records"; NULL when the job has no progress */
	uint64_t	 done, total, bytes;
	uint64_t	 start_ms;
};

struct result {
	struct json		*data;	/* what the command found: fields, rows */
	/* What the text rendering needs beside data (a column to show),
	 * never in the JSON; NULL when nothing. */
	struct json		*meta;
	/* Text for people that must be seen before the job ends (a plan
	 * before it is applied), in text mode only: job_text appends, a
	 * front end shows it as it comes and sets text_shown; job_render
	 * prints what was not shown, then the rendered result. */
	char			*text;
	size_t			 text_len, text_shown;
	struct result_event	*events;
	size_t			 nevents;
	struct result_progress	 progress;
	struct result_error	 error;
	/* Stopped by job_cancel before it did all it was asked: set by the
	 * runner when a cancelled job fails; by a step whose stopped result
	 * is still a success (ping's polls so far). 0 when the job finished,
	 * a cancel asked or not (job_cancelled tells which). */
	int			 cancelled;
};

/* ---- jobs --------------------------------------------------------------- */

/* What the front end is told while the job runs (job->notify). */
enum job_notify { JOB_NOTIFY_EVENT, JOB_NOTIFY_PROGRESS, JOB_NOTIFY_TEXT,
	JOB_NOTIFY_DONE };

struct job {
	const struct cmd_entry	*entry;
	struct cmd_ctx		*ctx;		/* borrowed */
	int			 argc;
	char			**argv;		/* after the command's words */
	struct cmd_args		 args;
	int			 json;		/* --json given (or ctx->opts.json) */

	/* The pile it runs on: given to job_new, or connected by the runner
	 * from ctx before the first step of a command that needs one. */
	struct pile		*pile;		/* borrowed */
	struct proto_identity	 identity;
	int			 have_identity;
	char			*key_cause;	/* why no key was loaded: the hint */

	struct result		 result;
	int			 state;		/* the command's own; 0 at first */
	void			*data;		/* the command's own */
	void			(*free_data)(void *);
	struct pile_xfer	 xfer;		/* job_transact's transaction */
	struct pile_write	*write;		/* job_write's, on first use */
	int			 write_rc;
	char			*write_cause;

	/* Set by the front end before the first turn: the job yields the
	 * bus, taking a turn only while no other job on its link runs (one
	 * sleeping excepted). For work nobody waits on (the console's search
	 * of the whole bus, whose probes of absent addresses each cost a
	 * timeout): sharing turns equally would halve a pull's speed. */
	int			 background;

	/* front end hook: called on events, progress and the end */
	void			(*notify)(struct job *, enum job_notify, void *);
	void			*notify_arg;

	/* private to job.c */
	int			 phase;
	int			 cancel;
	int			 stepped;	/* its step has run */
	int			 done;
	uint64_t		 wake_ms;
	uint64_t		 ticket;	/* waiting for its bus since; 0 not */
	struct job		*sub;		/* job_run_sub's, while it runs */
	struct job		*next;
};

/* A job for the command line argv (words after the global options, e.g.
 * {"tariff", "show", "--json"}) on pile (NULL: connect from ctx when the
 * command needs a pile); id may give the pile's identity when known. NULL
 * with *cause and *exit_code (EXIT_USAGE) for an unknown command or bad
 * options. `--help` gives a job whose result is the usage. */
struct job	*job_new(struct cmd_ctx *, int argc, char **argv, struct pile *pile,
		    const struct proto_identity *id, int *exit_code, char **cause);
void		 job_free(struct job *);
void		 job_cancel(struct job *);
int		 job_cancelled(const struct job *);
int		 job_finished(const struct job *);
/* The exit code of a finished job (pilecon(1)). */
int		 job_exit_code(const struct job *);

/* For steps. */
enum job_return	 job_transact(struct job *);
/* The same to another address of the job's bus (0: a broadcast, which ends
 * once written and leaves the bus its turnaround), for a job that speaks to
 * several piles (whitelist sync --all). */
enum job_return	 job_transact_unit(struct job *, uint8_t unit);
/* FC 03 of count registers at addr through job_transact; on resume
 * job_xfer_status says how it went and job->xfer.resp.regs holds them. */
enum job_return	 job_read(struct job *, uint16_t addr, uint16_t count);
/* A write that needs a session (pile_write_next), a transaction a turn:
 * opens the session first when needed, and resumes the step when the
 * write is done or failed; job_write_status says which. A cancel waits
 * for the whole write (a write of several envelopes is one change). */
enum job_return	 job_write(struct job *, uint16_t addr, uint16_t count,
		    const uint16_t *values);
/* Opens the write session when the next write would (pile_needs_auth),
 * a transaction a turn; job_write_status then says how it went. */
enum job_return	 job_auth(struct job *);
/* 0 when the last job_write / job_auth succeeded, else its PILE_E_* with
 * *cause (moved out) and *exception (may be NULL) the Modbus exception of
 * a refused write. */
int		 job_write_status(struct job *, uint8_t *exception, char **cause);
/* 0 when job->xfer succeeded, else its PILE_E_* with *cause (moved out). */
int		 job_xfer_status(struct job *, char **cause);
/* Connects and identifies the pile when not done yet (for a command that
 * checks its arguments first, without CMD_PILE); resumes when done, or
 * JOB_ERROR at once when the port cannot be opened. */
enum job_return	 job_connect(struct job *);
/* Runs sub (a job on the job's bus: its pile on the same bus, e.g. one
 * pile of provisioning's) as sub-steps of the job: the step returns what
 * this returns while it is JOB_WAIT; meanwhile the runner moves sub in
 * the job's place, its transactions, writes and sleeps as the job's (one
 * transaction a turn), and a cancel of the job cancels sub. Once sub has
 * finished it returns JOB_NORMAL or JOB_ERROR (sub's exit code) and the
 * step goes on, reading sub->result; sub stays the caller's (job_free),
 * the job does not free it. */
enum job_return	 job_run_sub(struct job *, struct job *sub);
enum job_return	 job_sleep(struct job *, int ms);
enum job_return	 job_yield(struct job *);
/* The job's pile, connected and identified; NULL (with result.error set)
 * when it cannot be: the step then returns JOB_ERROR. */
struct pile	*job_pile(struct job *);
struct archive	*job_archive(struct job *);
/* Sets result.error from a PILE_E_* and its cause (taken), with the hint
 * the job knows (keys file); returns JOB_ERROR. */
enum job_return	 job_fail_pile(struct job *, int pile_rc, char *cause);
/* Sets result.error to exit with an empty cause, for a job whose result
 * and events already say why (job_render prints no "pilecon:" line for
 * it); JOB_ERROR. */
enum job_return	 job_fail_said(struct job *, int exit);
/* Sets result.error to exit (EXIT_*) and a formatted cause; JOB_ERROR. */
enum job_return	 job_fail(struct job *, int exit, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
/* The same with a malloc'ed cause (taken). */
enum job_return	 job_fail_cause(struct job *, int exit, char *cause);
void		 job_hint(struct job *, const char *, ...) __attribute__((format(printf, 2, 3)));
void		 job_event(struct job *, enum result_level, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
/* Appends to result.text (nothing with --json). */
void		 job_text(struct job *, const char *text);
void		 job_progress_start(struct job *, const char *what, uint64_t total);
void		 job_progress(struct job *, uint64_t done, uint64_t bytes);
/* The result's data, an object created on first use. */
struct json	*job_data(struct job *);

/* ---- the runner: many jobs in one poll loop ----------------------------- */

struct job_runner;
struct job_runner *job_runner_new(void);
/* Frees the jobs still in it (finished or not). */
void		 job_runner_free(struct job_runner *);
/* The runner owns the job until job_runner_take_done hands it back. */
void		 job_runner_add(struct job_runner *, struct job *);
/* Fills pfd (at most max) with what to poll and returns how many;
 * *timeout_ms is how long poll may sleep (-1: nothing to wake for). */
int		 job_runner_pollfds(struct job_runner *, struct pollfd *pfd, int max,
		    int *timeout_ms);
/* Advances every job that can move; cheap to call at any time (reads only
 * what is there). */
void		 job_runner_step(struct job_runner *);
/* A finished job, now the caller's (job_free), or NULL. */
struct job	*job_runner_take_done(struct job_runner *);
/* Jobs not finished yet. */
int		 job_runner_running(const struct job_runner *);
/* A front end whose own traffic shares a bus with the jobs (the console's
 * screen refresh) holds them back with a gate: before a job starts a
 * transaction or a step on bus, the runner asks gate(arg, bus) and waits
 * while it answers 0. */
void		 job_runner_set_gate(struct job_runner *,
		    int (*gate)(void *arg, struct pile_bus *bus), void *arg);

/* ---- batch -------------------------------------------------------------- */

/* Runs job to completion in one poll loop (Ctrl-C cancels it), drawing its
 * progress and events on ctx->err; then renders the result on ctx->out
 * (text, or JSON with --json) and the error on ctx->err. Returns the exit
 * code. */
int		 job_run_batch(struct cmd_ctx *, struct job *);
/* Batch mode's telling of a job while it runs (its events; its progress
 * bar when ctx->progress) on ctx->err, for a front end that relays a job to
 * another terminal (the console's port sharing): job->notify =
 * job_batch_notify, job->notify_arg = the notifier. */
void		*job_batch_notifier_new(struct cmd_ctx *);
void		 job_batch_notify(struct job *, enum job_notify, void *notifier);
void		 job_batch_notifier_free(void *);
/* Renders a finished job's result: result on out, error and hint on err. */
void		 job_render(const struct job *, FILE *out, FILE *err);

#endif
