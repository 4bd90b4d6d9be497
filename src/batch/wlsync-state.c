/* wlsync-state.c - what this laptop recorded after its last whitelist sync
 * of each pile: one file per serial under $XDG_STATE_HOME/pilecon/whitelist/,
 * a comment line with version and digest, then the list as whitelist CSV
 * (so a person can read it and `whitelist sync` can take it back). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "batch/wlcsv.h"
#include "batch/wlsync.h"

#define WLSYNC_MAGIC	"# pilecon whitelist sync:"

char *
wlsync_state_dir(void)
{
	const char	*env = getenv("PILECON_STATE_DIR");
	const char	*xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	if (env != NULL && *env != '\0')
		return xstrdup(env);
	if (xdg != NULL && *xdg == '/')
		return xasprintf("%s/pilecon", xdg);
	return xasprintf("%s/.local/state/pilecon", home ? home : ".");
}

/* A serial is the pile's to choose: keep it to a safe file name. */
static char *
wlsync_state_path(const char *serial)
{
	char	*dir = wlsync_state_dir(), *name = xstrdup(serial), *path, *c;

	for (c = name; *c != '\0'; c++)
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
		    (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
			*c = '_';
	path = xasprintf("%s/whitelist/%s.csv", dir, *name ? name : "_");
	free(dir);
	free(name);
	return path;
}

/* mkdir -p, private: the list names card holders. */
static int
wlsync_mkdirs(const char *path, char **cause)
{
	char	*p = xstrdup(path), *s;
	int	 rc = 0;

	for (s = p + 1; rc == 0 && *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			rc = set_cause(cause, -1, _("cannot create folder '%s': %s"), p,
			    strerror(errno));
		*s = '/';
	}
	free(p);
	return rc;
}

int
wlsync_state_load(const char *serial, uint32_t *version, uint32_t *digest,
    struct proto_wl_entry **e, size_t *n, char **cause)
{
	char	*path = wlsync_state_path(serial), line[160];
	FILE	*f;
	int	 rc;

	*e = NULL;
	*n = 0;
	if ((f = fopen(path, "r")) == NULL) {
		rc = errno == ENOENT ? 1 : set_cause(cause, -1, _("cannot open '%s': "
		    "%s"), path, strerror(errno));
		free(path);
		return rc;
	}
	if (fgets(line, sizeof line, f) == NULL ||
	    strncmp(line, WLSYNC_MAGIC, strlen(WLSYNC_MAGIC)) != 0 ||
	    sscanf(line + strlen(WLSYNC_MAGIC), " version %" SCNu32 " digest %" SCNx32,
	    version, digest) != 2) {
		rc = set_cause(cause, -1, _("'%s' is not a whitelist sync record"),
		    path);
		goto out;
	}
	rc = wlcsv_parse(f, path, e, n, cause);
out:
	fclose(f);
	free(path);
	return rc;
}

int
wlsync_state_save(const char *serial, uint32_t version, uint32_t digest,
    const struct proto_wl_entry *e, size_t n, char **cause)
{
	char		*path = wlsync_state_path(serial), *buf = NULL;
	size_t		 len = 0;
	struct out_file	 of;
	FILE		*f;
	int		 rc = -1;

	if (wlsync_mkdirs(path, cause) != 0)
		goto out;
	if ((f = open_memstream(&buf, &len)) == NULL)
		fatal_oom();
	fprintf(f, "%s version %" PRIu32 " digest %08" PRIX32 "\n", WLSYNC_MAGIC,
	    version, digest);
	rc = wlcsv_write_exact(f, e, n, cause);
	fclose(f);
	if (rc != 0)
		goto out;
	/* out_file: temp file, fsync, rename; a new record is 0600. */
	if (out_file_open(&of, path, cause) != 0) {
		rc = -1;
		goto out;
	}
	if (out_file_write(&of, buf, len) != 0) {
		rc = set_cause(cause, -1, _("cannot record the whitelist sync in '%s': %s"),
		    path, out_file_strerror(errno));
		out_file_abort(&of);
		goto out;
	}
	rc = out_file_commit(&of, cause);
out:
	free(buf);
	free(path);
	return rc;
}
