#!/bin/sh
# line-install.sh - `make install DESTDIR=...` installs the whole product:
# both programs, the four man pages (pilecon(1), pilesim(1), the provisioning
# format and the protocol), the bash completion under bash-completion's
# completionsdir, the protocol profile, the examples and the translations;
# the installed pilecon runs and its page renders.
. "$top_srcdir/tests/lib.sh"
test_setup install

root=$tmp/root
if ! make -s -C "$top_builddir" install DESTDIR="$root" >"$tmp/log" 2>&1; then
	sed 's/^/# /' "$tmp/log" | tail -n 30
	tap_bail "make install failed"
fi
(cd "$root" && find . \( -type f -o -type l \) | sed 's|^\.||' | sort) >"$tmp/list"
echo "# installed files:"
sed 's/^/#   /' "$tmp/list"

prefix=$(sed -n 's/^prefix = //p' "$top_builddir/Makefile")
compdir=$(sed -n 's/^BASH_COMPLETION_DIR = //p' "$top_builddir/Makefile")
case $compdir in '${datadir}'*) compdir=$prefix/share${compdir#'${datadir}'} ;; esac
has() {	# has PATH NAME
	grep -qx "$1" "$tmp/list"
	tap_result $? "$2"
}
has "$prefix/bin/pilecon" installs_pilecon
has "$prefix/bin/pilesim" installs_pilesim
has "$prefix/share/man/man1/pilecon.1" installs_pilecon_1
has "$prefix/share/man/man1/pilesim.1" installs_pilesim_1
has "$prefix/share/man/man5/pilecon-provision.5" installs_pilecon_provision_5
has "$prefix/share/man/man7/pilecon-protocol.7" installs_pilecon_protocol_7
has "$compdir/pilecon" installs_bash_completion_in_completionsdir
has "$prefix/share/pilecon/profiles/pile.yaml" installs_the_protocol_profile
has "$prefix/share/doc/pilecon/examples/carpark-20.yaml" installs_the_examples
has "$prefix/share/locale/zh_CN/LC_MESSAGES/pilecon.mo" installs_the_translation
if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists bash-completion; then
	is_dir=$(pkg-config --variable=completionsdir bash-completion)
	tap_is "$compdir" "$is_dir" completionsdir_comes_from_bash_completion_s_pkg_config
else
	tap_result 1 "completionsdir_comes_from_bash_completion_s_pkg_config"
	tap_diag "bash-completion's pkg-config file is missing (apt-get install bash-completion; scripts/deps does)"
fi

tap_like "$("$root$prefix/bin/pilecon" --version 2>&1)" '^pilecon [0-9]' installed_pilecon_runs
tap_like "$("$root$prefix/bin/pilesim" --help 2>&1 | head -n 1)" '^usage: pilesim' installed_pilesim_runs
if command -v groff >/dev/null 2>&1; then
	for m in man1/pilecon.1 man1/pilesim.1; do
		w=$(groff -man -Tutf8 -ww -z "$root$prefix/share/man/$m" 2>&1)
		tap_is "$w" "" "installed_${m#*/}_renders_without_warnings"
	done
else
	tap_result 1 "man_pages_render"
	tap_diag "groff is not installed (apt-get install groff-base; scripts/deps does)"
fi
bash -n "$root$compdir/pilecon"
tap_result $? installed_completion_parses
tap_done
