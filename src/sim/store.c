/* store.c - a pile's non-volatile storage: the append-only record file, the
 * synced watermark and the state file, written so that a kill at any instant
 * loses nothing acknowledged and leaves nothing half written that reads valid. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "world.h"

/* Writes path through a temporary file, fsync and rename, then syncs the
 * folder so the rename itself survives a power loss. */
int
sim_write_atomic(const char *path, const void *buf, size_t len, int mode, char **cause)
{
	char		*tmp, *dir, *slash;
	const char	*p = buf;
	int		 fd, dfd;
	ssize_t		 n;

	tmp = xasprintf("%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd == -1) {
		set_cause(cause, -1, _("cannot create '%s': %s"), tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		p += n;
		len -= n;
	}
	if (fchmod(fd, mode) == -1 || fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1)
		goto fail;
	free(tmp);
	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	else
		strcpy(dir, ".");
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fsync(dfd);
		close(dfd);
	}
	free(dir);
	return 0;
fail:
	set_cause(cause, -1, _("cannot write '%s': %s"), path, strerror(errno));
	if (fd != -1)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

/* Whole file, NUL terminated; NULL when it cannot be read (errno set). */
char *
sim_read_file(const char *path, size_t *lenp)
{
	char	*buf = NULL;
	size_t	 len = 0, alloc = 0;
	ssize_t	 n;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	for (;;) {
		if (alloc - len < 4096) {
			alloc = alloc ? alloc * 2 : 8192;
			buf = xrealloc(buf, alloc + 1);
		}
		n = read(fd, buf + len, alloc - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			free(buf);
			close(fd);
			return NULL;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	if (buf == NULL)
		buf = xmalloc(1);
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

static int
write_all(int fd, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/*
 * records.bin holds the records rec_base..last_seq, one after the other,
 * each 124 bytes with its CRC. It grows by appending; when the store is full
 * it is rewritten whole without its oldest records (those synced or in
 * custody only) and with the new one, through a temporary file and rename,
 * so a kill leaves either the old file or the new one, never a mix.
 *
 * Opens records.bin and the watermark. A record that is partial or fails its
 * CRC at the end is a write the kill interrupted: it was never acknowledged,
 * so it is cut off (the file is truncated to the last good record).
 */
int
sim_store_open(struct sim_pile *p, char **cause)
{
	char			*path, *s;
	struct stat		 st;
	uint8_t			 buf[PROTO_RECORD_BYTES];
	struct proto_record	 rec;
	off_t			 n, good, i;
	uint32_t		 base = 0;

	path = xasprintf("%s/records.bin", p->dir);
	p->rec_fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (p->rec_fd == -1 || fstat(p->rec_fd, &st) == -1) {
		set_cause(cause, -1, _("cannot open '%s': %s"), path, strerror(errno));
		free(path);
		return -1;
	}
	n = st.st_size / PROTO_RECORD_BYTES;
	/* The first good record names the base: the file starts at any seq
	 * once full stores have been compacted. */
	for (i = 0; i < n && base == 0; i++) {
		if (pread(p->rec_fd, buf, sizeof buf, i * PROTO_RECORD_BYTES) !=
		    (ssize_t)sizeof buf)
			break;
		if (proto_record_decode(buf, &rec) == 0 && rec.seq > (uint32_t)i)
			base = rec.seq - (uint32_t)i;
	}
	if (base == 0)
		base = 1;
	good = n;
	while (good > 0) {
		if (pread(p->rec_fd, buf, sizeof buf, (good - 1) * PROTO_RECORD_BYTES) !=
		    (ssize_t)sizeof buf)
			break;
		if (proto_record_decode(buf, &rec) == 0 &&
		    rec.seq == base + (uint32_t)(good - 1))
			break;
		good--;
	}
	if (good * PROTO_RECORD_BYTES != st.st_size) {
		if (ftruncate(p->rec_fd, good * PROTO_RECORD_BYTES) == -1 ||
		    fsync(p->rec_fd) == -1) {
			set_cause(cause, -1, _("cannot cut the torn tail of '%s': %s"),
			    path, strerror(errno));
			free(path);
			return -1;
		}
	}
	free(path);
	p->rec_base = base;
	p->last_seq = base + (uint32_t)good - 1;

	path = xasprintf("%s/synced", p->dir);
	s = sim_read_file(path, NULL);
	p->synced = s != NULL ? (uint32_t)strtoul(s, NULL, 10) : 0;
	if (p->synced > p->last_seq)
		p->synced = p->last_seq;
	free(s);
	free(path);
	return 0;
}

void
sim_store_close(struct sim_pile *p)
{
	if (p->rec_fd != -1)
		close(p->rec_fd);
	p->rec_fd = -1;
}

uint32_t
sim_store_held(const struct sim_pile *p)
{
	return p->last_seq >= p->rec_base ? p->last_seq - p->rec_base + 1 : 0;
}

/* Records at the old end whose space may be reused: synced or in custody. */
static uint32_t
reusable(const struct sim_pile *p, uint32_t max)
{
	uint32_t	n = 0, seq;

	for (seq = p->rec_base; seq <= p->last_seq && n < max; seq++, n++)
		if (seq > p->synced && !sim_custody_holds(p, seq))
			break;
	return n;
}

int
sim_store_has_room(const struct sim_pile *p)
{
	uint32_t	held = sim_store_held(p), need;

	if (held < p->rec_capacity)
		return 1;
	need = held - p->rec_capacity + 1;
	return reusable(p, need) == need;
}

uint32_t
sim_store_first_unsynced(const struct sim_pile *p)
{
	uint32_t	seq = p->synced + 1;

	if (seq < p->rec_base)
		seq = p->rec_base;
	return seq <= p->last_seq ? seq : 0;
}

/*
 * A full store makes room: the file is rewritten without its oldest
 * reusable records and with the new record at its end. It drops a few more
 * than it needs (a fiftieth of the capacity) so that a full pile does not
 * rewrite its whole store for every session.
 */
static int
store_compact(struct sim_pile *p, const uint8_t rec[PROTO_RECORD_BYTES], char **cause)
{
	uint32_t	 held = sim_store_held(p), need, drop, keep, batch;
	char		*path, *buf;
	size_t		 len;
	int		 fd;

	need = held - p->rec_capacity + 1;
	batch = p->rec_capacity / 50;
	drop = reusable(p, need > batch ? need : batch);
	if (drop < need)
		return set_cause(cause, -1, _("the record store of pile %d is full "
		    "(%u records, none synced or in custody)"), p->addr, held);
	keep = held - drop;
	len = (size_t)keep * PROTO_RECORD_BYTES;
	buf = xmalloc(len + PROTO_RECORD_BYTES);
	path = xasprintf("%s/records.bin", p->dir);
	if (len > 0 && pread(p->rec_fd, buf, len, (off_t)drop * PROTO_RECORD_BYTES) !=
	    (ssize_t)len) {
		set_cause(cause, -1, _("cannot read '%s': %s"), path, strerror(errno));
		goto fail;
	}
	memcpy(buf + len, rec, PROTO_RECORD_BYTES);
	if (sim_write_atomic(path, buf, len + PROTO_RECORD_BYTES, 0644, cause) != 0)
		goto fail;
	if ((fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC)) == -1) {
		set_cause(cause, -1, _("cannot open '%s': %s"), path, strerror(errno));
		goto fail;
	}
	free(buf);
	free(path);
	close(p->rec_fd);
	p->rec_fd = fd;
	p->rec_base += drop;
	return 0;
fail:
	free(buf);
	free(path);
	return -1;
}

/* Appends rec as seq last_seq + 1; counts as stored only after fsync. */
int
sim_store_append(struct sim_pile *p, struct proto_record *rec, char **cause)
{
	uint8_t	buf[PROTO_RECORD_BYTES];
	off_t	at = (off_t)sim_store_held(p) * PROTO_RECORD_BYTES;

	rec->seq = p->last_seq + 1;
	rec->flags &= ~PROTO_REC_F_SYNCED;
	proto_record_encode(rec, buf);
	if (sim_store_held(p) >= p->rec_capacity) {
		if (store_compact(p, buf, cause) != 0)
			return -1;
		p->last_seq = rec->seq;
		return 0;
	}
	if (write_all(p->rec_fd, buf, sizeof buf) == -1 || fdatasync(p->rec_fd) == -1) {
		set_cause(cause, -1, _("cannot store record %u of pile %d in '%s/records.bin': %s"),
		    rec->seq, p->addr, p->dir, strerror(errno));
		/* A partial write must not stay behind a later good record. */
		if (ftruncate(p->rec_fd, at) == -1)
			return -1;
		return -1;
	}
	p->last_seq = rec->seq;
	return 0;
}

/* The wire bytes of record seq as stored, with the SYNCED flag from the
 * watermark; a record that fails its CRC goes out as it is, so the reader
 * sees the damage instead of a gap. */
int
sim_store_read_raw(struct sim_pile *p, uint32_t seq, uint8_t buf[PROTO_RECORD_BYTES])
{
	if (seq < p->rec_base || seq > p->last_seq)
		return -1;
	if (pread(p->rec_fd, buf, PROTO_RECORD_BYTES,
	    (off_t)(seq - p->rec_base) * PROTO_RECORD_BYTES) != PROTO_RECORD_BYTES)
		return -1;
	if (seq <= p->synced)
		buf[5] |= PROTO_REC_F_SYNCED;
	return 0;
}

int
sim_store_read(struct sim_pile *p, uint32_t seq, struct proto_record *rec)
{
	uint8_t	buf[PROTO_RECORD_BYTES];

	if (sim_store_read_raw(p, seq, buf) != 0)
		return -1;
	buf[5] &= ~PROTO_REC_F_SYNCED;
	if (proto_record_decode(buf, rec) != 0)
		return -1;
	if (seq <= p->synced)
		rec->flags |= PROTO_REC_F_SYNCED;
	return 0;
}

int
sim_store_set_synced(struct sim_pile *p, uint32_t synced, char **cause)
{
	char	*path, *s;
	int	 rc;

	path = xasprintf("%s/synced", p->dir);
	s = xasprintf("%" PRIu32 "\n", synced);
	rc = sim_write_atomic(path, s, strlen(s), 0644, cause);
	free(s);
	free(path);
	if (rc == 0)
		p->synced = synced;
	return rc;
}
