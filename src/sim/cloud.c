/* cloud.c - the emulated cloud: the current tariff, the order counter and the
 * records resync delivered, kept in DIR/cloud.jsonl (one line per record,
 * keyed by serial and seq) so a test can prove "exactly once". */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "world.h"

/* A time-of-use map as Chinese grids publish them (UTC here, since the pile
 * clock is UTC): valley at night, peaks late morning and evening. */
static const char sim_default_slots[PROTO_SLOTS + 1] =
	"3333333333333333"	/* 00:00-08:00 valley */
	"2222"			/* 08:00-10:00 flat */
	"1111111111"		/* 10:00-15:00 peak */
	"222222"		/* 15:00-18:00 flat */
	"000000"		/* 18:00-21:00 sharp */
	"1111"			/* 21:00-23:00 peak */
	"33";			/* 23:00-24:00 valley */

void
sim_tariff_default(struct proto_tariff *t)
{
	static const uint32_t energy[PROTO_PERIODS] = { 120000, 100000, 85000, 40000 };
	static const uint32_t service[PROTO_PERIODS] = { 30000, 30000, 25000, 20000 };
	int	i;

	memset(t, 0, sizeof *t);
	t->version = 1;
	memcpy(t->energy_price, energy, sizeof energy);
	memcpy(t->service_price, service, sizeof service);
	for (i = 0; i < PROTO_SLOTS; i++)
		t->slot_period[i] = (uint8_t)(sim_default_slots[i] - '0');
}

/* Same record bytes, the synced flag aside (it is outside the CRC too). */
static int
cloud_same(const struct proto_record *a, const struct proto_record *b)
{
	struct proto_record	x = *a, y = *b;
	uint8_t			wx[PROTO_RECORD_BYTES], wy[PROTO_RECORD_BYTES];

	x.flags &= ~PROTO_REC_F_SYNCED;
	y.flags &= ~PROTO_REC_F_SYNCED;
	proto_record_encode(&x, wx);
	proto_record_encode(&y, wy);
	return memcmp(wx, wy, sizeof wx) == 0;
}

/*
 * The key is pile serial, store identity and seq. A store_id of 0 is
 * unknown (an OCMF line, an export from before store_id): such a record is
 * the one held under the same serial and seq with the same bytes, from any
 * store. A match by key with other bytes is returned with *same 0.
 */
const struct sim_cloud_rec *
sim_cloud_find(const struct sim_cloud *c, const char *serial, uint32_t store_id,
    const struct proto_record *rec, int *same)
{
	const struct sim_cloud_rec	*cr, *other = NULL;
	size_t				 i;

	/* Newest first: a resend is almost always of the last few records. */
	for (i = c->nrecs; i > 0; i--) {
		cr = &c->recs[i - 1];
		if (cr->rec.seq != rec->seq || strcmp(cr->serial, serial) != 0)
			continue;
		if (store_id != 0 && cr->store_id != 0 && cr->store_id != store_id)
			continue;
		if (cloud_same(&cr->rec, rec)) {
			*same = 1;
			return cr;
		}
		/* Unknown on either side and other bytes: another store's. */
		if (store_id != 0 && cr->store_id == store_id)
			other = cr;
		else if (store_id == 0 && other == NULL)
			other = cr;
	}
	*same = 0;
	return other;
}

static void
cloud_add(struct sim_cloud *c, const char *serial, uint32_t store_id, unsigned via,
    const struct proto_record *rec)
{
	if (c->nrecs == c->alloc) {
		c->alloc = c->alloc ? c->alloc * 2 : 64;
		c->recs = xrealloc(c->recs, c->alloc * sizeof *c->recs);
	}
	snprintf(c->recs[c->nrecs].serial, sizeof c->recs[c->nrecs].serial, "%s", serial);
	c->recs[c->nrecs].store_id = store_id;
	c->recs[c->nrecs].via = via;
	c->recs[c->nrecs].rec = *rec;
	c->recs[c->nrecs].rec.flags &= ~PROTO_REC_F_SYNCED;
	c->nrecs++;
}

