# End-to-end tests: pilecon against pilesim over a real pseudo-terminal.
E2E_TESTS = tests/e2e-offline-card.sh tests/e2e-app-order.sh \
	tests/e2e-card-refusal.sh tests/e2e-auth.sh tests/outage-custody.sh tests/e2e-signed.sh \
	tests/e2e-signed-provisioned-key.sh tests/e2e-resync-reconciles.sh \
	tests/e2e-report-day-boundary.sh tests/e2e-csv-formula-cells.sh tests/e2e-report-totals.sh \
	tests/e2e-signed-ocmf-verify.sh \
	tests/outage-cloud-import.sh tests/outage-scenario.sh tests/outage-cloud-store-reset.sh \
	tests/outage-custody-verified.sh tests/outage-unrecorded.sh
TESTS += $(E2E_TESTS)
EXTRA_DIST += tests/e2e-lib.sh $(E2E_TESTS) tests/bench/outage
