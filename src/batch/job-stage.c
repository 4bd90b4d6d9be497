/* job-stage.c - one whole whitelist to the job's pile by staging (protocol
 * 1.1), a transaction a turn: the chunks, the commit, the list read back
 * (pile_stage_put_next). Shared by `whitelist sync` and `whitelist import`,
 * whose cancel must leave nothing half-applied: before the commit begins a
 * cancel stops with the pile's list unchanged; a begun commit is finished,
 * and the pile takes it whole or not at all. */
#include "config.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "batch/job.h"
#include "batch/wlsite.h"

void
job_stage_begin(struct job *job, struct pile_stage_put *put,
    const struct proto_wl_entry *e, size_t n, uint32_t version)
{
	uint8_t		sha[PROTO_SHA256_BYTES];
	uint16_t	transfer;

	pile_stage_digest(e, n, sha);
	do
		transfer = (uint16_t)randombytes_uniform(0xFFFF);
	while (transfer == 0);
	pile_stage_put_begin(put, e, n, transfer, version, sha, 1);
	job_progress_start(job, _("chunks"), put->nchunks);
	pile_xfer_reset(&job->xfer);
}

enum job_return
job_stage_step(struct job *job, struct pile_stage_put *put)
{
	struct pile_wl_status	*st = &put->after;
	uint32_t		 digest;
	char			*cause = NULL, *why;
	int			 rc;

	if (job_cancelled(job) && !put->committing)
		return job_fail(job, EXIT_FAILED, _("interrupted: nothing was written "
		    "(%zu of %u chunks were staged; the pile's list is unchanged)"),
		    put->sent, put->nchunks);
	rc = pile_stage_put_next(job->pile, put, &job->xfer, &cause);
	if (put->sent <= put->nchunks)
		job_progress(job, put->sent, put->sent * 2 * PROTO_STAGE_CHUNK_REGS);
	if (rc == PILE_XFER_PENDING)
		return job_transact(job);
	if (rc != 0) {
		why = xasprintf(_("%s (the staged list was not committed: the pile's "
		    "list is unchanged)"), cause);
		free(cause);
		return job_fail_pile(job, rc, why);
	}
	if (put->result != PROTO_COMMIT_OK)
		return job_fail_pile(job, PILE_E_REFUSED, xasprintf(_("%s refused the "
		    "commit of the staged list: %s; its list is unchanged"),
		    text_show(job->identity.serial),
		    _(proto_enum_str(PROTO_ENUM_COMMIT_RESULT, put->result))));
	digest = wlsync_digest(put->e, put->n);
	if (st->digest != digest || st->count != put->n || st->version != put->version)
		return job_fail_pile(job, PILE_E_PROTOCOL, xasprintf(_("%s took the "
		    "commit but reads back %u entries, digest %08X, version %u; "
		    "expected %zu, %08X, v%u"), text_show(job->identity.serial),
		    st->count, st->digest, st->version, put->n, digest, put->version));
	if (wlsync_state_save(job->identity.serial, st->version, st->digest,
	    put->e, put->n, &cause) != 0) {
		job_event(job, RESULT_WARN, _("WARNING: %s (the next sync reads the "
		    "pile first)"), cause);
		free(cause);
	}
	if (job_cancelled(job))
		job_event(job, RESULT_WARN, _("cancel asked after the commit began: "
		    "the pile took the staged list whole"));
	return JOB_NORMAL;
}
