/* unit-files-owner-only.c - files created with the right mode: the archive
 * (and its -wal and -shm files) and every export hold card numbers and
 * names, so a new one is owner-only (0600) whatever the umask; a file that
 * is replaced keeps its own permission bits, never wider. */
#include "config.h"

#include "hostile-files.h"
#include "tap.h"

static int
mode_of(const char *path)
{
	struct stat	sb;

	return stat(path, &sb) == 0 ? (int)(sb.st_mode & 07777) : -1;
}

int
main(void)
{
	struct archive	*a;
	char		*db, *wal, *shm, *out, *cause = NULL;

	umask(0);	/* the widest: every mode below is pilecon's own choice */
	if (mkdtemp(hf_dir) == NULL) {
		printf("Bail out! cannot create a temp folder: %s\n", strerror(errno));
		return 1;
	}
	db = hf_path("archive.db");
	wal = hf_path("archive.db-wal");
	shm = hf_path("archive.db-shm");
	if ((a = hf_archive("archive.db", 2)) == NULL) {
		printf("Bail out! no archive\n");
		return 1;
	}
	is_int(mode_of(db), 0600, "new_archive_is_owner_only");
	is_int(mode_of(wal), 0600, "archive_wal_is_owner_only");
	is_int(mode_of(shm), 0600, "archive_shm_is_owner_only");

	out = hf_path("new.csv");
	is_int(archive_export(a, NULL, ARCHIVE_CSV, out, &cause), 2, "export_written");
	is_int(mode_of(out), 0600, "new_csv_export_is_owner_only");
	free(out);
	out = hf_path("new.jsonl");
	archive_export(a, NULL, ARCHIVE_JSONL, out, &cause);
	is_int(mode_of(out), 0600, "new_jsonl_export_is_owner_only");

	chmod(out, 0640);
	archive_export(a, NULL, ARCHIVE_JSONL, out, &cause);
	is_int(mode_of(out), 0640, "replaced_export_keeps_its_mode");
	chmod(out, 0400);
	archive_export(a, NULL, ARCHIVE_JSONL, out, &cause);
	is_int(mode_of(out), 0400, "replaced_export_is_never_widened");
	free(out);
	archive_close(a);

	/* An existing archive keeps its mode too. */
	chmod(db, 0640);
	a = archive_open(db, &cause);
	ok(a != NULL, "existing_archive_opens");
	is_int(mode_of(db), 0640, "existing_archive_keeps_its_mode");
	archive_close(a);

	free(db);
	free(wal);
	free(shm);
	out = xasprintf("rm -rf '%s'", hf_dir);
	(void)!system(out);
	free(out);
	return done_testing();
}
