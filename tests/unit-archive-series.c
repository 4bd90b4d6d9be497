/* unit-archive-series.c - schema 3: a pile's records in series keyed by
 * serial + store id + seq (a renumbered pile keeps both series), and the
 * upgrade of schema 1 and 2 archives to it with nothing lost. */
#include "config.h"

#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "common.h"
#include "archive/archive.h"
#include "tap.h"

static char	tmpdir[] = "/tmp/unit-archive-series.XXXXXX";

static struct proto_record
make_rec(uint32_t seq, const char *tag, uint32_t meter)
{
	struct proto_record	r;
	uint8_t			wire[PROTO_RECORD_BYTES];

	memset(&r, 0, sizeof r);
	r.seq = seq;
	r.kind = PROTO_REC_OFFLINE_CARD;
	r.flags = PROTO_REC_F_OFFLINE;
	r.stop_reason = PROTO_STOP_UNPLUGGED;
	snprintf(r.tag, sizeof r.tag, "%s", tag);
	r.start = 1795593600 + seq * 10000;
	r.stop = r.start + 600;
	r.meter_start_wh = meter;
	r.meter_stop_wh = meter + 1000;
	r.energy_wh[2] = 1000;
	r.tariff_version = 3;
	proto_record_encode(&r, wire);
	return r;
}

