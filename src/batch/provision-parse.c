/* provision-parse.c - reads and checks a provisioning file (libyaml) before
 * anything touches a pile: every unknown key, wrong type and bad value is
 * reported with file:line:column, and one error makes the file invalid. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/provision.h"
#include "batch/wlcsv.h"

#define PROV_MAX_ERRORS	50
#define PROV_MAX_FORCE_S	(7 * 86400)	/* the pile refuses more */

struct prov_parser {
	const char	*path;
	yaml_document_t	 doc;
	char		**errors;
	size_t		 nerrors;
};

static void __attribute__((format(printf, 3, 4)))
perr(struct prov_parser *pp, const yaml_node_t *n, const char *fmt, ...)
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

static yaml_node_t *
node(struct prov_parser *pp, int id)
{
	return yaml_document_get_node(&pp->doc, id);
}

static const char *
node_kind(const yaml_node_t *n)
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
static const char *
scalar(struct prov_parser *pp, const yaml_node_t *n, const char *key, const char *want)
{
	if (n->type == YAML_SCALAR_NODE)
		return (const char *)n->data.scalar.value;
	perr(pp, n, _("'%s' needs %s, not %s"), key, want, node_kind(n));
	return NULL;
}

static int
is_mapping(struct prov_parser *pp, const yaml_node_t *n, const char *key)
{
	if (n->type == YAML_MAPPING_NODE)
		return 1;
	perr(pp, n, _("'%s' needs a mapping of keys, not %s"), key, node_kind(n));
	return 0;
}

/* Walks a mapping's pairs, catching keys given twice. */
#define PAIRS(n, p) \
	for ((p) = (n)->data.mapping.pairs.start; (p) < (n)->data.mapping.pairs.top; (p)++)

static const char *
pair_key(struct prov_parser *pp, const yaml_node_t *map, yaml_node_pair_t *p)
{
	yaml_node_t		*k = node(pp, p->key), *ok;
	yaml_node_pair_t	*o;
	const char		*s;

	if (k->type != YAML_SCALAR_NODE) {
		perr(pp, k, _("a key must be a plain word, not %s"), node_kind(k));
		return NULL;
	}
	s = (const char *)k->data.scalar.value;
	for (o = map->data.mapping.pairs.start; o < p; o++) {
		ok = node(pp, o->key);
		if (ok->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)ok->data.scalar.value, s) == 0) {
			perr(pp, k, _("key '%s' is given twice (first at line %lu)"), s,
			    (unsigned long)ok->start_mark.line + 1);
			return NULL;
		}
	}
	return s;
}

static void
unknown_key(struct prov_parser *pp, yaml_node_pair_t *p, const char *key,
    const char *where, const char *known)
{
	perr(pp, node(pp, p->key), _("unknown key '%s' in %s (known keys: %s)"), key,
	    where, known);
}

static int
get_uint(struct prov_parser *pp, const yaml_node_t *n, const char *key,
    unsigned long min, unsigned long max, unsigned long *v)
{
	const char	*s = scalar(pp, n, key, _("a whole number"));
	char		*end;

	if (s == NULL)
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || *v < min || *v > max) {
		perr(pp, n, _("bad value '%s' for '%s': expected a whole number from %lu "
		    "to %lu"), s, key, min, max);
		return -1;
	}
	return 0;
}

static int
get_bool(struct prov_parser *pp, const yaml_node_t *n, const char *key, int *v)
{
	static const char *const yes[] = { "true", "yes", "on" };
	static const char *const no[] = { "false", "no", "off" };
	const char	*s = scalar(pp, n, key, _("true or false"));
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
	perr(pp, n, _("bad value '%s' for '%s': expected true or false"), s, key);
	return -1;
}

/* A policy word: 0 for the first, 1 for the second. */
static int
get_choice(struct prov_parser *pp, const yaml_node_t *n, const char *key,
    const char *w0, const char *w1, unsigned *v)
{
	const char	*s = scalar(pp, n, key, _("a word"));

	if (s == NULL)
		return -1;
	if (strcmp(s, w0) == 0)
		*v = 0;
	else if (strcmp(s, w1) == 0)
		*v = 1;
	else {
		perr(pp, n, _("bad value '%s' for '%s': expected '%s' or '%s'"), s, key,
		    w0, w1);
		return -1;
	}
	return 0;
}

