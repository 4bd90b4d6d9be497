/* unit-archive.c - the SQLite archive: each record stored once, conflicts and
 * bad CRCs refused with nothing stored, gaps, order, golden CSV/JSONL exports,
 * and clean failures on read-only folders, file size limits and full disks. */
#include "config.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "common.h"
#include "archive/archive.h"
#include "tap.h"

static char	tmpdir[] = "/tmp/unit-archive.XXXXXX";
static int	unprivileged;	/* permission tests mean something */

static struct proto_record
make_rec(uint32_t seq, unsigned kind, const char *tag, const char *holder)
{
	struct proto_record	r;
	uint8_t			wire[PROTO_RECORD_BYTES];

	memset(&r, 0, sizeof r);
	r.seq = seq;
	r.kind = kind;
	r.flags = kind == PROTO_REC_OFFLINE_CARD ? PROTO_REC_F_OFFLINE : 0;
	r.stop_reason = PROTO_STOP_UNPLUGGED;
	snprintf(r.tag, sizeof r.tag, "%s", tag);
	snprintf(r.holder, sizeof r.holder, "%s", holder);
	r.start = 1795593600 + seq * 10000;	/* 2026-11-25T08:00:00Z + ... */
	r.stop = r.start + 7200;
	r.meter_start_wh = 100000 + seq;
	r.meter_stop_wh = r.meter_start_wh + 14000;
	r.energy_wh[1] = 4000;
	r.energy_wh[2] = 10000;
	r.energy_fee_minor[1] = 480;
	r.energy_fee_minor[2] = 850;
	r.service_fee_minor[1] = 160;
	r.service_fee_minor[2] = 400;
	r.tariff_version = 3;
	proto_record_encode(&r, wire);	/* sets r.crc */
	return r;
}

static char *
path_in(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static char *
slurp(const char *path)
{
	FILE	*fp = fopen(path, "rb");
	char	*buf;
	long	 n;

	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = xmalloc((size_t)n + 1);
	buf[fread(buf, 1, (size_t)n, fp)] = '\0';
	fclose(fp);
	return buf;
}

/* Files in dir whose name starts with '.': temp files left behind. */
static int
count_hidden(const char *dir)
{
	DIR		*d = opendir(dir);
	struct dirent	*de;
	int		 n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' && strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	}
	closedir(d);
	return n;
}

static void
today(char *buf, size_t size)
{
	time_t		t = time(NULL);
	struct tm	tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d", &tm);
}

static void
open_creates_folders_and_schema(void)
{
	char		*path = path_in("a/b/archive.db"), *dir = path_in("a/b"), *cause = NULL;
	struct archive	*a;
	struct stat	 sb;
	sqlite3		*db;
	sqlite3_stmt	*st;

	a = archive_open(path, &cause);
	ok(a != NULL, "open_creates_missing_folders");
	ok(stat(dir, &sb) == 0 && (sb.st_mode & 0777) == 0700, "new_folders_are_private");
	archive_close(a);
	a = archive_open(path, &cause);
	ok(a != NULL, "reopen_existing_archive");
	archive_close(a);

	sqlite3_open(path, &db);
	sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
	ok(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 3,
	    "schema_is_versioned_with_user_version");
	sqlite3_finalize(st);
	sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL);
	ok(sqlite3_step(st) == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0, "journal_is_wal");
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(path);
	free(dir);
}

static void
foreign_files_are_refused(void)
{
	char		*path = path_in("notes.txt"), *other = path_in("other.db"), *cause = NULL;
	char		*want;
	FILE		*fp = fopen(path, "w");
	sqlite3		*db;
	struct archive	*a;

	fputs("not a database, just some notes that are long enough to matter.\n"
	    "0123456789012345678901234567890123456789012345678901234567890123456789\n", fp);
	fclose(fp);
	a = archive_open(path, &cause);
	want = xasprintf("cannot open archive '%s': not an archive (not an SQLite database)",
	    path);
	ok(a == NULL, "text_file_is_not_opened_as_archive");
	is_str(cause, want, "text_file_message");
	free(cause);
	free(want);
	cause = NULL;

	sqlite3_open(other, &db);
	sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL);
	sqlite3_close(db);
	a = archive_open(other, &cause);
	ok(a == NULL, "other_programs_database_is_not_touched");
	want = xasprintf("cannot open archive '%s': the file is an SQLite database of another "
	    "program (choose another path with --archive)", other);
	is_str(cause, want, "other_database_message");
	free(want);
	free(cause);
	free(path);
	free(other);
}