static char *
path_in(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

/* The schemas as pilecon wrote them before schema 3, byte for byte the
 * statements of archive.c (1) and signed.c (2). */
static const char v1_sql[] =
	"CREATE TABLE records (serial TEXT NOT NULL, seq INTEGER NOT NULL,"
	" device_id TEXT NOT NULL, wire BLOB NOT NULL CHECK (length(wire) = 124),"
	" kind INTEGER NOT NULL, offline INTEGER NOT NULL, tag TEXT NOT NULL,"
	" start INTEGER NOT NULL, stop INTEGER NOT NULL, energy_wh INTEGER NOT NULL,"
	" tariff_version INTEGER NOT NULL, fee_minor INTEGER NOT NULL,"
	" crc INTEGER NOT NULL, pulled_at INTEGER NOT NULL,"
	" PRIMARY KEY (serial, seq)) WITHOUT ROWID;"
	"CREATE INDEX records_pulled ON records (pulled_at);"
	"PRAGMA application_id = 1346980933;"
	"PRAGMA user_version = 1;";
static const char v2_sql[] =
	"ALTER TABLE records ADD COLUMN sig BLOB;"
	"ALTER TABLE records ADD COLUMN pubkey BLOB;"
	"ALTER TABLE records ADD COLUMN synced INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE pile_keys (serial TEXT PRIMARY KEY,"
	" pubkey BLOB NOT NULL CHECK (length(pubkey) = 64), source TEXT NOT NULL,"
	" pinned_at INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE quarantine (serial TEXT NOT NULL, seq INTEGER NOT NULL,"
	" device_id TEXT NOT NULL, wire BLOB NOT NULL CHECK (length(wire) = 124),"
	" sig BLOB, pubkey BLOB, reason TEXT NOT NULL, pulled_at INTEGER NOT NULL,"
	" PRIMARY KEY (serial, seq)) WITHOUT ROWID;"
	"CREATE TABLE tariffs (version INTEGER PRIMARY KEY, tariff BLOB NOT NULL);"
	"PRAGMA user_version = 2;";

/* An old archive at path: records 1..3 of SIM-0001 (3 synced), and for
 * schema 2 record 4 in quarantine. */
static void
old_archive(const char *path, int version)
{
	sqlite3			*db;
	sqlite3_stmt		*st;
	struct proto_record	 r;
	uint8_t			 wire[PROTO_RECORD_BYTES];
	uint32_t		 seq;

	sqlite3_open(path, &db);
	sqlite3_exec(db, v1_sql, NULL, NULL, NULL);
	if (version >= 2)
		sqlite3_exec(db, v2_sql, NULL, NULL, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO records (serial, seq, device_id, wire, kind, "
	    "offline, tag, start, stop, energy_wh, tariff_version, fee_minor, crc, pulled_at) "
	    "VALUES ('SIM-0001', ?1, 'PILE-SIM-0001', ?2, 1, 1, 'AA', 0, 0, 1000, 3, 0, ?3, "
	    "1795593600)", -1, &st, NULL);
	for (seq = 1; seq <= 3; seq++) {
		r = make_rec(seq, "AA", 1000 * seq);
		if (seq == 3)
			r.flags |= PROTO_REC_F_SYNCED;
		proto_record_encode(&r, wire);
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, seq);
		sqlite3_bind_blob(st, 2, wire, sizeof wire, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 3, r.crc);
		sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (version >= 2) {
		sqlite3_exec(db, "UPDATE records SET synced = 1 WHERE seq = 3", NULL, NULL, NULL);
		r = make_rec(4, "AA", 4000);
		proto_record_encode(&r, wire);
		sqlite3_prepare_v2(db, "INSERT INTO quarantine VALUES ('SIM-0001', 4, "
		    "'PILE-SIM-0001', ?1, NULL, NULL, 'unsigned', 1795593600)", -1, &st, NULL);
		sqlite3_bind_blob(st, 1, wire, sizeof wire, SQLITE_TRANSIENT);
		sqlite3_step(st);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
}

static int
user_version(const char *path)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	int		 v = -1;

	sqlite3_open(path, &db);
	sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

struct walk {
	int		n, synced;
	uint32_t	store[8], seq[8];
};

static int
walk_fn(const struct archive_row *row, void *arg)
{
	struct walk	*w = arg;

	if (w->n < 8) {
		w->store[w->n] = row->store_id;
		w->seq[w->n] = row->rec.seq;
	}
	w->synced += row->synced;
	w->n++;
	return 0;
}

static void
upgrade_keeps_every_record(int version)
{
	char			 name[32], *path, *cause = NULL;
	struct archive		*a;
	struct archive_series	 s;
	struct walk		 w;
	uint32_t		 n = 0;

	snprintf(name, sizeof name, "v%d.db", version);
	path = path_in(name);
	old_archive(path, version);
	a = archive_open(path, &cause);
	ok(a != NULL, "v%d_archive_opens", version);
	if (a == NULL) {
		printf("# %s\n", cause);
		free(cause);
		free(path);
		return;
	}
	is_int(user_version(path), 3, "v%d_archive_is_upgraded_to_schema_3", version);
	memset(&w, 0, sizeof w);
	archive_foreach(a, NULL, walk_fn, &w, &cause);
	is_int(w.n, 3, "v%d_upgrade_keeps_every_record", version);
	ok(w.store[0] == 0 && w.store[1] == 0 && w.store[2] == 0,
	    "v%d_records_get_store_id_0", version);
	is_int(w.synced, 1, "v%d_upgrade_keeps_the_synced_state", version);
	is_int(archive_series_latest(a, "SIM-0001", &s, &cause), 1,
	    "v%d_pile_has_one_series", version);
	ok(s.store_id == ARCHIVE_STORE_NONE && s.source == ARCHIVE_SERIES_UNKNOWN &&
	    s.ordinal == 1, "v%d_series_is_of_unknown_store", version);
	is_int(s.last_seq, version >= 2 ? 4 : 3, "v%d_resume_cursor_kept_with_quarantine",
	    version);
	archive_quarantine_count(a, "SIM-0001", &n, &cause);
	is_int(n, version >= 2 ? 1 : 0, "v%d_quarantine_kept", version);
	archive_close(a);
	/* Opening again changes nothing. */
	a = archive_open(path, &cause);
	memset(&w, 0, sizeof w);
	archive_foreach(a, NULL, walk_fn, &w, &cause);
	is_int(w.n, 3, "v%d_reopen_keeps_every_record", version);
	archive_close(a);
	free(path);
}

static void
renumbered_pile_keeps_both_series(void)
{
	char			*path = path_in("series.db"), *cause = NULL, *csv;
	struct archive		*a = archive_open(path, &cause);
	struct archive_series	 s;
	struct proto_record	 r[4];
	struct walk		 w;
	uint32_t		 seq = 0, missing = 9;
	uint8_t			 wire[PROTO_RECORD_BYTES];
	struct archive_verify	*v;
	const struct archive_verify_counts *c;

	r[0] = make_rec(1, "AA", 1000);
	r[1] = make_rec(2, "AA", 2000);
	r[2] = make_rec(3, "AA", 3000);
	is_int(archive_put_records(a, "SIM-0001", 111, "D", r, 3, &cause), 3,
	    "first_series_stored");
	/* The store was reset: numbering from 1 again, another store id. */
	r[0] = make_rec(1, "BB", 9000);
	r[1] = make_rec(2, "BB", 10000);
	r[2] = make_rec(3, "BB", 11000);
	r[3] = make_rec(4, "BB", 12000);
	is_int(archive_series_open(a, "SIM-0001", 1, 222, &s, &cause), 0, "new_series_opens");
	is_int(s.ordinal, 2, "new_series_is_the_second");
	is_int(archive_put_records(a, "SIM-0001", 222, "D", r, 4, &cause), 4,
	    "same_seqs_in_another_series_are_new");
	archive_last_seq(a, "SIM-0001", 111, &seq, &cause);
	is_int(seq, 3, "first_series_resume_cursor");
	archive_last_seq(a, "SIM-0001", 222, &seq, &cause);
	is_int(seq, 4, "second_series_resume_cursor");
	archive_gaps(a, "SIM-0001", 222, &missing, &cause);
	is_int(missing, 0, "gaps_are_per_series");
	archive_series_latest(a, "SIM-0001", &s, &cause);
	ok(s.store_id == 222 && s.source == ARCHIVE_SERIES_PILE && s.count == 4,
	    "latest_series_is_the_new_store");
	memset(&w, 0, sizeof w);
	archive_foreach(a, "SIM-0001", walk_fn, &w, &cause);
	ok(w.n == 7 && w.store[0] == 111 && w.seq[2] == 3 && w.store[3] == 222 &&
	    w.seq[3] == 1, "foreach_walks_series_by_series");
	is_int(archive_record_wire(a, "SIM-0001", 111, 2, wire, &cause), 1,
	    "record_wire_of_a_series");
	is_int(archive_record_wire(a, "SIM-0001", 111, 4, wire, &cause), 0,
	    "record_wire_not_held");
	/* A pile without a store id: the archive numbers its series. */
	is_int(archive_series_open(a, "OLD-0001", 0, 0, &s, &cause), 0, "none_series_opens");
	is_int(s.store_id, 0, "first_none_series_is_0");
	archive_series_open(a, "OLD-0001", 0, 0, &s, &cause);
	ok(s.store_id == 1 && s.source == ARCHIVE_SERIES_NONE && s.ordinal == 2,
	    "next_none_series_is_1");

	/* The export keeps both, and its checker sees two series, no
	 * out-of-order record and no gap. */
	csv = path_in("series.csv");
	is_int(archive_export(a, "SIM-0001", ARCHIVE_CSV, csv, &cause), 7,
	    "export_has_both_series");
	v = archive_verify_new(NULL, NULL);
	archive_verify_file(v, csv, &cause);
	c = archive_verify_counts(v);
	ok(c->records == 7 && c->out_of_order == 0 && c->missing == 0 && c->piles == 1,
	    "verify_reads_the_series_apart");
	archive_verify_free(v);
	archive_close(a);
	free(csv);
	free(path);
}

/* The records view's read: a page at a time, the same walk as
 * archive_foreach (series by series), records archived meanwhile after the
 * last one given come too, and an empty pile is done at once. */
static void
paged_walk_is_the_same_walk(void)
{
	char			*path = path_in("series.db"), *cause = NULL;
	struct archive		*a = archive_open(path, &cause);
	struct archive_page	 pg;
	struct proto_record	 r;
	struct walk		 all, w;
	int			 pages = 0, i, same = 1;

	if (a == NULL) {
		ok(0, "series_archive_opens: %s", cause);
		free(cause);
		free(path);
		return;
	}
	memset(&all, 0, sizeof all);
	archive_foreach(a, "SIM-0001", walk_fn, &all, &cause);
	memset(&w, 0, sizeof w);
	memset(&pg, 0, sizeof pg);
	while (!pg.done && pages < 10) {
		if (archive_foreach_page(a, "SIM-0001", &pg, 3, walk_fn, &w, &cause) != 0)
			break;
		pages++;
	}
	is_int(pages, 3, "seven_records_in_pages_of_3_take_3_pages");
	for (i = 0; i < all.n && i < 8; i++)
		same &= w.store[i] == all.store[i] && w.seq[i] == all.seq[i];
	ok(w.n == 7 && all.n == 7 && same, "pages_give_the_foreach_walk_in_its_order");
	/* A page, a record archived after it, the rest. */
	memset(&w, 0, sizeof w);
	memset(&pg, 0, sizeof pg);
	archive_foreach_page(a, "SIM-0001", &pg, 5, walk_fn, &w, &cause);
	r = make_rec(5, "BB", 13000);
	archive_put_records(a, "SIM-0001", 222, "D", &r, 1, &cause);
	while (!pg.done && archive_foreach_page(a, "SIM-0001", &pg, 5, walk_fn, &w,
	    &cause) == 0)
		;
	ok(w.n == 8 && w.store[7] == 222 && w.seq[7] == 5,
	    "a_record_archived_during_the_walk_after_its_page_comes_too");
	memset(&w, 0, sizeof w);
	memset(&pg, 0, sizeof pg);
	ok(archive_foreach_page(a, "NONE-0001", &pg, 3, walk_fn, &w, &cause) == 0 &&
	    pg.done && w.n == 0, "a_pile_with_no_records_is_done_at_once");
	archive_close(a);
	free(path);
}

static void
adopt_gives_the_unknown_series_the_pile_store_id(void)
{
	char			*path = path_in("adopt.db"), *cause = NULL;
	struct archive		*a;
	struct archive_series	 s;
	uint32_t		 seq = 0;

	old_archive(path, 2);
	a = archive_open(path, &cause);
	is_int(archive_series_adopt(a, "SIM-0001", 0, 777, &cause), 0, "adopt_succeeds");
	archive_series_latest(a, "SIM-0001", &s, &cause);
	ok(s.store_id == 777 && s.source == ARCHIVE_SERIES_PILE && s.count == 3 &&
	    s.last_seq == 4, "adopted_series_keeps_records_and_quarantine");
	archive_last_seq(a, "SIM-0001", 0, &seq, &cause);
	is_int(seq, 0, "nothing_left_under_store_id_0");
	archive_close(a);
	free(path);
}

int
main(void)
{
	char	*cmd;

	if (mkdtemp(tmpdir) == NULL)
		return 1;
	upgrade_keeps_every_record(1);
	upgrade_keeps_every_record(2);
	renumbered_pile_keeps_both_series();
	paged_walk_is_the_same_walk();
	adopt_gives_the_unknown_series_the_pile_store_id();
	cmd = xasprintf("rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	free(cmd);
	return done_testing();
}
