/* unit-proto-whitelist - card UIDs as people type them, and whitelist
 * entries as they travel in the command block and the whitelist window. */
#include "config.h"

#include <string.h>

#include "proto.h"
#include "tap.h"

static void
test_uid(void)
{
	static const struct { const char *in, *want; } good[] = {
		{ "04:a2:3b:c4", "04A23BC4" },
		{ "04-A2-3B-C4", "04A23BC4" },
		{ "04a23bc4", "04A23BC4" },
		{ " 04 a2 3b c4 ", "04A23BC4" },
		{ "04:A2:3B:C4:5D:6E:7F", "04A23BC45D6E7F" },
		{ "0102030405060708090a", "0102030405060708090A" },
	};
	static const char *const bad[] = {
		"", "04:a2:3b", "04a23bc", "04g23bc4", "0x04a23bc4",
		"0102030405060708090a0b", "04:a2:3b:c4/", "::::",
	};
	char	out[PROTO_UID_MAX + 1];
	size_t	i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		int rc = proto_uid_normalize(good[i].in, out);
		ok(rc == 0 && strcmp(out, good[i].want) == 0,
		    "uid '%s' normalises to %s", good[i].in, good[i].want);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		is_int(proto_uid_normalize(bad[i], out), -1,
		    "uid '%s' is refused", bad[i]);
}

static void
test_entry(void)
{
	struct proto_wl_entry	e, got;
	uint16_t		regs[PROTO_WL_ENTRY_REGS];
	char			s[64];

	memset(&e, 0, sizeof e);
	strcpy(e.uid, "04A23BC45D6E7F");
	e.status = PROTO_WL_BLOCKED;
	e.expiry = 1735689600;
	strcpy(e.holder, "充电桩测试卡 Card 0001 xyz");	/* 18 + 14 = 32 bytes */
	is_int(strlen(e.holder), 32, "holder fills all 32 bytes");
	proto_wl_entry_encode(&e, regs);
	is_int(regs[0], '0' << 8 | '4', "uid starts at register 0");
	is_int(regs[10], PROTO_WL_BLOCKED, "status is register 10");
	ok(regs[11] == 1735689600 >> 16 && regs[12] == (1735689600 & 0xFFFF),
	    "expiry is registers 11..12, high word first");
	proto_get_str(regs + 13, 16, s);
	is_str(s, e.holder, "holder is registers 13..28");
	is_int(proto_wl_entry_decode(regs, &got), 0, "an encoded entry decodes");
	ok(strcmp(got.uid, e.uid) == 0 && got.status == e.status &&
	    got.expiry == e.expiry && strcmp(got.holder, e.holder) == 0,
	    "entry round trips");

	proto_put_str(regs, 10, "04a23bc4");
	is_int(proto_wl_entry_decode(regs, &got), 0, "a lower-case uid on the wire is forgiven");
	is_str(got.uid, "04A23BC4", "and read back in upper case");
	proto_put_str(regs, 10, "04:a2:3b:c4");
	is_int(proto_wl_entry_decode(regs, &got), -1, "separators on the wire are refused");
	is_str(got.uid, "04:a2:3b:c4", "a refused uid is still shown as it came");
	proto_put_str(regs, 10, "");
	is_int(proto_wl_entry_decode(regs, &got), -1, "an empty uid is refused");
	proto_put_str(regs, 10, "04A23B");
	is_int(proto_wl_entry_decode(regs, &got), -1, "a 3-byte uid is refused");
	proto_put_str(regs, 10, "04A23BC4");
	regs[10] = 0;
	is_int(proto_wl_entry_decode(regs, &got), -1, "status 0 is refused");
	regs[10] = 3;
	is_int(proto_wl_entry_decode(regs, &got), -1, "status 3 is refused");
	regs[10] = PROTO_WL_ACCEPTED;
	is_int(proto_wl_entry_decode(regs, &got), 0, "status accepted is fine");
	is_str(proto_wl_status_str(PROTO_WL_ACCEPTED), "accepted", "status 1 reads accepted");
	is_str(proto_wl_result_str(PROTO_WL_FULL), "out of storage: the whitelist is full",
	    "whitelist full reads as words");
	is_str(proto_wl_cmd_str(PROTO_WL_SET_VERSION), "set version", "command 4 reads set version");
}

int
main(void)
{
	test_uid();
	test_entry();
	return done_testing();
}
