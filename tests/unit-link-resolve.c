/* unit-link-resolve.c - a tcp: port named by a host name is looked up
 * without making the caller wait: numeric addresses are never looked up,
 * a name is looked up on a thread of its own whose end the caller polls, a
 * lookup that hangs is given up after the connect's timeout with a message
 * naming the host, and the thread left behind ends and frees by itself. */
#include "config.h"

#include <sys/socket.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "link/link.h"
#include "tap.h"

#define NAME	"pile-gw.test"

static const struct link_params params = { .baud = 115200, .parity = 'N', .stop_bits = 1 };

/* The stand-in name server: NAME is 127.0.0.1 once the gate opens; any
 * other name is unknown. It counts its calls and notes their thread. */
static pthread_mutex_t	 gai_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 gai_cond = PTHREAD_COND_INITIALIZER;
static int		 gai_open = 1, gai_calls, gai_returned;
static pthread_t	 gai_thread, main_thread;

static int
fake_getaddrinfo(const char *host, const char *port, const struct addrinfo *hints,
    struct addrinfo **res)
{
	struct addrinfo	h = *hints;
	int		rc;

	pthread_mutex_lock(&gai_lock);
	gai_calls++;
	gai_thread = pthread_self();
	while (!gai_open)
		pthread_cond_wait(&gai_cond, &gai_lock);
	pthread_mutex_unlock(&gai_lock);
	if (strcmp(host, NAME) != 0)
		rc = EAI_NONAME;
	else {
		h.ai_flags |= AI_NUMERICHOST;
		rc = getaddrinfo("127.0.0.1", port, &h, res);
	}
	pthread_mutex_lock(&gai_lock);
	gai_returned++;
	pthread_cond_broadcast(&gai_cond);
	pthread_mutex_unlock(&gai_lock);
	return rc;
}

static void
gai_gate(int open)
{
	pthread_mutex_lock(&gai_lock);
	gai_open = open;
	pthread_cond_broadcast(&gai_cond);
	pthread_mutex_unlock(&gai_lock);
}

static int
gai_count(int *returned)
{
	int	n;

	pthread_mutex_lock(&gai_lock);
	n = gai_calls;
	if (returned != NULL)
		*returned = gai_returned;
	pthread_mutex_unlock(&gai_lock);
	return n;
}

/* A listening socket on 127.0.0.1; its port in *port. */
static int
listener(unsigned *port)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			ls = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (ls == -1 || bind(ls, (struct sockaddr *)&sin, sizeof sin) != 0 ||
	    listen(ls, 4) != 0 || getsockname(ls, (struct sockaddr *)&sin, &len) != 0)
		return -1;
	*port = ntohs(sin.sin_port);
	return ls;
}

/* Polls what the link says to poll, up to 2 s, until finish is not 1. */
static int
finish_wait(struct link *l, char **cause)
{
	struct pollfd	pfd;
	int		rc = 1, i;

	for (i = 0; i < 200 && rc == 1; i++) {
		pfd.fd = link_connect_fd(l, &pfd.events);
		poll(&pfd, 1, 10);
		rc = link_reopen_finish(l, 0, cause);
	}
	return rc;
}

/* A suspended link to a server on 127.0.0.1, opened by number. */
static struct link *
tcp_link(int ls, unsigned port)
{
	struct link	*l;
	char		 spec[64], *cause = NULL;

	snprintf(spec, sizeof spec, "tcp:127.0.0.1:%u", port);
	if ((l = link_open(spec, &params, &cause)) == NULL) {
		ok(0, "tcp_open: %s", cause);
		free(cause);
		return NULL;
	}
	close(accept(ls, NULL, NULL));
	link_suspend(l);
	return l;
}

static void
test_numeric_addresses_are_never_looked_up(unsigned port, int ls)
{
	struct link	*l;
	char		 spec[64], *cause = NULL;
	int		 rc, before = gai_count(NULL);

	if ((l = tcp_link(ls, port)) == NULL)
		return;
	is_int(gai_count(NULL), before, "a_numeric_address_opens_without_a_lookup");
	snprintf(spec, sizeof spec, "tcp:127.0.0.1:%u", port);
	rc = link_reopen_start(l, spec, NULL, &cause);
	if (rc == 1)
		rc = finish_wait(l, &cause);
	is_int(rc, 0, "a_numeric_address_reopens: %s", cause != NULL ? cause : "");
	is_int(gai_count(NULL), before, "a_numeric_address_reopens_without_a_lookup");
	close(accept(ls, NULL, NULL));
	link_close(l);
}

