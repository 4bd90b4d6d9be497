/* link.c - a port opened by spec (path or tcp:HOST:PORT) and its timed,
 * non-blocking I/O, whatever the backend; Modbus RTU timing per baud rate. */
#include "config.h"

#include <sys/file.h>
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "link-int.h"
#include "proto.h"

static int
link_check_params(const char *spec, const struct link_params *p, char **cause)
{
	if (p->baud < 50 || p->baud > 4000000)
		return set_cause(cause, -1,
		    _("cannot open '%s': baud rate %u is out of range "
		    "(try 9600, 19200, 38400, 57600 or 115200)"), spec, p->baud);
	if (p->parity != 'N' && p->parity != 'E' && p->parity != 'O')
		return set_cause(cause, -1,
		    _("cannot open '%s': parity '%c' is not one of N, E, O"),
		    spec, p->parity);
	if (p->stop_bits != 1 && p->stop_bits != 2)
		return set_cause(cause, -1,
		    _("cannot open '%s': %u stop bits (use 1 or 2)"),
		    spec, p->stop_bits);
	return 0;
}

int
link_check(const char *spec, const struct link_params *params, char **cause)
{
	if (link_check_params(spec, params, cause) != 0)
		return -1;
	if (strncmp(spec, "tcp:", 4) == 0)
		return link_check_tcp(spec, spec + 4, cause);
	return 0;
}

struct link *
link_open(const char *spec, const struct link_params *params, char **cause)
{
	struct link		*l;
	struct link_params	 defaults = { .baud = 115200, .parity = 'E', .stop_bits = 1 };
	int			 rc;

	if (params == NULL)
		params = &defaults;
	if (spec == NULL || *spec == '\0') {
		set_cause(cause, -1, _("no port given: pass -p PORT, set "
		    "PILECON_PORT or 'port' in the config ('pilecon ports' "
		    "lists serial ports)"));
		return NULL;
	}
	if (link_check(spec, params, cause) != 0)
		return NULL;

	l = xcalloc(1, sizeof *l);
	l->name = xstrdup(spec);
	l->fd = -1;
	l->cfd = -1;
	l->latency_ms = -1;
	l->params = *params;
	if (strncmp(spec, "tcp:", 4) == 0) {
		l->kind = LINK_TCP;
		rc = link_open_tcp(l, spec + 4, cause);
	} else
		rc = link_open_serial(l, spec, cause);
	if (rc != 0) {
		free(l->notes);
		free(l->name);
		free(l);
		return NULL;
	}
	return l;
}

void
link_close(struct link *l)
{
	if (l == NULL)
		return;
	if (l->kind != LINK_TCP)
		link_untune(l);		/* what --rs485 and low latency changed */
	else
		link_tcp_abort(l);
	if (l->kind == LINK_SERIALPORT)
		link_close_serial(l);
	else if (l->fd != -1)
		close(l->fd);
	free(l->notes);
	free(l->name);
	free(l);
}

void
link_suspend(struct link *l)
{
	if (l->fd == -1 && l->sp == NULL && l->cfd == -1 && l->cresolve == NULL)
		return;
	if (l->kind == LINK_TCP) {
		link_tcp_abort(l);
		if (l->fd != -1)
			close(l->fd);
		l->fd = -1;
		return;
	}
	link_close_serial(l);	/* restores what --rs485 and low latency changed */
}

/*
 * What every reopen does before it opens: check the new settings, close
 * the port (restoring what was tuned), take the settings and the name, and
 * forget what the old port noted. 0, or -1 when the settings are refused
 * (nothing closed).
 */
static int
link_reopen_prepare(struct link *l, const char *spec, const struct link_params *params,
    char **cause)
{
	if (params != NULL && link_check_params(spec != NULL ? spec : l->name, params,
	    cause) != 0)
		return -1;
	link_suspend(l);
	if (params != NULL)
		l->params = *params;
	if (spec != NULL && strcmp(spec, l->name) != 0) {
		free(l->name);
		l->name = xstrdup(spec);
	}
	free(l->notes);
	l->notes = NULL;
	l->latency_ms = -1;
	return 0;
}

/* The blocking reopen is the one without waiting run to its end. */
int
link_reopen(struct link *l, const char *spec, const struct link_params *params,
    char **cause)
{
	int	rc = link_reopen_start(l, spec, params, cause);

	return rc == 1 ? link_tcp_wait(l, cause) : rc;
}

static int	link_gone(struct link *, char **);

/* The kind follows the name: a switch may go from a serial port to a
 * tcp: one and back. */
int
link_reopen_start(struct link *l, const char *spec, const struct link_params *params,
    char **cause)
{
	if (link_reopen_prepare(l, spec, params, cause) != 0)
		return -1;
	if (strncmp(l->name, "tcp:", 4) == 0) {
		l->kind = LINK_TCP;
		return link_tcp_start(l, l->name + 4, cause);
	}
	l->kind = LINK_TERMIOS;
	return link_open_serial(l, l->name, cause);
}

int
link_reopen_finish(struct link *l, int timed_out, char **cause)
{
	if (l->kind != LINK_TCP || (l->cfd == -1 && l->cresolve == NULL))
		return l->fd != -1 ? 0 : link_gone(l, cause);
	return link_tcp_finish(l, timed_out, cause);
}

int
link_connect_fd(const struct link *l, short *events)
{
	if (l->cresolve != NULL) {
		*events = POLLIN;
		return link_resolve_fd(l->cresolve);
	}
	*events = POLLOUT;
	return l->cfd;
}