/* ---- values -------------------------------------------------------------- */

int
prov_parse_price(const char *s, uint32_t *out)
{
	uint64_t	v = 0;
	int		places = -1, digits = 0;

	for (; *s != '\0'; s++) {
		if (*s == '.' && places < 0) {
			places = 0;
			continue;
		}
		if (*s < '0' || *s > '9')
			return -1;
		if (places >= 0 && ++places > 5)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return -1;
		digits++;
	}
	if (digits == 0 || places == 0)
		return -1;
	for (places = places < 0 ? 0 : places; places < 5; places++)
		v *= 10;
	if (v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int
slot_time(const char *s, unsigned *slot)
{
	unsigned	h, m;

	if (strlen(s) != 5 || s[2] != ':' || s[0] < '0' || s[0] > '9' ||
	    s[1] < '0' || s[1] > '9' || s[3] < '0' || s[3] > '9' || s[4] < '0' ||
	    s[4] > '9')
		return -1;
	h = (unsigned)(s[0] - '0') * 10 + (unsigned)(s[1] - '0');
	m = (unsigned)(s[3] - '0') * 10 + (unsigned)(s[4] - '0');
	if ((m != 0 && m != 30) || h > 24 || (h == 24 && m != 0))
		return -1;
	*slot = h * 2 + m / 30;
	return 0;
}

int
prov_parse_slot_range(const char *s, unsigned *first, unsigned *end)
{
	char	a[6], b[6];

	if (strlen(s) != 11 || s[5] != '-')
		return -1;
	memcpy(a, s, 5);
	a[5] = '\0';
	memcpy(b, s + 6, 5);
	b[5] = '\0';
	if (slot_time(a, first) != 0 || slot_time(b, end) != 0 || *first >= *end ||
	    *first >= PROTO_SLOTS)
		return -1;
	return 0;
}

static int
period_of(const char *s)
{
	unsigned	i;

	for (i = 0; i < PROTO_PERIODS; i++)
		if (strcmp(s, proto_period_str(i)) == 0)
			return (int)i;
	return -1;
}

/* ---- sections ------------------------------------------------------------ */

static void
parse_offline_auth(struct prov_parser *pp, yaml_node_t *n, struct prov_pile *pl)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*v;
	const char		*k;
	unsigned long		 u;
	int			 b;

	if (!is_mapping(pp, n, "offline_auth"))
		return;
	PAIRS(n, p) {
		if ((k = pair_key(pp, n, p)) == NULL)
			continue;
		v = node(pp, p->value);
		if (strcmp(k, "offline_charging") == 0) {
			if (get_bool(pp, v, k, &b) == 0) {
				pl->auth.offline_charging = (unsigned)b;
				pl->has_charging = 1;
			}
		} else if (strcmp(k, "unknown_card") == 0) {
			if (get_choice(pp, v, k, "refuse", "accept",
			    &pl->auth.unknown_card) == 0)
				pl->has_unknown = 1;
		} else if (strcmp(k, "expired_card") == 0) {
			if (get_choice(pp, v, k, "refuse", "accept",
			    &pl->auth.expired_card) == 0)
				pl->has_expired = 1;
		} else if (strcmp(k, "offline_max_wh") == 0) {
			if (get_uint(pp, v, k, 0, UINT32_MAX, &u) == 0) {
				pl->auth.offline_max_wh = (uint32_t)u;
				pl->has_max_wh = 1;
			}
		} else
			unknown_key(pp, p, k, "offline_auth", "offline_charging, "
			    "unknown_card, expired_card, offline_max_wh");
	}
}

static void
parse_periods(struct prov_parser *pp, yaml_node_t *n, struct proto_tariff *t,
    int given[PROTO_PERIODS])
{
	yaml_node_pair_t	*p, *q;
	yaml_node_t		*v, *w;
	const char		*k, *kk, *s;
	uint32_t		*dst;
	int			 period;

	if (!is_mapping(pp, n, "periods"))
		return;
	PAIRS(n, p) {
		if ((k = pair_key(pp, n, p)) == NULL)
			continue;
		if ((period = period_of(k)) < 0) {
			unknown_key(pp, p, k, "periods", "sharp, peak, flat, valley");
			continue;
		}
		v = node(pp, p->value);
		if (!is_mapping(pp, v, k))
			continue;
		given[period] = 0;
		PAIRS(v, q) {
			if ((kk = pair_key(pp, v, q)) == NULL)
				continue;
			w = node(pp, q->value);
			if (strcmp(kk, "energy") == 0)
				dst = &t->energy_price[period];
			else if (strcmp(kk, "service") == 0)
				dst = &t->service_price[period];
			else {
				unknown_key(pp, q, kk, k, "energy, service");
				continue;
			}
			if ((s = scalar(pp, w, kk, _("a price"))) == NULL) {
				given[period] |= 4;
				continue;
			}
			if (prov_parse_price(s, dst) != 0) {
				given[period] |= 4;
				perr(pp, w, _("bad price '%s' for '%s' of '%s': expected "
				    "a decimal per kWh with at most 5 places, like "
				    "0.85000"), s, kk, k);
			} else
				given[period] |= strcmp(kk, "energy") == 0 ? 1 : 2;
		}
		if (given[period] == 0 || given[period] == 1 || given[period] == 2)
			perr(pp, v, _("period '%s' needs both 'energy' and 'service' "
			    "prices"), k);
	}
}

static void
parse_slots(struct prov_parser *pp, yaml_node_t *n, struct proto_tariff *t,
    int used[PROTO_PERIODS])
{
	yaml_node_pair_t	*p;
	yaml_node_t		*v;
	unsigned long		 line_of[PROTO_SLOTS];
	unsigned		 first, end, i;
	const char		*k, *s;
	int			 period, set[PROTO_SLOTS], bad = 0;

	memset(set, 0, sizeof set);
	if (!is_mapping(pp, n, "slots"))
		return;
	PAIRS(n, p) {
		if ((k = pair_key(pp, n, p)) == NULL) {
			bad = 1;
			continue;
		}
		v = node(pp, p->value);
		if (prov_parse_slot_range(k, &first, &end) != 0) {
			perr(pp, node(pp, p->key), _("bad time range '%s': expected "
			    "HH:MM-HH:MM on half hours, like 08:00-11:30 (24:00 ends "
			    "the day)"), k);
			bad = 1;
			continue;
		}
		if ((s = scalar(pp, v, k, _("a period"))) == NULL) {
			bad = 1;
			continue;
		}
		if ((period = period_of(s)) < 0) {
			perr(pp, v, _("bad period '%s' for '%s': expected sharp, peak, "
			    "flat or valley"), s, k);
			bad = 1;
			continue;
		}
		used[period] = 1;
		for (i = first; i < end; i++) {
			if (set[i]) {
				perr(pp, node(pp, p->key), _("time range '%s' overlaps "
				    "the range at line %lu (%02u:%02u)"), k, line_of[i],
				    i / 2, i % 2 * 30);
				bad = 1;
				break;
			}
			set[i] = 1;
			line_of[i] = (unsigned long)node(pp, p->key)->start_mark.line + 1;
			t->slot_period[i] = (uint8_t)period;
		}
	}
	for (i = 0; !bad && i < PROTO_SLOTS; i++) {
		if (!set[i]) {
			perr(pp, n, _("the slots leave %02u:%02u-%02u:%02u without a "
			    "period: the ranges must cover the whole day"), i / 2,
			    i % 2 * 30, (i + 1) / 2, (i + 1) % 2 * 30);
			break;
		}
	}
}

static void
parse_tariff(struct prov_parser *pp, yaml_node_t *n, struct prov_pile *pl)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*v;
	const char		*k;
	unsigned long		 u;
	int			 given[PROTO_PERIODS], used[PROTO_PERIODS];
	int			 have_version = 0, have_slots = 0, i;
	size_t			 before = pp->nerrors;

	memset(&pl->tariff, 0, sizeof pl->tariff);
	memset(given, 0, sizeof given);
	memset(used, 0, sizeof used);
	if (!is_mapping(pp, n, "offline_tariff"))
		return;
	for (i = 0; i < PROTO_PERIODS; i++)
		given[i] = -1;
	PAIRS(n, p) {
		if ((k = pair_key(pp, n, p)) == NULL)
			continue;
		v = node(pp, p->value);
		if (strcmp(k, "version") == 0) {
			if (get_uint(pp, v, k, 1, UINT32_MAX, &u) == 0)
				pl->tariff.version = (uint32_t)u;
			have_version = 1;
		} else if (strcmp(k, "periods") == 0)
			parse_periods(pp, v, &pl->tariff, given);
		else if (strcmp(k, "slots") == 0) {
			parse_slots(pp, v, &pl->tariff, used);
			have_slots = 1;
		} else
			unknown_key(pp, p, k, "offline_tariff", "version, periods, slots");
	}
	if (!have_version)
		perr(pp, n, _("'offline_tariff' needs a 'version'"));
	if (!have_slots)
		perr(pp, n, _("'offline_tariff' needs 'slots' mapping the day to "
		    "periods (\"00:00-08:00\": valley, ...)"));
	for (i = 0; have_slots && i < PROTO_PERIODS; i++)
		if (used[i] && given[i] == -1)
			perr(pp, n, _("the slots use period '%s' but 'periods' gives "
			    "no prices for it"), proto_period_str((unsigned)i));
	pl->has_tariff = pp->nerrors == before;
}

