/* provision-whitelist.c - the cards of a provisioning file: 'whitelist' given
 * inline as a list, or 'whitelist_csv' naming a CSV file. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/provision.h"
#include "batch/provision-yaml.h"
#include "batch/wlcsv.h"

void
prov_parse_whitelist_csv(struct prov_parser *pp, yaml_node_t *n, struct prov_pile *pl)
{
	const char	*s = prov_scalar(pp, n, "whitelist_csv", _("a file name"));
	char		*path, *cause = NULL;
	FILE		*f;

	if (s == NULL)
		return;
	free(pl->wl);
	pl->wl = NULL;
	pl->nwl = 0;
	path = prov_relative_to(pp->path, s);
	if ((f = fopen(path, "r")) == NULL) {
		prov_err(pp, n, _("cannot open whitelist CSV '%s': %s"), path,
		    strerror(errno));
		free(path);
		return;
	}
	if (wlcsv_parse(f, path, &pl->wl, &pl->nwl, &cause) != 0) {
		prov_err(pp, n, _("bad whitelist CSV: %s"), cause);
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
	if (!prov_is_mapping(pp, n, "whitelist"))
		return;
	PROV_PAIRS(n, p) {
		if ((k = prov_pair_key(pp, n, p)) == NULL)
			continue;
		v = prov_node(pp, p->value);
		if ((s = prov_scalar(pp, v, k, _("a single value"))) == NULL)
			continue;
		if (strcmp(k, "uid") == 0) {
			have_uid = 1;
			if (proto_uid_normalize(s, e->uid) != 0)
				prov_err(pp, v, _("bad card UID '%s': expected 4 to 10 bytes "
				    "of hex, like 04A1B2C3"), s);
		} else if (strcmp(k, "status") == 0) {
			if (prov_get_choice(pp, v, k, "accepted", "blocked", &st) == 0)
				e->status = st ? PROTO_WL_BLOCKED : PROTO_WL_ACCEPTED;
		} else if (strcmp(k, "expires") == 0) {
			if (*s == '\0' || strcmp(s, "never") == 0)
				e->expiry = 0;
			else if (batch_parse_time(s, 1, &t, &cause) != 0) {
				prov_err(pp, v, "%s", cause);
				free(cause);
				cause = NULL;
			} else if (t <= 0 || t > UINT32_MAX)
				prov_err(pp, v, _("expiry '%s' is out of range"), s);
			else
				e->expiry = (uint32_t)t;
		} else if (strcmp(k, "holder") == 0) {
			if (strlen(s) > PROTO_HOLDER_MAX)
				prov_err(pp, v, _("holder name '%s' is %zu bytes: the pile "
				    "keeps at most %d bytes of UTF-8"), s, strlen(s),
				    PROTO_HOLDER_MAX);
			else
				strcpy(e->holder, s);
		} else
			prov_unknown_key(pp, p, k, _("a whitelist entry"), "uid, status, "
			    "expires, holder");
	}
	if (!have_uid)
		prov_err(pp, n, _("a whitelist entry needs a 'uid'"));
}

void
prov_parse_whitelist(struct prov_parser *pp, yaml_node_t *n, struct prov_pile *pl)
{
	yaml_node_item_t	*it;
	yaml_node_t		*v;
	size_t			 before = pp->nerrors, i, j;

	if (n->type != YAML_SEQUENCE_NODE) {
		prov_err(pp, n, _("'whitelist' needs a list of cards (- uid: 04A1B2C3), "
		    "not %s; for a CSV file use 'whitelist_csv: FILE'"), prov_node_kind(n));
		return;
	}
	free(pl->wl);
	pl->nwl = 0;
	pl->wl = xcalloc((size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start) + 1, sizeof *pl->wl);
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		v = prov_node(pp, *it);
		parse_wl_entry(pp, v, &pl->wl[pl->nwl]);
		for (j = 0; j < pl->nwl; j++) {
			if (pl->wl[pl->nwl].uid[0] != '\0' &&
			    strcmp(pl->wl[j].uid, pl->wl[pl->nwl].uid) == 0) {
				prov_err(pp, v, _("card '%s' is listed twice in this "
				    "whitelist"), pl->wl[j].uid);
				break;
			}
		}
		pl->nwl++;
	}
	i = pp->nerrors;
	pl->has_whitelist = i == before;
}
