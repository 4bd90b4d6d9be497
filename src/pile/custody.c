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

#define CUSTODY_OFF(id)	(PROTO_A_##id - PROTO_A_CUSTODY_FIRST)

int
pile_custody_encode(uint32_t first, uint32_t last,
    const uint8_t sha256[PROTO_SHA256_BYTES], uint16_t regs[PILE_CUSTODY_REGS])
{
	proto_put_u32(regs + CUSTODY_OFF(CUSTODY_FIRST), first);
	proto_put_u32(regs + CUSTODY_OFF(CUSTODY_LAST), last);
	proto_put_bytes(regs + CUSTODY_OFF(CUSTODY_SHA256), PROTO_SHA256_BYTES, sha256);
	return PILE_CUSTODY_REGS;
}

int
pile_custody_check(int write_rc, uint8_t exception)
{
	return write_rc == PILE_E_EXCEPTION && exception == PROTO_EX_DEVICE_FAILURE;
}

void
pile_custody_result_request(const struct pile *p, struct pile_xfer *x)
{
	pile_xfer_reset(x);
	x->req.unit = p->addr;
	x->req.fc = PROTO_FC_READ_HOLDING;
	x->req.read_addr = PROTO_A_CUSTODY_RESULT;
	x->req.read_count = 1;
}

int
pile_custody_outcome(struct pile *p, uint32_t first, uint32_t last, int write_rc,
    char *err, const struct pile_xfer *x, unsigned *result, char **cause)
{
	unsigned	 res;
	char		 label[64];

	if (result != NULL)
		*result = PROTO_CUSTODY_OK;
	if (write_rc == 0) {
		free(err);
		return 0;
	}
	if (x == NULL || x->status != 0 || x->resp.nregs != 1 ||
	    (res = x->resp.regs[0]) == PROTO_CUSTODY_OK) {
		/* The write's own failure says more than a result that
		 * could not be read. */
		if (cause != NULL)
			*cause = err != NULL ? err : xstrdup(_("failed"));
		else
			free(err);
		return write_rc;
	}
	free(err);
	if (result != NULL)
		*result = res;
	return set_cause(cause, PILE_E_REFUSED, _("%s refused custody of records "
	    "%u..%u: %s"), pile_label(p, label, sizeof label), first, last,
	    _(proto_enum_str(PROTO_ENUM_CUSTODY_RESULT, res)));
}

/* The block is written whole, through the normal authenticated write (the
 * envelope on a pile with writes that carry their proof). A normal answer
 * means the pile marked the range; a refusal is exception 04 and
 * custody.result says why: the pieces above, run to their end. */
int
pile_custody(struct pile *p, uint32_t first, uint32_t last,
    const uint8_t sha256[PROTO_SHA256_BYTES], unsigned *result, char **cause)
{
	uint16_t		 regs[PILE_CUSTODY_REGS];
	struct pile_xfer	 x;
	uint8_t			 ex = 0;
	char			*err = NULL;
	int			 rc, count;

	count = pile_custody_encode(first, last, sha256, regs);
	rc = pile_write_auth(p, PROTO_A_CUSTODY_FIRST, (uint16_t)count, regs, &ex, &err);
	if (!pile_custody_check(rc, ex))
		return pile_custody_outcome(p, first, last, rc, err, NULL, result, cause);
	memset(&x, 0, sizeof x);
	pile_custody_result_request(p, &x);
	pile_bus_transact(p->bus, &x);
	rc = pile_custody_outcome(p, first, last, rc, err, &x, result, cause);
	pile_xfer_reset(&x);
	return rc;
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