static void
parse_force(struct prov_parser *pp, yaml_node_t *n, struct prov_pile *pl)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*v, *forn = NULL;
	const char		*k, *s;
	char			*cause = NULL;
	int			 on = -1, b;

	if (n->type == YAML_SCALAR_NODE) {
		if (get_bool(pp, n, "force_offline", &b) != 0)
			return;
		if (b) {
			perr(pp, n, _("'force_offline: on' needs how long: "
			    "force_offline: {on: true, for: 2h}"));
			return;
		}
		pl->has_force = 1;
		pl->force_on = 0;
		return;
	}
	if (!is_mapping(pp, n, "force_offline"))
		return;
	PAIRS(n, p) {
		if ((k = pair_key(pp, n, p)) == NULL)
			continue;
		v = node(pp, p->value);
		if (strcmp(k, "on") == 0) {
			if (get_bool(pp, v, k, &b) == 0)
				on = b;
		} else if (strcmp(k, "for") == 0) {
			forn = v;
			if ((s = scalar(pp, v, k, _("a duration"))) == NULL)
				continue;
			if (batch_parse_duration(s, &pl->force_for_s, &cause) != 0) {
				perr(pp, v, "%s", cause);
				free(cause);
				cause = NULL;
			} else if (pl->force_for_s == 0 ||
			    pl->force_for_s > PROV_MAX_FORCE_S) {
				perr(pp, v, _("bad duration '%s' for 'for': a pile is "
				    "forced offline for at most 7 days (7d)"), s);
			}
		} else
			unknown_key(pp, p, k, "force_offline", "on, for");
	}
	if (on == -1) {
		perr(pp, n, _("'force_offline' needs 'on: true' or 'on: false'"));
		return;
	}
	if (on && forn == NULL) {
		perr(pp, n, _("'force_offline' with 'on: true' needs 'for' (90m, 2h, "
		    "1d, at most 7d)"));
		return;
	}
	if (!on && forn != NULL) {
		perr(pp, forn, _("'for' makes no sense with 'on: false'"));
		return;
	}
	pl->has_force = 1;
	pl->force_on = on;
}

