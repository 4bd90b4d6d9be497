/* unit-pile-api.c - the pile_* calls against the fake slave: identity, keys
 * and sessions (lazy, expired, wrong, missing), settings, tariff, whitelist
 * commands and their result register, record windows by FC 23 and by the
 * FC 16 + FC 03 fallback, and a record that fails its CRC-32. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "fakeslave.h"
#include "pile/pile.h"
#include "tap.h"

static uint8_t	key[PROTO_KEY_BYTES];

static int
rig_start(struct fakeslave_rig *r, unsigned mode, int no_fc23)
{
	struct pile_bus_opts	opts = { 100, 1, no_fc23 };

	return fakeslave_rig_start(r, mode, key, FS_UNIT, &opts);
}

static void
test_identity_and_keys(void)
{
	struct proto_identity	 id;
	struct fakeslave_rig	 r;
	uint8_t			 wrong[PROTO_KEY_BYTES];
	char			*cause = NULL;
	int			 rc;

	if (rig_start(&r, 0, 0) != 0) {
		ok(0, "rig");
		return;
	}
	is_int(pile_identity(r.pile, &id, &cause), 0, "identity_read");
	is_str(id.serial, FS_SERIAL, "identity_serial");
	is_str(id.model, "pilesim-ac22", "identity_model");
	is_int(pile_addr(r.pile), FS_UNIT, "pile_addr");

	rc = pile_force_offline(r.pile, 1700003600, &cause);
	is_int(rc, PILE_E_AUTH, "write_without_key_is_refused_here");
	is_str(cause, "writing to pile 'SIM-0001' needs its key: pass --keys "
	    "FILE or set 'keys' in the config", "no_key_message_names_the_option");
	free(cause);
	cause = NULL;

	/* A wrong key: refused, the lockout time said, the key never. */
	memset(wrong, 0xA5, sizeof wrong);
	pile_set_key(r.pile, wrong);
	rc = pile_auth(r.pile, &cause);
	is_int(rc, PILE_E_AUTH, "wrong_key_is_refused");
	is_str(cause, "wrong key for pile 'SIM-0001' (address 1); the pile "
	    "accepts the next try in 1 s", "wrong_key_message_gives_the_wait");
	ok(cause != NULL && strstr(cause, "a5a5") == NULL &&
	    strstr(cause, "A5A5") == NULL, "wrong_key_message_holds_no_key");
	free(cause);
	cause = NULL;
	rc = pile_force_offline(r.pile, 1700003600, &cause);
	is_int(rc, PILE_E_AUTH, "locked_out_pile_refuses_a_write");
	ok(cause != NULL && strstr(cause, "pile 'SIM-0001' (address 1) takes "
	    "no key for 1 s more") == cause, "locked_out_message: %s",
	    cause ? cause : "");
	free(cause);
	cause = NULL;
	fakeslave_rig_stop(&r);
	is_int(fakeslave_count(r.log, "10 0208"), 1,
	    "no_response_is_written_while_locked_out");
	is_int(fakeslave_count(r.log, "10 0220"), 0,
	    "no_write_reached_the_pile_without_a_session");
	free(r.log);
}

/* pilesim refuses a wrong response with exception 03 rather than taking it:
 * the same sentence either way. */
static void
test_wrong_key_refused_by_exception(void)
{
	struct fakeslave_rig	 r;
	uint8_t			 wrong[PROTO_KEY_BYTES];
	char			*cause = NULL;

	if (rig_start(&r, FS_AUTH_EXCEPTION, 0) != 0) {
		ok(0, "rig");
		return;
	}
	memset(wrong, 0x5A, sizeof wrong);
	pile_set_key(r.pile, wrong);
	is_int(pile_clock_set(r.pile, 1700000500, &cause), PILE_E_AUTH,
	    "refused_response_is_an_auth_error");
	is_str(cause, "wrong key for pile 'SIM-0001' (address 1); the pile "
	    "accepts the next try in 1 s", "refused_response_says_wrong_key");
	free(cause);
	fakeslave_rig_stop(&r);
	is_int(fakeslave_count(r.log, "10 0224"), 0,
	    "no_write_after_a_wrong_key");
	free(r.log);
}

