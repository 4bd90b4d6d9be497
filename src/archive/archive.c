/* archive.c - the laptop-side store of pulled charging records: one SQLite
 * table keyed by pile serial + store id + sequence number (schema 3,
 * series.c), every write one transaction. */
#include "config.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "common.h"
#include "archive/archive.h"
#include "archive/archive-int.h"

/* "PILE": marks the file as ours, so we never write into someone else's
 * database by a mistyped --archive. */
#define ARCHIVE_APPLICATION_ID	0x50494c45
#define ARCHIVE_SCHEMA		3
#define ARCHIVE_BUSY_MS		5000

/*
 * Schema 1, the first: new archives are created as it and upgraded by the
 * same migrations as old ones (signed.c to 2, series.c to 3).
 * The record is kept as the 124 bytes the pile sent (wire), so its CRC can be
 * checked again at any time; the other columns are decoded copies for
 * queries. crc is the record's own CRC-32 (the SYNCED flag is outside it).
 */
static const char archive_schema_sql[] =
	"CREATE TABLE records ("
	" serial TEXT NOT NULL,"
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
	" PRIMARY KEY (serial, seq)"
	") WITHOUT ROWID;";

/* Words for what SQLite says went wrong, for messages a technician reads. */
static const char *
archive_sqlite_reason(sqlite3 *db, int rc, int error)
{
	/* An I/O error says more by its errno: a file size limit or a
	 * read-only mount is not a failing disk. SQLite 3.40 does not always
	 * keep it (sqlite3_system_errno is 0 after a failed WAL write), so the
	 * caller's errno, taken right after the failing call, stands in. */
	if ((rc & 0xff) == SQLITE_IOERR && db != NULL) {
		if (sqlite3_system_errno(db) != 0)
			error = sqlite3_system_errno(db);
		switch (error) {
		case ENOSPC:
			return _("disk full");
		case EDQUOT:
			return _("disk quota exceeded");
		case EFBIG:
			return _("file too large (file size limit reached)");
		case EROFS:
			return _("read-only file system");
		}
	}
	switch (rc & 0xff) {
	case SQLITE_FULL:
		return _("disk full");
	case SQLITE_READONLY:
		return _("the archive is read-only (check the permissions of the file and its folder)");
	case SQLITE_IOERR:
		return _("input/output error");
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return _("the archive is locked by another program (is another pilecon pulling?)");
	case SQLITE_CORRUPT:
		return _("the archive file is damaged");
	case SQLITE_NOTADB:
		return _("not an archive (not an SQLite database)");
	case SQLITE_CANTOPEN:
		return _("cannot open the file (check that it and its folder exist and are readable)");
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return _("permission denied");
	}
	return db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
}

