/* provision-custody.c - `custody: true` in a provisioning file: after the
 * pile is applied, its records are pulled into the archive, verified, and
 * handed into custody (the same `logs pull --custody` a technician runs,
 * as sub-steps of the provisioning job), so a pile deep in an outage gets
 * its room back in the same visit. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "json.h"
#include "batch/batch.h"
#include "batch/custody.h"
#include "batch/job.h"
#include "batch/provision.h"

static void
prov_custody_failed(struct prov_item *it, const char *cause)
{
	it->ok = 0;
	free(it->why);
	it->why = xasprintf(_("custody: %s"), cause != NULL && *cause != '\0' ? cause :
	    _("failed"));
}

/* The finished pull's result into the item; frees the pull. */
static void
prov_custody_take(struct prov_item *it)
{
	struct job		*job = it->custody_job;
	const struct json	*o, *c;

	it->custody_job = NULL;
	if (job_exit_code(job) == EXIT_OK && (o = job->result.data) != NULL) {
		it->custody_pulled = (uint32_t)json_get_int(o, "new", 0);
		if ((c = json_get(o, "custody")) != NULL) {
			it->custody_first = (uint32_t)json_get_int(c, "first_seq", 0);
			it->custody_last = (uint32_t)json_get_int(c, "last_seq", 0);
			it->custody_count = (uint32_t)json_get_int(c, "count", 0);
		}
	} else
		prov_custody_failed(it, job->result.error.cause);
	job_free(job);
}

/* Makes the item's pull; 0, or -1 when the item is done (nothing to do,
 * or the pull could not start: ok cleared with why). */
static int
prov_custody_begin(struct cmd_ctx *ctx, struct prov_item *it)
{
	char	*cause = NULL;
	int	 exit_code = 0;

	if (it->failed || !it->want->custody || it->pile == NULL)
		return -1;
	it->custody_ran = 1;
	it->custody_job = custody_pull_new(ctx, it->pile, it->have_id ? &it->id : NULL,
	    &exit_code, &cause);
	if (it->custody_job == NULL) {
		prov_custody_failed(it, cause);
		free(cause);
		return -1;
	}
	return 0;
}

enum job_return
prov_custody_step(struct job *job, struct prov_item *it)
{
	if (it->custody_job == NULL && prov_custody_begin(job->ctx, it) != 0)
		return JOB_NORMAL;
	if (job_run_sub(job, it->custody_job) == JOB_WAIT)
		return JOB_WAIT;
	prov_custody_take(it);
	return JOB_NORMAL;
}

/* The same pull run to its end in a runner of its own (for a caller that
 * may block). */
void
prov_custody(struct cmd_ctx *ctx, struct prov_item *it)
{
	struct job_runner	*r;
	struct pollfd		 pfd[4];
	int			 n, timeout;

	if (it->custody_job == NULL && prov_custody_begin(ctx, it) != 0)
		return;
	r = job_runner_new();
	job_runner_add(r, it->custody_job);
	job_runner_step(r);
	while (job_runner_running(r) > 0) {
		n = job_runner_pollfds(r, pfd, (int)nitems(pfd), &timeout);
		if (poll(pfd, (nfds_t)n, timeout) < 0 && errno != EINTR)
			continue;
		job_runner_step(r);
	}
	job_runner_take_done(r);
	job_runner_free(r);
	prov_custody_take(it);
}

void
prov_custody_free(struct prov_item *it)
{
	job_free(it->custody_job);
	it->custody_job = NULL;
}
