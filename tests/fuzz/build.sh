#!/bin/sh
# tests/fuzz/build.sh - builds the libFuzzer harnesses with clang
# (-fsanitize=fuzzer,address,undefined) in $top_builddir/tests/fuzz/lf,
# without configure: where clang or its libFuzzer runtime is missing it says
# so in lf/status and the fuzz run is skipped (the regression inputs are
# still replayed by tests/fuzz/replay-*). A compile error is written to
# lf/status (fuzz-run.sh reports it as a failure) so the rest of the suite
# still runs.
#
# No harness lists its sources: the linker says what each one needs. A first
# link of the harness against the libraries the tree has just built
# (FUZZ_LDADD, pilecon's own) traces the members it pulls in; each member's
# source (src/DIR/libNAME.a's member libNAME_a-FILE.o or FILE.o is
# src/DIR/FILE.c) is then compiled with the fuzzing flags and linked. So a
# parser that calls a new function of another file links here as soon as it
# links in pilecon, and only what a harness reaches is compiled.
# Incremental: an object is rebuilt when its source or any header is newer,
# a harness's member list when a library is.
#
# env: top_srcdir top_builddir; FUZZ_CC (clang); FUZZ_LDADD (the libraries
# in link order, then -l flags); FUZZ_CPPFLAGS (their -I and -D flags);
# BUILD_CFLAGS (the suite's CFLAGS: a sanitizer build skips, as the plain
# pass of CI does the fuzzing); FUZZ_FORCE=1 builds anyway.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
cc=${FUZZ_CC:-clang}
out=$top_builddir/tests/fuzz/lf
mkdir -p "$out/obj" || exit 1

say() { echo "$1" >"$out/status"; echo "fuzz: $1" >&2; }

case " ${BUILD_CFLAGS:-} " in
*-fsanitize=address*)
	if [ -z "${FUZZ_FORCE:-}" ]; then
		say "skip: sanitizer build (the plain build's pass fuzzes; FUZZ_FORCE=1 to fuzz here)"
		exit 0
	fi;;
esac
if ! command -v "$cc" >/dev/null 2>&1; then
	say "skip: no $cc (apt-get install clang libclang-rt-dev)"
	exit 0
fi
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return d && n > 9; }\n' \
	>"$out/probe.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined -o "$out/probe" "$out/probe.c" \
    >"$out/probe.log" 2>&1; then
	say "skip: $cc cannot link -fsanitize=fuzzer (apt-get install libclang-rt-dev): $(head -c 200 "$out/probe.log" | tr '\n' ' ')"
	exit 0
fi

S=$top_srcdir
B=$top_builddir
CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
-fno-sanitize-recover=undefined -fsanitize=fuzzer-no-link -Wall -Wno-unused-parameter"
CPPFLAGS="-I$B -I$S/src -I$S/src/proto -I$S/tests/fuzz \
-DLOCALEDIR=\"/nonexistent\" -DPKGDATADIR=\"/nonexistent\" ${FUZZ_CPPFLAGS:-}"
LINK="-fsanitize=fuzzer,address,undefined"

# The libraries (absolute, so the trace names them one way) and the rest.
archives=""
libs=""
for w in ${FUZZ_LDADD:?run through make fuzz-build}; do
	case $w in
	*.a)	[ -f "$B/$w" ] || { say "fail: no $B/$w (run make first)"; exit 0; }
		archives="$archives $B/$w";;
	*)	libs="$libs $w";;
	esac
done

# stubs NAME: tests/fuzz files harness NAME links besides fuzz-NAME.c.
stubs() {
	case $1 in
	config) echo "tests/fuzz/lf-stubs.c";;
	esac
}
NAMES=$(cd "$S/tests/fuzz" && ls fuzz-*.c | sed 's/^fuzz-//; s/\.c$//')

