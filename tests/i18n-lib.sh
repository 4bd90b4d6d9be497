# i18n-lib.sh - sourced by tests/i18n-*.sh: TAP helpers, a private temp
# folder, and the Chinese catalog built from po/zh_CN.po (no 'make install').
set -u
: "${top_builddir:?run through make check}" "${top_srcdir:?run through make check}"

tap_n=0
ok() {	# STATUS NAME
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
	fi
}
skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}
done_testing() {
	echo "1..$tap_n"
	exit 0
}
have_zh_locale() {
	locale -a 2>/dev/null | grep -Eqi '^zh_CN\.utf-?8$'
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pilecon-i18n.XXXXXX")
simpid=
cleanup() {
	[ -n "$simpid" ] && kill "$simpid" 2>/dev/null && wait "$simpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
mkdir -p "$tmp/cfg" "$tmp/state" "$tmp/data"
export HOME="$tmp" XDG_CONFIG_HOME="$tmp/cfg" XDG_STATE_HOME="$tmp/state" \
    XDG_DATA_HOME="$tmp/data" TZ=UTC
unset PILECON_PORT LANGUAGE

# Builds $tmp/locale/zh_CN/LC_MESSAGES/pilecon.mo and points pilecon at it.
build_catalog() {
	command -v msgfmt >/dev/null 2>&1 || skip_all "msgfmt (gettext) is not installed"
	mkdir -p "$tmp/locale/zh_CN/LC_MESSAGES"
	msgfmt -o "$tmp/locale/zh_CN/LC_MESSAGES/pilecon.mo" "$top_srcdir/po/zh_CN.po" ||
		{ echo "Bail out! po/zh_CN.po does not compile"; exit 1; }
	export PILECON_LOCALEDIR="$tmp/locale"
}
