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