/* A relative CSV path is taken from the YAML file's folder. */
static char *
relative_to(const char *yaml_path, const char *p)
{
	const char	*slash = strrchr(yaml_path, '/');

	if (p[0] == '/' || slash == NULL)
		return xstrdup(p);
	return xasprintf("%.*s/%s", (int)(slash - yaml_path), yaml_path, p);
}

static void
parse_whitelist_csv(struct prov_parser *pp, yaml_node_t *n, struct prov_pile *pl)
{
	const char	*s = scalar(pp, n, "whitelist_csv", _("a file name"));
	char		*path, *cause = NULL;
	FILE		*f;

	if (s == NULL)
		return;
	free(pl->wl);
	pl->wl = NULL;
	pl->nwl = 0;
	path = relative_to(pp->path, s);
	if ((f = fopen(path, "r")) == NULL) {
		perr(pp, n, _("cannot open whitelist CSV '%s': %s"), path,
		    strerror(errno));
		free(path);
		return;
	}
	if (wlcsv_parse(f, path, &pl->wl, &pl->nwl, &cause) != 0) {
		perr(pp, n, _("bad whitelist CSV: %s"), cause);
		free(cause);
	} else
		pl->has_whitelist = 1;
	fclose(f);
	free(path);
}

static void
parse_wl_entry(struct prov_parser *pp, yaml_node_t *n, struct proto_wl_entry *e)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*v;
	const char		*k, *s;
	char			*cause = NULL;
	int64_t			 t;
	int			 have_uid = 0;
	unsigned		 st;

	memset(e, 0, sizeof *e);
	e->status = PROTO_WL_ACCEPTED;
	if (!is_mapping(pp, n, "whitelist"))
		return;
	PAIRS(n, p) {
		if ((k = pair_key(pp, n, p)) == NULL)
			continue;
		v = node(pp, p->value);
		if ((s = scalar(pp, v, k, _("a single value"))) == NULL)
			continue;
		if (strcmp(k, "uid") == 0) {
			have_uid = 1;
			if (proto_uid_normalize(s, e->uid) != 0)
				perr(pp, v, _("bad card UID '%s': expected 4 to 10 bytes "
				    "of hex, like 04A1B2C3"), s);
		} else if (strcmp(k, "status") == 0) {
			if (get_choice(pp, v, k, "accepted", "blocked", &st) == 0)
				e->status = st ? PROTO_WL_BLOCKED : PROTO_WL_ACCEPTED;
		} else if (strcmp(k, "expires") == 0) {
			if (*s == '\0' || strcmp(s, "never") == 0)
				e->expiry = 0;
			else if (batch_parse_time(s, 1, &t, &cause) != 0) {
				perr(pp, v, "%s", cause);
				free(cause);
				cause = NULL;
			} else if (t <= 0 || t > UINT32_MAX)
				perr(pp, v, _("expiry '%s' is out of range"), s);
			else
				e->expiry = (uint32_t)t;
		} else if (strcmp(k, "holder") == 0) {
			if (strlen(s) > PROTO_HOLDER_MAX)
				perr(pp, v, _("holder name '%s' is %zu bytes: the pile "
				    "keeps at most %d bytes of UTF-8"), s, strlen(s),
				    PROTO_HOLDER_MAX);
			else
				strcpy(e->holder, s);
		} else
			unknown_key(pp, p, k, _("a whitelist entry"), "uid, status, "
			    "expires, holder");
	}
	if (!have_uid)
		perr(pp, n, _("a whitelist entry needs a 'uid'"));
}

