# tui-lib.sh - sourced by tests/tui-*.sh: a private pilesim bus of 3 piles
# and pilecon's console in tmux on a private socket, fixed environment,
# every wait bounded (tests/lib.sh under the names these tests use).
# GENERATE=1 rewrites the golden screens.
set -u
. "$top_srcdir/tests/lib.sh"
PILESIM=$top_builddir/pilesim

ok() { tap_result "$@"; }	# ok STATUS NAME: STATUS 0 is a pass
skip_all() { tap_skip_all "$@"; }
done_testing() { tap_done; }

command -v tmux >/dev/null 2>&1 || skip_all "tmux is not installed"
[ -x "$top_builddir/pilesim" ] || skip_all "pilesim is not built"
[ -x "$top_builddir/pilecon" ] || skip_all "pilecon is not built"

test_setup tui
export LANG=C.UTF-8 LC_ALL=C.UTF-8
unset NO_COLOR
# One tmux server (private socket) per console started, so a new console
# never races the previous server's exit.
consoles=0
sock=pc$$-0
cleanup_hook() {
	i=0
	while [ $i -le $consoles ]; do
		tmux -L "pc$$-$i" kill-server >/dev/null 2>&1
		i=$((i + 1))
	done
}

start_sim() { sim_start --piles 3 "$@"; }	# [pilesim options]
stop_sim() { sim_stop; }
ctl() {
	timeout 10 "$PILESIM" ctl --data "$tmp/sim" "$@"
}
batch() {	# pilecon batch command on the same bus
	timeout 20 "$top_builddir/pilecon" -p "$tmp/sim/bus" --keys "$tmp/sim/keys.yaml" "$@"
}

# The console runs in a shell that records the terminal modes before and
# after, so a test can prove it left the terminal as it found it. It opens
# $console_port when set, else pilesim's bus.
start_console() {	# [WIDTH HEIGHT [pilecon options]]
	w=${1:-80}
	h=${2:-24}
	[ $# -ge 2 ] && shift 2
	cat >"$tmp/run.sh" <<RUN
ulimit -c 0
# Ctrl-C goes to the whole foreground group: this shell must outlive it (a
# handler, not SIG_IGN, which pilecon would inherit).
trap true INT
stty -g >"$tmp/stty.before"
sh -c 'echo \$\$ >"$tmp/pid"; exec env TERM=xterm-256color "$top_builddir/pilecon" -p "${console_port:-$tmp/sim/bus}" --keys "$tmp/sim/keys.yaml" $*'
echo "pilecon exited \$?" >"$tmp/exit"
stty -g >"$tmp/stty.after"
echo "pilecon exited"
sleep 600
RUN
	[ $consoles -gt 0 ] && tmux -L "$sock" kill-server >/dev/null 2>&1
	consoles=$((consoles + 1))
	sock=pc$$-$consoles
	rm -f "$tmp/exit" "$tmp/stty.after" "$tmp/pid"
	tmux -L "$sock" -f /dev/null new -d -x "$w" -y "$h" "sh $tmp/run.sh"
}
screen() {
	tmux -L "$sock" capture-pane -p 2>/dev/null
}
keys() {
	tmux -L "$sock" send-keys "$@"
}
# Waits up to $2 seconds (default 10) for a line matching the ERE $1.
wait_for() {
	i=0
	limit=$(( ${2:-10} * 10 ))
	while ! screen | grep -Eq -- "$1"; do
		i=$((i + 1))
		if [ $i -ge $limit ]; then
			echo "# timed out waiting for /$1/; the screen was:"
			screen | sed 's/^/# |/'
			return 1
		fi
		sleep 0.1
	done
	return 0
}
# Volatile fields: the temp folder, clocks, dates.
mask() {
	sed -e "s| *$tmp/sim/bus| TMP/sim/bus|g" -e "s|$tmp|TMP|g" \
	    -e 's/[0-9][0-9]:[0-9][0-9]:[0-9][0-9]/HH:MM:SS/g' \
	    -e 's/[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]/YYYY-MM-DD/g' \
	    -e 's/ *$//'
}
golden() {	# NAME: compares the masked screen with tests/golden/NAME.txt
	screen | mask >"$tmp/$1.txt"
	if [ "${GENERATE:-0}" = 1 ]; then
		cp "$tmp/$1.txt" "$top_srcdir/tests/golden/$1.txt"
		return 0
	fi
	if ! diff -u "$top_srcdir/tests/golden/$1.txt" "$tmp/$1.txt" >"$tmp/$1.diff"; then
		sed 's/^/# /' "$tmp/$1.diff"
		return 1
	fi
	return 0
}
