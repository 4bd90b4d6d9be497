/* series.c - schema 3: a pile's records come in series, one per record
 * store (protocol 1.1 live.store_id), so a renumbered pile (a reset store, a
 * replaced controller, the same serial) keeps both its old and its new
 * records, each keyed by serial + store id + sequence number. */
#include "config.h"

#include <string.h>
#include <time.h>

#include "common.h"
#include "archive/archive-int.h"

/*
 * Records and quarantine gain store_id in their key: SQLite cannot change a
 * primary key in place, so both tables are rebuilt, in one transaction.
 * Rows archived before schema 3 get store id 0 (ARCHIVE_STORE_NONE) and one
 * series of source 'unknown' per pile: the first pull from a pile that
 * shows its store id gives that series the pile's id when the pile still
 * holds the archive's last record byte for byte (archive_series_adopt).
 */
static const char archive_v3_sql[] =
	"CREATE TABLE records3 ("
	" serial TEXT NOT NULL,"
	" store_id INTEGER NOT NULL,"
	" seq INTEGER NOT NULL,"
	" device_id TEXT NOT NULL,"
	" wire BLOB NOT NULL CHECK (length(wire) = 124),"
	" kind INTEGER NOT NULL,"
	" offline INTEGER NOT NULL,"
	" tag TEXT NOT NULL,"
	" start INTEGER NOT NULL,"
	" stop INTEGER NOT NULL,"
	" energy_wh INTEGER NOT NULL,"
	" tariff_version INTEGER NOT NULL,"
	" fee_minor INTEGER NOT NULL,"
	" crc INTEGER NOT NULL,"
	" pulled_at INTEGER NOT NULL,"
	" sig BLOB,"
	" pubkey BLOB,"
	" synced INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (serial, store_id, seq)"
	") WITHOUT ROWID;"
	"INSERT INTO records3 SELECT serial, 0, seq, device_id, wire, kind, offline, tag,"
	" start, stop, energy_wh, tariff_version, fee_minor, crc, pulled_at, sig, pubkey,"
	" synced FROM records;"
	"DROP TABLE records;"
	"ALTER TABLE records3 RENAME TO records;"
	"CREATE INDEX records_pulled ON records (pulled_at);"
	"CREATE TABLE quarantine3 ("
	" serial TEXT NOT NULL,"
	" store_id INTEGER NOT NULL,"
	" seq INTEGER NOT NULL,"
	" device_id TEXT NOT NULL,"
	" wire BLOB NOT NULL CHECK (length(wire) = 124),"
	" sig BLOB,"
	" pubkey BLOB,"
	" reason TEXT NOT NULL,"
	" pulled_at INTEGER NOT NULL,"
	" PRIMARY KEY (serial, store_id, seq)"
	") WITHOUT ROWID;"
	"INSERT INTO quarantine3 SELECT serial, 0, seq, device_id, wire, sig, pubkey,"
	" reason, pulled_at FROM quarantine;"
	"DROP TABLE quarantine;"
	"ALTER TABLE quarantine3 RENAME TO quarantine;"
	/* ordinal: 1, 2, ... in the order the archive met the pile's series;
	 * source: 'pile' (the pile's live.store_id), 'none' (a pile that
	 * publishes none: the archive numbered the series), 'unknown'
	 * (archived before schema 3). */
	"CREATE TABLE series ("
	" serial TEXT NOT NULL,"
	" store_id INTEGER NOT NULL,"
	" ordinal INTEGER NOT NULL,"
	" source TEXT NOT NULL,"
	" opened_at INTEGER NOT NULL,"
	" PRIMARY KEY (serial, store_id)"
	") WITHOUT ROWID;"
	"INSERT INTO series SELECT serial, 0, 1, 'unknown', min(pulled_at) FROM"
	" (SELECT serial, pulled_at FROM records UNION ALL"
	"  SELECT serial, pulled_at FROM quarantine) GROUP BY serial;";

int
archive_migrate_v3(struct archive *a, char **cause)
{
	int	rc;

	rc = archive_exec(a, "BEGIN IMMEDIATE");
	if (rc == SQLITE_OK)
		rc = archive_exec(a, archive_v3_sql);
	if (rc == SQLITE_OK)
		rc = archive_exec(a, "PRAGMA user_version = 3");
	if (rc == SQLITE_OK)
		rc = archive_exec(a, "COMMIT");
	if (rc != SQLITE_OK) {
		archive_fail(a, rc, _("cannot upgrade archive"), cause);
		archive_exec(a, "ROLLBACK");
		return -1;
	}
	return 0;
}

