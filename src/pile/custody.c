/* custody.c - the 1.1 store registers of a pile: its full policy, and the
 * custody write that hands a verified range of records to the master. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "pile/pile-int.h"

int
pile_full_policy_write(struct pile *p, unsigned policy, char **cause)
{
	uint16_t	v = (uint16_t)policy;

	return pile_write_auth(p, PROTO_A_SET_FULL_POLICY, 1, &v, NULL, cause);
}

#define CUSTODY_COUNT	(PROTO_A_CUSTODY_RESULT - PROTO_A_CUSTODY_FIRST)
#define CUSTODY_OFF(id)	(PROTO_A_##id - PROTO_A_CUSTODY_FIRST)

/* The block is written whole, through the normal authenticated write (the
 * envelope on a pile with writes that carry their proof). A normal answer
 * means the pile marked the range; a refusal is exception 04 and
 * custody.result says why. */
int
pile_custody(struct pile *p, uint32_t first, uint32_t last,
    const uint8_t sha256[PROTO_SHA256_BYTES], unsigned *result, char **cause)
{
	uint16_t	 regs[CUSTODY_COUNT], res;
	uint8_t		 ex = 0;
	char		*err = NULL, label[64];
	int		 rc;

	if (result != NULL)
		*result = PROTO_CUSTODY_OK;
	proto_put_u32(regs + CUSTODY_OFF(CUSTODY_FIRST), first);
	proto_put_u32(regs + CUSTODY_OFF(CUSTODY_LAST), last);
	proto_put_bytes(regs + CUSTODY_OFF(CUSTODY_SHA256), PROTO_SHA256_BYTES, sha256);
	rc = pile_write_auth(p, PROTO_A_CUSTODY_FIRST, CUSTODY_COUNT, regs, &ex, &err);
	if (rc == 0)
		return 0;
	if (rc != PILE_E_EXCEPTION || ex != PROTO_EX_DEVICE_FAILURE ||
	    pile_read_regs(p, PROTO_A_CUSTODY_RESULT, 1, &res, NULL) < 0 ||
	    res == PROTO_CUSTODY_OK) {
		if (cause != NULL)
			*cause = err;
		else
			free(err);
		return rc;
	}
	free(err);
	if (result != NULL)
		*result = res;
	return set_cause(cause, PILE_E_REFUSED, _("%s refused custody of records "
	    "%u..%u: %s"), pile_label(p, label, sizeof label), first, last,
	    _(proto_enum_str(PROTO_ENUM_CUSTODY_RESULT, res)));
}

void
pile_store_use(const struct proto_identity *id, const struct proto_live *l,
    struct pile_store_use *u)
{
	uint64_t	span, room;

	memset(u, 0, sizeof *u);
	u->capacity = id->rec_capacity;
	u->held = l->last_seq != 0 && l->first_seq != 0 ? l->last_seq - l->first_seq + 1 : 0;
	u->pinned = l->unsynced > l->custody_count ? l->unsynced - l->custody_count : 0;
	if (u->capacity != 0) {
		u->percent = (unsigned)((uint64_t)u->held * 100 / u->capacity);
		u->pinned_percent = (unsigned)((uint64_t)u->pinned * 100 / u->capacity);
	}
	/* The outage's own rate: unacknowledged sessions since the oldest of
	 * them; less than an hour of it says nothing yet. */
	u->days_left = -1;
	room = u->capacity > u->pinned ? u->capacity - u->pinned : 0;
	if (room == 0)
		u->days_left = 0;
	else if (l->unsynced > 0 && l->oldest_unacked != 0 &&
	    l->clock >= l->oldest_unacked + 3600) {
		span = l->clock - l->oldest_unacked;
		u->days_left = (int32_t)(room * span / ((uint64_t)l->unsynced * 86400));
	}
}
