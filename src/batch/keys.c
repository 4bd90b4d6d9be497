/* keys.c - the keys file (`--keys FILE`, `keys:` in the config): one
 * HMAC-SHA256 key per pile serial, the format pilesim writes to
 * DIR/keys.yaml. A key is never printed, not even in an error. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>
#include <yaml.h>

#include "common.h"
#include "batch/batch.h"

int
keys_check_private(const char *path, char **warning)
{
	struct stat	sb;

	if (stat(path, &sb) != 0)
		return set_cause(warning, -1, _("cannot examine keys file '%s': %s"), path,
		    strerror(errno));
	if ((sb.st_mode & (S_IRWXG | S_IRWXO)) == 0)
		return 0;
	return set_cause(warning, 1, _("keys file '%s' can be read by other users "
	    "(mode %03o): anyone who reads it can write to these piles; "
	    "run 'chmod 600 %s'"), path, (unsigned)(sb.st_mode & 0777), path);
}

/* 1 when the serial node holds serial: its text, or the bytes of a
 * !!binary value (pilesim writes a serial that is not UTF-8 so). */
static int
serial_is(const yaml_node_t *sn, const char *serial)
{
	unsigned char	bytes[64];
	size_t		n;

	if (sn == NULL || sn->type != YAML_SCALAR_NODE)
		return 0;
	if (sn->tag == NULL || strcmp((const char *)sn->tag, "tag:yaml.org,2002:binary") != 0)
		return strcmp((const char *)sn->data.scalar.value, serial) == 0;
	if (sodium_base642bin(bytes, sizeof bytes, (const char *)sn->data.scalar.value,
	    sn->data.scalar.length, " \t\r\n", &n, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0)
		return 0;
	return n == strlen(serial) && memcmp(bytes, serial, n) == 0;
}

static yaml_node_t *
map_get(yaml_document_t *doc, yaml_node_t *map, const char *name)
{
	yaml_node_pair_t	*pair;
	yaml_node_t		*k;

	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		k = yaml_document_get_node(doc, pair->key);
		if (k->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, name) == 0)
			return yaml_document_get_node(doc, pair->value);
	}
	return NULL;
}

int
keys_lookup(const char *path, const char *serial, uint8_t key[PROTO_KEY_BYTES], char **cause)
{
	FILE		*f;
	yaml_parser_t	 parser;
	yaml_document_t	 doc;
	yaml_node_t	*root, *list, *item, *sn, *kn;
	yaml_node_item_t *it;
	size_t		 i;
	int		 rc = -1;

	if ((f = fopen(path, "r")) == NULL)
		return set_cause(cause, -1, _("cannot open keys file '%s': %s"), path,
		    strerror(errno));
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		set_cause(cause, -1, _("%s:%lu:%lu: %s"), path,
		    (unsigned long)parser.problem_mark.line + 1,
		    (unsigned long)parser.problem_mark.column + 1,
		    parser.problem ? parser.problem : _("bad YAML"));
		yaml_parser_delete(&parser);
		fclose(f);
		return -1;
	}
	root = yaml_document_get_root_node(&doc);
	list = map_get(&doc, root, "keys");
	if (list == NULL || list->type != YAML_SEQUENCE_NODE) {
		set_cause(cause, -1, _("%s:%lu:%lu: expected 'keys:' with a list of "
		    "serial/key pairs"), path,
		    root ? (unsigned long)root->start_mark.line + 1 : 1UL,
		    root ? (unsigned long)root->start_mark.column + 1 : 1UL);
		goto out;
	}
	for (it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++) {
		item = yaml_document_get_node(&doc, *it);
		sn = map_get(&doc, item, "serial");
		if (!serial_is(sn, serial))
			continue;
		kn = map_get(&doc, item, "key");
		if (kn == NULL || kn->type != YAML_SCALAR_NODE ||
		    kn->data.scalar.length != 2 * PROTO_KEY_BYTES) {
			set_cause(cause, -1, _("%s:%lu:%lu: the key of '%s' must be %d hex "
			    "characters"), path,
			    (unsigned long)(kn ? kn : item)->start_mark.line + 1,
			    (unsigned long)(kn ? kn : item)->start_mark.column + 1, text_show(serial),
			    2 * PROTO_KEY_BYTES);
			goto out;
		}
		if (proto_hex_decode((const char *)kn->data.scalar.value, key,
		    PROTO_KEY_BYTES) != 0) {
			explicit_bzero(key, PROTO_KEY_BYTES);
			set_cause(cause, -1, _("%s:%lu:%lu: the key of '%s' is not hex"),
			    path, (unsigned long)kn->start_mark.line + 1,
			    (unsigned long)kn->start_mark.column + 1, text_show(serial));
			goto out;
		}
		rc = 0;
		goto out;
	}
	set_cause(cause, -1, _("no key for pile '%s' in keys file '%s'"), text_show(serial), path);
out:
	/* The parsed document holds the key text: wipe it before freeing. */
	for (i = 1; yaml_document_get_node(&doc, (int)i) != NULL; i++) {
		yaml_node_t *n = yaml_document_get_node(&doc, (int)i);

		if (n->type == YAML_SCALAR_NODE)
			explicit_bzero(n->data.scalar.value, n->data.scalar.length);
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}
