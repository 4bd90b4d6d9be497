/* unit-refusal-modifies-nothing.c - one outcome, nothing modified before a
 * refusal: --archive pointed at another program's SQLite file, or at a file
 * that is no database, is refused with the file byte for byte as it was
 * (no journal-mode change, no -wal or -shm file); an export interrupted by
 * SIGINT or SIGTERM removes its temporary file and leaves the old file. */
#include "config.h"

#include <signal.h>

#include <sqlite3.h>

#include "hostile-files.h"
#include "tap.h"

static int
exists(const char *path)
{
	struct stat	sb;

	return lstat(path, &sb) == 0;
}

static void
foreign_file_is_refused_untouched(const char *name, const char *why, int sqlite)
{
	char		*path = hf_path(name), *wal, *shm, *before, *after, *cause = NULL;
	char		*want;
	size_t		 nb = 0, na = 0;
	sqlite3		*db;
	struct archive	*a;

	if (sqlite) {
		if (sqlite3_open(path, &db) != SQLITE_OK ||
		    sqlite3_exec(db, "CREATE TABLE accounts (id INTEGER, name TEXT);"
		    "INSERT INTO accounts VALUES (1, 'x');", NULL, NULL, NULL) != SQLITE_OK)
			printf("# cannot make the foreign database\n");
		sqlite3_close(db);
	} else
		hf_write(path, "GIF89a this is a picture, not a database\n");
	wal = xasprintf("%s-wal", path);
	shm = xasprintf("%s-shm", path);
	before = hf_slurp(path, &nb);
	a = archive_open(path, &cause);
	ok(a == NULL, "%s_is_refused", name);
	want = xasprintf("cannot open archive '%s': %s", path, why);
	is_str(cause, want, "%s_refusal_says_why", name);
	after = hf_slurp(path, &na);
	ok(before != NULL && after != NULL && nb == na && memcmp(before, after, nb) == 0,
	    "%s_is_byte_for_byte_unchanged", name);
	ok(!exists(wal) && !exists(shm), "%s_gets_no_wal_or_shm", name);
	archive_close(a);
	free(want);
	free(cause);
	free(before);
	free(after);
	free(wal);
	free(shm);
	free(path);
}

static void
interrupted_export_leaves_no_temp_file(void)
{
	char		*path = hf_path("out.csv"), *cause = NULL, *got;
	struct out_file	 of;

	hf_write(path, "the previous export\n");
	ok(out_file_open(&of, path, &cause) == 0, "export_file_opens");
	ok(out_file_write(&of, "half,", 5) == 0, "first_write_goes_through");
	raise(SIGINT);		/* the process lives: the flag is set */
	ok(out_file_interrupted(), "sigint_is_seen");
	ok(out_file_write(&of, "the rest\n", 9) != 0 && errno == EINTR,
	    "write_after_sigint_fails_as_interrupted");
	out_file_abort(&of);
	is_int(hf_hidden_files(), 0, "interrupted_export_leaves_no_temp_file");
	got = hf_slurp(path, NULL);
	is_str(got, "the previous export\n", "interrupted_export_leaves_the_old_file");
	free(got);

	ok(out_file_open(&of, path, &cause) == 0, "next_export_opens");
	raise(SIGTERM);
	ok(out_file_commit(&of, &cause) != 0, "commit_after_sigterm_fails");
	is_int(hf_hidden_files(), 0, "sigterm_leaves_no_temp_file");
	got = hf_slurp(path, NULL);
	is_str(got, "the previous export\n", "sigterm_leaves_the_old_file");
	free(got);
	free(cause);
	free(path);
}

/*
 * A pilecon started in the background (`pilecon logs export … &`, a CI
 * runner, nohup) inherits SIGINT ignored: Ctrl-C at the terminal is not
 * meant for it, and an export must neither start catching it nor stop.
 */
static void
ignored_sigint_stays_ignored(void)
{
	char			*path = hf_path("bg.csv"), *cause = NULL, *got;
	struct out_file		 of;
	struct sigaction	 now;

	signal(SIGINT, SIG_IGN);
	ok(out_file_open(&of, path, &cause) == 0, "background_export_opens");
	sigaction(SIGINT, NULL, &now);
	ok(now.sa_handler == SIG_IGN, "an_ignored_sigint_is_not_caught");
	raise(SIGINT);
	ok(!out_file_interrupted(), "an_ignored_sigint_does_not_interrupt");
	ok(out_file_write(&of, "kept\n", 5) == 0 && out_file_commit(&of, &cause) == 0,
	    "the_background_export_is_written");
	got = hf_slurp(path, NULL);
	is_str(got, "kept\n", "the_background_export_has_its_bytes");
	sigaction(SIGINT, NULL, &now);
	ok(now.sa_handler == SIG_IGN, "sigint_is_still_ignored_after_the_export");
	signal(SIGINT, SIG_DFL);
	free(got);
	free(cause);
	free(path);
}

int
main(void)
{
	char	*p;

	umask(022);
	/* The runner may have started this test with SIGINT/SIGTERM ignored (a
	 * background job inherits that); the interrupt cases need them live. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (mkdtemp(hf_dir) == NULL) {
		printf("Bail out! cannot create a temp folder: %s\n", strerror(errno));
		return 1;
	}
	foreign_file_is_refused_untouched("other.sqlite", "the file is an SQLite database "
	    "of another program (choose another path with --archive)", 1);
	foreign_file_is_refused_untouched("picture.gif", "not an archive (not an SQLite "
	    "database)", 0);
	interrupted_export_leaves_no_temp_file();
	ignored_sigint_stays_ignored();
	p = xasprintf("rm -rf '%s'", hf_dir);
	(void)!system(p);
	free(p);
	return done_testing();
}
