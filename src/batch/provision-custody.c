/* provision-custody.c - `custody: true` in a provisioning file: after the
 * pile is applied, its records are pulled into the archive, verified, and
 * handed into custody (the same `logs pull --custody` a technician runs),
 * so a pile deep in an outage gets its room back in the same visit. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "json.h"
#include "batch/batch.h"
#include "batch/custody.h"
#include "batch/job.h"
#include "batch/provision.h"

void
prov_custody(struct cmd_ctx *ctx, struct prov_item *it)
{
	struct job		*job;
	const struct json	*o, *c;
	char			*cause = NULL;
	int			 exit_code = 0;

	if (it->failed || !it->want->custody || it->pile == NULL)
		return;
	it->custody_ran = 1;
	job = custody_pull_run(ctx, it->pile, it->have_id ? &it->id : NULL, &exit_code,
	    &cause);
	if (job != NULL && job_exit_code(job) == EXIT_OK &&
	    (o = job->result.data) != NULL) {
		it->custody_pulled = (uint32_t)json_get_int(o, "new", 0);
		if ((c = json_get(o, "custody")) != NULL) {
			it->custody_first = (uint32_t)json_get_int(c, "first_seq", 0);
			it->custody_last = (uint32_t)json_get_int(c, "last_seq", 0);
			it->custody_count = (uint32_t)json_get_int(c, "count", 0);
		}
		job_free(job);
		return;
	}
	if (job != NULL) {
		cause = xstrdup(job->result.error.cause != NULL ? job->result.error.cause :
		    _("failed"));
		job_free(job);
	}
	it->ok = 0;
	free(it->why);
	it->why = xasprintf(_("custody: %s"), cause != NULL ? cause : _("failed"));
	free(cause);
}
