/* ctlsock.c - pilesim's control socket: one command per connection, read and
 * answered without ever blocking the bus.
 *
 * Request:  "PSC1" | argc u32 | argc times (length u32 | bytes)
 * Reply:    status u32 | length u32 | output bytes, then the server closes.
 * Integers are big-endian. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common.h"
#include "sim/shell.h"

#define CTLSOCK_TIMEOUT_US	(10 * 1000000ULL)	/* whole exchange */

struct ctl_client {
	int		 fd;
	uint64_t	 deadline_us;
	uint8_t		*in;
	size_t		 in_len, in_size;
	uint8_t		*out;		/* reply, once the command ran */
	size_t		 out_len, out_sent;
};

struct ctlsock {
	int			 fd;
	char			*path;
	ino_t			 ino;	/* our socket file, to remove only ours */
	ctlsock_run_fn		 run;
	void			*arg;
	struct ctl_client	 clients[CTLSOCK_MAX_CLIENTS];
	int			 nclients;
};

static uint32_t
get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
put_u32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static int
ctlsock_listen(struct ctlsock *cs, const struct sockaddr_un *sun, char **cause)
{
	struct stat	st;
	mode_t		old;
	int		rc;

	cs->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (cs->fd < 0)
		return set_cause(cause, -1, _("cannot create the control socket: %s"),
		    strerror(errno));
	/* The socket drives the piles (keys, clock, whitelist): owner only. */
	old = umask(077);
	rc = bind(cs->fd, (const struct sockaddr *)sun, sizeof *sun);
	umask(old);
	if (rc != 0)
		return set_cause(cause, -1, _("cannot create control socket '%s': %s"),
		    cs->path, strerror(errno));
	(void)chmod(cs->path, 0600);
	if (stat(cs->path, &st) == 0)
		cs->ino = st.st_ino;
	if (listen(cs->fd, CTLSOCK_MAX_CLIENTS) != 0)
		return set_cause(cause, -1, _("cannot listen on '%s': %s"), cs->path,
		    strerror(errno));
	return 0;
}

struct ctlsock *
ctlsock_open(const char *path, ctlsock_run_fn run, void *arg, char **cause)
{
	struct ctlsock		*cs;
	struct sockaddr_un	 sun;
	int			 probe;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		set_cause(cause, -1, _("control socket path '%s' is too long (at "
		    "most %zu bytes): use a shorter --data folder"), path,
		    sizeof sun.sun_path - 1);
		return NULL;
	}
	memcpy(sun.sun_path, path, strlen(path));

	/* A socket that answers belongs to a pilesim still running on this
	 * folder; one that refuses is left over from a crash. */
	probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe >= 0) {
		if (connect(probe, (struct sockaddr *)&sun, sizeof sun) == 0) {
			close(probe);
			set_cause(cause, -1, _("another pilesim is running with data "
			    "folder '%s' (its control socket '%s' answers): stop it "
			    "first"), path, path);
			return NULL;
		}
		close(probe);
	}
	(void)unlink(path);

	cs = xcalloc(1, sizeof *cs);
	cs->path = xstrdup(path);
	cs->run = run;
	cs->arg = arg;
	if (ctlsock_listen(cs, &sun, cause) != 0) {
		ctlsock_close(cs);
		return NULL;
	}
	return cs;
}

static void
ctlsock_drop(struct ctlsock *cs, int i)
{
	struct ctl_client	*c = &cs->clients[i];

	close(c->fd);
	free(c->in);
	free(c->out);
	cs->clients[i] = cs->clients[--cs->nclients];
}

void
ctlsock_close(struct ctlsock *cs)
{
	struct stat	st;

	if (cs == NULL)
		return;
	while (cs->nclients > 0)
		ctlsock_drop(cs, cs->nclients - 1);
	if (cs->fd >= 0) {
		close(cs->fd);
		if (stat(cs->path, &st) == 0 && st.st_ino == cs->ino)
			(void)unlink(cs->path);
	}
	free(cs->path);
	free(cs);
}

int
ctlsock_pollfds(const struct ctlsock *cs, struct pollfd *pfd, int max)
{
	int	i, n = 0;

	if (n < max && cs->nclients < CTLSOCK_MAX_CLIENTS) {
		pfd[n].fd = cs->fd;
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
	}
	for (i = 0; i < cs->nclients && n < max; i++) {
		pfd[n].fd = cs->clients[i].fd;
		pfd[n].events = cs->clients[i].out != NULL ? POLLOUT : POLLIN;
		pfd[n++].revents = 0;
	}
	return n;
}

uint64_t
ctlsock_next_us(const struct ctlsock *cs)
{
	uint64_t	next = UINT64_MAX;
	int		i;

	for (i = 0; i < cs->nclients; i++) {
		if (cs->clients[i].deadline_us < next)
			next = cs->clients[i].deadline_us;
	}
	return next;
}

