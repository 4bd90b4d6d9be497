/* auth.c - opening a write session (HMAC-SHA256 challenge-response over the
 * pile's key) and writes that need one. The key never appears in a message. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common.h"
#include "pile-int.h"

#define PILE_AUTH_COUNT	(PROTO_A_AUTH_FAILURES + PROTO_N_AUTH_FAILURES - \
			 PROTO_A_AUTH_CHALLENGE)
#define PILE_AUTH(id)	(PROTO_A_##id - PROTO_A_AUTH_CHALLENGE)

static int
pile_no_key(struct pile *p, char **cause)
{
	if (p->has_serial)
		return set_cause(cause, PILE_E_AUTH, _("writing to pile '%s' "
		    "needs its key: pass --keys FILE or set 'keys' in the "
		    "config"), p->serial);
	return set_cause(cause, PILE_E_AUTH, _("writing to the pile at "
	    "address %u needs its key: pass --keys FILE or set 'keys' in the "
	    "config"), p->addr);
}

static int
pile_locked_out(struct pile *p, unsigned failures, unsigned left_s,
    char **cause)
{
	char	label[64];

	return set_cause(cause, PILE_E_AUTH, _("%s takes no key for %u s more "
	    "(wrong keys in a row: %u; check its key in the keys file, then "
	    "try again)"), pile_label(p, label, sizeof label), left_s,
	    failures);
}

static int
pile_wrong_key(struct pile *p, const uint16_t *regs, char **cause)
{
	if (regs[PILE_AUTH(AUTH_LOCKOUT_LEFT)] > 0)
		return set_cause(cause, PILE_E_AUTH, _("wrong key for pile "
		    "'%s' (address %u); the pile accepts the next try in %u s"),
		    p->serial, p->addr, regs[PILE_AUTH(AUTH_LOCKOUT_LEFT)]);
	return set_cause(cause, PILE_E_AUTH, _("wrong key for pile '%s' "
	    "(address %u): check its entry in the keys file"), p->serial,
	    p->addr);
}

int
pile_auth(struct pile *p, char **cause)
{
	struct proto_identity	 id;
	struct pile_xfer	 x;
	uint16_t		 regs[PILE_AUTH_COUNT];
	uint16_t		 resp[PROTO_N_AUTH_RESPONSE];
	uint8_t			 challenge[PROTO_CHALLENGE_BYTES];
	uint8_t			 msg[PROTO_AUTH_MSG_BYTES];
	uint8_t			 mac[PROTO_MAC_BYTES];
	uint16_t		 last_error;
	char			 label[64];
	int			 rc;

	p->session = 0;
	if (!p->has_key)
		return pile_no_key(p, cause);
	if (!p->has_serial && (rc = pile_identity(p, &id, cause)) < 0)
		return rc;
	if (sodium_init() < 0)
		return set_cause(cause, PILE_E_AUTH, _("cannot authenticate "
		    "to %s: libsodium failed to start"),
		    pile_label(p, label, sizeof label));

	rc = pile_read_regs(p, PROTO_A_AUTH_CHALLENGE, PILE_AUTH_COUNT, regs,
	    cause);
	if (rc < 0)
		return rc;
	if (regs[PILE_AUTH(AUTH_LOCKOUT_LEFT)] > 0)
		return pile_locked_out(p, regs[PILE_AUTH(AUTH_FAILURES)],
		    regs[PILE_AUTH(AUTH_LOCKOUT_LEFT)], cause);

	proto_get_bytes(&regs[PILE_AUTH(AUTH_CHALLENGE)], sizeof challenge,
	    challenge);
	proto_auth_message(challenge, p->serial, p->addr, msg);
	crypto_auth_hmacsha256(mac, msg, sizeof msg, p->key);
	proto_put_bytes(resp, sizeof mac, mac);
	sodium_memzero(mac, sizeof mac);

	memset(&x, 0, sizeof x);
	x.req.fc = PROTO_FC_WRITE_MULTIPLE;
	x.req.write_addr = PROTO_A_AUTH_RESPONSE;
	x.req.write_count = PROTO_N_AUTH_RESPONSE;
	memcpy(x.req.values, resp, sizeof resp);
	/*
	 * A pile may take a wrong response and say so in auth.state, or
	 * refuse the write (exception 03, control.last_error 2); during a
	 * lockout it answers busy (06, last_error 3). Both end up below.
	 */
	rc = pile_run(p, &x, cause);
	if (rc == PILE_E_EXCEPTION &&
	    pile_read_regs(p, PROTO_A_CTL_LAST_ERROR, 1, &last_error,
	    NULL) == 0 && (last_error == PROTO_WERR_BAD_KEY ||
	    last_error == PROTO_WERR_LOCKED_OUT)) {
		if (cause != NULL) {
			free(*cause);
			*cause = NULL;
		}
		rc = pile_read_regs(p, PROTO_A_AUTH_CHALLENGE, PILE_AUTH_COUNT,
		    regs, cause);
		if (rc < 0)
			return rc;
		if (last_error == PROTO_WERR_LOCKED_OUT)
			return pile_locked_out(p, regs[PILE_AUTH(AUTH_FAILURES)],
			    regs[PILE_AUTH(AUTH_LOCKOUT_LEFT)], cause);
		regs[PILE_AUTH(AUTH_STATE)] = 0;
		return pile_wrong_key(p, regs, cause);
	}
	if (rc < 0)
		return rc;

	rc = pile_read_regs(p, PROTO_A_AUTH_CHALLENGE, PILE_AUTH_COUNT, regs,
	    cause);
	if (rc < 0)
		return rc;
	if (regs[PILE_AUTH(AUTH_STATE)] != 1)
		return pile_wrong_key(p, regs, cause);
	p->session = 1;
	p->last_write_us = pile_now_us();
	return 0;
}