static void
put_dedupe_gaps_and_conflicts(void)
{
	char			*path = path_in("store.db"), *cause = NULL, *want, day[16];
	struct archive		*a = archive_open(path, &cause);
	struct proto_record	 batch[3], bad, fixed;
	uint8_t			 wire[PROTO_RECORD_BYTES];
	uint32_t		 seq, missing;

	batch[0] = make_rec(1, PROTO_REC_OFFLINE_CARD, "04A2B3C4", "张三");
	batch[1] = make_rec(2, PROTO_REC_APP_ORDER, "ORD-0002", "");
	is_int(archive_put_records(a, "SIM-0001", 0, "PILE-SIM-0001", batch, 2, &cause), 2,
	    "first_put_stores_two");
	is_int(archive_put_records(a, "SIM-0001", 0, "PILE-SIM-0001", batch, 2, &cause), 0,
	    "same_batch_again_is_zero_new");
	batch[1].flags |= PROTO_REC_F_SYNCED;	/* outside the CRC: same record */
	is_int(archive_put_records(a, "SIM-0001", 0, "PILE-SIM-0001", batch, 2, &cause), 0,
	    "synced_flag_change_is_the_same_record");
	archive_last_seq(a, "SIM-0001", 0, &seq, &cause);
	is_int(seq, 2, "last_seq_is_two");
	archive_gaps(a, "SIM-0001", 0, &missing, &cause);
	is_int(missing, 0, "no_gaps");
	archive_last_seq(a, "SIM-0404", 0, &seq, &cause);
	archive_gaps(a, "SIM-0404", 0, &missing, &cause);
	ok(seq == 0 && missing == 0, "unknown_pile_has_last_seq_0_and_no_gaps");

	batch[0] = make_rec(5, PROTO_REC_ONLINE_CARD, "04A2B3C5", "");
	is_int(archive_put_records(a, "SIM-0001", 0, "PILE-SIM-0001", batch, 1, &cause), 1,
	    "put_seq_5");
	archive_last_seq(a, "SIM-0001", 0, &seq, &cause);
	archive_gaps(a, "SIM-0001", 0, &missing, &cause);
	ok(seq == 5 && missing == 2, "seq_3_and_4_are_gaps");

	/* A batch with a new record and a changed old one: nothing stored. */
	batch[0] = make_rec(6, PROTO_REC_OFFLINE_CARD, "04A2B3C4", "张三");
	batch[1] = make_rec(2, PROTO_REC_APP_ORDER, "ORD-0002", "changed");
	cause = NULL;
	is_int(archive_put_records(a, "SIM-0001", 0, "PILE-SIM-0001", batch, 2, &cause), -1,
	    "conflicting_crc_is_refused");
	today(day, sizeof day);
	want = xasprintf("record 2 of pile 'SIM-0001' differs from the one archived on %s "
	    "(CRC 0x%08lx pulled vs 0x%08lx archived): nothing stored", day,
	    (unsigned long)batch[1].crc,
	    (unsigned long)make_rec(2, PROTO_REC_APP_ORDER, "ORD-0002", "").crc);
	is_str(cause, want, "conflict_message_names_pile_seq_date_and_crcs");
	free(want);
	free(cause);
	cause = NULL;
	archive_last_seq(a, "SIM-0001", 0, &seq, &cause);
	is_int(seq, 5, "nothing_of_the_conflicting_batch_is_stored");

	bad = make_rec(7, PROTO_REC_OFFLINE_CARD, "04A2B3C4", "");
	batch[0] = make_rec(8, PROTO_REC_OFFLINE_CARD, "04A2B3C4", "");
	bad.energy_wh[0] += 1;	/* altered after the pile sealed it */
	batch[1] = bad;
	is_int(archive_put_records(a, "SIM-0001", 0, "PILE-SIM-0001", batch, 2, &cause), -1,
	    "bad_crc_is_refused");
	fixed = bad;
	proto_record_encode(&fixed, wire);
	want = xasprintf("record 7 of pile 'SIM-0001' fails its CRC check (CRC 0x%08lx "
	    "received, 0x%08lx computed): nothing stored", (unsigned long)bad.crc,
	    (unsigned long)fixed.crc);
	is_str(cause, want, "bad_crc_message_names_pile_and_seq");
	free(want);
	free(cause);
	cause = NULL;
	archive_last_seq(a, "SIM-0001", 0, &seq, &cause);
	is_int(seq, 5, "nothing_of_the_bad_crc_batch_is_stored");

	ok(archive_put_records(a, "SIM-0001-TOO-LONG-SERIAL", 0, "", batch, 1, &cause) == -1,
	    "overlong_serial_is_refused");
	free(cause);
	archive_close(a);
	free(path);
}

