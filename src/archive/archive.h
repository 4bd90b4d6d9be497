/* archive.h - public face of src/archive: the laptop-side store of pulled
 * records (SQLite) and their exports. Every record is stored once, keyed by
 * pile serial + sequence number; every write is one transaction. */
#ifndef ARCHIVE_H
#define ARCHIVE_H

#include <stdint.h>
#include <stdio.h>

#include "proto/proto.h"

struct archive;

/* Opens (creating the file and its folder when missing). NULL with *cause. */
struct archive	*archive_open(const char *path, char **cause);
void		 archive_close(struct archive *);
/* $XDG_DATA_HOME/pilecon/archive.db, or ~/.local/share/...; malloc'ed. */
char		*archive_default_path(void);

/* Stores records pulled from the pile with this serial, in one transaction:
 * all or nothing. Returns how many were new (a record already held with the
 * same serial + seq and the same CRC counts as present; a different CRC is
 * an error naming the pile and sequence number: nothing is replaced). */
int	archive_put_records(struct archive *, const char *serial, const char *device_id,
	    const struct proto_record *recs, int n, char **cause);
/* Highest sequence number held for this pile, 0 when none. */
int	archive_last_seq(struct archive *, const char *serial, uint32_t *seq, char **cause);
/* Sequence numbers missing between the first and last held: count of gaps. */
int	archive_gaps(struct archive *, const char *serial, uint32_t *missing, char **cause);

struct archive_row {
	char			serial[17];
	char			device_id[33];
	struct proto_record	rec;
	int64_t			pulled_at;	/* unix s, laptop clock */
};
/* Calls fn for every record (serial NULL: every pile), in serial, seq order.
 * fn returning non-zero stops the walk and is returned. */
int	archive_foreach(struct archive *, const char *serial,
	    int (*fn)(const struct archive_row *, void *), void *arg, char **cause);

enum archive_format { ARCHIVE_CSV, ARCHIVE_JSONL };
/* Writes the export to path atomically (temp file in the same folder, fsync,
 * rename); "-" writes to stdout. Returns the number of records written. */
int	archive_export(struct archive *, const char *serial, enum archive_format,
	    const char *path, char **cause);

#endif
