#!/bin/sh
# valgrind-batch.sh - every batch command of pilecon once under valgrind
# memcheck against pilesim (2 piles, frozen clock): no invalid read or
# write, no use of uninitialised memory, no definitely lost block, on the
# paths that succeed and on some that fail (no answer, bad CSV line,
# unknown option). Skipped without valgrind and in the ASan build (the two
# do not mix); VALGRIND_BATCH=0 skips it too.
. "$top_srcdir/tests/batch-lib.sh"

if [ "${VALGRIND_BATCH:-1}" = 0 ]; then
	echo "1..0 # SKIP VALGRIND_BATCH=0"
	exit 0
fi
if ! command -v valgrind >/dev/null 2>&1; then
	echo "1..0 # SKIP valgrind is not installed (apt-get install valgrind)"
	exit 0
fi
if [ ! -x "$PILESIM" ] || [ ! -x "$PILECON" ]; then
	echo "1..0 # SKIP pilecon or pilesim is not built"
	exit 0
fi
if nm "$PILECON" 2>/dev/null | grep -q '__asan_init\|__ubsan_handle'; then
	echo "1..0 # SKIP sanitizer build: valgrind runs in the plain build's pass"
	exit 0
fi
start_sim --piles 2 --frozen-clock

VG_CODE=99
# vg WANT NAME ARGS...: pilecon ARGS under memcheck against the bus; ok when
# it exits WANT and memcheck found nothing (exit 99 and a log otherwise).
vg() {
	want=$1 name=$2
	shift 2
	rm -f "$tmp"/vg.log.*
	timeout 300 valgrind -q --error-exitcode=$VG_CODE --leak-check=full \
		--errors-for-leak-kinds=definite --show-leak-kinds=definite \
		--track-origins=yes --log-file="$tmp/vg.log.%p" \
		"$PILECON" -p "$tmp/sim/bus" --keys "$tmp/sim/keys.yaml" \
		--archive "$tmp/archive.db" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq "$want" ] && ! grep -q . "$tmp"/vg.log.* 2>/dev/null; then
		tap 0 "memcheck_clean_${name}"
		return
	fi
	tap 1 "memcheck_clean_${name}"
	echo "#   pilecon $* exited $rc, wanted $want"
	sed 's/^/#   /' "$tmp/err" | head -5
	cat "$tmp"/vg.log.* 2>/dev/null | sed 's/^/#   /' | head -60
}

T="--timeout 3000"
vg 0 status $T status
vg 0 status_json $T status --json
vg 0 scan $T scan --to 3
vg 0 whitelist_add $T whitelist add 04:a1:b2:c3 --holder "张三" --expires 2027-12-31
vg 0 whitelist_add_second $T whitelist add 0A0B0C0D
vg 0 whitelist_list $T whitelist list
vg 0 whitelist_list_json $T whitelist list --json
vg 0 whitelist_block $T whitelist block 04A1B2C3
vg 0 whitelist_remove $T whitelist remove 0A0B0C0D
cat >"$tmp/cards.csv" <<'CSV'
uid,status,expires,holder
11111111,accepted,,Alice
22222222,blocked,2027-01-01,"Bob, Jr."
33333333,accepted,2027-06-30T12:00:00Z,李四
CSV
vg 0 whitelist_import $T whitelist import "$tmp/cards.csv"
vg 0 whitelist_export $T whitelist export -o "$tmp/export.csv"
vg 0 offline_on $T offline on --for 1h
vg 0 offline_off $T offline off

# Records to pull: two online sessions on pile 2.
for i in 1 2; do
	ctl plug 2 >/dev/null && ctl swipe 2 04A1B2C3 >/dev/null &&
	    ctl advance 600 >/dev/null && ctl unplug 2 >/dev/null ||
	    echo "# charge $i on pile 2 failed"
done
vg 0 logs_pull $T -a 2 logs pull
vg 0 logs_pull_json_again $T -a 2 logs pull --json
vg 0 logs_list $T logs list
vg 0 logs_list_json $T logs list --json
vg 0 logs_export_csv $T logs export --format csv -o "$tmp/records.csv"
vg 0 logs_export_jsonl $T logs export --format jsonl
vg 0 resync_wait $T -a 2 resync --wait --timeout 20
vg 0 tariff_show $T tariff show
vg 0 tariff_show_json $T tariff show --json
vg 0 clock_set $T -a 2 clock set 2030-01-01T00:00:00Z

# Failures go through other paths: messages, early returns, cleanup.
vg 3 no_answer_at_address_9 -a 9 --timeout 100 --retries 0 status
printf 'uid,status,expires,holder\n11111111,accepted,,A\n3333,accepted,,B\n' >"$tmp/bad.csv"
vg 2 import_bad_csv_line $T whitelist import "$tmp/bad.csv"
vg 2 unknown_option $T status --bogus
vg 2 unknown_command $T frobnicate

done_testing