static void
test_a_name_is_looked_up_on_a_thread_the_loop_polls(unsigned port, int ls)
{
	struct link	*l;
	char		 spec[64], *cause = NULL;
	uint8_t		 b = 0;
	short		 ev = 0;
	int		 rc, cs, fd, before = gai_count(NULL);

	if ((l = tcp_link(ls, port)) == NULL)
		return;
	snprintf(spec, sizeof spec, "tcp:" NAME ":%u", port);
	rc = link_reopen_start(l, spec, NULL, &cause);
	fd = link_connect_fd(l, &ev);
	ok(rc == 1 && fd != -1 && ev == POLLIN && link_fd(l) == -1,
	    "start_returns_at_once_with_the_lookup_to_poll");
	rc = finish_wait(l, &cause);
	is_int(rc, 0, "the_looked_up_address_connects: %s", cause != NULL ? cause : "");
	is_int(gai_count(NULL), before + 1, "the_name_was_looked_up_once");
	ok(!pthread_equal(gai_thread, main_thread), "the_lookup_ran_on_a_thread_of_its_own");
	cs = accept(ls, NULL, NULL);
	ok(link_write(l, (const uint8_t *)"\x07", 1, 1000, &cause) == 0 &&
	    read(cs, &b, 1) == 1 && b == 7, "the_port_opened_by_name_carries_bytes");
	is_str(link_name(l), spec, "the_link_is_named_as_given");
	close(cs);
	link_close(l);

	/* The blocking open is the same steps run to their end. */
	l = link_open(spec, &params, &cause);
	ok(l != NULL, "the_blocking_open_by_name_connects: %s", cause != NULL ? cause : "");
	if (l != NULL) {
		close(accept(ls, NULL, NULL));
		link_close(l);
	}
	free(cause);
}

static void
test_an_unknown_name_says_which(unsigned port)
{
	struct link	*l;
	char		 spec[64], *cause = NULL;

	snprintf(spec, sizeof spec, "tcp:no-such-gw.test:%u", port);
	l = link_open(spec, &params, &cause);
	ok(l == NULL && cause != NULL && strstr(cause, "cannot resolve 'no-such-gw.test'") != NULL,
	    "an_unknown_name_is_named_in_the_message: %s", cause != NULL ? cause : "");
	free(cause);
}

/* The name server does not answer: the caller goes on, gives up when its
 * time is up saying which name did not resolve, and the lookup's thread,
 * left behind, ends by itself once the answer comes. */
static void
test_a_lookup_that_hangs_is_given_up(unsigned port, int ls)
{
	struct link	*l;
	char		 spec[64], *cause = NULL;
	uint64_t	 t0;
	short		 ev;
	int		 rc, i, returned = 0, before;

	if ((l = tcp_link(ls, port)) == NULL)
		return;
	snprintf(spec, sizeof spec, "tcp:" NAME ":%u", port);
	gai_gate(0);
	before = gai_count(NULL);
	rc = link_reopen_start(l, spec, NULL, &cause);
	is_int(rc, 1, "start_does_not_wait_for_a_name_server_that_does_not_answer");
	for (i = 0; i < 200 && gai_count(NULL) == before; i++)
		usleep(10000);
	is_int(link_reopen_finish(l, 0, &cause), 1, "finish_says_not_yet_while_the_lookup_hangs");
	rc = link_reopen_finish(l, 1, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "no answer to the lookup of '" NAME
	    "' within 3000 ms") != NULL && strstr(cause, spec) != NULL,
	    "after_the_timeout_it_gives_up_naming_the_host: %s", cause != NULL ? cause : "");
	ok(link_connect_fd(l, &ev) == -1 && link_fd(l) == -1,
	    "a_given_up_lookup_leaves_nothing_to_poll");
	free(cause);
	cause = NULL;

	/* The blocking open waits no longer than the connect's timeout. */
	t0 = mono_ms();
	link_close(l);
	l = link_open(spec, &params, &cause);
	ok(l == NULL && cause != NULL && strstr(cause, "no answer to the lookup") != NULL &&
	    mono_ms() - t0 < 10000, "the_blocking_open_gives_up_too: %s",
	    cause != NULL ? cause : "");
	free(cause);
	link_close(l);

	/* The answer comes late: the threads left behind end and free. */
	before = gai_count(NULL);
	gai_gate(1);
	for (i = 0; i < 200; i++) {
		gai_count(&returned);
		if (returned == before)
			break;
		usleep(10000);
	}
	is_int(returned, before, "the_lookups_left_behind_end_by_themselves");
	usleep(50000);		/* and free what they held (LeakSanitizer sees) */
}

int
main(void)
{
	unsigned	port = 0;
	int		ls;

	main_thread = pthread_self();
	link_set_getaddrinfo(fake_getaddrinfo);
	if ((ls = listener(&port)) == -1) {
		ok(0, "listen: %s", strerror(errno));
		return done_testing();
	}
	test_numeric_addresses_are_never_looked_up(port, ls);
	test_a_name_is_looked_up_on_a_thread_the_loop_polls(port, ls);
	test_an_unknown_name_says_which(port);
	test_a_lookup_that_hangs_is_given_up(port, ls);
	close(ls);
	link_set_getaddrinfo(NULL);
	return done_testing();
}
