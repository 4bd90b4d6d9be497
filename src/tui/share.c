/* share.c - the console's side of port sharing (the wire is in
 * src/batch/share.h): a socket for the port the console holds. Each
 * connection from this user brings one command line, which runs as a job
 * on the console's runner beside the console's own, with the client's
 * options; what batch mode would print goes back to the client as it
 * comes, then the exit code. The events view shows those jobs. */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch/batch.h"
#include "batch/job.h"
#include "batch/share.h"
#include "common.h"
#include "tui.h"

#define TUI_SHARE_CONNS	16

enum share_state { SC_READ, SC_RUN, SC_FLUSH };

struct share_conn {
	struct tui		*t;
	int			 fd;
	enum share_state	 state;
	struct share_buf	 in, out;
	int			 versioned;	/* 'V' came and was ours */
	int			 argc;
	char			**argv;
	uint8_t			 addr;
	int			 json, progress;
	char			*keys, *archive;
	/* the job's context: the client's options over the console's, the
	 * console's link and bus (borrowed), a pile object of its own when
	 * its keys are not the console's */
	struct cmd_ctx		 ctx;
	struct pile		*own_pile;
	void			*notifier;	/* batch mode's, writing on err */
	char			*err_text;
	size_t			 err_len, err_sent;
	struct tui_job		*tj;
	struct share_conn	*next;
};

struct tui_share {
	int			 fd;
	char			*path;
	struct share_conn	*conns;
	int			 nconns;
};

/* ---- the socket ---------------------------------------------------------------- */

void
tui_share_open(struct tui *t)
{
	struct sockaddr_un	 sun;
	struct tui_share	*sh;
	char			*path, *cause = NULL;
	const char		*port = t->ctx->opts.port;
	mode_t			 mask;
	int			 fd;

	if (port == NULL)
		return;
	if ((path = share_path(port, 1, &cause)) == NULL) {
		tui_event(t, TUI_WARN, _("other pilecon runs cannot share '%s': %s"), port, cause);
		free(cause);
		return;
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
		goto fail;
	/* We hold the port's lock, so a socket left there is a dead
	 * console's; a live one answers (a tcp: port has no lock). */
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0) {
		close(fd);
		free(path);
		return;
	}
	close(fd);
	unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
		goto fail;
	mask = umask(077);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) != 0 || listen(fd, 8) != 0) {
		umask(mask);
		close(fd);
		goto fail;
	}
	umask(mask);
	sh = xcalloc(1, sizeof *sh);
	sh->fd = fd;
	sh->path = path;
	t->share = sh;
	return;
fail:
	tui_event(t, TUI_WARN, _("other pilecon runs cannot share '%s': socket '%s': %s"), port,
	    path, strerror(errno));
	free(path);
}

/* ---- one connection --------------------------------------------------------------- */

static void
share_conn_free(struct share_conn *c)
{
	int	i;

	if (c->fd >= 0)
		close(c->fd);
	share_buf_free(&c->in);
	share_buf_free(&c->out);
	for (i = 0; i < c->argc; i++)
		free(c->argv[i]);
	free(c->argv);
	free(c->keys);
	free(c->archive);
	if (c->notifier != NULL)
		job_batch_notifier_free(c->notifier);
	if (c->ctx.err != NULL)
		fclose(c->ctx.err);
	free(c->err_text);
	/* The link, the bus and the console's pile are the console's. */
	c->ctx.link = NULL;
	c->ctx.bus = NULL;
	c->ctx.pile = c->own_pile;
	c->ctx.err = NULL;
	cmd_ctx_close(&c->ctx);
	pilecon_opts_free(&c->ctx.opts);
	free(c);
}

/* What batch mode's notifier wrote on the job's err since last time: to
 * the client at once (events, a progress bar on its terminal). */
