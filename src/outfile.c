/* outfile.c - the one way pilecon writes a file the user named (exports,
 * -o FILE): a regular file is replaced atomically, never anything else.
 *
 *   "-"                 standard output, written in place
 *   a new path          a temp file in its folder, renamed onto it (0600)
 *   a regular file      the same; the new file keeps the old one's
 *                       permission bits (never wider), a reader never
 *                       sees half a file, a failure leaves the old file
 *   a character device  written in place (/dev/null, /dev/stdout's tty,
 *   or a FIFO           a pipe): never replaced by a regular file
 *   a symbolic link     followed deliberately: what it points to is
 *                       treated as above (a regular file is replaced at
 *                       the link's target, the link stays a link); a
 *                       link to nothing is refused
 *   anything else       (a folder, a block device, a socket) refused
 *
 * While a temp file exists, SIGINT and SIGTERM only set a flag (and still
 * reach a handler the front end installed): a write sees it and fails,
 * out_file_abort removes the temp file, and the caller says "interrupted". */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

static volatile sig_atomic_t	out_file_signal;
static struct sigaction		out_file_old_int, out_file_old_term;
static int			out_file_catching;

static void
out_file_on_signal(int sig)
{
	struct sigaction	*old = sig == SIGINT ? &out_file_old_int : &out_file_old_term;

	out_file_signal = sig;
	if (!(old->sa_flags & SA_SIGINFO) && old->sa_handler != SIG_DFL &&
	    old->sa_handler != SIG_IGN)
		old->sa_handler(sig);
}

static void
out_file_catch(void)
{
	struct sigaction	sa;

	if (out_file_catching++ > 0)
		return;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = out_file_on_signal;
	sigemptyset(&sa.sa_mask);	/* no SA_RESTART: a blocked write returns */
	out_file_signal = 0;
	sigaction(SIGINT, NULL, &out_file_old_int);
	sigaction(SIGTERM, NULL, &out_file_old_term);
	if (out_file_old_int.sa_handler != SIG_IGN)
		sigaction(SIGINT, &sa, NULL);
	if (out_file_old_term.sa_handler != SIG_IGN)
		sigaction(SIGTERM, &sa, NULL);
}

static void
out_file_release(void)
{
	if (out_file_catching == 0 || --out_file_catching > 0)
		return;
	sigaction(SIGINT, &out_file_old_int, NULL);
	sigaction(SIGTERM, &out_file_old_term, NULL);
}

int
out_file_interrupted(void)
{
	return out_file_signal != 0;
}

const char *
out_file_strerror(int error)
{
	switch (error) {
	case ENOSPC:	return _("disk full");
	case EDQUOT:	return _("disk quota exceeded");
	case EFBIG:	return _("file too large (file size limit reached)");
	case EROFS:	return _("read-only file system");
	case EACCES:
	case EPERM:	return _("permission denied");
	case ENOENT:	return _("no such folder");
	case ENOTDIR:	return _("a part of the path is not a folder");
	case EIO:	return _("input/output error");
	case EINTR:	return _("interrupted");
	}
	return strerror(error);
}

/* The folder of path ("." for a bare name), malloc'ed; *base its last part. */
static char *
out_file_dir(const char *path, const char **base)
{
	const char	*slash = strrchr(path, '/');

	if (slash == NULL) {
		*base = path;
		return xstrdup(".");
	}
	*base = slash + 1;
	if (slash == path)
		return xstrdup("/");
	return xasprintf("%.*s", (int)(slash - path), path);
}