static void
parse_whitelist(struct prov_parser *pp, yaml_node_t *n, struct prov_pile *pl)
{
	yaml_node_item_t	*it;
	yaml_node_t		*v;
	size_t			 before = pp->nerrors, i, j;

	if (n->type != YAML_SEQUENCE_NODE) {
		perr(pp, n, _("'whitelist' needs a list of cards (- uid: 04A1B2C3), "
		    "not %s; for a CSV file use 'whitelist_csv: FILE'"), node_kind(n));
		return;
	}
	free(pl->wl);
	pl->nwl = 0;
	pl->wl = xcalloc((size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start) + 1, sizeof *pl->wl);
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		v = node(pp, *it);
		parse_wl_entry(pp, v, &pl->wl[pl->nwl]);
		for (j = 0; j < pl->nwl; j++) {
			if (pl->wl[pl->nwl].uid[0] != '\0' &&
			    strcmp(pl->wl[j].uid, pl->wl[pl->nwl].uid) == 0) {
				perr(pp, v, _("card '%s' is listed twice in this "
				    "whitelist"), pl->wl[j].uid);
				break;
			}
		}
		pl->nwl++;
	}
	i = pp->nerrors;
	pl->has_whitelist = i == before;
}

/* The keys a pile and the defaults share. 1 when key was one of them. */
static int
parse_item(struct prov_parser *pp, const char *k, yaml_node_t *v, struct prov_pile *pl,
    yaml_node_t **wl_node, yaml_node_t **csv_node)
{
	unsigned long	u;
	int		b;

	if (strcmp(k, "whitelist") == 0) {
		*wl_node = v;
		parse_whitelist(pp, v, pl);
	} else if (strcmp(k, "whitelist_csv") == 0) {
		*csv_node = v;
		parse_whitelist_csv(pp, v, pl);
	} else if (strcmp(k, "whitelist_version") == 0) {
		if (get_uint(pp, v, k, 1, UINT32_MAX, &u) == 0)
			pl->wl_version = (uint32_t)u;
	} else if (strcmp(k, "offline_auth") == 0)
		parse_offline_auth(pp, v, pl);
	else if (strcmp(k, "offline_tariff") == 0)
		parse_tariff(pp, v, pl);
	else if (strcmp(k, "clock_sync") == 0) {
		if (get_bool(pp, v, k, &b) == 0)
			pl->clock_sync = b;
	} else if (strcmp(k, "force_offline") == 0)
		parse_force(pp, v, pl);
	else if (strcmp(k, "key_rotation") == 0)
		perr(pp, v, _("key rotation is not supported by protocol version 1.0: "
		    "the register map has no register to change a pile's key; remove "
		    "'key_rotation' (rotate keys with the pile vendor's tool, then "
		    "update the keys file)"));
	else
		return 0;
	return 1;
}