static void
test_writes_with_key(void)
{
	struct pile_settings	 s, back;
	struct proto_tariff	 t, t2;
	unsigned		 state = 9;
	struct fakeslave_rig	 r;
	char			*cause = NULL;

	if (rig_start(&r, 0, 0) != 0) {
		ok(0, "rig");
		return;
	}
	pile_set_key(r.pile, key);
	/* First write: identity (serial for the HMAC), auth, then write. */
	is_int(pile_clock_set(r.pile, 1700000500, &cause), 0,
	    "write_authenticates_lazily %s", cause ? cause : "");
	is_int(pile_force_offline(r.pile, 1700003600, &cause), 0,
	    "second_write_reuses_the_session");
	is_int(pile_resync_start(r.pile, &cause), 0, "resync_started");
	is_int(pile_resync_state(r.pile, &state, &cause), 0, "resync_state_read");
	is_int(state, PROTO_RESYNC_IDLE, "resync_state_value");

	is_int(pile_settings_read(r.pile, &s, &cause), 0, "settings_read");
	is_int(s.offline_charging, 1, "settings_offline_charging");
	is_int(s.offline_max_wh, 30000, "settings_offline_max_wh");
	s.unknown_card = 1;
	s.expired_card = 1;
	s.offline_max_wh = 45000;
	is_int(pile_settings_write(r.pile, &s, &cause), 0, "settings_written");
	pile_settings_read(r.pile, &back, &cause);
	ok(back.unknown_card == 1 && back.expired_card == 1 &&
	    back.offline_max_wh == 45000 && back.offline_charging == 1,
	    "settings_read_back");

	is_int(pile_tariff_read(r.pile, &t, &cause), 0, "tariff_read");
	is_int(t.version, 3, "tariff_version");
	ok(t.slot_period[0] == 0 && t.slot_period[47] == 3 &&
	    t.energy_price[1] == 60000, "tariff_decoded");
	t.version = 4;
	t.service_price[3] = 12345;
	is_int(pile_tariff_write(r.pile, &t, &cause), 0, "tariff_written");
	pile_tariff_read(r.pile, &t2, &cause);
	ok(t2.version == 4 && t2.service_price[3] == 12345, "tariff_read_back");
	fakeslave_rig_stop(&r);

	is_int(fakeslave_count(r.log, "10 0208"), 1, "one_auth_for_all_writes");
	is_int(fakeslave_count(r.log, "10 0280 19"), 1,
	    "settings_written_with_one_fc16_of_5_registers");
	is_int(fakeslave_count(r.log, "10 0300 93"), 1,
	    "tariff_written_whole_with_one_fc16");
	free(r.log);

	/* The session ends (idle, pile restart): authenticate once more. */
	if (rig_start(&r, FS_SESSION_EXPIRES, 0) != 0) {
		ok(0, "rig");
		return;
	}
	pile_set_key(r.pile, key);
	is_int(pile_clock_set(r.pile, 1700000500, &cause), 0, "first_write");
	is_int(pile_clock_set(r.pile, 1700000600, &cause), 0,
	    "write_after_the_session_closed_succeeds %s", cause ? cause : "");
	fakeslave_rig_stop(&r);
	is_int(fakeslave_count(r.log, "10 0208"), 2,
	    "expired_session_is_reopened_once");
	is_int(fakeslave_count(r.log, "10 0224"), 3,
	    "refused_write_is_retried_after_auth");
	free(r.log);
}

static void
test_whitelist(void)
{
	struct proto_wl_entry	 e[PROTO_WL_WINDOW_ENTRIES];
	struct pile_wl_status	 st;
	struct fakeslave_rig	 r;
	char			*cause = NULL, *want;
	int			 n, rc;

	if (rig_start(&r, 0, 0) != 0) {
		ok(0, "rig");
		return;
	}
	pile_set_key(r.pile, key);
	is_int(pile_wl_status(r.pile, &st, &cause), 0, "whitelist_status");
	ok(st.version == 5 && st.count == 2 && st.result == PROTO_WL_OK,
	    "whitelist_status_values");
	n = pile_wl_read(r.pile, 0, e, &cause);
	is_int(n, 2, "whitelist_window_holds_two");
	is_str(e[0].uid, "04A1B2C3", "first_entry_uid");
	is_str(e[0].holder, "张三", "first_entry_holder");
	is_int(e[1].status, PROTO_WL_BLOCKED, "second_entry_blocked");
	is_int(pile_wl_read(r.pile, 1, e, &cause), 1, "window_from_index_1");
	is_str(e[0].uid, "0102030405060708", "window_starts_at_the_cursor");

	memset(e, 0, sizeof e);
	snprintf(e[0].uid, sizeof e[0].uid, "DEADBEEF");
	e[0].status = PROTO_WL_ACCEPTED;
	rc = pile_wl_command(r.pile, PROTO_WL_UPSERT, 0, e, 1, &cause);
	is_int(rc, 0, "upsert_accepted %s", cause ? cause : "");
	pile_wl_status(r.pile, &st, &cause);
	is_int(st.version, 6, "version_moves_with_the_edit");
	rc = pile_wl_command(r.pile, PROTO_WL_UPSERT, 0, e, 5, &cause);
	is_int(rc, PILE_E_PROTOCOL, "five_entries_do_not_fit_a_command");
	free(cause);
	cause = NULL;
	fakeslave_rig_stop(&r);
	is_int(fakeslave_count(r.log, "17 0480 17"), 2,
	    "whitelist_window_read_with_fc23");
	/* 4 + 29 registers: only what the command carries goes out. */
	is_int(fakeslave_count(r.log, "10 0400 75"), 1,
	    "one_entry_command_is_33_registers");
	free(r.log);

	if (rig_start(&r, FS_WL_FULL, 0) != 0) {
		ok(0, "rig");
		return;
	}
	pile_set_key(r.pile, key);
	rc = pile_wl_command(r.pile, PROTO_WL_UPSERT, 0, e, 1, &cause);
	is_int(rc, PILE_E_REFUSED, "full_whitelist_refuses");
	want = xasprintf("pile 'SIM-0001' (address 1) refused the whitelist "
	    "command 'add or update': %s", proto_wl_result_str(PROTO_WL_FULL));
	is_str(cause, want, "refusal_gives_the_result_in_words");
	free(want);
	free(cause);
	cause = NULL;
	fakeslave_rig_stop(&r);
	free(r.log);

	if (rig_start(&r, FS_WL_EXCEPTION, 0) != 0) {
		ok(0, "rig");
		return;
	}
	pile_set_key(r.pile, key);
	rc = pile_wl_command(r.pile, PROTO_WL_UPSERT, 0, e, 1, &cause);
	is_int(rc, PILE_E_REFUSED, "exception_on_a_command_reads_the_result");
	want = xasprintf("pile 'SIM-0001' (address 1) refused the whitelist "
	    "command 'add or update': %s",
	    proto_wl_result_str(PROTO_WL_BAD_ENTRY));
	is_str(cause, want, "exception_refusal_in_words");
	free(want);
	free(cause);
	fakeslave_rig_stop(&r);
	free(r.log);
}