struct walk {
	char	seen[8][64];
	int	n, stop_at;
};

static int
walk_fn(const struct archive_row *row, void *arg)
{
	struct walk	*w = arg;

	if (w->n < 8)
		snprintf(w->seen[w->n], sizeof w->seen[0], "%s/%lu/%s", row->serial,
		    (unsigned long)row->rec.seq, row->device_id);
	w->n++;
	return w->n == w->stop_at ? 42 : 0;
}

static void
foreach_goes_in_serial_seq_order(void)
{
	char			*path = path_in("order.db"), *cause = NULL;
	struct archive		*a = archive_open(path, &cause);
	struct proto_record	 r[3];
	struct walk		 w;

	r[0] = make_rec(3, PROTO_REC_APP_ORDER, "O3", "");
	r[1] = make_rec(1, PROTO_REC_APP_ORDER, "O1", "");
	archive_put_records(a, "SIM-0002", 0, "PILE-SIM-0002", r, 2, &cause);
	r[0] = make_rec(10, PROTO_REC_APP_ORDER, "O10", "");
	r[1] = make_rec(2, PROTO_REC_APP_ORDER, "O2", "");
	r[2] = make_rec(9, PROTO_REC_APP_ORDER, "O9", "");
	archive_put_records(a, "SIM-0001", 0, "PILE-SIM-0001", r, 3, &cause);

	memset(&w, 0, sizeof w);
	is_int(archive_foreach(a, NULL, walk_fn, &w, &cause), 0, "foreach_all_returns_0");
	is_int(w.n, 5, "foreach_sees_every_record");
	is_str(w.seen[0], "SIM-0001/2/PILE-SIM-0001", "first_is_lowest_serial_lowest_seq");
	is_str(w.seen[1], "SIM-0001/9/PILE-SIM-0001", "seq_9_before_10_numeric_order");
	is_str(w.seen[2], "SIM-0001/10/PILE-SIM-0001", "then_seq_10");
	is_str(w.seen[3], "SIM-0002/1/PILE-SIM-0002", "then_next_pile");
	is_str(w.seen[4], "SIM-0002/3/PILE-SIM-0002", "last");

	memset(&w, 0, sizeof w);
	archive_foreach(a, "SIM-0002", walk_fn, &w, &cause);
	ok(w.n == 2 && strcmp(w.seen[0], "SIM-0002/1/PILE-SIM-0002") == 0,
	    "foreach_one_pile");
	memset(&w, 0, sizeof w);
	w.stop_at = 2;
	is_int(archive_foreach(a, NULL, walk_fn, &w, &cause), 42,
	    "callback_non_zero_stops_and_is_returned");
	is_int(w.n, 2, "walk_stopped_after_two");
	archive_close(a);
	free(path);
}