static void
share_conn_relay(struct share_conn *c)
{
	if (c->ctx.err == NULL)
		return;
	fflush(c->ctx.err);
	if (c->err_len > c->err_sent) {
		share_frame_put(&c->out, 'E', c->err_text + c->err_sent, c->err_len - c->err_sent);
		c->err_sent = c->err_len;
	}
}

static void
share_conn_exit(struct share_conn *c, int code)
{
	char	num[16];

	snprintf(num, sizeof num, "%d", code);
	share_frame_put(&c->out, 'X', num, strlen(num));
	c->state = SC_FLUSH;
}

static void
share_conn_refuse(struct share_conn *c, int code, const char *msg)
{
	char	*s = xasprintf("pilecon: %s\n", msg);

	share_frame_put(&c->out, 'E', s, strlen(s));
	free(s);
	share_conn_exit(c, code);
}

/* The job is over: its output as batch mode renders it, then its code. */
static void
share_job_done(struct tui *t, struct tui_job *tj)
{
	struct share_conn	*c = tj->arg;
	char			*out = NULL, *err = NULL;
	size_t			 outlen = 0, errlen = 0;
	FILE			*fout, *ferr;

	(void)t;
	c->tj = NULL;
	if (c->fd < 0) {
		c->state = SC_FLUSH;
		return;
	}
	share_conn_relay(c);
	fout = open_memstream(&out, &outlen);
	ferr = open_memstream(&err, &errlen);
	if (fout != NULL && ferr != NULL) {
		job_render(tj->job, fout, ferr);
		fclose(fout);
		fclose(ferr);
		if (outlen > 0)
			share_frame_put(&c->out, 'O', out, outlen);
		if (errlen > 0)
			share_frame_put(&c->out, 'E', err, errlen);
	} else {
		if (fout != NULL)
			fclose(fout);
		if (ferr != NULL)
			fclose(ferr);
	}
	free(out);
	free(err);
	share_conn_exit(c, job_exit_code(tj->job));
}

static void
share_notify(struct job *job, enum job_notify what, void *arg)
{
	struct share_conn	*c = arg;

	job_batch_notify(job, what, c->notifier);
}

/* The pile the job runs on: the console's object for that address when
 * the client's keys are the console's, else one of its own (identified
 * and keyed by the runner first). */
static struct pile *
share_conn_pile(struct share_conn *c, const struct proto_identity **id, struct tui_pile **tp)
{
	struct tui	*t = c->t;
	const char	*ours = t->ctx->opts.keys_file;
	char		 abs[4096];
	int		 i;

	*id = NULL;
	*tp = NULL;
	if (ours != NULL && realpath(ours, abs) != NULL)
		ours = abs;
	for (i = 0; i < t->npiles; i++) {
		if (t->piles[i].addr != c->addr || !t->piles[i].have_id)
			continue;
		if (c->keys == NULL || (ours != NULL && strcmp(ours, c->keys) == 0)) {
			*id = &t->piles[i].id;
			*tp = &t->piles[i];
			return (t->piles[i].pile);
		}
	}
	c->own_pile = pile_new(t->bus, c->addr);
	return (c->own_pile);
}

