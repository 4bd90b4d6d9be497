/* unit-archive-v1.c - an archive written by the first pilecon (schema 1:
 * one records table, the synced flag only inside each record's wire bytes)
 * opens with today's pilecon, whatever its schema now, and keeps every
 * record, its bytes and whether the cloud had acknowledged it; the file is
 * then written like any other. The v1 schema is kept here as it was. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "common.h"
#include "archive/archive.h"
#include "tap.h"

/* Schema 1, as archive.c created it (application_id "PILE", user_version 1). */
static const char v1_schema[] =
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
	") WITHOUT ROWID;"
	"CREATE INDEX records_pulled ON records (pulled_at);"
	"PRAGMA application_id = 1346980933;"
	"PRAGMA user_version = 1;";

#define NRECS	6

static struct proto_record
make_rec(uint32_t seq, int synced, uint8_t wire[PROTO_RECORD_BYTES])
{
	struct proto_record	r;

	memset(&r, 0, sizeof r);
	r.seq = seq;
	r.kind = PROTO_REC_OFFLINE_CARD;
	r.flags = PROTO_REC_F_OFFLINE | (synced ? PROTO_REC_F_SYNCED : 0);
	r.stop_reason = PROTO_STOP_UNPLUGGED;
	snprintf(r.tag, sizeof r.tag, "04A1B2C%u", (unsigned)seq);
	snprintf(r.holder, sizeof r.holder, "张三 %u", (unsigned)seq);
	r.start = 1795593600 + seq * 10000;
	r.stop = r.start + 7200;
	r.meter_start_wh = 100000 + seq * 14000;
	r.meter_stop_wh = r.meter_start_wh + 14000;
	r.energy_wh[1] = 4000;
	r.energy_wh[2] = 10000;
	r.energy_fee_minor[1] = 480;
	r.energy_fee_minor[2] = 850;
	r.service_fee_minor[1] = 160;
	r.service_fee_minor[2] = 400;
	r.tariff_version = 3;
	proto_record_encode(&r, wire);
	return r;
}

/* Pile A: seq 1..4, the first 3 synced when pulled; pile B: seq 7 and 9. */
static const struct {
	const char	*serial;
	uint32_t	 seq;
	int		 synced;
} v1_rows[NRECS] = {
	{ "SIM-000A", 1, 1 }, { "SIM-000A", 2, 1 }, { "SIM-000A", 3, 1 },
	{ "SIM-000A", 4, 0 }, { "SIM-000B", 7, 0 }, { "SIM-000B", 9, 1 },
};

static int
write_v1(const char *path)
{
	struct proto_record	 r;
	uint8_t			 wire[PROTO_RECORD_BYTES];
	sqlite3			*db;
	sqlite3_stmt		*st;
	int			 i, rc;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	rc = sqlite3_exec(db, v1_schema, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "INSERT INTO records VALUES (?1, ?2, ?3, ?4, ?5, "
		    "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)", -1, &st, NULL);
	for (i = 0; rc == SQLITE_OK && i < NRECS; i++) {
		r = make_rec(v1_rows[i].seq, v1_rows[i].synced, wire);
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, v1_rows[i].serial, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, r.seq);
		sqlite3_bind_text(st, 3, "QR-1", -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 4, wire, sizeof wire, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 5, r.kind);
		sqlite3_bind_int(st, 6, 1);
		sqlite3_bind_text(st, 7, r.tag, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 8, r.start);
		sqlite3_bind_int64(st, 9, r.stop);
		sqlite3_bind_int64(st, 10, (int64_t)proto_record_energy_wh(&r));
		sqlite3_bind_int64(st, 11, r.tariff_version);
		sqlite3_bind_int64(st, 12, (int64_t)proto_record_fee_minor(&r));
		sqlite3_bind_int64(st, 13, r.crc);
		sqlite3_bind_int64(st, 14, 1795000000 + i);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	}
	if (i > 0)
		sqlite3_finalize(st);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

struct seen {
	int			 n;
	char			 serial[NRECS][17];
	struct proto_record	 rec[NRECS];
	int			 synced[NRECS], has_sig[NRECS];
	int64_t			 pulled_at[NRECS];
};

