/* fuzz-untrusted-text.c - every text field a pile can send (identity:
 * vendor, model, serial, firmware, device id; live: last card UID, session
 * tag, last holder; whitelist entries: UID, holder; records: tag, holder),
 * decoded from the input as the pile's registers, and the input itself as
 * one string, go through what writes them for people: text_safe (tables,
 * events, man pages, CSV exports) and the whitelist CSV writer. No control
 * byte (C0, DEL, C1; in CSV only LF or CR LF inside a quoted field), no line
 * or bidirectional control and no invalid UTF-8 may come out, text that needed nothing comes out unchanged, and
 * text_safe of its own output changes nothing. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "fuzz.h"
#include "proto.h"
#include "batch/wlcsv.h"

/* 1 when s (len bytes) is valid UTF-8 with no code point a terminal acts
 * on; newline_ok lets LF through (a quoted CSV field, a line's end). */
static int
terminal_safe(const char *str, size_t len, int newline_ok)
{
	const unsigned char	*s = (const unsigned char *)str, *end = s + len;
	unsigned		 c, n, i;

	while (s < end) {
		c = *s;
		if (c < 0x80) {
			if ((c < 0x20 && !(newline_ok && (c == '\n' ||
			    (c == '\r' && s + 1 < end && s[1] == '\n')))) || c == 0x7f)
				return 0;
			s++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 2, c &= 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 3, c &= 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 4, c &= 0x07;
		else
			return 0;
		if ((size_t)(end - s) < n)
			return 0;
		for (i = 1; i < n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return 0;
			c = (c << 6) | (s[i] & 0x3f);
		}
		if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10ffff ||
		    (c >= 0xd800 && c <= 0xdfff))
			return 0;
		if ((c >= 0x80 && c <= 0x9f) || c == 0x2028 || c == 0x2029 ||
		    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
		    c == 0x200e || c == 0x200f || c == 0x061c || c == 0xfeff)
			return 0;
		s += n;
	}
	return 1;
}

static void
check_text(const char *s)
{
	char	*safe = text_safe(s, 0), *again, *csv;

	FUZZ_CHECK(terminal_safe(safe, strlen(safe), 0));
	if (terminal_safe(s, strlen(s), 0))
		FUZZ_CHECK(strcmp(safe, s) == 0);
	FUZZ_CHECK(text_is_safe(s, 0) == (strcmp(safe, s) == 0));
	again = text_safe(safe, 0);
	FUZZ_CHECK(strcmp(again, safe) == 0);
	csv = text_safe(s, TEXT_KEEP_NEWLINE);
	FUZZ_CHECK(terminal_safe(csv, strlen(csv), 1));
	free(again);
	free(csv);
	free(safe);
}

static void
regs_from(const uint8_t *data, size_t size, uint16_t *regs, size_t nregs)
{
	size_t	i;

	memset(regs, 0, nregs * sizeof *regs);
	for (i = 0; i < 2 * nregs && i < size; i++)
		regs[i / 2] |= (uint16_t)(data[i] << (i % 2 ? 0 : 8));
}

static void
check_csv(const struct proto_wl_entry *e)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f = open_memstream(&buf, &len);
	char	*cause = NULL;

	if (f == NULL)
		abort();
	if (wlcsv_write(f, e, 1, &cause) != 0)
		free(cause);
	fclose(f);
	FUZZ_CHECK(terminal_safe(buf, len, 1));
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint16_t		regs[PROTO_IDENTITY_COUNT + PROTO_LIVE_COUNT + 64];
	uint8_t			rec[PROTO_RECORD_BYTES];
	struct proto_identity	id;
	struct proto_live	live;
	struct proto_wl_entry	e;
	struct proto_record	r;
	char			*s;

	regs_from(data, size, regs, PROTO_IDENTITY_COUNT);
	proto_identity_decode(regs, &id);
	check_text(id.vendor);
	check_text(id.model);
	check_text(id.serial);
	check_text(id.firmware);
	check_text(id.device_id);

	regs_from(data, size, regs, PROTO_LIVE_COUNT);
	proto_live_decode(regs, &live);
	check_text(live.last_uid);
	check_text(live.session_tag);
	check_text(live.last_holder);

	regs_from(data, size, regs, PROTO_WL_ENTRY_REGS);
	if (proto_wl_entry_decode(regs, &e) == 0)
		check_csv(&e);
	check_text(e.uid);
	check_text(e.holder);

	memset(rec, 0, sizeof rec);
	memcpy(rec, data, size < sizeof rec ? size : sizeof rec);
	if (proto_record_decode(rec, &r) != -2) {
		check_text(r.tag);
		check_text(r.holder);
	}

	/* And the bytes themselves, as a file's text would come. */
	s = malloc(size + 1);
	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	check_text(s);
	free(s);
	return 0;
}
