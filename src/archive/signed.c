/* signed.c - what protocol 1.1 adds to the archive (schema 2): each record's
 * signature and the key it was checked with, the key pinned per pile, the
 * quarantine of records that failed, the tariffs by version (for money
 * checks) and the cloud's acknowledgement of each record. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "archive/archive-int.h"

static const char archive_v2_sql[] =
	"ALTER TABLE records ADD COLUMN sig BLOB;"
	"ALTER TABLE records ADD COLUMN pubkey BLOB;"
	"ALTER TABLE records ADD COLUMN synced INTEGER NOT NULL DEFAULT 0;"
	"UPDATE records SET synced = (get_byte5(wire) & 2) != 0;"
	"CREATE TABLE pile_keys ("
	" serial TEXT PRIMARY KEY,"
	" pubkey BLOB NOT NULL CHECK (length(pubkey) = 64),"
	" source TEXT NOT NULL,"
	" pinned_at INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE quarantine ("
	" serial TEXT NOT NULL,"
	" seq INTEGER NOT NULL,"
	" device_id TEXT NOT NULL,"
	" wire BLOB NOT NULL CHECK (length(wire) = 124),"
	" sig BLOB,"
	" pubkey BLOB,"
	" reason TEXT NOT NULL,"
	" pulled_at INTEGER NOT NULL,"
	" PRIMARY KEY (serial, seq)"
	") WITHOUT ROWID;"
	"CREATE TABLE tariffs ("
	" version INTEGER PRIMARY KEY,"
	" tariff BLOB NOT NULL"
	");";

/* The SYNCED flag of a v1 row, from its wire bytes. */
static void
archive_get_byte5(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char	*b = sqlite3_value_blob(argv[0]);

	if (argc == 1 && b != NULL && sqlite3_value_bytes(argv[0]) > 5)
		sqlite3_result_int(ctx, b[5]);
	else
		sqlite3_result_int(ctx, 0);
}

int
archive_migrate(struct archive *a, int from, char **cause)
{
	int	rc;

	if (from >= 2)
		return from >= 3 ? 0 : archive_migrate_v3(a, cause);
	sqlite3_create_function(a->db, "get_byte5", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
	    NULL, archive_get_byte5, NULL, NULL);
	rc = archive_exec(a, "BEGIN IMMEDIATE");
	if (rc == SQLITE_OK)
		rc = archive_exec(a, archive_v2_sql);
	if (rc == SQLITE_OK)
		rc = archive_exec(a, "PRAGMA user_version = 2");
	if (rc == SQLITE_OK)
		rc = archive_exec(a, "COMMIT");
	if (rc != SQLITE_OK) {
		archive_fail(a, rc, _("cannot upgrade archive"), cause);
		archive_exec(a, "ROLLBACK");
		return -1;
	}
	return archive_migrate_v3(a, cause);
}

void
archive_row_signed(struct archive_row *row, sqlite3_stmt *st, int col)
{
	const void	*sig = sqlite3_column_blob(st, col);
	const void	*pub = sqlite3_column_blob(st, col + 1);
	const uint8_t	*tar = sqlite3_column_blob(st, col + 3);
	uint16_t	 regs[PROTO_TARIFF_COUNT];
	size_t		 i;

	if (sig != NULL && sqlite3_column_bytes(st, col) == PROTO_SIG_BYTES &&
	    pub != NULL && sqlite3_column_bytes(st, col + 1) == PROTO_PUBKEY_BYTES) {
		row->has_sig = 1;
		memcpy(row->sig, sig, PROTO_SIG_BYTES);
		memcpy(row->pubkey, pub, PROTO_PUBKEY_BYTES);
	}
	row->synced = sqlite3_column_int(st, col + 2) != 0;
	if (tar != NULL && sqlite3_column_bytes(st, col + 3) == (int)sizeof regs) {
		for (i = 0; i < PROTO_TARIFF_COUNT; i++)	/* big-endian, as on the wire */
			regs[i] = (uint16_t)(tar[2 * i] << 8 | tar[2 * i + 1]);
		row->has_tariff = proto_tariff_decode(regs, &row->tariff) == 0;
	}
}

/* ---- keys ----------------------------------------------------------------- */

