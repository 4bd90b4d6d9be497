#!/bin/sh
# interop-mbpoll.sh - mbpoll, a stock Modbus master, reads a simulated pile
# using only the published register map: identity and live blocks (FC 03 and
# FC 04), and the record window through the FC 16 + FC 03 fallback (mbpoll has
# no FC 23). Every value is decoded here, in the shell, and compared with
# `pilecon status --json` and with what pilesim says it stores.

. "$top_srcdir/tests/interop-lib.sh"

command -v mbpoll >/dev/null 2>&1 || skip_all "mbpoll is not installed (apt-get install mbpoll)"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed to read pilecon's JSON"
command -v gzip >/dev/null 2>&1 || skip_all "gzip is needed for its CRC-32"

start_sim --piles 3 --baud 115200 --frozen-clock
make_state || { echo "Bail out! could not set the pile up: $(tail -n 5 "$tmp/pilesim.log")"; exit 1; }

# mb_read OUT TABLE ADDR COUNT: one mbpoll poll of COUNT registers from ADDR
# (0-based) of pile 1; OUT gets "ADDR VALUE" lines, values in decimal.
mb_read() {
	timeout 15 mbpoll -m rtu -b 115200 -d 8 -s 1 -P even -a 1 -0 -1 -o 2 \
	    -t "$2:hex" -r "$(($3))" -c "$4" "$bus" >"$1.raw" 2>&1 || return 1
	sed -n 's/^\[\([0-9][0-9]*\)\]:[[:space:]]*0x\([0-9A-Fa-f][0-9A-Fa-f]*\).*/\1 \2/p' "$1.raw" |
	    while read -r a h; do echo "$a $((0x$h))"; done >"$1"
	[ "$(wc -l <"$1")" -eq "$4" ]
}
# r FILE ADDR: one register; u32 FILE ADDR: high word first
r() { awk -v a="$(($2))" '$1 == a { print $2; f = 1 } END { if (!f) print "" }' "$1"; }
u32() {
	hi=$(r "$1" "$2")
	lo=$(r "$1" "$(($2 + 1))")
	[ -n "$hi" ] && [ -n "$lo" ] && echo $((hi * 65536 + lo))
}
# str FILE ADDR COUNT: COUNT registers of NUL-padded text, two bytes each,
# high byte first
str() {
	awk -v a="$(($2))" -v n="$(($3))" '
	{ v[$1] = $2 }
	END {
		s = ""
		for (i = a; i < a + n; i++) {
			hi = int(v[i] / 256); lo = v[i] % 256
			if (hi == 0) break
			s = s sprintf("%c", hi)
			if (lo == 0) break
			s = s sprintf("%c", lo)
		}
		print s
	}' "$1"
}

pc -a 1 --json status >"$tmp/st0.json" 2>"$tmp/pc.err"
tap $? "pilecon_status_answers_for_pile_1"

# ---- identity block, FC 03 and FC 04 -----------------------------------
mb_read "$tmp/id" 4 0x0000 54
tap $? "mbpoll_reads_the_54_register_identity_block_with_fc03"
is "$(( $(r "$tmp/id" 0x0000) / 256 ))" 1 "identity_protocol_major_version_is_1"
is "$(str "$tmp/id" 0x0012 8)" "$(jget serial <"$tmp/st0.json")" \
    "serial_decoded_from_registers_matches_pilecon_status"
is "$(str "$tmp/id" 0x0012 8)" "SIM-0001" "serial_of_address_1_is_sim_0001"
is "$(str "$tmp/id" 0x0002 8)|$(str "$tmp/id" 0x000A 8)|$(str "$tmp/id" 0x001A 8)" \
    "pilecon|pilesim-ac22|sim-1.0" "vendor_model_firmware_strings_decode_from_the_map"
is "$(str "$tmp/id" 0x0022 16)" "PILE-SIM-0001" "device_id_decodes_from_16_registers"
caps=$(r "$tmp/id" 0x0001)
is "$((caps & 1))" 1 "capabilities_announce_fc23"
mb_read "$tmp/id4" 3 0x0000 54
tap $? "mbpoll_reads_the_identity_block_with_fc04"
if cmp -s "$tmp/id" "$tmp/id4"; then tap 0 "fc04_reads_the_same_registers_as_fc03"; else
	tap 1 "fc04_reads_the_same_registers_as_fc03"; fi