#define PROV_ITEM_KEYS	"whitelist, whitelist_csv, whitelist_version, offline_auth, " \
			"offline_tariff, clock_sync, force_offline"

static void
both_lists(struct prov_parser *pp, yaml_node_t *wl, yaml_node_t *csv)
{
	if (wl != NULL && csv != NULL)
		perr(pp, csv, _("give the cards either inline ('whitelist', line %lu) "
		    "or in a CSV file ('whitelist_csv'), not both"),
		    (unsigned long)wl->start_mark.line + 1);
}

static void
parse_bus(struct prov_parser *pp, yaml_node_t *n, struct prov_file *pf)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*v;
	const char		*k, *s;
	unsigned long		 u;

	if (!is_mapping(pp, n, "bus"))
		return;
	PAIRS(n, p) {
		if ((k = pair_key(pp, n, p)) == NULL)
			continue;
		v = node(pp, p->value);
		if (strcmp(k, "port") == 0) {
			if ((s = scalar(pp, v, k, _("a port"))) == NULL)
				continue;
			if (*s == '\0')
				perr(pp, v, _("'port' is empty"));
			else {
				free(pf->port);
				pf->port = strncmp(s, "tcp:", 4) == 0 || s[0] == '/' ?
				    xstrdup(s) : relative_to(pp->path, s);
			}
		} else if (strcmp(k, "baud") == 0) {
			if (get_uint(pp, v, k, 1200, 4000000, &u) == 0)
				pf->baud = (unsigned)u;
		} else
			unknown_key(pp, p, k, "bus", "port, baud");
	}
}

static void
parse_defaults(struct prov_parser *pp, yaml_node_t *n, struct prov_file *pf,
    struct prov_pile *def)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*wl = NULL, *csv = NULL;
	const char		*k;

	if (!is_mapping(pp, n, "defaults"))
		return;
	PAIRS(n, p) {
		if ((k = pair_key(pp, n, p)) == NULL)
			continue;
		if (strcmp(k, "bus") == 0)
			parse_bus(pp, node(pp, p->value), pf);
		else if (strcmp(k, "address") == 0 || strcmp(k, "serial") == 0)
			perr(pp, node(pp, p->key), _("'%s' names one pile: give it "
			    "under 'piles', not in 'defaults'"), k);
		else if (!parse_item(pp, k, node(pp, p->value), def, &wl, &csv))
			unknown_key(pp, p, k, "defaults", "bus, " PROV_ITEM_KEYS);
	}
	both_lists(pp, wl, csv);
}

