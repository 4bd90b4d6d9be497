#!/bin/sh
# i18n-po.sh - the Chinese catalog is complete: every source file with
# messages is in po/POTFILES.in, po/zh_CN.po compiles with format checks, and
# every message the sources mark today has a reviewed (not fuzzy) translation.
# New English strings make this test fail until po/zh_CN.po is updated.
. "$top_srcdir/tests/i18n-lib.sh"

for t in xgettext msgmerge msgfmt msgattrib; do
	command -v $t >/dev/null 2>&1 || skip_all "$t (gettext) is not installed"
done
cd "$top_srcdir" || exit 1

how="to fix: run 'make -C BUILDDIR/po update-po' (BUILDDIR: your build folder), translate the new or fuzzy entries in po/zh_CN.po ('msgattrib --untranslated po/zh_CN.po' and 'msgattrib --only-fuzzy po/zh_CN.po' list them; drop the fuzzy flag once checked), check with 'msgfmt --check --statistics -o /dev/null po/zh_CN.po', and commit po/zh_CN.po"

# Every file that marks a message is listed (else xgettext never sees it).
grep -rlE '(^|[^A-Za-z0-9_])(_|N_|ngettext)\("' src --include='*.c' --include='*.h' |
    sort >"$tmp/marked"
grep -v '^#' po/POTFILES.in | sed '/^[[:space:]]*$/d' | sort -u >"$tmp/listed"
comm -23 "$tmp/marked" "$tmp/listed" >"$tmp/missing"
[ ! -s "$tmp/missing" ]
ok $? "every_file_with_messages_is_in_potfiles"
sed "s|^|# not in po/POTFILES.in (append it): |" "$tmp/missing"
comm -13 "$tmp/marked" "$tmp/listed" | while read -r f; do
	[ -f "$f" ] || echo "# po/POTFILES.in lists '$f', which does not exist"
done >"$tmp/gone"
[ ! -s "$tmp/gone" ]
ok $? "potfiles_lists_only_existing_files"
cat "$tmp/gone"

msgfmt --check --check-format -o /dev/null po/zh_CN.po 2>"$tmp/fmt"
ok $? "zh_cn_po_compiles_with_format_checks"
sed 's/^/# /' "$tmp/fmt"

# The messages the sources mark now, with the options of po/Makevars.
opts=$(sed -n 's/^XGETTEXT_OPTIONS *= *//p' po/Makevars)
# shellcheck disable=SC2086
xgettext --language=C $opts --add-comments=TRANSLATORS: \
    --files-from=po/POTFILES.in -o "$tmp/pilecon.pot" 2>"$tmp/xg" ||
	{ sed 's/^/# /' "$tmp/xg"; echo "Bail out! xgettext failed"; exit 1; }
msgmerge -q -o "$tmp/zh_CN.po" po/zh_CN.po "$tmp/pilecon.pot" 2>"$tmp/mm" ||
	{ sed 's/^/# /' "$tmp/mm"; echo "Bail out! msgmerge failed"; exit 1; }
stats=$(msgfmt --statistics -o /dev/null "$tmp/zh_CN.po" 2>&1)
echo "# po/zh_CN.po against the sources: $stats"
case "$stats" in
*fuzzy* | *untranslated*) rc=1 ;;
*" translated message"*) rc=0 ;;
*) rc=1 ;;
esac
ok $rc "zh_cn_po_translates_every_message_the_sources_mark"
if [ $rc -ne 0 ]; then
	echo "# $how"
	msgattrib --untranslated --no-obsolete --no-wrap "$tmp/zh_CN.po" 2>/dev/null |
	    sed -n 's/^msgid "\(..*\)"$/# untranslated: \1/p' | head -20
	msgattrib --only-fuzzy --no-obsolete --no-wrap "$tmp/zh_CN.po" 2>/dev/null |
	    sed -n 's/^msgid "\(..*\)"$/# fuzzy: \1/p' | head -20
fi

# The catalog itself (not only the merge) has no fuzzy entries: a fuzzy
# translation is never shown, so a reader would get English.
stats=$(msgfmt --statistics -o /dev/null po/zh_CN.po 2>&1)
case "$stats" in
*fuzzy*) rc=1 ;;
*) rc=0 ;;
esac
ok $rc "zh_cn_po_has_no_fuzzy_entries"
[ $rc -eq 0 ] || echo "# $how"

done_testing
