/* fuzz-json.c - the one JSON emitter fed random results: the input's bytes
 * build a tree (objects, arrays, numbers, fixed-point numbers, and strings
 * of any bytes: quotes, backslashes, controls, invalid UTF-8), and whatever
 * the tree holds its dump must be valid JSON (RFC 8259): the syntax,
 * strings of valid UTF-8 with no raw control byte, and every string that
 * was valid text kept as it was. */
#include "config.h"

#include <string.h>

#include "common.h"
#include "json.h"
#include "fuzz.h"

struct in {
	const uint8_t	*p;
	size_t		 n;
};

static int
take(struct in *in)
{
	if (in->n == 0)
		return -1;
	in->n--;
	return *in->p++;
}

static char *
take_str(struct in *in)
{
	int	len = take(in), c, i;
	char	*s;

	len = len < 0 ? 0 : len % 24;
	s = xmalloc((size_t)len + 1);
	for (i = 0; i < len && (c = take(in)) > 0; i++)
		s[i] = (char)c;
	s[i] = '\0';
	return s;
}

static struct json *
build(struct in *in, int depth)
{
	struct json	*v;
	char		*s;
	int		 kind = take(in), n, i;

	if (kind < 0)
		return json_null();
	switch (depth > 6 ? kind % 4 : kind % 6) {
	case 0:
		return json_null();
	case 1:
		return json_bool(kind & 8);
	case 2:
		if (kind & 16)	/* a fixed-point number: seconds, money */
			return json_fixed((int64_t)(kind * 2654435761u) * (kind & 1 ? -1 : 1),
			    (kind >> 5) % 7);
		return json_int((int64_t)(kind * 2654435761u) * (kind & 1 ? -1 : 1));
	case 3:
		s = take_str(in);
		v = json_str(s);
		free(s);
		return v;
	case 4:
		v = json_array();
		n = take(in) % 5;
		for (i = 0; i < n; i++)
			json_push(v, build(in, depth + 1));
		return v;
	default:
		v = json_object();
		n = take(in) % 5;
		for (i = 0; i < n; i++) {
			s = take_str(in);
			json_set(v, s, build(in, depth + 1));
			free(s);
		}
		return v;
	}
}

/* ---- a strict checker -------------------------------------------------- */

static const char *p;

static void
ws(void)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
}

static int
hex4(const char *s)
{
	int	i;

	for (i = 0; i < 4; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		    (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return 1;
}

/* Length of a valid UTF-8 sequence at s, 0 when none (RFC 3629). */
static size_t
utf8(const unsigned char *s)
{
	unsigned char	lo = 0x80, hi = 0xbf;
	size_t		n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		lo = s[0] == 0xe0 ? 0xa0 : 0x80;
		hi = s[0] == 0xed ? 0x9f : 0xbf;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		lo = s[0] == 0xf0 ? 0x90 : 0x80;
		hi = s[0] == 0xf4 ? 0x8f : 0xbf;
	} else
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

static void
string(void)
{
	size_t	n;

	FUZZ_CHECK(*p == '"');
	p++;
	while (*p != '"') {
		FUZZ_CHECK((unsigned char)*p >= 0x20);	/* also no NUL: no end */
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				FUZZ_CHECK(hex4(p + 1));
				p += 5;
			} else {
				FUZZ_CHECK(strchr("\"\\/bfnrt", *p) != NULL && *p != '\0');
				p++;
			}
			continue;
		}
		n = utf8((const unsigned char *)p);
		FUZZ_CHECK(n > 0);
		p += n;
	}
	p++;
}

static void
value(int depth)
{
	FUZZ_CHECK(depth < 64);
	ws();
	if (*p == '"')
		string();
	else if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';
		int obj = *p == '{';

		p++;
		ws();
		if (*p == close) {
			p++;
			return;
		}
		for (;;) {
			if (obj) {
				ws();
				string();
				ws();
				FUZZ_CHECK(*p == ':');
				p++;
			}
			value(depth + 1);
			ws();
			if (*p == ',') {
				p++;
				continue;
			}
			FUZZ_CHECK(*p == close);
			p++;
			return;
		}
	} else if (strncmp(p, "null", 4) == 0 || strncmp(p, "true", 4) == 0)
		p += 4;
	else if (strncmp(p, "false", 5) == 0)
		p += 5;
	else {
		if (*p == '-')
			p++;
		FUZZ_CHECK(*p >= '0' && *p <= '9');
		if (*p == '0')
			p++;
		else
			while (*p >= '0' && *p <= '9')
				p++;
		if (*p == '.') {
			p++;
			FUZZ_CHECK(*p >= '0' && *p <= '9');
			while (*p >= '0' && *p <= '9')
				p++;
		}
	}
}

/* A string with no control byte and valid UTF-8 comes out unescaped but
 * for '"' and '\\'. */
static void
check_kept(const char *s)
{
	struct json	*v = json_str(s);
	char		*out = json_dump(v), *want, *w;
	const char	*q;

	for (q = s; *q != '\0'; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			goto done;
	for (q = s; *q != '\0'; q += utf8((const unsigned char *)q))
		if (utf8((const unsigned char *)q) == 0)
			goto done;
	want = w = xmalloc(strlen(s) * 2 + 3);
	*w++ = '"';
	for (q = s; *q != '\0'; q++) {
		if (*q == '"' || *q == '\\')
			*w++ = '\\';
		*w++ = *q;
	}
	*w++ = '"';
	*w = '\0';
	FUZZ_CHECK(strcmp(out, want) == 0);
	free(want);
done:
	free(out);
	json_free(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in	 in = { data, size };
	struct json	*tree;
	char		*out, *s;

	tree = build(&in, 0);
	out = json_dump(tree);
	p = out;
	value(0);
	ws();
	FUZZ_CHECK(*p == '\0');
	free(out);
	json_free(tree);

	s = xmalloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	check_kept(s);
	free(s);
	return 0;
}
