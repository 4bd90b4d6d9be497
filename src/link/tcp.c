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

/* What a failed lookup says. */
static int
link_tcp_resolve_error(struct link *l, const char *host, int gai_rc, char **cause)
{
	return set_cause(cause, -1, _("cannot connect to '%s': cannot resolve "
	    "'%s': %s"), l->name, host, gai_strerror(gai_rc));
}

/* The blocking open is the connect without waiting run to its end: the
 * name's lookup and each address's connect share one timeout. */
int
link_open_tcp(struct link *l, const char *hostport, char **cause)
{
	int	rc = link_tcp_start(l, hostport, cause);

	return rc == 1 ? link_tcp_wait(l, cause) : rc;
}

int
link_tcp_wait(struct link *l, char **cause)
{
	struct pollfd	pfd;
	uint64_t	end = mono_ms() + LINK_CONNECT_TIMEOUT_MS, now;
	int		rc = 1;

	while (rc == 1) {
		now = mono_ms();
		pfd.fd = link_connect_fd(l, &pfd.events);
		pfd.revents = 0;
		if (now < end && poll(&pfd, 1, (int)(end - now)) == -1 &&
		    errno != EINTR) {
			link_tcp_abort(l);
			return set_cause(cause, -1, _("cannot connect to '%s': %s"),
			    l->name, strerror(errno));
		}
		rc = link_tcp_finish(l, mono_ms() >= end, cause);
	}
	return rc;
}

void
link_tcp_abort(struct link *l)
{
	link_resolve_abandon(l->cresolve);
	l->cresolve = NULL;
	free(l->chost);
	l->chost = NULL;
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
			/* A request is one small write; waiting to coalesce
			 * it (Nagle) would add a round trip's worth of delay
			 * to every transaction. */
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

/* A numeric address connects at once; a name is looked up on a thread of
 * its own first (resolve.c), which link_tcp_finish waits for. */
int
link_tcp_start(struct link *l, const char *hostport, char **cause)
{
	struct addrinfo	 hints;
	char		*host, *port;
	int		 rc;

	link_tcp_abort(l);
	if (link_check_tcp(l->name, hostport, cause) != 0 ||
	    link_tcp_split(hostport, &host, &port) != 0)
		return -1;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_NUMERICHOST;
	l->cerror = ECONNREFUSED;
	rc = getaddrinfo(host, port, &hints, &l->cres);
	if (rc == EAI_NONAME) {
		l->cres = NULL;
		l->cresolve = link_resolve_start(host, port, cause);
		free(port);
		if (l->cresolve == NULL) {
			free(host);
			return -1;
		}
		l->chost = host;
		return 1;
	}
	if (rc != 0) {
		l->cres = NULL;
		link_tcp_resolve_error(l, host, rc, cause);
	}
	free(host);
	free(port);
	if (rc != 0)
		return -1;
	l->cai = l->cres;
	return link_tcp_next(l, cause);
}

/* The name's lookup is done (0: connecting), or not yet (1), or given up
 * (-1 with *cause). */
static int
link_tcp_resolved(struct link *l, int timed_out, char **cause)
{
	int	gai_rc, rc;

	rc = link_resolve_done(l->cresolve, &l->cres, &gai_rc);
	if (rc == 1 && !timed_out)
		return 1;
	if (rc == 1) {
		set_cause(cause, -1, _("cannot connect to '%s': no answer to the "
		    "lookup of '%s' within %d ms (check the name server in "
		    "/etc/resolv.conf, or give the address in numbers, like "
		    "tcp:192.168.1.20:4001)"), l->name, l->chost,
		    LINK_CONNECT_TIMEOUT_MS);
		link_tcp_abort(l);
		return -1;
	}
	l->cresolve = NULL;	/* done: freed */
	if (rc != 0) {
		link_tcp_resolve_error(l, l->chost, gai_rc, cause);
		link_tcp_abort(l);
		return -1;
	}
	l->cai = l->cres;
	return link_tcp_next(l, cause);
}

int
link_tcp_finish(struct link *l, int timed_out, char **cause)
{
	struct pollfd	pfd;
	socklen_t	len = sizeof l->cerror;
	int		one = 1, rc;

	if (l->cresolve != NULL) {
		rc = link_tcp_resolved(l, timed_out, cause);
		if (rc != 1 || l->cfd == -1)
			return rc;
		/* Connecting now: the socket may be writable already. */
	}
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
