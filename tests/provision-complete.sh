#!/bin/sh
# provision-complete.sh - bash completion (`pilecon --complete`, driven by the
# command table) knows provision, whitelist sync and the new scan options.
. "$top_srcdir/tests/batch-lib.sh"

c() { "$PILECON" --complete -- "$@" | sort | tr '\n' ' ' | sed 's/ $//'; }

is "$(c pro)" "provision" "provision_completes"
is "$(c whitelist s)" "sync" "whitelist_sync_completes"
is "$(c provision --)" "--baud --dry-run --help --json --port --replace-keys" "provision_options"
is "$(c whitelist sync --)" "--by --dry-run --full --help --json --version" "whitelist_sync_options"
like "$(c scan --)" "--bauds" "scan_offers_bauds"
like "$(c provision --port "")" "tcp:" "provision_port_completes_ports"
mkdir -p "$tmp/d"
: >"$tmp/d/carpark.yaml"
is "$(c provision "$tmp/d/car")" "$tmp/d/carpark.yaml" "provision_file_completes_files"
is "$(c whitelist sync "$tmp/d/c")" "$tmp/d/carpark.yaml" "sync_file_completes_files"
"$PILECON" provision --help >"$tmp/help" 2>&1
like "$(cat "$tmp/help")" "usage: pilecon provision FILE.yaml \[--dry-run\]" "provision_help_names_the_usage"

# pilecon-provision(5) documents every key the parser knows.
man5=$top_srcdir/man/pilecon-provision.5
missing=""
for k in defaults piles bus port baud address serial whitelist whitelist_csv \
    whitelist_version uid status expires holder offline_auth offline_charging \
    unknown_card expired_card offline_max_wh offline_tariff version periods \
    energy service slots clock_sync force_offline custody public_key key_rotation; do
	grep -Eq "(^|[^a-z_])$k([^a-z_]|\$)" "$man5" || missing="$missing $k"
done
is "$missing" "" "every_provisioning_key_is_in_pilecon_provision_5"
grep -qF 'pilecon\-provision (5)' "$top_srcdir/man/pilecon.1"
tap $? "pilecon_1_points_to_the_file_format"

done_testing
