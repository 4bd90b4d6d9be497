/* wlcsv.c - reads and writes the whitelist CSV (format in wlcsv.h): RFC 4180
 * fields, all-or-nothing import with FILE:LINE[:COL] messages. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common.h"
#include "batch/wlcsv.h"

#define WLCSV_FIELDS		4
#define WLCSV_FIELD_MAX		4096	/* bytes: far above any good field */
#define WLCSV_SHOW_MAX		40	/* bytes of a bad value quoted back */

static const char *const wlcsv_names[WLCSV_FIELDS] = {
	"uid", "status", "expires", "holder"
};

struct wlcsv_field {
	char	*s;
	size_t	 len, size;
	int	 quoted;
};

struct wlcsv_reader {
	FILE			*fp;
	const char		*file;
	int			 nline, ncol;	/* where the next byte is */
	int			 line, col;	/* where the last byte was */
	struct wlcsv_field	 f[WLCSV_FIELDS];
	int			 nf;		/* fields in the record, all counted */
	int			 start_line;
	int			 eol_crlf;	/* the last line end was CRLF */
	int			 crlf;		/* so was the header's */
};

static int
wlcsv_getc(struct wlcsv_reader *r)
{
	int	c = getc(r->fp);

	r->line = r->nline;
	r->col = r->ncol;
	if (c == '\n') {
		r->nline++;
		r->ncol = 1;
	} else if (c != EOF)
		r->ncol++;
	return c;
}

/* stdio guarantees one byte of push-back; the position goes back with it. */
static void
wlcsv_ungetc(struct wlcsv_reader *r, int c)
{
	if (c == EOF)
		return;
	ungetc(c, r->fp);
	r->nline = r->line;
	r->ncol = r->col;
}

static int
wlcsv_add(struct wlcsv_reader *r, int c, char **cause)
{
	struct wlcsv_field	*f;

	if (r->nf > WLCSV_FIELDS)
		return 0;	/* extra fields are only counted */
	f = &r->f[r->nf - 1];
	if (f->len >= WLCSV_FIELD_MAX)
		return set_cause(cause, -1, _("%s:%d:%d: field longer than %d bytes"),
		    r->file, r->line, r->col, WLCSV_FIELD_MAX);
	if (f->len + 2 > f->size) {
		f->size = f->size ? f->size * 2 : 64;
		f->s = xrealloc(f->s, f->size);
	}
	f->s[f->len++] = (char)c;
	f->s[f->len] = '\0';
	return 0;
}

static void
wlcsv_next_field(struct wlcsv_reader *r)
{
	r->nf++;
	if (r->nf <= WLCSV_FIELDS) {
		struct wlcsv_field	*f = &r->f[r->nf - 1];

		f->len = 0;
		f->quoted = 0;
		if (f->s != NULL)
			f->s[0] = '\0';
	}
}

/* End of a line outside quotes: LF, CRLF or the end of the file. */
static int
wlcsv_eol(struct wlcsv_reader *r, int c)
{
	int	next;

	if (c == EOF)
		return 1;
	if (c == '\n') {
		r->eol_crlf = 0;
		return 1;
	}
	if (c == '\r') {
		next = wlcsv_getc(r);
		if (next == '\n' || next == EOF) {
			r->eol_crlf = next == '\n';
			return 1;
		}
		wlcsv_ungetc(r, next);
	}
	return 0;
}

static int
wlcsv_nul(struct wlcsv_reader *r, char **cause)
{
	return set_cause(cause, -1, _("%s:%d:%d: NUL byte (is this a UTF-16 file? save it "
	    "as \"CSV UTF-8\")"), r->file, r->line, r->col);
}

