/* provision-yaml.h - private to the provisioning file's parser: the YAML
 * walking and error machinery (provision-yaml.c) and the section parsers
 * that provision-parse.c calls for each pile and the defaults. */
#ifndef PROVISION_YAML_H
#define PROVISION_YAML_H

#include <yaml.h>

#include "batch/provision.h"

struct prov_parser {
	const char	*path;
	yaml_document_t	 doc;
	char		**errors;
	size_t		 nerrors;
};

/* ---- walking the YAML (provision-yaml.c) ----------------------------------- */

/* Records "FILE:LINE:COLUMN: message" at the node (up to a limit). */
void	prov_err(struct prov_parser *, const yaml_node_t *, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
yaml_node_t *prov_node(struct prov_parser *, int id);
const char *prov_node_kind(const yaml_node_t *);
/* The scalar's text, or NULL after an error saying what was wanted. */
const char *prov_scalar(struct prov_parser *, const yaml_node_t *, const char *key,
	    const char *want);
int	prov_is_mapping(struct prov_parser *, const yaml_node_t *, const char *key);

/* Walks a mapping's pairs, catching keys given twice. */
#define PROV_PAIRS(n, p) \
	for ((p) = (n)->data.mapping.pairs.start; (p) < (n)->data.mapping.pairs.top; (p)++)

const char *prov_pair_key(struct prov_parser *, const yaml_node_t *map,
	    yaml_node_pair_t *);
void	prov_unknown_key(struct prov_parser *, yaml_node_pair_t *, const char *key,
	    const char *where, const char *known);
int	prov_get_uint(struct prov_parser *, const yaml_node_t *, const char *key,
	    unsigned long min, unsigned long max, unsigned long *);
int	prov_get_bool(struct prov_parser *, const yaml_node_t *, const char *key, int *);
/* A policy word: 0 for the first, 1 for the second. */
int	prov_get_choice(struct prov_parser *, const yaml_node_t *, const char *key,
	    const char *w0, const char *w1, unsigned *);
/* A relative CSV path is taken from the YAML file's folder. */
char	*prov_relative_to(const char *yaml_path, const char *);

/* ---- the sections ---------------------------------------------------------- */

/* provision-offline.c */
void	prov_parse_offline_auth(struct prov_parser *, yaml_node_t *, struct prov_pile *);
void	prov_parse_force(struct prov_parser *, yaml_node_t *, struct prov_pile *);
/* provision-tariff.c */
void	prov_parse_tariff(struct prov_parser *, yaml_node_t *, struct prov_pile *);
/* provision-whitelist.c */
void	prov_parse_whitelist(struct prov_parser *, yaml_node_t *, struct prov_pile *);
void	prov_parse_whitelist_csv(struct prov_parser *, yaml_node_t *, struct prov_pile *);

#endif
