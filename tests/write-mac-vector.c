/* write-mac-vector.c - prints what pilecon's own code makes of one fixed
 * write with proof: the session key Ks, the bytes the MAC covers and the
 * envelope's registers, in hex, one a line. tests/write-mac-vector.sh
 * compares them with Python's hmac over the layout regmap.h describes. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "pile/pile-int.h"

static void
hex(const char *name, const uint8_t *b, size_t n)
{
	size_t	i;

	printf("%s ", name);
	for (i = 0; i < n; i++)
		printf("%02x", b[i]);
	printf("\n");
}

int
main(void)
{
	uint8_t			key[PROTO_KEY_BYTES], challenge[PROTO_CHALLENGE_BYTES];
	uint8_t			ks[PROTO_MAC_BYTES], msg[PROTO_ENVELOPE_MSG_MAX];
	uint8_t			wire[2 * PROTO_WRITE_MAX];
	uint16_t		values[2] = { 0x6930, 0x1234 }, regs[PROTO_WRITE_MAX];
	struct proto_envelope	e;
	size_t			len;
	int			i, n;

	/* key 00 01 .. 1f, challenge a0 .. af, pile "SIM-0001" at address 1,
	 * control.force_offline_until (0x0220) = 0x69301234, counter 7 */
	for (i = 0; i < PROTO_KEY_BYTES; i++)
		key[i] = (uint8_t)i;
	for (i = 0; i < PROTO_CHALLENGE_BYTES; i++)
		challenge[i] = (uint8_t)(0xa0 + i);
	pile_session_key(key, challenge, "SIM-0001", 1, ks);
	hex("ks", ks, sizeof ks);

	memset(&e, 0, sizeof e);
	e.target = PROTO_A_CTL_FORCE_OFFLINE;
	e.count = 2;
	e.counter = 7;
	e.values = values;
	len = proto_envelope_message("SIM-0001", 1, &e, msg);
	hex("msg", msg, len);
	pile_envelope_sign(ks, "SIM-0001", 1, &e);
	hex("mac", e.mac, sizeof e.mac);
	n = proto_envelope_encode(&e, regs);
	if (n < 0)
		return 1;
	for (i = 0; i < n; i++) {
		wire[2 * i] = (uint8_t)(regs[i] >> 8);
		wire[2 * i + 1] = (uint8_t)regs[i];
	}
	hex("envelope", wire, 2 * (size_t)n);
	return 0;
}
