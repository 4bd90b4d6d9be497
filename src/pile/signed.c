/* signed.c - protocol 1.1 signed records: the pile's public key from the
 * identity block and the signed window (one record and its signature per
 * FC 23). The signature is checked above, where the pinned key lives
 * (src/batch, src/proto/sig.h): this layer only reads it faithfully. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "pile-int.h"

int
pile_signs(const struct proto_identity *id)
{
	return id->protocol >= PROTO_VERSION_1_1 && (id->caps & PROTO_CAP_SIGNED) != 0;
}

void
pile_public_key_request(const struct pile *p, struct pile_xfer *x)
{
	pile_xfer_reset(x);
	x->req.unit = p->addr;
	x->req.fc = PROTO_FC_READ_HOLDING;
	x->req.read_addr = PROTO_A_ID_PUBLIC_KEY;
	x->req.read_count = PROTO_N_ID_PUBLIC_KEY;
}

int
pile_public_key_parse(const struct pile_xfer *x, uint8_t pub[PROTO_PUBKEY_BYTES],
    char **cause)
{
	if (x->status < 0)
		return set_cause(cause, x->status, "%s", x->cause != NULL ?
		    x->cause : _("the public key read failed"));
	if (x->status != 0 || x->resp.nregs != PROTO_N_ID_PUBLIC_KEY)
		return set_cause(cause, PILE_E_PROTOCOL, _("address %u sent "
		    "%u registers for the public key, not %u"), x->req.unit,
		    x->resp.nregs, (unsigned)PROTO_N_ID_PUBLIC_KEY);
	proto_get_bytes(x->resp.regs, PROTO_PUBKEY_BYTES, pub);
	return 0;
}

/* The pair above, run to its end. */
int
pile_public_key(struct pile *p, uint8_t pub[PROTO_PUBKEY_BYTES], char **cause)
{
	struct pile_xfer	x;
	int			rc;

	memset(&x, 0, sizeof x);
	pile_public_key_request(p, &x);
	if ((rc = pile_run(p, &x, cause)) < 0)
		return rc;
	return pile_public_key_parse(&x, pub, cause);
}

/*
 * The signed window's registers: its record into out and its signature
 * into sig, *drc proto_record_decode's answer (0, or why the record is not
 * one). 1 with a record, 0 when the window is empty, or a negative error.
 */
static int
signed_window(struct pile *p, const uint16_t *regs, struct proto_record *out,
    uint8_t sig[PROTO_SIG_BYTES], int *drc, char **cause)
{
	uint8_t		 raw[PROTO_RECORD_BYTES];
	char		 label[64];

	if (regs[0] > 1)
		return set_cause(cause, PILE_E_PROTOCOL, _("%s says its signed "
		    "window holds %u records (at most 1)"),
		    pile_label(p, label, sizeof label), regs[0]);
	if (regs[0] == 0)
		return 0;
	proto_get_bytes(regs + 1, sizeof raw, raw);
	proto_get_bytes(regs + 1 + PROTO_RECORD_REGS, PROTO_SIG_BYTES, sig);
	*drc = proto_record_decode(raw, out);
	return 1;
}

void
pile_signed_read_request(const struct pile *p, struct pile_xfer *x, uint32_t seq)
{
	pile_cursor_request(p, x, PROTO_A_REC_SIGNED_CURSOR, seq,
	    PROTO_A_REC_SIGNED_WINDOW, PROTO_N_REC_SIGNED_WINDOW);
}

int
pile_signed_read_parse(struct pile *p, struct pile_xfer *x, uint32_t seq,
    struct proto_record *out, uint8_t sig[PROTO_SIG_BYTES], char **cause)
{
	uint16_t	 regs[PROTO_N_REC_SIGNED_WINDOW];
	char		 label[64];
	int		 rc, drc = 0;

	if ((rc = pile_cursor_parse(x, PROTO_N_REC_SIGNED_WINDOW, regs, cause)) < 0)
		return rc;
	if ((rc = signed_window(p, regs, out, sig, &drc, cause)) <= 0)
		return rc;
	if (drc != 0 && x->again == 0)
		/* The Modbus CRC passed: read once more in case the pile's
		 * storage read was unlucky, then say what is wrong. */
		return pile_xfer_again(x);
	if (drc != 0)
		return set_cause(cause, PILE_E_PROTOCOL, drc == -1 ?
		    _("record %u from %s fails its CRC-32") :
		    _("record %u from %s is malformed (unknown format or "
		    "impossible field)"), out->seq, pile_label(p, label, sizeof label));
	if (out->seq < seq)
		return set_cause(cause, PILE_E_PROTOCOL, _("%s answered record %u for "
		    "cursor %u (records come from the cursor on)"),
		    pile_label(p, label, sizeof label), out->seq, seq);
	return 1;
}

/* The pair above, run to its end. */
int
pile_signed_read(struct pile *p, uint32_t seq, struct proto_record *out,
    uint8_t sig[PROTO_SIG_BYTES], char **cause)
{
	struct pile_xfer	x;
	int			rc;

	if ((rc = pile_named(p, cause)) < 0)
		return rc;
	memset(&x, 0, sizeof x);
	pile_signed_read_request(p, &x, seq);
	do {
		pile_transact(p, &x);
		rc = pile_signed_read_parse(p, &x, seq, out, sig, cause);
	} while (rc == PILE_AGAIN);
	pile_xfer_reset(&x);
	return rc;
}
