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

static int
cloud_has(const struct sim_cloud *c, const char *serial, uint32_t seq)
{
	size_t	i;

	/* Newest first: a resend is almost always of the last few records. */
	for (i = c->nrecs; i > 0; i--)
		if (c->recs[i - 1].rec.seq == seq && strcmp(c->recs[i - 1].serial, serial) == 0)
			return 1;
	return 0;
}

static void
cloud_add(struct sim_cloud *c, const char *serial, const struct proto_record *rec)
{
	if (c->nrecs == c->alloc) {
		c->alloc = c->alloc ? c->alloc * 2 : 64;
		c->recs = xrealloc(c->recs, c->alloc * sizeof *c->recs);
	}
	snprintf(c->recs[c->nrecs].serial, sizeof c->recs[c->nrecs].serial, "%s", serial);
	c->recs[c->nrecs].rec = *rec;
	c->recs[c->nrecs].rec.flags &= ~PROTO_REC_F_SYNCED;
	c->nrecs++;
}

/* Takes back one line this file wrote: only "serial" and "wire" matter,
 * the rest is for people and is recomputed from the wire bytes. */
static int
parse_line(const char *line, char *serial, size_t size, struct proto_record *rec)
{
	const char	*s, *e;
	uint8_t		 buf[PROTO_RECORD_BYTES];
	unsigned	 v;
	size_t		 i;

	if ((s = strstr(line, "\"serial\":\"")) == NULL)
		return -1;
	s += 10;
	if ((e = strchr(s, '"')) == NULL || (size_t)(e - s) >= size)
		return -1;
	memcpy(serial, s, e - s);
	serial[e - s] = '\0';
	if ((s = strstr(line, "\"wire\":\"")) == NULL)
		return -1;
	s += 8;
	for (i = 0; i < sizeof buf; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		buf[i] = (uint8_t)v;
	}
	return proto_record_decode(buf, rec) == 0 ? 0 : -1;
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
			if (sscanf(line + 14, "%" SCNu32 " %" SCNu32 " %" SCNu32 " %" SCNu32
			    " %" SCNu32 " %" SCNu32 " %" SCNu32 " %" SCNu32,
			    &c->tariff.energy_price[0], &c->tariff.energy_price[1],
			    &c->tariff.energy_price[2], &c->tariff.energy_price[3],
			    &c->tariff.service_price[0], &c->tariff.service_price[1],
			    &c->tariff.service_price[2], &c->tariff.service_price[3]) != 8)
				bad = 1;
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
	int			 rc;

	sim_slots_str(t, slots);
	s = xasprintf("# pilesim cloud state\nnext_order %" PRIu32 "\n"
	    "tariff.version %" PRIu32 "\ntariff.prices %" PRIu32 " %" PRIu32 " %" PRIu32
	    " %" PRIu32 " %" PRIu32 " %" PRIu32 " %" PRIu32 " %" PRIu32 "\n"
	    "tariff.slots %s\n", c->next_order, t->version,
	    t->energy_price[0], t->energy_price[1], t->energy_price[2], t->energy_price[3],
	    t->service_price[0], t->service_price[1], t->service_price[2],
	    t->service_price[3], slots);
	path = xasprintf("%s/cloud.state", w->dir);
	rc = sim_write_atomic(path, s, strlen(s), 0644, cause);
	free(path);
	free(s);
	return rc;
}

int
sim_cloud_open(struct sim_cloud *c, const char *dir, char **cause)
{
	struct proto_record	 rec;
	char			*buf, *line, *next, serial[17];
	size_t			 len = 0, keep = 0;

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
			if (parse_line(line, serial, sizeof serial, &rec) == 0 &&
			    !cloud_has(c, serial, rec.seq))
				cloud_add(c, serial, &rec);
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
	free(c->keys);
	free(c->path);
	memset(c, 0, sizeof *c);
	c->fd = -1;
}

/* Stores one uploaded record durably before it is acknowledged. */
int
sim_cloud_receive(struct sim_cloud *c, const char *serial, const struct proto_record *in,
    char **cause)
{
	struct proto_record	 rec = *in;
	uint8_t			 wire[PROTO_RECORD_BYTES];
	char			*line, *obj = NULL, hex[2 * PROTO_RECORD_BYTES + 1];
	size_t			 len, i;
	FILE			*f;
	ssize_t			 n;
	const char		*p;
	off_t			 at = -1;

	if (cloud_has(c, serial, rec.seq)) {
		c->duplicates++;
		return 1;
	}
	rec.flags &= ~PROTO_REC_F_SYNCED;
	proto_record_encode(&rec, wire);
	f = open_memstream(&obj, &len);
	if (f == NULL)
		return set_cause(cause, -1, _("out of memory"));
	sim_json_record(f, serial, &rec, -1);
	fclose(f);
	/* Reopen the object to add the wire bytes the loader reads back. */
	if (len > 0 && obj[len - 1] == '}')
		obj[len - 1] = '\0';
	for (i = 0; i < sizeof wire; i++)
		snprintf(hex + 2 * i, 3, "%02x", wire[i]);
	/* hex is [0-9a-f] only: the loader finds it without a JSON parser. */
	line = xasprintf("%s,\"wire\":\"%s\"}\n", obj, hex);
	free(obj);
	len = strlen(line);
	p = line;
	/* Where this line starts, to cut a failed write off: a torn line in
	 * the middle of the file would hide the records after it. */
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
	if (fdatasync(c->fd) == -1)
		goto fail;
	free(line);
	cloud_add(c, serial, &rec);
	return 0;
fail:
	set_cause(cause, -1, _("cloud cannot store record %u of '%s' in '%s': %s"),
	    rec.seq, serial, c->path, strerror(errno));
	if (at != -1)
		(void)!ftruncate(c->fd, at);
	free(line);
	return -1;
}