# ---- live block, bracketed by two pilecon reads -------------------------
# The pile meters in real time, so energy and clock may move between reads:
# mbpoll's value must lie between pilecon's before and after.
mb_read "$tmp/live" 4 0x0100 88
tap $? "mbpoll_reads_the_88_register_live_block_in_one_poll"
pc -a 1 --json status >"$tmp/st1.json" 2>>"$tmp/pc.err"
tap $? "pilecon_status_answers_again"
# pilecon before (st0) and after (st1)
for f in st0 st1; do
	jget energy_wh <"$tmp/$f.json" >"$tmp/$f.energy"
	jget clock <"$tmp/$f.json" >"$tmp/$f.clock"
done
is "$(u32 "$tmp/live" 0x0120)" "$(jget power_w <"$tmp/st1.json")" "power_w_u32_high_word_first_matches_pilecon"
is "$(u32 "$tmp/live" 0x0120)" 7000 "power_is_the_7000_w_set_by_the_sim"
between "$(cat "$tmp/st0.energy")" "$(u32 "$tmp/live" 0x0122)" "$(cat "$tmp/st1.energy")" \
    "energy_wh_lies_between_pilecon_reads_before_and_after"
tap "$([ "$(u32 "$tmp/live" 0x0122)" -ge 7000 ] 2>/dev/null; echo $?)" "energy_register_holds_the_stored_hour_at_7_kw"
is "$(u32 "$tmp/live" 0x0105)" "$(jget unsynced <"$tmp/st1.json")" "unsynced_matches_pilecon"
is "$(u32 "$tmp/live" 0x0105)" 1 "one_offline_record_is_unsynced"
is "$(r "$tmp/live" 0x0100)" "$(link_num "$(jget link <"$tmp/st1.json")")" "link_state_matches_pilecon"
is "$(r "$tmp/live" 0x0100)" 1 "link_state_is_offline_after_link_down"
is "$(u32 "$tmp/live" 0x013A)" "$(jget tariff_version <"$tmp/st1.json")" "tariff_version_matches_pilecon"
is "$(str "$tmp/live" 0x010C 10)" "$(jget card.last_uid <"$tmp/st1.json")" "last_uid_string_matches_pilecon"
is "$(str "$tmp/live" 0x010C 10)" "$INTEROP_UID" "last_uid_is_the_swiped_card"
is "$(r "$tmp/live" 0x011A) $(r "$tmp/live" 0x011B) $(r "$tmp/live" 0x011C)" \
    "$(jget voltage_dv.0 <"$tmp/st1.json") $(jget voltage_dv.1 <"$tmp/st1.json") $(jget voltage_dv.2 <"$tmp/st1.json")" \
    "per_phase_voltage_matches_pilecon"
between "$(cat "$tmp/st0.clock")" "$(u32 "$tmp/live" 0x013C)" "$(cat "$tmp/st1.clock")" \
    "pile_clock_lies_between_pilecon_reads"

# ---- records through the FC 16 + FC 03 fallback -------------------------
first=$(u32 "$tmp/live" 0x0107)
last=$(u32 "$tmp/live" 0x0109)
ctl pile records 1 --json >"$tmp/recs.json" 2>"$tmp/ctl.err"
tap $? "pilesim_lists_its_stored_records"
# Accept a bare array, {"records": [...]} or JSON lines.
python3 -c '
import json, sys
t = open(sys.argv[1]).read()
try:
    v = json.loads(t)
except ValueError:
    v = [json.loads(l) for l in t.splitlines() if l.strip()]
if isinstance(v, dict):
    v = v["records"]
json.dump(v, sys.stdout)
' "$tmp/recs.json" >"$tmp/recs.norm.json" 2>/dev/null
is "$first" "$(jget 0.seq <"$tmp/recs.norm.json")" "live_first_seq_is_the_first_stored_record"
is "$last" "$(jget "$(($(jget length <"$tmp/recs.norm.json") - 1)).seq" <"$tmp/recs.norm.json")" \
    "live_last_seq_is_the_last_stored_record"

# records.cursor is RW: a plain FC 16 of two registers, no key.
timeout 15 mbpoll -m rtu -b 115200 -d 8 -s 1 -P even -a 1 -0 -1 -o 2 -t 4 -r 4096 \
    "$bus" $((first / 65536)) $((first % 65536)) >"$tmp/wr.out" 2>&1
