/* unit-regmap - the register map is consistent: no overlaps, every register
 * inside exactly one block, every read window within the Modbus limit. */
#include "config.h"

#include "proto.h"
#include "tap.h"

int
main(void)
{
	size_t	i, j;
	int	overlaps = 0, outside = 0;

	for (i = 0; i < proto_regmap_len; i++) {
		const struct proto_reg *a = &proto_regmap[i];
		for (j = i + 1; j < proto_regmap_len; j++) {
			const struct proto_reg *b = &proto_regmap[j];
			if (a->addr < b->addr + b->count && b->addr < a->addr + a->count) {
				overlaps++;
				printf("# '%s' overlaps '%s'\n", a->name, b->name);
			}
		}
		if (proto_range_valid(a->addr, a->count) != 0) {
			outside++;
			printf("# '%s' lies outside every block\n", a->name);
		}
	}
	is_int(overlaps, 0, "no two registers overlap");
	is_int(outside, 0, "every register lies inside one block");
	for (i = 0; i < proto_blocks_len; i++)
		ok(proto_blocks[i].count <= PROTO_READ_MAX + 2,
		    "block '%s' (%u registers) readable in one window", proto_blocks[i].name,
		    proto_blocks[i].count);
	is_int(PROTO_LIVE_COUNT <= PROTO_READ_MAX, 1, "live block is one FC 03 read");
	is_int(PROTO_N_REC_WINDOW, 1 + PROTO_REC_WINDOW_RECORDS * PROTO_RECORD_REGS,
	    "record window holds a count and 2 records");
	is_int(PROTO_N_WL_WINDOW, 1 + PROTO_WL_WINDOW_ENTRIES * PROTO_WL_ENTRY_REGS,
	    "whitelist window holds a count and 4 entries");
	is_int(PROTO_N_WL_ENTRIES, PROTO_WL_WINDOW_ENTRIES * PROTO_WL_ENTRY_REGS,
	    "whitelist command holds 4 entries");
	ok(proto_range_valid(PROTO_A_LIVE_LINK, PROTO_LIVE_COUNT_11 + 1) != 0,
	    "a read past the live block is refused");
	/* Protocol 1.1 */
	is_int(PROTO_LIVE_COUNT_11 <= PROTO_READ_MAX, 1,
	    "1.1 live block is one FC 03 read");
	is_int(PROTO_LIVE_COUNT, 0x58, "1.0 live block keeps its length");
	is_int(PROTO_IDENTITY_COUNT, 0x36, "1.0 identity block keeps its length");
	is_int(PROTO_N_ID_PUBLIC_KEY * 2, PROTO_PUBKEY_BYTES,
	    "identity.public_key holds X and Y");
	is_int(PROTO_N_REC_SIGNED_WINDOW, 1 + PROTO_RECORD_REGS + PROTO_SIG_BYTES / 2,
	    "signed window holds a count, a record and its signature");
	is_int(PROTO_N_SESSION_ENVELOPE, 4 + PROTO_ENVELOPE_MAX + PROTO_SESSION_MAC_BYTES / 2,
	    "envelope: target, count, counter, values, MAC");
	ok(PROTO_N_SESSION_ENVELOPE <= PROTO_WRITE_MAX, "an envelope is one FC 16");
	ok(PROTO_A_CUSTODY_RESULT - PROTO_A_CUSTODY_FIRST <= PROTO_ENVELOPE_MAX,
	    "a custody write fits one envelope");
	ok(PROTO_A_STAGE_COMMIT_RESULT - PROTO_A_STAGE_COMMIT_TRANSFER <= PROTO_ENVELOPE_MAX,
	    "a commit fits one envelope");
	is_int(PROTO_N_CUSTODY_SHA256 * 2, PROTO_SHA256_BYTES, "custody.sha256 is SHA-256");
	is_int(PROTO_N_STAGE_COMMIT_SHA256 * 2, PROTO_SHA256_BYTES,
	    "stage.commit_sha256 is SHA-256");
	ok(PROTO_A_STAGE_ENTRIES + PROTO_N_STAGE_ENTRIES - PROTO_A_STAGE_TRANSFER <= PROTO_WRITE_MAX,
	    "a staging chunk is one FC 16");
	is_int(PROTO_N_STAGE_ENTRIES, PROTO_WL_WINDOW_ENTRIES * PROTO_WL_ENTRY_REGS,
	    "a staging chunk holds 4 entries");
	is_int(PROTO_N_STAGE_MISSING * 16, 1024, "stage.missing covers 1024 chunks");
	is_int(PROTO_N_WL_BUCKET_INDEX + PROTO_N_WL_BUCKET_LIST, 1 + PROTO_BUCKET_LIST_MAX,
	    "a bucket window read writes the index and 8 buckets");
	ok(PROTO_N_WL_BUCKET_INDEX + PROTO_N_WL_BUCKET_LIST <= PROTO_RW_WRITE_MAX &&
	    PROTO_N_WL_BUCKET_WINDOW <= PROTO_READ_MAX, "and is one FC 23");
	ok(PROTO_N_WL_BUCKET_WINDOW >= 2 + 10 * PROTO_BUCKET_ITEM_REGS,
	    "a bucket window holds a bucket of 10 entries whole");
	ok(PROTO_N_WL_BUCKET_DIGESTS <= PROTO_READ_MAX, "a digest window is one read");
	ok(proto_reg_by_name("live.energy_wh") != NULL &&
	    proto_reg_by_name("live.energy_wh")->addr == PROTO_A_LIVE_ENERGY,
	    "registers are found by name");
	return done_testing();
}