/* Takes back one line this file wrote: "serial", "store_id" (absent in
 * lines from before it: 0, unknown), "via" and "wire" matter, the rest is
 * for people and is recomputed from the wire bytes. */
static int
parse_line(const char *line, struct sim_cloud_rec *cr)
{
	const char	*s, *e;
	uint8_t		 buf[PROTO_RECORD_BYTES];
	unsigned	 v;
	size_t		 i;

	memset(cr, 0, sizeof *cr);
	if ((s = strstr(line, "\"serial\":\"")) == NULL)
		return -1;
	s += 10;
	if ((e = strchr(s, '"')) == NULL || (size_t)(e - s) >= sizeof cr->serial)
		return -1;
	memcpy(cr->serial, s, e - s);
	cr->serial[e - s] = '\0';
	if ((s = strstr(line, "\"store_id\":")) != NULL)
		cr->store_id = (uint32_t)strtoul(s + 11, NULL, 10);
	if (strstr(line, "\"via\":\"import\"") != NULL)
		cr->via = SIM_VIA_IMPORT;
	if ((s = strstr(line, "\"wire\":\"")) == NULL)
		return -1;
	s += 8;
	for (i = 0; i < sizeof buf; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		buf[i] = (uint8_t)v;
	}
	return proto_record_decode(buf, &cr->rec) == 0 ? 0 : -1;
}

const struct proto_tariff *
sim_cloud_tariff(const struct sim_cloud *c, uint32_t version)
{
	size_t	i;

	if (c->tariff.version == version)
		return &c->tariff;
	for (i = 0; i < c->ntariffs; i++)
		if (c->tariffs[i].version == version)
			return &c->tariffs[i];
	return NULL;
}

/* The cloud remembers every tariff version it published: a record settled
 * offline at an older one is checked against that one. */
void
sim_cloud_tariff_publish(struct sim_cloud *c, const struct proto_tariff *t)
{
	size_t	i;

	for (i = 0; i < c->ntariffs; i++)
		if (c->tariffs[i].version == t->version)
			break;
	if (i == c->ntariffs) {
		c->tariffs = xrealloc(c->tariffs, (c->ntariffs + 1) * sizeof *c->tariffs);
		c->ntariffs++;
	}
	c->tariffs[i] = *t;
}

static int
parse_prices(const char *s, struct proto_tariff *t)
{
	return sscanf(s, "%" SCNu32 " %" SCNu32 " %" SCNu32 " %" SCNu32
	    " %" SCNu32 " %" SCNu32 " %" SCNu32 " %" SCNu32,
	    &t->energy_price[0], &t->energy_price[1],
	    &t->energy_price[2], &t->energy_price[3],
	    &t->service_price[0], &t->service_price[1],
	    &t->service_price[2], &t->service_price[3]) == 8 ? 0 : -1;
}