/* Call right after the failing SQLite call: errno is read first. */
int
archive_fail(struct archive *a, int rc, const char *what, char **cause)
{
	int		error = errno;
	struct statvfs	sv;

	/* On a read-only mount SQLite says CANTOPEN (it cannot make the WAL's
	 * -shm file), and "check that it exists" would send the technician
	 * looking in the wrong place. */
	if (((rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_READONLY) &&
	    statvfs(a->path, &sv) == 0 && (sv.f_flag & ST_RDONLY))
		return set_cause(cause, -1, _("%s '%s': %s"), what, a->path,
		    _("read-only file system"));
	return set_cause(cause, -1, _("%s '%s': %s"), what, a->path,
	    archive_sqlite_reason(a->db, rc, error));
}

int
archive_exec(struct archive *a, const char *sql)
{
	return sqlite3_exec(a->db, sql, NULL, NULL, NULL);
}

/* Runs a statement returning one integer (left as it is when the statement
 * returns no row); serial, unless NULL, is bound to ?1. */
int
archive_int(struct archive *a, const char *sql, const char *serial, int64_t *v)
{
	sqlite3_stmt	*st;
	int		 rc;

	rc = sqlite3_prepare_v2(a->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	if (serial != NULL)
		sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*v = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/* mkdir -p of the folder holding path; new folders are private (0700):
 * the archive holds card numbers and names. */
static int
archive_mkdirs(const char *path, char **cause)
{
	char	*dir, *p, saved;
	int	 rc = 0;

	dir = xstrdup(path);
	p = strrchr(dir, '/');
	if (p == NULL || p == dir) {
		free(dir);
		return 0;
	}
	*p = '\0';
	for (p = dir + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		saved = *p;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			rc = set_cause(cause, -1, _("cannot create folder '%s': %s"),
			    dir, strerror(errno));
			break;
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
	free(dir);
	return rc;
}

static int
archive_schema(struct archive *a, char **cause)
{
	int64_t	version = 0, app = 0, tables = 0;
	int	rc;

	if ((rc = archive_int(a, "PRAGMA user_version", NULL, &version)) != SQLITE_OK ||
	    (rc = archive_int(a, "PRAGMA application_id", NULL, &app)) != SQLITE_OK)
		return archive_fail(a, rc, _("cannot open archive"), cause);
	if (version == ARCHIVE_SCHEMA && app == ARCHIVE_APPLICATION_ID)
		return 0;
	if (version >= 1 && version < ARCHIVE_SCHEMA && app == ARCHIVE_APPLICATION_ID)
		return archive_migrate(a, (int)version, cause);
	if (version > ARCHIVE_SCHEMA && app == ARCHIVE_APPLICATION_ID)
		return set_cause(cause, -1, _("cannot open archive '%s': it was written by a "
		    "newer pilecon (schema %lld, this one knows %d); upgrade pilecon"),
		    a->path, (long long)version, ARCHIVE_SCHEMA);

	/* A new file: create the schema in one transaction, so that a crash
	 * leaves either nothing or a complete archive. */
	rc = archive_exec(a, "BEGIN IMMEDIATE");
	if (rc != SQLITE_OK)
		return archive_fail(a, rc, _("cannot create archive"), cause);
	rc = archive_int(a, "SELECT count(*) FROM sqlite_master", NULL, &tables);
	if (rc == SQLITE_OK && (tables != 0 || version != 0 || app != 0)) {
		archive_exec(a, "ROLLBACK");
		return set_cause(cause, -1, _("cannot open archive '%s': the file is an SQLite "
		    "database of another program (choose another path with --archive)"), a->path);
	}
	if (rc == SQLITE_OK)
		rc = archive_exec(a, archive_schema_sql);
	if (rc == SQLITE_OK)
		rc = archive_exec(a, "CREATE INDEX records_pulled ON records (pulled_at)");
	if (rc == SQLITE_OK)
		rc = archive_exec(a, "PRAGMA application_id = 1346980933");
	if (rc == SQLITE_OK)
		rc = archive_exec(a, "PRAGMA user_version = 1");
	if (rc == SQLITE_OK)
		rc = archive_exec(a, "COMMIT");
	if (rc != SQLITE_OK) {
		archive_exec(a, "ROLLBACK");
		return archive_fail(a, rc, _("cannot create archive"), cause);
	}
	return archive_migrate(a, 1, cause);
}

/* The three numbers that tell whose file this is. */
static int
archive_inspect_read(struct archive *a, int64_t *app, int64_t *version, int64_t *tables)
{
	int	rc;

	rc = archive_int(a, "PRAGMA application_id", NULL, app);
	if (rc == SQLITE_OK)
		rc = archive_int(a, "PRAGMA user_version", NULL, version);
	if (rc == SQLITE_OK)
		rc = archive_int(a, "SELECT count(*) FROM sqlite_master", NULL, tables);
	return rc;
}

/* Before anything writes to an existing file: read-only, is it empty, ours,
 * or another program's? Opening it read-write first would already change
 * it (the WAL journal mode is written into the file's header). 0 when it is
 * ours, new or empty; -1 with *cause otherwise, the file untouched. */
static int
archive_inspect(struct archive *a, char **cause)
{
	struct stat	 sb;
	int64_t		 version = 0, app = 0, tables = 0;
	int		 rc;

	if (stat(a->path, &sb) != 0)
		return 0;	/* new: archive_create makes it */
	if (!S_ISREG(sb.st_mode))
		return set_cause(cause, -1, _("cannot open archive '%s': not a regular file "
		    "(choose another path with --archive)"), a->path);
	if (sb.st_size == 0)
		return 0;
	rc = sqlite3_open_v2(a->path, &a->db, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_extended_result_codes(a->db, 1);
		rc = archive_inspect_read(a, &app, &version, &tables);
	}
	/* A writer killed mid-transaction (a pull SIGKILLed while it made the
	 * archive, before WAL mode) leaves a hot journal, or a WAL index to
	 * rebuild, that a read-only connection cannot undo: SQLite's own
	 * recovery, which any writer runs as it opens the file, changes
	 * nothing of the content. Let a writer do it, then look again. */
	if ((rc == SQLITE_READONLY_ROLLBACK || rc == SQLITE_READONLY_RECOVERY) &&
	    access(a->path, W_OK) == 0) {
		sqlite3_close(a->db);
		a->db = NULL;
		rc = sqlite3_open_v2(a->path, &a->db, SQLITE_OPEN_READWRITE, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_extended_result_codes(a->db, 1);
			rc = archive_inspect_read(a, &app, &version, &tables);
		}
	}
	if (rc != SQLITE_OK) {
		archive_fail(a, rc, _("cannot open archive"), cause);
		sqlite3_close(a->db);
		a->db = NULL;
		return -1;
	}
	sqlite3_close(a->db);
	a->db = NULL;
	if (app != ARCHIVE_APPLICATION_ID && (tables != 0 || version != 0 || app != 0))
		return set_cause(cause, -1, _("cannot open archive '%s': the file is an SQLite "
		    "database of another program (choose another path with --archive)"), a->path);
	return 0;
}

/* A new archive is created owner-only (0600) before SQLite opens it: it
 * holds card numbers and names. SQLite gives its -wal and -shm files the
 * mode of the database. An existing file keeps its mode. */
static int
archive_create(const char *path, char **cause)
{
	int	fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	return set_cause(cause, -1, _("cannot create archive '%s': %s"), path,
	    strerror(errno));
}

struct archive *
archive_open(const char *path, char **cause)
{
	struct archive	*a;
	int		 rc;

	if (path == NULL || *path == '\0') {
		set_cause(cause, -1, _("no archive path (set 'archive' in the config or use --archive)"));
		return NULL;
	}
	if (archive_mkdirs(path, cause) != 0)
		return NULL;

	a = xcalloc(1, sizeof *a);
	a->path = xstrdup(path);
	if (archive_inspect(a, cause) != 0 || archive_create(path, cause) != 0) {
		archive_close(a);
		return NULL;
	}
	rc = sqlite3_open_v2(path, &a->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		archive_fail(a, rc, _("cannot open archive"), cause);
		archive_close(a);
		return NULL;
	}
	sqlite3_extended_result_codes(a->db, 1);
	sqlite3_busy_timeout(a->db, ARCHIVE_BUSY_MS);

	/* WAL: a reader (logs list) never blocks a pull; FULL: a committed
	 * pull survives a power cut, since records may already be synced and
	 * gone from the pile's view of "new". A read-only file keeps its mode. */
	if (!sqlite3_db_readonly(a->db, "main")) {
		rc = archive_exec(a, "PRAGMA journal_mode = WAL");
		if ((rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT) {
			archive_fail(a, rc, _("cannot open archive"), cause);
			archive_close(a);
			return NULL;
		}
	}
	archive_exec(a, "PRAGMA synchronous = FULL");
	if (archive_schema(a, cause) != 0) {
		archive_close(a);
		return NULL;
	}
	return a;
}

void
archive_close(struct archive *a)
{
	if (a == NULL)
		return;
	sqlite3_close(a->db);
	free(a->path);
	free(a);
}

char *
archive_default_path(void)
{
	const char	*xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");

	/* XDG Base Directory: a relative $XDG_DATA_HOME is invalid, ignore it. */
	if (xdg != NULL && *xdg == '/')
		return xasprintf("%s/pilecon/archive.db", xdg);
	if (home == NULL || *home == '\0')
		home = ".";
	return xasprintf("%s/.local/share/pilecon/archive.db", home);
}

static void
archive_day(int64_t t, char *buf, size_t size)
{
	time_t		tt = (time_t)t;
	struct tm	tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, size, "%Y-%m-%d", &tm) == 0)
		snprintf(buf, size, "?");
}

/* Checks one record before it is stored: its CRC (the pile's and ours must
 * agree) and that it decodes; fills wire with its bytes. */
static int
archive_check(const char *serial, const struct proto_record *rec,
    uint8_t wire[PROTO_RECORD_BYTES], char **cause)
{
	struct proto_record	copy = *rec, back;
	int			rc;

	proto_record_encode(&copy, wire);
	if (copy.crc != rec->crc)
		return set_cause(cause, -1, _("record %lu of pile '%s' fails its CRC check "
		    "(CRC 0x%08lx received, 0x%08lx computed): nothing stored"),
		    (unsigned long)rec->seq, serial, (unsigned long)rec->crc,
		    (unsigned long)copy.crc);
	rc = proto_record_decode(wire, &back);
	if (rc != 0)
		return set_cause(cause, -1, _("record %lu of pile '%s' is malformed "
		    "(kind %u, stop reason %u): nothing stored"),
		    (unsigned long)rec->seq, serial, rec->kind, rec->stop_reason);
	return 0;
}

static int
archive_put_one(struct archive *a, sqlite3_stmt *find, sqlite3_stmt *ins,
    const char *serial, uint32_t store_id, const char *device_id,
    const struct proto_record *rec,
    const uint8_t *sig, const uint8_t *pub, int64_t now, int *added, char **cause)
{
	uint8_t		wire[PROTO_RECORD_BYTES];
	int		rc;
	char		day[32];

	if (archive_check(serial, rec, wire, cause) != 0)
		return -1;

	sqlite3_reset(find);
	sqlite3_bind_text(find, 1, serial, -1, SQLITE_STATIC);
	sqlite3_bind_int64(find, 2, rec->seq);
	sqlite3_bind_int64(find, 3, store_id);
	rc = sqlite3_step(find);
	if (rc == SQLITE_ROW) {
		uint32_t	held = (uint32_t)sqlite3_column_int64(find, 0);
		int64_t		when = sqlite3_column_int64(find, 1);

		if (held == rec->crc)
			return 0;	/* pulled before: present, not new */
		archive_day(when, day, sizeof day);
		return set_cause(cause, -1, _("record %lu of pile '%s' differs from the one "
		    "archived on %s (CRC 0x%08lx pulled vs 0x%08lx archived): nothing stored"),
		    (unsigned long)rec->seq, serial, day, (unsigned long)rec->crc,
		    (unsigned long)held);
	}
	if (rc != SQLITE_DONE)
		return archive_fail(a, rc, _("cannot store records in"), cause);

	sqlite3_reset(ins);
	sqlite3_bind_text(ins, 1, serial, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 2, rec->seq);
	sqlite3_bind_text(ins, 3, device_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(ins, 4, wire, sizeof wire, SQLITE_STATIC);
	sqlite3_bind_int(ins, 5, rec->kind);
	sqlite3_bind_int(ins, 6, (rec->flags & PROTO_REC_F_OFFLINE) != 0);
	sqlite3_bind_text(ins, 7, rec->tag, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 8, rec->start);
	sqlite3_bind_int64(ins, 9, rec->stop);
	sqlite3_bind_int64(ins, 10, proto_record_energy_wh(rec));
	sqlite3_bind_int64(ins, 11, rec->tariff_version);
	sqlite3_bind_int64(ins, 12, proto_record_fee_minor(rec));
	sqlite3_bind_int64(ins, 13, rec->crc);
	sqlite3_bind_int64(ins, 14, now);
	if (sig != NULL && pub != NULL) {
		sqlite3_bind_blob(ins, 15, sig, PROTO_SIG_BYTES, SQLITE_STATIC);
		sqlite3_bind_blob(ins, 16, pub, PROTO_PUBKEY_BYTES, SQLITE_STATIC);
	} else {
		sqlite3_bind_null(ins, 15);
		sqlite3_bind_null(ins, 16);
	}
	sqlite3_bind_int(ins, 17, (rec->flags & PROTO_REC_F_SYNCED) != 0);
	sqlite3_bind_int64(ins, 18, store_id);
	rc = sqlite3_step(ins);
	if (rc != SQLITE_DONE)
		return archive_fail(a, rc, _("cannot store records in"), cause);
	(*added)++;
	return 0;
}

int
archive_put_records(struct archive *a, const char *serial, uint32_t store_id,
    const char *device_id, const struct proto_record *recs, int n, char **cause)
{
	return archive_put_signed(a, serial, store_id, device_id, recs, NULL, NULL, n,
	    cause);
}

int
archive_put_signed(struct archive *a, const char *serial, uint32_t store_id,
    const char *device_id,
    const struct proto_record *recs, const uint8_t (*sigs)[PROTO_SIG_BYTES],
    const uint8_t *pub, int n, char **cause)
{
	sqlite3_stmt	*find = NULL, *ins = NULL;
	int		 rc, i, added = 0, failed = 0;
	int64_t		 now = (int64_t)time(NULL);

	if (serial == NULL || *serial == '\0' || strlen(serial) > 16)
		return set_cause(cause, -1, _("cannot store records: bad pile serial '%s' "
		    "(1 to 16 characters)"), serial != NULL ? serial : "");
	if (device_id == NULL)
		device_id = "";
	if (strlen(device_id) > 32)
		return set_cause(cause, -1, _("cannot store records of pile '%s': device id "
		    "'%s' is longer than 32 bytes"), serial, device_id);
	if (n <= 0)
		return 0;

	rc = archive_exec(a, "BEGIN IMMEDIATE");
	if (rc != SQLITE_OK)
		return archive_fail(a, rc, _("cannot store records in"), cause);
	rc = sqlite3_prepare_v2(a->db, "SELECT crc, pulled_at FROM records "
	    "WHERE serial = ?1 AND store_id = ?3 AND seq = ?2", -1, &find, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(a->db, "INSERT INTO records (serial, seq, device_id, "
		    "wire, kind, offline, tag, start, stop, energy_wh, tariff_version, "
		    "fee_minor, crc, pulled_at, sig, pubkey, synced, store_id) VALUES "
		    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
		    "?17, ?18)", -1, &ins, NULL);
	if (rc != SQLITE_OK)
		failed = archive_fail(a, rc, _("cannot store records in"), cause);
	/* A series met for the first time: a pull opens it beforehand with
	 * its source; anyone else's store id is the pile's own. */
	if (!failed && archive_series_ensure(a, serial, store_id,
	    store_id != ARCHIVE_STORE_NONE ? ARCHIVE_SERIES_PILE : ARCHIVE_SERIES_NONE,
	    cause) != 0)
		failed = 1;
	for (i = 0; !failed && i < n; i++) {
		if (archive_put_one(a, find, ins, serial, store_id, device_id, &recs[i],
		    sigs != NULL ? sigs[i] : NULL, pub, now, &added, cause) != 0)
			failed = 1;
	}
	sqlite3_finalize(find);
	sqlite3_finalize(ins);
	if (!failed) {
		rc = archive_exec(a, "COMMIT");
		if (rc == SQLITE_OK)
			return added;
		archive_fail(a, rc, _("cannot store records in"), cause);
	}
	/* Nothing half-written: the whole batch goes, or none of it. */
	if (!sqlite3_get_autocommit(a->db))
		archive_exec(a, "ROLLBACK");
	return -1;
}

int
archive_last_seq(struct archive *a, const char *serial, uint32_t store_id, uint32_t *seq,
    char **cause)
{
	struct archive_series	s;

	/* Quarantined records were pulled too: a resumed pull starts after
	 * them instead of fetching them again and again. */
	*seq = 0;
	if (archive_series_get(a, serial, store_id, &s, cause) < 0)
		return -1;
	*seq = s.last_seq;
	return 0;
}

int
archive_gaps(struct archive *a, const char *serial, uint32_t store_id, uint32_t *missing,
    char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	/* Held numbers are unique per series, so the span minus the count is
	 * exactly the count of numbers missing inside it. */
	*missing = 0;
	rc = sqlite3_prepare_v2(a->db, "SELECT max(seq) - min(seq) + 1 - count(*) "
	    "FROM records WHERE serial = ?1 AND store_id = ?2", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return archive_fail(a, rc, _("cannot read archive"), cause);
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, store_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*missing = (uint32_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return archive_fail(a, rc, _("cannot read archive"), cause);
	return 0;
}

static void
archive_copy_text(char *dst, size_t size, const unsigned char *src)
{
	snprintf(dst, size, "%s", src != NULL ? (const char *)src : "");
}

/* The walk of archive_foreach and archive_foreach_page: every record of
 * serial (NULL: every pile) in serial, series, seq order; with pg, only
 * those after pg's last and at most limit of them. Ordinals start at 1: a
 * record of no known series (-1) comes first, as NULL did. */
static int
archive_walk(struct archive *a, const char *serial, struct archive_page *pg, int limit,
    int (*fn)(const struct archive_row *, void *), void *arg, char **cause)
{
	sqlite3_stmt		*st;
	struct archive_row	 row;
	int			 rc, stop = 0, n = 0;

	rc = sqlite3_prepare_v2(a->db, "SELECT r.serial, r.seq, r.device_id, r.wire, "
	    "r.pulled_at, r.sig, r.pubkey, r.synced, t.tariff, r.store_id, "
	    "COALESCE(s.ordinal, -1) AS o FROM records r "
	    "LEFT JOIN tariffs t ON t.version = r.tariff_version "
	    "LEFT JOIN series s ON s.serial = r.serial AND s.store_id = r.store_id "
	    "WHERE (?1 IS NULL OR r.serial = ?1) AND (?2 = 0 OR (o, r.seq) > (?3, ?4)) "
	    "ORDER BY r.serial, o, r.seq LIMIT ?5", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return archive_fail(a, rc, _("cannot read archive"), cause);
	if (serial != NULL)
		sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, pg != NULL && pg->started);
	sqlite3_bind_int64(st, 3, pg != NULL ? pg->ordinal : 0);
	sqlite3_bind_int64(st, 4, pg != NULL ? pg->seq : 0);
	sqlite3_bind_int(st, 5, pg != NULL ? limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const void	*wire = sqlite3_column_blob(st, 3);
		int		 len = sqlite3_column_bytes(st, 3);

		memset(&row, 0, sizeof row);
		archive_copy_text(row.serial, sizeof row.serial, sqlite3_column_text(st, 0));
		archive_copy_text(row.device_id, sizeof row.device_id,
		    sqlite3_column_text(st, 2));
		row.pulled_at = sqlite3_column_int64(st, 4);
		row.store_id = (uint32_t)sqlite3_column_int64(st, 9);
		archive_row_signed(&row, st, 5);
		/* The bytes are checked again on the way out: a damaged
		 * archive must not export a record as if it were good. */
		if (len != PROTO_RECORD_BYTES || wire == NULL ||
		    proto_record_decode(wire, &row.rec) != 0) {
			set_cause(cause, -1, _("record %lld of pile '%s' in archive '%s' is "
			    "damaged (its CRC does not match)"),
			    (long long)sqlite3_column_int64(st, 1), row.serial, a->path);
			sqlite3_finalize(st);
			return -1;
		}
		if (row.synced)
			row.rec.flags |= PROTO_REC_F_SYNCED;
		if (pg != NULL) {
			pg->started = 1;
			pg->ordinal = sqlite3_column_int64(st, 10);
			pg->seq = (uint32_t)sqlite3_column_int64(st, 1);
		}
		n++;
		if ((stop = fn(&row, arg)) != 0)
			break;
	}
	if (stop == 0 && rc != SQLITE_DONE) {
		archive_fail(a, rc, _("cannot read archive"), cause);
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	if (pg != NULL && stop == 0 && n < limit)
		pg->done = 1;
	return stop;
}

int
archive_foreach(struct archive *a, const char *serial,
    int (*fn)(const struct archive_row *, void *), void *arg, char **cause)
{
	return archive_walk(a, serial, NULL, 0, fn, arg, cause);
}

int
archive_foreach_page(struct archive *a, const char *serial, struct archive_page *pg,
    int limit, int (*fn)(const struct archive_row *, void *), void *arg, char **cause)
{
	return archive_walk(a, serial, pg, limit, fn, arg, cause);
}
