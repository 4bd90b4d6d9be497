/* wlsync.h - differential whitelist sync, shared by `pilecon whitelist sync`
 * and `pilecon provision`: compare the wanted list with the pile's (list
 * version, content digest, and what this laptop recorded after its last
 * sync of that pile) and write only the changes. */
#ifndef WLSYNC_H
#define WLSYNC_H

#include <stddef.h>
#include <stdint.h>

#include "pile/pile.h"
#include "batch/cmd-util.h"

/*
 * How a sync learns what the pile holds:
 *   NONE    the pile's digest already equals the wanted list's: nothing to
 *           write (at most the version, when one was asked for)
 *   CACHED  the pile's version and digest are the ones recorded after our
 *           last sync, so the list recorded then is what the pile holds: no
 *           read at all, only the changes are written
 *   READ    no trusted record (first sync from this laptop, or someone else
 *           edited the list since): the pile's list is read (windows of 4),
 *           checked against its digest, and only the changes are written
 *   FULL    the read cannot be trusted (the list changed while it was read,
 *           or what was read does not match the pile's digest), or --full:
 *           clear, then upsert every entry
 *   BUCKETS no trusted record, but the pile publishes bucket digests (1.1):
 *           only the buckets whose digest differs from the wanted list's are
 *           read (UID and check of each entry), and only the changes written
 *   STAGED  (set by provision) the list goes out by broadcast staging and
 *           a commit (wlsite.h), not by whitelist commands
 */
enum wlsync_mode { WLSYNC_NONE, WLSYNC_CACHED, WLSYNC_READ, WLSYNC_FULL, WLSYNC_BUCKETS,
	WLSYNC_STAGED };
/* A bucket sync is worth it while at most this many buckets differ. */
#define WLSYNC_BUCKETS_MAX	(PROTO_WL_BUCKETS / 4)

struct wlsync_plan {
	enum wlsync_mode	 mode;
	const char		*why;		/* English, N_(): translate to show */
	struct pile_wl_status	 pile;		/* status before */
	int			 recorded;	/* a sync of this pile is on record */
	uint32_t		 rec_version, rec_digest;
	uint32_t		 want_digest;
	uint32_t		 new_version;	/* the last command sets it */
	size_t			 nwant;
	size_t			 nadd, nchange, nremove;
	size_t			 ncommands;	/* whitelist commands to send */
	size_t			 ndone;		/* of them, taken by the pile */
	size_t			 nread;		/* entries read to make the plan */
	size_t			 nbuckets;	/* BUCKETS: buckets that differed */
	struct proto_wl_entry	*want;		/* sorted by UID */
	struct proto_wl_entry	*upserts;	/* sorted; nadd + nchange */
	struct proto_wl_entry	*removes;	/* sorted; nremove */
	int			 clear;		/* FULL: starts with a clear */
};

/* Sorts entries by UID (the pile's order); -1 with *cause naming a UID given
 * twice. */
int	 wlsync_sort(struct proto_wl_entry *, size_t n, char **cause);
/* whitelist.digest of a sorted list: CRC-32 over 58 bytes per entry, as
 * proto_wl_entry_encode puts them on the wire. */
uint32_t wlsync_digest(const struct proto_wl_entry *, size_t n);

/* The list holds more cards than the pile's identity.whitelist_capacity:
 * the plan is refused before the pile is read or written (*cause says so).
 * Bad input (exit 2), not the pile refusing: the list must change. */
#define WLSYNC_TOO_BIG		3

/*
 * The plan, a transaction at a time, for any event loop: a job's step, or
 * provision's run over several piles. It reads what the plan needs and
 * nothing more: the whitelist status; on a 1.1 pile with bucket digests
 * the 4096 digests (35 windows) and the bucket windows that differ; else,
 * when no trusted record says what the pile holds, the whole list
 * (wl_reader: status, windows of 4, status again).
 *
 *   struct wlsync_planner pr;
 *   struct wlsync_plan pl;
 *   rc = wlsync_planner_begin(&pr, pile, id, want, n, version, force_full,
 *       allow_read, &pl, &cause);
 *   (0; or WLSYNC_TOO_BIG / -1 with *cause: bad input, nothing was read,
 *   free both)
 *   while ((rc = wlsync_planner_next(&pr, &x, &cause)) == PILE_XFER_PENDING)
 *           run x on the bus, call again;
 *   wlsync_planner_free(&pr);
 *   rc 0: pl is the plan (wlsync_next_command ...; wlsync_plan_free);
 *   else PILE_E_* (or -1) with *cause naming the pile and the step that
 *   failed ("reading bucket digests 125 to 249: no answer from ...").
 *
 * In a job: call wlsync_planner_next(&pr, &job->xfer, &cause) from the
 * step and return job_transact(job) while it gives PILE_XFER_PENDING.
 * Planning writes nothing:
 * stopping between two calls (Esc) leaves the pile as it was; free the
 * planner and the plan. version, force_full, allow_read: as wlsync_plan.
 * want is copied; pile, id and pl are borrowed until wlsync_planner_free.
 * progress (read by a front end while it runs): entries or digests read
 * of how many (0 when not known yet), and what they are (English, N_()).
 */
