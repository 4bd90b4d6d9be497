/* archive-int.h - what the files of src/archive share: the handle and the
 * SQLite helpers. */
#ifndef ARCHIVE_INT_H
#define ARCHIVE_INT_H

#include <sqlite3.h>

#include "archive/archive.h"

struct archive {
	sqlite3	*db;
	char	*path;
};

/* Call right after the failing SQLite call: "what 'path': reason". */
int	archive_fail(struct archive *, int rc, const char *what, char **cause);
int	archive_exec(struct archive *, const char *sql);
/* One integer from sql; serial, unless NULL, bound to ?1. */
int	archive_int(struct archive *, const char *sql, const char *serial, int64_t *v);

/* signed.c: schema 2 (signatures, pinned keys, quarantine, tariffs, synced) */
int	archive_migrate(struct archive *, int from, char **cause);
/* series.c: schema 3 (records keyed by serial + store id + seq, series) */
int	archive_migrate_v3(struct archive *, char **cause);
int	archive_series_ensure(struct archive *, const char *serial, uint32_t store_id,
	    enum archive_series_source, char **cause);
/* Fills row's signature, key, synced state and tariff from columns col.. of
 * st: sig, pubkey, synced, tariff. */
void	archive_row_signed(struct archive_row *, sqlite3_stmt *st, int col);

#endif
