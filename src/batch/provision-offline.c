/* provision-offline.c - the 'offline_auth' and 'force_offline' sections of a
 * provisioning file: how a pile authorizes cards offline, forcing it offline. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/provision.h"
#include "batch/provision-yaml.h"

#define PROV_MAX_FORCE_S	(7 * 86400)	/* the pile refuses more */

void
prov_parse_offline_auth(struct prov_parser *pp, yaml_node_t *n, struct prov_pile *pl)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*v;
	const char		*k;
	unsigned long		 u;
	int			 b;

	if (!prov_is_mapping(pp, n, "offline_auth"))
		return;
	PROV_PAIRS(n, p) {
		if ((k = prov_pair_key(pp, n, p)) == NULL)
			continue;
		v = prov_node(pp, p->value);
		if (strcmp(k, "offline_charging") == 0) {
			if (prov_get_bool(pp, v, k, &b) == 0) {
				pl->auth.offline_charging = (unsigned)b;
				pl->has_charging = 1;
			}
		} else if (strcmp(k, "unknown_card") == 0) {
			if (prov_get_choice(pp, v, k, "refuse", "accept",
			    &pl->auth.unknown_card) == 0)
				pl->has_unknown = 1;
		} else if (strcmp(k, "expired_card") == 0) {
			if (prov_get_choice(pp, v, k, "refuse", "accept",
			    &pl->auth.expired_card) == 0)
				pl->has_expired = 1;
		} else if (strcmp(k, "offline_max_wh") == 0) {
			if (prov_get_uint(pp, v, k, 0, UINT32_MAX, &u) == 0) {
				pl->auth.offline_max_wh = (uint32_t)u;
				pl->has_max_wh = 1;
			}
		} else
			prov_unknown_key(pp, p, k, "offline_auth", "offline_charging, "
			    "unknown_card, expired_card, offline_max_wh");
	}
}

void
prov_parse_force(struct prov_parser *pp, yaml_node_t *n, struct prov_pile *pl)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*v, *forn = NULL;
	const char		*k, *s;
	char			*cause = NULL;
	int			 on = -1, b;

	if (n->type == YAML_SCALAR_NODE) {
		if (prov_get_bool(pp, n, "force_offline", &b) != 0)
			return;
		if (b) {
			prov_err(pp, n, _("'force_offline: on' needs how long: "
			    "force_offline: {on: true, for: 2h}"));
			return;
		}
		pl->has_force = 1;
		pl->force_on = 0;
		return;
	}
	if (!prov_is_mapping(pp, n, "force_offline"))
		return;
	PROV_PAIRS(n, p) {
		if ((k = prov_pair_key(pp, n, p)) == NULL)
			continue;
		v = prov_node(pp, p->value);
		if (strcmp(k, "on") == 0) {
			if (prov_get_bool(pp, v, k, &b) == 0)
				on = b;
		} else if (strcmp(k, "for") == 0) {
			forn = v;
			if ((s = prov_scalar(pp, v, k, _("a duration"))) == NULL)
				continue;
			if (batch_parse_duration(s, &pl->force_for_s, &cause) != 0) {
				prov_err(pp, v, "%s", cause);
				free(cause);
				cause = NULL;
			} else if (pl->force_for_s == 0 ||
			    pl->force_for_s > PROV_MAX_FORCE_S) {
				prov_err(pp, v, _("bad duration '%s' for 'for': a pile is "
				    "forced offline for at most 7 days (7d)"), s);
			}
		} else
			prov_unknown_key(pp, p, k, "force_offline", "on, for");
	}
	if (on == -1) {
		prov_err(pp, n, _("'force_offline' needs 'on: true' or 'on: false'"));
		return;
	}
	if (on && forn == NULL) {
		prov_err(pp, n, _("'force_offline' with 'on: true' needs 'for' (90m, 2h, "
		    "1d, at most 7d)"));
		return;
	}
	if (!on && forn != NULL) {
		prov_err(pp, forn, _("'for' makes no sense with 'on: false'"));
		return;
	}
	pl->has_force = 1;
	pl->force_on = on;
}
