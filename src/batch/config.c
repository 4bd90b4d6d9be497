/* config.c - $XDG_CONFIG_HOME/pilecon/config.yaml: a flat mapping whose keys
 * and types come from the global option table (options.c). Every error
 * names file:line:column; an unknown key is an error, not a silent no-op. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/yaml-load.h"

char *
pilecon_config_default_path(void)
{
	const char	*xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (xdg != NULL && *xdg == '/')
		return xasprintf("%s/pilecon/config.yaml", xdg);
	return xasprintf("%s/.config/pilecon/config.yaml", home ? home : ".");
}

/* "~/x" from $HOME; a relative path is taken from the config file's folder,
 * so a config and its keys file can travel together. */
static char *
config_path_value(const char *cfgpath, const char *v)
{
	const char	*home = getenv("HOME"), *slash;

	if (v[0] == '~' && (v[1] == '/' || v[1] == '\0'))
		return xasprintf("%s%s", home ? home : "", v + 1);
	if (v[0] == '/' || strncmp(v, "tcp:", 4) == 0)
		return xstrdup(v);
	if ((slash = strrchr(cfgpath, '/')) == NULL)
		return xstrdup(v);
	return xasprintf("%.*s/%s", (int)(slash - cfgpath), cfgpath, v);
}

static char *
known_keys(void)
{
	char	*s = xstrdup(""), *t;
	size_t	 i;

	for (i = 0; i < pilecon_options_len; i++) {
		if (pilecon_options[i].config_key == NULL)
			continue;
		t = xasprintf("%s%s%s", s, *s ? ", " : "", pilecon_options[i].config_key);
		free(s);
		s = t;
	}
	return s;
}

static int
config_apply(struct pilecon_opts *o, const char *path, const struct pilecon_option *po,
    yaml_node_t *vn, char **cause)
{
	const char	*v;
	char		*end;
	long		 n;
	unsigned long	 line = vn->start_mark.line + 1, col = vn->start_mark.column + 1;

	if (vn->type != YAML_SCALAR_NODE)
		return set_cause(cause, -1, _("%s:%lu:%lu: '%s' needs a single value, not a %s"),
		    path, line, col, po->config_key,
		    vn->type == YAML_MAPPING_NODE ? _("mapping") : _("list"));
	v = (const char *)vn->data.scalar.value;
	switch (po->type) {
	case POPT_INT:
		errno = 0;
		n = strtol(v, &end, 10);
		if (*v == '\0' || *end != '\0' || errno != 0 || n < po->min || n > po->max)
			return set_cause(cause, -1, _("%s:%lu:%lu: bad value '%s' for '%s': "
			    "expected a number from %ld to %ld"), path, line, col, v,
			    po->config_key, po->min, po->max);
		if (strcmp(po->name, "address") == 0)
			o->addr = (int)n;
		else if (strcmp(po->name, "baud") == 0)
			o->baud = (unsigned)n;
		else if (strcmp(po->name, "stop-bits") == 0)
			o->stop_bits = (unsigned)n;
		else if (strcmp(po->name, "rs485-delay") == 0)
			o->rs485_delay_ms = (int)n;
		else if (strcmp(po->name, "timeout") == 0)
			o->timeout_ms = (int)n;
		else if (strcmp(po->name, "retries") == 0)
			o->retries = (int)n;
		break;
	case POPT_STRING:
	case POPT_PATH:
		if (*v == '\0')
			return set_cause(cause, -1, _("%s:%lu:%lu: '%s' is empty"), path, line,
			    col, po->config_key);
		if (strcmp(po->name, "port") == 0) {
			free(o->port);
			o->port = po->type == POPT_PATH || v[0] == '~' ?
			    config_path_value(path, v) : xstrdup(v);
		} else if (strcmp(po->name, "keys") == 0) {
			free(o->keys_file);
			o->keys_file = config_path_value(path, v);
		} else if (strcmp(po->name, "archive") == 0) {
			free(o->archive_path);
			o->archive_path = config_path_value(path, v);
		} else if (strcmp(po->name, "bus-range") == 0 ||
		    strcmp(po->name, "bus-known") == 0) {
			char	*why = NULL;

			if (pilecon_opts_bus(o, po->name, v, &why) != 0) {
				set_cause(cause, -1, "%s:%lu:%lu: %s", path, line,
				    col, why);
				free(why);
				return -1;
			}
		} else if (strcmp(po->name, "parity") == 0 ||
		    strcmp(po->name, "framing") == 0) {
			char	*why = NULL;

			if (pilecon_opts_serial(o, po->name, v, &why) != 0) {
				set_cause(cause, -1, "%s:%lu:%lu: %s", path, line,
				    col, why);
				free(why);
				return -1;
			}
		}
		break;
	case POPT_FLAG:
		break;
	}
	return 0;
}