/* What the pile leaves out, the defaults give. */
static void
inherit(struct prov_pile *pl, const struct prov_pile *def, int has_wl)
{
	if (!has_wl && def->has_whitelist) {
		pl->has_whitelist = 1;
		pl->nwl = def->nwl;
		pl->wl = xcalloc(def->nwl + 1, sizeof *pl->wl);
		if (def->nwl > 0)
			memcpy(pl->wl, def->wl, def->nwl * sizeof *pl->wl);
	}
	if (pl->wl_version == 0)
		pl->wl_version = def->wl_version;
	if (!pl->has_charging && def->has_charging) {
		pl->has_charging = 1;
		pl->auth.offline_charging = def->auth.offline_charging;
	}
	if (!pl->has_unknown && def->has_unknown) {
		pl->has_unknown = 1;
		pl->auth.unknown_card = def->auth.unknown_card;
	}
	if (!pl->has_expired && def->has_expired) {
		pl->has_expired = 1;
		pl->auth.expired_card = def->auth.expired_card;
	}
	if (!pl->has_max_wh && def->has_max_wh) {
		pl->has_max_wh = 1;
		pl->auth.offline_max_wh = def->auth.offline_max_wh;
	}
	if (!pl->has_tariff && def->has_tariff) {
		pl->has_tariff = 1;
		pl->tariff = def->tariff;
	}
	if (pl->clock_sync < 0)
		pl->clock_sync = def->clock_sync > 0;
	if (!pl->has_force && def->has_force) {
		pl->has_force = 1;
		pl->force_on = def->force_on;
		pl->force_for_s = def->force_for_s;
	}
}

static void
parse_pile(struct prov_parser *pp, yaml_node_t *n, struct prov_pile *pl,
    const struct prov_pile *def)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*v, *wl = NULL, *csv = NULL;
	const char		*k, *s;
	unsigned long		 u;

	pl->line = (unsigned long)n->start_mark.line + 1;
	pl->col = (unsigned long)n->start_mark.column + 1;
	pl->clock_sync = -1;
	if (!is_mapping(pp, n, "piles")) {
		pl->clock_sync = 0;
		return;
	}
	PAIRS(n, p) {
		if ((k = pair_key(pp, n, p)) == NULL)
			continue;
		v = node(pp, p->value);
		if (strcmp(k, "address") == 0) {
			if (get_uint(pp, v, k, 1, 247, &u) == 0)
				pl->addr = (int)u;
			else
				pl->addr = -1;
		} else if (strcmp(k, "serial") == 0) {
			if ((s = scalar(pp, v, k, _("a serial number"))) == NULL)
				continue;
			if (*s == '\0' || strlen(s) > 16)
				perr(pp, v, _("bad serial '%s': 1 to 16 characters"), s);
			else
				snprintf(pl->serial, sizeof pl->serial, "%s", s);
		} else if (strcmp(k, "bus") == 0)
			perr(pp, node(pp, p->key), _("'bus' belongs in 'defaults': one "
			    "file provisions one bus"));
		else if (!parse_item(pp, k, v, pl, &wl, &csv))
			unknown_key(pp, p, k, _("a pile"), "address, serial, "
			    PROV_ITEM_KEYS);
	}
	both_lists(pp, wl, csv);
	if (pl->addr == 0 && pl->serial[0] == '\0')
		perr(pp, n, _("a pile needs an 'address' (1-247) or a 'serial'"));
	inherit(pl, def, wl != NULL || csv != NULL);
}

/* Two entries for one pile would fight: the second undoes the first. */
static void
check_duplicates(struct prov_parser *pp, struct prov_file *pf, yaml_node_t *seq)
{
	yaml_node_item_t	*it = seq->data.sequence.items.start;
	size_t			 i, j;

	for (i = 0; i < pf->npiles; i++) {
		for (j = 0; j < i; j++) {
			if (pf->piles[i].addr > 0 && pf->piles[i].addr ==
			    pf->piles[j].addr)
				perr(pp, node(pp, it[i]), _("address %d is given twice "
				    "(first at line %lu)"), pf->piles[i].addr,
				    pf->piles[j].line);
			if (pf->piles[i].serial[0] != '\0' && strcmp(pf->piles[i].serial,
			    pf->piles[j].serial) == 0)
				perr(pp, node(pp, it[i]), _("serial '%s' is given twice "
				    "(first at line %lu)"), pf->piles[i].serial,
				    pf->piles[j].line);
		}
	}
}

