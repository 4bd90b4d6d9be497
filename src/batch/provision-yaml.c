/* provision-yaml.c - walking a provisioning file's YAML for the section
 * parsers: errors with file:line:column, keys, scalars, numbers, words. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/provision.h"
#include "batch/provision-yaml.h"

#define PROV_MAX_ERRORS	50

void __attribute__((format(printf, 3, 4)))
prov_err(struct prov_parser *pp, const yaml_node_t *n, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (pp->nerrors >= PROV_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	pp->errors = xrealloc(pp->errors, (pp->nerrors + 1) * sizeof *pp->errors);
	pp->errors[pp->nerrors++] = xasprintf("%s:%lu:%lu: %s", pp->path,
	    (unsigned long)n->start_mark.line + 1,
	    (unsigned long)n->start_mark.column + 1, msg);
	free(msg);
}

yaml_node_t *
prov_node(struct prov_parser *pp, int id)
{
	return yaml_document_get_node(&pp->doc, id);
}

const char *
prov_node_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE:
		return _("a mapping");
	case YAML_SEQUENCE_NODE:
		return _("a list");
	default:
		return _("a single value");
	}
}

/* The scalar's text, or NULL after an error saying what was wanted. */
const char *
prov_scalar(struct prov_parser *pp, const yaml_node_t *n, const char *key, const char *want)
{
	if (n->type == YAML_SCALAR_NODE)
		return (const char *)n->data.scalar.value;
	prov_err(pp, n, _("'%s' needs %s, not %s"), key, want, prov_node_kind(n));
	return NULL;
}

int
prov_is_mapping(struct prov_parser *pp, const yaml_node_t *n, const char *key)
{
	if (n->type == YAML_MAPPING_NODE)
		return 1;
	prov_err(pp, n, _("'%s' needs a mapping of keys, not %s"), key, prov_node_kind(n));
	return 0;
}

const char *
prov_pair_key(struct prov_parser *pp, const yaml_node_t *map, yaml_node_pair_t *p)
{
	yaml_node_t		*k = prov_node(pp, p->key), *ok;
	yaml_node_pair_t	*o;
	const char		*s;

	if (k->type != YAML_SCALAR_NODE) {
		prov_err(pp, k, _("a key must be a plain word, not %s"), prov_node_kind(k));
		return NULL;
	}
	s = (const char *)k->data.scalar.value;
	for (o = map->data.mapping.pairs.start; o < p; o++) {
		ok = prov_node(pp, o->key);
		if (ok->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)ok->data.scalar.value, s) == 0) {
			prov_err(pp, k, _("key '%s' is given twice (first at line %lu)"), s,
			    (unsigned long)ok->start_mark.line + 1);
			return NULL;
		}
	}
	return s;
}

void
prov_unknown_key(struct prov_parser *pp, yaml_node_pair_t *p, const char *key,
    const char *where, const char *known)
{
	prov_err(pp, prov_node(pp, p->key), _("unknown key '%s' in %s (known keys: %s)"), key,
	    where, known);
}

int
prov_get_uint(struct prov_parser *pp, const yaml_node_t *n, const char *key,
    unsigned long min, unsigned long max, unsigned long *v)
{
	const char	*s = prov_scalar(pp, n, key, _("a whole number"));
	char		*end;

	if (s == NULL)
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || *v < min || *v > max) {
		prov_err(pp, n, _("bad value '%s' for '%s': expected a whole number from %lu "
		    "to %lu"), s, key, min, max);
		return -1;
	}
	return 0;
}

int
prov_get_bool(struct prov_parser *pp, const yaml_node_t *n, const char *key, int *v)
{
	static const char *const yes[] = { "true", "yes", "on" };
	static const char *const no[] = { "false", "no", "off" };
	const char	*s = prov_scalar(pp, n, key, _("true or false"));
	size_t		 i;

	if (s == NULL)
		return -1;
	for (i = 0; i < nitems(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*v = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*v = 0;
			return 0;
		}
	}
	prov_err(pp, n, _("bad value '%s' for '%s': expected true or false"), s, key);
	return -1;
}

/* A policy word: 0 for the first, 1 for the second. */
int
prov_get_choice(struct prov_parser *pp, const yaml_node_t *n, const char *key,
    const char *w0, const char *w1, unsigned *v)
{
	const char	*s = prov_scalar(pp, n, key, _("a word"));

	if (s == NULL)
		return -1;
	if (strcmp(s, w0) == 0)
		*v = 0;
	else if (strcmp(s, w1) == 0)
		*v = 1;
	else {
		prov_err(pp, n, _("bad value '%s' for '%s': expected '%s' or '%s'"), s, key,
		    w0, w1);
		return -1;
	}
	return 0;
}

/* A relative CSV path is taken from the YAML file's folder. */
char *
prov_relative_to(const char *yaml_path, const char *p)
{
	const char	*slash = strrchr(yaml_path, '/');

	if (p[0] == '/' || slash == NULL)
		return xstrdup(p);
	return xasprintf("%.*s/%s", (int)(slash - yaml_path), yaml_path, p);
}
