/* unit-provision.c - the provisioning file parser: what a good file gives,
 * and that each kind of mistake is an error naming file:line:column (all of
 * them, not only the first); prices, time ranges, wlsync digests. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/provision.h"
#include "batch/wlsync.h"
#include "tap.h"

static char	dir[] = "/tmp/unit-provision-XXXXXX";

static char *
write_file(const char *name, const char *text)
{
	char	*path = xasprintf("%s/%s", dir, name);
	FILE	*f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	return path;
}

/* Parses text; returns the errors joined by '\n' (malloc'ed), or NULL when
 * the file is valid (pf is then filled). */
static char *
parse(const char *text, struct prov_file *pf)
{
	char	*path = write_file("p.yaml", text), **errs, *all = NULL, *t;
	size_t	 n, i;

	if (prov_parse(path, pf, &errs, &n) == 0) {
		free(path);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		t = xasprintf("%s%s%s", all ? all : "", all ? "\n" : "", errs[i]);
		free(all);
		all = t;
	}
	prov_errors_free(errs, n);
	prov_file_free(pf);
	free(path);
	return all;
}

/* The error for text contains want (after the file name). */
static void
rejects(const char *text, const char *want, const char *name)
{
	struct prov_file	 pf;
	char			*e = parse(text, &pf), *full;

	full = xasprintf("%s/p.yaml:%s", dir, want);
	ok(e != NULL && strstr(e, full) != NULL, "%s", name);
	if (e == NULL || strstr(e, full) == NULL)
		printf("#   got: %s\n#   wanted: %s\n", e ? e : "(valid)", full);
	free(full);
	free(e);
}

static const char good[] =
"# a car park\n"
"defaults:\n"
"  bus: {port: /dev/ttyUSB0, baud: 19200}\n"
"  clock_sync: true\n"
"  offline_auth:\n"
"    offline_charging: true\n"
"    unknown_card: accept\n"
"    offline_max_wh: 30000\n"
"  offline_tariff:\n"
"    version: 7\n"
"    periods:\n"
"      peak:   {energy: 1.2, service: \"0.80000\"}\n"
"      valley: {energy: 0.31234, service: 0.8}\n"
"    slots:\n"
"      00:00-08:00: valley\n"
"      08:00-24:00: peak\n"
"  whitelist:\n"
"    - {uid: 04a1b2c3, holder: 张三, expires: 2027-12-31}\n"
"piles:\n"
"  - address: 1\n"
"  - serial: SIM-0002\n"
"    clock_sync: false\n"
"    offline_auth: {unknown_card: refuse}\n"
"    force_offline: {on: true, for: 2h}\n"
"    whitelist:\n"
"      - uid: 0A0B0C0D\n"
"        status: blocked\n"
"      - {uid: 01020304}\n"
"  - address: 3\n"
"    force_offline: off\n";

static void
test_good(void)
{
	struct prov_file	 pf;
	struct prov_pile	*p;
	char			*e = parse(good, &pf);

	ok(e == NULL, "good_file_is_valid");
	if (e != NULL)
		printf("#   %s\n", e);
	if (e != NULL) {
		free(e);
		return;
	}
	is_int(pf.npiles, 3, "good_file_three_piles");
	is_str(pf.port, "/dev/ttyUSB0", "defaults_bus_port");
	is_int(pf.baud, 19200, "defaults_bus_baud");
	p = &pf.piles[0];
	is_int(p->addr, 1, "pile_by_address");
	ok(p->has_whitelist && p->nwl == 1, "pile_inherits_the_default_whitelist");
	is_str(p->wl[0].uid, "04A1B2C3", "inline_uid_is_normalized");
	is_str(p->wl[0].holder, "张三", "inline_holder_keeps_utf8");
	is_int(p->wl[0].expiry, 1830297599, "inline_expiry_is_the_end_of_that_day_utc");
	ok(p->has_unknown && p->auth.unknown_card == 1, "default_unknown_card_accept");
	is_int(p->auth.offline_max_wh, 30000, "default_offline_max_wh");
	ok(p->clock_sync == 1, "pile_inherits_clock_sync");
	ok(p->has_tariff && p->tariff.version == 7, "pile_inherits_the_tariff");
	is_int(p->tariff.energy_price[1], 120000, "price_1.2_is_120000");
	is_int(p->tariff.energy_price[3], 31234, "price_five_places");
	is_int(p->tariff.service_price[1], 80000, "quoted_price");
	is_int(p->tariff.slot_period[0], 3, "slot_00_00_is_valley");
	is_int(p->tariff.slot_period[15], 3, "slot_07_30_is_valley");
	is_int(p->tariff.slot_period[16], 1, "slot_08_00_is_peak");
	is_int(p->tariff.slot_period[47], 1, "slot_23_30_is_peak");
	ok(!p->has_force, "no_force_offline_unless_given");
	p = &pf.piles[1];
	is_str(p->serial, "SIM-0002", "pile_by_serial");
	is_int(p->addr, 0, "pile_by_serial_has_no_address_yet");
	is_int(p->clock_sync, 0, "pile_overrides_clock_sync");
	ok(p->has_unknown && p->auth.unknown_card == 0, "pile_overrides_one_setting");
	ok(p->has_max_wh && p->auth.offline_max_wh == 30000,
	    "pile_keeps_the_other_default_settings");
	ok(p->has_force && p->force_on && p->force_for_s == 7200, "force_offline_on_for_2h");
	is_int(p->nwl, 2, "pile_whitelist_replaces_the_default");
	is_int(p->wl[0].status, PROTO_WL_BLOCKED, "inline_status_blocked");
	is_int(p->wl[1].status, PROTO_WL_ACCEPTED, "inline_status_defaults_to_accepted");
	p = &pf.piles[2];
	ok(p->has_force && !p->force_on, "force_offline_off");
	prov_file_free(&pf);
}