int
link_fd(const struct link *l)
{
	return l->fd;
}

const char *
link_name(const struct link *l)
{
	return l->name;
}

const struct link_params *
link_params(const struct link *l)
{
	return &l->params;
}

int
link_lock(struct link *l, char **cause)
{
	if (flock(l->fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno == EWOULDBLOCK)
		return set_cause(cause, -1,
		    _("port '%s' is busy: another program has it open "
		    "(check with 'fuser %s')"), l->name, l->name);
	return set_cause(cause, -1, _("cannot lock port '%s': %s"),
	    l->name, strerror(errno));
}

int
link_open_error(const char *name, int error, char **cause)
{
	switch (error) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		return set_cause(cause, -1,
		    _("cannot open '%s': no such port (is the adapter plugged "
		    "in? 'pilecon ports' lists serial ports)"), name);
	case EACCES:
	case EPERM:
		return set_cause(cause, -1,
		    _("cannot open '%s': permission denied (add yourself to "
		    "group 'dialout' and log in again)"), name);
	case EBUSY:
		return set_cause(cause, -1,
		    _("port '%s' is busy: another program has it open "
		    "(check with 'fuser %s')"), name, name);
	default:
		return set_cause(cause, -1, _("cannot open '%s': %s"), name,
		    strerror(error));
	}
}

static int
link_gone(struct link *l, char **cause)
{
	if (l->kind == LINK_TCP)
		return set_cause(cause, -1,
		    _("port '%s' went away: the server closed the connection "
		    "(check the RS-485 server and the network)"), l->name);
	return set_cause(cause, -1,
	    _("port '%s' went away: check the cable / adapter"), l->name);
}

int
link_write(struct link *l, const uint8_t *buf, size_t len, int timeout_ms,
    char **cause)
{
	struct pollfd	pfd;
	uint64_t	deadline = mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	uint64_t	now;
	ssize_t		n;
	size_t		done = 0;

	if (l->fd == -1)	/* link_suspend: gone until link_reopen */
		return link_gone(l, cause);
	while (done < len) {
		if (l->kind == LINK_TCP)	/* no SIGPIPE when the peer left */
			n = send(l->fd, buf + done, len - done, MSG_NOSIGNAL);
		else
			n = write(l->fd, buf + done, len - done);
		if (n > 0) {
			done += n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			if (errno == EIO || errno == ENXIO || errno == EPIPE ||
			    errno == ECONNRESET || errno == ENODEV)
				return link_gone(l, cause);
			return set_cause(cause, -1,
			    _("cannot write to port '%s': %s"), l->name,
			    strerror(errno));
		}
		now = mono_ms();
		if (now >= deadline)
			return set_cause(cause, -1,
			    _("cannot write to port '%s': it took no data for "
			    "%d ms (is hardware flow control holding it?)"),
			    l->name, timeout_ms);
		pfd.fd = l->fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, (int)(deadline - now)) < 0 && errno != EINTR)
			return set_cause(cause, -1,
			    _("cannot write to port '%s': %s"), l->name,
			    strerror(errno));
		if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL))
			return link_gone(l, cause);
	}
	return 0;
}

int
link_read_now(struct link *l, uint8_t *buf, size_t len, char **cause)
{
	struct pollfd	pfd;
	ssize_t		n;

	if (l->fd == -1)
		return link_gone(l, cause);
	if (len == 0)
		return 0;
	for (;;) {
		n = read(l->fd, buf, len);
		if (n > 0)
			return (int)n;
		if (n < 0 && errno == EINTR)
			continue;
		break;
	}
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		if (errno == EIO || errno == ENXIO || errno == ECONNRESET ||
		    errno == ENODEV || errno == EPIPE)
			return link_gone(l, cause);
		return set_cause(cause, -1, _("cannot read from port '%s': %s"),
		    l->name, strerror(errno));
	}
	if (l->kind == LINK_TCP)
		return link_gone(l, cause);	/* orderly shutdown */

	/*
	 * A tty with VMIN = VTIME = 0 reads 0 both when nothing is there and
	 * after a hangup (USB adapter unplugged); only poll tells them apart.
	 */
	pfd.fd = l->fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)))
		return link_gone(l, cause);
	return 0;
}

void
link_flush_input(struct link *l)
{
	uint8_t	scratch[512];
	int	i;

	if (l->kind != LINK_TCP)
		tcflush(l->fd, TCIFLUSH);
	/* A TCP socket has no queue to flush; a tty may get bytes between. */
	for (i = 0; i < 64; i++)
		if (read(l->fd, scratch, sizeof scratch) <= 0)
			break;
}

/* Start bit, 8 data bits, parity bit if any, stop bits: 11 for the 8E1 and
 * 8N2 that Modbus asks for, 10 for the common 8N1. */
unsigned
link_char_bits(const struct link_params *p)
{
	return proto_char_bits(p->parity, p->stop_bits);
}

const char *
link_params_str(const struct link_params *p, char *buf, size_t size)
{
	snprintf(buf, size, "%u 8%c%u", p->baud, p->parity, p->stop_bits);
	return buf;
}

unsigned
link_t35_us(const struct link_params *p)
{
	return proto_t35_us(p->baud, link_char_bits(p));
}

unsigned
link_frame_us(const struct link_params *p, size_t nbytes)
{
	uint64_t	bits = (uint64_t)nbytes * link_char_bits(p);

	if (p->baud == 0)
		return 0;
	return (unsigned)((bits * 1000000 + p->baud - 1) / p->baud);
}
