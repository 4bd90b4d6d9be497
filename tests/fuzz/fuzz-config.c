/* fuzz-config.c - the YAML files pilecon reads: config.yaml through
 * pilecon_config_load and the keys file through keys_lookup, on any bytes.
 * Both load it from a file, so the input is written to one temp file.
 * Every refusal has a message that names the file; the keys loader never
 * quotes a key (no run of 16 hex digits) in one. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "proto.h"
#include "batch/batch.h"

static char	*path;

static void
remove_file(void)
{
	if (path != NULL)
		unlink(path);
}

static const char *
input_file(const uint8_t *data, size_t size)
{
	const char	*tmpdir = getenv("TMPDIR");
	FILE		*f;
	int		 fd;

	if (path == NULL) {
		if (tmpdir == NULL || *tmpdir == '\0')
			tmpdir = "/tmp";
		if (asprintf(&path, "%s/fuzz-config.XXXXXX", tmpdir) < 0)
			abort();
		if ((fd = mkstemp(path)) < 0) {
			perror(path);
			abort();
		}
		close(fd);
		atexit(remove_file);
	}
	if ((f = fopen(path, "wb")) == NULL || fwrite(data, 1, size, f) != size ||
	    fclose(f) != 0) {
		perror(path);
		abort();
	}
	return path;
}

static int
has_hex_run(const char *s, size_t run)
{
	size_t	n = 0;

	for (; *s != '\0'; s++) {
		n = isxdigit((unsigned char)*s) ? n + 1 : 0;
		if (n >= run)
			return 1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pilecon_opts	 o;
	uint8_t			 key[PROTO_KEY_BYTES];
	const char		*file;
	char			*cause = NULL;
	int			 rc;

	file = input_file(data, size);

	pilecon_opts_init(&o);
	rc = pilecon_config_load(&o, file, 1, &cause);
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc == 0)
		FUZZ_CHECK(cause == NULL);
	else {
		FUZZ_CHECK(cause != NULL && strstr(cause, file) != NULL);
		free(cause);
		cause = NULL;
	}
	/* Numbers taken are inside the option table's range. */
	FUZZ_CHECK(o.addr == -1 || (o.addr >= 1 && o.addr <= 247));
	FUZZ_CHECK(o.baud == 0 || (o.baud >= 1200 && o.baud <= 4000000));
	FUZZ_CHECK(o.timeout_ms >= -1 && o.timeout_ms <= 60000);
	FUZZ_CHECK(o.retries >= -1 && o.retries <= 10);
	pilecon_opts_free(&o);

	rc = keys_lookup(file, "SIM-0001", key, &cause);
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc == 0)
		FUZZ_CHECK(cause == NULL);
	else {
		FUZZ_CHECK(cause != NULL && strstr(cause, file) != NULL);
		FUZZ_CHECK(!has_hex_run(cause, 16));
		free(cause);
	}
	return 0;
}
