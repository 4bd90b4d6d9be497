/* auth.c - write sessions of a pile: HMAC-SHA256 challenge-response over the
 * pile key, idle expiry, the growing lockout after wrong keys, keys.yaml. */
#include "config.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "world.h"

void
sim_auth_init(struct sim_pile *p)
{
	randombytes_buf(p->challenge, sizeof p->challenge);
	p->auth_open = 0;
}

void
sim_auth_close(struct sim_pile *p)
{
	if (p->auth_open)
		randombytes_buf(p->challenge, sizeof p->challenge);
	p->auth_open = 0;
	sodium_memzero(p->session_key, sizeof p->session_key);
	p->session_counter = 0;
}

/* The idle time that closes a session: 60 s, or what a test set in
 * $PILESIM_SESSION_IDLE_MS so it need not wait a minute. */
static uint64_t
idle_ms(const struct sim_pile *p)
{
	return p->w != NULL && p->w->auth_idle_ms != 0 ? p->w->auth_idle_ms :
	    SIM_AUTH_IDLE_MS;
}

/* 1 while a session is open; closes it once idle too long (real time). */
int
sim_auth_session(struct sim_pile *p, uint64_t now_ms)
{
	if (p->auth_open && now_ms - p->auth_last_ms >= idle_ms(p))
		sim_auth_close(p);
	return p->auth_open;
}

static uint32_t
lockout_s(unsigned failures)
{
	if (failures == 0)
		return 0;
	if (failures > 12)
		return SIM_LOCKOUT_MAX_S;
	return (1U << (failures - 1)) < SIM_LOCKOUT_MAX_S ? (1U << (failures - 1)) :
	    SIM_LOCKOUT_MAX_S;
}

/*
 * A write of auth.response (16 registers, the 32-byte MAC). Returns 0 when a
 * session opened, else the Modbus exception, with control.last_error set.
 * During a lockout the response is not even looked at, so guessing faster
 * than the lockout allows teaches nothing.
 */
int
sim_auth_respond(struct sim_pile *p, const uint16_t *regs, uint64_t now_ms)
{
	uint8_t		mac[PROTO_MAC_BYTES], msg[PROTO_AUTH_MSG_BYTES];
	uint8_t		kmsg[PROTO_SESSION_KEY_MSG_BYTES];
	uint32_t	clock = sim_pile_clock(p, now_ms);
	int		good;

	if (p->lockout_until != 0 && clock < p->lockout_until) {
		p->last_error = PROTO_WERR_LOCKED_OUT;
		return PROTO_EX_BUSY;
	}
	proto_get_bytes(regs, sizeof mac, mac);
	proto_auth_message(p->challenge, p->serial, (uint8_t)p->addr, msg);
	good = crypto_auth_hmacsha256_verify(mac, msg, sizeof msg, p->key) == 0;
	/* Any attempt ends the session that was open: a new one (or none)
	 * starts with a fresh key and counter. */
	proto_session_key_message(p->challenge, p->serial, (uint8_t)p->addr,
	    kmsg);
	sim_auth_close(p);
	if (good)
		/* Ks binds the session's writes to this challenge, pile and
		 * address (regmap.h, writes that carry their own proof). */
		crypto_auth_hmacsha256(p->session_key, kmsg, sizeof kmsg, p->key);
	sodium_memzero(kmsg, sizeof kmsg);
	/* Every attempt spends the challenge: a response works once. */
	randombytes_buf(p->challenge, sizeof p->challenge);
	sodium_memzero(msg, sizeof msg);
	p->dirty = 1;
	if (good) {
		p->auth_open = 1;
		p->auth_last_ms = now_ms;
		p->failures = 0;
		p->lockout_until = 0;
		p->last_error = PROTO_WERR_NONE;
		return 0;
	}
	if (p->failures < 0xffff)
		p->failures++;
	p->lockout_until = clock + lockout_s(p->failures);
	p->last_error = PROTO_WERR_BAD_KEY;
	return PROTO_EX_ILLEGAL_VALUE;
}

/* --protocol 1.0, or ADDR:1.0 for this pile alone (p->protocol, set when the
 * world makes the pile: a mixed bus). */
int
sim_pile_is_10(const struct sim_pile *p)
{
	return p->w != NULL && (p->w->protocol < PROTO_VERSION_1_1 ||
	    (p->protocol != 0 && p->protocol < PROTO_VERSION_1_1));
}

int
sim_auth_needs_mac(const struct sim_pile *p)
{
	return !sim_pile_is_10(p);
}

/*
 * An FC 16 to session.envelope. The MAC is checked before the counter so a
 * bystander learns nothing from the answer but "bad MAC"; a good MAC spends
 * its counter even when the inner write is then refused, so an authentic
 * frame never works twice.
 */
