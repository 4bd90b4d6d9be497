/* share.c - port sharing (the wire format is in share.h): where a port's
 * socket lives, frames in and out, and the batch side that runs a command
 * through the console holding the port. */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive/archive.h"
#include "batch/batch.h"
#include "batch/share.h"
#include "common.h"

/* ---- where ----------------------------------------------------------------- */

/* The folder for the sockets; 0, or -1 with *cause when it is not ours
 * alone (anyone who can enter it could talk to the console). */
static int
share_dir(char *dir, size_t len, int make, char **cause)
{
	const char	*xdg = getenv("XDG_RUNTIME_DIR");
	struct stat	 st;

	if (xdg != NULL && xdg[0] == '/')
		snprintf(dir, len, "%s/pilecon", xdg);
	else
		snprintf(dir, len, "/tmp/pilecon-%lu", (unsigned long)geteuid());
	if (make && mkdir(dir, 0700) != 0 && errno != EEXIST)
		return set_cause(cause, -1, _("cannot make '%s': %s"), dir, strerror(errno));
	if (lstat(dir, &st) != 0)
		return set_cause(cause, -1, _("cannot use '%s': %s"), dir, strerror(errno));
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0)
		return set_cause(cause, -1, _("will not share the port through '%s': it must be a "
		    "folder of yours that only you can enter (mode 0700)"), dir);
	return 0;
}

char *
share_path(const char *port, int make, char **cause)
{
	char		 canon[PATH_MAX], dir[PATH_MAX], base[32], *path;
	const char	*name, *s;
	uint64_t	 h = 14695981039346656037ULL;	/* FNV-1a, 64 bits */
	size_t		 n = 0;

	/* /dev/serial/by-id/..., a symlink to a pty, ./ttyUSB0: one port,
	 * one socket. */
	if (strncmp(port, "tcp:", 4) == 0 || realpath(port, canon) == NULL)
		snprintf(canon, sizeof canon, "%s", port);
	if (share_dir(dir, sizeof dir, make, cause) != 0)
		return (NULL);
	for (s = canon; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	/* A readable name for whoever lists the folder, the hash for
	 * uniqueness: "dev_ttyUSB0-5c0e...". */
	name = canon[0] == '/' ? canon + 1 : canon;
	if (strlen(name) > sizeof base - 1)
		name += strlen(name) - (sizeof base - 1);
	for (s = name; *s != '\0' && n < sizeof base - 1; s++)
		base[n++] = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' ? *s : '_';
	base[n] = '\0';
	path = xasprintf("%s/%s-%016llx.sock", dir, base, (unsigned long long)h);
	if (strlen(path) >= sizeof ((struct sockaddr_un *)NULL)->sun_path) {
		set_cause(cause, -1, _("cannot share the port: the socket path '%s' is too long "
		    "(set XDG_RUNTIME_DIR to a shorter folder)"), path);
		free(path);
		return (NULL);
	}
	return (path);
}

int
share_peer_ok(int fd)
{
	struct ucred	uc;
	socklen_t	len = sizeof uc;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) != 0 || len != sizeof uc)
		return (-1);
	return (uc.uid == geteuid());
}

/* ---- frames ---------------------------------------------------------------- */

void
share_buf_free(struct share_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof *b);
}

static void
share_buf_room(struct share_buf *b, size_t more)
{
	if (b->off > 0 && b->off == b->len)
		b->off = b->len = 0;
	if (b->len + more <= b->size)
		return;
	while (b->size < b->len + more)
		b->size = b->size == 0 ? 4096 : b->size * 2;
	b->data = xrealloc(b->data, b->size);
}

void
share_frame_put(struct share_buf *b, int type, const void *p, size_t len)
{
	share_buf_room(b, 5 + len);
	b->data[b->len++] = (uint8_t)type;
	b->data[b->len++] = (uint8_t)(len >> 24);
	b->data[b->len++] = (uint8_t)(len >> 16);
	b->data[b->len++] = (uint8_t)(len >> 8);
	b->data[b->len++] = (uint8_t)len;
	if (len > 0)
		memcpy(b->data + b->len, p, len);
	b->len += len;
}