/* A quoted field (RFC 4180 §2.5-2.7), the opening quote already read. */
static int
wlcsv_quoted(struct wlcsv_reader *r, int *end, char **cause)
{
	int	qline = r->line, qcol = r->col, c;

	for (;;) {
		c = wlcsv_getc(r);
		if (c == EOF)
			return set_cause(cause, -1, _("%s:%d:%d: unterminated quote"),
			    r->file, qline, qcol);
		if (c == '\0')
			return wlcsv_nul(r, cause);
		if (c == '"') {
			c = wlcsv_getc(r);
			if (c == '"') {
				if (wlcsv_add(r, '"', cause) != 0)
					return -1;
				continue;
			}
			if (c == ',')
				return 0;
			if (wlcsv_eol(r, c)) {
				*end = 1;
				return 0;
			}
			return set_cause(cause, -1, _("%s:%d:%d: '%c' after the closing quote "
			    "(a quote inside a quoted field is written twice: \"\")"),
			    r->file, r->line, r->col, c >= 0x20 && c < 0x7f ? c : '?');
		}
		/* A file saved with CRLF line ends must not put CR into a
		 * holder that was written with a plain LF. Only such a file:
		 * wlcsv_write writes LF, and a holder's own CR LF must read
		 * back from it unchanged. */
		if (c == '\r' && r->crlf) {
			int	next = wlcsv_getc(r);

			if (next == '\n')
				c = '\n';
			else
				wlcsv_ungetc(r, next);
		}
		if (wlcsv_add(r, c, cause) != 0)
			return -1;
	}
}

/* Reads one record into r->f: 1, 0 at the end of the file, -1 on error.
 * Comment and blank lines are skipped here. */
static int
wlcsv_record(struct wlcsv_reader *r, char **cause)
{
	int	c, end, fstart;

again:
	c = wlcsv_getc(r);
	if (c == EOF)
		return ferror(r->fp) ? set_cause(cause, -1, _("%s: read error: %s"),
		    r->file, strerror(errno)) : 0;
	if (c == '#') {
		while ((c = wlcsv_getc(r)) != EOF && c != '\n')
			;
		goto again;
	}
	if (wlcsv_eol(r, c))
		goto again;

	r->start_line = r->line;
	r->nf = 0;
	wlcsv_next_field(r);
	fstart = 1;
	end = 0;
	for (;;) {
		if (c == '"' && fstart) {
			if (r->nf <= WLCSV_FIELDS)
				r->f[r->nf - 1].quoted = 1;
			if (wlcsv_quoted(r, &end, cause) != 0)
				return -1;
			if (end)
				break;
			wlcsv_next_field(r);
		} else if (c == ',') {
			wlcsv_next_field(r);
			fstart = 1;
		} else if (wlcsv_eol(r, c))
			break;
		else if (c == '"')
			return set_cause(cause, -1, _("%s:%d:%d: quote inside an unquoted field "
			    "(quote the whole field and write the quote twice: \"\")"),
			    r->file, r->line, r->col);
		else if (c == '\0')
			return wlcsv_nul(r, cause);
		else {
			if (wlcsv_add(r, c, cause) != 0)
				return -1;
			fstart = 0;
		}
		c = wlcsv_getc(r);
	}
	if (ferror(r->fp))
		return set_cause(cause, -1, _("%s: read error: %s"), r->file, strerror(errno));
	/* A line of spaces is a blank line too. */
	if (r->nf == 1 && !r->f[0].quoted && r->f[0].len == strspn(r->f[0].s, " \t"))
		goto again;
	return 1;
}

static char *
wlcsv_trim(char *s)
{
	char	*e;

	s += strspn(s, " \t");
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* A bad value as quoted back in a message: short, no control bytes. */
static char *
wlcsv_show(const char *s)
{
	size_t	 i, n = strlen(s);
	char	*out;

	if (n > WLCSV_SHOW_MAX)
		n = WLCSV_SHOW_MAX;
	out = xmalloc(n + 4);
	for (i = 0; i < n; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	strcpy(out + n, strlen(s) > n ? "..." : "");
	return out;
}

/* 0 when s is valid UTF-8 (RFC 3629), else the 1-based offset of the first
 * bad byte. */
static size_t
wlcsv_utf8_bad(const char *str)
{
	const unsigned char	*s = (const unsigned char *)str, *p = s;
	size_t			 n, i;
	uint32_t		 c;

	while (*p != '\0') {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf)
			n = 2, c = *p & 0x1f;
		else if (*p >= 0xe0 && *p <= 0xef)
			n = 3, c = *p & 0x0f;
		else if (*p >= 0xf0 && *p <= 0xf4)
			n = 4, c = *p & 0x07;
		else
			return (size_t)(p - s) + 1;
		for (i = 1; i < n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return (size_t)(p - s) + 1;
			c = (c << 6) | (p[i] & 0x3f);
		}
		if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10ffff ||
		    (c >= 0xd800 && c <= 0xdfff))
			return (size_t)(p - s) + 1;
		p += n;
	}
	return 0;
}