int
archive_key_get(struct archive *a, const char *serial, uint8_t pub[PROTO_PUBKEY_BYTES],
    char source[16], char **cause)
{
	sqlite3_stmt	*st;
	int		 rc, found = 0;

	rc = sqlite3_prepare_v2(a->db, "SELECT pubkey, source FROM pile_keys WHERE serial = ?1",
	    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return archive_fail(a, rc, _("cannot read archive"), cause);
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == PROTO_PUBKEY_BYTES) {
		memcpy(pub, sqlite3_column_blob(st, 0), PROTO_PUBKEY_BYTES);
		if (source != NULL)
			snprintf(source, 16, "%s", (const char *)sqlite3_column_text(st, 1));
		found = 1;
	} else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sqlite3_finalize(st);
		return archive_fail(a, rc, _("cannot read archive"), cause);
	}
	sqlite3_finalize(st);
	return found;
}

static int
archive_key_put(struct archive *a, const char *serial, const uint8_t pub[PROTO_PUBKEY_BYTES],
    const char *source, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	rc = sqlite3_prepare_v2(a->db, "INSERT OR REPLACE INTO pile_keys (serial, pubkey, "
	    "source, pinned_at) VALUES (?1, ?2, ?3, ?4)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return archive_fail(a, rc, _("cannot pin a key in"), cause);
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, pub, PROTO_PUBKEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (int64_t)time(NULL));
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return archive_fail(a, rc, _("cannot pin a key in"), cause);
	return 0;
}

int
archive_key_pin(struct archive *a, const char *serial, const uint8_t pub[PROTO_PUBKEY_BYTES],
    enum archive_key_state *state, uint8_t pinned[PROTO_PUBKEY_BYTES], char **cause)
{
	int	rc;

	rc = archive_key_get(a, serial, pinned, NULL, cause);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		*state = memcmp(pinned, pub, PROTO_PUBKEY_BYTES) == 0 ? ARCHIVE_KEY_SAME :
		    ARCHIVE_KEY_CHANGED;
		return 0;
	}
	if (archive_key_put(a, serial, pub, "tofu", cause) != 0)
		return -1;
	memcpy(pinned, pub, PROTO_PUBKEY_BYTES);
	*state = ARCHIVE_KEY_PINNED_NOW;
	return 0;
}

int
archive_key_provision(struct archive *a, const char *serial,
    const uint8_t pub[PROTO_PUBKEY_BYTES], char **cause)
{
	return archive_key_put(a, serial, pub, "provisioned", cause);
}

/* ---- quarantine ----------------------------------------------------------- */