static int
out_file_in_place(struct out_file *of, char **cause)
{
	of->fd = open(of->target, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (of->fd < 0)
		return set_cause(cause, -1, _("cannot open '%s' for writing: %s"), of->path,
		    out_file_strerror(errno));
	of->in_place = 1;
	return 0;
}

/* What path is, a symbolic link followed: 0 with *sb and *target (what a
 * rename replaces; sb->st_mode 0 for a new file), -1 when it cannot be
 * looked at, OUT_FILE_REFUSED when pilecon does not write such a thing. */
static int
out_file_kind(const char *path, struct stat *sb, char **target, char **cause)
{
	const char	*base;
	char		*dir;

	*target = NULL;
	if (lstat(path, sb) != 0) {
		if (errno != ENOENT)
			return set_cause(cause, -1, _("cannot write '%s': %s"), path,
			    out_file_strerror(errno));
		*target = xstrdup(path);
		sb->st_mode = 0;	/* a new file */
	} else if (!S_ISLNK(sb->st_mode))
		*target = xstrdup(path);
	else {
		if ((*target = realpath(path, NULL)) == NULL)
			return set_cause(cause, OUT_FILE_REFUSED, _("cannot write '%s': it "
			    "is a symbolic link to nothing (%s); give the path of a file"), path,
			    out_file_strerror(errno));
		if (stat(*target, sb) != 0)
			return set_cause(cause, -1, _("cannot write '%s': %s"), path,
			    out_file_strerror(errno));
	}
	if (S_ISCHR(sb->st_mode) || S_ISFIFO(sb->st_mode))
		return 0;
	if (S_ISDIR(sb->st_mode))
		return set_cause(cause, OUT_FILE_REFUSED, _("cannot write '%s': it is a "
		    "folder; give the path of a file in it"), path);
	if (sb->st_mode != 0 && !S_ISREG(sb->st_mode))
		return set_cause(cause, OUT_FILE_REFUSED, _("cannot write '%s': it is "
		    "neither a regular file nor a character device or a pipe (pilecon "
		    "replaces only regular files)"), path);
	dir = out_file_dir(*target, &base);
	free(dir);
	if (*base == '\0')
		return set_cause(cause, OUT_FILE_REFUSED, _("cannot write '%s': the path "
		    "names a folder, not a file"), path);
	return 0;
}

int
out_file_check(const char *path, char **cause)
{
	struct stat	 sb;
	char		*target = NULL;
	int		 rc;

	if (strcmp(path, "-") == 0)
		return 0;
	rc = out_file_kind(path, &sb, &target, cause);
	free(target);
	return rc;
}

int
out_file_open(struct out_file *of, const char *path, char **cause)
{
	struct stat	 sb;
	const char	*base;
	mode_t		 mode = 0600;
	int		 rc;

	memset(of, 0, sizeof *of);
	of->fd = -1;
	of->path = xstrdup(path);
	if (strcmp(path, "-") == 0) {
		of->fd = STDOUT_FILENO;
		of->in_place = of->is_stdout = 1;
		return 0;
	}
	if ((rc = out_file_kind(path, &sb, &of->target, cause)) != 0) {
		out_file_abort(of);
		return rc;
	}
	if (S_ISCHR(sb.st_mode) || S_ISFIFO(sb.st_mode)) {
		if (out_file_in_place(of, cause) != 0)
			goto fail;
		return 0;
	}
	if (S_ISREG(sb.st_mode))
		mode = sb.st_mode & 0777;	/* never wider than it was */

	of->dir = out_file_dir(of->target, &base);
	of->tmp = xasprintf("%s/.%s.XXXXXX", of->dir, base);
	out_file_catch();
	if ((of->fd = mkstemp(of->tmp)) < 0) {
		set_cause(cause, -1, _("cannot create '%s' (temporary file in '%s'): %s"),
		    path, of->dir, out_file_strerror(errno));
		free(of->tmp);
		of->tmp = NULL;
		out_file_release();
		goto fail;
	}
	if (fchmod(of->fd, mode) != 0) {
		set_cause(cause, -1, _("cannot write '%s': %s"), path, out_file_strerror(errno));
		out_file_abort(of);
		return -1;
	}
	return 0;

fail:
	out_file_abort(of);
	return -1;
}

int
out_file_write(struct out_file *of, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		if (out_file_signal != 0 && of->tmp != NULL) {
			errno = EINTR;
			n = -1;
		} else
			n = write(of->fd, p, len);
		if (n < 0 && errno == EINTR && out_file_signal == 0)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
out_file_commit(struct out_file *of, char **cause)
{
	int	dfd, rc = 0;

	if (of->tmp == NULL) {
		if (!of->is_stdout && of->fd >= 0 && close(of->fd) != 0)
			rc = set_cause(cause, -1, _("cannot write '%s': %s"), of->path,
			    out_file_strerror(errno));
		of->fd = -1;
		out_file_abort(of);
		return rc;
	}
	/* The data must be on disk before the name points at it, or a crash
	 * could leave an empty file where the old one was. */
	if (out_file_signal != 0)
		errno = EINTR;
	if (out_file_signal != 0 || fsync(of->fd) != 0 || close(of->fd) != 0) {
		set_cause(cause, -1, _("cannot write '%s': %s; the previous file, if any, "
		    "is unchanged"), of->path, out_file_strerror(errno));
		out_file_abort(of);
		return -1;
	}
	of->fd = -1;
	if (rename(of->tmp, of->target) != 0) {
		set_cause(cause, -1, _("cannot write '%s': %s; the previous file, if any, "
		    "is unchanged"), of->path, out_file_strerror(errno));
		out_file_abort(of);
		return -1;
	}
	free(of->tmp);
	of->tmp = NULL;
	/* And the rename itself must survive a crash. */
	dfd = open(of->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		if (fsync(dfd) != 0 && errno != EINVAL)
			rc = set_cause(cause, -1, _("'%s' is written but its folder could not "
			    "be synced: %s"), of->path, out_file_strerror(errno));
		close(dfd);
	}
	out_file_release();
	out_file_abort(of);
	return rc;
}

void
out_file_abort(struct out_file *of)
{
	if (of->fd >= 0 && !of->is_stdout)
		close(of->fd);
	of->fd = -1;
	if (of->tmp != NULL) {
		unlink(of->tmp);
		free(of->tmp);
		of->tmp = NULL;
		out_file_release();
	}
	free(of->dir);
	free(of->target);
	free(of->path);
	of->dir = of->target = of->path = NULL;
}
