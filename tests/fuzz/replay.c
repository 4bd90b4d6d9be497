/* replay.c - runs one fuzz harness over files without libFuzzer: every seed
 * of tests/fuzz/corpus-NAME and every regression input of
 * tests/fuzz/crashes-NAME, one TAP line each. `make check` builds it with
 * the suite's own compiler and flags, so the regression inputs are replayed
 * under -Werror, ASan and UBSan even where clang is missing.
 *
 *   replay-NAME [FILE|DIR...]	(no argument: the two folders above) */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#ifndef FUZZ_NAME
#error "FUZZ_NAME names the harness: -DFUZZ_NAME='\"frame-request\"'"
#endif

static int	tap_n;
static int	tap_failed;

static void
tap(int good, const char *name, const char *why)
{
	const char	*short_name = strstr(name, "tests/fuzz/");

	/* "corpus-wlcsv/wl-good.csv", not the build's path to the source. */
	if (short_name != NULL)
		name = short_name + strlen("tests/fuzz/");
	tap_n++;
	printf("%sok %d - %s%s%s\n", good ? "" : "not ", tap_n, name,
	    why ? ": " : "", why ? why : "");
	if (!good)
		tap_failed++;
	fflush(stdout);
}

static void
replay_file(const char *path)
{
	FILE		*f;
	uint8_t		*buf = NULL;
	size_t		 len = 0, size = 0, got;

	if ((f = fopen(path, "rb")) == NULL) {
		tap(0, path, strerror(errno));
		return;
	}
	for (;;) {
		if (len == size) {
			size = size ? 2 * size : 4096;
			if ((buf = realloc(buf, size)) == NULL) {
				perror("replay");
				exit(1);
			}
		}
		if ((got = fread(buf + len, 1, size - len, f)) == 0)
			break;
		len += got;
	}
	if (ferror(f)) {
		tap(0, path, "read error");
		fclose(f);
		free(buf);
		return;
	}
	fclose(f);
	/* Said before the run: a crash ends the program, and the log must
	 * name the input that did it. */
	printf("# %s (%zu bytes)\n", path, len);
	fflush(stdout);
	/* An exact-size copy, so ASan sees a read past the input. */
	{
		uint8_t	*exact = malloc(len ? len : 1);

		if (exact == NULL) {
			perror("replay");
			exit(1);
		}
		if (len)
			memcpy(exact, buf, len);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	free(buf);
	tap(1, path, NULL);
}

static int
skip_name(const struct dirent *de)
{
	return de->d_name[0] != '.' && strcmp(de->d_name, "README") != 0;
}

/* Files of a folder in name order, so runs compare line by line. */
static void
replay_path(const char *path, int must_exist)
{
	struct dirent	**names;
	struct stat	 sb;
	char		*child;
	int		 n, i;

	if (stat(path, &sb) != 0) {
		if (must_exist)
			tap(0, path, strerror(errno));
		return;
	}
	if (!S_ISDIR(sb.st_mode)) {
		replay_file(path);
		return;
	}
	if ((n = scandir(path, &names, skip_name, alphasort)) < 0) {
		tap(0, path, strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		if (asprintf(&child, "%s/%s", path, names[i]->d_name) < 0) {
			perror("replay");
			exit(1);
		}
		replay_path(child, 1);
		free(child);
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char **argv)
{
	const char	*srcdir = getenv("top_srcdir");
	char		*dir;
	int		 i;

	if (argc > 1) {
		for (i = 1; i < argc; i++)
			replay_path(argv[i], 1);
	} else {
		if (srcdir == NULL)
			srcdir = ".";
		if (asprintf(&dir, "%s/tests/fuzz/corpus-%s", srcdir, FUZZ_NAME) < 0)
			return 1;
		replay_path(dir, 1);	/* the seeds must be there */
		free(dir);
		if (asprintf(&dir, "%s/tests/fuzz/crashes-%s", srcdir, FUZZ_NAME) < 0)
			return 1;
		replay_path(dir, 0);	/* no crash found yet is fine */
		free(dir);
	}
	if (tap_n == 0)
		tap(0, "replay_" FUZZ_NAME, "no input to replay");
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
