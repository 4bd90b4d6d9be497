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
	p->last_write_us = mono_us();
	/* Ks for writes with proof: the same challenge, pile and address. */
	pile_session_key(p->key, challenge, p->serial, p->addr, p->session_key);
	p->counter = 0;
	return 0;
}

void
pile_session_key(const uint8_t key[PROTO_KEY_BYTES],
    const uint8_t challenge[PROTO_CHALLENGE_BYTES], const char *serial,
    uint8_t unit, uint8_t ks[PROTO_MAC_BYTES])
{
	uint8_t	msg[PROTO_SESSION_KEY_MSG_BYTES];

	proto_session_key_message(challenge, serial, unit, msg);
	crypto_auth_hmacsha256(ks, msg, sizeof msg, key);
	sodium_memzero(msg, sizeof msg);
}

void
pile_envelope_sign(const uint8_t ks[PROTO_MAC_BYTES], const char *serial,
    uint8_t unit, struct proto_envelope *e)
{
	uint8_t	msg[PROTO_ENVELOPE_MSG_MAX], mac[PROTO_MAC_BYTES];
	size_t	len;

	len = proto_envelope_message(serial, unit, e, msg);
	crypto_auth_hmacsha256(mac, msg, len, ks);
	memcpy(e->mac, mac, sizeof e->mac);	/* truncated to 16 bytes */
	sodium_memzero(mac, sizeof mac);
}

/* 1 when the pile takes WA writes only through session.envelope. */
static int
pile_needs_mac(const struct pile *p)
{
	return (p->caps & PROTO_CAP_WRITE_MAC) != 0;
}

/*
 * After REPLAY: the pile already took a frame with our counter. When its
 * session.counter is the one we sent, that was our frame whose answer got
 * lost (the bus sent it again): done. Otherwise take the pile's counter.
 */
static int
pile_replayed_ours(struct pile *p)
{
	uint16_t	regs[PROTO_N_SESSION_COUNTER];
	uint32_t	c;

	if (pile_read_regs(p, PROTO_A_SESSION_COUNTER, PROTO_N_SESSION_COUNTER,
	    regs, NULL) != 0)
		return 0;
	c = proto_get_u32(regs);
	if (c == p->counter)
		return 1;
	if (c > p->counter)
		p->counter = c;
	return 0;
}

/* One FC 16 of count registers at addr, plain or in an envelope with the
 * next counter. */
static int
pile_write_one(struct pile *p, uint16_t addr, uint16_t count,
    const uint16_t *values, struct pile_xfer *x, char **cause)
{
	struct proto_envelope	e;
	uint16_t		last_error;
	int			rc;

	memset(x, 0, sizeof *x);
	x->req.fc = PROTO_FC_WRITE_MULTIPLE;
	if (!pile_needs_mac(p)) {
		x->req.write_addr = addr;
		x->req.write_count = count;
		memcpy(x->req.values, values, count * sizeof *values);
		return pile_run(p, x, cause);
	}
	memset(&e, 0, sizeof e);
	e.target = addr;
	e.count = count;
	e.counter = ++p->counter;
	e.values = values;
	pile_envelope_sign(p->session_key, p->serial, p->addr, &e);
	x->req.write_addr = PROTO_A_SESSION_ENVELOPE;
	x->req.write_count = (uint16_t)proto_envelope_encode(&e, x->req.values);
	rc = pile_run(p, x, cause);
	if (rc == PILE_E_EXCEPTION &&
	    x->resp.exception == PROTO_EX_ILLEGAL_FUNCTION &&
	    pile_read_regs(p, PROTO_A_CTL_LAST_ERROR, 1, &last_error,
	    NULL) == 0 && last_error == PROTO_WERR_REPLAY &&
	    pile_replayed_ours(p)) {
		if (cause != NULL) {
			free(*cause);
			*cause = NULL;
		}
		return 0;
	}
	return rc;
}

/*
 * The write as the pile needs it: one FC 16 on a 1.0 pile; on a 1.1 pile
 * with WRITE_MAC one envelope per at most PROTO_ENVELOPE_MAX registers, the
 * one holding addr last, because a block acts when its first register is
 * written (whitelist.cmd) and the pile keeps what the others wrote.
 */
static int
pile_write_session(struct pile *p, uint16_t addr, uint16_t count,
    const uint16_t *values, struct pile_xfer *x, char **cause)
{
	uint16_t	off, n;
	int		rc;

	if (!pile_needs_mac(p) || count <= PROTO_ENVELOPE_MAX)
		return pile_write_one(p, addr, count, values, x, cause);
	off = (uint16_t)((count - 1) / PROTO_ENVELOPE_MAX * PROTO_ENVELOPE_MAX);
	for (;; off -= PROTO_ENVELOPE_MAX) {
		n = count - off < PROTO_ENVELOPE_MAX ? count - off :
		    PROTO_ENVELOPE_MAX;
		rc = pile_write_one(p, addr + off, n, values + off, x, cause);
		if (rc < 0 || off == 0)
			return rc;
	}
}