static const char golden_csv[] =
    "# pilecon records export: cells that began with =, +, -, @ or ' carry a leading ' "
    "(spreadsheet formula injection); drop it when reading\n"
    "pile,device_id,store_id,seq,kind,offline,card_uid,holder,order_id,start,stop,"
    "meter_start_wh,meter_stop_wh,energy_wh,energy_wh_sharp,energy_wh_peak,"
    "energy_wh_flat,energy_wh_valley,energy_fee_sharp,energy_fee_peak,energy_fee_flat,"
    "energy_fee_valley,service_fee_sharp,service_fee_peak,service_fee_flat,"
    "service_fee_valley,energy_fee_minor,service_fee_minor,total_fee_minor,"
    "tariff_version,stop_reason,synced,crc,signature,public_key,energy_price_sharp,"
    "energy_price_peak,energy_price_flat,energy_price_valley,service_price_sharp,"
    "service_price_peak,service_price_flat,service_price_valley,seq_gap_before,"
    "meter_check\n"
    "SIM-0001,PILE-SIM-0001,4242,1,offline_card,1,04A2B3C4,张三,,2026-11-25T10:46:40Z,"
    "2026-11-25T12:46:40Z,100001,114001,14000,0,4000,10000,0,0,480,850,0,0,160,400,0,"
    "1330,560,1890,3,unplugged,0,%s,,,,,,,,,,,0,ok\n"
    "SIM-0001,PILE-SIM-0001,4242,2,app_order,0,,,ORD-0002,2026-11-25T13:33:20Z,"
    "2026-11-25T15:33:20Z,100002,114002,14000,0,4000,10000,0,0,480,850,0,0,160,400,0,"
    "1330,560,1890,3,unplugged,1,%s,,,,,,,,,,,0,backwards\n";

static const char golden_jsonl[] =
    "{\"pile\":\"SIM-0001\",\"device_id\":\"PILE-SIM-0001\",\"store_id\":4242,\"seq\":1,"
    "\"kind\":\"offline_card\",\"offline\":true,\"card_uid\":\"04A2B3C4\","
    "\"holder\":\"张三\",\"order_id\":null,\"start\":\"2026-11-25T10:46:40Z\","
    "\"stop\":\"2026-11-25T12:46:40Z\",\"meter_start_wh\":100001,"
    "\"meter_stop_wh\":114001,\"energy_wh\":14000,\"energy_wh_sharp\":0,"
    "\"energy_wh_peak\":4000,\"energy_wh_flat\":10000,\"energy_wh_valley\":0,"
    "\"energy_fee_sharp\":0,\"energy_fee_peak\":480,\"energy_fee_flat\":850,"
    "\"energy_fee_valley\":0,\"service_fee_sharp\":0,\"service_fee_peak\":160,"
    "\"service_fee_flat\":400,\"service_fee_valley\":0,\"energy_fee_minor\":1330,"
    "\"service_fee_minor\":560,\"total_fee_minor\":1890,\"tariff_version\":3,"
    "\"stop_reason\":\"unplugged\",\"synced\":false,\"crc\":\"%s\","
    "\"signature\":null,\"public_key\":null,\"energy_price_sharp\":null,"
    "\"energy_price_peak\":null,\"energy_price_flat\":null,\"energy_price_valley\":null,"
    "\"service_price_sharp\":null,\"service_price_peak\":null,\"service_price_flat\":null,"
    "\"service_price_valley\":null,\"seq_gap_before\":0,\"meter_check\":\"ok\"}\n"
    "{\"pile\":\"SIM-0001\",\"device_id\":\"PILE-SIM-0001\",\"store_id\":4242,\"seq\":2,"
    "\"kind\":\"app_order\",\"offline\":false,\"card_uid\":null,"
    "\"holder\":\"\",\"order_id\":\"ORD-0002\",\"start\":\"2026-11-25T13:33:20Z\","
    "\"stop\":\"2026-11-25T15:33:20Z\",\"meter_start_wh\":100002,"
    "\"meter_stop_wh\":114002,\"energy_wh\":14000,\"energy_wh_sharp\":0,"
    "\"energy_wh_peak\":4000,\"energy_wh_flat\":10000,\"energy_wh_valley\":0,"
    "\"energy_fee_sharp\":0,\"energy_fee_peak\":480,\"energy_fee_flat\":850,"
    "\"energy_fee_valley\":0,\"service_fee_sharp\":0,\"service_fee_peak\":160,"
    "\"service_fee_flat\":400,\"service_fee_valley\":0,\"energy_fee_minor\":1330,"
    "\"service_fee_minor\":560,\"total_fee_minor\":1890,\"tariff_version\":3,"
    "\"stop_reason\":\"unplugged\",\"synced\":true,\"crc\":\"%s\","
    "\"signature\":null,\"public_key\":null,\"energy_price_sharp\":null,"
    "\"energy_price_peak\":null,\"energy_price_flat\":null,\"energy_price_valley\":null,"
    "\"service_price_sharp\":null,\"service_price_peak\":null,\"service_price_flat\":null,"
    "\"service_price_valley\":null,\"seq_gap_before\":0,\"meter_check\":\"backwards\"}\n";

