/* archive.h - public face of src/archive: the laptop-side store of pulled
 * records (SQLite) and their exports. Every record is stored once, keyed by
 * pile serial + store id + sequence number (a pile's records come in series,
 * one per record store: see archive_series); every write is one
 * transaction. */
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

/*
 * Store identity. A pile publishing live.store_id (protocol 1.1, cap STORE)
 * names its record store; the same serial with another store id holds
 * another series of sequence numbers, and the archive keeps each series
 * apart. A pile that publishes none (1.0) has store id 0
 * (ARCHIVE_STORE_NONE) for its first series; when the archive sees its
 * numbering restart it numbers the next series itself (1, 2, ...: the
 * lowest this serial has not used). Records archived before schema 3 have
 * store id 0 too, in a series of source "unknown", until a pull proves the
 * pile still holds them and gives them its store id. Store ids are shown
 * and exported in decimal.
 */
#define ARCHIVE_STORE_NONE	0
enum archive_series_source {
	ARCHIVE_SERIES_UNKNOWN,	/* archived before schema 3 */
	ARCHIVE_SERIES_PILE,	/* store_id is the pile's live.store_id */
	ARCHIVE_SERIES_NONE	/* the pile publishes none: the archive's number */
};
struct archive_series {
	uint32_t			store_id;
	int				ordinal;	/* 1, 2, ... as met; 0: none */
	enum archive_series_source	source;
	uint32_t			last_seq;	/* highest held (or quarantined), 0 none */
	uint32_t			count;		/* records held */
};
/* The series met last for serial (1), or 0 when the archive holds none. */
int	archive_series_latest(struct archive *, const char *serial, struct archive_series *,
	    char **cause);
/* The series of serial with store_id: 1 found, 0 not. */
int	archive_series_get(struct archive *, const char *serial, uint32_t store_id,
	    struct archive_series *, char **cause);
/* Starts a new series of serial (it becomes the latest): with the pile's
 * store_id when from_pile, else the archive picks the number. */
int	archive_series_open(struct archive *, const char *serial, int from_pile,
	    uint32_t store_id, struct archive_series *, char **cause);
/* The pile proved it holds series from (its last record, byte for byte):
 * the series takes the pile's store id to. */
int	archive_series_adopt(struct archive *, const char *serial, uint32_t from,
	    uint32_t to, char **cause);
/* Every series (serial NULL: of every pile), in serial and ordinal order. */
int	archive_series_foreach(struct archive *, const char *serial,
	    int (*fn)(const char *serial, const struct archive_series *, void *), void *arg,
	    char **cause);
/* The 124 wire bytes of a held (or quarantined) record: 1, 0 when not held. */
int	archive_record_wire(struct archive *, const char *serial, uint32_t store_id,
	    uint32_t seq, uint8_t wire[PROTO_RECORD_BYTES], char **cause);
/* 1 when the archive holds records of serial, 0 when none. */
int	archive_has_pile(struct archive *, const char *serial, char **cause);

/* Stores records pulled from the pile with this serial and store id, in
 * one transaction: all or nothing (the series is added when new). Returns
 * how many were new (a record already held with the same serial + store id
 * + seq and the same CRC counts as present; a different CRC is an error
 * naming the pile and sequence number: nothing is replaced). */
int	archive_put_records(struct archive *, const char *serial, uint32_t store_id,
	    const char *device_id, const struct proto_record *recs, int n, char **cause);
/* As archive_put_records, with each record's signature (sigs[i]) checked
 * by the caller against pub, the pile's pinned key; both are stored with
 * the record. sigs and pub NULL: an unsigned (1.0) pile. */
int	archive_put_signed(struct archive *, const char *serial, uint32_t store_id,
	    const char *device_id,
	    const struct proto_record *recs, const uint8_t (*sigs)[PROTO_SIG_BYTES],
	    const uint8_t *pub, int n, char **cause);
/* Highest sequence number held in a series (archived or quarantined), 0
 * when none. */
