/* unit-proto-blocks - register helpers, the identity and live blocks at
 * their map addresses, value names, and the authentication message. */
#include "config.h"

#include <string.h>

#include "proto.h"
#include "tap.h"

static void
test_helpers(void)
{
	uint16_t	regs[4] = { 0xAAAA, 0xAAAA, 0xAAAA, 0xAAAA };
	uint8_t		bytes[5] = { 1, 2, 3, 4, 5 }, back[5];
	char		s[9];

	proto_put_u32(regs, 0x12345678);
	ok(regs[0] == 0x1234 && regs[1] == 0x5678, "u32 is high word first");
	is_int(proto_get_u32(regs), 0x12345678, "u32 reads back");

	proto_put_str(regs, 4, "SIM");
	ok(regs[0] == ('S' << 8 | 'I') && regs[1] == ('M' << 8) && regs[2] == 0 &&
	    regs[3] == 0, "strings are two bytes a register, first byte high, NUL padded");
	proto_get_str(regs, 4, s);
	is_str(s, "SIM", "string reads back");
	proto_put_str(regs, 4, "SIM-0001");
	proto_get_str(regs, 4, s);
	is_str(s, "SIM-0001", "a string filling its registers needs no NUL");
	proto_put_str(regs, 4, "SIM-00012");
	proto_get_str(regs, 4, s);
	is_str(s, "SIM-0001", "a longer string is cut to its registers");
	proto_put_str(regs, 2, "ab中");	/* 5 bytes into 4 */
	proto_get_str(regs, 2, s);
	is_str(s, "ab", "a string is never cut inside a UTF-8 character");
	proto_put_str(regs, 2, "a中");	/* exactly 4 */
	proto_get_str(regs, 2, s);
	is_str(s, "a中", "a UTF-8 string that fits is kept whole");
	regs[0] = 'A' << 8;
	regs[1] = 'B' << 8 | 'C';
	proto_get_str(regs, 2, s);
	ok(strcmp(s, "A") == 0 && s[2] == 0 && s[3] == 0,
	    "the first NUL ends a string and nothing after it survives");

	proto_put_bytes(regs, 5, bytes);
	ok(regs[0] == 0x0102 && regs[1] == 0x0304 && regs[2] == 0x0500,
	    "bytes pack two a register, an odd last byte high");
	proto_get_bytes(regs, 5, back);
	is_mem(back, bytes, 5, "bytes read back");
}

static void
test_identity(void)
{
	struct proto_identity	id, got;
	uint16_t		regs[PROTO_IDENTITY_COUNT];

	memset(&id, 0, sizeof id);
	id.protocol = PROTO_VERSION;
	id.caps = PROTO_CAP_FC23 | PROTO_CAP_AUTH;
	strcpy(id.vendor, "pilecon");
	strcpy(id.model, "pilesim-ac22");
	strcpy(id.serial, "SIM-0001");
	strcpy(id.firmware, "sim-1.0");
	strcpy(id.device_id, "PILE-SIM-0001");
	id.wl_capacity = 10000;
	id.rec_capacity = 100000;
	proto_identity_encode(&id, regs);
	is_int(regs[PROTO_A_ID_PROTOCOL - PROTO_IDENTITY_ADDR], 0x0100,
	    "protocol version is the first register");
	is_int(regs[PROTO_A_ID_SERIAL - PROTO_IDENTITY_ADDR], 'S' << 8 | 'I',
	    "serial starts at identity.serial");
	is_int(proto_get_u32(regs + PROTO_A_ID_REC_CAPACITY - PROTO_IDENTITY_ADDR),
	    100000, "record capacity at identity.record_capacity");
	proto_identity_decode(regs, &got);
	ok(memcmp(&id, &got, sizeof id) == 0, "identity round trips");
}

static void
test_live(void)
{
	struct proto_live	l, got;
	uint16_t		regs[PROTO_LIVE_COUNT + 1];

	memset(&l, 0, sizeof l);
	l.link = PROTO_LINK_FORCED;
	l.forced_until = 1700003600;
	l.backend = 1;
	l.signal_dbm = -85;
	l.unsynced = 3;
	l.first_seq = 1;
	l.last_seq = 3;
	l.card_state = PROTO_CARD_PRESENT;
	strcpy(l.last_uid, "0102030405060708090A");
	l.last_auth = PROTO_AUTH_EXPIRED_ACCEPTED;
	l.last_auth_time = 1700000000;
	l.cp_state = PROTO_CP_CHARGING;
	l.voltage_dv[0] = 2301; l.voltage_dv[1] = 2302; l.voltage_dv[2] = 2303;
	l.current_ca[0] = 1011; l.current_ca[1] = 1012; l.current_ca[2] = 1013;
	l.power_w = 7000;
	l.energy_wh = 4000000000U;
	l.session_id = 4;
	l.session_source = PROTO_SRC_APP_ORDER;
	l.session_energy_wh = 14000;
	l.session_cost_minor = 2695;
	l.session_period = 3;
	l.session_tariff_version = 7;
	l.session_start = 1700000000;
	strcpy(l.session_tag, "ORDER-00000000000042");
	l.tariff_version = 8;
	l.clock = 1700007200;
	l.wl_version = 12;
	l.wl_count = 3;
	l.offline_charging = 1;
	l.unknown_card = 0;
	l.expired_card = 1;
	l.offline_max_wh = 30000;
	l.auth_state = 1;
	strcpy(l.last_holder, "张三 (Zhang San) fleet card 01");
	regs[PROTO_LIVE_COUNT] = 0xBEEF;
	proto_live_encode(&l, regs);
	is_int(regs[PROTO_LIVE_COUNT], 0xBEEF, "live encode stays inside the block");
	is_int(regs[PROTO_A_LIVE_SIGNAL - PROTO_LIVE_ADDR], 0xFFAB,
	    "signal -85 dBm is a two's complement s16");
	is_int(proto_get_u32(regs + PROTO_A_LIVE_ENERGY - PROTO_LIVE_ADDR), 4000000000U,
	    "energy register at live.energy_wh");
	is_int(regs[PROTO_A_LIVE_CURRENT - PROTO_LIVE_ADDR + 2], 1013,
	    "current of L3 at live.current_ca + 2");
	proto_live_decode(regs, &got);
	ok(memcmp(&l, &got, sizeof l) == 0, "live block round trips");
	is_int(got.signal_dbm, -85, "signal reads back negative");
}