static void
test_errors(void)
{
	struct prov_file	 pf;
	char			*e, *csv;

	rejects("piles:\n  - address: 1\n    colour: red\n", "3:5: unknown key 'colour' in a pile",
	    "unknown_pile_key_names_line_and_column");
	rejects("defaults:\n  clok_sync: true\npiles:\n  - address: 1\n",
	    "2:3: unknown key 'clok_sync' in defaults", "unknown_default_key");
	rejects("piles:\n  - address: 1\n    offline_auth: {unknown_card: maybe}\n",
	    "3:34: bad value 'maybe' for 'unknown_card': expected 'refuse' or 'accept'",
	    "bad_policy_word");
	rejects("piles:\n  - address: 300\n", "2:14: bad value '300' for 'address'",
	    "address_out_of_range");
	rejects("piles:\n  - address: [1, 2]\n", "2:14: 'address' needs a whole number, not a list",
	    "wrong_type_list_for_number");
	rejects("piles:\n  - address: 1\n    offline_auth: true\n",
	    "3:19: 'offline_auth' needs a mapping of keys, not a single value",
	    "wrong_type_scalar_for_mapping");
	rejects("piles:\n  - address: 1\n    clock_sync: sometimes\n",
	    "3:17: bad value 'sometimes' for 'clock_sync': expected true or false",
	    "bad_boolean");
	rejects("piles:\n  - address: 1\n    force_offline: {on: true, for: 9d}\n",
	    "3:36: bad duration '9d' for 'for': a pile is forced offline for at most 7 days",
	    "force_offline_longer_than_7_days");
	rejects("piles:\n  - address: 1\n    force_offline: {on: true}\n",
	    "3:20: 'force_offline' with 'on: true' needs 'for'", "force_offline_on_needs_for");
	rejects("piles:\n  - address: 1\n    key_rotation: {key_file: new.yaml}\n",
	    "3:19: key rotation is not supported by protocol version 1.0",
	    "key_rotation_is_refused_at_validation");
	rejects("piles:\n  - serial: A\n    public_key: 3059xyz\n",
	    "3:17: 'public_key' is not hex", "public_key_that_is_not_hex");
	rejects("piles:\n  - serial: A\n    public_key: 04abcd\n",
	    "3:17: 'public_key' is not a P-256 public key", "public_key_of_the_wrong_length");
	rejects("piles:\n  - address: 1\n    public_key: 04abcd\n",
	    "3:17: 'public_key' needs the pile's 'serial' beside it", "public_key_needs_a_serial");
	rejects("defaults:\n  public_key: 04\npiles:\n  - address: 1\n",
	    "2:3: 'public_key' names one pile", "public_key_in_defaults_is_refused");
	rejects("piles:\n  - address: 1\n    whitelist:\n      - {uid: XYZ}\n",
	    "4:15: bad card UID 'XYZ'", "bad_uid");
	rejects("piles:\n  - address: 1\n    whitelist:\n      - {uid: 04A1B2C3}\n"
	    "      - {uid: 04:a1:b2:c3}\n",
	    "5:9: card '04A1B2C3' is listed twice", "duplicate_uid_in_one_list");
	rejects("piles:\n  - address: 1\n    whitelist:\n      - {holder: x}\n",
	    "4:9: a whitelist entry needs a 'uid'", "entry_needs_uid");
	rejects("piles:\n  - address: 1\n    whitelist:\n      - {uid: 04A1B2C3, expires: "
	    "2027-13-45}\n", "4:34: bad date '2027-13-45'", "bad_expiry_date");
	rejects("piles:\n  - address: 1\n  - address: 1\n",
	    "3:5: address 1 is given twice (first at line 2)", "duplicate_address");
	rejects("piles:\n  - serial: A\n  - serial: A\n",
	    "3:5: serial 'A' is given twice", "duplicate_serial");
	rejects("piles:\n  - clock_sync: true\n",
	    "2:5: a pile needs an 'address' (1-247) or a 'serial'", "pile_needs_address_or_serial");
	rejects("piles: []\n", "1:8: 'piles' is empty", "empty_piles");
	rejects("defaults: {}\n", "1:1: the file needs 'piles'", "missing_piles");
	rejects("piles:\n  - address: 1\n    address: 2\n",
	    "3:5: key 'address' is given twice (first at line 2)", "key_given_twice");
	rejects("piles:\n  - address: 1\n  bad indent\n", "4:1: could not find expected ':'", "yaml_syntax_error_has_a_position");
	rejects("piles:\n  - address: 1\n    offline_tariff:\n      version: 2\n"
	    "      periods: {valley: {energy: 0.123456, service: 0}}\n"
	    "      slots: {\"00:00-24:00\": valley}\n",
	    "5:34: bad price '0.123456' for 'energy' of 'valley': expected a decimal per kWh "
	    "with at most 5 places", "price_with_six_places");
	rejects("piles:\n  - address: 1\n    offline_tariff:\n      version: 2\n"
	    "      periods: {valley: {energy: 1, service: 0}}\n"
	    "      slots: {\"00:00-12:00\": valley}\n",
	    "6:14: the slots leave 12:00-12:30 without a period", "slots_must_cover_the_day");
	rejects("piles:\n  - address: 1\n    offline_tariff:\n      version: 2\n"
	    "      periods: {valley: {energy: 1, service: 0}}\n"
	    "      slots: {\"00:00-13:00\": valley, \"12:00-24:00\": valley}\n",
	    "6:38: time range '12:00-24:00' overlaps the range at line 6 (12:00)",
	    "overlapping_slots");
	rejects("piles:\n  - address: 1\n    offline_tariff:\n      version: 2\n"
	    "      periods: {valley: {energy: 1, service: 0}}\n"
	    "      slots: {\"00:00-08:15\": valley}\n",
	    "6:15: bad time range '00:00-08:15'", "slots_on_half_hours");
	rejects("piles:\n  - address: 1\n    offline_tariff:\n      version: 2\n"
	    "      periods: {valley: {energy: 1, service: 0}}\n"
	    "      slots: {\"00:00-24:00\": peak}\n",
	    "4:7: the slots use period 'peak' but 'periods' gives no prices for it",
	    "slot_period_needs_prices");
	rejects("piles:\n  - address: 1\n    whitelist_csv: missing.csv\n",
	    "3:20: cannot open whitelist CSV", "missing_csv_file");
	csv = write_file("bad.csv", "uid,status,expires,holder\n04A1B2C3,maybe,,\n");
	free(csv);
	rejects("piles:\n  - address: 1\n    whitelist_csv: bad.csv\n",
	    "3:20: bad whitelist CSV: ", "bad_csv_line_names_both_files");
	rejects("piles:\n  - address: 1\n    whitelist: [{uid: 04A1B2C3}]\n"
	    "    whitelist_csv: bad.csv\n", "4:20: give the cards either inline",
	    "inline_and_csv_are_exclusive");

	/* Every error, not only the first. */
	e = parse("piles:\n  - address: 0\n    colour: red\n  - address: 2\n    "
	    "clock_sync: 3\n", &pf);
	ok(e != NULL && strstr(e, "2:14:") && strstr(e, "3:5:") && strstr(e, "5:17:"),
	    "all_errors_are_reported");
	free(e);
}

