/* resolve.c - a host name looked up without making the caller wait:
 * getaddrinfo runs on a thread of its own (a name server that does not
 * answer holds it for seconds) and says it is done by a byte on a pipe
 * that the caller's poll loop watches. A caller that stops waiting leaves
 * the lookup to end by itself; the last of the two to let go frees it.
 *
 * Why a thread and not glibc's getaddrinfo_a: getaddrinfo_a runs the same
 * getaddrinfo on a helper thread of glibc's, but tells of its end only by a
 * signal or by a thread of its own (SIGEV_THREAD), needs -lanl on a glibc
 * before 2.34, is glibc's alone, and its gaicb must live until the lookup
 * ends even when the caller gave up (gai_cancel cannot stop one that
 * started): the same ownership rule as here, with less control. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "link-int.h"

struct link_resolve {
	pthread_mutex_t	 lock;
	int		 refs;		/* the thread's and the caller's */
	int		 done, rc;	/* rc: getaddrinfo's */
	int		 fds[2];	/* readable once done */
	char		*host, *port;
	struct addrinfo	*res;
};

static link_getaddrinfo_fn	*link_gai = getaddrinfo;

void
link_set_getaddrinfo(link_getaddrinfo_fn *fn)
{
	link_gai = fn != NULL ? fn : getaddrinfo;
}

static void
link_resolve_unref(struct link_resolve *r)
{
	int	refs;

	pthread_mutex_lock(&r->lock);
	refs = --r->refs;
	pthread_mutex_unlock(&r->lock);
	if (refs > 0)
		return;
	close(r->fds[0]);
	close(r->fds[1]);
	if (r->res != NULL)
		freeaddrinfo(r->res);
	free(r->host);
	free(r->port);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

static void *
link_resolve_run(void *arg)
{
	struct link_resolve	*r = arg;
	struct addrinfo		 hints, *res = NULL;
	int			 rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	rc = link_gai(r->host, r->port, &hints, &res);
	pthread_mutex_lock(&r->lock);
	r->rc = rc;
	r->res = rc == 0 ? res : NULL;
	r->done = 1;
	pthread_mutex_unlock(&r->lock);
	/* Both ends stay open until the last reference goes: no SIGPIPE. */
	(void)!write(r->fds[1], "", 1);
	link_resolve_unref(r);
	return NULL;
}

struct link_resolve *
link_resolve_start(const char *host, const char *port, char **cause)
{
	struct link_resolve	*r;
	pthread_attr_t		 attr;
	pthread_t		 th;
	sigset_t		 all, old;
	int			 rc;

	r = xcalloc(1, sizeof *r);
	if (pipe2(r->fds, O_CLOEXEC | O_NONBLOCK) != 0) {
		set_cause(cause, -1, _("cannot look up '%s': %s"), host,
		    strerror(errno));
		free(r);
		return NULL;
	}
	pthread_mutex_init(&r->lock, NULL);
	r->refs = 2;
	r->host = xstrdup(host);
	r->port = xstrdup(port);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* Signals stay the main thread's (its handlers wake its poll). */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&th, &attr, link_resolve_run, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		set_cause(cause, -1, _("cannot look up '%s': %s"), host,
		    strerror(rc));
		r->refs = 1;
		link_resolve_unref(r);
		return NULL;
	}
	return r;
}

int
link_resolve_fd(const struct link_resolve *r)
{
	return r->fds[0];
}

int
link_resolve_done(struct link_resolve *r, struct addrinfo **res, int *gai_rc)
{
	pthread_mutex_lock(&r->lock);
	if (!r->done) {
		pthread_mutex_unlock(&r->lock);
		return 1;
	}
	*res = r->res;
	r->res = NULL;
	*gai_rc = r->rc;
	pthread_mutex_unlock(&r->lock);
	link_resolve_unref(r);
	return *gai_rc == 0 ? 0 : -1;
}

void
link_resolve_abandon(struct link_resolve *r)
{
	if (r != NULL)
		link_resolve_unref(r);
}