static struct archive *
golden_archive(const char *name, char crc[2][16])
{
	char			*path = path_in(name), *cause = NULL;
	struct archive		*a = archive_open(path, &cause);
	struct proto_record	 r[2];

	r[0] = make_rec(1, PROTO_REC_OFFLINE_CARD, "04A2B3C4", "张三");
	r[1] = make_rec(2, PROTO_REC_APP_ORDER, "ORD-0002", "");
	r[1].flags |= PROTO_REC_F_SYNCED;
	archive_put_records(a, "SIM-0001", 4242, "PILE-SIM-0001", r, 2, &cause);
	snprintf(crc[0], 16, "%08lx", (unsigned long)r[0].crc);
	snprintf(crc[1], 16, "%08lx", (unsigned long)r[1].crc);
	free(path);
	return a;
}

static void
exports_match_golden_output(void)
{
	char		 crc[2][16], *out = path_in("out.csv"), *outj = path_in("out.jsonl");
	char		*cause = NULL, *got, *want;
	struct archive	*a = golden_archive("golden.db", crc);

	is_int(archive_export(a, NULL, ARCHIVE_CSV, out, &cause), 2, "csv_export_counts_two");
	got = slurp(out);
	want = xasprintf(golden_csv, crc[0], crc[1]);
	is_str(got, want, "csv_export_is_golden");
	free(got);
	free(want);

	is_int(archive_export(a, "SIM-0001", ARCHIVE_JSONL, outj, &cause), 2,
	    "jsonl_export_counts_two");
	got = slurp(outj);
	want = xasprintf(golden_jsonl, crc[0], crc[1]);
	is_str(got, want, "jsonl_export_is_golden");
	free(got);
	free(want);
	is_int(count_hidden(tmpdir), 0, "no_temp_files_left");

	is_int(archive_export(a, "SIM-0404", ARCHIVE_CSV, out, &cause), 0,
	    "export_of_unknown_pile_is_empty");
	got = slurp(out);
	ok(got != NULL && got[0] == '#' && strchr(strchr(got, '\n') + 1, '\n') ==
	    got + strlen(got) - 1, "empty_csv_has_the_note_and_the_header");
	free(got);
	archive_close(a);
	free(out);
	free(outj);
}

static void
export_escapes_text(void)
{
	char			*path = path_in("escape.db"), *out = path_in("esc.csv");
	char			*outj = path_in("esc.jsonl"), *cause = NULL, *got;
	struct archive		*a = archive_open(path, &cause);
	struct proto_record	 r;

	r = make_rec(1, PROTO_REC_OFFLINE_CARD, "04A2B3C4", "Li \"Ray\", 李\n\t\x01\\\xff");
	archive_put_records(a, "SIM-0001", 4242, "PILE-SIM-0001", &r, 1, &cause);
	archive_export(a, NULL, ARCHIVE_CSV, out, &cause);
	got = slurp(out);
	/* text_safe: the line break is data inside the quotes; the tab, the
	 * control byte and the bad byte are shown, never written raw. */
	ok(got != NULL && strstr(got, ",04A2B3C4,\"Li \"\"Ray\"\", 李\n\\t\\x01\\\\xFF\",,")
	    != NULL, "csv_quotes_rfc4180_and_shows_controls_and_bad_utf8");
	free(got);
	archive_export(a, NULL, ARCHIVE_JSONL, outj, &cause);
	got = slurp(outj);
	ok(got != NULL && strstr(got, "\"holder\":\"Li \\\"Ray\\\", 李\\n\\t\\u0001\\\\\\ufffd\"")
	    != NULL, "jsonl_escapes_quotes_controls_and_bad_utf8");
	free(got);
	archive_close(a);
	free(path);
	free(out);
	free(outj);
}

