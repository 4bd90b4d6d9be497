/* provision-parse.c - reads and checks a provisioning file (libyaml) before
 * anything touches a pile: every unknown key, wrong type and bad value is
 * reported with file:line:column, and one error makes the file invalid. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/provision.h"
#include "batch/provision-yaml.h"
#include "batch/yaml-load.h"
#include "proto/sig.h"

/* The keys a pile and the defaults share. 1 when key was one of them. */
static int
parse_item(struct prov_parser *pp, const char *k, yaml_node_t *v, struct prov_pile *pl,
    yaml_node_t **wl_node, yaml_node_t **csv_node)
{
	unsigned long	u;
	int		b;

	if (strcmp(k, "whitelist") == 0) {
		*wl_node = v;
		prov_parse_whitelist(pp, v, pl);
	} else if (strcmp(k, "whitelist_csv") == 0) {
		*csv_node = v;
		prov_parse_whitelist_csv(pp, v, pl);
	} else if (strcmp(k, "whitelist_version") == 0) {
		if (prov_get_uint(pp, v, k, 1, UINT32_MAX, &u) == 0)
			pl->wl_version = (uint32_t)u;
	} else if (strcmp(k, "offline_auth") == 0)
		prov_parse_offline_auth(pp, v, pl);
	else if (strcmp(k, "offline_tariff") == 0)
		prov_parse_tariff(pp, v, pl);
	else if (strcmp(k, "clock_sync") == 0) {
		if (prov_get_bool(pp, v, k, &b) == 0)
			pl->clock_sync = b;
	} else if (strcmp(k, "force_offline") == 0)
		prov_parse_force(pp, v, pl);
	else if (strcmp(k, "custody") == 0) {
		if (prov_get_bool(pp, v, k, &b) == 0)
			pl->custody = b;
	}
	else if (strcmp(k, "key_rotation") == 0)
		prov_err(pp, v, _("key rotation is not supported by protocol version 1.0: "
		    "the register map has no register to change a pile's key; remove "
		    "'key_rotation' (rotate keys with the pile vendor's tool, then "
		    "update the keys file)"));
	else
		return 0;
	return 1;
}

#define PROV_ITEM_KEYS	"whitelist, whitelist_csv, whitelist_version, offline_auth, " \
			"offline_tariff, clock_sync, force_offline, custody"

