#!/bin/sh
# batch-manpage.sh - man/pilecon.1 is what the generator makes from the
# command table today (GENERATE=1 refreshes it), and it documents every
# command and option; the bash completion script parses.
. "$top_srcdir/tests/batch-lib.sh"

gen=$top_builddir/src/batch/pilecon-mangen
man=$top_srcdir/man/pilecon.1
"$gen" >"$tmp/pilecon.1"
tap $? "man_page_generator_runs"
if [ -n "${GENERATE:-}" ]; then
	cp "$tmp/pilecon.1" "$man"
	echo "# regenerated $man"
fi
if cmp -s "$tmp/pilecon.1" "$man"; then
	tap 0 "committed_man_page_matches_the_command_table"
else
	tap 1 "committed_man_page_matches_the_command_table"
	diff -u "$man" "$tmp/pilecon.1" | sed 's/^/# /' | head -40
	echo "# refresh with: make check TESTS=tests/batch-manpage.sh GENERATE=1"
fi

# Every command and global option of the program is in the page.
"$PILECON" --help >"$tmp/help"
missing=""
for c in $(sed -n 's/^  \([a-z][a-z ]*[a-z]\)  .*/\1/p' "$tmp/help" | tr ' ' '%'); do
	c=$(echo "$c" | tr '%' ' ')
	grep -q "^\\\\fBpilecon $c\\\\fR" "$man" || missing="$missing [$c]"
done
is "$missing" "" "every_command_is_in_the_man_page"
missing=""
for o in $(sed -n 's/^ *\(-., \)\{0,1\}--\([a-z0-9-]*\).*/\2/p' "$tmp/help"); do
	grep -q "fB\\\\-\\\\-$(echo "$o" | sed 's/-/\\\\-/g')" "$man" || missing="$missing --$o"
done
is "$missing" "" "every_global_option_is_in_the_man_page"
for s in "EXIT STATUS" "CONFIGURATION FILE" "KEYS FILE" "ENVIRONMENT" "FILES" "EXAMPLES"; do
	grep -q "^\.SH $s" "$man"
	tap $? "man_page_has_$(echo "$s" | tr ' ' _)"
done
if command -v groff >/dev/null 2>&1; then
	w=$(groff -man -Tutf8 -ww -z "$man" 2>&1)
	is "$w" "" "man_page_renders_without_warnings"
fi

bash -n "$top_srcdir/contrib/bash-completion/pilecon"
tap $? "bash_completion_script_parses"

done_testing
