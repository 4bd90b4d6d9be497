#!/bin/sh
# line-deb.sh - debian/ builds a package with `dpkg-buildpackage -b -us -uc`
# from a copy of the sources, lintian finds no error in it, and it installs
# into a throwaway root where pilecon runs and `man pilecon` reads.
. "$top_srcdir/tests/lib.sh"
test_setup deb

# The skip names what is missing; scripts/deps installs all of it.
for t in dpkg-buildpackage:dpkg-dev dh:debhelper fakeroot:fakeroot lintian:lintian; do
	command -v "${t%%:*}" >/dev/null 2>&1 ||
		tap_skip_all "${t%%:*} is not installed (apt-get install ${t#*:}; scripts/deps installs it)"
done

# A copy without build folders, caches or git: what a source package holds.
mkdir -p "$tmp/src/pilecon"
tar -C "$top_srcdir" --exclude=./build --exclude=./autom4te.cache --exclude=./.git \
    --exclude='./pilecon-*' -cf - . | tar -C "$tmp/src/pilecon" -xf - ||
	tap_bail "cannot copy the sources"
cd "$tmp/src/pilecon" || tap_bail "no copy"
DEB_BUILD_OPTIONS="nocheck parallel=2" timeout 1200 dpkg-buildpackage -b -us -uc \
    >"$tmp/build.log" 2>&1
st=$?
tap_result $st dpkg_buildpackage_builds_the_package
[ $st -eq 0 ] || { tail -n 40 "$tmp/build.log" | sed 's/^/# /'; tap_done; exit 1; }
deb=$(ls "$tmp"/src/pilecon_*.deb 2>/dev/null | grep -v dbgsym | head -n 1)
[ -n "$deb" ] || tap_bail "no .deb next to the sources"
echo "# built $(basename "$deb")"
dpkg-deb -c "$deb" | awk '{ print $NF }' | sed 's/^/#   /'

timeout 600 lintian --fail-on error "$deb" >"$tmp/lintian" 2>&1
st=$?
sed 's/^/# lintian: /' "$tmp/lintian"
tap_result $st lintian_finds_no_error

# A throwaway root with an empty dpkg database.
root=$tmp/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
: >"$root/var/lib/dpkg/status"
dpkg --root="$root" --force-depends --force-not-root --force-script-chrootless \
    --log=/dev/null -i "$deb" >"$tmp/dpkg.log" 2>&1
st=$?
[ $st -eq 0 ] || sed 's/^/# /' "$tmp/dpkg.log"
tap_result $st package_installs_into_a_throwaway_root
tap_like "$(dpkg --root="$root" -s pilecon 2>/dev/null | sed -n 's/^Status: //p')" \
	'install ok installed' dpkg_knows_it_installed
tap_like "$("$root/usr/bin/pilecon" --version 2>&1)" '^pilecon [0-9]' installed_pilecon_runs
tap_like "$("$root/usr/bin/pilesim" --help 2>&1 | head -n 1)" '^usage: pilesim' installed_pilesim_runs
out=$(MANPATH="$root/usr/share/man" MANWIDTH=80 man -P cat pilecon 2>&1)
tap_like "$out" 'console and batch tool for charging piles' man_pilecon_reads_from_the_package
out=$(MANPATH="$root/usr/share/man" MANWIDTH=80 man -P cat pilesim 2>&1)
tap_like "$out" 'simulated charging piles' man_pilesim_reads_from_the_package
for f in usr/share/bash-completion/completions/pilecon usr/share/pilecon/profiles/pile.yaml \
    usr/share/locale/zh_CN/LC_MESSAGES/pilecon.mo; do
	[ -f "$root/$f" ]
	tap_result $? "package_has_$(basename "$f")"
done
tap_done