static void
ctlsock_accept(struct ctlsock *cs, uint64_t now_us)
{
	struct ctl_client	*c;
	int			 fd;

	while (cs->nclients < CTLSOCK_MAX_CLIENTS) {
		fd = accept4(cs->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		c = &cs->clients[cs->nclients++];
		memset(c, 0, sizeof *c);
		c->fd = fd;
		c->deadline_us = now_us + CTLSOCK_TIMEOUT_US;
	}
}

/* 1 when the request is complete (argv filled, strings NUL terminated in a
 * copy), 0 when more is needed, -1 when it is malformed. */
static int
ctlsock_parse(const uint8_t *in, size_t len, int *argcp, char ***argvp)
{
	uint32_t	 argc, i, n;
	size_t		 off;
	char		**argv;

	if (len < 8)
		return memcmp(in, CTLSOCK_MAGIC, len < 4 ? len : 4) == 0 ? 0 : -1;
	if (memcmp(in, CTLSOCK_MAGIC, 4) != 0)
		return -1;
	argc = get_u32(in + 4);
	if (argc == 0 || argc > CTLSOCK_MAX_ARGS)
		return -1;
	off = 8;
	for (i = 0; i < argc; i++) {
		if (len - off < 4)
			return 0;
		n = get_u32(in + off);
		if (n > CTLSOCK_MAX_REQUEST)
			return -1;
		off += 4;
		if (len - off < n)
			return 0;
		off += n;
	}
	if (off != len)
		return -1;	/* bytes after the last argument */

	argv = xcalloc(argc + 1, sizeof *argv);
	off = 8;
	for (i = 0; i < argc; i++) {
		n = get_u32(in + off);
		off += 4;
		argv[i] = xmalloc(n + 1);
		memcpy(argv[i], in + off, n);
		argv[i][n] = '\0';
		off += n;
	}
	*argcp = (int)argc;
	*argvp = argv;
	return 1;
}

static void
ctlsock_answer(struct ctl_client *c, int status, const char *text, size_t len)
{
	c->out = xmalloc(8 + len);
	put_u32(c->out, (uint32_t)status);
	put_u32(c->out + 4, (uint32_t)len);
	memcpy(c->out + 8, text, len);
	c->out_len = 8 + len;
	c->out_sent = 0;
}

static void
ctlsock_run(struct ctlsock *cs, struct ctl_client *c, int argc, char **argv)
{
	FILE	*out;
	char	*text = NULL;
	size_t	 len = 0;
	int	 status, i;

	out = open_memstream(&text, &len);
	if (out == NULL) {
		const char	*msg = _("pilesim cannot run the command: out of memory\n");

		ctlsock_answer(c, 1, msg, strlen(msg));
	} else {
		status = cs->run(cs->arg, argc, argv, out);
		fclose(out);
		ctlsock_answer(c, status, text, len);
		free(text);
	}
	for (i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

/* 0 to keep the client, -1 to drop it. */
static int
ctlsock_client_read(struct ctlsock *cs, struct ctl_client *c)
{
	char		**argv;
	ssize_t		  n;
	int		  argc, r;

	for (;;) {
		if (c->in_len == c->in_size) {
			if (c->in_size >= CTLSOCK_MAX_REQUEST) {
				const char *msg = _("request too large\n");

				ctlsock_answer(c, 2, msg, strlen(msg));
				return 0;
			}
			c->in_size = c->in_size == 0 ? 512 : c->in_size * 2;
			c->in = xrealloc(c->in, c->in_size);
		}
		n = read(c->fd, c->in + c->in_len, c->in_size - c->in_len);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		if (n == 0)
			return -1;	/* gone before a whole request */
		c->in_len += (size_t)n;
		r = ctlsock_parse(c->in, c->in_len, &argc, &argv);
		if (r < 0) {
			const char *msg = _("malformed control request (is this "
			    "'pilesim ctl' from the same version?)\n");

			ctlsock_answer(c, 2, msg, strlen(msg));
			return 0;
		}
		if (r > 0) {
			ctlsock_run(cs, c, argc, argv);
			return 0;
		}
	}
}

/* 0 to keep the client, -1 to drop it (done or failed). */
static int
ctlsock_client_write(struct ctl_client *c)
{
	ssize_t	n;

	while (c->out_sent < c->out_len) {
		n = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent,
		    MSG_NOSIGNAL);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		c->out_sent += (size_t)n;
	}
	return -1;
}

void
ctlsock_service(struct ctlsock *cs, const struct pollfd *pfd, int n,
    uint64_t now_us)
{
	struct ctl_client	*c;
	int			 i, j, drop;

	for (j = 0; j < n; j++) {
		if (pfd[j].fd == cs->fd && (pfd[j].revents & POLLIN))
			ctlsock_accept(cs, now_us);
	}
	for (i = cs->nclients - 1; i >= 0; i--) {
		c = &cs->clients[i];
		drop = 0;
		for (j = 0; j < n; j++) {
			if (pfd[j].fd != c->fd || pfd[j].revents == 0)
				continue;
			if (c->out == NULL)
				drop = ctlsock_client_read(cs, c) != 0;
			if (!drop && c->out != NULL)
				drop = ctlsock_client_write(c) != 0;
			break;
		}
		if (!drop && now_us >= c->deadline_us)
			drop = 1;	/* a client that never finished */
		if (drop)
			ctlsock_drop(cs, i);
	}
}
