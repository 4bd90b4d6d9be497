/* reconcile.c - the archive learns what the cloud acknowledged, from the
 * pile: a pile uploads oldest first and moves its synced mark only on an
 * acknowledgement, so every record of its store up to last_seq - unsynced
 * is synced. Used by resync --wait and the console's live reads (a pull
 * does the same in cmd-logs-pull.c with the series it proved). A record is
 * marked synced only in the series proven to be the pile's store. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "common.h"
#include "batch/batch.h"

/* The series the pile's store id names, without reading a record. */
int
batch_reconcile_live(struct archive *ar, const char *serial, const struct proto_identity *id,
    const struct proto_live *live, uint32_t *changed, char **cause)
{
	struct archive_series	s;
	int			rc;

	*changed = 0;
	if (!(id->caps & PROTO_CAP_STORE) || live->store_id == 0 ||
	    live->last_seq < live->unsynced || live->last_seq == live->unsynced)
		return 0;
	if ((rc = archive_series_get(ar, serial, live->store_id, &s, cause)) <= 0)
		return rc;
	if (archive_reconcile_synced(ar, serial, s.store_id, live->last_seq - live->unsynced,
	    changed, cause) != 0)
		return -1;
	return 1;
}

int
batch_reconcile_series(struct archive *ar, const char *serial, const struct proto_live *live,
    struct archive_series *s, char **cause)
{
	int	rc;

	if ((rc = archive_series_latest(ar, serial, s, cause)) <= 0)
		return rc;
	/* Its numbering below ours: another store. Ours gone from the pile:
	 * nothing to compare. */
	if (s->last_seq == 0 || live->last_seq < s->last_seq || s->last_seq < live->first_seq)
		return 0;
	return 1;
}

int
batch_reconcile_proven(struct archive *ar, const char *serial, const struct archive_series *s,
    const struct proto_live *live, const struct proto_record *theirs_rec, uint32_t *changed,
    char **cause)
{
	struct proto_record	copy = *theirs_rec;
	uint8_t			ours[PROTO_RECORD_BYTES], theirs[PROTO_RECORD_BYTES];
	int			rc;

	*changed = 0;
	if (live->last_seq < live->unsynced || copy.seq != s->last_seq)
		return 0;
	if ((rc = archive_record_wire(ar, serial, s->store_id, s->last_seq, ours, cause)) < 0)
		return -1;
	proto_record_encode(&copy, theirs);
	ours[5] &= ~PROTO_REC_F_SYNCED;
	theirs[5] &= ~PROTO_REC_F_SYNCED;
	if (rc != 1 || memcmp(ours, theirs, sizeof ours) != 0)
		return 0;
	if (archive_reconcile_synced(ar, serial, s->store_id, live->last_seq - live->unsynced,
	    changed, cause) != 0)
		return -1;
	return 1;
}

int
batch_archive_exists(const struct cmd_ctx *ctx)
{
	return ctx->archive != NULL ||
	    (ctx->opts.archive_path != NULL && access(ctx->opts.archive_path, F_OK) == 0);
}