static int
cloud_state_load(struct sim_cloud *c, const char *dir, char **cause)
{
	char		*path, *buf, *line, *next;
	unsigned	 i;
	int		 bad = 0;

	sim_tariff_default(&c->tariff);
	c->next_order = 1;
	path = xasprintf("%s/cloud.state", dir);
	if ((buf = sim_read_file(path, NULL)) == NULL) {
		free(path);
		sim_cloud_tariff_publish(c, &c->tariff);
		return 0;
	}
	for (line = buf; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (strncmp(line, "next_order ", 11) == 0)
			c->next_order = (uint32_t)strtoul(line + 11, NULL, 10);
		else if (strncmp(line, "tariff.version ", 15) == 0)
			c->tariff.version = (uint32_t)strtoul(line + 15, NULL, 10);
		else if (strncmp(line, "tariff.prices ", 14) == 0) {
			if (parse_prices(line + 14, &c->tariff) != 0)
				bad = 1;
		} else if (strncmp(line, "tariff.published ", 17) == 0) {
			/* version and prices; the slots do not matter for money */
			struct proto_tariff	 old;
			char			*end;

			memset(&old, 0, sizeof old);
			old.version = (uint32_t)strtoul(line + 17, &end, 10);
			if (old.version == 0 || parse_prices(end, &old) != 0)
				bad = 1;
			else
				sim_cloud_tariff_publish(c, &old);
		} else if (strncmp(line, "tariff.slots ", 13) == 0) {
			if (strlen(line + 13) != PROTO_SLOTS)
				bad = 1;
			for (i = 0; !bad && i < PROTO_SLOTS; i++) {
				if (line[13 + i] < '0' || line[13 + i] > '3')
					bad = 1;
				else
					c->tariff.slot_period[i] = (uint8_t)(line[13 + i] - '0');
			}
		}
	}
	free(buf);
	if (!bad)
		sim_cloud_tariff_publish(c, &c->tariff);
	if (bad) {
		set_cause(cause, -1, _("bad tariff in '%s' (move it away to go back to "
		    "the default tariff)"), path);
		free(path);
		return -1;
	}
	free(path);
	return 0;
}

int
sim_cloud_save(struct sim_world *w, char **cause)
{
	struct sim_cloud	*c = &w->cloud;
	const struct proto_tariff *t = &c->tariff;
	char			 slots[PROTO_SLOTS + 1], *path, *s;
	size_t			 i;
	int			 rc;

	sim_slots_str(t, slots);
	s = xasprintf("# pilesim cloud state\nnext_order %" PRIu32 "\n"
	    "tariff.version %" PRIu32 "\ntariff.prices %" PRIu32 " %" PRIu32 " %" PRIu32
	    " %" PRIu32 " %" PRIu32 " %" PRIu32 " %" PRIu32 " %" PRIu32 "\n"
	    "tariff.slots %s\n", c->next_order, t->version,
	    t->energy_price[0], t->energy_price[1], t->energy_price[2], t->energy_price[3],
	    t->service_price[0], t->service_price[1], t->service_price[2],
	    t->service_price[3], slots);
	for (i = 0; i < c->ntariffs; i++) {
		const struct proto_tariff *o = &c->tariffs[i];
		char *more = xasprintf("%stariff.published %" PRIu32 " %" PRIu32 " %" PRIu32
		    " %" PRIu32 " %" PRIu32 " %" PRIu32 " %" PRIu32 " %" PRIu32 " %" PRIu32
		    "\n", s, o->version, o->energy_price[0], o->energy_price[1],
		    o->energy_price[2], o->energy_price[3], o->service_price[0],
		    o->service_price[1], o->service_price[2], o->service_price[3]);

		free(s);
		s = more;
	}
	path = xasprintf("%s/cloud.state", w->dir);
	rc = sim_write_atomic(path, s, strlen(s), 0644, cause);
	free(path);
	free(s);
	return rc;
}

