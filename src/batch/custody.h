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

/*
 * Hands into custody the records the pile still holds, not yet in custody,
 * that the archive holds in an unbroken run: the custody write names the
 * range and the SHA-256 of the records as archived (each one's CRC checked
 * again), and the pile checks it against its own. Call it after a pull
 * (which verified each record). 0 with done filled (count 0 when there was
 * nothing to hand over), or PILE_E_* with *cause (PILE_E_REFUSED when the
 * pile has no custody or refused the digest: nothing was marked).
 * store_id is the archive's series of the pile's present store (the one
 * the pull stored into): only its records are named.
 */
int	custody_hand_over(struct pile *, struct archive *, const char *serial,
	    uint32_t store_id, struct custody_done *done, char **cause);

struct cmd_ctx;
struct job;
/* Runs `logs pull --custody` on pile (identity id, may be NULL) to its end,
 * blocking: pulled, verified, archived, then handed into custody. The
 * finished job, whose result says what it did or why it failed (the
 * caller frees it with job_free); NULL with *exit_code and *cause when it
 * could not start. */
struct job *custody_pull_run(struct cmd_ctx *, struct pile *,
	    const struct proto_identity *id, int *exit_code, char **cause);

#endif
