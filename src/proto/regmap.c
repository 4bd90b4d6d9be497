/* regmap.c - the register map table and block list, expanded from regmap.h. */
#include "config.h"

#include <string.h>

#include "proto.h"

#define PROTO_X_ENTRY(id, name, addr, count, type, acc, unit, doc) \
	{ name, addr, count, PROTO_##type, PROTO_##acc, unit, doc },
const struct proto_reg proto_regmap[] = { PROTO_REGMAP(PROTO_X_ENTRY) };
#undef PROTO_X_ENTRY
const size_t proto_regmap_len = sizeof proto_regmap / sizeof proto_regmap[0];

/* Runs of registers without gaps; tests/unit-regmap checks these against the
 * table so a new register cannot fall outside every block. */
const struct proto_block proto_blocks[] = {
	{ "identity",  PROTO_IDENTITY_ADDR, PROTO_IDENTITY_COUNT_11 },
	{ "live",      PROTO_LIVE_ADDR, PROTO_LIVE_COUNT_11 },
	{ "auth",      PROTO_A_AUTH_CHALLENGE,
	    PROTO_A_AUTH_FAILURES + 1 - PROTO_A_AUTH_CHALLENGE },
	{ "control",   PROTO_A_CTL_FORCE_OFFLINE,
	    PROTO_A_CTL_LAST_ERROR + 1 - PROTO_A_CTL_FORCE_OFFLINE },
	{ "session",   PROTO_A_SESSION_COUNTER,
	    PROTO_A_SESSION_CLOSE + 1 - PROTO_A_SESSION_COUNTER },
	{ "settings",  PROTO_A_SET_OFFLINE_CHARGING,
	    PROTO_A_SET_OFFLINE_MAX_WH + 2 - PROTO_A_SET_OFFLINE_CHARGING },
	{ "store_settings", PROTO_A_SET_FULL_POLICY, PROTO_N_SET_FULL_POLICY },
	{ "custody",   PROTO_A_CUSTODY_FIRST,
	    PROTO_A_CUSTODY_RESULT + 1 - PROTO_A_CUSTODY_FIRST },
	{ "tariff",    PROTO_A_TARIFF_VERSION, PROTO_TARIFF_COUNT },
	{ "whitelist", PROTO_A_WL_CMD,
	    PROTO_A_WL_DIGEST + 2 - PROTO_A_WL_CMD },
	{ "whitelist_window", PROTO_A_WL_CURSOR,
	    PROTO_N_WL_CURSOR + PROTO_N_WL_WINDOW },
	{ "staging",   PROTO_A_STAGE_TRANSFER,
	    PROTO_A_STAGE_ENTRIES + PROTO_N_STAGE_ENTRIES - PROTO_A_STAGE_TRANSFER },
	{ "stage_status", PROTO_A_STAGE_STATE_TRANSFER,
	    PROTO_A_STAGE_MISSING + PROTO_N_STAGE_MISSING - PROTO_A_STAGE_STATE_TRANSFER },
	{ "stage_commit", PROTO_A_STAGE_COMMIT_TRANSFER,
	    PROTO_A_STAGE_COMMIT_RESULT + 1 - PROTO_A_STAGE_COMMIT_TRANSFER },
	{ "bucket_digests", PROTO_A_WL_BUCKET_DIGEST_CURSOR,
	    PROTO_N_WL_BUCKET_DIGEST_CURSOR + PROTO_N_WL_BUCKET_DIGESTS },
	{ "bucket_window", PROTO_A_WL_BUCKET_INDEX,
	    PROTO_N_WL_BUCKET_INDEX + PROTO_N_WL_BUCKET_LIST + PROTO_N_WL_BUCKET_WINDOW },
	{ "envelope",  PROTO_A_SESSION_ENVELOPE, PROTO_N_SESSION_ENVELOPE },
	{ "records",   PROTO_A_REC_CURSOR,
	    PROTO_N_REC_CURSOR + PROTO_N_REC_WINDOW },
	{ "signed_records", PROTO_A_REC_SIGNED_CURSOR,
	    PROTO_N_REC_SIGNED_CURSOR + PROTO_N_REC_SIGNED_WINDOW },
};
const size_t proto_blocks_len = sizeof proto_blocks / sizeof proto_blocks[0];

const struct proto_reg *
proto_reg_by_name(const char *name)
{
	size_t	i;

	for (i = 0; i < proto_regmap_len; i++)
		if (strcmp(proto_regmap[i].name, name) == 0)
			return &proto_regmap[i];
	return NULL;
}

const struct proto_reg *
proto_reg_at(uint16_t addr)
{
	size_t	i;

	for (i = 0; i < proto_regmap_len; i++) {
		const struct proto_reg *r = &proto_regmap[i];
		if (addr >= r->addr && addr < r->addr + r->count)
			return r;
	}
	return NULL;
}

const struct proto_block *
proto_block_at(uint16_t addr)
{
	size_t	i;

	for (i = 0; i < proto_blocks_len; i++)
		if (addr >= proto_blocks[i].addr &&
		    addr < proto_blocks[i].addr + proto_blocks[i].count)
			return &proto_blocks[i];
	return NULL;
}

int
proto_range_valid(uint16_t addr, uint16_t count)
{
	size_t	i;

	if (count == 0)
		return -1;
	for (i = 0; i < proto_blocks_len; i++) {
		const struct proto_block *b = &proto_blocks[i];
		if (addr >= b->addr &&
		    (unsigned)addr + count <= (unsigned)b->addr + b->count)
			return 0;
	}
	return -1;
}

/* The blocks of protocol 1.0, with the 1.0 lengths of identity and live. */
static const struct { uint16_t addr, count; } proto_blocks_10[] = {
	{ PROTO_IDENTITY_ADDR, PROTO_IDENTITY_COUNT },
	{ PROTO_LIVE_ADDR, PROTO_LIVE_COUNT },
	{ PROTO_A_AUTH_CHALLENGE, PROTO_A_AUTH_FAILURES + 1 - PROTO_A_AUTH_CHALLENGE },
	{ PROTO_A_CTL_FORCE_OFFLINE, PROTO_A_CTL_LAST_ERROR + 1 - PROTO_A_CTL_FORCE_OFFLINE },
	{ PROTO_A_SET_OFFLINE_CHARGING,
	    PROTO_A_SET_OFFLINE_MAX_WH + 2 - PROTO_A_SET_OFFLINE_CHARGING },
	{ PROTO_A_TARIFF_VERSION, PROTO_TARIFF_COUNT },
	{ PROTO_A_WL_CMD, PROTO_A_WL_DIGEST + 2 - PROTO_A_WL_CMD },
	{ PROTO_A_WL_CURSOR, PROTO_N_WL_CURSOR + PROTO_N_WL_WINDOW },
	{ PROTO_A_REC_CURSOR, PROTO_N_REC_CURSOR + PROTO_N_REC_WINDOW },
};

int
proto_range_valid_10(uint16_t addr, uint16_t count)
{
	size_t	i;

	if (count == 0)
		return -1;
	for (i = 0; i < sizeof proto_blocks_10 / sizeof proto_blocks_10[0]; i++)
		if (addr >= proto_blocks_10[i].addr &&
		    (unsigned)addr + count <= (unsigned)proto_blocks_10[i].addr +
		    proto_blocks_10[i].count)
			return 0;
	return -1;
}