int
sim_auth_envelope(struct sim_pile *p, const uint16_t *regs, uint16_t nregs,
    uint64_t now_ms, struct proto_envelope *e)
{
	uint8_t		msg[PROTO_ENVELOPE_MSG_MAX], mac[PROTO_MAC_BYTES];
	size_t		len;
	int		good;

	if (!sim_auth_session(p, now_ms)) {
		p->last_error = PROTO_WERR_NO_SESSION;
		return PROTO_EX_ILLEGAL_FUNCTION;
	}
	if (proto_envelope_decode(regs, nregs, e) != 0) {
		p->last_error = PROTO_WERR_BAD_ENVELOPE;
		return PROTO_EX_ILLEGAL_VALUE;
	}
	len = proto_envelope_message(p->serial, (uint8_t)p->addr, e, msg);
	crypto_auth_hmacsha256(mac, msg, len, p->session_key);
	good = sodium_memcmp(mac, e->mac, PROTO_SESSION_MAC_BYTES) == 0;
	sodium_memzero(mac, sizeof mac);
	if (!good) {
		p->last_error = PROTO_WERR_BAD_MAC;
		return PROTO_EX_ILLEGAL_FUNCTION;
	}
	if (e->counter <= p->session_counter) {
		p->last_error = PROTO_WERR_REPLAY;
		return PROTO_EX_ILLEGAL_FUNCTION;
	}
	p->session_counter = e->counter;
	return 0;
}

/* The auth block from auth.challenge: the response reads back as zeros. */
void
sim_auth_regs(struct sim_pile *p, uint64_t now_ms, uint16_t *regs)
{
	uint32_t	clock = sim_pile_clock(p, now_ms), left = 0;
	int		open = sim_auth_session(p, now_ms);

	memset(regs, 0, (PROTO_A_AUTH_FAILURES + 1 - PROTO_A_AUTH_CHALLENGE) * 2);
	proto_put_bytes(regs, PROTO_CHALLENGE_BYTES, p->challenge);
	regs[PROTO_A_AUTH_STATE - PROTO_A_AUTH_CHALLENGE] = (uint16_t)open;
	if (open)
		regs[PROTO_A_AUTH_SESSION_LEFT - PROTO_A_AUTH_CHALLENGE] =
		    (uint16_t)((idle_ms(p) - (now_ms - p->auth_last_ms) + 999) / 1000);
	if (p->lockout_until > clock)
		left = p->lockout_until - clock;
	regs[PROTO_A_AUTH_LOCKOUT_LEFT - PROTO_A_AUTH_CHALLENGE] =
	    (uint16_t)(left > 0xffff ? 0xffff : left);
	regs[PROTO_A_AUTH_FAILURES - PROTO_A_AUTH_CHALLENGE] =
	    (uint16_t)(p->failures > 0xffff ? 0xffff : p->failures);
}

/* DIR/keys.yaml, the file `pilecon --keys` reads; private (0600). */
int
sim_keys_write(struct sim_world *w, char **cause)
{
	char	*text, *tmp, *path, *serial, hex[2 * PROTO_KEY_BYTES + 1];
	char	 b64[sodium_base64_ENCODED_LEN(sizeof w->piles[0].serial,
		    sodium_base64_VARIANT_ORIGINAL)];
	size_t	 bad_at;
	int	 i, rc;

	text = xstrdup("# pilesim keys: one per pile; keep this file private (mode 0600)\n"
	    "keys:\n");
	for (i = 0; i < w->npiles; i++) {
		sodium_bin2hex(hex, sizeof hex, w->piles[i].key, PROTO_KEY_BYTES);
		/* A serial reads back byte for byte: quoted, or, when it is
		 * not UTF-8 (which YAML text must be), as YAML's !!binary. */
		if ((serial = text_yaml_quote(w->piles[i].serial, &bad_at)) == NULL) {
			sodium_bin2base64(b64, sizeof b64,
			    (const unsigned char *)w->piles[i].serial,
			    strlen(w->piles[i].serial), sodium_base64_VARIANT_ORIGINAL);
			serial = xasprintf("!!binary \"%s\"", b64);
		}
		tmp = xasprintf("%s  - serial: %s\n    key: \"%s\"\n", text, serial, hex);
		free(serial);
		free(text);
		text = tmp;
	}
	sodium_memzero(hex, sizeof hex);
	path = xasprintf("%s/keys.yaml", w->dir);
	rc = sim_write_atomic(path, text, strlen(text), 0600, cause);
	sodium_memzero(text, strlen(text));
	free(text);
	free(path);
	return rc;
}
