/* pullsig.h - the signature side of `logs pull` on a 1.1 pile: pin the
 * pile's key (trust on first use, or the provisioned one), read each record
 * with its signature and check it; what fails goes to the quarantine. */
#ifndef PULLSIG_H
#define PULLSIG_H

#include <stdint.h>

#include "archive/archive.h"
#include "pile/pile.h"

struct proto_verifier;

/* Failures of the archive (not of the pile: those are PILE_E_*). */
#define PULLSIG_E_ARCHIVE	(-100)

struct pullsig {
	struct archive		*ar;
	const char		*serial, *device_id;
	uint32_t		 store_id;	/* the archive series: set by the pull */
	struct proto_verifier	*v;
	uint8_t			 pinned[PROTO_PUBKEY_BYTES];
	uint8_t			 shown[PROTO_PUBKEY_BYTES];	/* what the pile shows */
	enum archive_key_state	 state;
	uint32_t		 verified, quarantined;
	uint32_t		 first_bad;
	/* Checking again a record the quarantine holds: one that fails
	 * stays there as it is (its entry is the evidence), counted here. */
	int			 recheck;
	uint32_t		 still_bad, first_still_bad;
};

/* Pins the key the pile shows (its identity.public_key, read by the
 * caller on the event loop: pile_public_key_request) or compares it with
 * the pin. 0, or PILE_E_PROTOCOL or PULLSIG_E_ARCHIVE with *cause. */
int	pullsig_start(struct pullsig *, struct archive *, const char *serial,
	    const char *device_id, const uint8_t shown[PROTO_PUBKEY_BYTES], char **cause);
/* Checks a signed window read on the event loop (pile_signed_read_parse
 * gave rc, out and sig). Returns 1 when the record is good, 0 when it
 * went to the quarantine (or past the newest: *next is then 0), a PILE_E_*
 * or PULLSIG_E_ARCHIVE on failure. *next is the sequence number to read
 * next. */
int	pullsig_check(struct pullsig *, int rc, const struct proto_record *out,
	    const uint8_t sig[PROTO_SIG_BYTES], uint32_t *next, char **cause);
void	pullsig_end(struct pullsig *);

#endif
