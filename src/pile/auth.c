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

int
pile_needs_auth(const struct pile *p)
{
	return p->has_key && (!p->session ||
	    mono_us() - p->last_write_us > PILE_SESSION_IDLE_MS * 1000ULL);
}

/* ---- a write and its session, one transaction at a time ------------------ */

enum {
	PW_START,
	PW_IDENT,	/* identity read: the serial the HMAC names, the caps */
	PW_CHALLENGE,	/* auth block read: challenge, lockout */
	PW_RESPONSE,	/* auth.response written */
	PW_RESPONSE_ERR, /* control.last_error read after a refused response */
	PW_REFUSED,	/* auth block read again, for the refusal's message */
	PW_OPENED,	/* auth block read: auth.state says open or not */
	PW_PIECE,	/* one FC 16 (an envelope on a WRITE_MAC pile) written */
	PW_PIECE_ERR,	/* control.last_error read after a refused piece */
	PW_COUNTER,	/* session.counter read after REPLAY */
	PW_DONE
};

static void
pile_w_read(const struct pile *p, struct pile_xfer *x, uint16_t addr, uint16_t count)
{
	pile_xfer_reset(x);
	x->req.unit = p->addr;
	x->req.fc = PROTO_FC_READ_HOLDING;
	x->req.read_addr = addr;
	x->req.read_count = count;
}

static int
pile_w_end(struct pile_write *w, int rc)
{
	sodium_memzero(w->challenge, sizeof w->challenge);
	w->state = PW_DONE;
	return rc;
}

/* The transaction x failed: its status and cause. */
static int
pile_w_failed(struct pile_write *w, struct pile_xfer *x, char **cause)
{
	int	rc = x->status < 0 ? x->status : PILE_E_PROTOCOL;

	if (cause != NULL) {
		*cause = x->cause != NULL ? x->cause : xstrdup(_("failed"));
		x->cause = NULL;
	}
	return pile_w_end(w, rc);
}

/* The refusal a piece or the response got, in w->err, to *cause. */
static int
pile_w_err(struct pile_write *w, int rc, char **cause)
{
	if (cause != NULL)
		*cause = w->err != NULL ? w->err : xstrdup(_("failed"));
	else
		free(w->err);
	w->err = NULL;
	return pile_w_end(w, rc);
}

/* Opens the session: the identity first when the serial is not known. */
static int
pile_w_auth(struct pile *p, struct pile_write *w, struct pile_xfer *x, char **cause)
{
	char	label[64];

	p->session = 0;
	if (!p->has_key)
		return pile_w_end(w, pile_no_key(p, cause));
	if (!p->has_serial) {
		pile_identity_request(p, x);
		w->state = PW_IDENT;
		return PILE_XFER_PENDING;
	}
	if (sodium_init() < 0)
		return pile_w_end(w, set_cause(cause, PILE_E_AUTH, _("cannot "
		    "authenticate to %s: libsodium failed to start"),
		    pile_label(p, label, sizeof label)));
	pile_w_read(p, x, PROTO_A_AUTH_CHALLENGE, PILE_AUTH_COUNT);
	w->state = PW_CHALLENGE;
	return PILE_XFER_PENDING;
}

/* The piece of the write at w->off: the whole write on a 1.0 pile, else an
 * envelope of at most PROTO_ENVELOPE_MAX values with the next counter. */
static int
pile_w_piece(struct pile *p, struct pile_write *w, struct pile_xfer *x)
{
	struct proto_envelope	e;
	uint16_t		n;

	pile_xfer_reset(x);
	x->req.unit = p->addr;
	x->req.fc = PROTO_FC_WRITE_MULTIPLE;
	w->state = PW_PIECE;
	if (!pile_needs_mac(p)) {
		x->req.write_addr = w->addr;
		x->req.write_count = w->count;
		memcpy(x->req.values, w->values, w->count * sizeof *w->values);
		return PILE_XFER_PENDING;
	}
	n = w->count - w->off < PROTO_ENVELOPE_MAX ? w->count - w->off :
	    PROTO_ENVELOPE_MAX;
	memset(&e, 0, sizeof e);
	e.target = w->addr + w->off;
	e.count = n;
	e.counter = ++p->counter;
	e.values = w->values + w->off;
	pile_envelope_sign(p->session_key, p->serial, p->addr, &e);
	x->req.write_addr = PROTO_A_SESSION_ENVELOPE;
	x->req.write_count = (uint16_t)proto_envelope_encode(&e, x->req.values);
	return PILE_XFER_PENDING;
}

