/* custody.h - handing pulled records into pilecon's custody (protocol 1.1,
 * cap CUSTODY), for `logs pull --custody`, provisioning and the console. */
#ifndef BATCH_CUSTODY_H
#define BATCH_CUSTODY_H

#include <stdint.h>

#include "archive/archive.h"
#include "pile/pile.h"

struct custody_done {
	uint32_t	first, last;	/* the range handed over; 0, 0 when none */
	uint32_t	count;
};

/* 0 when the pile can take records into custody, else PILE_E_REFUSED
 * with *cause saying so (nothing to write). */
int	custody_check(struct pile *, const char *serial, char **cause);

/*
 * What to hand into custody, from the pile's live block (read just now,
 * after a pull that verified each record): the records the pile still
 * holds, not yet in custody, that the archive holds in an unbroken run.
 * Fills range (count 0 when there is nothing to hand over) and sha, the
 * SHA-256 of those records as archived (each one's CRC checked again),
 * which the custody write names (pile_custody_encode) and the pile checks
 * against its own. 0, or PILE_E_PROTOCOL with *cause when the archive
 * failed. store_id is the archive's series of the pile's present store
 * (the one the pull stored into): only its records are named.
 */
int	custody_range(struct archive *, const char *serial, uint32_t store_id,
	    const struct proto_live *, struct custody_done *range,
	    uint8_t sha[PROTO_SHA256_BYTES], char **cause);

struct cmd_ctx;
struct job;
/*
 * `logs pull --custody` on pile (identity id, may be NULL) as a job to run
 * as sub-steps of another (job_run_sub): pulled, verified, archived, then
 * handed into custody, a transaction a turn. Its result says what it did
 * (data "new", "custody" {first_seq, last_seq, count}) or why it failed;
 * the caller frees it (job_free). NULL with *exit_code and *cause when it
 * could not start.
 */
struct job *custody_pull_new(struct cmd_ctx *, struct pile *,
	    const struct proto_identity *id, int *exit_code, char **cause);

#endif
