/* fuzz-parse.c - what a technician types: durations (`offline on --for
 * 1h30m`) and times (`clock set`, `logs list --since`), from the bytes
 * after the first, as a C string; the first byte picks the parser. A
 * duration taken is below 2^32 s and its two-unit rendering reads back
 * within its smallest unit; a time taken in UTC reads back from its
 * rendering; a refusal has a message. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "fuzz.h"
#include "batch/batch.h"

static void
check_duration(const char *s)
{
	uint32_t	secs = 0, back = 0;
	char		*cause = NULL, *text;

	if (batch_parse_duration(s, &secs, &cause) != 0) {
		FUZZ_CHECK(cause != NULL);
		free(cause);
		return;
	}
	FUZZ_CHECK(cause == NULL);
	text = batch_format_duration(secs);
	FUZZ_CHECK(batch_parse_duration(text, &back, &cause) == 0);
	/* Two units at most: "1d2h" for 1d2h3m, never more than shown. */
	FUZZ_CHECK(back <= secs);
	FUZZ_CHECK(secs - back < (secs >= 86400 ? 3600u : secs >= 3600 ? 60u : 1u));
	free(text);
}

static void
check_time(const char *s, int date_end)
{
	int64_t		t = 0, back = 0;
	char		*cause = NULL;
	const char	*text;

	if (time_parse(s, date_end ? TIME_DATE_END : 0, &t, &cause) != 0) {
		FUZZ_CHECK(cause != NULL);
		free(cause);
		return;
	}
	FUZZ_CHECK(cause == NULL);
	if (t < 0 || t > 253402300799LL)	/* 9999-12-31T23:59:59Z */
		return;
	text = batch_format_time(t);
	FUZZ_CHECK(time_parse(text, 0, &back, &cause) == 0);
	FUZZ_CHECK(back == t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;

	if (size == 0)
		return 0;
	/* Local time is UTC, so renderings read back the same everywhere. */
	if (getenv("TZ") == NULL || strcmp(getenv("TZ"), "UTC") != 0) {
		setenv("TZ", "UTC", 1);
		tzset();
	}
	if ((s = malloc(size)) == NULL)
		abort();
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 3) {
	case 0:
		check_duration(s);
		break;
	default:
		check_time(s, data[0] % 3 == 2);
		break;
	}
	free(s);
	return 0;
}
