#!/bin/sh
# provision-complete.sh - bash completion (`pilecon --complete`, driven by the
# command table) knows provision, whitelist sync and the new scan options.
. "$top_srcdir/tests/batch-lib.sh"

c() { "$PILECON" --complete -- "$@" | sort | tr '\n' ' ' | sed 's/ $//'; }

is "$(c pro)" "provision" "provision_completes"
is "$(c whitelist s)" "sync" "whitelist_sync_completes"
is "$(c provision --)" "--baud --dry-run --help --json --port" "provision_options"
is "$(c whitelist sync --)" "--dry-run --full --help --json --version" "whitelist_sync_options"
like "$(c scan --)" "--bauds" "scan_offers_bauds"
like "$(c provision --port "")" "tcp:" "provision_port_completes_ports"
mkdir -p "$tmp/d"
: >"$tmp/d/carpark.yaml"
is "$(c provision "$tmp/d/car")" "$tmp/d/carpark.yaml" "provision_file_completes_files"
is "$(c whitelist sync "$tmp/d/c")" "$tmp/d/carpark.yaml" "sync_file_completes_files"
"$PILECON" provision --help >"$tmp/help" 2>&1
like "$(cat "$tmp/help")" "usage: pilecon provision FILE.yaml \[--dry-run\]" "provision_help_names_the_usage"

done_testing