tap $? "fc16_write_of_records_cursor_needs_no_key"
mb_read "$tmp/win" 4 0x1002 125
tap $? "fc03_reads_the_125_register_record_window"
is "$(r "$tmp/win" 0x1002)" 1 "window_count_register_says_one_record"

# Record 1 starts at 0x1003: the 124-byte layout of pilecon-protocol(7).
R=$((0x1003))
rb() { v=$(r "$tmp/win" $((R + $1 / 2))); if [ $(($1 % 2)) -eq 0 ]; then echo $((v / 256)); else echo $((v % 256)); fi; }
ru32() { u32 "$tmp/win" $((R + $1 / 2)); }
seq=$(ru32 0)
is "$seq" "$first" "record_seq_is_the_cursor_written"
is "$(rb 4)" "$(jget 0.kind <"$tmp/recs.norm.json" | sed 's/^offline.*card$/1/;s/^online.*card$/2/;s/^app.order$/3/')" \
    "record_kind_matches_pilesim"
is "$(rb 4)" 1 "record_kind_is_offline_card"
is "$(($(rb 5) & 1))" 1 "record_offline_flag_is_set"
is "$(rb 7)" 1 "record_format_byte_is_1"
is "$(str "$tmp/win" $((R + 4)) 10)" "$(jget 0.tag <"$tmp/recs.norm.json" 2>/dev/null || jget 0.uid <"$tmp/recs.norm.json")" \
    "record_tag_matches_pilesim"
is "$(str "$tmp/win" $((R + 4)) 10)" "$INTEROP_UID" "record_tag_is_the_swiped_card"
e=0
for p in 0 1 2 3; do e=$((e + $(ru32 $((44 + 4 * p))))); done
is "$e" 7000 "record_energy_per_period_sums_to_7000_wh"
is "$(($(ru32 40) - $(ru32 36)))" 7000 "record_meter_stop_minus_start_is_7000_wh"
is "$(ru32 28)|$(ru32 32)|$(ru32 36)|$(ru32 40)|$(ru32 60)" \
    "$(jget 0.start <"$tmp/recs.norm.json")|$(jget 0.stop <"$tmp/recs.norm.json")|$(jget 0.meter_start_wh <"$tmp/recs.norm.json")|$(jget 0.meter_stop_wh <"$tmp/recs.norm.json")|$(jget 0.tariff_version <"$tmp/recs.norm.json")" \
    "record_times_meter_and_tariff_version_match_pilesim"

# CRC-32 (IEEE, as gzip uses) of bytes 0..119 with the synced flag cleared,
# computed by gzip: its trailer holds the CRC-32 of the input, low byte first.
bytes=""
i=0
while [ $i -lt 120 ]; do
	b=$(rb $i)
	[ $i -eq 5 ] && b=$((b & ~2))
	bytes="$bytes\\$(printf '%03o' "$b")"
	i=$((i + 1))
done
# shellcheck disable=SC2059
crc_gz=$(printf "$bytes" | gzip -c | tail -c 8 | od -An -tu1 -N4 |
    awk '{ printf "%.0f\n", $1 + 256 * ($2 + 256 * ($3 + 256 * $4)) }')
is "$(ru32 120)" "$crc_gz" "record_crc32_verifies_with_an_independent_crc"

# A cursor past the last record gives an empty window, not an error.
timeout 15 mbpoll -m rtu -b 115200 -P even -a 1 -0 -1 -o 2 -t 4 -r 4096 \
    "$bus" $(((last + 1) / 65536)) $(((last + 1) % 65536)) >"$tmp/wr2.out" 2>&1
mb_read "$tmp/win2" 4 0x1002 125
is "$?:$(r "$tmp/win2" 0x1002)" "0:0" "cursor_past_the_last_record_gives_an_empty_window"

# A read crossing the end of the identity block (0x0056 in 1.1) is refused
# (illegal address).
timeout 15 mbpoll -m rtu -b 115200 -P even -a 1 -0 -1 -o 2 -t 4 -r 80 -c 8 "$bus" >"$tmp/bad.out" 2>&1
grep -qi 'illegal data address' "$tmp/bad.out"
tap $? "read_past_a_block_end_is_illegal_data_address"

stop_sim
tap $? "pilesim_exits_cleanly_on_sigterm"
done_testing
