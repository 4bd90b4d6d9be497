/* custody.c - hands pulled records into pilecon's custody: the range the
 * pile still holds past its custody mark, as far as the archive holds it.
 * The I/O is the pull's (cmd-logs-pull.c), a transaction a turn. */
#include "config.h"

#include <string.h>

#include "common.h"
#include "batch/custody.h"
#include "batch/job.h"

int
custody_check(struct pile *pile, const char *serial, char **cause)
{
	if (!(pile_caps(pile) & PROTO_CAP_CUSTODY))
		return set_cause(cause, PILE_E_REFUSED, _("pile '%s' cannot take records "
		    "into custody (its protocol has no custody: it keeps every record "
		    "until its cloud acknowledges it)"), serial);
	return 0;
}

int
custody_range(struct archive *ar, const char *serial, uint32_t store_id,
    const struct proto_live *live, struct custody_done *range,
    uint8_t sha[PROTO_SHA256_BYTES], char **cause)
{
	uint32_t	first, last;

	memset(range, 0, sizeof *range);
	if (live->last_seq == 0)
		return 0;
	first = live->custody_last_seq + 1;
	if (first < live->first_seq)
		first = live->first_seq;
	if (first > live->last_seq)
		return 0;
	if (archive_held_through(ar, serial, store_id, first, &last, cause) != 0)
		return PILE_E_PROTOCOL;
	if (last > live->last_seq)
		last = live->last_seq;
	if (last < first)
		return 0;
	if (archive_custody_digest(ar, serial, store_id, first, last, sha, cause) != 0)
		return PILE_E_PROTOCOL;
	range->first = first;
	range->last = last;
	range->count = last - first + 1;
	return 0;
}

/* The one pull there is (resume, signatures, quarantine, exactly once)
 * serves provisioning too. */
struct job *
custody_pull_new(struct cmd_ctx *ctx, struct pile *pile, const struct proto_identity *id,
    int *exit_code, char **cause)
{
	static char	*argv[] = { "logs", "pull", "--custody" };

	return job_new(ctx, 3, argv, pile, id, exit_code, cause);
}