static void
export_to_stdout(void)
{
	char		 crc[2][16], *out = path_in("stdout.txt"), *cause = NULL, *got;
	struct archive	*a = golden_archive("stdout.db", crc);
	int		 saved, fd, rc;

	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, STDOUT_FILENO);
	close(fd);
	rc = archive_export(a, NULL, ARCHIVE_JSONL, "-", &cause);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	is_int(rc, 2, "dash_exports_to_stdout");
	got = slurp(out);
	ok(got != NULL && strncmp(got, "{\"pile\":\"SIM-0001\"", 18) == 0, "stdout_has_the_jsonl");
	free(got);
	archive_close(a);
	free(out);
}

static void
export_to_read_only_folder_fails_cleanly(void)
{
	char		 crc[2][16], *dir = path_in("ro"), *out = path_in("ro/out.csv");
	char		*cause = NULL, *want;
	struct archive	*a = golden_archive("ro.db", crc);

	if (!unprivileged) {
		printf("ok %d # skip root cannot be refused by permissions\n", ++tap_count);
		archive_close(a);
		free(dir);
		free(out);
		return;
	}
	mkdir(dir, 0555);
	is_int(archive_export(a, NULL, ARCHIVE_CSV, out, &cause), -1,
	    "export_to_read_only_folder_fails");
	want = xasprintf("cannot create '%s' (temporary file in '%s'): permission "
	    "denied", out, dir);
	is_str(cause, want, "read_only_folder_message_names_path_and_reason");
	is_int(count_hidden(dir), 0, "read_only_folder_has_no_temp_file");
	free(want);
	free(cause);
	archive_close(a);
	free(dir);
	free(out);
}