static void
test_values(void)
{
	uint32_t	v;
	unsigned	a, b;

	ok(prov_parse_price("0.85", &v) == 0 && v == 85000, "price_0.85");
	ok(prov_parse_price("12", &v) == 0 && v == 1200000, "price_integer");
	ok(prov_parse_price("42949.67295", &v) == 0 && v == UINT32_MAX, "price_max");
	ok(prov_parse_price("42949.67296", &v) != 0, "price_over_32_bits");
	ok(prov_parse_price("-1", &v) != 0, "price_negative");
	ok(prov_parse_price("1e3", &v) != 0, "price_exponent");
	ok(prov_parse_price("1.", &v) != 0, "price_trailing_point");
	ok(prov_parse_price("", &v) != 0, "price_empty");
	ok(prov_parse_slot_range("22:30-24:00", &a, &b) == 0 && a == 45 && b == 48,
	    "range_to_midnight");
	ok(prov_parse_slot_range("08:00-08:00", &a, &b) != 0, "empty_range");
	ok(prov_parse_slot_range("10:00-08:00", &a, &b) != 0, "backward_range");
	ok(prov_parse_slot_range("24:00-24:00", &a, &b) != 0, "range_after_midnight");
}

static void
test_digest(void)
{
	struct proto_wl_entry	e[3];
	char			*cause = NULL;

	memset(e, 0, sizeof e);
	strcpy(e[0].uid, "0B000000");
	strcpy(e[1].uid, "0A000000");
	strcpy(e[2].uid, "0C000000");
	e[0].status = e[1].status = e[2].status = PROTO_WL_ACCEPTED;
	is_int(wlsync_digest(e, 0), 0, "digest_of_the_empty_list_is_0");
	ok(wlsync_sort(e, 3, &cause) == 0 && strcmp(e[0].uid, "0A000000") == 0,
	    "sort_puts_uids_in_pile_order");
	strcpy(e[2].uid, "0A000000");
	ok(wlsync_sort(e, 3, &cause) != 0 && cause && strstr(cause, "0A000000"),
	    "sort_rejects_a_uid_given_twice");
	free(cause);
}