int
archive_quarantine(struct archive *a, const char *serial, uint32_t store_id,
    const char *device_id,
    const struct proto_record *rec, const uint8_t sig[PROTO_SIG_BYTES],
    const uint8_t pub[PROTO_PUBKEY_BYTES], const char *reason, char **cause)
{
	struct proto_record	copy = *rec;
	uint8_t			wire[PROTO_RECORD_BYTES];
	sqlite3_stmt		*st;
	int			rc;

	proto_record_encode(&copy, wire);
	if (archive_series_ensure(a, serial, store_id, store_id != ARCHIVE_STORE_NONE ?
	    ARCHIVE_SERIES_PILE : ARCHIVE_SERIES_NONE, cause) != 0)
		return -1;
	rc = sqlite3_prepare_v2(a->db, "INSERT OR REPLACE INTO quarantine (serial, seq, "
	    "device_id, wire, sig, pubkey, reason, pulled_at, store_id) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return archive_fail(a, rc, _("cannot quarantine a record in"), cause);
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, rec->seq);
	sqlite3_bind_text(st, 3, device_id != NULL ? device_id : "", -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, wire, sizeof wire, SQLITE_STATIC);
	if (sig != NULL)
		sqlite3_bind_blob(st, 5, sig, PROTO_SIG_BYTES, SQLITE_STATIC);
	if (pub != NULL)
		sqlite3_bind_blob(st, 6, pub, PROTO_PUBKEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, (int64_t)time(NULL));
	sqlite3_bind_int64(st, 9, store_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return archive_fail(a, rc, _("cannot quarantine a record in"), cause);
	return 0;
}

int
archive_quarantine_count(struct archive *a, const char *serial, uint32_t *n, char **cause)
{
	int64_t	v = 0;
	int	rc;

	rc = archive_int(a, "SELECT count(*) FROM quarantine WHERE ?1 IS NULL OR serial = ?1",
	    serial, &v);
	*n = (uint32_t)v;
	if (rc != SQLITE_OK)
		return archive_fail(a, rc, _("cannot read archive"), cause);
	return 0;
}

int
archive_quarantine_next(struct archive *a, const char *serial, uint32_t store_id,
    uint32_t after, uint32_t through, uint32_t *seq, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc, found = 0;

	rc = sqlite3_prepare_v2(a->db, "SELECT min(q.seq) FROM quarantine q WHERE "
	    "q.serial = ?1 AND q.store_id = ?2 AND q.seq > ?3 AND q.seq <= ?4 AND NOT "
	    "EXISTS (SELECT 1 FROM records r WHERE r.serial = q.serial AND "
	    "r.store_id = q.store_id AND r.seq = q.seq)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return archive_fail(a, rc, _("cannot read archive"), cause);
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, store_id);
	sqlite3_bind_int64(st, 3, after);
	sqlite3_bind_int64(st, 4, through);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*seq = (uint32_t)sqlite3_column_int64(st, 0);
		found = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return archive_fail(a, rc, _("cannot read archive"), cause);
	return found;
}

int
archive_quarantine_foreach(struct archive *a, const char *serial,
    int (*fn)(const struct archive_qrow *, void *), void *arg, char **cause)
{
	sqlite3_stmt		*st;
	struct archive_qrow	 q;
	int			 rc, stop = 0;

	rc = sqlite3_prepare_v2(a->db, "SELECT q.serial, q.wire, q.reason, q.pulled_at, "
	    "q.store_id, (SELECT r.pulled_at FROM records r WHERE r.serial = q.serial AND "
	    "r.store_id = q.store_id AND r.seq = q.seq) FROM quarantine q LEFT JOIN "
	    "series s ON s.serial = q.serial AND s.store_id = q.store_id WHERE ?1 IS NULL "
	    "OR q.serial = ?1 ORDER BY q.serial, s.ordinal, q.seq", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return archive_fail(a, rc, _("cannot read archive"), cause);
	if (serial != NULL)
		sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&q, 0, sizeof q);
		snprintf(q.serial, sizeof q.serial, "%s", (const char *)sqlite3_column_text(st, 0));
		if (sqlite3_column_bytes(st, 1) == PROTO_RECORD_BYTES)
			(void)proto_record_decode(sqlite3_column_blob(st, 1), &q.rec);
		snprintf(q.reason, sizeof q.reason, "%s", (const char *)sqlite3_column_text(st, 2));
		q.pulled_at = sqlite3_column_int64(st, 3);
		q.store_id = (uint32_t)sqlite3_column_int64(st, 4);
		q.archived_at = sqlite3_column_int64(st, 5);
		if ((stop = fn(&q, arg)) != 0)
			break;
	}
	sqlite3_finalize(st);
	if (stop == 0 && rc != SQLITE_DONE)
		return archive_fail(a, rc, _("cannot read archive"), cause);
	return stop;
}

/* ---- tariffs and sync state ------------------------------------------------ */

int
archive_put_tariff(struct archive *a, const struct proto_tariff *t, char **cause)
{
	uint16_t	 regs[PROTO_TARIFF_COUNT];
	uint8_t		 be[2 * PROTO_TARIFF_COUNT];
	sqlite3_stmt	*st;
	int		 rc;

	if (t->version == 0)
		return 0;
	proto_tariff_encode(t, regs);
	proto_get_bytes(regs, sizeof be, be);
	rc = sqlite3_prepare_v2(a->db, "INSERT OR IGNORE INTO tariffs (version, tariff) "
	    "VALUES (?1, ?2)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return archive_fail(a, rc, _("cannot store a tariff in"), cause);
	sqlite3_bind_int64(st, 1, t->version);
	sqlite3_bind_blob(st, 2, be, sizeof be, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return archive_fail(a, rc, _("cannot store a tariff in"), cause);
	return 0;
}

int
archive_reconcile_synced(struct archive *a, const char *serial, uint32_t store_id,
    uint32_t synced_through, uint32_t *changed, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	rc = sqlite3_prepare_v2(a->db, "UPDATE records SET synced = 1 WHERE serial = ?1 "
	    "AND store_id = ?3 AND seq <= ?2 AND synced = 0", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return archive_fail(a, rc, _("cannot update archive"), cause);
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, synced_through);
	sqlite3_bind_int64(st, 3, store_id);
	rc = sqlite3_step(st);
	if (changed != NULL)
		*changed = (uint32_t)sqlite3_changes(a->db);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return archive_fail(a, rc, _("cannot update archive"), cause);
	return 0;
}