static int
collect(const struct archive_row *row, void *arg)
{
	struct seen	*s = arg;

	if (s->n == NRECS)
		return 1;
	snprintf(s->serial[s->n], sizeof s->serial[0], "%s", row->serial);
	s->rec[s->n] = row->rec;
	s->synced[s->n] = row->synced;
	s->has_sig[s->n] = row->has_sig;
	s->pulled_at[s->n] = row->pulled_at;
	s->n++;
	return 0;
}

static void
v1_archive_opens_and_keeps_its_records(const char *dir)
{
	char			*path = xasprintf("%s/v1.db", dir), *cause = NULL;
	struct archive		*a;
	struct seen		 s;
	struct proto_record	 want, extra;
	uint8_t			 wire[PROTO_RECORD_BYTES];
	uint32_t		 last = 0, missing = 0;
	int			 i, same = 1, synced_right = 1;

	ok(write_v1(path) == 0, "a schema 1 archive is written with sqlite3");
	a = archive_open(path, &cause);
	ok(a != NULL, "today's pilecon opens it");
	if (a == NULL) {
		printf("#   %s\n", cause);
		free(cause);
		free(path);
		return;
	}
	memset(&s, 0, sizeof s);
	is_int(archive_foreach(a, NULL, collect, &s, &cause), 0, "its records are read");
	is_int(s.n, NRECS, "every record is still there");
	for (i = 0; i < s.n && i < NRECS; i++) {
		want = make_rec(v1_rows[i].seq, v1_rows[i].synced, wire);
		want.flags &= (uint8_t)~PROTO_REC_F_SYNCED;
		s.rec[i].flags &= (uint8_t)~PROTO_REC_F_SYNCED;
		if (strcmp(s.serial[i], v1_rows[i].serial) != 0 ||
		    memcmp(&s.rec[i], &want, sizeof want) != 0 ||
		    s.pulled_at[i] != 1795000000 + i || s.has_sig[i])
			same = 0;
		if (s.synced[i] != v1_rows[i].synced)
			synced_right = 0;
	}
	ok(same, "each with its pile, fields, pull time, and no signature");
	ok(synced_right, "records the cloud had acknowledged stay synced, the others not");
	is_int(archive_last_seq(a, "SIM-000A", 0, &last, &cause), 0, "the last seq is read");
	is_int(last, 4, "and is the v1 file's");
	is_int(archive_gaps(a, "SIM-000B", 0, &missing, &cause), 0, "gaps are counted");
	is_int(missing, 1, "seq 8 of SIM-000B is missing, as in the v1 file");

	/* And it is a working archive now: a new record goes in, a held one
	 * counts as present, reconciliation marks it synced. */
	extra = make_rec(5, 0, wire);
	is_int(archive_put_records(a, "SIM-000A", 0, "QR-1", &extra, 1, &cause), 1,
	    "a new record is stored in the upgraded file");
	want = make_rec(4, 0, wire);
	is_int(archive_put_records(a, "SIM-000A", 0, "QR-1", &want, 1, &cause), 0,
	    "a record the v1 file held counts as present");
	is_int(archive_reconcile_synced(a, "SIM-000A", 0, 5, NULL, &cause), 0,
	    "reconciliation runs on it");
	archive_close(a);

	a = archive_open(path, &cause);
	ok(a != NULL, "it opens again, already upgraded");
	memset(&s, 0, sizeof s);
	if (a != NULL)
		archive_foreach(a, "SIM-000A", collect, &s, &cause);
	is_int(s.n, 5, "with the four v1 records and the new one");
	ok(s.n == 5 && s.synced[3] && s.synced[4], "all synced after reconciliation");
	archive_close(a);
	free(cause);
	free(path);
}

int
main(void)
{
	char	dir[] = "/tmp/unit-archive-v1.XXXXXX";
	char	*cmd;

	if (mkdtemp(dir) == NULL)
		return 1;
	v1_archive_opens_and_keeps_its_records(dir);
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# cannot remove %s\n", dir);
	free(cmd);
	return done_testing();
}
