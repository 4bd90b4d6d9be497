/* common.h - what every part of pilecon shares: gettext and memory that
 * cannot fail (out of memory is the one fatal error). */
#ifndef COMMON_H
#define COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <libintl.h>
#define _(s)	gettext(s)
#define N_(s)	(s)

/* Says so on stderr and aborts: out of memory is the one fatal error. */
void	 fatal_oom(void) __attribute__((noreturn));
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
char	*xvasprintf(const char *, va_list);
/* Sets *cause (when cause is not NULL) to a formatted message; returns rc. */
int	 set_cause(char **cause, int rc, const char *, ...) __attribute__((format(printf, 3, 4)));

/* Display columns of a UTF-8 string in the current locale: a Chinese
 * character takes two; an invalid byte counts one, as curses shows it. The
 * one width function of the console and the batch tables. */
int	 utf8_width(const char *);

/* CLOCK_MONOTONIC in microseconds and milliseconds: the one clock for
 * timeouts, rates and intervals (never the wall clock, which jumps). */
uint64_t mono_us(void);
uint64_t mono_ms(void);

#define nitems(a)	(sizeof (a) / sizeof (a)[0])

#endif
