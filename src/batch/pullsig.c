/* pullsig.c - `logs pull` on a pile that signs its records (protocol 1.1):
 * each record is checked against the key pinned for the pile before it is
 * archived; a bad signature, an unsigned record or any record under a key
 * that changed is quarantined, never archived as good. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "batch/pullsig.h"
#include "proto/sig.h"

int
pullsig_start(struct pullsig *ps, struct archive *ar, const char *serial,
    const char *device_id, const uint8_t shown[PROTO_PUBKEY_BYTES], char **cause)
{
	memset(ps, 0, sizeof *ps);
	ps->ar = ar;
	ps->serial = serial;
	ps->device_id = device_id;
	memcpy(ps->shown, shown, sizeof ps->shown);
	if (!proto_pubkey_valid(ps->shown))
		return set_cause(cause, PILE_E_PROTOCOL, _("pile '%s' says it signs its "
		    "records but its public key is not a P-256 key"), serial);
	if (archive_key_pin(ar, serial, ps->shown, &ps->state, ps->pinned, cause) != 0)
		return PULLSIG_E_ARCHIVE;
	if ((ps->v = proto_verifier_new(ps->pinned)) == NULL)
		return set_cause(cause, PULLSIG_E_ARCHIVE, _("the key pinned for pile '%s' in the archive "
		    "is not a P-256 key"), serial);
	return 0;
}

void
pullsig_end(struct pullsig *ps)
{
	proto_verifier_free(ps->v);
	ps->v = NULL;
}

int
pullsig_check(struct pullsig *ps, int rc, const struct proto_record *out,
    const uint8_t sig[PROTO_SIG_BYTES], uint32_t *next, char **cause)
{
	static const uint8_t	 zero[PROTO_SIG_BYTES];
	const char		*reason = NULL;

	if (rc <= 0) {
		*next = 0;
		return rc;
	}
	*next = out->seq + 1;
	if (ps->state == ARCHIVE_KEY_CHANGED)
		reason = "key_changed";
	else if (memcmp(sig, zero, sizeof zero) == 0)
		reason = "unsigned";
	else if (proto_record_verify(ps->v, out, ps->serial, sig) != 0)
		reason = "bad_signature";
	if (reason == NULL) {
		ps->verified++;
		return 1;
	}
	if (ps->recheck) {
		if (ps->still_bad++ == 0)
			ps->first_still_bad = out->seq;
		return 0;
	}
	if (archive_quarantine(ps->ar, ps->serial, ps->store_id, ps->device_id, out, sig, ps->shown,
	    reason, cause) != 0)
		return PULLSIG_E_ARCHIVE;
	if (ps->quarantined++ == 0)
		ps->first_bad = out->seq;
	return 0;
}