/* "" (never), or a date or time by the one parser's rules (time_parse:
 * YYYY-MM-DD is 23:59:59 UTC that day; a time needs its zone in a file). */
static int
wlcsv_expiry(const char *s, uint32_t *expiry)
{
	int64_t	t;
	char	*cause = NULL;

	*expiry = 0;
	if (*s == '\0')
		return 0;
	if (time_parse(s, TIME_DATE_END | TIME_UTC_ONLY, &t, &cause) != 0) {
		free(cause);
		return -1;
	}
	/* 0 means "never" on the wire, so the epoch itself cannot expire. */
	if (t <= 0 || t > UINT32_MAX)
		return -1;
	*expiry = (uint32_t)t;
	return 0;
}

/* Open addressing on the normalised uid: duplicate check in O(n). */
struct wlcsv_seen {
	size_t	*slot;		/* index + 1, 0 empty */
	size_t	 size;
};

static size_t
wlcsv_hash(const char *s)
{
	size_t	h = 5381;

	while (*s != '\0')
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static void
wlcsv_seen_grow(struct wlcsv_seen *seen, const struct proto_wl_entry *e, size_t n)
{
	size_t	i, j;

	free(seen->slot);
	seen->size = seen->size ? seen->size * 2 : 64;
	seen->slot = xcalloc(seen->size, sizeof *seen->slot);
	for (i = 0; i < n; i++) {
		j = wlcsv_hash(e[i].uid) & (seen->size - 1);
		while (seen->slot[j] != 0)
			j = (j + 1) & (seen->size - 1);
		seen->slot[j] = i + 1;
	}
}

/* Index of the entry with this uid among e[0..n), or -1. */
static long
wlcsv_seen_find(struct wlcsv_seen *seen, const struct proto_wl_entry *e, const char *uid)
{
	size_t	j;

	if (seen->size == 0)
		return -1;
	j = wlcsv_hash(uid) & (seen->size - 1);
	while (seen->slot[j] != 0) {
		if (strcmp(e[seen->slot[j] - 1].uid, uid) == 0)
			return (long)seen->slot[j] - 1;
		j = (j + 1) & (seen->size - 1);
	}
	return -1;
}

static int
wlcsv_header(struct wlcsv_reader *r, char **cause)
{
	int	i, rc;
	int	bad = 0;

	rc = wlcsv_record(r, cause);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return set_cause(cause, -1, _("%s: empty file (expected the header line '%s')"),
		    r->file, WLCSV_HEADER);
	r->crlf = r->eol_crlf;
	if (r->nf != WLCSV_FIELDS)
		bad = 1;
	for (i = 0; !bad && i < WLCSV_FIELDS; i++) {
		if (strcasecmp(wlcsv_trim(r->f[i].s != NULL ? r->f[i].s : (char *)""),
		    wlcsv_names[i]) != 0)
			bad = 1;
	}
	if (bad)
		return set_cause(cause, -1, _("%s:%d: expected the header line '%s' first"),
		    r->file, r->start_line, WLCSV_HEADER);
	return 0;
}

/* Checks one record and fills e[n]; seen and lines find duplicates. */
static int
wlcsv_entry(struct wlcsv_reader *r, struct proto_wl_entry *e, size_t n,
    struct wlcsv_seen *seen, const int *lines, char **cause)
{
	struct proto_wl_entry	*cur = &e[n];
	const char		*file = r->file;
	char			*uid, *status, *expires, *holder, *show;
	size_t			 bad;
	long			 first;
	int			 line = r->start_line, rc;

	if (r->nf != WLCSV_FIELDS)
		return set_cause(cause, -1, _("%s:%d: expected %d fields (%s), found %d"),
		    file, line, WLCSV_FIELDS, WLCSV_HEADER, r->nf);
	uid = wlcsv_trim(r->f[0].s != NULL ? r->f[0].s : (char *)"");
	status = wlcsv_trim(r->f[1].s != NULL ? r->f[1].s : (char *)"");
	expires = wlcsv_trim(r->f[2].s != NULL ? r->f[2].s : (char *)"");
	holder = r->f[3].s != NULL ? r->f[3].s : (char *)"";

	memset(cur, 0, sizeof *cur);
	if (proto_uid_normalize(uid, cur->uid) != 0) {
		show = wlcsv_show(uid);
		rc = set_cause(cause, -1, _("%s:%d: bad uid '%s' (expected 4 to 10 bytes of hex)"),
		    file, line, show);
		free(show);
		return rc;
	}
	if ((first = wlcsv_seen_find(seen, e, cur->uid)) >= 0)
		return set_cause(cause, -1, _("%s:%d: duplicate uid '%s' (first on line %d)"),
		    file, line, cur->uid, lines[first]);

	if (*status == '\0' || strcasecmp(status, "accepted") == 0)
		cur->status = PROTO_WL_ACCEPTED;
	else if (strcasecmp(status, "blocked") == 0)
		cur->status = PROTO_WL_BLOCKED;
	else {
		show = wlcsv_show(status);
		rc = set_cause(cause, -1, _("%s:%d: bad status '%s' (expected accepted or "
		    "blocked)"), file, line, show);
		free(show);
		return rc;
	}

	if (wlcsv_expiry(expires, &cur->expiry) != 0) {
		show = wlcsv_show(expires);
		rc = set_cause(cause, -1, _("%s:%d: bad date '%s' (expected YYYY-MM-DD, "
		    "YYYY-MM-DDTHH:MM:SSZ in UTC, or empty for never)"), file, line, show);
		free(show);
		return rc;
	}

	if ((bad = wlcsv_utf8_bad(holder)) != 0)
		return set_cause(cause, -1, _("%s:%d: holder is not valid UTF-8 (byte %zu of "
		    "the field; save the file as \"CSV UTF-8\")"), file, line, bad);
	if (strlen(holder) > PROTO_HOLDER_MAX) {
		show = wlcsv_show(holder);
		rc = set_cause(cause, -1, _("%s:%d: holder '%s' is %zu bytes of UTF-8, longer "
		    "than the pile keeps (%d)"), file, line, show, strlen(holder),
		    PROTO_HOLDER_MAX);
		free(show);
		return rc;
	}
	memcpy(cur->holder, holder, strlen(holder) + 1);
	return 0;
}

int
wlcsv_parse(FILE *fp, const char *filename, struct proto_wl_entry **entries,
    size_t *n, char **cause)
{
	struct wlcsv_reader	 r;
	struct wlcsv_seen	 seen;
	struct proto_wl_entry	*e = NULL;
	int			*lines = NULL;
	size_t			 count = 0, size = 0;
	int			 c, rc, i;

	*entries = NULL;
	*n = 0;
	memset(&r, 0, sizeof r);
	memset(&seen, 0, sizeof seen);
	r.fp = fp;
	r.file = filename != NULL ? filename : "-";
	r.nline = r.ncol = 1;

	/* A UTF-8 byte order mark, as spreadsheets write, is skipped; UTF-16
	 * gets a hint instead of a puzzling "bad header". */
	c = wlcsv_getc(&r);
	if (c == 0xef) {
		if (wlcsv_getc(&r) != 0xbb || wlcsv_getc(&r) != 0xbf) {
			rc = set_cause(cause, -1, _("%s:1: expected the header line '%s' first"),
			    r.file, WLCSV_HEADER);
			goto out;
		}
		r.ncol = 1;
	} else if (c == 0xff || c == 0xfe) {
		rc = set_cause(cause, -1, _("%s: the file is UTF-16; save it as \"CSV UTF-8\""),
		    r.file);
		goto out;
	} else
		wlcsv_ungetc(&r, c);

	if ((rc = wlcsv_header(&r, cause)) != 0)
		goto out;
	while ((rc = wlcsv_record(&r, cause)) > 0) {
		if (count == size) {
			size = size ? size * 2 : 64;
			e = xrealloc(e, size * sizeof *e);
			lines = xrealloc(lines, size * sizeof *lines);
		}
		if (wlcsv_entry(&r, e, count, &seen, lines, cause) != 0) {
			rc = -1;
			break;
		}
		lines[count] = r.start_line;
		count++;
		if (count * 2 > seen.size)
			wlcsv_seen_grow(&seen, e, count);
		else {
			size_t	j = wlcsv_hash(e[count - 1].uid) & (seen.size - 1);

			while (seen.slot[j] != 0)
				j = (j + 1) & (seen.size - 1);
			seen.slot[j] = count;
		}
	}
out:
	for (i = 0; i < WLCSV_FIELDS; i++)
		free(r.f[i].s);
	free(seen.slot);
	free(lines);
	if (rc != 0) {
		free(e);
		return -1;
	}
	*entries = e;
	*n = count;
	return 0;
}

static int	wlcsv_write_text(FILE *, const char *);

static int
wlcsv_write_holder(FILE *fp, const char *str, int exact)
{
	char		*safe = exact ? NULL : text_safe(str, TEXT_KEEP_NEWLINE);
	const char	*s = exact ? str : safe;
	int		 rc;

	rc = wlcsv_write_text(fp, s);
	free(safe);
	return rc;
}

static int
wlcsv_write_text(FILE *fp, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL)
		return fputs(s, fp) < 0 ? -1 : 0;
	/* RFC 4180 §2.6-2.7: quoted, with the quotes inside doubled. */
	if (putc('"', fp) == EOF)
		return -1;
	for (; *s != '\0'; s++) {
		if (*s == '"' && putc('"', fp) == EOF)
			return -1;
		if (putc(*s, fp) == EOF)
			return -1;
	}
	return putc('"', fp) == EOF ? -1 : 0;
}

