/* unit-export-never-replaces-a-device.c - nothing overwritten: an export
 * (out_file, the one way pilecon writes a file the user named) replaces a
 * regular file only by an atomic rename; a character device and a FIFO are
 * written in place and stay what they were; a symbolic link is followed
 * (the link stays, its target gets the export); a link to nothing, a
 * folder and a socket are refused with a message, and nothing is left
 * behind. */
#include "config.h"

#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <fcntl.h>

#include "hostile-files.h"
#include "tap.h"

static void
regular_file_is_replaced_atomically(struct archive *a)
{
	char		*path = hf_path("old.csv"), *cause = NULL, *got;
	struct stat	 before, after;

	hf_write(path, "old contents\n");
	stat(path, &before);
	is_int(archive_export(a, NULL, ARCHIVE_CSV, path, &cause), 3, "export_to_a_regular_file");
	got = hf_slurp(path, NULL);
	ok(got != NULL && strstr(got, "\npile,") != NULL, "regular_file_has_the_export");
	stat(path, &after);
	ok(before.st_ino != after.st_ino, "regular_file_replaced_by_a_rename");
	is_int(hf_hidden_files(), 0, "regular_file_leaves_no_temp_file");
	free(got);
	free(path);
}

static void
fifo_is_written_in_place(struct archive *a)
{
	char		*path = hf_path("fifo"), *cause = NULL, buf[65536];
	struct stat	 sb;
	pid_t		 pid;
	int		 fds[2], fd, status;
	ssize_t		 n, total = 0;

	if (mkfifo(path, 0600) != 0 || pipe(fds) != 0) {
		printf("not ok %d - fifo # cannot make one: %s\n", ++tap_count, strerror(errno));
		tap_failed++;
		free(path);
		return;
	}
	/* A reader, as `pilecon logs export -o fifo` would have in a shell. */
	if ((pid = fork()) == 0) {
		close(fds[0]);
		fd = open(path, O_RDONLY);
		while ((n = read(fd, buf, sizeof buf)) > 0)
			total += n;
		(void)!write(fds[1], &total, sizeof total);
		_exit(0);
	}
	close(fds[1]);
	is_int(archive_export(a, NULL, ARCHIVE_CSV, path, &cause), 3, "export_to_a_fifo");
	if (cause != NULL)
		printf("# %s\n", cause);
	if (read(fds[0], &total, sizeof total) != sizeof total)
		total = -1;
	waitpid(pid, &status, 0);
	close(fds[0]);
	ok(total > 0, "fifo_reader_got_the_export");
	ok(lstat(path, &sb) == 0 && S_ISFIFO(sb.st_mode), "fifo_is_still_a_fifo");
	is_int(hf_hidden_files(), 0, "fifo_leaves_no_temp_file");
	unlink(path);
	free(path);
}

static void
device_is_written_in_place(struct archive *a)
{
	char		*path = hf_path("null"), *cause = NULL;
	struct stat	 sb;

	/* A private copy of /dev/null: the test must not risk the real one. */
	if (mknod(path, S_IFCHR | 0666, makedev(1, 3)) != 0) {
		printf("ok %d # skip cannot make a device node (%s)\n", ++tap_count,
		    strerror(errno));
		free(path);
		return;
	}
	chmod(path, 0666);
	is_int(archive_export(a, NULL, ARCHIVE_CSV, path, &cause), 3, "export_to_a_device");
	if (cause != NULL)
		printf("# %s\n", cause);
	ok(lstat(path, &sb) == 0 && S_ISCHR(sb.st_mode) && (sb.st_mode & 0777) == 0666,
	    "device_is_still_a_device_with_its_mode");
	is_int(hf_hidden_files(), 0, "device_leaves_no_temp_file");
	unlink(path);
	free(path);
}

static void
symlink_is_followed_deliberately(struct archive *a)
{
	char		*target = hf_path("target.csv"), *link = hf_path("link.csv");
	char		*cause = NULL, *got;
	struct stat	 sb;

	hf_write(target, "old\n");
	if (symlink("target.csv", link) != 0)
		printf("# symlink: %s\n", strerror(errno));
	is_int(archive_export(a, NULL, ARCHIVE_CSV, link, &cause), 3, "export_through_a_link");
	ok(lstat(link, &sb) == 0 && S_ISLNK(sb.st_mode), "link_is_still_a_link");
	got = hf_slurp(target, NULL);
	ok(got != NULL && strstr(got, "\npile,") != NULL, "link_target_has_the_export");
	is_int(hf_hidden_files(), 0, "link_leaves_no_temp_file");
	free(got);
	unlink(link);
	unlink(target);
	free(link);
	free(target);
}

static void
refused(struct archive *a, const char *name, const char *why, const char *test)
{
	char	*path = hf_path(name), *cause = NULL, *msg;

	is_int(archive_export(a, NULL, ARCHIVE_CSV, path, &cause), OUT_FILE_REFUSED,
	    "%s_is_refused_as_bad_input", test);
	msg = xasprintf("cannot write '%s': %s", path, why);
	is_str(cause, msg, "%s_message", test);
	is_int(hf_hidden_files(), 0, "%s_leaves_no_temp_file", test);
	free(msg);
	free(cause);
	free(path);
}

int
main(void)
{
	struct archive		*a;
	struct sockaddr_un	 sun;
	char			*p;
	int			 s;

	umask(022);
	if (mkdtemp(hf_dir) == NULL) {
		printf("Bail out! cannot create a temp folder: %s\n", strerror(errno));
		return 1;
	}
	/* The archive lives in a folder of its own, so hf_hidden_files sees
	 * only what an export leaves. */
	p = hf_path("db");
	mkdir(p, 0700);
	free(p);
	if ((a = hf_archive("db/archive.db", 3)) == NULL) {
		printf("Bail out! no archive\n");
		return 1;
	}
	regular_file_is_replaced_atomically(a);
	fifo_is_written_in_place(a);
	device_is_written_in_place(a);
	symlink_is_followed_deliberately(a);

	p = hf_path("dangling");
	if (symlink("nowhere/at/all.csv", p) != 0)
		printf("# symlink: %s\n", strerror(errno));
	free(p);
	refused(a, "dangling", "it is a symbolic link to nothing (no such folder); "
	    "give the path of a file", "link_to_nothing");
	p = hf_path("folder");
	mkdir(p, 0700);
	free(p);
	refused(a, "folder", "it is a folder; give the path of a file in it", "folder");
	p = hf_path("sock");
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", p);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s >= 0 && bind(s, (struct sockaddr *)&sun, sizeof sun) == 0)
		refused(a, "sock", "it is neither a regular file nor a character device "
		    "or a pipe (pilecon replaces only regular files)",
		    "socket");
	if (s >= 0)
		close(s);
	free(p);
	archive_close(a);
	p = xasprintf("rm -rf '%s'", hf_dir);
	(void)!system(p);
	free(p);
	return done_testing();
}