/* Runs fn in a child with a file size limit; its message comes back. */
static int
with_fsize_limit(rlim_t bytes, int (*fn)(const char *, char **), const char *path,
    char *msg, size_t size)
{
	int		 fds[2], status;
	pid_t		 pid;
	ssize_t		 n;
	char		*cause = NULL;

	if (pipe(fds) != 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct rlimit	rl = { bytes, bytes };
		int		rc;

		close(fds[0]);
		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
		rc = fn(path, &cause);
		if (cause != NULL && write(fds[1], cause, strlen(cause)) < 0)
			_exit(3);
		_exit(rc == -1 ? 0 : 1);
	}
	close(fds[1]);
	n = read(fds[0], msg, size - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static struct archive	*child_archive;

static int
export_child(const char *path, char **cause)
{
	return archive_export(child_archive, NULL, ARCHIVE_CSV, path, cause);
}

static void
export_over_file_size_limit_keeps_previous_file(void)
{
	char		 crc[2][16], *out = path_in("limit.csv"), *cause = NULL, *before;
	char		*after, *want, msg[512];
	struct archive	*a = golden_archive("limit.db", crc);
	int		 rc;

	archive_export(a, NULL, ARCHIVE_JSONL, out, &cause);
	before = slurp(out);
	child_archive = a;
	rc = with_fsize_limit(300, export_child, out, msg, sizeof msg);
	is_int(rc, 0, "export_over_size_limit_fails");
	want = xasprintf("cannot write export '%s': file too large (file size limit "
	    "reached); the previous file, if any, is unchanged", out);
	is_str(msg, want, "size_limit_message_names_path_and_reason");
	after = slurp(out);
	ok(before != NULL && after != NULL && strcmp(before, after) == 0,
	    "previous_export_is_intact");
	is_int(count_hidden(tmpdir), 0, "no_temp_file_left_after_failure");
	free(before);
	free(after);
	free(want);
	archive_close(a);
	free(out);
}

static int
put_child(const char *path, char **cause)
{
	struct archive		*a = archive_open(path, cause);
	struct proto_record	*r;
	int			 i, rc;

	if (a == NULL)
		return -2;
	r = xcalloc(2000, sizeof *r);
	for (i = 0; i < 2000; i++)
		r[i] = make_rec(100 + i, PROTO_REC_APP_ORDER, "ORDER-BIG-BATCH", "");
	rc = archive_put_records(a, "SIM-0001", 4242, "PILE-SIM-0001", r, 2000, cause);
	free(r);
	archive_close(a);
	return rc;
}

static void
archive_full_stores_nothing(void)
{
	char		 crc[2][16], *path = path_in("full.db"), *cause = NULL, *want, msg[512];
	struct archive	*a = golden_archive("full.db", crc);
	uint32_t	 seq = 0;
	struct stat	 sb;
	int		 rc;

	archive_close(a);
	stat(path, &sb);
	/* Room for the file as it is and SQLite's 32 KiB shared-memory index,
	 * not for 2000 more records. */
	rc = with_fsize_limit((rlim_t)(sb.st_size > 32768 ? sb.st_size : 32768) + 8192,
	    put_child, path, msg, sizeof msg);
	is_int(rc, 0, "put_beyond_size_limit_fails");
	want = xasprintf("cannot store records in '%s': file too large (file size limit "
	    "reached)", path);
	is_str(msg, want, "full_archive_message_names_path");
	a = archive_open(path, &cause);
	archive_last_seq(a, "SIM-0001", 4242, &seq, &cause);
	is_int(seq, 2, "nothing_of_the_failed_batch_is_stored");
	archive_close(a);
	free(want);
	free(path);
}

static void
read_only_archive_gives_a_clear_error(void)
{
	char			 crc[2][16], *path = path_in("readonly.db"), *cause = NULL;
	char			*want;
	struct archive		*a = golden_archive("readonly.db", crc);
	struct proto_record	 r = make_rec(3, PROTO_REC_APP_ORDER, "O3", "");
	uint32_t		 seq = 0;
	int			 rc;

	archive_close(a);
	if (!unprivileged) {
		printf("ok %d # skip root cannot be refused by permissions\n", ++tap_count);
		free(path);
		return;
	}
	chmod(path, 0444);
	a = archive_open(path, &cause);
	ok(a != NULL, "read_only_archive_still_opens_for_reading");
	if (a == NULL) {
		printf("# %s\n", cause);
		free(cause);
		free(path);
		return;
	}
	archive_last_seq(a, "SIM-0001", 4242, &seq, &cause);
	is_int(seq, 2, "read_only_archive_is_readable");
	rc = archive_put_records(a, "SIM-0001", 4242, "PILE-SIM-0001", &r, 1, &cause);
	is_int(rc, -1, "put_into_read_only_archive_fails");
	want = xasprintf("cannot store records in '%s': the archive is read-only (check the "
	    "permissions of the file and its folder)", path);
	is_str(cause, want, "read_only_message_names_path");
	free(want);
	free(cause);
	archive_close(a);
	chmod(path, 0644);
	free(path);
}

static void
default_path_follows_xdg(void)
{
	char	*p;

	setenv("XDG_DATA_HOME", "/x/data", 1);
	p = archive_default_path();
	is_str(p, "/x/data/pilecon/archive.db", "xdg_data_home_is_used");
	free(p);
	unsetenv("XDG_DATA_HOME");
	setenv("HOME", "/home/tech", 1);
	p = archive_default_path();
	is_str(p, "/home/tech/.local/share/pilecon/archive.db", "home_fallback");
	free(p);
}

/* Permissions mean nothing to root: run as nobody when we can. */
static void
drop_privileges(void)
{
	if (geteuid() != 0) {
		unprivileged = 1;
		return;
	}
	if (setgroups(0, NULL) == 0 && setgid(65534) == 0 && setuid(65534) == 0)
		unprivileged = 1;
}

int
main(void)
{
	char	*cmd;

	drop_privileges();
	umask(022);
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! cannot create a temp folder: %s\n", strerror(errno));
		return 1;
	}
	open_creates_folders_and_schema();
	foreign_files_are_refused();
	put_dedupe_gaps_and_conflicts();
	foreach_goes_in_serial_seq_order();
	exports_match_golden_output();
	export_escapes_text();
	export_to_stdout();
	export_to_read_only_folder_fails_cleanly();
	export_over_file_size_limit_keeps_previous_file();
	archive_full_stores_nothing();
	read_only_archive_gives_a_clear_error();
	default_path_follows_xdg();

	cmd = xasprintf("chmod -R u+w '%s' && rm -rf '%s'", tmpdir, tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	free(cmd);
	return done_testing();
}