int
pilecon_config_load(struct pilecon_opts *o, const char *path, int must_exist, char **cause)
{
	FILE			*f;
	yaml_document_t		 doc;
	yaml_node_t		*root, *kn, *vn;
	yaml_node_pair_t	*pair, *other;
	const struct pilecon_option *po;
	const char		*key;
	char			*known;
	size_t			 i;
	int			 rc = -1;

	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT && !must_exist)
			return 0;
		return set_cause(cause, -1, _("cannot open config file '%s': %s"), path,
		    strerror(errno));
	}
	if (batch_yaml_load(f, path, &doc, cause) != 0) {
		fclose(f);
		return -1;
	}
	root = yaml_document_get_root_node(&doc);
	if (root == NULL || (root->type == YAML_SCALAR_NODE &&
	    root->data.scalar.length == 0)) {
		rc = 0;		/* an empty file configures nothing */
		goto out;
	}
	if (root->type != YAML_MAPPING_NODE) {
		set_cause(cause, -1, _("%s:%lu:%lu: the config must be a mapping of keys "
		    "(port: /dev/ttyUSB0, baud: 115200, ...)"), path,
		    (unsigned long)root->start_mark.line + 1,
		    (unsigned long)root->start_mark.column + 1);
		goto out;
	}
	for (pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top; pair++) {
		kn = yaml_document_get_node(&doc, pair->key);
		vn = yaml_document_get_node(&doc, pair->value);
		if (kn->type != YAML_SCALAR_NODE) {
			set_cause(cause, -1, _("%s:%lu:%lu: a key must be a plain word"), path,
			    (unsigned long)kn->start_mark.line + 1,
			    (unsigned long)kn->start_mark.column + 1);
			goto out;
		}
		key = (const char *)kn->data.scalar.value;
		for (other = root->data.mapping.pairs.start; other < pair; other++) {
			yaml_node_t *ok = yaml_document_get_node(&doc, other->key);

			if (ok->type == YAML_SCALAR_NODE &&
			    strcmp((const char *)ok->data.scalar.value, key) == 0) {
				set_cause(cause, -1, _("%s:%lu:%lu: key '%s' is given twice "
				    "(first at line %lu)"), path,
				    (unsigned long)kn->start_mark.line + 1,
				    (unsigned long)kn->start_mark.column + 1, key,
				    (unsigned long)ok->start_mark.line + 1);
				goto out;
			}
		}
		po = NULL;
		for (i = 0; i < pilecon_options_len; i++)
			if (pilecon_options[i].config_key != NULL &&
			    strcmp(pilecon_options[i].config_key, key) == 0)
				po = &pilecon_options[i];
		if (po == NULL) {
			known = known_keys();
			set_cause(cause, -1, _("%s:%lu:%lu: unknown key '%s' (known keys: %s)"),
			    path, (unsigned long)kn->start_mark.line + 1,
			    (unsigned long)kn->start_mark.column + 1, key, known);
			free(known);
			goto out;
		}
		if (config_apply(o, path, po, vn, cause) != 0)
			goto out;
	}
	rc = 0;
out:
	yaml_document_delete(&doc);
	fclose(f);
	return rc;
}

/* Makes the folders above path (mkdir -p of its folder). */
static void
config_mkdirs(const char *path)
{
	char	*dir = xstrdup(path), *p;

	for (p = dir + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		(void)mkdir(dir, 0700);
		*p = '/';
	}
	free(dir);
}

int
pilecon_config_set(const char *path, int n, const char *const *keys,
    const char *const *values, char **cause)
{
	struct out_file	 of;
	FILE		*f;
	char		*text = NULL, *out, *line, *next, *t, **quoted;
	size_t		 len = 0, klen, bad_at = 0;
	int		 i, *done, skip = 0;

	/* Each value quoted first: a value YAML cannot hold changes nothing. */
	quoted = xcalloc((size_t)n, sizeof *quoted);
	for (i = 0; i < n; i++) {
		if ((quoted[i] = text_yaml_quote(values[i], &bad_at)) != NULL)
			continue;
		set_cause(cause, -1, _("cannot write '%s' to config file '%s': its value "
		    "is not UTF-8 (byte %zu is 0x%02X)"), keys[i], path, bad_at + 1,
		    (unsigned)(unsigned char)values[i][bad_at]);
		while (i-- > 0)
			free(quoted[i]);
		free(quoted);
		return -1;
	}
	if ((f = fopen(path, "r")) != NULL) {
		if (getdelim(&text, &len, '\0', f) < 0) {
			free(text);
			text = NULL;
		}
		fclose(f);
	} else if (errno != ENOENT) {
		set_cause(cause, -1, _("cannot read config file '%s': %s"), path,
		    strerror(errno));
		for (i = 0; i < n; i++)
			free(quoted[i]);
		free(quoted);
		return -1;
	}
	done = xcalloc((size_t)n, sizeof *done);
	out = xstrdup("");
	for (line = text; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		/* An indented line after a key we replace carries the rest of its
		 * old value (a scalar over several lines): it goes with it. */
		if (skip && (*line == ' ' || *line == '\t'))
			continue;
		skip = 0;
		for (i = 0; i < n; i++) {
			klen = strlen(keys[i]);
			if (strncmp(line, keys[i], klen) == 0 && line[klen] == ':')
				break;
		}
		if (i < n && done[i]) {
			skip = 1;
			continue;	/* a second copy: the file says it once */
		}
		if (i < n) {
			done[i] = 1;
			skip = 1;
			t = xasprintf("%s%s: %s\n", out, keys[i], quoted[i]);
		} else
			t = xasprintf("%s%s\n", out, line);
		free(out);
		out = t;
	}
	for (i = 0; i < n; i++) {
		if (done[i])
			continue;
		t = xasprintf("%s%s: %s\n", out, keys[i], quoted[i]);
		free(out);
		out = t;
	}
	for (i = 0; i < n; i++)
		free(quoted[i]);
	free(quoted);
	free(done);
	free(text);
	config_mkdirs(path);
	if (out_file_open(&of, path, cause) != 0) {
		free(out);
		return -1;
	}
	if (out_file_write(&of, out, strlen(out)) != 0) {
		set_cause(cause, -1, _("cannot write config file '%s': %s"), path,
		    out_file_strerror(errno));
		out_file_abort(&of);
		free(out);
		return -1;
	}
	free(out);
	return out_file_commit(&of, cause);
}
