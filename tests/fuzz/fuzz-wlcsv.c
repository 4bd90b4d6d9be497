/* fuzz-wlcsv.c - the whitelist CSV import (wlcsv_parse) on any bytes, read
 * through fmemopen. All or nothing: a refusal returns no entries and a
 * message naming the file; a file taken holds valid, distinct entries that
 * wlcsv_write writes and wlcsv_parse reads back to the same entries. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void
round_trip(const struct proto_wl_entry *e, size_t n)
{
	struct proto_wl_entry	*back;
	char			*text = NULL, *cause = NULL;
	size_t			 len = 0, nback, i;
	FILE			*f;

	if ((f = open_memstream(&text, &len)) == NULL)
		abort();
	FUZZ_CHECK(wlcsv_write(f, e, n, &cause) == 0);
	fclose(f);
	if ((f = fmemopen(text, len, "r")) == NULL)
		abort();
	if (wlcsv_parse(f, "written.csv", &back, &nback, &cause) != 0) {
		fprintf(stderr, "written back: %s\n%s", cause, text);
		FUZZ_CHECK(!"what wlcsv_write wrote reads back");
	}
	fclose(f);
	FUZZ_CHECK(nback == n);
	for (i = 0; i < n; i++) {
		FUZZ_CHECK(strcmp(back[i].uid, e[i].uid) == 0);
		FUZZ_CHECK(back[i].status == e[i].status);
		FUZZ_CHECK(back[i].expiry == e[i].expiry);
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
	round_trip(e, n);
	free(e);
	return 0;
}
