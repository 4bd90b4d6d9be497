/* custody.c - the custody digest of an archived range (pilecon-protocol(7),
 * CUSTODY): what pilecon names when it hands records into its custody. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "common.h"
#include "archive/archive-int.h"

/* Walks the wire bytes of first..last in order; fn gets each record. */
static int
archive_range(struct archive *a, const char *serial, uint32_t store_id, uint32_t first,
    uint32_t last,
    void (*fn)(const uint8_t *, void *), void *arg, uint32_t *through, char **cause)
{
	sqlite3_stmt	*st;
	uint32_t	 next = first;
	int		 rc, bad = 0;

	rc = sqlite3_prepare_v2(a->db, "SELECT seq, wire FROM records WHERE serial = ?1 "
	    "AND store_id = ?4 AND seq BETWEEN ?2 AND ?3 ORDER BY seq", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return archive_fail(a, rc, _("cannot read archive"), cause);
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, first);
	sqlite3_bind_int64(st, 3, last);
	sqlite3_bind_int64(st, 4, store_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const uint8_t		*wire = sqlite3_column_blob(st, 1);
		uint8_t			 buf[PROTO_RECORD_BYTES];
		struct proto_record	 rec;

		if ((uint32_t)sqlite3_column_int64(st, 0) != next)
			break;
		if (sqlite3_column_bytes(st, 1) != PROTO_RECORD_BYTES || wire == NULL ||
		    proto_record_decode(wire, &rec) != 0) {
			bad = 1;
			break;
		}
		memcpy(buf, wire, sizeof buf);
		buf[5] &= ~PROTO_REC_F_SYNCED;
		if (fn != NULL)
			fn(buf, arg);
		next++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return archive_fail(a, rc, _("cannot read archive"), cause);
	*through = next - 1;
	if (bad)
		return set_cause(cause, -1, _("record %u of pile '%s' in archive '%s' is "
		    "damaged (its CRC does not match)"), next, serial, a->path);
	return 0;
}

static void
archive_hash(const uint8_t *wire, void *arg)
{
	crypto_hash_sha256_update(arg, wire, PROTO_RECORD_BYTES);
}

int
archive_custody_digest(struct archive *a, const char *serial, uint32_t store_id,
    uint32_t first,
    uint32_t last, uint8_t sha256[PROTO_SHA256_BYTES], char **cause)
{
	crypto_hash_sha256_state	st;
	uint32_t			through;

	crypto_hash_sha256_init(&st);
	if (archive_range(a, serial, store_id, first, last, archive_hash, &st, &through, cause) != 0)
		return -1;
	if (through != last)
		return set_cause(cause, -1, _("record %u of pile '%s' is not in archive "
		    "'%s' (pull it first)"), through + 1, serial, a->path);
	crypto_hash_sha256_final(&st, sha256);
	return 0;
}

int
archive_held_through(struct archive *a, const char *serial, uint32_t store_id,
    uint32_t from, uint32_t *seq, char **cause)
{
	return archive_range(a, serial, store_id, from, UINT32_MAX, NULL, NULL, seq, cause);
}
