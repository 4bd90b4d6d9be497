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
			else if (time_parse(s, TIME_DATE_END, &t, &cause) != 0) {
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

/* FNV-1a of a normalised UID. */
static size_t
wl_uid_hash(const char *s)
{
	size_t	h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* The entry before e[n] with the same UID, found in an open-addressing
 * table of size slots (a power of two, at least twice the entries) holding
 * index + 1; e[n] is then added. O(1) per card, so a whitelist of 200,000
 * cards is checked in linear time (a scan of all earlier cards was
 * quadratic: 61 s). */
static const struct proto_wl_entry *
wl_seen_add(size_t *slot, size_t size, const struct proto_wl_entry *e, size_t n)
{
	size_t	j = wl_uid_hash(e[n].uid) & (size - 1);

	while (slot[j] != 0) {
		if (strcmp(e[slot[j] - 1].uid, e[n].uid) == 0)
			return &e[slot[j] - 1];
		j = (j + 1) & (size - 1);
	}
	slot[j] = n + 1;
	return NULL;
}

void
prov_parse_whitelist(struct prov_parser *pp, yaml_node_t *n, struct prov_pile *pl)
{
	yaml_node_item_t	*it;
	yaml_node_t		*v;
	const struct proto_wl_entry *dup;
	size_t			 before = pp->nerrors, i, count, size, *slot;

	if (n->type != YAML_SEQUENCE_NODE) {
		prov_err(pp, n, _("'whitelist' needs a list of cards (- uid: 04A1B2C3), "
		    "not %s; for a CSV file use 'whitelist_csv: FILE'"), prov_node_kind(n));
		return;
	}
	free(pl->wl);
	pl->nwl = 0;
	count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	pl->wl = xcalloc(count + 1, sizeof *pl->wl);
	for (size = 64; size < 2 * count; size *= 2)
		;
	slot = xcalloc(size, sizeof *slot);
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		v = prov_node(pp, *it);
		parse_wl_entry(pp, v, &pl->wl[pl->nwl]);
		if (pl->wl[pl->nwl].uid[0] != '\0' &&
		    (dup = wl_seen_add(slot, size, pl->wl, pl->nwl)) != NULL)
			prov_err(pp, v, _("card '%s' is listed twice in this whitelist"),
			    dup->uid);
		pl->nwl++;
	}
	free(slot);
	i = pp->nerrors;
	pl->has_whitelist = i == before;
}
