#!/bin/sh
# interop-libmodbus.sh - a small libmodbus master (tests/interop-libmodbus.c,
# which decodes the published map on its own) reads the identity and live
# blocks of a simulated pile and pulls its records with FC 23; its JSON is
# compared with `pilecon status --json` and with what pilesim stores.

. "$top_srcdir/tests/interop-lib.sh"

peer=$top_builddir/tests/interop-libmodbus
[ -x "$peer" ] || skip_all "libmodbus is not installed (apt-get install libmodbus-dev, then reconfigure)"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed to read the JSON"

start_sim --piles 3 --baud 115200 --frozen-clock
# 5 stored records: two full windows and a window of one.
make_state 5 || { echo "Bail out! could not set the pile up: $(tail -n 5 "$tmp/pilesim.log")"; exit 1; }

pc -a 1 --json status >"$tmp/st0.json" 2>"$tmp/pc.err"
tap $? "pilecon_status_answers_before"
timeout 60 "$peer" -b 115200 "$bus" 1 >"$tmp/peer.json" 2>"$tmp/peer.err"
rc=$?
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/peer.err"
tap $rc "libmodbus_peer_runs_every_transaction_without_error"
pc -a 1 --json status >"$tmp/st1.json" 2>>"$tmp/pc.err"
tap $? "pilecon_status_answers_after"
ctl pile records 1 --json >"$tmp/recs.json" 2>"$tmp/ctl.err"
tap $? "pilesim_lists_its_stored_records"

p() { jget "$1" <"$tmp/peer.json"; }
s() { jget "$1" <"$tmp/st1.json"; }

# ---- identity and live --------------------------------------------------
is "$(p identity.serial)" "$(s serial)" "serial_matches_pilecon_status"
is "$(p identity.serial)|$(p identity.vendor)|$(p identity.model)|$(p identity.firmware)|$(p identity.device_id)" \
    "SIM-0001|pilecon|pilesim-ac22|sim-1.0|PILE-SIM-0001" "identity_strings_are_the_published_sim_identity"
is "$(( $(p identity.protocol) / 256 ))" 1 "protocol_major_version_is_1"
is "$(p fc04_identity_same)" true "fc04_reads_the_same_identity_as_fc03"
is "$(p live.link)" "$(link_num "$(s link)")" "link_state_matches_pilecon"
is "$(p live.unsynced)" "$(s unsynced)" "unsynced_matches_pilecon"
is "$(p live.unsynced)" 5 "five_offline_records_are_unsynced"
is "$(p live.power_w)" "$(s power_w)" "power_w_matches_pilecon"
between "$(jget energy_wh <"$tmp/st0.json")" "$(p live.energy_wh)" "$(s energy_wh)" \
    "energy_wh_lies_between_pilecon_reads_before_and_after"
is "$(p live.tariff_version)" "$(s tariff_version)" "tariff_version_matches_pilecon"
is "$(p live.last_uid)" "$(s card.last_uid)" "last_uid_matches_pilecon"
is "$(p live.voltage_dv)" "$(s voltage_dv)" "voltages_match_pilecon"
is "$(p live.current_ca)" "$(s current_ca)" "currents_match_pilecon"
between "$(jget clock <"$tmp/st0.json")" "$(p live.clock)" "$(s clock)" "pile_clock_lies_between_pilecon_reads"

# ---- records by FC 23 ----------------------------------------------------
is "$(p records.length)" 5 "fc23_pull_reads_all_five_records"
is "$(p fc23_windows)" 3 "five_records_take_three_fc23_windows"
is "$(p bad_crc)" 0 "every_record_crc32_verifies_with_the_peer_crc"
is "$(p gaps)" 0 "record_sequence_numbers_are_continuous"
is "$(p records.0.seq)" "$(p live.first_seq)" "first_record_is_live_first_seq"
is "$(p records.4.seq)" "$(p live.last_seq)" "last_record_is_live_last_seq"
is "$(p cursor_readback)" "$(p records.4.seq)" "records_cursor_reads_back_the_last_value_written"
# Field by field against pilesim's own listing; a field pilesim names
# differently or leaves out fails here, which is the point.
python3 - "$tmp/peer.json" "$tmp/recs.json" >"$tmp/cmp.out" 2>&1 <<'EOF'
import json, sys
peer = json.load(open(sys.argv[1]))["records"]
t = open(sys.argv[2]).read()
try:
    sim = json.loads(t)
except ValueError:
    sim = [json.loads(l) for l in t.splitlines() if l.strip()]
if isinstance(sim, dict):
    sim = sim["records"]
# pilesim names enums in words and gives energy per period apart from the
# total; the peer keeps the wire's numbers.
words = {"kind": {"offline_card": 1, "online_card": 2, "app_order": 3},
         "stop_reason": {"unplugged": 1, "card": 2, "remote": 3, "energy_limit": 4,
                         "power_loss": 5, "fault": 6}}
bad = 0
if len(peer) != len(sim):
    print("count: peer %d, pilesim %d" % (len(peer), len(sim)))
    bad += 1
for p, s in zip(peer, sim):
    for k in ("seq", "kind", "tag", "start", "stop", "stop_reason", "meter_start_wh",
              "meter_stop_wh", "energy_wh", "tariff_version", "energy_fee_minor",
              "service_fee_minor", "offline", "synced", "holder", "crc"):
        v = s.get("energy_wh_periods") if k == "energy_wh" else s.get(k)
        if k in words and isinstance(v, str):
            v = words[k].get(v, v)
        if p[k] != v:
            print("seq %s: %s: peer %r, pilesim %r" % (p["seq"], k, p[k], v))
            bad += 1
sys.exit(1 if bad else 0)
EOF
rc=$?
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/cmp.out"
tap $rc "every_record_field_decoded_by_the_peer_matches_pilesim"
is "$(p records.0.tag)|$(p records.0.kind)|$(p records.0.offline)|$(p records.0.format)" \
    "$INTEROP_UID|1|true|1" "records_are_offline_card_records_of_the_swiped_card"
is "$(($(p records.0.meter_stop_wh) - $(p records.0.meter_start_wh)))" 7000 "a_7_kw_hour_meters_7000_wh"

# ---- writes without a session --------------------------------------------
is "$(p unauth_write.embxilfun)" true "wa_write_without_session_is_exception_01_embxilfun"
is "$(p unauth_write.last_error)" 1 "control_last_error_says_no_session"
is "$(p cross_block_read.embxiladd)" true "read_across_a_block_end_is_exception_02"
is "$(p readonly_write.embxiladd)" true "write_to_a_read_only_register_is_exception_02"

stop_sim
tap $? "pilesim_exits_cleanly_on_sigterm"
done_testing
