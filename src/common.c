/* common.c - memory wrappers and error messages shared by every part. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "common.h"

void
fatal_oom(void)
{
	fputs("pilecon: out of memory\n", stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void	*p = malloc(n ? n : 1);

	if (p == NULL)
		fatal_oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		fatal_oom();
	return p;
}

void *
xrealloc(void *old, size_t n)
{
	void	*p = realloc(old, n ? n : 1);

	if (p == NULL)
		fatal_oom();
	return p;
}

char *
xstrdup(const char *s)
{
	char	*p = strdup(s);

	if (p == NULL)
		fatal_oom();
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char	*p;

	if (vasprintf(&p, fmt, ap) < 0)
		fatal_oom();
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

int
set_cause(char **cause, int rc, const char *fmt, ...)
{
	va_list	ap;

	if (cause == NULL)
		return rc;
	va_start(ap, fmt);
	*cause = xvasprintf(fmt, ap);
	va_end(ap);
	return rc;
}

int
utf8_width(const char *s)
{
	mbstate_t	 mbs;
	wchar_t		 wc;
	size_t		 n;
	int		 w = 0, cw;

	memset(&mbs, 0, sizeof mbs);
	while (*s != '\0') {
		n = mbrtowc(&wc, s, MB_CUR_MAX, &mbs);
		if (n == (size_t)-1 || n == (size_t)-2) {
			memset(&mbs, 0, sizeof mbs);
			w++;
			s++;
			continue;
		}
		cw = wcwidth(wc);
		w += cw >= 0 ? cw : 1;	/* as tui_put shows it: ? or a space */
		s += n;
	}
	return w;
}

uint64_t
mono_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t
mono_ms(void)
{
	return mono_us() / 1000;
}
