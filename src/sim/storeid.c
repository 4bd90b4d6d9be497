/* storeid.c - protocol 1.1's store identity (cap STORE) on a simulated pile:
 * live.store_id, a nonzero random number drawn when the record store is
 * created or reset and kept beside it (DIR/pile-N/store_id), and `store
 * reset`, which empties the store as a replaced controller would: the
 * same serial, numbering from 1 again, a new store_id. */
#include "config.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "ctl.h"

static int
store_id_new(struct sim_pile *p, char **cause)
{
	char		*path, buf[16];
	uint32_t	 id;
	int		 rc;

	do
		id = randombytes_random();
	while (id == 0 || id == p->store_id);
	path = xasprintf("%s/store_id", p->dir);
	snprintf(buf, sizeof buf, "%u\n", id);
	rc = sim_write_atomic(path, buf, strlen(buf), 0644, cause);
	free(path);
	if (rc == 0)
		p->store_id = id;
	return rc;
}

int
sim_store_id_open(struct sim_pile *p, char **cause)
{
	char		*path, *s;
	unsigned long	 v = 0;

	path = xasprintf("%s/store_id", p->dir);
	s = sim_read_file(path, NULL);
	free(path);
	if (s != NULL)
		v = strtoul(s, NULL, 10);
	free(s);
	if (v != 0 && v <= UINT32_MAX) {
		p->store_id = (uint32_t)v;
		return 0;
	}
	return store_id_new(p, cause);
}

/* Empties the record store (records, synced watermark) and draws a new
 * store_id; the whitelist and settings stay. Refused while charging. */
static int
store_reset(struct sim_pile *p, char **cause)
{
	char	*path;
	int	 rc;

	if (p->sess.active)
		return set_cause(cause, -1, _("pile %d is charging: end the session "
		    "first (unplug %d)"), p->addr, p->addr);
	if (ftruncate(p->rec_fd, 0) != 0 || fsync(p->rec_fd) != 0)
		return set_cause(cause, -1, _("cannot empty the record store of pile "
		    "%d"), p->addr);
	p->rec_base = 1;
	p->last_seq = 0;
	p->synced = 0;
	if (sim_custody_reset(p, cause) != 0)
		return -1;
	p->rec_cursor = 0;
	p->resync_state = PROTO_RESYNC_IDLE;
	path = xasprintf("%s/synced", p->dir);
	rc = sim_write_atomic(path, "0\n", 2, 0644, cause);
	free(path);
	if (rc == 0)
		rc = store_id_new(p, cause);
	p->dirty = 1;
	return rc;
}

int
sim_ctl_store(struct sim_world *w, int argc, char **argv, FILE *out, uint64_t now_ms)
{
	struct sim_pile	*p;
	char		*cause = NULL;
	int		 rc;

	(void)now_ms;
	if (argc != 3 || strcmp(argv[1], "reset") != 0)
		return sim_ctl_usage(out);
	if ((p = sim_ctl_pile(w, argv[2], out)) == NULL)
		return CTL_FAILED;
	if (store_reset(p, &cause) != 0) {
		rc = sim_ctl_fail(out, "%s", cause);
		free(cause);
		return rc;
	}
	fprintf(out, _("pile %d: record store reset, numbering starts at 1 again, "
	    "store_id %u\n"), p->addr, p->store_id);
	return CTL_OK;
}
