/* staging.c - protocol 1.1 broadcast staging and bucket digests: the chunk
 * layout, a UID's bucket, an entry's check, the bucket window's layout
 * (regmap.h, "Broadcast staging" and "Bucket digests"). */
#include "config.h"

#include <string.h>

#include "proto.h"

void
proto_wl_entry_wire(const struct proto_wl_entry *e, uint8_t out[PROTO_WL_ENTRY_BYTES])
{
	uint16_t	regs[PROTO_WL_ENTRY_REGS];
	int		r;

	proto_wl_entry_encode(e, regs);
	for (r = 0; r < PROTO_WL_ENTRY_REGS; r++) {
		out[2 * r] = (uint8_t)(regs[r] >> 8);
		out[2 * r + 1] = (uint8_t)(regs[r] & 0xff);
	}
}

unsigned
proto_wl_bucket(const char *uid)
{
	return proto_crc32((const uint8_t *)uid, strlen(uid)) & (PROTO_WL_BUCKETS - 1);
}

uint16_t
proto_wl_entry_check(const struct proto_wl_entry *e)
{
	uint8_t	wire[PROTO_WL_ENTRY_BYTES];

	proto_wl_entry_wire(e, wire);
	return proto_crc16(wire, sizeof wire);
}

void
proto_stage_chunk_encode(uint16_t transfer, uint16_t index, uint16_t total,
    const struct proto_wl_entry *e, unsigned n, uint16_t *regs)
{
	unsigned	i;

	memset(regs, 0, PROTO_STAGE_CHUNK_REGS * sizeof *regs);
	regs[PROTO_A_STAGE_TRANSFER - PROTO_A_STAGE_TRANSFER] = transfer;
	regs[PROTO_A_STAGE_INDEX - PROTO_A_STAGE_TRANSFER] = index;
	regs[PROTO_A_STAGE_TOTAL - PROTO_A_STAGE_TRANSFER] = total;
	regs[PROTO_A_STAGE_NENTRIES - PROTO_A_STAGE_TRANSFER] = (uint16_t)n;
	for (i = 0; i < n && i < PROTO_WL_WINDOW_ENTRIES; i++)
		proto_wl_entry_encode(&e[i], regs + PROTO_A_STAGE_ENTRIES -
		    PROTO_A_STAGE_TRANSFER + i * PROTO_WL_ENTRY_REGS);
}

int
proto_bucket_window_decode(const uint16_t *regs, unsigned index,
    const uint16_t *list, unsigned nlist, struct proto_bucket_part *parts,
    struct proto_bucket_item *items, unsigned *nitems)
{
	const unsigned	size = PROTO_N_WL_BUCKET_WINDOW;
	unsigned	at = 0, np = 0, i, k, first;
	char		raw[PROTO_UID_MAX + 1];

	*nitems = 0;
	for (i = 0; i < nlist && list[i] != PROTO_BUCKET_NONE; i++) {
		if (at + 2 > size)
			break;
		first = i == 0 ? index : 0;
		parts[np].bucket = list[i];
		parts[np].total = regs[at];
		parts[np].first = (uint16_t)first;
		parts[np].given = regs[at + 1];
		at += 2;
		if (parts[np].given > (first < parts[np].total ?
		    parts[np].total - first : 0) ||
		    at + parts[np].given * PROTO_BUCKET_ITEM_REGS > size)
			return -1;
		for (k = 0; k < parts[np].given; k++) {
			struct proto_bucket_item *it = &items[(*nitems)++];

			it->bucket = list[i];
			proto_get_str(regs + at, PROTO_UID_MAX / 2, raw);
			if (proto_uid_normalize(raw, it->uid) != 0 ||
			    strcmp(raw, it->uid) != 0)
				return -1;
			it->check = regs[at + PROTO_BUCKET_ITEM_REGS - 1];
			at += PROTO_BUCKET_ITEM_REGS;
		}
		np++;
		/* A bucket cut short ends the window. */
		if (first + parts[np - 1].given < parts[np - 1].total)
			break;
	}
	return (int)np;
}