/*
 * The write as the pile needs it: one FC 16 on a 1.0 pile; on a 1.1 pile
 * with WRITE_MAC one envelope per at most PROTO_ENVELOPE_MAX registers, the
 * one holding addr last, because a block acts when its first register is
 * written (whitelist.cmd) and the pile keeps what the others wrote.
 */
static int
pile_w_write(struct pile *p, struct pile_write *w, struct pile_xfer *x)
{
	w->off = !pile_needs_mac(p) || w->count <= PROTO_ENVELOPE_MAX ? 0 :
	    (uint16_t)((w->count - 1) / PROTO_ENVELOPE_MAX * PROTO_ENVELOPE_MAX);
	return pile_w_piece(p, w, x);
}

/* A piece was taken: the next one, or the end. */
static int
pile_w_piece_done(struct pile *p, struct pile_write *w, struct pile_xfer *x)
{
	free(w->err);
	w->err = NULL;
	if (w->off > 0) {
		w->off -= PROTO_ENVELOPE_MAX;
		return pile_w_piece(p, w, x);
	}
	p->last_write_us = mono_us();
	return pile_w_end(w, 0);
}

/*
 * A piece was refused and control.last_error says le. The session closed
 * (idle, pile restarted), another master opened its own (our MAC no longer
 * matches), our counter is behind, or the pile wants proof we did not know
 * it needs: one new session and the write again. Else the refusal, named.
 */
static int
pile_w_refused(struct pile *p, struct pile_write *w, struct pile_xfer *x,
    uint16_t le, char **cause)
{
	char	*err;
	int	 rc = PILE_E_EXCEPTION;

	if (w->again && (le == PROTO_WERR_NO_SESSION || le == PROTO_WERR_BAD_MAC ||
	    le == PROTO_WERR_NEEDS_MAC || le == PROTO_WERR_REPLAY)) {
		w->again = 0;
		free(w->err);
		w->err = NULL;
		if (le == PROTO_WERR_NEEDS_MAC)
			p->has_serial = 0;	/* read the caps again */
		return pile_w_auth(p, w, x, cause);
	}
	if (le == PROTO_WERR_NONE)
		return pile_w_err(w, rc, cause);
	if (le == PROTO_WERR_NO_SESSION)
		p->session = 0;
	if (le == PROTO_WERR_FORCED_OFFLINE || le == PROTO_WERR_NO_BACKEND)
		rc = PILE_E_REFUSED;
	err = w->err;
	w->err = NULL;
	set_cause(cause, rc, "%s (%s)", err != NULL ? err : _("failed"),
	    proto_write_error_str(le));
	free(err);
	return pile_w_end(w, rc);
}

void
pile_write_begin(struct pile_write *w, uint16_t addr, uint16_t count,
    const uint16_t *values)
{
	memset(w, 0, sizeof *w);
	w->addr = addr;
	w->count = count > PROTO_WRITE_MAX ? PROTO_WRITE_MAX : count;
	memcpy(w->values, values, w->count * sizeof *values);
	/* A session that closed meanwhile needs no closing. */
	w->again = addr != PROTO_A_SESSION_CLOSE;
}

void
pile_auth_begin(struct pile_write *w)
{
	memset(w, 0, sizeof *w);
	w->auth_only = 1;
}

/* The challenge is read: answer it with the HMAC of challenge, serial and
 * address under the pile's key. */
static int
pile_w_challenge(struct pile *p, struct pile_write *w, struct pile_xfer *x,
    char **cause)
{
	const uint16_t	*regs = x->resp.regs;
	uint16_t	 resp[PROTO_N_AUTH_RESPONSE];
	uint8_t		 msg[PROTO_AUTH_MSG_BYTES], mac[PROTO_MAC_BYTES];

	if (x->status != 0)
		return pile_w_failed(w, x, cause);
	if (regs[PILE_AUTH(AUTH_LOCKOUT_LEFT)] > 0)
		return pile_w_end(w, pile_locked_out(p, regs[PILE_AUTH(AUTH_FAILURES)],
		    regs[PILE_AUTH(AUTH_LOCKOUT_LEFT)], cause));
	proto_get_bytes(&regs[PILE_AUTH(AUTH_CHALLENGE)], sizeof w->challenge,
	    w->challenge);
	proto_auth_message(w->challenge, p->serial, p->addr, msg);
	crypto_auth_hmacsha256(mac, msg, sizeof msg, p->key);
	proto_put_bytes(resp, sizeof mac, mac);
	sodium_memzero(mac, sizeof mac);
	pile_xfer_reset(x);
	x->req.unit = p->addr;
	x->req.fc = PROTO_FC_WRITE_MULTIPLE;
	x->req.write_addr = PROTO_A_AUTH_RESPONSE;
	x->req.write_count = PROTO_N_AUTH_RESPONSE;
	memcpy(x->req.values, resp, sizeof resp);
	sodium_memzero(resp, sizeof resp);
	w->state = PW_RESPONSE;
	return PILE_XFER_PENDING;
}