static void
parse_root(struct prov_parser *pp, yaml_node_t *root, struct prov_file *pf)
{
	struct prov_pile	 def;
	yaml_node_pair_t	*p;
	yaml_node_t		*v, *piles = NULL, *defaults = NULL;
	yaml_node_item_t	*it;
	const char		*k;
	size_t			 n;

	memset(&def, 0, sizeof def);
	PAIRS(root, p) {
		if ((k = pair_key(pp, root, p)) == NULL)
			continue;
		v = node(pp, p->value);
		if (strcmp(k, "defaults") == 0)
			defaults = v;
		else if (strcmp(k, "piles") == 0)
			piles = v;
		else
			unknown_key(pp, p, k, _("the file"), "defaults, piles");
	}
	if (defaults != NULL)
		parse_defaults(pp, defaults, pf, &def);
	if (piles == NULL) {
		perr(pp, root, _("the file needs 'piles': a list of the piles to "
		    "provision (- address: 1)"));
		goto out;
	}
	if (piles->type != YAML_SEQUENCE_NODE) {
		perr(pp, piles, _("'piles' needs a list (- address: 1), not %s"),
		    node_kind(piles));
		goto out;
	}
	n = (size_t)(piles->data.sequence.items.top - piles->data.sequence.items.start);
	if (n == 0) {
		perr(pp, piles, _("'piles' is empty: nothing to provision"));
		goto out;
	}
	pf->piles = xcalloc(n, sizeof *pf->piles);
	for (it = piles->data.sequence.items.start; it < piles->data.sequence.items.top;
	    it++)
		parse_pile(pp, node(pp, *it), &pf->piles[pf->npiles++], &def);
	check_duplicates(pp, pf, piles);
out:
	free(def.wl);
}

int
prov_parse(const char *path, struct prov_file *pf, char ***errors, size_t *nerrors)
{
	struct prov_parser	 pp;
	yaml_parser_t		 parser;
	yaml_node_t		*root;
	FILE			*f;
	char			*msg;

	memset(pf, 0, sizeof *pf);
	memset(&pp, 0, sizeof pp);
	pp.path = path;
	pf->path = xstrdup(path);
	*errors = NULL;
	*nerrors = 0;
	if ((f = fopen(path, "r")) == NULL) {
		msg = xasprintf(_("cannot open provisioning file '%s': %s"), path,
		    strerror(errno));
		goto fail_one;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &pp.doc)) {
		msg = xasprintf("%s:%lu:%lu: %s%s%s", path,
		    (unsigned long)parser.problem_mark.line + 1,
		    (unsigned long)parser.problem_mark.column + 1,
		    parser.problem ? parser.problem : _("bad YAML"),
		    parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		fclose(f);
		goto fail_one;
	}
	yaml_parser_delete(&parser);
	fclose(f);
	root = yaml_document_get_root_node(&pp.doc);
	if (root == NULL || root->type != YAML_MAPPING_NODE) {
		msg = xasprintf(_("%s:%lu:%lu: a provisioning file is a mapping with "
		    "'defaults' and 'piles'"), path,
		    root ? (unsigned long)root->start_mark.line + 1 : 1UL,
		    root ? (unsigned long)root->start_mark.column + 1 : 1UL);
		yaml_document_delete(&pp.doc);
		goto fail_one;
	}
	parse_root(&pp, root, pf);
	yaml_document_delete(&pp.doc);
	*errors = pp.errors;
	*nerrors = pp.nerrors;
	return pp.nerrors == 0 ? 0 : -1;

fail_one:
	*errors = xcalloc(1, sizeof **errors);
	(*errors)[0] = msg;
	*nerrors = 1;
	return -1;
}

void
prov_file_free(struct prov_file *pf)
{
	size_t	i;

	for (i = 0; i < pf->npiles; i++)
		free(pf->piles[i].wl);
	free(pf->piles);
	free(pf->port);
	free(pf->path);
	memset(pf, 0, sizeof *pf);
}

void
prov_errors_free(char **errors, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(errors[i]);
	free(errors);
}
