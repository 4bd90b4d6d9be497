/* wlsite.h - one whitelist to every pile of a bus: staged once by broadcast
 * (protocol 1.1), committed per pile in its own session, missing chunks
 * re-sent, each pile verified by version and digest; piles without staging
 * get the per-pile differential sync (wlsync.h). Shared by `whitelist sync
 * --all` and `provision`. The work is a state machine that puts one
 * transaction on the wire at a time (wlsite_next), so a job runs it inside
 * its poll loop; wlsite_step is the same, blocking, a transaction a call. */
#ifndef WLSITE_H
#define WLSITE_H

#include <stddef.h>
#include <stdint.h>

#include "batch/batch.h"
#include "batch/wlsync.h"
#include "pile/pile.h"

enum wlsite_how {
	WLSITE_NONE,		/* already holds the list */
	WLSITE_STAGE,		/* broadcast, then commit */
	WLSITE_DIFF,		/* 1.1 with a near list: bucket or cached diff */
	WLSITE_PERPILE,		/* 1.0: per-pile writes (wlsync) */
	WLSITE_UNREACHABLE	/* did not answer when planned */
};

struct wlsite_pile {
	uint8_t			 addr;
	struct pile		*pile;
	struct proto_identity	 id;
	enum wlsite_how		 how;
	const char		*why;		/* English, N_() */
	struct pile_wl_status	 before, after;
	struct wlsync_plan	 plan;		/* DIFF and PERPILE */
	size_t			 resent;	/* chunks re-sent to this pile alone */
	unsigned		 commits;
	int			 done, ok;
	int			 rc;		/* PILE_E_* when it failed */
	int			 too_big;	/* the list exceeds its capacity */
	char			*error;
};

struct wlsite {
	struct pile_bus		*bus;
	const char		*keys_file;
	struct proto_wl_entry	*want;		/* sorted */
	size_t			 nwant;
	uint32_t		 version;	/* every pile gets this one */
	uint32_t		 want_digest;
	uint8_t			 sha[PROTO_SHA256_BYTES];
	uint16_t		 transfer, nchunks;
	struct wlsite_pile	*piles;
	size_t			 npiles;
	size_t			 nstage;	/* piles in the broadcast */
	size_t			 broadcasts;	/* chunk frames sent to address 0 */
	size_t			 rebroadcast;	/* of them, sent again */
	size_t			 resent;	/* chunks sent to one pile */
	uint64_t		 start_ms, stage_ms;

	/* private: where the steps are */
	int			 phase, sub;
	size_t			 at, round, ci;
	uint16_t		*again;		/* chunks to broadcast again */
	size_t			 nagain;
	uint16_t		*count;		/* per chunk: piles that miss it */
	uint16_t		*miss;
	uint16_t		 mcur;
	struct pile_stage_put	 put;		/* the commit under way */
	struct pile_write	 w;		/* a per-pile command under way */
	unsigned		 cmd;
	int			 wrc;
	char			*werr;
	struct pile_xfer	 x;		/* wlsite_step's */
	int			 committing;
	/* A pile's plan (1.0, drifted, or read again after a CRC-16
	 * collision), a transaction a call; one pile plans at a time. */
	struct wlsync_planner	 pr;
	int			 planning;
};

/* Plans nothing yet: copies want (any order), addresses to visit. version
 * 0: one past the highest version among the piles. -1 with *cause (a card
 * listed twice). */
int	wlsite_init(struct wlsite *, struct pile_bus *, const char *keys_file,
	    const struct proto_wl_entry *want, size_t n, uint32_t version,
	    const uint8_t *addrs, size_t naddrs, char **cause);
/* Reads the answer to the request it last put in x (zeroed at first) and
 * puts the next one there: PILE_XFER_PENDING (run x on the bus as it is:
 * x->req.unit says where, 0 for a broadcast, which ends when it is written
 * and leaves the bus its turnaround), or
 * 0 when finished (plan_only: after the plan). Never fails as a whole:
 * each pile carries its own result. When the list is bigger than a pile
 * holds (too_big), it stops after the plan: nothing is sent to any pile
 * (wlsite_too_big says how many). A pile without staging is still planned
 * by wlsync_plan (reads of its list in one call) until the planner runs a
 * transaction at a time. Stopping between two calls before the commits
 * (wlsite_committing) changes no list. */
int	wlsite_next(struct wlsite *, struct pile_xfer *x, int plan_only);
/* The same, blocking, one transaction a call: 1 more to do, 0 finished. */
int	wlsite_step(struct wlsite *, int plan_only);
/* 1 once the first commit or per-pile write has begun; wlsite_between:
 * 1 when no pile's commit or writes are under way (a stop here leaves every
 * pile's list whole: the old one or the new). */
int	wlsite_committing(const struct wlsite *);
int	wlsite_between(const struct wlsite *);
/* What the steps are doing now, for progress ("planning", "broadcast", ...). */
const char *wlsite_phase(const struct wlsite *, size_t *done, size_t *total);
/* Piles that cannot hold the list (bad input: the list must change). */
size_t	wlsite_too_big(const struct wlsite *);
void	wlsite_free(struct wlsite *);

/* ---- one pile, inside a job (job-stage.c) -------------------------------- */

/* The list e (sorted, outliving put) to the job's pile by staging, as
 * version: job_stage_begin, then from each step job_stage_step until it
 * returns JOB_NORMAL (committed, read back and recorded: put->after) or
 * JOB_ERROR (result set; "interrupted: nothing was written" when cancelled
 * before the commit began). */
struct job;
void	job_stage_begin(struct job *, struct pile_stage_put *,
	    const struct proto_wl_entry *e, size_t n, uint32_t version);
enum job_return job_stage_step(struct job *, struct pile_stage_put *);
const char *wlsite_how_str(enum wlsite_how);	/* "stage", ... (not translated) */

#endif