/* auth.state is read after the response: the session is open (its key
 * derived, its counter at 0), then the write follows. */
static int
pile_w_opened(struct pile *p, struct pile_write *w, struct pile_xfer *x,
    char **cause)
{
	const uint16_t	*regs = x->resp.regs;

	if (x->status != 0)
		return pile_w_failed(w, x, cause);
	if (regs[PILE_AUTH(AUTH_STATE)] != 1)
		return pile_w_end(w, pile_wrong_key(p, regs, cause));
	p->session = 1;
	p->last_write_us = mono_us();
	/* Ks for writes with proof: the same challenge, pile and address. */
	pile_session_key(p->key, w->challenge, p->serial, p->addr, p->session_key);
	p->counter = 0;
	if (w->auth_only)
		return pile_w_end(w, 0);
	sodium_memzero(w->challenge, sizeof w->challenge);
	return pile_w_write(p, w, x);
}

/* control.last_error after a refused piece, and session.counter after a
 * REPLAY. */
static int
pile_w_piece_err(struct pile *p, struct pile_write *w, struct pile_xfer *x,
    char **cause)
{
	const uint16_t	*regs = x->resp.regs;
	uint32_t	 c;

	if (w->state == PW_PIECE_ERR) {
		if (x->status != 0)
			return pile_w_err(w, PILE_E_EXCEPTION, cause);
		/* After REPLAY: the pile already took a frame with our
		 * counter. When its session.counter is the one we sent, that
		 * was our frame whose answer got lost (the bus sent it
		 * again): done. Otherwise take the pile's counter. */
		if (pile_needs_mac(p) && w->exception == PROTO_EX_ILLEGAL_FUNCTION &&
		    regs[0] == PROTO_WERR_REPLAY) {
			pile_w_read(p, x, PROTO_A_SESSION_COUNTER,
			    PROTO_N_SESSION_COUNTER);
			w->state = PW_COUNTER;
			return PILE_XFER_PENDING;
		}
		return pile_w_refused(p, w, x, regs[0], cause);
	}
	if (x->status == 0) {
		c = proto_get_u32(regs);
		if (c == p->counter)
			return pile_w_piece_done(p, w, x);
		if (c > p->counter)
			p->counter = c;
	}
	return pile_w_refused(p, w, x, PROTO_WERR_REPLAY, cause);
}

