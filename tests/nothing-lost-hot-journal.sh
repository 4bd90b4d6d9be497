#!/bin/sh
# A pilecon killed while it makes a new archive (before the archive is in
# WAL mode) leaves a hot rollback journal beside it. The next pilecon rolls
# it back as any SQLite writer does and goes on, instead of calling the
# archive read-only for ever (found by tests/soak.py: a pull SIGKILLed in
# its first 30 ms, then every later pull and export refused). The journal
# here is made the way SQLite leaves one after a kill: a write transaction
# whose changed pages already reached the file.
. "$top_srcdir/tests/batch-lib.sh"
ar=$tmp/archive.db
/usr/bin/python3 - "$ar" <<'PY'
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA cache_size = 1")       # spill pages into the file at once
db.execute("BEGIN IMMEDIATE")
db.execute("CREATE TABLE spill (x)")
for i in range(200):
    db.execute("INSERT INTO spill VALUES (?)", ("x" * 900,))
os._exit(0)                                # killed mid-transaction
PY
[ -s "$ar-journal" ]
tap $? "the_killed_writer_left_a_hot_journal"

run --archive "$ar" logs list
is "$rc" 0 "the_next_pilecon_opens_the_archive"
unlike "$err" "read-only" "and_does_not_call_it_read_only"
[ ! -s "$ar-journal" ]
tap $? "the_journal_is_rolled_back"
/usr/bin/python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from sqlite_master where name = ?", ("spill",)).fetchone()[0])' "$ar" >"$tmp/n"
is "$(cat "$tmp/n")" 0 "the_half_written_transaction_is_undone"
like "$out$err" "0 records" "and_the_archive_is_a_new_empty_one"

# A file that really is read-only stays refused, with the same words.
if [ "$(id -u)" != 0 ]; then
	chmod 0400 "$ar"
	run --archive "$ar" logs pull -p /dev/null
	like "$err" "read-only" "a_read_only_archive_is_still_called_read_only"
fi
done_testing
