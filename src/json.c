/* json.c - the one JSON emitter (see json.h for why it is ours): a value
 * tree that keeps key order and a writer that always produces valid JSON. */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "json.h"

static struct json *
json_new(enum json_type type)
{
	struct json	*v = xcalloc(1, sizeof *v);

	v->type = type;
	return v;
}

struct json *
json_null(void)
{
	return json_new(JSON_NULL);
}

struct json *
json_bool(int b)
{
	struct json	*v = json_new(JSON_BOOL);

	v->i = b != 0;
	return v;
}

struct json *
json_int(int64_t i)
{
	struct json	*v = json_new(JSON_INT);

	v->i = i;
	return v;
}

struct json *
json_fixed(int64_t i, int places)
{
	struct json	*v = json_new(JSON_FIXED);

	v->i = i;
	v->places = places < 0 ? 0 : places > 18 ? 18 : places;
	return v;
}

struct json *
json_str(const char *s)
{
	struct json	*v = json_new(JSON_STRING);

	v->s = xstrdup(s != NULL ? s : "");
	return v;
}

struct json *
json_strf(const char *fmt, ...)
{
	struct json	*v = json_new(JSON_STRING);
	va_list		 ap;

	va_start(ap, fmt);
	v->s = xvasprintf(fmt, ap);
	va_end(ap);
	return v;
}

struct json *
json_array(void)
{
	return json_new(JSON_ARRAY);
}

struct json *
json_object(void)
{
	return json_new(JSON_OBJECT);
}

void
json_free(struct json *v)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++) {
		json_free(v->v[i]);
		if (v->k != NULL)
			free(v->k[i]);
	}
	free(v->v);
	free(v->k);
	free(v->s);
	free(v);
}

static void
json_grow(struct json *c)
{
	if (c->n < c->cap)
		return;
	c->cap = c->cap ? c->cap * 2 : 8;
	c->v = xrealloc(c->v, c->cap * sizeof *c->v);
	if (c->type == JSON_OBJECT)
		c->k = xrealloc(c->k, c->cap * sizeof *c->k);
}

struct json *
json_set(struct json *obj, const char *key, struct json *v)
{
	size_t	i;

	if (obj == NULL || obj->type != JSON_OBJECT) {
		json_free(v);
		return NULL;
	}
	for (i = 0; i < obj->n; i++)
		if (strcmp(obj->k[i], key) == 0) {
			json_free(obj->v[i]);
			obj->v[i] = v;
			return v;
		}
	json_grow(obj);
	obj->k[obj->n] = xstrdup(key);
	obj->v[obj->n++] = v;
	return v;
}

struct json *
json_set_int(struct json *obj, const char *key, int64_t i)
{
	return json_set(obj, key, json_int(i));
}

struct json *
json_set_str(struct json *obj, const char *key, const char *s)
{
	return json_set(obj, key, json_str(s));
}

struct json *
json_set_bool(struct json *obj, const char *key, int b)
{
	return json_set(obj, key, json_bool(b));
}

struct json *
json_push(struct json *arr, struct json *v)
{
	if (arr == NULL || arr->type != JSON_ARRAY) {
		json_free(v);
		return NULL;
	}
	json_grow(arr);
	arr->v[arr->n++] = v;
	return v;
}

const struct json *
json_get(const struct json *obj, const char *key)
{
	size_t	i;

	if (obj == NULL || obj->type != JSON_OBJECT)
		return NULL;
	for (i = 0; i < obj->n; i++)
		if (strcmp(obj->k[i], key) == 0)
			return obj->v[i];
	return NULL;
}

const char *
json_get_str(const struct json *obj, const char *key)
{
	const struct json	*v = json_get(obj, key);

	return v != NULL && v->type == JSON_STRING ? v->s : NULL;
}

int64_t
json_get_int(const struct json *obj, const char *key, int64_t dflt)
{
	const struct json	*v = json_get(obj, key);

	return v != NULL && (v->type == JSON_INT || v->type == JSON_BOOL ||
	    v->type == JSON_FIXED) ? v->i : dflt;
}

int
json_get_bool(const struct json *obj, const char *key)
{
	return json_get_int(obj, key, 0) != 0;
}

size_t
json_len(const struct json *v)
{
	return v != NULL && (v->type == JSON_ARRAY || v->type == JSON_OBJECT) ?
	    v->n : 0;
}

const struct json *
json_at(const struct json *arr, size_t i)
{
	return arr != NULL && (arr->type == JSON_ARRAY ||
	    arr->type == JSON_OBJECT) && i < arr->n ? arr->v[i] : NULL;
}

void
json_write_str(FILE *f, const char *s)
{
	const unsigned char	*p = (const unsigned char *)(s != NULL ? s : "");
	size_t			 n;

	fputc('"', f);
	while (*p != '\0') {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				fprintf(f, "\\u%04x", *p);
				break;
			}
			if ((n = utf8_decode(p, SIZE_MAX, NULL)) == 0) {
				fputs("\\ufffd", f);	/* not UTF-8: keep its place */
				break;
			}
			fwrite(p, 1, n, f);
			p += n;
			continue;
		}
		p++;
	}
	fputc('"', f);
}

static void
json_write_fixed(FILE *f, int64_t i, int places)
{
	uint64_t	scale = 1, mag;
	int		k;

	if (places == 0) {
		fprintf(f, "%lld", (long long)i);
		return;
	}
	for (k = 0; k < places; k++)
		scale *= 10;
	/* The magnitude, without overflowing on INT64_MIN. */
	mag = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
	fprintf(f, "%s%llu.%0*llu", i < 0 ? "-" : "", (unsigned long long)(mag / scale),
	    places, (unsigned long long)(mag % scale));
}

int
json_write(FILE *f, const struct json *v)
{
	size_t	i;

	if (v == NULL) {
		fputs("null", f);
		return ferror(f) ? -1 : 0;
	}
	switch (v->type) {
	case JSON_NULL:
		fputs("null", f);
		break;
	case JSON_BOOL:
		fputs(v->i ? "true" : "false", f);
		break;
	case JSON_INT:
		fprintf(f, "%lld", (long long)v->i);
		break;
	case JSON_FIXED:
		json_write_fixed(f, v->i, v->places);
		break;
	case JSON_STRING:
		json_write_str(f, v->s);
		break;
	case JSON_ARRAY:
	case JSON_OBJECT:
		fputc(v->type == JSON_ARRAY ? '[' : '{', f);
		for (i = 0; i < v->n; i++) {
			if (i > 0)
				fputc(',', f);
			if (v->type == JSON_OBJECT) {
				json_write_str(f, v->k[i]);
				fputc(':', f);
			}
			json_write(f, v->v[i]);
		}
		fputc(v->type == JSON_ARRAY ? ']' : '}', f);
		break;
	}
	return ferror(f) ? -1 : 0;
}

char *
json_quote(const char *s)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		fatal_oom();
	json_write_str(f, s);
	fclose(f);
	return buf;
}

char *
json_dump(const struct json *v)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		fatal_oom();
	json_write(f, v);
	fclose(f);
	return buf;
}