/* Fills s from a row of: store_id, ordinal, source, last seq, count. */
static void
series_row(sqlite3_stmt *st, struct archive_series *s)
{
	const unsigned char	*src = sqlite3_column_text(st, 2);

	memset(s, 0, sizeof *s);
	s->store_id = (uint32_t)sqlite3_column_int64(st, 0);
	s->ordinal = sqlite3_column_int(st, 1);
	if (src != NULL && strcmp((const char *)src, "pile") == 0)
		s->source = ARCHIVE_SERIES_PILE;
	else if (src != NULL && strcmp((const char *)src, "none") == 0)
		s->source = ARCHIVE_SERIES_NONE;
	else
		s->source = ARCHIVE_SERIES_UNKNOWN;
	s->last_seq = (uint32_t)sqlite3_column_int64(st, 3);
	s->count = (uint32_t)sqlite3_column_int64(st, 4);
}

#define SERIES_COLS							\
	"SELECT s.store_id, s.ordinal, s.source,"			\
	" coalesce((SELECT max(seq) FROM (SELECT seq FROM records r"	\
	"  WHERE r.serial = s.serial AND r.store_id = s.store_id"	\
	"  UNION ALL SELECT seq FROM quarantine q WHERE q.serial = s.serial" \
	"  AND q.store_id = s.store_id)), 0),"				\
	" (SELECT count(*) FROM records r WHERE r.serial = s.serial"	\
	"  AND r.store_id = s.store_id)"
#define SERIES_SELECT	SERIES_COLS " FROM series s "

/* One series of serial: the latest (latest set) or the one of store_id.
 * 1 found, 0 none, -1 with *cause. */
