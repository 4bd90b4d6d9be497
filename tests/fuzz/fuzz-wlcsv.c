/* fuzz-wlcsv.c - the whitelist CSV import (wlcsv_parse) on any bytes, read
 * through fmemopen. All or nothing: a refusal returns no entries and a
 * message naming the file; a file taken holds valid, distinct entries that
 * wlcsv_write_exact writes and wlcsv_parse reads back to the same entries;
 * wlcsv_write (the form people see) lets no control byte through. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "fuzz.h"
#include "proto.h"
#include "batch/wlcsv.h"

static void
check_entries(const struct proto_wl_entry *e, size_t n)
{
	char	uid[PROTO_UID_MAX + 1];
	size_t	i, j;

	for (i = 0; i < n; i++) {
		FUZZ_CHECK(proto_uid_normalize(e[i].uid, uid) == 0);
		FUZZ_CHECK(strcmp(uid, e[i].uid) == 0);
		FUZZ_CHECK(e[i].status == PROTO_WL_ACCEPTED || e[i].status == PROTO_WL_BLOCKED);
		FUZZ_CHECK(strlen(e[i].holder) <= PROTO_HOLDER_MAX);
		/* Quadratic, but inputs stay small under the fuzzer. */
		for (j = 0; j < i && n < 512; j++)
			FUZZ_CHECK(strcmp(e[i].uid, e[j].uid) != 0);
	}
}

/* write(f, e, n) then wlcsv_parse: the entries read back; with exact, every
 * holder byte for byte, else the holders that need no escape (the shown
 * form escapes controls, so a holder with one reads back as its escape). */
static void
round_trip(const struct proto_wl_entry *e, size_t n, int exact)
{
	struct proto_wl_entry	*back;
	char			*text = NULL, *cause = NULL;
	size_t			 len = 0, nback, i;
	FILE			*f;
	int			 rc;

	if ((f = open_memstream(&text, &len)) == NULL)
		abort();
	rc = exact ? wlcsv_write_exact(f, e, n, &cause) : wlcsv_write(f, e, n, &cause);
	FUZZ_CHECK(rc == 0);
	fclose(f);
	if (!exact) {
		/* Nothing that acts on a terminal: no control byte but the
		 * line breaks (CR LF inside a quoted holder stays data). */
		for (i = 0; i < len; i++)
			FUZZ_CHECK((unsigned char)text[i] >= 0x20 || text[i] == '\n' ||
			    text[i] == '\r');
	}
	if ((f = fmemopen(text, len, "r")) == NULL)
		abort();
	rc = wlcsv_parse(f, "written.csv", &back, &nback, &cause);
	fclose(f);
	if (rc != 0) {
		/* An escaped holder may outgrow the 32 bytes a pile keeps:
		 * refused with a reason, never taken cut. */
		FUZZ_CHECK(!exact);
		FUZZ_CHECK(cause != NULL);
		for (i = 0; i < n && text_is_safe(e[i].holder, TEXT_KEEP_NEWLINE); i++)
			;
		FUZZ_CHECK(i < n);
		free(cause);
		free(text);
		return;
	}
	FUZZ_CHECK(nback == n);
	for (i = 0; i < n; i++) {
		FUZZ_CHECK(strcmp(back[i].uid, e[i].uid) == 0);
		FUZZ_CHECK(back[i].status == e[i].status);
		FUZZ_CHECK(back[i].expiry == e[i].expiry);
		if (exact || text_is_safe(e[i].holder, TEXT_KEEP_NEWLINE))
			FUZZ_CHECK(strcmp(back[i].holder, e[i].holder) == 0);
	}
	free(back);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_wl_entry	*e = (struct proto_wl_entry *)&e;	/* not NULL */
	char			*cause = NULL;
	size_t			 n = 99;
	FILE			*f;
	int			 rc;

	/* fmemopen refuses a zero size buffer on older C libraries. */
	if (size == 0 || (f = fmemopen((void *)(uintptr_t)data, size, "r")) == NULL)
		return 0;
	rc = wlcsv_parse(f, "fuzz.csv", &e, &n, &cause);
	fclose(f);
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc != 0) {
		FUZZ_CHECK(e == NULL && n == 0);
		FUZZ_CHECK(cause != NULL && strncmp(cause, "fuzz.csv", 8) == 0);
		free(cause);
		return 0;
	}
	FUZZ_CHECK(cause == NULL);
	FUZZ_CHECK((n == 0) == (e == NULL));
	check_entries(e, n);
	round_trip(e, n, 1);
	round_trip(e, n, 0);
	free(e);
	return 0;
}
