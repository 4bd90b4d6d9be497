/* fuzz-wlentry.c - whitelist entries as read from the whitelist window
 * (29 registers from the first 58 bytes, NUL padded) and card UIDs as typed
 * (the rest, as a C string). An entry taken encodes and decodes to itself;
 * a UID taken is upper-case hex of 4..10 bytes and normalises to itself; a
 * UID refused leaves an empty string. */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "proto.h"

#define ENTRY_BYTES	(2 * PROTO_WL_ENTRY_REGS)

static int
upper_hex(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'F')))
			return 0;
	return 1;
}

static void
check_entry(const uint8_t *data, size_t size)
{
	uint16_t		regs[PROTO_WL_ENTRY_REGS], again[PROTO_WL_ENTRY_REGS];
	struct proto_wl_entry	e, back;
	size_t			i;

	memset(regs, 0, sizeof regs);
	for (i = 0; i < ENTRY_BYTES && i < size; i++)
		regs[i / 2] |= (uint16_t)(data[i] << (i % 2 ? 0 : 8));
	if (proto_wl_entry_decode(regs, &e) != 0) {
		FUZZ_CHECK(strlen(e.uid) <= PROTO_UID_MAX);
		FUZZ_CHECK(strlen(e.holder) <= PROTO_HOLDER_MAX);
		return;
	}
	FUZZ_CHECK(e.status == PROTO_WL_ACCEPTED || e.status == PROTO_WL_BLOCKED);
	FUZZ_CHECK(upper_hex(e.uid));
	FUZZ_CHECK(strlen(e.uid) >= 8 && strlen(e.uid) <= PROTO_UID_MAX &&
	    strlen(e.uid) % 2 == 0);
	FUZZ_CHECK(strlen(e.holder) <= PROTO_HOLDER_MAX);
	proto_wl_entry_encode(&e, again);
	FUZZ_CHECK(proto_wl_entry_decode(again, &back) == 0);
	FUZZ_CHECK(strcmp(e.uid, back.uid) == 0 && e.status == back.status &&
	    e.expiry == back.expiry && strcmp(e.holder, back.holder) == 0);
}

static void
check_uid(const uint8_t *data, size_t size)
{
	char	*in, out[PROTO_UID_MAX + 1], again[PROTO_UID_MAX + 1];

	/* Canaries: a refused UID must still leave a terminated string. */
	memset(out, 'x', sizeof out);
	if ((in = malloc(size + 1)) == NULL)
		abort();
	memcpy(in, data, size);
	in[size] = '\0';
	if (proto_uid_normalize(in, out) != 0)
		FUZZ_CHECK(out[0] == '\0');
	else {
		FUZZ_CHECK(memchr(out, '\0', sizeof out) != NULL);
		FUZZ_CHECK(upper_hex(out));
		FUZZ_CHECK(strlen(out) >= 8 && strlen(out) % 2 == 0);
		FUZZ_CHECK(proto_uid_normalize(out, again) == 0);
		FUZZ_CHECK(strcmp(out, again) == 0);
	}
	free(in);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_entry(data, size);
	if (size > ENTRY_BYTES)
		check_uid(data + ENTRY_BYTES, size - ENTRY_BYTES);
	else
		check_uid(data, size);
	return 0;
}