int
share_frame_get(struct share_buf *b, int *type, const uint8_t **p, size_t *len)
{
	const uint8_t	*h = b->data + b->off;
	size_t		 n;

	if (b->len - b->off < 5)
		return (0);
	n = (size_t)h[1] << 24 | (size_t)h[2] << 16 | (size_t)h[3] << 8 | h[4];
	if (n > SHARE_FRAME_MAX)
		return (-1);
	if (b->len - b->off < 5 + n)
		return (0);
	*type = h[0];
	*p = h + 5;
	*len = n;
	b->off += 5 + n;
	return (1);
}

ssize_t
share_buf_read(struct share_buf *b, int fd)
{
	ssize_t	n;

	share_buf_room(b, 4096);
	n = read(fd, b->data + b->len, b->size - b->len);
	if (n > 0)
		b->len += (size_t)n;
	return (n);
}

int
share_buf_write(struct share_buf *b, int fd)
{
	ssize_t	n;

	while (b->off < b->len) {
		n = send(fd, b->data + b->off, b->len - b->off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return (0);
		if (n < 0)
			return (-1);
		b->off += (size_t)n;
	}
	b->off = b->len = 0;
	return (1);
}

/* ---- the batch side --------------------------------------------------------- */

static volatile sig_atomic_t	share_interrupted;

static void
share_sigint(int sig)
{
	(void)sig;
	share_interrupted = 1;
}

static int
share_connect(const char *port)
{
	struct sockaddr_un	 sun;
	char			*path, *cause = NULL;
	int			 fd;

	if ((path = share_path(port, 0, &cause)) == NULL) {
		free(cause);
		return (-1);
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	free(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return (-1);
	/* No console, or one that died and left its socket: open the port. */
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0 || share_peer_ok(fd) != 1) {
		close(fd);
		return (-1);
	}
	return (fd);
}

static void
share_option(struct share_buf *b, const char *name, const char *value)
{
	char	*s = xasprintf("%s=%s", name, value);

	share_frame_put(b, 'o', s, strlen(s));
	free(s);
}

/* An absolute path, so the console (in another folder) finds the file. */
static void
share_option_path(struct share_buf *b, const char *name, const char *path)
{
	char	abs[PATH_MAX];

	if (path == NULL)
		return;
	if (realpath(path, abs) != NULL)
		share_option(b, name, abs);
	else
		share_option(b, name, path);
}

/* The kind of value the spec word w names ("-o=FILE" -> "FILE",
 * "[FILE]" -> "FILE"), NULL for a flag. */
static const char *
share_spec_kind(const char *w, size_t n, char *buf, size_t len)
{
	const char	*eq = memchr(w, '=', n);

	if (w[0] == '-' && eq == NULL)
		return (NULL);
	if (eq != NULL)
		snprintf(buf, len, "%.*s", (int)(n - (size_t)(eq + 1 - w)), eq + 1);
	else if (w[0] == '[')
		snprintf(buf, len, "%.*s", (int)(n > 2 ? n - 2 : 0), w + 1);
	else
		snprintf(buf, len, "%.*s", (int)n, w);
	return (buf);
}

/* Does the spec's option opt (argv word "-o" or "--out", without any
 * "=value") take a FILE, or the i-th positional? */
static int
share_is_file(const char *spec, const char *opt, size_t optlen, int pos)
{
	const char	*w = spec;
	char		 kind[32];
	size_t		 n;
	int		 npos = 0;

	while (*w != '\0') {
		w += strspn(w, " ");
		n = strcspn(w, " ");
		if (n == 0)
			break;
		if (opt != NULL && w[0] == '-' && strncmp(w, opt, optlen) == 0 && w[optlen] == '=')
			return (strstr(share_spec_kind(w, n, kind, sizeof kind), "FILE") != NULL);
		if (opt == NULL && w[0] != '-' && npos++ == pos)
			return (strstr(share_spec_kind(w, n, kind, sizeof kind), "FILE") != NULL);
		w += n;
	}
	return (0);
}

static char *
share_abs(const char *path)
{
	char	cwd[PATH_MAX];

	if (path[0] == '/' || strcmp(path, "-") == 0 || getcwd(cwd, sizeof cwd) == NULL)
		return (xstrdup(path));
	return (xasprintf("%s/%s", cwd, path));
}

/* The words of the command line, with every FILE made absolute: the
 * console runs in another folder. */
static void
share_words(struct share_buf *b, int argc, char **argv)
{
	const struct cmd_entry	*ce;
	const char		*eq;
	char			*w, *abs;
	int			 i, used = 0, pos = 0, file;

	ce = cmd_find(argc, argv, &used);
	for (i = 0; i < argc; i++) {
		file = 0;
		if (ce != NULL && i >= used) {
			if (argv[i][0] == '-' && argv[i][1] != '\0') {
				eq = strchr(argv[i], '=');
				file = share_is_file(ce->args, argv[i], eq != NULL ?
				    (size_t)(eq - argv[i]) : strlen(argv[i]), -1);
				if (file && eq == NULL && i + 1 < argc) {
					share_frame_put(b, 'a', argv[i], strlen(argv[i]));
					i++;
				} else if (file && eq != NULL) {
					abs = share_abs(eq + 1);
					w = xasprintf("%.*s=%s", (int)(eq - argv[i]), argv[i], abs);
					share_frame_put(b, 'a', w, strlen(w));
					free(abs);
					free(w);
					continue;
				} else
					file = 0;
			} else
				file = share_is_file(ce->args, NULL, 0, pos++);
		}
		w = file ? share_abs(argv[i]) : xstrdup(argv[i]);
		share_frame_put(b, 'a', w, strlen(w));
		free(w);
	}
}

static void
share_request(struct cmd_ctx *ctx, struct share_buf *b, int argc, char **argv)
{
	char	 num[16];
	char	*archive;

	share_frame_put(b, 'V', SHARE_VERSION, strlen(SHARE_VERSION));
	snprintf(num, sizeof num, "%d", ctx->opts.addr > 0 ? ctx->opts.addr : 1);
	share_option(b, "addr", num);
	share_option(b, "json", ctx->opts.json ? "1" : "0");
	share_option(b, "progress", ctx->progress ? "1" : "0");
	share_option_path(b, "keys", ctx->opts.keys_file);
	/* The archive this command would use here, not the console's. */
	archive = ctx->opts.archive_path != NULL ? xstrdup(ctx->opts.archive_path) :
	    archive_default_path();
	share_option_path(b, "archive", archive);
	free(archive);
	share_words(b, argc, argv);
	share_frame_put(b, 'g', "", 0);
}

/* Relays frames until the exit code; -1 while it has not come. */
static int
share_relay(struct cmd_ctx *ctx, struct share_buf *in)
{
	const uint8_t	*p;
	size_t		 len;
	int		 type, rc = -1;
	char		 num[16];

	while (share_frame_get(in, &type, &p, &len) == 1) {
		if (type == 'O')
			fwrite(p, 1, len, ctx->out);
		else if (type == 'E') {
			fwrite(p, 1, len, ctx->err);
			fflush(ctx->err);
		} else if (type == 'X') {
			snprintf(num, sizeof num, "%.*s", (int)(len < 15 ? len : 15), (const char *)p);
			rc = atoi(num);
		}
	}
	return (rc);
}

int
share_client_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct share_buf	 out, in;
	struct sigaction	 sa, old;
	struct pollfd		 pfd;
	ssize_t			 n;
	int			 fd, rc = -1, shut = 0;

	if (ctx->opts.port == NULL || (fd = share_connect(ctx->opts.port)) < 0)
		return (-1);
	memset(&out, 0, sizeof out);
	memset(&in, 0, sizeof in);
	share_request(ctx, &out, argc, argv);
	if (share_buf_write(&out, fd) != 1) {	/* a small request: all or nothing */
		share_buf_free(&out);
		close(fd);
		return (-1);
	}
	share_buf_free(&out);

	/* Ctrl-C stops the job the way it does in batch mode: the console
	 * cancels it at a transaction boundary and says what was done. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = share_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old);
	for (;;) {
		if (share_interrupted && !shut) {
			shutdown(fd, SHUT_WR);
			shut = 1;
			sigaction(SIGINT, &old, NULL);	/* a second one ends us */
		}
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			break;
		n = share_buf_read(&in, fd);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if ((rc = share_relay(ctx, &in)) >= 0 || n <= 0)
			break;
	}
	if (!shut)
		sigaction(SIGINT, &old, NULL);
	close(fd);
	share_buf_free(&in);
	if (rc < 0) {
		fprintf(ctx->err, _("pilecon: the console holding '%s' went away before '%s' "
		    "finished (run it again)\n"), ctx->opts.port, argv[0]);
		rc = EXIT_FAILED;
	}
	return (rc);
}