static void
test_records(void)
{
	struct proto_record	 rec[PROTO_REC_WINDOW_RECORDS];
	struct fakeslave_rig	 r;
	char			*cause = NULL;
	int			 n;

	if (rig_start(&r, 0, 0) != 0) {
		ok(0, "rig");
		return;
	}
	n = pile_records_read(r.pile, 1, rec, &cause);
	is_int(n, 2, "window_holds_two_records %s", cause ? cause : "");
	ok(rec[0].seq == 1 && rec[1].seq == 2, "records_in_sequence");
	is_int(proto_record_energy_wh(&rec[1]), 14000, "record_energy");
	is_str(rec[0].holder, "张三", "record_holder");
	is_int(pile_records_read(r.pile, 100, rec, &cause), 1, "last_window");
	is_int(pile_records_read(r.pile, 101, rec, &cause), 0, "past_the_end");
	fakeslave_rig_stop(&r);
	/* The benchmark's request: FC 23, cursor 2 regs, window 125 regs. */
	is_int(fakeslave_count(r.log, "17 1000 17"), 3,
	    "one_17_byte_fc23_per_window");
	is_int(fakeslave_count(r.log, "03 1002"), 0, "no_fallback_needed");
	free(r.log);

	if (rig_start(&r, FS_NO_FC23, 0) != 0) {
		ok(0, "rig");
		return;
	}
	n = pile_records_read(r.pile, 1, rec, &cause);
	is_int(n, 2, "pile_without_fc23_still_reads %s", cause ? cause : "");
	n = pile_records_read(r.pile, 3, rec, &cause);
	ok(n == 2 && rec[0].seq == 3, "fallback_follows_the_cursor");
	fakeslave_rig_stop(&r);
	is_int(fakeslave_count(r.log, "17 "), 1, "fc23_refusal_is_remembered");
	is_int(fakeslave_count(r.log, "10 1000"), 2, "cursor_by_fc16");
	is_int(fakeslave_count(r.log, "03 1002"), 2, "window_by_fc03");
	free(r.log);

	if (rig_start(&r, 0, 1) != 0) {
		ok(0, "rig");
		return;
	}
	is_int(pile_records_read(r.pile, 5, rec, &cause), 2, "no_fc23_option");
	fakeslave_rig_stop(&r);
	is_int(fakeslave_count(r.log, "17 "), 0, "no_fc23_option_sends_no_fc23");
	free(r.log);

	if (rig_start(&r, FS_BAD_RECORD, 0) != 0) {
		ok(0, "rig");
		return;
	}
	is_int(pile_records_read(r.pile, 55, rec, &cause), 2,
	    "records_before_the_bad_one_read");
	n = pile_records_read(r.pile, FS_BAD_SEQ, rec, &cause);
	is_int(n, PILE_E_PROTOCOL, "bad_record_crc_is_a_protocol_error");
	ok(cause != NULL && strstr(cause, "record 57 from pile 'SIM-0001' "
	    "(address 1) fails its CRC-32 (stored 0x") == cause &&
	    strstr(cause, ", computed 0x") != NULL,
	    "bad_record_message_names_the_sequence: %s", cause ? cause : "");
	free(cause);
	fakeslave_rig_stop(&r);
	is_int(fakeslave_count(r.log, "17 1000 17"), 3,
	    "bad_record_window_is_read_twice");
	free(r.log);
}

int
main(void)
{
	size_t	i;

	for (i = 0; i < sizeof key; i++)
		key[i] = (uint8_t)(i * 13 + 1);
	test_identity_and_keys();
	test_wrong_key_refused_by_exception();
	test_writes_with_key();
	test_whitelist();
	test_records();
	return done_testing();
}