static void
test_names(void)
{
	size_t	i;
	int	missing = 0, stray = 0;

	is_str(proto_link_str(PROTO_LINK_FORCED), "forced offline", "link 2 reads forced offline");
	is_str(proto_card_state_str(PROTO_CARD_PRESENT), "card present", "card state 1");
	is_str(proto_auth_str(PROTO_AUTH_UNKNOWN), "unknown card", "auth 4 reads unknown card");
	is_str(proto_auth_str(PROTO_AUTH_UNKNOWN_ACCEPTED), "unknown card accepted by policy",
	    "auth 8 reads as the policy decision");
	is_str(proto_auth_str(PROTO_AUTH_BUSY), "busy", "auth 10 reads busy");
	is_str(proto_auth_str(PROTO_AUTH_STORE_FULL), "refused: the record store is full",
	    "auth 11 reads store full (1.1)");
	is_str(proto_auth_str(12), "unknown", "an unlisted auth result reads unknown");
	is_str(proto_cp_str(PROTO_CP_SUSPENDED), "suspended", "cp state 5");
	is_str(proto_source_str(PROTO_SRC_OFFLINE_CARD), "offline card", "source 1");
	is_str(proto_source_str(PROTO_SRC_APP_ORDER), "app order", "source 3");
	is_str(proto_write_error_str(PROTO_WERR_NO_SESSION),
	    "the write needs an authenticated session", "write error 1 in words");
	is_str(proto_resync_str(PROTO_RESYNC_FAILED), "failed: no back-end", "resync 3");
	is_str(proto_enum_str(PROTO_ENUM_COUNT, 0), "unknown", "an unknown table reads unknown");

	/* Every enum register of the map has its value names, and every
	 * register a name table claims exists: the docs cannot miss one. */
	for (i = 0; i < proto_regmap_len; i++)
		if (strcmp(proto_regmap[i].unit, "enum") == 0 &&
		    proto_enum_of_reg(proto_regmap[i].name) == NULL) {
			missing++;
			printf("# '%s' has no value names\n", proto_regmap[i].name);
		}
	is_int(missing, 0, "every enum register has value names");
	for (i = 0; i < PROTO_ENUM_COUNT; i++) {
		const char *const *r;
		for (r = proto_enums[i].regs; *r != NULL; r++)
			if (proto_reg_by_name(*r) == NULL) {
				stray++;
				printf("# '%s' is not in the map\n", *r);
			}
		ok(proto_enums[i].len > 0 && proto_enums[i].title != NULL,
		    "value table '%s' is filled", proto_enums[i].key);
	}
	is_int(stray, 0, "every register named by a value table exists");
}

static void
test_auth(void)
{
	uint8_t	challenge[PROTO_CHALLENGE_BYTES], msg[PROTO_AUTH_MSG_BYTES];
	uint8_t	want[PROTO_AUTH_MSG_BYTES];
	int	i;

	for (i = 0; i < PROTO_CHALLENGE_BYTES; i++)
		challenge[i] = (uint8_t)(0xF0 + i);
	memset(msg, 0xEE, sizeof msg);
	proto_auth_message(challenge, "SIM-0001", 1, msg);
	memset(want, 0, sizeof want);
	memcpy(want, challenge, 16);
	memcpy(want + 16, "SIM-0001", 8);
	want[32] = 1;
	is_mem(msg, want, sizeof want, "auth message is challenge | serial NUL padded to 16 | address");
	proto_auth_message(challenge, "SERIAL-0123456789", 247, msg);
	memcpy(want + 16, "SERIAL-012345678", 16);
	want[32] = 247;
	is_mem(msg, want, sizeof want, "a serial past 16 bytes is cut as the register holds it");
}

int
main(void)
{
	test_helpers();
	test_identity();
	test_live();
	test_names();
	test_auth();
	return done_testing();
}