int	archive_last_seq(struct archive *, const char *serial, uint32_t store_id,
	    uint32_t *seq, char **cause);
/* Sequence numbers missing between the first and last held of a series. */
int	archive_gaps(struct archive *, const char *serial, uint32_t store_id,
	    uint32_t *missing, char **cause);

struct archive_row {
	char			serial[17];
	uint32_t		store_id;	/* the series (archive_series) */
	char			device_id[33];
	struct proto_record	rec;		/* SYNCED flag: as last reconciled */
	int64_t			pulled_at;	/* unix s, laptop clock */
	int			has_sig;	/* pulled from a signing (1.1) pile */
	uint8_t			sig[PROTO_SIG_BYTES];		/* r | s */
	uint8_t			pubkey[PROTO_PUBKEY_BYTES];	/* X | Y it was checked with */
	int			synced;		/* the cloud acknowledged it */
	int			has_tariff;	/* the archive knows its tariff version */
	struct proto_tariff	tariff;
};
/* Calls fn for every record (serial NULL: every pile), in serial, series
 * (as met), seq order.
 * fn returning non-zero stops the walk and is returned. */
int	archive_foreach(struct archive *, const char *serial,
	    int (*fn)(const struct archive_row *, void *), void *arg, char **cause);
/* The same a page at a time, for an event loop: start with pg zeroed; each
 * call gives fn up to limit records after the last one given (records
 * archived meanwhile after it come too), and sets pg->done once none are
 * left. */
struct archive_page {
	int64_t		ordinal;	/* the last record given: its series' */
	uint32_t	seq;		/* and its number */
	int		started, done;
};
int	archive_foreach_page(struct archive *, const char *serial,
	    struct archive_page *pg, int limit,
	    int (*fn)(const struct archive_row *, void *), void *arg, char **cause);

/* ---- signed records, keys, quarantine, tariffs, sync state (signed.c) --- */

/* The pile's public key, pinned on first sight (trust on first use, as ssh)
 * or given by provisioning. */
enum archive_key_state {
	ARCHIVE_KEY_PINNED_NOW,	/* first sight: pinned */
	ARCHIVE_KEY_SAME,	/* the pile shows the pinned key */
	ARCHIVE_KEY_CHANGED	/* the pile shows another key: nothing replaced */
};
/* Compares pub with the key pinned for serial, pinning it when there is
 * none; pinned gets the key records must be checked against. */
int	archive_key_pin(struct archive *, const char *serial, const uint8_t pub[PROTO_PUBKEY_BYTES],
	    enum archive_key_state *, uint8_t pinned[PROTO_PUBKEY_BYTES], char **cause);
/* Pins pub for serial as given by provisioning (replaces a pin). */
int	archive_key_provision(struct archive *, const char *serial,
	    const uint8_t pub[PROTO_PUBKEY_BYTES], char **cause);
/* 1 with the pinned key and how it came ("tofu", "provisioned"), 0 none. */
int	archive_key_get(struct archive *, const char *serial, uint8_t pub[PROTO_PUBKEY_BYTES],
	    char source[16], char **cause);

/* Stores a record that failed its signature (or came under a changed key)
 * apart from the archive proper: never exported, listed by `logs list
 * --quarantine`. reason is a fixed English token ("bad_signature",
 * "key_changed", "unsigned"). */
int	archive_quarantine(struct archive *, const char *serial, uint32_t store_id,
	    const char *device_id,
	    const struct proto_record *, const uint8_t sig[PROTO_SIG_BYTES],
	    const uint8_t pub[PROTO_PUBKEY_BYTES], const char *reason, char **cause);
int	archive_quarantine_count(struct archive *, const char *serial, uint32_t *n,
	    char **cause);
/* The quarantine keeps every entry (the evidence of what failed), also
 * once a later pull read the record again, found it verified and archived
 * it: archived_at then says when (0 while it is only in quarantine). */
