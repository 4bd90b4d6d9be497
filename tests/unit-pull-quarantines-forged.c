/* unit-pull-quarantines-forged.c - `logs pull` against a 1.1 pile that is
 * not pilesim (the fake slave of tests/fakeslave.c) serving forged
 * signatures on the wire: one record signed with another key, the next
 * with its signature changed. Both go to the quarantine, never into the
 * archive; every other record is archived; the pull ends with exit 1 and
 * says how many and the first (pilecon(1), EXIT STATUS; logs pull). The
 * same pile without forgeries pulls clean. */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "fakeslave.h"
#include "archive/archive.h"
#include "batch/job.h"
#include "tap.h"

static struct cmd_ctx	ctx;

/* Runs `logs pull` to its end against the rig's pile; the finished job. */
static struct job *
pull(struct fakeslave_rig *rig, const struct proto_identity *id)
{
	char			*argv[] = { "logs", "pull" }, *cause = NULL;
	struct job_runner	*r = job_runner_new();
	struct job		*job, *done;
	struct pollfd		 pfd[4];
	int			 n, timeout, turns, exit_code, finished = 0;

	job = job_new(&ctx, 2, argv, rig->pile, id, &exit_code, &cause);
	if (job == NULL) {
		printf("# job_new: %s\n", cause);
		free(cause);
		job_runner_free(r);
		return NULL;
	}
	job_runner_add(r, job);
	for (turns = 0; job_runner_running(r) > 0 && turns < 200000; turns++) {
		n = job_runner_pollfds(r, pfd, 4, &timeout);
		poll(pfd, (nfds_t)n, timeout < 0 || timeout > 50 ? 50 : timeout);
		job_runner_step(r);
		/* Taken out of the runner, a finished job is ours to free. */
		while ((done = job_runner_take_done(r)) != NULL)
			finished |= done == job;
	}
	job_runner_free(r);
	return finished ? job : NULL;
}

struct count {
	unsigned	n;
	int		has[FS_RECORDS + 2];
};

static int
count_row(const struct archive_row *row, void *arg)
{
	struct count	*c = arg;

	c->n++;
	if (row->rec.seq <= FS_RECORDS)
		c->has[row->rec.seq] = row->has_sig;
	return 0;
}

struct qlist {
	unsigned	n;
	uint32_t	seq[4];
	char		reason[4][24];
};

static int
q_row(const struct archive_qrow *q, void *arg)
{
	struct qlist	*l = arg;

	if (l->n < 4) {
		l->seq[l->n] = q->rec.seq;
		snprintf(l->reason[l->n], sizeof l->reason[0], "%s", q->reason);
	}
	l->n++;
	return 0;
}

static const char *
error_text(const struct job *job)
{
	return job->result.error.cause != NULL ? job->result.error.cause : "";
}

static void
forged_signatures_are_quarantined(const char *dir)
{
	struct pile_bus_opts	 opts = { 2000, 2, 0 };
	struct fakeslave_rig	 rig;
	struct proto_identity	 id;
	struct job		*job;
	struct count		 c;
	struct qlist		 q;
	char			*cause = NULL;

	ctx.opts.archive_path = xasprintf("%s/forged.db", dir);
	if (fakeslave_rig_start(&rig, FS_SIGNED | FS_FORGED_SIG, NULL, 1, &opts) != 0 ||
	    pile_identity(rig.pile, &id, &cause) != 0) {
		ok(0, "the fake 1.1 pile answers: %s", cause != NULL ? cause : "");
		free(cause);
		return;
	}
	ok(pile_signs(&id), "the fake slave reads as a 1.1 pile that signs");
	job = pull(&rig, &id);
	ok(job != NULL && job_finished(job), "the pull runs to its end");
	if (job == NULL)
		goto out;
	is_int(job_exit_code(job), EXIT_FAILED, "a pull with forged signatures exits 1");
	ok(strstr(error_text(job), "2 records of SIM-0001 failed their signature check "
	    "(first: seq 41)") != NULL, "and names how many and the first: %s",
	    error_text(job));
	memset(&c, 0, sizeof c);
	archive_foreach(ctx.archive, "SIM-0001", count_row, &c, &cause);
	is_int(c.n, FS_RECORDS - 2, "every other record is archived");
	ok(!c.has[FS_FORGED_SEQ] && !c.has[FS_FORGED_SEQ + 1],
	    "the forged ones are not in the archive");
	ok(c.has[1] && c.has[FS_FORGED_SEQ - 1] && c.has[FS_FORGED_SEQ + 2] &&
	    c.has[FS_RECORDS], "the archived ones are stored with their signatures");
	memset(&q, 0, sizeof q);
	archive_quarantine_foreach(ctx.archive, "SIM-0001", q_row, &q, &cause);
	is_int(q.n, 2, "two records in the quarantine");
	ok(q.n == 2 && q.seq[0] == FS_FORGED_SEQ && strcmp(q.reason[0], "bad_signature") == 0,
	    "the one signed with another key, as bad_signature");
	ok(q.n == 2 && q.seq[1] == FS_FORGED_SEQ + 1 &&
	    strcmp(q.reason[1], "bad_signature") == 0,
	    "the one whose signature was changed, as bad_signature");
	job_free(job);
out:
	fakeslave_rig_stop(&rig);
	free(rig.log);
	cmd_ctx_close(&ctx);
	free(ctx.opts.archive_path);
	ctx.opts.archive_path = NULL;
}

static void
honest_signatures_pull_clean(const char *dir)
{
	struct pile_bus_opts	 opts = { 2000, 2, 0 };
	struct fakeslave_rig	 rig;
	struct proto_identity	 id;
	struct job		*job;
	struct count		 c;
	uint32_t		 nq = 99;
	char			*cause = NULL;

	ctx.opts.archive_path = xasprintf("%s/honest.db", dir);
	if (fakeslave_rig_start(&rig, FS_SIGNED, NULL, 1, &opts) != 0 ||
	    pile_identity(rig.pile, &id, &cause) != 0) {
		ok(0, "the fake 1.1 pile answers: %s", cause != NULL ? cause : "");
		free(cause);
		return;
	}
	job = pull(&rig, &id);
	ok(job != NULL && job_exit_code(job) == EXIT_OK, "without forgeries the pull exits 0 %s",
	    job != NULL ? error_text(job) : "");
	memset(&c, 0, sizeof c);
	archive_foreach(ctx.archive, "SIM-0001", count_row, &c, &cause);
	is_int(c.n, FS_RECORDS, "and archives every record");
	archive_quarantine_count(ctx.archive, "SIM-0001", &nq, &cause);
	is_int(nq, 0, "with nothing in the quarantine");
	if (job != NULL)
		job_free(job);
	fakeslave_rig_stop(&rig);
	free(rig.log);
	cmd_ctx_close(&ctx);
}

int
main(void)
{
	char	dir[] = "/tmp/unit-pull-forged.XXXXXX", *cmd;

	if (mkdtemp(dir) == NULL)
		return 1;
	pilecon_opts_init(&ctx.opts);
	ctx.out = stdout;
	ctx.err = stdout;
	forged_signatures_are_quarantined(dir);
	honest_signatures_pull_clean(dir);
	pilecon_opts_free(&ctx.opts);
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# cannot remove %s\n", dir);
	free(cmd);
	return done_testing();
}
