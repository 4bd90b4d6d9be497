/* complete.c - `pilecon --complete WORD...` (hidden): the candidates for the
 * last word, for contrib/bash-completion/pilecon. Driven by the option and
 * command tables, so completion cannot drift from what the parser takes. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common.h"
#include "batch/batch.h"

enum want { WANT_NONE, WANT_FILE, WANT_PORT, WANT_FORMAT, WANT_DURATION };

static void
candidate(FILE *out, const char *cur, const char *s)
{
	if (strncmp(s, cur, strlen(cur)) == 0)
		fprintf(out, "%s\n", s);
}

/* Files under the folder of cur; ports_only keeps what can be a serial
 * port: character devices, links to them (pilesim's bus link to a
 * /dev/pts/N) and folders to walk into. */
static void
complete_files(FILE *out, const char *cur, int ports_only)
{
	const char	*slash = strrchr(cur, '/'), *base;
	char		*dir, *path;
	DIR		*d;
	struct dirent	*de;
	struct stat	 sb;
	int		 isdir;

	if (slash == NULL) {
		dir = xstrdup(".");
		base = cur;
	} else {
		dir = slash == cur ? xstrdup("/") : xasprintf("%.*s", (int)(slash - cur), cur);
		base = slash + 1;
	}
	if ((d = opendir(dir)) == NULL) {
		free(dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_name[0] == '.' && base[0] != '.')
			continue;
		if (strncmp(de->d_name, base, strlen(base)) != 0)
			continue;
		path = slash ? xasprintf("%.*s%s", (int)(slash - cur + 1), cur, de->d_name) :
		    xstrdup(de->d_name);
		isdir = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
		if (!ports_only || isdir || (stat(path, &sb) == 0 && S_ISCHR(sb.st_mode)))
			fprintf(out, "%s%s\n", path, isdir ? "/" : "");
		free(path);
	}
	closedir(d);
	free(dir);
}

static void
complete_ports(FILE *out, const char *cur)
{
	struct link_port_info	*ports = NULL;
	char			*cause = NULL;
	int			 n, i;

	if ((n = link_list_ports(&ports, &cause)) > 0)
		for (i = 0; i < n; i++)
			candidate(out, cur, ports[i].name);
	free(ports);
	free(cause);
	if (*cur != '\0')
		complete_files(out, cur, 1);
	candidate(out, cur, "tcp:");
}

static void
complete_value(FILE *out, enum want w, const char *cur)
{
	static const char	*durations[] = { "30m", "1h", "2h", "4h", "8h", "1d", "7d" };
	size_t			 i;

	switch (w) {
	case WANT_FILE:
		complete_files(out, cur, 0);
		break;
	case WANT_PORT:
		complete_ports(out, cur);
		break;
	case WANT_FORMAT:
		candidate(out, cur, "csv");
		candidate(out, cur, "jsonl");
		break;
	case WANT_DURATION:
		for (i = 0; i < nitems(durations); i++)
			candidate(out, cur, durations[i]);
		break;
	case WANT_NONE:
		break;
	}
}

static enum want
want_of(const char *arg, size_t len)
{
	if ((len == 4 && strncmp(arg, "FILE", 4) == 0) || (len > 4 && strncmp(arg, "FILE", 4) == 0))
		return WANT_FILE;
	if (len == 4 && strncmp(arg, "PORT", 4) == 0)
		return WANT_PORT;
	if (len == 6 && strncmp(arg, "FORMAT", 6) == 0)
		return WANT_FORMAT;
	if (len == 8 && strncmp(arg, "DURATION", 8) == 0)
		return WANT_DURATION;
	return WANT_NONE;
}

/* The next token of a spec as a string ("--for=DURATION"); NULL at the end. */
static char *
spec_token(const char **pp)
{
	const char	*p = *pp;
	size_t		 len;

	while (*p == ' ')
		p++;
	if ((len = strcspn(p, " ")) == 0)
		return NULL;
	*pp = p + len;
	return xasprintf("%.*s", (int)len, p);
}

/* The value kind option word (as typed, "--for" or "-o") takes in spec;
 * -1 when it is not an option there or takes no value. */
static int
spec_value_kind(const char *spec, const char *word)
{
	const char	*p = spec;
	char		*tok, *eq;
	int		 kind = -1;

	while (kind == -1 && (tok = spec_token(&p)) != NULL) {
		if (tok[0] == '-' && (eq = strchr(tok, '=')) != NULL) {
			*eq = '\0';
			if (strcmp(tok, word) == 0)
				kind = (int)want_of(eq + 1, strlen(eq + 1));
		}
		free(tok);
	}
	return kind;
}

