/* common.c - memory wrappers and error messages shared by every part. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "common.h"

static void
oom(void)
{
	fputs("pilecon: out of memory\n", stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void	*p = malloc(n ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xrealloc(void *old, size_t n)
{
	void	*p = realloc(old, n ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

char *
xstrdup(const char *s)
{
	char	*p = strdup(s);

	if (p == NULL)
		oom();
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char	*p;

	if (vasprintf(&p, fmt, ap) < 0)
		oom();
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
