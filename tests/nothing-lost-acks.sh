#!/bin/sh
# Resync is idempotent: when the cloud stores a record but its acknowledgement
# is lost, the pile keeps the record unsynced and sends it again; the cloud
# keeps one copy (keyed by pile + sequence), in the pile's order, with the
# offline flag as it was.
. "$top_srcdir/tests/e2e-lib.sh"
start_sim --piles 2 --frozen-clock

ctl whitelist 1 add 04A1B2C3 >/dev/null
ctl link 1 down >/dev/null
# Three offline sessions, then one online, so both flags travel.
for i in 1 2 3; do
	ctl swipe 1 04A1B2C3 >/dev/null && ctl plug 1 >/dev/null &&
		ctl advance 900 >/dev/null && ctl unplug 1 >/dev/null
done
is "$(ctl pile status 1 --json | jget records.unsynced)" 3 "three_offline_records_wait_unsynced"

ok "cloud_drop_acks_is_accepted" ctl cloud drop-acks 4
ctl link 1 up >/dev/null
# Each lost ack costs the pile a 100 ms timeout before it resends.
i=0
while [ "$(ctl pile status 1 --json | jget records.unsynced)" != 0 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
is "$(ctl pile status 1 --json | jget records.unsynced)" 0 "all_synced_after_the_lost_acks"
st=$(ctl cloud stats --json)
is "$(printf '%s' "$st" | jget acks_dropped)" 4 "four_acks_were_lost"
is "$(printf '%s' "$st" | jget duplicates)" 4 "each_lost_ack_brought_one_resend"
is "$(printf '%s' "$st" | jget records)" 3 "cloud_keeps_one_copy_of_each"
is "$(wc -l <"$tmp/sim/cloud.jsonl" | tr -d ' ')" 3 "cloud_file_holds_each_record_once"
is "$(ctl cloud records --json | jget length)" 3 "cloud_records_lists_three"
order=$(python3 -c '
import json, sys
print(" ".join("%d:%s" % (r["seq"], r["offline"]) for r in map(json.loads, open(sys.argv[1]))))
' "$tmp/sim/cloud.jsonl")
is "$order" "1:True 2:True 3:True" "resent_records_keep_their_order_and_offline_flag"
crcs_pile=$(ctl pile records 1 --json | python3 -c 'import json,sys; print([r["crc"] for r in json.load(sys.stdin)])')
crcs_cloud=$(ctl cloud records --json | python3 -c 'import json,sys; print([r["crc"] for r in json.load(sys.stdin)])')
is "$crcs_cloud" "$crcs_pile" "cloud_copies_carry_the_pile_crcs"

# A record is synced only after an ack: with every ack lost, none is.
ctl swipe 1 04A1B2C3 >/dev/null && ctl plug 1 >/dev/null && ctl cloud drop-acks 1000000 >/dev/null
ctl advance 600 >/dev/null && ctl unplug 1 >/dev/null
sleep 0.5
is "$(ctl pile status 1 --json | jget records.unsynced)" 1 "no_ack_no_synced_mark"
is "$(ctl cloud records --json | jget length)" 4 "but_the_cloud_stored_it_once"
is "$(ctl pile records 1 --json | jget 3.offline)" false "online_record_has_no_offline_flag"
# pilesim killed while the acks are lost: the record is still unsynced after
# the restart, and the resend after it is again kept once.
kill -9 "$simpid"; wait "$simpid" 2>/dev/null
start_sim --piles 2 --frozen-clock
i=0
while [ "$(ctl pile status 1 --json | jget records.unsynced)" != 0 ] && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
is "$(ctl pile status 1 --json | jget records.unsynced)" 0 "resent_after_a_restart"
is "$(ctl cloud records --json | jget length)" 4 "still_one_copy_after_the_restart"
is "$(wc -l <"$tmp/sim/cloud.jsonl" | tr -d ' ')" 4 "cloud_file_still_one_line_each"
is "$(ctl cloud records --json | jget 3.offline)" false "resent_online_record_keeps_no_offline_flag"

out=$(ctl cloud drop-acks many 2>&1); rc=$?
is "$rc" 1 "bad_drop_acks_count_fails"
like "$out" "bad count 'many'" "bad_drop_acks_count_is_named"
done_testing
