/* unit-runner.c - what the console needs of the job runner
 * (src/batch/job.h): jobs on one bus take turns, so a short job is not
 * starved by a long one; a front end's gate holds them back while the
 * front end uses the bus itself (the console's screen refresh). Against a
 * fake pile on a pty. */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "fakeslave.h"
#include "batch/job.h"
#include "tap.h"

static struct cmd_ctx	ctx;
static int		gate_open;
static int		gate_asked;

static int
gate(void *arg, struct pile_bus *bus)
{
	(void)arg;
	(void)bus;
	gate_asked++;
	return (gate_open);
}

static struct job *
new_job(struct pile *pile, const struct proto_identity *id, int argc, char **argv)
{
	struct job	*job;
	char		*cause = NULL;
	int		 exit_code;

	job = job_new(&ctx, argc, argv, pile, id, &exit_code, &cause);
	if (job == NULL)
		printf("# job_new %s: %s\n", argv[0], cause);
	free(cause);
	return (job);
}

/* One turn of a front end's loop; poll never longer than 50 ms, since a
 * job held at the gate asks to sleep until its bus wakes it. */
static void
turn(struct job_runner *r)
{
	struct pollfd	pfd[4];
	int		n, timeout;

	n = job_runner_pollfds(r, pfd, 4, &timeout);
	poll(pfd, (nfds_t)n, timeout < 0 || timeout > 50 ? 50 : timeout);
	job_runner_step(r);
}

static void
a_short_job_is_not_starved_by_a_long_one(struct fakeslave_rig *rig,
    const struct proto_identity *id)
{
	char			*pull[] = { "logs", "pull" }, *status[] = { "status" };
	struct job_runner	*r = job_runner_new();
	struct job		*a, *b, *done;
	int			 turns, a_first = -1, order = 0;

	a = new_job(rig->pile, id, 2, pull);
	b = new_job(rig->pile, id, 1, status);
	if (a == NULL || b == NULL) {
		ok(0, "jobs");
		return;
	}
	job_runner_add(r, a);
	job_runner_step(r);		/* the pull's first window is on the wire */
	job_runner_add(r, b);
	for (turns = 0; job_runner_running(r) > 0 && turns < 100000; turns++) {
		turn(r);
		while ((done = job_runner_take_done(r)) != NULL) {
			if (done == a && a_first < 0)
				a_first = order == 0;
			order++;
		}
	}
	is_int(job_exit_code(a), EXIT_OK, "the_long_job_succeeds %s",
	    a->result.error.cause != NULL ? a->result.error.cause : "");
	is_int(job_exit_code(b), EXIT_OK, "the_short_job_succeeds");
	is_int(a_first, 0, "a_status_started_during_a_100_record_pull_ends_before_it");
	job_free(a);
	job_free(b);
	job_runner_free(r);
}

static void
the_gate_holds_jobs_until_it_opens(struct fakeslave_rig *rig, const struct proto_identity *id)
{
	char			*status[] = { "status" };
	struct job_runner	*r = job_runner_new();
	struct job		*job;
	int			 i;

	job_runner_set_gate(r, gate, NULL);
	gate_open = 0;
	gate_asked = 0;
	job = new_job(rig->pile, id, 1, status);
	job_runner_add(r, job);
	for (i = 0; i < 10; i++)
		turn(r);
	ok(!job_finished(job) && !pile_bus_busy(rig->bus) && gate_asked > 0,
	    "a_job_waits_while_the_gate_is_shut");
	gate_open = 1;
	for (i = 0; i < 1000 && job_runner_running(r) > 0; i++)
		turn(r);
	is_int(job_exit_code(job), EXIT_OK, "and_runs_once_it_opens");
	job_runner_free(r);
}

int
main(void)
{
	struct pile_bus_opts	 opts = { 2000, 2, 0 };
	struct fakeslave_rig	 rig;
	struct proto_identity	 id;
	char			 dir[] = "/tmp/unit-runner.XXXXXX", *cause = NULL, *cmd;

	if (mkdtemp(dir) == NULL)
		return (1);
	pilecon_opts_init(&ctx.opts);
	ctx.opts.archive_path = xasprintf("%s/archive.db", dir);
	ctx.out = stdout;
	ctx.err = stdout;
	if (fakeslave_rig_start(&rig, 0, NULL, 1, &opts) != 0)
		return (1);
	if (pile_identity(rig.pile, &id, &cause) != 0) {
		printf("# %s\n", cause);
		return (1);
	}
	a_short_job_is_not_starved_by_a_long_one(&rig, &id);
	the_gate_holds_jobs_until_it_opens(&rig, &id);
	fakeslave_rig_stop(&rig);
	free(rig.log);
	cmd_ctx_close(&ctx);
	pilecon_opts_free(&ctx.opts);
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# cannot remove %s\n", dir);
	free(cmd);
	return (done_testing());
}
