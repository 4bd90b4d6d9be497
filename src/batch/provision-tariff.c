/* provision-tariff.c - the 'offline_tariff' section of a provisioning file:
 * prices per period, the day's half-hour slots mapped to periods. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <yaml.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/provision.h"
#include "batch/provision-yaml.h"

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

static void
parse_periods(struct prov_parser *pp, yaml_node_t *n, struct proto_tariff *t,
    int given[PROTO_PERIODS])
{
	yaml_node_pair_t	*p, *q;
	yaml_node_t		*v, *w;
	const char		*k, *kk, *s;
	uint32_t		*dst;
	int			 period;

	if (!prov_is_mapping(pp, n, "periods"))
		return;
	PROV_PAIRS(n, p) {
		if ((k = prov_pair_key(pp, n, p)) == NULL)
			continue;
		if ((period = period_of(k)) < 0) {
			prov_unknown_key(pp, p, k, "periods", "sharp, peak, flat, valley");
			continue;
		}
		v = prov_node(pp, p->value);
		if (!prov_is_mapping(pp, v, k))
			continue;
		given[period] = 0;
		PROV_PAIRS(v, q) {
			if ((kk = prov_pair_key(pp, v, q)) == NULL)
				continue;
			w = prov_node(pp, q->value);
			if (strcmp(kk, "energy") == 0)
				dst = &t->energy_price[period];
			else if (strcmp(kk, "service") == 0)
				dst = &t->service_price[period];
			else {
				prov_unknown_key(pp, q, kk, k, "energy, service");
				continue;
			}
			if ((s = prov_scalar(pp, w, kk, _("a price"))) == NULL) {
				given[period] |= 4;
				continue;
			}
			if (prov_parse_price(s, dst) != 0) {
				given[period] |= 4;
				prov_err(pp, w, _("bad price '%s' for '%s' of '%s': expected "
				    "a decimal per kWh with at most 5 places, like "
				    "0.85000"), s, kk, k);
			} else
				given[period] |= strcmp(kk, "energy") == 0 ? 1 : 2;
		}
		if (given[period] == 0 || given[period] == 1 || given[period] == 2)
			prov_err(pp, v, _("period '%s' needs both 'energy' and 'service' "
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
	if (!prov_is_mapping(pp, n, "slots"))
		return;
	PROV_PAIRS(n, p) {
		if ((k = prov_pair_key(pp, n, p)) == NULL) {
			bad = 1;
			continue;
		}
		v = prov_node(pp, p->value);
		if (prov_parse_slot_range(k, &first, &end) != 0) {
			prov_err(pp, prov_node(pp, p->key), _("bad time range '%s': expected "
			    "HH:MM-HH:MM on half hours, like 08:00-11:30 (24:00 ends "
			    "the day)"), k);
			bad = 1;
			continue;
		}
		if ((s = prov_scalar(pp, v, k, _("a period"))) == NULL) {
			bad = 1;
			continue;
		}
		if ((period = period_of(s)) < 0) {
			prov_err(pp, v, _("bad period '%s' for '%s': expected sharp, peak, "
			    "flat or valley"), s, k);
			bad = 1;
			continue;
		}
		used[period] = 1;
		for (i = first; i < end; i++) {
			if (set[i]) {
				prov_err(pp, prov_node(pp, p->key), _("time range '%s' overlaps "
				    "the range at line %lu (%02u:%02u)"), k, line_of[i],
				    i / 2, i % 2 * 30);
				bad = 1;
				break;
			}
			set[i] = 1;
			line_of[i] = (unsigned long)prov_node(pp, p->key)->start_mark.line + 1;
			t->slot_period[i] = (uint8_t)period;
		}
	}
	for (i = 0; !bad && i < PROTO_SLOTS; i++) {
		if (!set[i]) {
			prov_err(pp, n, _("the slots leave %02u:%02u-%02u:%02u without a "
			    "period: the ranges must cover the whole day"), i / 2,
			    i % 2 * 30, (i + 1) / 2, (i + 1) % 2 * 30);
			break;
		}
	}
}

void
prov_parse_tariff(struct prov_parser *pp, yaml_node_t *n, struct prov_pile *pl)
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
	if (!prov_is_mapping(pp, n, "offline_tariff"))
		return;
	for (i = 0; i < PROTO_PERIODS; i++)
		given[i] = -1;
	PROV_PAIRS(n, p) {
		if ((k = prov_pair_key(pp, n, p)) == NULL)
			continue;
		v = prov_node(pp, p->value);
		if (strcmp(k, "version") == 0) {
			if (prov_get_uint(pp, v, k, 1, UINT32_MAX, &u) == 0)
				pl->tariff.version = (uint32_t)u;
			have_version = 1;
		} else if (strcmp(k, "periods") == 0)
			parse_periods(pp, v, &pl->tariff, given);
		else if (strcmp(k, "slots") == 0) {
			parse_slots(pp, v, &pl->tariff, used);
			have_slots = 1;
		} else
			prov_unknown_key(pp, p, k, "offline_tariff", "version, periods, slots");
	}
	if (!have_version)
		prov_err(pp, n, _("'offline_tariff' needs a 'version'"));
	if (!have_slots)
		prov_err(pp, n, _("'offline_tariff' needs 'slots' mapping the day to "
		    "periods (\"00:00-08:00\": valley, ...)"));
	for (i = 0; have_slots && i < PROTO_PERIODS; i++)
		if (used[i] && given[i] == -1)
			prov_err(pp, n, _("the slots use period '%s' but 'periods' gives "
			    "no prices for it"), proto_period_str((unsigned)i));
	pl->has_tariff = pp->nerrors == before;
}