int
pile_needs_auth(const struct pile *p)
{
	return p->has_key && (!p->session ||
	    mono_us() - p->last_write_us > PILE_SESSION_IDLE_MS * 1000ULL);
}

int
pile_write_auth(struct pile *p, uint16_t addr, uint16_t count,
    const uint16_t *values, uint8_t *exception, char **cause)
{
	struct pile_xfer	 x;
	uint16_t		 last_error;
	uint64_t		 now = mono_us();
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
		rc = pile_write_session(p, addr, count, values, &x, &err);
		if (rc == 0) {
			p->last_write_us = mono_us();
			return 0;
		}
		if (rc != PILE_E_EXCEPTION)
			break;
		if (exception != NULL)
			*exception = x.resp.exception;
		if (pile_read_regs(p, PROTO_A_CTL_LAST_ERROR, 1, &last_error,
		    NULL) != 0)
			break;
		/*
		 * The session closed (idle, pile restarted), another master
		 * opened its own (our MAC no longer matches), our counter is
		 * behind, or the pile wants proof we did not know it needs:
		 * one new session.
		 */
		if (again && (last_error == PROTO_WERR_NO_SESSION ||
		    last_error == PROTO_WERR_BAD_MAC ||
		    last_error == PROTO_WERR_NEEDS_MAC ||
		    last_error == PROTO_WERR_REPLAY)) {
			free(err);
			err = NULL;
			if (last_error == PROTO_WERR_NEEDS_MAC)
				p->has_serial = 0;	/* read the caps again */
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

int
pile_session_close(struct pile *p, char **cause)
{
	struct pile_xfer	x;
	uint16_t		one = 1;
	int			rc;

	if (!p->session || !pile_needs_mac(p))
		return 0;
	if (mono_us() - p->last_write_us > PILE_SESSION_IDLE_MS * 1000ULL) {
		p->session = 0;
		return 0;
	}
	rc = pile_write_one(p, PROTO_A_SESSION_CLOSE, 1, &one, &x, cause);
	p->session = 0;
	sodium_memzero(p->session_key, sizeof p->session_key);
	p->counter = 0;
	return rc;
}

#define PILE_AUTH_STATE_COUNT	(PROTO_A_AUTH_FAILURES + 1 - PROTO_A_AUTH_STATE)

static void
pile_read_request(const struct pile *p, struct pile_xfer *x, uint16_t addr,
    uint16_t count)
{
	pile_xfer_reset(x);
	x->req.unit = p->addr;
	x->req.fc = PROTO_FC_READ_HOLDING;
	x->req.read_addr = addr;
	x->req.read_count = count;
}

static int
pile_read_check(const struct pile_xfer *x, uint16_t addr, uint16_t count,
    const char *what, char **cause)
{
	if (x->status < 0)
		return set_cause(cause, x->status, "%s", x->cause != NULL ?
		    x->cause : _("the read failed"));
	if (x->status != 0 || x->req.read_addr != addr ||
	    x->resp.nregs != count)
		return set_cause(cause, PILE_E_PROTOCOL, _("address %u sent "
		    "%u registers for %s, not %u"), x->req.unit, x->resp.nregs,
		    what, (unsigned)count);
	return 0;
}

void
pile_auth_state_request(const struct pile *p, struct pile_xfer *x)
{
	pile_read_request(p, x, PROTO_A_AUTH_STATE, PILE_AUTH_STATE_COUNT);
}

int
pile_auth_state_parse(const struct pile_xfer *x, struct pile_auth_state *st,
    char **cause)
{
	int	rc;

	if ((rc = pile_read_check(x, PROTO_A_AUTH_STATE, PILE_AUTH_STATE_COUNT,
	    "auth.state", cause)) != 0)
		return rc;
	st->open = x->resp.regs[PROTO_A_AUTH_STATE - PROTO_A_AUTH_STATE];
	st->left_s = x->resp.regs[PROTO_A_AUTH_SESSION_LEFT - PROTO_A_AUTH_STATE];
	st->lockout_left_s = x->resp.regs[PROTO_A_AUTH_LOCKOUT_LEFT - PROTO_A_AUTH_STATE];
	st->failures = x->resp.regs[PROTO_A_AUTH_FAILURES - PROTO_A_AUTH_STATE];
	return 0;
}

void
pile_session_counter_request(const struct pile *p, struct pile_xfer *x)
{
	pile_read_request(p, x, PROTO_A_SESSION_COUNTER, PROTO_N_SESSION_COUNTER);
}

int
pile_session_counter_parse(const struct pile_xfer *x, uint32_t *counter,
    char **cause)
{
	int	rc;

	if ((rc = pile_read_check(x, PROTO_A_SESSION_COUNTER,
	    PROTO_N_SESSION_COUNTER, "session.counter", cause)) != 0)
		return rc;
	*counter = proto_get_u32(x->resp.regs);
	return 0;
}