int
sim_cloud_open(struct sim_cloud *c, const char *dir, char **cause)
{
	struct sim_cloud_rec	 cr;
	char			*buf, *line, *next;
	size_t			 len = 0, keep = 0;
	int			 same;

	memset(c, 0, sizeof *c);
	c->fd = -1;
	if (cloud_state_load(c, dir, cause) != 0)
		return -1;
	c->path = xasprintf("%s/cloud.jsonl", dir);
	if ((buf = sim_read_file(c->path, &len)) != NULL) {
		for (line = buf; line != NULL && *line != '\0'; line = next) {
			if ((next = strchr(line, '\n')) == NULL)
				break;		/* torn by a kill: never acknowledged */
			*next++ = '\0';
			keep = next - buf;
			if (parse_line(line, &cr) == 0 &&
			    sim_cloud_find(c, cr.serial, cr.store_id, &cr.rec, &same) == NULL)
				cloud_add(c, cr.serial, cr.store_id, cr.via, &cr.rec);
		}
		free(buf);
	}
	c->fd = open(c->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (c->fd == -1)
		return set_cause(cause, -1, _("cannot open '%s': %s"), c->path,
		    strerror(errno));
	if (keep != len && ftruncate(c->fd, keep) == -1)
		return set_cause(cause, -1, _("cannot cut the torn tail of '%s': %s"),
		    c->path, strerror(errno));
	return 0;
}

void
sim_cloud_close(struct sim_cloud *c)
{
	if (c->fd != -1)
		close(c->fd);
	free(c->recs);
	free(c->tariffs);
	free(c->keys);
	free(c->path);
	memset(c, 0, sizeof *c);
	c->fd = -1;
}

/* Appends one record's line; a failed write is cut off again, since a torn
 * line in the middle of the file would hide the records after it. */
int
sim_cloud_append(struct sim_cloud *c, const char *serial, uint32_t store_id,
    unsigned via, const struct proto_record *in, char **cause)
{
	struct sim_cloud_rec	 cr;
	uint8_t			 wire[PROTO_RECORD_BYTES];
	char			*line = NULL, hex[2 * PROTO_RECORD_BYTES + 1];
	size_t			 len = 0, i;
	FILE			*f;
	ssize_t			 n;
	const char		*p;
	off_t			 at = -1;

	memset(&cr, 0, sizeof cr);
	snprintf(cr.serial, sizeof cr.serial, "%s", serial);
	cr.store_id = store_id;
	cr.via = via;
	cr.rec = *in;
	cr.rec.flags &= ~PROTO_REC_F_SYNCED;
	proto_record_encode(&cr.rec, wire);
	for (i = 0; i < sizeof wire; i++)
		snprintf(hex + 2 * i, 3, "%02x", wire[i]);
	if ((f = open_memstream(&line, &len)) == NULL)
		return set_cause(cause, -1, _("out of memory"));
	/* The wire bytes the loader reads back; hex is [0-9a-f] only, so the
	 * loader finds them without a JSON parser. */
	sim_json_cloud_record(f, &cr, hex);
	fputc('\n', f);
	fclose(f);
	p = line;
	if ((at = lseek(c->fd, 0, SEEK_END)) == -1)
		goto fail;
	while (len > 0) {
		n = write(c->fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		p += n;
		len -= n;
	}
	free(line);
	cloud_add(c, serial, store_id, via, &cr.rec);
	return 0;
fail:
	set_cause(cause, -1, _("cloud cannot store record %u of '%s' in '%s': %s"),
	    cr.rec.seq, serial, c->path, strerror(errno));
	if (at != -1)
		(void)!ftruncate(c->fd, at);
	free(line);
	return -1;
}

int
sim_cloud_sync(struct sim_cloud *c, char **cause)
{
	if (fdatasync(c->fd) == -1)
		return set_cause(cause, -1, _("cloud cannot sync '%s': %s"), c->path,
		    strerror(errno));
	return 0;
}

/* Stores one uploaded record durably before it is acknowledged. Resync
 * names its store, so the key alone decides: a record already held under
 * it (resent after a lost acknowledgement, or imported from an export
 * first) is a duplicate. */
int
sim_cloud_receive(struct sim_cloud *c, const char *serial, uint32_t store_id,
    const struct proto_record *rec, char **cause)
{
	int	same;

	if (sim_cloud_find(c, serial, store_id, rec, &same) != NULL &&
	    (same || store_id != 0)) {
		c->duplicates++;
		return 1;
	}
	if (sim_cloud_append(c, serial, store_id, SIM_VIA_RESYNC, rec, cause) != 0)
		return -1;
	if (sim_cloud_sync(c, cause) != 0) {
		c->nrecs--;		/* not acknowledged: the pile sends it again */
		return -1;
	}
	return 0;
}
