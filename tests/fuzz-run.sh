#!/bin/sh
# fuzz-run.sh - runs each libFuzzer harness (tests/fuzz/fuzz-*.c, built by
# tests/fuzz/build.sh) for a bounded time on a temp copy of its seeds and
# regression inputs: one TAP line per harness, executions as a comment, a
# crash is "not ok" with the path of the reproducer. tests/README tells how
# to fuzz for hours and how a crash becomes a regression input.
#
# env: FUZZ_SECONDS per harness (default 30; 0 skips), FUZZ_TOTAL_SECONDS
# cap on the sum (default 180: CI runs this once, on a 2-core machine; 0 no
# cap), FUZZ_ONLY="record wlcsv" a subset, FUZZ_ARGS more libFuzzer
# options, FUZZ_KEEP=DIR keep corpora and crashes in DIR across runs
# (`make fuzz`). Only the plain build fuzzes: the sanitizer build's pass
# (same harnesses, same seeds) is skipped by build.sh, see tests/README.
: "${top_builddir:?run through make check}" "${top_srcdir:?}"
lf=$top_builddir/tests/fuzz/lf
status=$(cat "$lf/status" 2>/dev/null || echo "skip: libFuzzer harnesses not built (make fuzz-build)")
case $status in
built) ;;
skip:*)	echo "1..0 # SKIP ${status#skip: }"; exit 0;;
*)	echo "not ok 1 - fuzz_harnesses_build"; echo "# $status"; echo "1..1"; exit 1;;
esac
seconds=${FUZZ_SECONDS:-30}
total=${FUZZ_TOTAL_SECONDS:-180}
if [ "$seconds" -eq 0 ]; then
	echo "1..0 # SKIP FUZZ_SECONDS=0"
	exit 0
fi
names=${FUZZ_ONLY:-$(cat "$lf/harnesses")}
n=$(echo $names | wc -w)
per=$seconds
if [ "$total" -gt 0 ] && [ $((per * n)) -gt "$total" ]; then
	# About a second of each run is start-up and the final merge.
	per=$((total / n - 1))
	[ "$per" -lt 1 ] && per=1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pilecon-fuzz.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
found=$top_builddir/tests/fuzz/found
tap_n=0
failed=0
for name in $names; do
	tap_n=$((tap_n + 1))
	bin=$lf/fuzz-$name
	if [ ! -x "$bin" ]; then
		echo "not ok $tap_n - fuzz_${name}_runs # no $bin"
		failed=$((failed + 1))
		continue
	fi
	if [ -n "${FUZZ_KEEP:-}" ]; then
		corpus=$FUZZ_KEEP/corpus-$name
		art=$FUZZ_KEEP/crashes-$name/
	else
		corpus=$tmp/corpus-$name
		art=$tmp/crashes-$name/
	fi
	mkdir -p "$corpus" "$art"
	# Seeds and regression inputs go into the copy: the source tree is
	# never written to, and libFuzzer first replays all of them.
	for d in "$top_srcdir/tests/fuzz/corpus-$name" "$top_srcdir/tests/fuzz/crashes-$name"; do
		[ -d "$d" ] || continue
		for f in "$d"/*; do
			[ -f "$f" ] && [ "${f##*/}" != README ] && cp "$f" "$corpus/"
		done
	done
	before=$(ls "$corpus" | wc -l)
	log=$tmp/$name.log
	start=$(date +%s)
	# shellcheck disable=SC2086
	(cd "$tmp" && timeout -k 10 $((per + 120)) "$bin" -max_total_time="$per" -timeout=5 \
		-rss_limit_mb=1024 -print_final_stats=1 -artifact_prefix="$art" \
		${FUZZ_ARGS:-} "$corpus") </dev/null >"$log" 2>&1
	rc=$?
	elapsed=$(( $(date +%s) - start ))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	after=$(ls "$corpus" | wc -l)
	if [ "$rc" -eq 0 ]; then
		echo "ok $tap_n - fuzz_${name}_${per}s_without_crash"
		echo "# $name: ${execs:-?} executions in ${elapsed}s, corpus $before -> $after inputs"
		continue
	fi
	failed=$((failed + 1))
	echo "not ok $tap_n - fuzz_${name}_${per}s_without_crash # exit $rc after ${execs:-?} executions"
	mkdir -p "$found/$name"
	for f in "$art"crash-* "$art"leak-* "$art"timeout-* "$art"oom-*; do
		[ -f "$f" ] || continue
		cp "$f" "$found/$name/"
		echo "# reproducer: $found/$name/${f##*/}"
		echo "#   replay:  $top_builddir/tests/fuzz/replay-$name $found/$name/${f##*/}"
		echo "#   keep it: cp $found/$name/${f##*/} $top_srcdir/tests/fuzz/crashes-$name/SHORT-NAME"
	done
	# The report, its stack without libFuzzer's own frames.
	grep -E 'ERROR|SUMMARY|fuzz check failed|runtime error|#[0-9]+ 0x' "$log" |
		grep -Ev 'fuzzer::|__sanitizer_|libc_start|_start |abort|raise|pthread_kill|libc\.so' |
		head -16 | sed 's/^/#   /'
done
echo "1..$tap_n"
[ "$failed" -eq 0 ]
