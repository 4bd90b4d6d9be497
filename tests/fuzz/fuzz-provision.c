/* fuzz-provision.c - the provisioning file parser (prov_parse) on any
 * bytes, written to prov.yaml in a temp folder that also holds a good
 * cards.csv, so `whitelist_csv: cards.csv` reaches the CSV import. A file
 * taken names each pile once, by a valid address or a serial, with valid
 * whitelist entries and tariff slots; a file refused has 1..50 messages,
 * each naming the file. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "proto.h"
#include "batch/provision.h"

#define MAX_ERRORS	50	/* PROV_MAX_ERRORS */

static char	*dir, *path, *csv;

static void
remove_files(void)
{
	unlink(path);
	unlink(csv);
	rmdir(dir);
}

static void
write_file(const char *p, const void *data, size_t size)
{
	FILE	*f;

	if ((f = fopen(p, "wb")) == NULL || fwrite(data, 1, size, f) != size ||
	    fclose(f) != 0) {
		perror(p);
		abort();
	}
}

static void
setup(void)
{
	static const char	cards[] = "uid,status,expires,holder\n"
	    "04A1B2C3,accepted,2027-12-31,张三\n0A0B0C0D,blocked,,\"Li, Si\"\n";
	const char		*tmpdir = getenv("TMPDIR");

	if (tmpdir == NULL || *tmpdir == '\0')
		tmpdir = "/tmp";
	if (asprintf(&dir, "%s/fuzz-provision.XXXXXX", tmpdir) < 0 || mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		abort();
	}
	if (asprintf(&path, "%s/prov.yaml", dir) < 0 ||
	    asprintf(&csv, "%s/cards.csv", dir) < 0)
		abort();
	write_file(csv, cards, sizeof cards - 1);
	atexit(remove_files);
}

static void
check_pile(const struct prov_pile *pl)
{
	char	uid[PROTO_UID_MAX + 1];
	size_t	i;

	FUZZ_CHECK(pl->addr >= 0 && pl->addr <= 247);
	FUZZ_CHECK(memchr(pl->serial, '\0', sizeof pl->serial) != NULL);
	FUZZ_CHECK(pl->addr != 0 || pl->serial[0] != '\0');
	FUZZ_CHECK((pl->nwl == 0) || pl->wl != NULL);
	for (i = 0; i < pl->nwl; i++) {
		FUZZ_CHECK(proto_uid_normalize(pl->wl[i].uid, uid) == 0);
		FUZZ_CHECK(strcmp(uid, pl->wl[i].uid) == 0);
		FUZZ_CHECK(pl->wl[i].status == PROTO_WL_ACCEPTED ||
		    pl->wl[i].status == PROTO_WL_BLOCKED);
		FUZZ_CHECK(strlen(pl->wl[i].holder) <= PROTO_HOLDER_MAX);
	}
	if (pl->has_tariff)
		for (i = 0; i < PROTO_SLOTS; i++)
			FUZZ_CHECK(pl->tariff.slot_period[i] < PROTO_PERIODS);
	if (pl->has_force && pl->force_on)
		FUZZ_CHECK(pl->force_for_s <= 7 * 86400);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prov_file	 pf;
	char			**errors;
	size_t			 nerrors, i, j;
	int			 rc;

	if (dir == NULL)
		setup();
	write_file(path, data, size);
	rc = prov_parse(path, &pf, &errors, &nerrors);
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc == 0) {
		FUZZ_CHECK(nerrors == 0);
		FUZZ_CHECK(pf.npiles >= 1);
		for (i = 0; i < pf.npiles; i++) {
			check_pile(&pf.piles[i]);
			/* Each pile once: by address, or by serial. */
			for (j = 0; j < i; j++) {
				if (pf.piles[i].addr != 0)
					FUZZ_CHECK(pf.piles[i].addr != pf.piles[j].addr);
				else
					FUZZ_CHECK(strcmp(pf.piles[i].serial,
					    pf.piles[j].serial) != 0);
			}
		}
	} else {
		FUZZ_CHECK(nerrors >= 1 && nerrors <= MAX_ERRORS && errors != NULL);
		for (i = 0; i < nerrors; i++)
			FUZZ_CHECK(errors[i] != NULL && strstr(errors[i], path) != NULL);
	}
	prov_errors_free(errors, nerrors);
	prov_file_free(&pf);
	return 0;
}
