/* whitelist.c - whitelist entries as written in the command block and read
 * in the whitelist window (29 registers each), and card UIDs as typed. */
#include "config.h"

#include <string.h>

#include "proto.h"

#define OFF_UID		0
#define N_UID		10
#define OFF_STATUS	10
#define OFF_EXPIRY	11
#define OFF_HOLDER	13
#define N_HOLDER	16

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
proto_hex_decode(const char *hex, uint8_t *out, size_t n)
{
	size_t	i;
	int	hi, lo;

	for (i = 0; i < n; i++) {
		if ((hi = hexval((unsigned char)hex[2 * i])) < 0 ||
		    (lo = hexval((unsigned char)hex[2 * i + 1])) < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* ISO 14443 UIDs are 4, 7 or 10 bytes; any whole number of bytes in that
 * range is accepted, as readers of other standards report 5 or 8. */
static int
uid_length_ok(size_t ndigits)
{
	return ndigits % 2 == 0 && ndigits >= 8 && ndigits <= PROTO_UID_MAX;
}

int
proto_uid_normalize(const char *in, char out[PROTO_UID_MAX + 1])
{
	static const char	 digits[] = "0123456789ABCDEF";
	size_t			 n = 0;
	int			 v;

	out[0] = '\0';
	for (; *in != '\0'; in++) {
		if (*in == ':' || *in == '-' || *in == ' ' || *in == '\t')
			continue;
		if ((v = hexval((unsigned char)*in)) < 0 || n == PROTO_UID_MAX) {
			out[0] = '\0';	/* not the digits so far, unterminated */
			return -1;
		}
		out[n++] = digits[v];
	}
	out[n] = '\0';
	if (!uid_length_ok(n)) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

void
proto_wl_entry_encode(const struct proto_wl_entry *e,
    uint16_t regs[PROTO_WL_ENTRY_REGS])
{
	proto_put_str(regs + OFF_UID, N_UID, e->uid);
	regs[OFF_STATUS] = e->status;
	proto_put_u32(regs + OFF_EXPIRY, e->expiry);
	proto_put_str(regs + OFF_HOLDER, N_HOLDER, e->holder);
}

/* On the wire a UID is plain hex, no separators; lower case is forgiven.
 * The entry is filled even when it is refused. */
int
proto_wl_entry_decode(const uint16_t regs[PROTO_WL_ENTRY_REGS],
    struct proto_wl_entry *e)
{
	char	raw[2 * N_UID + 1];
	size_t	i, n;

	memset(e, 0, sizeof *e);
	proto_get_str(regs + OFF_UID, N_UID, raw);
	e->status = regs[OFF_STATUS];
	e->expiry = proto_get_u32(regs + OFF_EXPIRY);
	proto_get_str(regs + OFF_HOLDER, N_HOLDER, e->holder);

	/* Keep what came, even when it is wrong, so it can be shown. */
	memcpy(e->uid, raw, sizeof raw);
	n = strlen(raw);
	for (i = 0; i < n; i++)
		if (hexval((unsigned char)raw[i]) < 0)
			return -1;
	if (!uid_length_ok(n) || proto_uid_normalize(raw, e->uid) != 0)
		return -1;
	if (e->status != PROTO_WL_ACCEPTED && e->status != PROTO_WL_BLOCKED)
		return -1;
	return 0;
}