struct archive_qrow {
	char			serial[17];
	uint32_t		store_id;
	struct proto_record	rec;
	char			reason[24];
	int64_t			pulled_at;
	int64_t			archived_at;
};
int	archive_quarantine_foreach(struct archive *, const char *serial,
	    int (*fn)(const struct archive_qrow *, void *), void *arg, char **cause);
/* The lowest seq in after+1..through of a series that the quarantine holds
 * and the archive proper does not (failed, never archived since): for a
 * pull to read it again. 1 with *seq, 0 none, -1 with *cause. */
int	archive_quarantine_next(struct archive *, const char *serial, uint32_t store_id,
	    uint32_t after, uint32_t through, uint32_t *seq, char **cause);

/* Keeps a tariff by version (the first one seen for a version stays), so
 * exports carry each record's prices and `logs verify` can redo its money. */
int	archive_put_tariff(struct archive *, const struct proto_tariff *, char **cause);

/* The cloud acknowledged every record of the series up to synced_through:
 * marks them synced; *changed (may be NULL) gets how many changed. */
int	archive_reconcile_synced(struct archive *, const char *serial, uint32_t store_id,
	    uint32_t synced_through, uint32_t *changed, char **cause);

/* The custody digest (pilecon-protocol(7), CUSTODY) of records first..last
 * of a pile as the archive holds them: SHA-256 over their wire bytes with
 * the synced flag cleared, in sequence order. Fails, naming the first one,
 * when a record of the range is missing or its CRC does not match. */
int	archive_custody_digest(struct archive *, const char *serial, uint32_t store_id,
	    uint32_t first,
	    uint32_t last, uint8_t sha256[PROTO_SHA256_BYTES], char **cause);
/* The highest seq such that from..seq are all held; from - 1 when from is
 * not held. */
int	archive_held_through(struct archive *, const char *serial, uint32_t store_id,
	    uint32_t from,
	    uint32_t *seq, char **cause);

enum archive_format { ARCHIVE_CSV, ARCHIVE_JSONL, ARCHIVE_OCMF };
/* Writes the export to path atomically (temp file in the same folder, fsync,
 * rename); "-" writes to stdout. Returns the number of records written, -1
 * with *cause, or OUT_FILE_REFUSED when path is not a file pilecon writes
 * (common.h: a folder, a socket...: nothing was written). */
int	archive_export(struct archive *, const char *serial, enum archive_format,
	    const char *path, char **cause);
/* The same, written to fd as it goes (not atomic: for a pipe or memory). */
int	archive_export_fd(struct archive *, const char *serial, enum archive_format,
	    int fd, char **cause);

/* ---- checking an export with no pile and no archive (verify.c) ---------- */

struct archive_verify_counts {
	uint64_t	records, piles;
	uint64_t	good_signatures, bad_signatures, unsigned_records;
	uint64_t	money_checked, money_wrong, money_unchecked;
	uint64_t	out_of_order, missing;
	uint64_t	failures;	/* findings, every kind */
};
/* Called for every finding: the pile (or "?"), the sequence number (0 when
 * none), what failed ("signature", "key", "money", "energy", "order", "gap",
 * "format") and a sentence (translated) naming pile, seq and field. */
typedef void	(*archive_verify_fn)(void *arg, const char *pile, uint32_t seq,
		    const char *what, const char *text);
struct archive_verify;
struct archive_verify *archive_verify_new(archive_verify_fn, void *arg);
void	archive_verify_free(struct archive_verify *);
/* Trusted keys, one "SERIAL HEX-KEY" a line (':' or ',' also separate;
 * '#' comments): every signed record must then be under its pile's key. */
int	archive_verify_keys(struct archive_verify *, const char *path, char **cause);
/* Checks a CSV or JSON Lines export ("-": standard input). -1 only when
 * the file cannot be read; findings are counted, not errors. */
int	archive_verify_file(struct archive_verify *, const char *path, char **cause);
const struct archive_verify_counts *archive_verify_counts(const struct archive_verify *);

#endif