static void
both_lists(struct prov_parser *pp, yaml_node_t *wl, yaml_node_t *csv)
{
	if (wl != NULL && csv != NULL)
		prov_err(pp, csv, _("give the cards either inline ('whitelist', line %lu) "
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

	if (!prov_is_mapping(pp, n, "bus"))
		return;
	PROV_PAIRS(n, p) {
		if ((k = prov_pair_key(pp, n, p)) == NULL)
			continue;
		v = prov_node(pp, p->value);
		if (strcmp(k, "port") == 0) {
			if ((s = prov_scalar(pp, v, k, _("a port"))) == NULL)
				continue;
			if (*s == '\0')
				prov_err(pp, v, _("'port' is empty"));
			else {
				free(pf->port);
				pf->port = strncmp(s, "tcp:", 4) == 0 || s[0] == '/' ?
				    xstrdup(s) : prov_relative_to(pp->path, s);
			}
		} else if (strcmp(k, "baud") == 0) {
			if (prov_get_uint(pp, v, k, 1200, 4000000, &u) == 0)
				pf->baud = (unsigned)u;
		} else if (strcmp(k, "parity") == 0) {
			if ((s = prov_scalar(pp, v, k, _("none, even or odd"))) != NULL &&
			    proto_parse_parity(s, &pf->parity) != 0)
				prov_err(pp, v, _("bad parity '%s': use none, even or odd"), s);
		} else if (strcmp(k, "stop_bits") == 0) {
			if (prov_get_uint(pp, v, k, 1, 2, &u) == 0)
				pf->stop_bits = (unsigned)u;
		} else if (strcmp(k, "framing") == 0) {
			if ((s = prov_scalar(pp, v, k, _("a framing like 8E1"))) != NULL &&
			    proto_parse_framing(s, &pf->parity, &pf->stop_bits) != 0)
				prov_err(pp, v, _("bad framing '%s': give 8 data bits, parity "
				    "N, E or O and 1 or 2 stop bits, like 8E1, 8N1 or 8N2"), s);
		} else
			prov_unknown_key(pp, p, k, "bus", "port, baud, parity, stop_bits, "
			    "framing");
	}
}

static void
parse_defaults(struct prov_parser *pp, yaml_node_t *n, struct prov_file *pf,
    struct prov_pile *def)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*wl = NULL, *csv = NULL;
	const char		*k;

	if (!prov_is_mapping(pp, n, "defaults"))
		return;
	PROV_PAIRS(n, p) {
		if ((k = prov_pair_key(pp, n, p)) == NULL)
			continue;
		if (strcmp(k, "bus") == 0)
			parse_bus(pp, prov_node(pp, p->value), pf);
		else if (strcmp(k, "address") == 0 || strcmp(k, "serial") == 0 ||
		    strcmp(k, "public_key") == 0)
			prov_err(pp, prov_node(pp, p->key), _("'%s' names one pile: give it "
			    "under 'piles', not in 'defaults'"), k);
		else if (!parse_item(pp, k, prov_node(pp, p->value), def, &wl, &csv))
			prov_unknown_key(pp, p, k, "defaults", "bus, " PROV_ITEM_KEYS);
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
	if (pl->custody < 0)
		pl->custody = def->custody > 0;
	if (!pl->has_force && def->has_force) {
		pl->has_force = 1;
		pl->force_on = def->force_on;
		pl->force_for_s = def->force_for_s;
	}
}

/* public_key: the pile's record-signing key, pinned in the archive for its
 * serial as if a first pull had seen it. */
static void
parse_pubkey(struct prov_parser *pp, yaml_node_t *v, struct prov_pile *pl)
{
	const char	*s;

	if ((s = prov_scalar(pp, v, "public_key", _("a public key in hex"))) == NULL)
		return;
	pl->key_line = (unsigned long)v->start_mark.line + 1;
	pl->key_col = (unsigned long)v->start_mark.column + 1;
	switch (proto_pubkey_from_hex(s, pl->pubkey)) {
	case PROTO_KEYHEX_OK:
		pl->has_pubkey = 1;
		break;
	case PROTO_KEYHEX_NOT_HEX:
		prov_err(pp, v, _("'public_key' is not hex: give the pile's key as "
		    "'pilecon status --json' shows it (DER SubjectPublicKeyInfo, "
		    "04|X|Y or X|Y, in hex)"));
		break;
	case PROTO_KEYHEX_LENGTH:
		prov_err(pp, v, _("'public_key' is not a P-256 public key: give 64 "
		    "bytes (X|Y), 65 (04|X|Y) or a 91-byte DER SubjectPublicKeyInfo, "
		    "in hex"));
		break;
	case PROTO_KEYHEX_OFF_CURVE:
		prov_err(pp, v, _("'public_key' is not a point of the P-256 curve: "
		    "check that it was copied whole"));
		break;
	}
}

static void
parse_pile(struct prov_parser *pp, yaml_node_t *n, struct prov_pile *pl,
    const struct prov_pile *def)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*v, *wl = NULL, *csv = NULL, *key = NULL;
	const char		*k, *s;
	unsigned long		 u;

	pl->line = (unsigned long)n->start_mark.line + 1;
	pl->col = (unsigned long)n->start_mark.column + 1;
	pl->clock_sync = -1;
	pl->custody = -1;
	if (!prov_is_mapping(pp, n, "piles")) {
		pl->clock_sync = 0;
		pl->custody = 0;
		return;
	}
	PROV_PAIRS(n, p) {
		if ((k = prov_pair_key(pp, n, p)) == NULL)
			continue;
		v = prov_node(pp, p->value);
		if (strcmp(k, "address") == 0) {
			if (prov_get_uint(pp, v, k, 1, 247, &u) == 0)
				pl->addr = (int)u;
			else
				pl->addr = -1;
		} else if (strcmp(k, "serial") == 0) {
			if ((s = prov_scalar(pp, v, k, _("a serial number"))) == NULL)
				continue;
			if (*s == '\0' || strlen(s) > 16)
				prov_err(pp, v, _("bad serial '%s': 1 to 16 characters"), s);
			else
				snprintf(pl->serial, sizeof pl->serial, "%s", s);
		} else if (strcmp(k, "public_key") == 0) {
			key = v;
			parse_pubkey(pp, v, pl);
		} else if (strcmp(k, "bus") == 0)
			prov_err(pp, prov_node(pp, p->key), _("'bus' belongs in 'defaults': one "
			    "file provisions one bus"));
		else if (!parse_item(pp, k, v, pl, &wl, &csv))
			prov_unknown_key(pp, p, k, _("a pile"), "address, serial, public_key, "
			    PROV_ITEM_KEYS);
	}
	both_lists(pp, wl, csv);
	if (pl->addr == 0 && pl->serial[0] == '\0')
		prov_err(pp, n, _("a pile needs an 'address' (1-247) or a 'serial'"));
	/* The archive pins keys by serial: an address alone could pin the key
	 * for whichever pile answers there. */
	if (key != NULL && pl->serial[0] == '\0')
		prov_err(pp, key, _("'public_key' needs the pile's 'serial' beside it: "
		    "a key belongs to one pile"));
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
				prov_err(pp, prov_node(pp, it[i]), _("address %d is given twice "
				    "(first at line %lu)"), pf->piles[i].addr,
				    pf->piles[j].line);
			if (pf->piles[i].serial[0] != '\0' && strcmp(pf->piles[i].serial,
			    pf->piles[j].serial) == 0)
				prov_err(pp, prov_node(pp, it[i]), _("serial '%s' is given twice "
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
	PROV_PAIRS(root, p) {
		if ((k = prov_pair_key(pp, root, p)) == NULL)
			continue;
		v = prov_node(pp, p->value);
		if (strcmp(k, "defaults") == 0)
			defaults = v;
		else if (strcmp(k, "piles") == 0)
			piles = v;
		else
			prov_unknown_key(pp, p, k, _("the file"), "defaults, piles");
	}
	if (defaults != NULL)
		parse_defaults(pp, defaults, pf, &def);
	if (piles == NULL) {
		prov_err(pp, root, _("the file needs 'piles': a list of the piles to "
		    "provision (- address: 1)"));
		goto out;
	}
	if (piles->type != YAML_SEQUENCE_NODE) {
		prov_err(pp, piles, _("'piles' needs a list (- address: 1), not %s"),
		    prov_node_kind(piles));
		goto out;
	}
	n = (size_t)(piles->data.sequence.items.top - piles->data.sequence.items.start);
	if (n == 0) {
		prov_err(pp, piles, _("'piles' is empty: nothing to provision"));
		goto out;
	}
	pf->piles = xcalloc(n, sizeof *pf->piles);
	for (it = piles->data.sequence.items.start; it < piles->data.sequence.items.top;
	    it++)
		parse_pile(pp, prov_node(pp, *it), &pf->piles[pf->npiles++], &def);
	check_duplicates(pp, pf, piles);
out:
	free(def.wl);
}

int
prov_parse(const char *path, struct prov_file *pf, char ***errors, size_t *nerrors)
{
	struct prov_parser	 pp;
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
	if (batch_yaml_load(f, path, &pp.doc, &msg) != 0) {
		fclose(f);
		goto fail_one;
	}
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
