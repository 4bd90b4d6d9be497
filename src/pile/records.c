/* records.c - pulling charging records through the cursor window: one FC 23
 * per window of two records, each checked against its own CRC-32. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "pile-int.h"

/* What the CRC-32 of a record should be and what it says it is. */
static void
pile_record_crcs(const uint8_t raw[PROTO_RECORD_BYTES], uint32_t *stored,
    uint32_t *computed)
{
	uint8_t	copy[PROTO_RECORD_BYTES - 4];

	memcpy(copy, raw, sizeof copy);
	copy[5] &= ~PROTO_REC_F_SYNCED;	/* synced changes later: not covered */
	*computed = proto_crc32(copy, sizeof copy);
	*stored = (uint32_t)raw[120] << 24 | (uint32_t)raw[121] << 16 |
	    (uint32_t)raw[122] << 8 | raw[123];
}

/* 0 when the window decoded, 1 when a record failed (cause set), or a
 * PILE_E_* that re-reading would not change. */
static int
pile_records_decode(struct pile *p, uint32_t seq, const uint16_t *regs,
    struct proto_record *out, int *count, char **cause)
{
	uint8_t		raw[PROTO_RECORD_BYTES];
	uint32_t	stored, computed, rseq;
	char		label[64];
	unsigned	n = regs[0], i;
	int		rc;

	if (n > PROTO_REC_WINDOW_RECORDS)
		return set_cause(cause, PILE_E_PROTOCOL, _("%s says its record "
		    "window holds %u records (at most %d)"),
		    pile_label(p, label, sizeof label), n,
		    PROTO_REC_WINDOW_RECORDS);
	for (i = 0; i < n; i++) {
		proto_get_bytes(&regs[1 + i * PROTO_RECORD_REGS], sizeof raw,
		    raw);
		rseq = (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 |
		    (uint32_t)raw[2] << 8 | raw[3];
		rc = proto_record_decode(raw, &out[i]);
		if (rc == -1) {
			pile_record_crcs(raw, &stored, &computed);
			set_cause(cause, PILE_E_PROTOCOL, _("record %u from %s "
			    "fails its CRC-32 (stored 0x%08X, computed "
			    "0x%08X)"), rseq, pile_label(p, label,
			    sizeof label), stored, computed);
			return 1;
		}
		if (rc != 0) {
			set_cause(cause, PILE_E_PROTOCOL, _("record %u from %s "
			    "is malformed (unknown format or impossible "
			    "field)"), rseq, pile_label(p, label,
			    sizeof label));
			return 1;
		}
	}
	if (n > 0 && out[0].seq < seq)
		return set_cause(cause, PILE_E_PROTOCOL, _("%s answered record "
		    "%u for cursor %u (records come from the cursor on)"),
		    pile_label(p, label, sizeof label), out[0].seq, seq);
	if (n > 1 && out[1].seq <= out[0].seq)
		return set_cause(cause, PILE_E_PROTOCOL, _("%s answered record "
		    "%u after record %u (records come in sequence order)"),
		    pile_label(p, label, sizeof label), out[1].seq, out[0].seq);
	*count = (int)n;
	return 0;
}

void
pile_records_read_request(const struct pile *p, struct pile_xfer *x,
    uint32_t seq)
{
	pile_cursor_request(p, x, PROTO_A_REC_CURSOR, seq, PROTO_A_REC_WINDOW,
	    PROTO_N_REC_WINDOW);
}

int
pile_records_read_parse(struct pile *p, struct pile_xfer *x, uint32_t seq,
    struct proto_record out[PROTO_REC_WINDOW_RECORDS], char **cause)
{
	uint16_t	 regs[PROTO_N_REC_WINDOW];
	char		*err = NULL;
	int		 rc, count = 0;

	if ((rc = pile_cursor_parse(x, PROTO_N_REC_WINDOW, regs, cause)) < 0)
		return rc;
	rc = pile_records_decode(p, seq, regs, out, &count, &err);
	if (rc == 0)
		return count;
	if (rc > 0 && x->again == 0) {
		/* A record failed although the Modbus CRC passed, so the
		 * line is not to blame: read once more in case the pile's
		 * storage read was unlucky. */
		free(err);
		return pile_xfer_again(x);
	}
	if (cause != NULL)
		*cause = err;
	else
		free(err);
	return rc < 0 ? rc : PILE_E_PROTOCOL;
}

/* The pair above, run to its end. */
int
pile_records_read(struct pile *p, uint32_t seq,
    struct proto_record out[PROTO_REC_WINDOW_RECORDS], char **cause)
{
	struct pile_xfer	x;
	int			rc;

	if ((rc = pile_named(p, cause)) < 0)
		return rc;
	memset(&x, 0, sizeof x);
	pile_records_read_request(p, &x, seq);
	do {
		pile_transact(p, &x);
		rc = pile_records_read_parse(p, &x, seq, out, cause);
	} while (rc == PILE_AGAIN);
	pile_xfer_reset(&x);
	return rc;
}