# The newest header: any object older than it is rebuilt.
newest=$(ls -t "$S"/src/*.h "$S"/src/*/*.h "$S"/tests/fuzz/*.h "$B/config.h" \
	2>/dev/null | head -1)

compile() {	# compile SRC: prints the object
	obj=$out/obj/$(echo "$1" | tr '/' '_' | sed 's/\.c$/.o/')
	if [ ! -f "$obj" ] || [ "$S/$1" -nt "$obj" ] || [ "$newest" -nt "$obj" ] ||
	    [ "$0" -nt "$obj" ]; then
		# shellcheck disable=SC2086
		if ! "$cc" $CFLAGS $CPPFLAGS -c -o "$obj" "$S/$1" 2>"$out/cc.log"; then
			cat "$out/cc.log" >&2
			return 1
		fi
	fi
	echo "$obj"
}

# members NAME OBJS...: the library sources harness NAME's objects pull in,
# one a line, from a traced link against the tree's libraries (GNU ld
# prints "(LIB.a)MEMBER.o", lld "LIB.a(MEMBER.o)"). Only the trace counts:
# without the sanitizer runtime and the -l libraries it takes a third of
# the time, and what stays undefined is the real link's to report.
members() {
	name=$1; shift
	# shellcheck disable=SC2086
	if ! "$cc" -o "$out/trace-$name" "$@" $archives -Wl,--unresolved-symbols=ignore-all \
	    -Wl,--trace -Wl,--trace >"$out/trace.log" 2>"$out/cc.log"; then
		cat "$out/cc.log" >&2
		say "fail: cannot trace what fuzz-$name links: $(head -c 200 "$out/cc.log" | tr '\n' ' ')"
		return 1
	fi
	rm -f "$out/trace-$name"
	sed -n "s|^(\\($B/[^)]*\\.a\\))\\(.*\\.o\\)\$|\\1 \\2|p; s|^\\($B/[^(]*\\.a\\)(\\(.*\\.o\\))\$|\\1 \\2|p" \
	    "$out/trace.log" | while read -r lib member; do
		dir=${lib#"$B/"}; dir=${dir%/*}
		base=${lib##*/}; base=${base%.a}
		src=$dir/${member#"${base}_a-"}
		src=${src%.o}.c
		if [ ! -f "$S/$src" ]; then
			echo "fuzz: cannot tell the source of $member in $lib (not $src)" >&2
			return 1
		fi
		echo "$src"
	done
}

built=""
for name in $NAMES; do
	objs=""
	for src in tests/fuzz/fuzz-$name.c $(stubs "$name"); do
		obj=$(compile "$src") || { say "fail: cannot compile $src for fuzz-$name"; exit 0; }
		objs="$objs $obj"
	done
	list=$out/fuzz-$name.srcs
	stale=0
	[ -f "$list" ] || stale=1
	for f in $objs $archives; do
		[ "$f" -nt "$list" ] && stale=1
	done
	if [ $stale -eq 1 ]; then
		# shellcheck disable=SC2086
		members "$name" $objs >"$list.tmp" || { rm -f "$list.tmp";
			grep -q '^fail' "$out/status" 2>/dev/null ||
			say "fail: cannot find fuzz-$name's sources"; exit 0; }
		mv "$list.tmp" "$list"
	fi
	for src in $(cat "$list"); do
		obj=$(compile "$src") || { say "fail: cannot compile $src for fuzz-$name"; exit 0; }
		objs="$objs $obj"
	done
	bin=$out/fuzz-$name
	relink=0
	[ -f "$bin" ] || relink=1
	for obj in $objs; do
		[ "$obj" -nt "$bin" ] && relink=1
	done
	if [ $relink -eq 1 ]; then
		# shellcheck disable=SC2086
		if ! "$cc" $LINK -o "$bin" $objs -Wl,--as-needed $libs 2>"$out/cc.log"; then
			cat "$out/cc.log" >&2
			say "fail: cannot link fuzz-$name"
			exit 0
		fi
	fi
	built="$built $name"
done
echo "$built" | tr ' ' '\n' | sed '/^$/d' >"$out/harnesses"
say "built"