static void
complete_command_args(FILE *out, const struct cmd_entry *ce, int argc, char **argv,
    const char *cur)
{
	const char	*p;
	char		*tok, *eq;
	int		 i, kind, npos = 0, n;

	if (argc > 0 && argv[argc - 1][0] == '-' && strchr(argv[argc - 1], '=') == NULL &&
	    (kind = spec_value_kind(ce->args, argv[argc - 1])) >= 0) {
		complete_value(out, (enum want)kind, cur);
		return;
	}
	if (cur[0] == '-') {
		p = ce->args;
		while ((tok = spec_token(&p)) != NULL) {
			if (tok[0] == '-') {
				if ((eq = strchr(tok, '=')) != NULL)
					*eq = '\0';
				if (strcmp(tok, "--json") != 0)
					candidate(out, cur, tok);
			}
			free(tok);
		}
		candidate(out, cur, "--json");
		candidate(out, cur, "--help");
		return;
	}
	for (i = 0; i < argc; i++) {
		if (argv[i][0] == '-') {
			if (strchr(argv[i], '=') == NULL && spec_value_kind(ce->args, argv[i]) >= 0)
				i++;
			continue;
		}
		npos++;
	}
	p = ce->args;
	n = 0;
	while ((tok = spec_token(&p)) != NULL) {
		if (tok[0] != '-') {
			if (n++ == npos) {
				const char *w = tok[0] == '[' ? tok + 1 : tok;

				complete_value(out, want_of(w, strcspn(w, "]")), cur);
			}
		}
		free(tok);
	}
}

/* Words of command names after the `k` words typed so far. */
static void
complete_command_words(FILE *out, int k, char **typed, const char *cur)
{
	const struct cmd_entry	**ce;
	const char		 *p;
	char			  word[64], seen[32][64];
	size_t			  len, nseen = 0, i;
	int			  w, ok;

	for (ce = cmd_table; *ce != NULL; ce++) {
		p = (*ce)->name;
		ok = 1;
		for (w = 0; w < k && ok; w++) {
			len = strcspn(p, " ");
			if (strlen(typed[w]) != len || strncmp(typed[w], p, len) != 0)
				ok = 0;
			p += len;
			while (*p == ' ')
				p++;
		}
		if (!ok || *p == '\0')
			continue;
		len = strcspn(p, " ");
		if (len >= sizeof word)
			continue;
		memcpy(word, p, len);
		word[len] = '\0';
		for (i = 0; i < nseen; i++)	/* "whitelist" once, not six times */
			if (strcmp(seen[i], word) == 0)
				break;
		if (i < nseen)
			continue;
		if (nseen < nitems(seen))
			strcpy(seen[nseen++], word);
		candidate(out, cur, word);
	}
}

int
batch_complete(int argc, char **argv, FILE *out)
{
	const struct pilecon_option	*po;
	const struct cmd_entry		*ce;
	const char			*cur, *w, *eq;
	size_t				 j, len;
	int				 i = 0, used, last;

	if (argc > 0 && strcmp(argv[0], "--") == 0) {
		argc--;
		argv++;
	}
	if (argc == 0)
		return 0;
	cur = argv[argc - 1];
	last = argc - 1;

	/* Global options before the command. */
	while (i < last && argv[i][0] == '-') {
		w = argv[i];
		po = NULL;
		for (j = 0; j < pilecon_options_len; j++) {
			const struct pilecon_option *o = &pilecon_options[j];

			eq = strchr(w, '=');
			len = eq ? (size_t)(eq - w) : strlen(w);
			if ((w[1] == '-' && len - 2 == strlen(o->name) &&
			    strncmp(w + 2, o->name, len - 2) == 0) ||
			    (w[1] != '-' && w[2] == '\0' && o->short_name == w[1]))
				po = o;
		}
		i++;
		if (po == NULL || po->type == POPT_FLAG || strchr(w, '=') != NULL)
			continue;
		if (i == last) {	/* completing the option's value */
			if (strcmp(po->name, "port") == 0)
				complete_ports(out, cur);
			else if (po->type == POPT_PATH)
				complete_files(out, cur, 0);
			return 0;
		}
		i++;
	}
	if (i == last) {
		if (cur[0] == '-') {
			for (j = 0; j < pilecon_options_len; j++) {
				char *s = xasprintf("--%s", pilecon_options[j].name);

				candidate(out, cur, s);
				free(s);
			}
			return 0;
		}
		complete_command_words(out, 0, NULL, cur);
		return 0;
	}
	ce = cmd_find(last - i, argv + i, &used);
	if (ce != NULL && strcmp(ce->name, "help") == 0) {
		i += used;
		ce = cmd_find(last - i, argv + i, &used);
	}
	if (ce == NULL) {
		complete_command_words(out, last - i, argv + i, cur);
		return 0;
	}
	complete_command_args(out, ce, last - i - used, argv + i + used, cur);
	return 0;
}