struct wlsync_planner {
	struct pile			*pile;		/* borrowed */
	const struct proto_identity	*id;		/* borrowed */
	struct wlsync_plan		*pl;		/* filled; borrowed */
	uint32_t			 version;
	int				 force_full, allow_read;
	const char			*what;		/* "cards", "bucket digests" */
	size_t				 done, total;	/* progress */
	/* private to wlsync.c */
	int				 state;
	int				 reread;	/* wlsync_planner_reread's */
	struct proto_wl_entry		*rec;		/* the record of the last sync */
	size_t				 nrec;
	uint16_t			*want_d, *pile_d, *diff;
	unsigned			*wb;		/* bucket of each wanted entry */
	size_t				 ndiff;
	uint16_t			 dcur;
	struct pile_wl_bucket_read	 br;
	struct wl_reader		 rd;
};
int	 wlsync_planner_begin(struct wlsync_planner *, struct pile *,
	    const struct proto_identity *, const struct proto_wl_entry *want, size_t n,
	    uint32_t version, int force_full, int allow_read, struct wlsync_plan *,
	    char **cause);
int	 wlsync_planner_next(struct wlsync_planner *, struct pile_xfer *x, char **cause);
void	 wlsync_planner_free(struct wlsync_planner *);
/* After wlsync_verify_status said 1 (the bucket digests missed a
 * difference): the planner that makes pl again from the whole list, driven
 * as above; pl keeps its wanted list and new_version. */
void	 wlsync_planner_reread(struct wlsync_planner *, struct pile *,
	    const struct proto_identity *, struct wlsync_plan *);

/* Plans a sync of want (any order, copied) onto pile, whose identity was
 * read: the planner run to its end, blocking. version 0: the pile's version
 * plus the commands sent (what the pile would count itself); else that
 * version. force_full: FULL whatever the record says. Reads the pile
 * (status, and its list in READ mode); 0, WLSYNC_TOO_BIG, or PILE_E_* / -1
 * with *cause. */
int	 wlsync_plan(struct pile *, const struct proto_identity *,
	    const struct proto_wl_entry *want, size_t n, uint32_t version,
	    int force_full, struct wlsync_plan *, char **cause);
/* The same; with allow_read 0 a pile that would have to be read whole is
 * not read: the plan says READ and holds no changes (the caller does
 * something cheaper, such as staging the list). */
int	 wlsync_plan_ex(struct pile *, const struct proto_identity *,
	    const struct proto_wl_entry *want, size_t n, uint32_t version,
	    int force_full, int allow_read, struct wlsync_plan *, char **cause);
/* 1 when the plan writes anything. */
int	 wlsync_plan_changes(const struct wlsync_plan *);
/* Sends the plan's commands (removes, then upserts, 4 entries each, the
 * last one setting new_version), reads whitelist.version and digest back,
 * compares them with the plan, and only then records the sync. progress
 * (may be NULL) gets commands done and total. */
int	 wlsync_apply(struct pile *, const struct proto_identity *,
	    struct wlsync_plan *, void (*progress)(void *, size_t, size_t),
	    void *arg, char **cause);
/* The same a command at a time, for a job: sends the plan's next command
 * and returns 1 while commands remain; once all were taken, verifies and
 * records as above and returns 0 (or 1 when the plan was made again: call
 * on). PILE_E_* / -1 with *cause naming how far it got. stop: the sync was
 * cancelled; it stops before the next command once one was sent. */
int	 wlsync_apply_next(struct pile *, const struct proto_identity *,
	    struct wlsync_plan *, int stop, char **cause);
/* Before wlsync_apply_next in a job: opens the write session in a turn of
 * its own when the next command would (challenge, response: a few
 * transactions that need not share a turn with a command). 1 when it did,
 * 0 when nothing was needed, PILE_E_* with *cause as the command would
 * have failed. */
int	 wlsync_apply_auth(struct pile *, struct wlsync_plan *, char **cause);
/* The same for a job, a transaction a turn: the plan's next command (1, or
 * 0 when all were sent: then read the whitelist status and give it to
 * wlsync_verify_status, which verifies and records as wlsync_apply_next
 * does: 0 verified and recorded; 1 when the bucket digests missed a
 * difference, so the plan must be made again from the whole list
 * (wlsync_planner_reread, then its commands); else PILE_E_* / -1); the
 * caller sends each command (wl_cmd_send) and counts it in pl->ndone.
 * wlsync_stopped words a failure with how far the sync got (err taken). */
int	 wlsync_next_command(const struct wlsync_plan *, unsigned *cmd,
	    uint32_t *version, const struct proto_wl_entry **e, size_t *k);
int	 wlsync_verify_status(struct pile *, const struct proto_identity *,
	    struct wlsync_plan *, const struct pile_wl_status *, char **cause);
int	 wlsync_stopped(const struct wlsync_plan *, int rc, char *err, char **cause);
void	 wlsync_plan_free(struct wlsync_plan *);
const char *wlsync_mode_str(enum wlsync_mode);	/* "cached", ... (not translated) */

/* ---- what this laptop recorded (wlsync-state.c) ------------------------- */

/* $PILECON_STATE_DIR, or $XDG_STATE_HOME/pilecon, or ~/.local/state/pilecon;
 * malloc'ed. */
char	*wlsync_state_dir(void);
/* The record of serial's last sync: 0 with version, digest and the list
 * then synced (malloc'ed, sorted); 1 when there is none; -1 with *cause
 * when the record cannot be read (a damaged record counts as none for the
 * caller, who then reads the pile). */
int	 wlsync_state_load(const char *serial, uint32_t *version, uint32_t *digest,
	    struct proto_wl_entry **, size_t *n, char **cause);
/* Replaces the record atomically (temp file, fsync, rename). */
int	 wlsync_state_save(const char *serial, uint32_t version, uint32_t digest,
	    const struct proto_wl_entry *, size_t n, char **cause);

#endif
