# lib.sh - what every shell test shares; sourced first by each tests/*-lib.sh,
# which keeps only what its own tests need (and the short names they call).
#
# TAP (the plan is printed last; $tap_n tests so far, $tap_failed failed):
#   tap_result STATUS NAME   one test point; STATUS 0 passes
#   tap_is GOT WANT NAME     GOT is exactly WANT
#   tap_like GOT ERE NAME    GOT matches the extended regular expression
#   tap_unlike GOT ERE NAME  GOT does not match it
#   tap_ok_cmd NAME CMD...   CMD succeeds (its output shown when it fails)
#   tap_diag TEXT            TEXT as TAP comment lines, each line prefixed
#   tap_skip_all REASON      skips the whole file
#   tap_bail MESSAGE         aborts the whole file
#   tap_done                 prints the plan; false when a test failed
# A private world (test_setup NAME, once): $tmp, a temp folder removed at
#   exit; HOME and XDG_{CONFIG,DATA,STATE,RUNTIME}_HOME/DIR inside it
#   (a console's port-sharing socket too); TZ=UTC; no
#   PILECON_PORT or LANGUAGE from the caller. Locale is the caller's choice.
#   At exit, cleanup runs cleanup_hook (a lib may redefine it), stops
#   pilesim and removes $tmp; a test with its own EXIT trap calls cleanup.
# pilesim ($PILESIM, set by the sourcing lib; $simpid while it runs):
#   sim_launch DIR LOG [ARGS...]  starts it on data folder DIR, output in LOG,
#                                 and waits (at most 10 s) until it is ready
#   sim_start [ARGS...]           sim_launch on $tmp/sim, log $tmp/pilesim.log;
#                                 bails out when it does not start
#   sim_stop [SIGNAL]             signals it and waits (at most 10 s)
#   sim_ctl DIR ARGS...           `pilesim ctl` on DIR, bounded
# JSON: jget PATH < DOCUMENT.
# Chinese: have_zh_locale (zh_CN.UTF-8 is installed); build_catalog (the
#   catalog of po/zh_CN.po under $tmp/locale, found through
#   PILECON_LOCALEDIR without 'make install'; skips the file without msgfmt).
# Every wait is bounded; nothing here prints except TAP and its comments.

: "${top_builddir:?run through make check}" "${top_srcdir:?run through make check}"

tap_n=0
tap_failed=0
simpid=""
sim_status=""

tap_result() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}
tap_diag() { printf '%s\n' "$*" | sed 's/^/#   /'; }
tap_is() {
	if [ "$1" = "$2" ]; then
		tap_result 0 "$3"
	else
		tap_result 1 "$3"
		tap_diag "got: '$1'"
		tap_diag "expected: '$2'"
	fi
}
tap_like() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		tap_result 0 "$3"
	else
		tap_result 1 "$3"
		tap_diag "got: '$1'"
		tap_diag "expected to match: /$2/"
	fi
}
tap_unlike() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		tap_result 1 "$3"
		tap_diag "got: '$1'"
		tap_diag "expected not to match: /$2/"
	else
		tap_result 0 "$3"
	fi
}
tap_ok_cmd() {
	_name=$1
	shift
	if "$@" >"$tmp/ok.out" 2>&1; then
		tap_result 0 "$_name"
	else
		tap_result 1 "$_name"
		sed 's/^/#   /' "$tmp/ok.out"
	fi
}
tap_skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}
tap_bail() {
	echo "Bail out! $1"
	exit 1
}
tap_done() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

test_setup() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/pilecon-$1.XXXXXX") ||
		tap_bail "cannot make a temp folder"
	mkdir -m 700 "$tmp/run" || tap_bail "cannot make $tmp/run"
	export HOME="$tmp" XDG_CONFIG_HOME="$tmp/config" \
		XDG_DATA_HOME="$tmp/share" XDG_STATE_HOME="$tmp/state" \
		XDG_RUNTIME_DIR="$tmp/run" TZ=UTC
	unset PILECON_PORT LANGUAGE
	trap cleanup EXIT
	trap 'exit 1' INT TERM HUP
}
cleanup_hook() { :; }
cleanup() {
	cleanup_hook
	[ -z "$simpid" ] || sim_stop
	rm -rf "$tmp"
}

# Ready means the line naming the control socket and the keys file, printed
# once the socket and the bus are both open; it names them in any language.
# On failure pilesim is stopped, its output shown, and the status is 1.
sim_launch() {
	_dir=$1 _log=$2
	shift 2
	# The log of a previous run must not pass for this one's start.
	rm -f "$_log"
	"$PILESIM" --data "$_dir" "$@" >"$_log" 2>&1 &
	simpid=$!
	_i=0
	until grep -q 'ctl\.sock.*keys\.yaml' "$_log" 2>/dev/null; do
		_i=$((_i + 1))
		if [ $_i -gt 200 ] || ! kill -0 "$simpid" 2>/dev/null; then
			sim_stop KILL
			echo "# pilesim did not start:"
			sed 's/^/#   /' "$_log"
			return 1
		fi
		sleep 0.05
	done
}
sim_start() {
	sim_launch "$tmp/sim" "$tmp/pilesim.log" "$@" || tap_bail "pilesim did not start"
}
# Sets $sim_status to pilesim's exit status and returns it (1 when none
# runs); SIGKILL after 10 s. Not in a subshell: wait needs its parent.
sim_stop() {
	if [ -z "$simpid" ]; then
		sim_status=1
		return 1
	fi
	kill -"${1:-TERM}" "$simpid" 2>/dev/null
	_i=0
	while kill -0 "$simpid" 2>/dev/null; do
		_i=$((_i + 1))
		if [ $_i -gt 100 ]; then
			kill -KILL "$simpid" 2>/dev/null
			break
		fi
		sleep 0.1
	done
	wait "$simpid" 2>/dev/null
	sim_status=$?
	simpid=""
	return "$sim_status"
}
sim_ctl() {
	_dir=$1
	shift
	timeout 20 "$PILESIM" ctl --data "$_dir" "$@"
}

# jget PATH: one value of the JSON document on stdin ("card.last_uid",
# "entries.0.uid", "entries.length"): arrays index by number, objects and
# arrays print as JSON, booleans as true/false.
jget() {
	python3 -c '
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    if k == "length":
        v = len(v)
    elif isinstance(v, list):
        v = v[int(k)]
    else:
        v = v[k]
print(json.dumps(v) if isinstance(v, (dict, list)) else ("true" if v is True else "false" if v is False else v))
' "$1"
}

have_zh_locale() {
	locale -a 2>/dev/null | grep -Eqi '^zh_CN\.utf-?8$'
}
build_catalog() {
	command -v msgfmt >/dev/null 2>&1 || tap_skip_all "msgfmt (gettext) is not installed"
	mkdir -p "$tmp/locale/zh_CN/LC_MESSAGES"
	msgfmt -o "$tmp/locale/zh_CN/LC_MESSAGES/pilecon.mo" "$top_srcdir/po/zh_CN.po" ||
		tap_bail "po/zh_CN.po does not compile"
	export PILECON_LOCALEDIR="$tmp/locale"
}
