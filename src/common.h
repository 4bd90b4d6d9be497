/* common.h - what every part of pilecon shares: gettext and memory that
 * cannot fail (out of memory is the one fatal error). */
#ifndef COMMON_H
#define COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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
/* The one UTF-8 validator: length (1..4) of the valid sequence at s, at
 * most left bytes (SIZE_MAX: up to the NUL), with its code point in *cp
 * (may be NULL); 0 when the byte at s does not start one (RFC 3629 §4: no
 * overlong forms, no surrogates, nothing above U+10FFFF). */
size_t	 utf8_decode(const unsigned char *s, size_t left, uint32_t *cp);

/* The one formatter of energy and money, integer arithmetic only:
 * "14.000" kWh from Wh, "12.34" from minor units (10^-2), "0.85000" from
 * prices in 10^-5 per kWh. Return buf. */
char	*fmt_kwh(char *buf, size_t size, uint64_t wh);
char	*fmt_minor(char *buf, size_t size, int64_t minor);
char	*fmt_price(char *buf, size_t size, uint32_t price);

/* The one date and time parser (the console's prompts, batch options, the
 * whitelist CSV, provisioning files): unix seconds ("1795000000", more than
 * 8 digits), "2026-11-25" (a UTC day: its first second, or its last with
 * TIME_DATE_END), "2026-11-25T14:00[:05]" with "Z" or "+08:00", or without
 * a zone in local time (refused with TIME_UTC_ONLY, for files). A day that
 * does not exist (2025-02-30) is refused, never rolled over. 0, or -1 with
 * *cause. */
#define TIME_DATE_END	0x1
#define TIME_UTC_ONLY	0x2
int	time_parse(const char *, int flags, int64_t *t, char **cause);

/* CLOCK_MONOTONIC in microseconds and milliseconds: the one clock for
 * timeouts, rates and intervals (never the wall clock, which jumps). */
uint64_t mono_us(void);
uint64_t mono_ms(void);
/* Untrusted text (from a pile, a file, the network) made safe to show on a
 * terminal or in a table, a CSV or a man page: valid UTF-8 is kept as it is
 * (Chinese intact, utf8_width still right), and every byte that could move
 * the cursor, change colours or break a line is shown as an escape instead:
 * C0 controls and DEL as \t \n \r or \xHH, C1 controls (U+0080-U+009F),
 * line/paragraph separators and bidirectional overrides as \uHHHH, each
 * byte of invalid UTF-8 (overlong, surrogate, truncated) as \xHH. Text that
 * needs none of this comes back unchanged. The one such function: every
 * output path uses it (JSON escapes on its own). TEXT_KEEP_NEWLINE keeps
 * LF (and CR LF) for a quoted CSV field, where a line break is data.
 * Malloc'ed; NULL reads as "". */
#define TEXT_KEEP_NEWLINE	0x1
char	*text_safe(const char *, int flags);
/* fputs(text_safe(s, flags), f) without the copy when s is safe. */
int	 text_safe_fputs(const char *, int flags, FILE *);
/* text_safe(s, 0) for a printf argument: the copy lives until 16 more
 * calls (a ring, as inet_ntoa's buffer), so a line may show several. */
const char *text_show(const char *);
/* s as a YAML double-quoted scalar that libyaml reads back as s, byte for
 * byte, on one line: every character YAML forbids (C0, DEL, C1, U+FFFE,
 * U+FFFF, the BOM) and every line break escaped. NULL when s is not UTF-8
 * (YAML text must be), *bad_at the offset of the first bad byte. The one
 * YAML quoter (config set, pilesim's keys.yaml). Malloc'ed. */
char	*text_yaml_quote(const char *s, size_t *bad_at);
/* 1 when text_safe(s, flags) would return s unchanged. */
int	 text_is_safe(const char *, int flags);

/* The one way to write a file the user named (-o FILE, exports): "-" is
 * standard output; a new path or a regular file is written to a temp file
 * in its folder and renamed onto it by out_file_commit (a new file is 0600,
 * a replaced one keeps its permission bits); a character device or a FIFO
 * is written in place; a symbolic link is followed to what it points to;
 * anything else is refused. Until commit or abort, SIGINT and SIGTERM make
 * the next write fail ("interrupted") and abort removes the temp file.
 * See outfile.c. */
struct out_file {
	int	 fd;		/* write here (out_file_write, or fdopen a dup) */
	int	 in_place;	/* stdout, a device or a FIFO: no temp file */
	int	 is_stdout;
	char	*path;		/* as given, for messages */
	char	*target;	/* what the rename replaces (a link resolved) */
	char	*tmp, *dir;
};
/* -1 with *cause when the file cannot be written, OUT_FILE_REFUSED when
 * path is not something pilecon writes (a folder, a socket, a block
 * device, a link to nothing, a path ending in '/'): bad input. */
#define OUT_FILE_REFUSED	(-20)	/* apart from PILE_E_* */
int	out_file_open(struct out_file *, const char *path, char **cause);
/* The refusals of out_file_open, checked before any work: 0, -1 or
 * OUT_FILE_REFUSED with *cause; nothing is created. */
int	out_file_check(const char *path, char **cause);
/* All of buf, or -1 with errno (ENOSPC, EINTR when interrupted...). */
int	out_file_write(struct out_file *, const void *buf, size_t len);
/* Words for people for an errno met writing a file ("disk full"). */
const char *out_file_strerror(int);
/* fsync, rename, fsync the folder; -1 with *cause and the old file as it
 * was. Frees what open allocated, as abort does. */
int	out_file_commit(struct out_file *, char **cause);
/* Closes, removes the temp file, frees; safe to call twice. */
void	out_file_abort(struct out_file *);
/* 1 once SIGINT or SIGTERM came while an out_file was open. */
int	out_file_interrupted(void);

#define nitems(a)	(sizeof (a) / sizeof (a)[0])

#endif
