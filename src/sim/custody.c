/* custody.c - ranges of records a master has taken into its custody: checked
 * against the pile's own records by SHA-256, then kept in custody.log, which
 * only grows and is fsynced before the master hears "done", as records are. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "common.h"
#include "world.h"

/* One mark on disk: first u32 | last u32 | magic u32 | CRC-32 of the 12
 * bytes before it, big-endian. A torn or damaged mark at the end is a write
 * the power cut: the master never heard it was accepted. */
#define MARK_BYTES	16
#define MARK_MAGIC	0x43555354u	/* "CUST" */

static void
put32(uint8_t *b, uint32_t v)
{
	b[0] = v >> 24;
	b[1] = v >> 16;
	b[2] = v >> 8;
	b[3] = v;
}

static uint32_t
get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Store identity and fill policy, custody: what this pile's store offers. */
unsigned
sim_store_caps(const struct sim_pile *p)
{
	(void)p;
	return PROTO_CAP_STORE | PROTO_CAP_CUSTODY;
}

/* Adds [first, last] to the sorted, merged list. */
static void
range_add(struct sim_pile *p, uint32_t first, uint32_t last)
{
	struct sim_range	*r;
	size_t			 i, j;

	p->custody = xrealloc(p->custody, (p->ncustody + 1) * sizeof *p->custody);
	for (i = 0; i < p->ncustody && p->custody[i].first < first; i++)
		;
	memmove(p->custody + i + 1, p->custody + i,
	    (p->ncustody - i) * sizeof *p->custody);
	p->custody[i].first = first;
	p->custody[i].last = last;
	p->ncustody++;
	/* Merge neighbours that touch or overlap. */
	for (i = 0, j = 1; j < p->ncustody; j++) {
		r = &p->custody[i];
		if ((uint64_t)r->last + 1 >= p->custody[j].first) {
			if (p->custody[j].last > r->last)
				r->last = p->custody[j].last;
		} else
			p->custody[++i] = p->custody[j];
	}
	p->ncustody = i + 1;
}

int
sim_custody_open(struct sim_pile *p, char **cause)
{
	char		*path, *buf;
	size_t		 len = 0, off;
	uint8_t		*m;

	path = xasprintf("%s/custody.log", p->dir);
	buf = sim_read_file(path, &len);
	for (off = 0; buf != NULL && off + MARK_BYTES <= len; off += MARK_BYTES) {
		m = (uint8_t *)buf + off;
		if (get32(m + 8) != MARK_MAGIC || get32(m + 12) != proto_crc32(m, 12) ||
		    get32(m) == 0 || get32(m + 4) < get32(m))
			break;
		range_add(p, get32(m), get32(m + 4));
	}
	free(buf);
	p->custody_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (p->custody_fd == -1) {
		set_cause(cause, -1, _("cannot open '%s': %s"), path, strerror(errno));
		free(path);
		return -1;
	}
	if (off != len && (ftruncate(p->custody_fd, off) == -1 ||
	    fsync(p->custody_fd) == -1)) {
		set_cause(cause, -1, _("cannot cut the torn tail of '%s': %s"), path,
		    strerror(errno));
		free(path);
		return -1;
	}
	free(path);
	return 0;
}

void
sim_custody_close(struct sim_pile *p)
{
	if (p->custody_fd != -1)
		close(p->custody_fd);
	p->custody_fd = -1;
	free(p->custody);
	p->custody = NULL;
	p->ncustody = 0;
}

/* A reset store numbers from 1 again: the old marks name other records. */
int
sim_custody_reset(struct sim_pile *p, char **cause)
{
	if (p->custody_fd != -1 && (ftruncate(p->custody_fd, 0) == -1 ||
	    fsync(p->custody_fd) == -1))
		return set_cause(cause, -1, _("cannot empty '%s/custody.log': %s"), p->dir,
		    strerror(errno));
	free(p->custody);
	p->custody = NULL;
	p->ncustody = 0;
	return 0;
}

int
sim_custody_holds(const struct sim_pile *p, uint32_t seq)
{
	size_t	i;

	for (i = 0; i < p->ncustody && p->custody[i].first <= seq; i++)
		if (seq <= p->custody[i].last)
			return 1;
	return 0;
}

uint32_t
sim_custody_count(const struct sim_pile *p)
{
	uint32_t	lo = sim_store_first_unsynced(p), a, b, n = 0;
	size_t		i;

	if (lo == 0)
		return 0;
	for (i = 0; i < p->ncustody; i++) {
		a = p->custody[i].first > lo ? p->custody[i].first : lo;
		b = p->custody[i].last < p->last_seq ? p->custody[i].last : p->last_seq;
		if (a <= b)
			n += b - a + 1;
	}
	return n;
}

uint32_t
sim_custody_last(const struct sim_pile *p)
{
	return p->ncustody ? p->custody[p->ncustody - 1].last : 0;
}

/* The digest of regmap.h's CUSTODY definition over the records as held. */
static int
range_digest(struct sim_pile *p, uint32_t first, uint32_t last,
    uint8_t out[PROTO_SHA256_BYTES])
{
	crypto_hash_sha256_state	st;
	uint8_t				buf[PROTO_RECORD_BYTES];
	uint32_t			seq;

	crypto_hash_sha256_init(&st);
	for (seq = first; seq <= last; seq++) {
		if (sim_store_read_raw(p, seq, buf) != 0)
			return -1;
		buf[5] &= ~PROTO_REC_F_SYNCED;
		crypto_hash_sha256_update(&st, buf, sizeof buf);
	}
	crypto_hash_sha256_final(&st, out);
	return 0;
}

int
sim_custody_mark(struct sim_pile *p, uint32_t first, uint32_t last,
    const uint8_t sha256[PROTO_SHA256_BYTES], char **cause)
{
	uint8_t		mine[PROTO_SHA256_BYTES], m[MARK_BYTES];
	off_t		at;
	ssize_t		n;

	if (first == 0 || last < first)
		return PROTO_CUSTODY_BAD_RANGE;
	if (first < p->rec_base || last > p->last_seq)
		return PROTO_CUSTODY_NOT_HELD;
	if (range_digest(p, first, last, mine) != 0)
		return PROTO_CUSTODY_NOT_HELD;
	if (sodium_memcmp(mine, sha256, sizeof mine) != 0)
		return PROTO_CUSTODY_MISMATCH;
	put32(m, first);
	put32(m + 4, last);
	put32(m + 8, MARK_MAGIC);
	put32(m + 12, proto_crc32(m, 12));
	if ((at = lseek(p->custody_fd, 0, SEEK_END)) == -1)
		goto fail;
	do
		n = write(p->custody_fd, m, sizeof m);
	while (n == -1 && errno == EINTR);
	if (n != (ssize_t)sizeof m || fdatasync(p->custody_fd) == -1) {
		(void)!ftruncate(p->custody_fd, at);
		goto fail;
	}
	range_add(p, first, last);
	return PROTO_CUSTODY_OK;
fail:
	return set_cause(cause, -1, _("cannot store the custody of records %u..%u of "
	    "pile %d in '%s/custody.log': %s"), first, last, p->addr, p->dir,
	    strerror(errno ? errno : EIO));
}