static int
series_find(struct archive *a, const char *serial, int latest, uint32_t store_id,
    struct archive_series *s, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	memset(s, 0, sizeof *s);
	rc = sqlite3_prepare_v2(a->db, latest ?
	    SERIES_SELECT "WHERE s.serial = ?1 ORDER BY s.ordinal DESC LIMIT 1" :
	    SERIES_SELECT "WHERE s.serial = ?1 AND s.store_id = ?2", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return archive_fail(a, rc, _("cannot read archive"), cause);
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	if (!latest)
		sqlite3_bind_int64(st, 2, store_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		series_row(st, s);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE)
		return archive_fail(a, rc, _("cannot read archive"), cause);
	return 0;
}

int
archive_series_latest(struct archive *a, const char *serial, struct archive_series *s,
    char **cause)
{
	return series_find(a, serial, 1, 0, s, cause);
}

int
archive_series_get(struct archive *a, const char *serial, uint32_t store_id,
    struct archive_series *s, char **cause)
{
	return series_find(a, serial, 0, store_id, s, cause);
}

int
archive_series_foreach(struct archive *a, const char *serial,
    int (*fn)(const char *, const struct archive_series *, void *), void *arg,
    char **cause)
{
	sqlite3_stmt		*st;
	struct archive_series	 s;
	char			 ser[17];
	int			 rc, stop = 0;

	rc = sqlite3_prepare_v2(a->db, SERIES_COLS ", s.serial FROM series s "
	    "WHERE ?1 IS NULL OR s.serial = ?1 ORDER BY s.serial, s.ordinal", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return archive_fail(a, rc, _("cannot read archive"), cause);
	if (serial != NULL)
		sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		series_row(st, &s);
		snprintf(ser, sizeof ser, "%s", (const char *)sqlite3_column_text(st, 5));
		if ((stop = fn(ser, &s, arg)) != 0)
			break;
	}
	sqlite3_finalize(st);
	if (stop == 0 && rc != SQLITE_DONE)
		return archive_fail(a, rc, _("cannot read archive"), cause);
	return stop;
}

/* Adds the series row when missing (inside the caller's transaction or
 * on its own): the next ordinal of serial. */
int
archive_series_ensure(struct archive *a, const char *serial, uint32_t store_id,
    enum archive_series_source source, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	rc = sqlite3_prepare_v2(a->db, "INSERT OR IGNORE INTO series (serial, store_id, "
	    "ordinal, source, opened_at) VALUES (?1, ?2, (SELECT coalesce(max(ordinal), 0) "
	    "+ 1 FROM series WHERE serial = ?1), ?3, ?4)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return archive_fail(a, rc, _("cannot store records in"), cause);
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, store_id);
	sqlite3_bind_text(st, 3, source == ARCHIVE_SERIES_PILE ? "pile" :
	    source == ARCHIVE_SERIES_NONE ? "none" : "unknown", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (int64_t)time(NULL));
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return archive_fail(a, rc, _("cannot store records in"), cause);
	return 0;
}

int
archive_series_open(struct archive *a, const char *serial, int from_pile, uint32_t store_id,
    struct archive_series *s, char **cause)
{
	struct archive_series	old;
	int			rc;

	/* A pile without a store id: the archive numbers its series, 0 for
	 * the first and the lowest number this serial has not used after. */
	if (!from_pile) {
		for (store_id = 0; ; store_id++) {
			if ((rc = archive_series_get(a, serial, store_id, &old, cause)) < 0)
				return -1;
			if (rc == 0)
				break;
		}
	}
	if (archive_series_ensure(a, serial, store_id, from_pile ? ARCHIVE_SERIES_PILE :
	    ARCHIVE_SERIES_NONE, cause) != 0)
		return -1;
	if ((rc = archive_series_get(a, serial, store_id, s, cause)) <= 0)
		return rc < 0 ? -1 : set_cause(cause, -1, _("cannot store records in '%s': "
		    "the new series of pile '%s' is not there"), a->path, serial);
	return 0;
}

int
archive_series_adopt(struct archive *a, const char *serial, uint32_t from, uint32_t to,
    char **cause)
{
	static const char *const sql[] = {
		"UPDATE records SET store_id = ?3 WHERE serial = ?1 AND store_id = ?2",
		"UPDATE quarantine SET store_id = ?3 WHERE serial = ?1 AND store_id = ?2",
		"UPDATE series SET store_id = ?3, source = 'pile' WHERE serial = ?1 "
		    "AND store_id = ?2",
	};
	sqlite3_stmt	*st;
	size_t		 i;
	int		 rc;

	rc = archive_exec(a, "BEGIN IMMEDIATE");
	for (i = 0; rc == SQLITE_OK && i < sizeof sql / sizeof sql[0]; i++) {
		rc = sqlite3_prepare_v2(a->db, sql[i], -1, &st, NULL);
		if (rc != SQLITE_OK)
			break;
		sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, from);
		sqlite3_bind_int64(st, 3, to);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	if (rc == SQLITE_OK)
		rc = archive_exec(a, "COMMIT");
	if (rc != SQLITE_OK) {
		archive_fail(a, rc, _("cannot update archive"), cause);
		archive_exec(a, "ROLLBACK");
		return -1;
	}
	return 0;
}

int
archive_record_wire(struct archive *a, const char *serial, uint32_t store_id, uint32_t seq,
    uint8_t wire[PROTO_RECORD_BYTES], char **cause)
{
	sqlite3_stmt	*st;
	int		 rc, found = 0;

	rc = sqlite3_prepare_v2(a->db, "SELECT wire FROM records WHERE serial = ?1 AND "
	    "store_id = ?2 AND seq = ?3 UNION ALL SELECT wire FROM quarantine WHERE "
	    "serial = ?1 AND store_id = ?2 AND seq = ?3", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return archive_fail(a, rc, _("cannot read archive"), cause);
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, store_id);
	sqlite3_bind_int64(st, 3, seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == PROTO_RECORD_BYTES) {
		memcpy(wire, sqlite3_column_blob(st, 0), PROTO_RECORD_BYTES);
		found = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return archive_fail(a, rc, _("cannot read archive"), cause);
	return found;
}

int
archive_has_pile(struct archive *a, const char *serial, char **cause)
{
	int64_t	v = 0;
	int	rc;

	rc = archive_int(a, "SELECT count(*) FROM records WHERE serial = ?1", serial, &v);
	if (rc != SQLITE_OK)
		return archive_fail(a, rc, _("cannot read archive"), cause);
	return v > 0;
}
