/* json.h - the one JSON emitter of pilecon and pilesim: a small value tree
 * (what a job's result is made of) and a writer with full escaping.
 *
 * Why our own and not jansson or yajl: every string we emit comes from a
 * wire, a file or a person (pile serials, card holders, CSV cells), and may
 * hold control bytes or invalid UTF-8. jansson refuses such a string
 * (json_string() returns NULL) and yajl's generator either refuses it or
 * passes the bytes through; we want the value kept and the output valid, so
 * control bytes become \u00XX and each invalid byte becomes U+FFFD. The tree
 * is ~300 lines, keeps key order (tests and scripts read the order we
 * print), and costs no new dependency.
 *
 * Ownership: json_set/json_push take ownership of the value they are given
 * and return it; json_free frees a value and everything below it. Strings
 * are copied. Getters return borrowed pointers valid until the tree is
 * freed; they return NULL / the default when the key is absent or of
 * another type. Out of memory is fatal (xmalloc). */
#ifndef JSON_H
#define JSON_H

#include <stdint.h>
#include <stdio.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_INT, JSON_STRING, JSON_ARRAY, JSON_OBJECT,
	JSON_FIXED };

struct json {
	enum json_type	  type;
	int64_t		  i;		/* JSON_BOOL (0/1), JSON_INT, JSON_FIXED */
	int		  places;	/* JSON_FIXED: i is in 10^-places */
	char		 *s;		/* JSON_STRING */
	size_t		  n, cap;	/* JSON_ARRAY, JSON_OBJECT */
	struct json	**v;
	char		**k;		/* JSON_OBJECT keys */
};

struct json	*json_null(void);
struct json	*json_bool(int);
struct json	*json_int(int64_t);
/* A number with a fixed count of decimals, no floating point: (1234, 1)
 * writes 123.4 (seconds from tenths, money from minor units). */
struct json	*json_fixed(int64_t, int places);
struct json	*json_str(const char *);	/* NULL gives "" */
struct json	*json_strf(const char *, ...) __attribute__((format(printf, 1, 2)));
struct json	*json_array(void);
struct json	*json_object(void);
void		 json_free(struct json *);

/* Adds (or replaces) key in an object; returns v. */
struct json	*json_set(struct json *obj, const char *key, struct json *v);
struct json	*json_set_int(struct json *obj, const char *key, int64_t);
struct json	*json_set_str(struct json *obj, const char *key, const char *);
struct json	*json_set_bool(struct json *obj, const char *key, int);
/* Appends to an array; returns v. */
struct json	*json_push(struct json *arr, struct json *v);

const struct json *json_get(const struct json *obj, const char *key);
const char	*json_get_str(const struct json *obj, const char *key);	/* NULL if absent */
/* A JSON_FIXED gives its value in 10^-places units. */
int64_t		 json_get_int(const struct json *obj, const char *key, int64_t dflt);
int		 json_get_bool(const struct json *obj, const char *key);
size_t		 json_len(const struct json *);		/* items of an array or object */
const struct json *json_at(const struct json *arr, size_t i);

/* Writes v on one line (no newline). Returns 0, or -1 when f failed. */
int	json_write(FILE *, const struct json *v);
/* Writes one string literal with the escaping above: the piece streaming
 * writers (JSON Lines export, pilesim ctl) share with json_write. */
void	json_write_str(FILE *, const char *s);
/* The same literal, malloc'ed, for a writer that buffers (the archive's
 * JSON Lines export). */
char	*json_quote(const char *s);
/* The same on a buffer, for fuzzing and tests: malloc'ed, NUL-terminated. */
char	*json_dump(const struct json *v);

#endif