static void
share_conn_start(struct share_conn *c)
{
	struct tui			*t = c->t;
	struct cmd_ctx			*ctx = &c->ctx;
	const struct proto_identity	*id;
	struct tui_pile			*tp;
	struct pile			*pile;
	char				*cause = NULL, name[64];

	if (!c->versioned || c->argc == 0) {
		share_conn_refuse(c, EXIT_USAGE, _("the console did not understand the request "
		    "(run the same pilecon version as the console)"));
		return;
	}
	pilecon_opts_init(&ctx->opts);
	ctx->opts.port = xstrdup(t->ctx->opts.port);
	ctx->opts.baud = t->ctx->opts.baud;
	ctx->opts.no_fc23 = t->ctx->opts.no_fc23;
	ctx->opts.timeout_ms = t->ctx->opts.timeout_ms;
	ctx->opts.retries = t->ctx->opts.retries;
	ctx->opts.addr = c->addr;
	ctx->opts.json = c->json;
	ctx->opts.keys_file = c->keys != NULL ? xstrdup(c->keys) :
	    t->ctx->opts.keys_file != NULL ? xstrdup(t->ctx->opts.keys_file) : NULL;
	ctx->opts.archive_path = c->archive != NULL ? xstrdup(c->archive) : NULL;
	ctx->bus = t->bus;
	ctx->link = pile_bus_link(t->bus);
	ctx->progress = c->progress;
	ctx->out = NULL;
	if ((ctx->err = open_memstream(&c->err_text, &c->err_len)) == NULL) {
		share_conn_refuse(c, EXIT_FAILED, strerror(errno));
		return;
	}
	pile = share_conn_pile(c, &id, &tp);
	ctx->pile = pile;
	c->tj = tui_job_new(t, TUI_JOB_SHARED, c->argc, (const char **)c->argv, ctx, pile, id,
	    c->addr, tp != NULL ? tui_pile_name(tp, name, sizeof name) : NULL, &cause);
	if (c->tj == NULL) {
		share_conn_refuse(c, EXIT_USAGE, cause);
		free(cause);
		return;
	}
	c->notifier = job_batch_notifier_new(ctx);
	c->tj->chain = share_notify;
	c->tj->chain_arg = c;
	c->tj->done = share_job_done;
	c->tj->arg = c;
	c->tj->quiet = 1;	/* its output is for the other terminal */
	c->state = SC_RUN;
	tui_event(t, TUI_INFO, _("another terminal runs '%s'"), c->tj->title);
}

/* One frame of the request; the last ('g') starts the job. */
static void
share_conn_frame(struct share_conn *c, int type, const uint8_t *p, size_t len)
{
	char	*s = xmalloc(len + 1), *eq;

	memcpy(s, p, len);
	s[len] = '\0';
	switch (type) {
	case 'V':
		c->versioned = strcmp(s, SHARE_VERSION) == 0;
		break;
	case 'a':
		c->argv = xrealloc(c->argv, (size_t)(c->argc + 2) * sizeof *c->argv);
		c->argv[c->argc++] = s;
		c->argv[c->argc] = NULL;
		return;
	case 'o':
		if ((eq = strchr(s, '=')) == NULL)
			break;
		*eq++ = '\0';
		if (strcmp(s, "addr") == 0 && atoi(eq) >= 1 && atoi(eq) <= 247)
			c->addr = (uint8_t)atoi(eq);
		else if (strcmp(s, "json") == 0)
			c->json = atoi(eq) != 0;
		else if (strcmp(s, "progress") == 0)
			c->progress = atoi(eq) != 0;
		else if (strcmp(s, "keys") == 0 && *eq == '/')
			c->keys = xstrdup(eq);
		else if (strcmp(s, "archive") == 0 && *eq == '/')
			c->archive = xstrdup(eq);
		break;
	case 'g':
		share_conn_start(c);
		break;
	}
	free(s);
}

static void
share_conn_read(struct share_conn *c)
{
	const uint8_t	*p;
	size_t		 len;
	ssize_t		 n;
	int		 type, rc;

	n = share_buf_read(&c->in, c->fd);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* The client went away (Ctrl-C in its terminal): its job
		 * stops at the next safe point; nobody reads the rest. */
		if (c->tj != NULL && !c->tj->cancelling) {
			c->tj->cancelling = 1;
			job_cancel(c->tj->job);
		}
		if (c->state == SC_READ)
			c->state = SC_FLUSH;
		close(c->fd);
		c->fd = -1;
		return;
	}
	while (c->state == SC_READ && (rc = share_frame_get(&c->in, &type, &p, &len)) != 0) {
		if (rc < 0) {
			share_conn_refuse(c, EXIT_USAGE, _("a request frame is too long"));
			return;
		}
		share_conn_frame(c, type, p, len);
	}
}