/* The commented examples in data/examples are valid files. */
static void
test_examples(void)
{
	static const char *const names[] = { "carpark-20.yaml", "fleet-outage.yaml" };
	const char		*top = getenv("top_srcdir");
	struct prov_file	 pf;
	char			*path, **errs;
	size_t			 i, n, k;
	int			 rc;

	for (i = 0; i < nitems(names); i++) {
		path = xasprintf("%s/data/examples/%s", top ? top : ".", names[i]);
		rc = prov_parse(path, &pf, &errs, &n);
		ok(rc == 0, "example_%s_is_valid", names[i]);
		for (k = 0; k < n; k++)
			printf("#   %s\n", errs[k]);
		if (rc == 0 && i == 0) {
			is_int(pf.npiles, 20, "carpark_example_has_20_piles");
			ok(pf.piles[19].has_whitelist && pf.piles[19].nwl == 24,
			    "carpark_example_cards_from_the_csv");
			ok(pf.piles[18].auth.unknown_card == 1 &&
			    pf.piles[18].auth.offline_max_wh == 15000 &&
			    pf.piles[18].has_expired && pf.piles[18].auth.expired_card == 0,
			    "carpark_visitor_pile_overrides_two_settings");
		}
		if (rc == 0 && i == 1)
			ok(pf.npiles == 7 && pf.piles[0].serial[0] != '\0' &&
			    pf.piles[0].wl_version == 2612 && pf.piles[6].has_force &&
			    !pf.piles[6].force_on, "fleet_example_by_serial_with_version");
		prov_errors_free(errs, n);
		prov_file_free(&pf);
		free(path);
	}
}

/* The P-256 generator G (SEC 2 v2, 2.4.2) is a point of the curve. */
#define P256_G	"6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296" \
		"4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5"

static void
test_public_key(void)
{
	struct prov_file	 pf;
	char			*e;

	e = parse("piles:\n  - serial: A\n    public_key: \"04:" P256_G "\"\n", &pf);
	ok(e == NULL && pf.npiles == 1 && pf.piles[0].has_pubkey &&
	    pf.piles[0].pubkey[0] == 0x6B && pf.piles[0].pubkey[63] == 0xF5,
	    "public_key_04_x_y_with_colons_is_read");
	if (e == NULL)
		prov_file_free(&pf);
	free(e);
	/* Y's last byte changed: for this X only Y and p - Y lie on the curve. */
	rejects("piles:\n  - serial: A\n    public_key: " P256_G "\n"
	    "  - serial: B\n    public_key: 6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0"
	    "F4A13945D898C2964FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F4\n",
	    "5:17: 'public_key' is not a point of the P-256 curve", "public_key_off_the_curve");
}

int
main(void)
{
	char	*cmd;

	if (mkdtemp(dir) == NULL)
		return 1;
	test_good();
	test_errors();
	test_public_key();
	test_values();
	test_digest();
	test_examples();
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# cannot remove %s\n", dir);
	free(cmd);
	return done_testing();
}