int
pile_write_auth(struct pile *p, uint16_t addr, uint16_t count,
    const uint16_t *values, uint8_t *exception, char **cause)
{
	struct pile_xfer	 x;
	uint16_t		 last_error;
	uint64_t		 now = pile_now_us();
	char			*err = NULL;
	int			 rc, again;

	if (exception != NULL)
		*exception = 0;
	if (!p->has_key)
		return pile_no_key(p, cause);
	if (p->session && now - p->last_write_us > PILE_SESSION_IDLE_MS * 1000ULL)
		p->session = 0;
	if (!p->session && (rc = pile_auth(p, cause)) < 0)
		return rc;

	for (again = 1;; again = 0) {
		memset(&x, 0, sizeof x);
		x.req.fc = PROTO_FC_WRITE_MULTIPLE;
		x.req.write_addr = addr;
		x.req.write_count = count;
		memcpy(x.req.values, values, count * sizeof *values);
		rc = pile_run(p, &x, &err);
		if (rc == 0) {
			p->last_write_us = pile_now_us();
			return 0;
		}
		if (rc != PILE_E_EXCEPTION)
			break;
		if (exception != NULL)
			*exception = x.resp.exception;
		if (pile_read_regs(p, PROTO_A_CTL_LAST_ERROR, 1, &last_error,
		    NULL) != 0)
			break;
		/* The session closed (idle, pile restarted): one new one. */
		if (x.resp.exception == PROTO_EX_ILLEGAL_FUNCTION &&
		    last_error == PROTO_WERR_NO_SESSION && again) {
			free(err);
			err = NULL;
			if ((rc = pile_auth(p, cause)) < 0)
				return rc;
			continue;
		}
		if (last_error == PROTO_WERR_NONE)
			break;
		if (last_error == PROTO_WERR_NO_SESSION)
			p->session = 0;
		if (last_error == PROTO_WERR_FORCED_OFFLINE ||
		    last_error == PROTO_WERR_NO_BACKEND)
			rc = PILE_E_REFUSED;
		set_cause(cause, rc, "%s (%s)", err,
		    proto_write_error_str(last_error));
		free(err);
		return rc;
	}
	if (cause != NULL)
		*cause = err;
	else
		free(err);
	return rc;
}