static void
share_accept(struct tui *t)
{
	struct tui_share	*sh = t->share;
	struct share_conn	*c;
	int			 fd;

	if ((fd = accept4(sh->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) < 0)
		return;
	/* The folder is ours alone; the peer's user is checked anyway. */
	if (share_peer_ok(fd) != 1) {
		close(fd);
		return;
	}
	c = xcalloc(1, sizeof *c);
	c->t = t;
	c->fd = fd;
	c->addr = t->ctx->opts.addr > 0 ? (uint8_t)t->ctx->opts.addr : 1;
	c->next = sh->conns;
	sh->conns = c;
	sh->nconns++;
}

/* ---- the loop's side ----------------------------------------------------------------- */

int
tui_share_pollfds(struct tui *t, struct pollfd *pfd, int max)
{
	struct tui_share	*sh = t->share;
	struct share_conn	*c;
	int			 n = 0;

	if (sh == NULL)
		return (0);
	if (sh->nconns < TUI_SHARE_CONNS && n < max) {
		pfd[n].fd = sh->fd;
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
	}
	for (c = sh->conns; c != NULL && n < max; c = c->next) {
		if (c->fd < 0)
			continue;
		pfd[n].fd = c->fd;
		pfd[n].events = c->out.len > c->out.off ? POLLIN | POLLOUT : POLLIN;
		pfd[n++].revents = 0;
	}
	return (n);
}

static short
share_revents(const struct pollfd *pfd, int n, int fd)
{
	int	i;

	for (i = 0; i < n; i++) {
		if (pfd[i].fd == fd)
			return (pfd[i].revents);
	}
	return (0);
}

void
tui_share_io(struct tui *t, const struct pollfd *pfd, int n)
{
	struct tui_share	*sh = t->share;
	struct share_conn	**cp, *c;
	short			  ev;

	if (sh == NULL)
		return;
	if (share_revents(pfd, n, sh->fd) & POLLIN)
		share_accept(t);
	for (cp = &sh->conns; (c = *cp) != NULL;) {
		ev = c->fd >= 0 ? share_revents(pfd, n, c->fd) : 0;
		if (ev & (POLLIN | POLLHUP | POLLERR))
			share_conn_read(c);
		if (c->state == SC_RUN)
			share_conn_relay(c);
		if (c->fd >= 0 && c->out.len > c->out.off && share_buf_write(&c->out, c->fd) < 0) {
			close(c->fd);
			c->fd = -1;
		}
		/* Done when the job is over and all is said (or nobody listens). */
		if (c->tj == NULL && c->state == SC_FLUSH &&
		    (c->fd < 0 || c->out.len == c->out.off)) {
			*cp = c->next;
			sh->nconns--;
			share_conn_free(c);
			continue;
		}
		cp = &c->next;
	}
}

void
tui_share_close(struct tui *t)
{
	struct tui_share	*sh = t->share;
	struct share_conn	*c, *next;
	struct pollfd		 pfd;
	uint64_t		 end = tui_now_ms() + 2000;

	if (sh == NULL)
		return;
	/* What finished jobs still owe their clients, within two seconds. */
	for (c = sh->conns; c != NULL; c = next) {
		next = c->next;
		while (c->fd >= 0 && c->out.len > c->out.off && tui_now_ms() < end) {
			pfd.fd = c->fd;
			pfd.events = POLLOUT;
			poll(&pfd, 1, 100);
			if (share_buf_write(&c->out, c->fd) < 0)
				break;
		}
		if (c->tj != NULL) {
			c->tj->done = NULL;	/* its job ends with the console */
			c->tj->chain = NULL;
		}
		share_conn_free(c);
	}
	close(sh->fd);
	unlink(sh->path);
	free(sh->path);
	free(sh);
	t->share = NULL;
}
