/* tcp.c - tcp:HOST:PORT: an RS-485-to-Ethernet server in raw TCP mode
 * ("TCP server" / transparent mode), which passes RTU frames unchanged. */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "link-int.h"

/* 1 when port is a TCP port number, 1..65535, in decimal: getaddrinfo
 * would take 99999 and connect to 99999 mod 65536 = 34463, or a service
 * name from /etc/services. */
static int
link_tcp_port_ok(const char *port)
{
	unsigned long	v = 0;
	const char	*p;

	for (p = port; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || p - port >= 5)
			return 0;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	return p != port && v >= 1 && v <= 65535;
}

/* Splits "HOST:PORT" or "[V6ADDR]:PORT"; -1 when either is missing. */
static int
link_tcp_split(const char *hostport, char **host, char **port)
{
	const char	*colon, *end;

	if (hostport[0] == '[') {
		end = strchr(hostport, ']');
		if (end == NULL || end[1] != ':' || end[2] == '\0' ||
		    end == hostport + 1)
			return -1;
		*host = xasprintf("%.*s", (int)(end - hostport - 1),
		    hostport + 1);
		*port = xstrdup(end + 2);
		return 0;
	}
	colon = strrchr(hostport, ':');
	if (colon == NULL || colon == hostport || colon[1] == '\0')
		return -1;
	*host = xasprintf("%.*s", (int)(colon - hostport), hostport);
	*port = xstrdup(colon + 1);
	return 0;
}

/* Non-blocking connect bounded by timeout_ms; the error in *error. */
static int
link_tcp_connect(const struct addrinfo *ai, int timeout_ms, int *error)
{
	struct pollfd	pfd;
	socklen_t	len = sizeof *error;
	int		fd, one = 1, rc;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd == -1) {
		*error = errno;
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		if (errno != EINPROGRESS) {
			*error = errno;
			close(fd);
			return -1;
		}
		pfd.fd = fd;
		pfd.events = POLLOUT;
		do
			rc = poll(&pfd, 1, timeout_ms);
		while (rc == -1 && errno == EINTR);
		if (rc == 0) {
			*error = ETIMEDOUT;
			close(fd);
			return -1;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, error, &len) != 0)
			*error = errno;
		if (*error != 0) {
			close(fd);
			return -1;
		}
	}
	/* A request is one small write; waiting to coalesce it (Nagle)
	 * would add a round trip's worth of delay to every transaction. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

int
link_check_tcp(const char *name, const char *hostport, char **cause)
{
	char	*host, *port;
	int	 rc = 0;

	if (link_tcp_split(hostport, &host, &port) != 0)
		return set_cause(cause, -1, _("cannot use '%s': write a "
		    "network port as tcp:HOST:PORT (tcp:192.168.1.20:4001)"), name);
	if (!link_tcp_port_ok(port))
		rc = set_cause(cause, -1, _("cannot use '%s': port '%s' is not a TCP port "
		    "number (1 to 65535)"), name, port);
	free(host);
	free(port);
	return rc;
}

/* What a failed connect says, by its errno. */
static int
link_tcp_error(struct link *l, int error, char **cause)
{
	if (error == ETIMEDOUT)
		return set_cause(cause, -1, _("cannot connect to '%s': no "
		    "answer within %d ms (check the address, the network and "
		    "that the RS-485 server is on)"), l->name,
		    LINK_CONNECT_TIMEOUT_MS);
	if (error == ECONNREFUSED)
		return set_cause(cause, -1, _("cannot connect to '%s': "
		    "connection refused (is the RS-485 server set to TCP "
		    "server mode on that port?)"), l->name);
	return set_cause(cause, -1, _("cannot connect to '%s': %s"), l->name,
	    strerror(error));
}

/* The name's addresses; 0, or -1 with *cause. */
static int
link_tcp_resolve(struct link *l, const char *hostport, struct addrinfo **res,
    char **cause)
{
	struct addrinfo	 hints;
	char		*host, *port;
	int		 rc;

	if (link_check_tcp(l->name, hostport, cause) != 0 ||
	    link_tcp_split(hostport, &host, &port) != 0)
		return -1;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, res);
	if (rc != 0)
		set_cause(cause, -1, _("cannot connect to '%s': cannot "
		    "resolve '%s' port '%s': %s"), l->name, host, port,
		    gai_strerror(rc));
	free(host);
	free(port);
	return rc != 0 ? -1 : 0;
}

int
link_open_tcp(struct link *l, const char *hostport, char **cause)
{
	struct addrinfo	*res, *ai;
	int		 error = 0;

	if (link_tcp_resolve(l, hostport, &res, cause) != 0)
		return -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		l->fd = link_tcp_connect(ai, LINK_CONNECT_TIMEOUT_MS, &error);
		if (l->fd != -1)
			break;
	}
	freeaddrinfo(res);
	if (l->fd != -1)
		return 0;
	return link_tcp_error(l, error, cause);
}

void
link_tcp_abort(struct link *l)
{
	if (l->cfd != -1)
		close(l->cfd);
	l->cfd = -1;
	if (l->cres != NULL)
		freeaddrinfo(l->cres);
	l->cres = l->cai = NULL;
}

/* Connects to l->cai or the addresses after it until one is in progress
 * (1) or open (0); -1 with *cause when none is left. */
static int
link_tcp_next(struct link *l, char **cause)
{
	int	fd, one = 1;

	for (; l->cai != NULL; l->cai = l->cai->ai_next) {
		fd = socket(l->cai->ai_family, l->cai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, l->cai->ai_protocol);
		if (fd == -1) {
			l->cerror = errno;
			continue;
		}
		if (connect(fd, l->cai->ai_addr, l->cai->ai_addrlen) == 0) {
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
			link_tcp_abort(l);
			l->fd = fd;
			return 0;
		}
		if (errno == EINPROGRESS) {
			l->cfd = fd;
			return 1;
		}
		l->cerror = errno;
		close(fd);
	}
	link_tcp_abort(l);
	return link_tcp_error(l, l->cerror, cause);
}

int
link_tcp_start(struct link *l, const char *hostport, char **cause)
{
	link_tcp_abort(l);
	if (link_tcp_resolve(l, hostport, &l->cres, cause) != 0)
		return -1;
	l->cai = l->cres;
	l->cerror = ECONNREFUSED;
	return link_tcp_next(l, cause);
}

int
link_tcp_finish(struct link *l, int timed_out, char **cause)
{
	struct pollfd	pfd;
	socklen_t	len = sizeof l->cerror;
	int		one = 1, rc;

	pfd.fd = l->cfd;
	pfd.events = POLLOUT;
	do
		rc = poll(&pfd, 1, 0);
	while (rc == -1 && errno == EINTR);
	if (rc == 0) {
		if (!timed_out)
			return 1;
		link_tcp_abort(l);
		return link_tcp_error(l, ETIMEDOUT, cause);
	}
	if (getsockopt(l->cfd, SOL_SOCKET, SO_ERROR, &l->cerror, &len) != 0)
		l->cerror = errno;
	if (l->cerror == 0) {
		setsockopt(l->cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		l->fd = l->cfd;
		l->cfd = -1;
		link_tcp_abort(l);
		return 0;
	}
	close(l->cfd);
	l->cfd = -1;
	l->cai = l->cai->ai_next;	/* the next address of the name */
	return link_tcp_next(l, cause);
}
