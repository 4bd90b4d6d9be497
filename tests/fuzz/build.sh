#!/bin/sh
# tests/fuzz/build.sh - builds the libFuzzer harnesses with clang
# (-fsanitize=fuzzer,address,undefined) from the sources each one needs, in
# $top_builddir/tests/fuzz/lf, without configure: where clang or its
# libFuzzer runtime is missing it says so in lf/status and the fuzz run is
# skipped (the regression inputs are still replayed by tests/fuzz/replay-*).
# A compile error is written to lf/status (fuzz-run.sh reports it as a
# failure) so the rest of the suite still runs.
# Incremental: an object is rebuilt when its source or any header is newer.
#
# env: top_srcdir top_builddir; FUZZ_CC (clang); YAML_CFLAGS YAML_LIBS CRYPTO_LIBS;
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
CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
-fno-sanitize-recover=undefined -fsanitize=fuzzer-no-link -Wall -Wno-unused-parameter"
CPPFLAGS="-I$top_builddir -I$S/src -I$S/src/proto -I$S/tests/fuzz \
-DLOCALEDIR=\"/nonexistent\" -DPKGDATADIR=\"/nonexistent\" ${YAML_CFLAGS:-}"
PROTO="src/proto/regmap.c src/proto/crc.c src/proto/frame.c src/proto/names.c \
src/proto/blocks.c src/proto/record.c src/proto/whitelist.c src/proto/tariff.c \
src/proto/auth.c"

# sources NAME: what harness NAME links, besides tests/fuzz/fuzz-NAME.c.
sources() {
	case $1 in
	frame-request|frame-response|record|wlentry)
		echo "$PROTO";;
	config)
		echo "src/batch/config.c src/batch/yaml-load.c src/batch/keys.c src/batch/options.c \
src/common.c src/outfile.c tests/fuzz/lf-stubs.c $PROTO";;
	wlcsv)
		echo "src/batch/wlcsv.c src/common.c $PROTO";;
	parse)
		echo "src/batch/parse.c src/common.c";;
	untrusted-text)
		echo "src/batch/wlcsv.c src/common.c $PROTO";;
	json)
		echo "src/json.c src/common.c";;
	ocmf)
		echo "src/proto/ocmf-parse.c src/proto/ocmf.c src/proto/export-line.c $PROTO";;
	provision)
		echo "src/batch/provision-parse.c src/batch/provision-yaml.c src/batch/yaml-load.c \
src/batch/provision-tariff.c src/batch/provision-offline.c \
src/batch/provision-whitelist.c src/batch/parse.c src/batch/wlcsv.c \
src/proto/sig.c src/proto/ocmf.c src/common.c $PROTO";;
	esac
}
libs() {
	case $1 in
	config) echo "${YAML_LIBS:--lyaml}";;
	provision) echo "${YAML_LIBS:--lyaml} ${CRYPTO_LIBS:--lcrypto}";;
	esac
}
NAMES="frame-request frame-response record wlentry config wlcsv provision parse untrusted-text json ocmf"

# The newest header: any object older than it is rebuilt.
newest=$(ls -t "$S"/src/*.h "$S"/src/*/*.h "$S"/tests/fuzz/*.h "$top_builddir/config.h" \
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

built=""
for name in $NAMES; do
	objs=""
	for src in tests/fuzz/fuzz-$name.c $(sources "$name"); do
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
		if ! "$cc" -fsanitize=fuzzer,address,undefined -o "$bin" $objs $(libs "$name") \
		    2>"$out/cc.log"; then
			cat "$out/cc.log" >&2
			say "fail: cannot link fuzz-$name"
			exit 0
		fi
	fi
	built="$built $name"
done
echo "$built" | tr ' ' '\n' | sed '/^$/d' >"$out/harnesses"
say "built"
