/* auth.c - the message a session's HMAC covers: it binds the response to
 * one challenge, one pile (serial) and one bus address. */
#include "config.h"

#include <string.h>

#include "proto.h"

#define SERIAL_BYTES	16	/* identity.serial: 8 registers */

void
proto_auth_message(const uint8_t challenge[PROTO_CHALLENGE_BYTES],
    const char *serial, uint8_t unit, uint8_t msg[PROTO_AUTH_MSG_BYTES])
{
	size_t	n = strlen(serial);

	if (n > SERIAL_BYTES)
		n = SERIAL_BYTES;
	memcpy(msg, challenge, PROTO_CHALLENGE_BYTES);
	memset(msg + PROTO_CHALLENGE_BYTES, 0, SERIAL_BYTES);
	memcpy(msg + PROTO_CHALLENGE_BYTES, serial, n);
	msg[PROTO_CHALLENGE_BYTES + SERIAL_BYTES] = unit;
}

/*
 * Writes that carry their own proof (protocol 1.1, cap WRITE_MAC): the
 * messages the session key and an envelope's MAC are HMACs of, and the
 * envelope's register layout. regmap.h defines them; the HMAC itself is
 * computed by whoever holds the key (src/pile/auth.c, src/sim/auth.c), so
 * proto stays free of crypto.
 */

static void
put_serial(uint8_t *dst, const char *serial)
{
	size_t	n = strlen(serial);

	if (n > SERIAL_BYTES)
		n = SERIAL_BYTES;
	memset(dst, 0, SERIAL_BYTES);
	memcpy(dst, serial, n);
}

void
proto_session_key_message(const uint8_t challenge[PROTO_CHALLENGE_BYTES],
    const char *serial, uint8_t unit,
    uint8_t msg[PROTO_SESSION_KEY_MSG_BYTES])
{
	size_t	label = sizeof PROTO_SESSION_KEY_LABEL - 1;

	memcpy(msg, PROTO_SESSION_KEY_LABEL, label);
	memcpy(msg + label, challenge, PROTO_CHALLENGE_BYTES);
	put_serial(msg + label + PROTO_CHALLENGE_BYTES, serial);
	msg[label + PROTO_CHALLENGE_BYTES + SERIAL_BYTES] = unit;
}

size_t
proto_envelope_message(const char *serial, uint8_t unit,
    const struct proto_envelope *e, uint8_t msg[PROTO_ENVELOPE_MSG_MAX])
{
	uint8_t		*m = msg;
	uint16_t	 i, n = e->count;

	if (n > PROTO_ENVELOPE_MAX)
		n = PROTO_ENVELOPE_MAX;
	put_serial(m, serial);
	m += SERIAL_BYTES;
	*m++ = unit;
	*m++ = (uint8_t)(e->target >> 8);
	*m++ = (uint8_t)e->target;
	*m++ = (uint8_t)(n >> 8);
	*m++ = (uint8_t)n;
	*m++ = (uint8_t)(e->counter >> 24);
	*m++ = (uint8_t)(e->counter >> 16);
	*m++ = (uint8_t)(e->counter >> 8);
	*m++ = (uint8_t)e->counter;
	for (i = 0; i < n; i++) {
		*m++ = (uint8_t)(e->values[i] >> 8);
		*m++ = (uint8_t)e->values[i];
	}
	return (size_t)(m - msg);
}

int
proto_envelope_encode(const struct proto_envelope *e, uint16_t *regs)
{
	uint16_t	n = e->count;

	if (n < 1 || n > PROTO_ENVELOPE_MAX)
		return -1;
	regs[0] = e->target;
	regs[1] = n;
	proto_put_u32(regs + 2, e->counter);
	memcpy(regs + PROTO_ENVELOPE_HEAD, e->values, n * sizeof *regs);
	proto_put_bytes(regs + PROTO_ENVELOPE_HEAD + n, PROTO_SESSION_MAC_BYTES,
	    e->mac);
	return PROTO_ENVELOPE_HEAD + n + PROTO_SESSION_MAC_BYTES / 2;
}

int
proto_envelope_decode(const uint16_t *regs, uint16_t nregs,
    struct proto_envelope *e)
{
	uint16_t	n;

	memset(e, 0, sizeof *e);
	if (nregs < PROTO_ENVELOPE_HEAD + 1 + PROTO_SESSION_MAC_BYTES / 2)
		return -1;
	n = regs[1];
	if (n < 1 || n > PROTO_ENVELOPE_MAX ||
	    nregs != PROTO_ENVELOPE_HEAD + n + PROTO_SESSION_MAC_BYTES / 2)
		return -1;
	e->target = regs[0];
	e->count = n;
	e->counter = proto_get_u32(regs + 2);
	e->values = regs + PROTO_ENVELOPE_HEAD;
	proto_get_bytes(regs + PROTO_ENVELOPE_HEAD + n, PROTO_SESSION_MAC_BYTES,
	    e->mac);
	return 0;
}