int
pile_write_next(struct pile *p, struct pile_write *w, struct pile_xfer *x,
    char **cause)
{
	struct proto_identity	 id;
	const uint16_t		*regs = x->resp.regs;
	int			 rc;

	switch (w->state) {
	case PW_START:
		if (w->auth_only)
			return pile_w_auth(p, w, x, cause);
		if (!p->has_key)
			return pile_w_end(w, pile_no_key(p, cause));
		if (p->session && mono_us() - p->last_write_us >
		    PILE_SESSION_IDLE_MS * 1000ULL)
			p->session = 0;
		if (!p->session)
			return pile_w_auth(p, w, x, cause);
		return pile_w_write(p, w, x);
	case PW_IDENT:
		if ((rc = pile_identity_parse(p, x, &id, cause)) < 0)
			return pile_w_end(w, rc);
		if (!p->has_serial)
			return pile_w_end(w, set_cause(cause, PILE_E_PROTOCOL,
			    _("address %u sent no serial in its identity"), p->addr));
		return pile_w_auth(p, w, x, cause);
	case PW_CHALLENGE:
		return pile_w_challenge(p, w, x, cause);
	case PW_RESPONSE:
		/* A pile may take a wrong response and say so in auth.state,
		 * or refuse the write (exception 03, control.last_error 2);
		 * during a lockout it answers busy (06, last_error 3). */
		if (x->status == PILE_E_EXCEPTION) {
			w->err = x->cause;
			x->cause = NULL;
			pile_w_read(p, x, PROTO_A_CTL_LAST_ERROR, 1);
			w->state = PW_RESPONSE_ERR;
			return PILE_XFER_PENDING;
		}
		if (x->status != 0)
			return pile_w_failed(w, x, cause);
		pile_w_read(p, x, PROTO_A_AUTH_CHALLENGE, PILE_AUTH_COUNT);
		w->state = PW_OPENED;
		return PILE_XFER_PENDING;
	case PW_RESPONSE_ERR:
		if (x->status != 0 || (regs[0] != PROTO_WERR_BAD_KEY &&
		    regs[0] != PROTO_WERR_LOCKED_OUT))
			return pile_w_err(w, PILE_E_EXCEPTION, cause);
		free(w->err);
		w->err = NULL;
		w->last_error = regs[0];
		pile_w_read(p, x, PROTO_A_AUTH_CHALLENGE, PILE_AUTH_COUNT);
		w->state = PW_REFUSED;
		return PILE_XFER_PENDING;
	case PW_REFUSED:
		if (x->status != 0)
			return pile_w_failed(w, x, cause);
		if (w->last_error == PROTO_WERR_LOCKED_OUT)
			return pile_w_end(w, pile_locked_out(p,
			    regs[PILE_AUTH(AUTH_FAILURES)],
			    regs[PILE_AUTH(AUTH_LOCKOUT_LEFT)], cause));
		x->resp.regs[PILE_AUTH(AUTH_STATE)] = 0;
		return pile_w_end(w, pile_wrong_key(p, regs, cause));
	case PW_OPENED:
		return pile_w_opened(p, w, x, cause);
	case PW_PIECE:
		if (x->status == 0)
			return pile_w_piece_done(p, w, x);
		if (x->status != PILE_E_EXCEPTION)
			return pile_w_failed(w, x, cause);
		w->exception = x->resp.exception;
		free(w->err);
		w->err = x->cause;
		x->cause = NULL;
		pile_w_read(p, x, PROTO_A_CTL_LAST_ERROR, 1);
		w->state = PW_PIECE_ERR;
		return PILE_XFER_PENDING;
	case PW_PIECE_ERR:
	case PW_COUNTER:
		return pile_w_piece_err(p, w, x, cause);
	}
	return pile_w_end(w, set_cause(cause, PILE_E_PROTOCOL, _("failed")));
}

void
pile_write_free(struct pile_write *w)
{
	free(w->err);
	sodium_memzero(w, sizeof *w);
}

/* The machine above, blocking: each transaction with pile_bus_transact. */
static int
pile_write_run(struct pile *p, struct pile_write *w, uint8_t *exception,
    char **cause)
{
	struct pile_xfer	x;
	int			rc;

	memset(&x, 0, sizeof x);
	while ((rc = pile_write_next(p, w, &x, cause)) == PILE_XFER_PENDING)
		pile_bus_transact(p->bus, &x);
	if (exception != NULL)
		*exception = rc == PILE_E_EXCEPTION || rc == PILE_E_REFUSED ?
		    w->exception : 0;
	pile_xfer_reset(&x);
	pile_write_free(w);
	return rc;
}

int
pile_auth(struct pile *p, char **cause)
{
	struct pile_write	w;

	pile_auth_begin(&w);
	return pile_write_run(p, &w, NULL, cause);
}

int
pile_write_auth(struct pile *p, uint16_t addr, uint16_t count,
    const uint16_t *values, uint8_t *exception, char **cause)
{
	struct pile_write	w;

	pile_write_begin(&w, addr, count, values);
	return pile_write_run(p, &w, exception, cause);
}

int
pile_session_to_close(struct pile *p)
{
	if (!p->session || !pile_needs_mac(p))
		return 0;
	if (mono_us() - p->last_write_us > PILE_SESSION_IDLE_MS * 1000ULL) {
		p->session = 0;
		return 0;
	}
	return 1;
}

void
pile_session_forget(struct pile *p)
{
	p->session = 0;
	sodium_memzero(p->session_key, sizeof p->session_key);
	p->counter = 0;
}

int
pile_session_close(struct pile *p, char **cause)
{
	uint16_t	one = 1;
	int		rc;

	if (!pile_session_to_close(p))
		return 0;
	rc = pile_write_auth(p, PROTO_A_SESSION_CLOSE, 1, &one, NULL, cause);
	pile_session_forget(p);
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