static int
wlcsv_write_entries(FILE *fp, const struct proto_wl_entry *e, size_t n, int exact,
    char **cause)
{
	char		uid[PROTO_UID_MAX + 1], date[32];
	size_t		i;
	time_t		t;
	struct tm	tm;

	/* Refuse what would not read back the same, before writing anything. */
	for (i = 0; i < n; i++) {
		if (proto_uid_normalize(e[i].uid, uid) != 0 || strcmp(uid, e[i].uid) != 0)
			return set_cause(cause, -1, _("cannot write the whitelist: entry %zu "
			    "has a bad uid '%s'"), i + 1, e[i].uid);
		if (e[i].status != PROTO_WL_ACCEPTED && e[i].status != PROTO_WL_BLOCKED)
			return set_cause(cause, -1, _("cannot write the whitelist: uid '%s' has "
			    "an unknown status %u"), e[i].uid, e[i].status);
		if (strlen(e[i].holder) > PROTO_HOLDER_MAX || wlcsv_utf8_bad(e[i].holder) != 0)
			return set_cause(cause, -1, _("cannot write the whitelist: the holder "
			    "of uid '%s' is not valid UTF-8 of at most %d bytes"),
			    e[i].uid, PROTO_HOLDER_MAX);
	}

	errno = 0;
	if (fputs(WLCSV_HEADER "\n", fp) < 0)
		goto fail;
	for (i = 0; i < n; i++) {
		date[0] = '\0';
		if (e[i].expiry != 0) {
			t = (time_t)e[i].expiry;
			if (gmtime_r(&t, &tm) == NULL)
				goto fail;
			/* The end of a day reads back from the short form. */
			strftime(date, sizeof date, e[i].expiry % 86400 == 86399 ?
			    "%Y-%m-%d" : "%Y-%m-%dT%H:%M:%SZ", &tm);
		}
		if (fprintf(fp, "%s,%s,%s,", e[i].uid,
		    e[i].status == PROTO_WL_BLOCKED ? "blocked" : "accepted", date) < 0 ||
		    wlcsv_write_holder(fp, e[i].holder, exact) != 0 || putc('\n', fp) == EOF)
			goto fail;
	}
	if (fflush(fp) != 0 || ferror(fp))
		goto fail;
	return 0;

fail:
	return set_cause(cause, -1, _("cannot write the whitelist: %s"),
	    errno == ENOSPC ? _("disk full") : errno != 0 ? strerror(errno) :
	    _("write error"));
}

int
wlcsv_write(FILE *fp, const struct proto_wl_entry *e, size_t n, char **cause)
{
	return wlcsv_write_entries(fp, e, n, 0, cause);
}

int
wlcsv_write_exact(FILE *fp, const struct proto_wl_entry *e, size_t n, char **cause)
{
	return wlcsv_write_entries(fp, e, n, 1, cause);
}
