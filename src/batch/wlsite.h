/* wlsite.h - one whitelist to every pile of a bus: staged once by broadcast
 * (protocol 1.1), committed per pile in its own session, missing chunks
 * re-sent, each pile verified by version and digest; piles without staging
 * get the per-pile differential sync (wlsync.h). Shared by `whitelist sync
 * --all` and `provision`. The work is cut into steps of one transaction
 * group each, so a job can run it inside its poll loop. */
#ifndef WLSITE_H
#define WLSITE_H

#include <stddef.h>
#include <stdint.h>

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
	int			 phase;
	size_t			 at, round;
	uint16_t		*again;		/* chunks to broadcast again */
	size_t			 nagain;
};

/* Plans nothing yet: copies want (any order), addresses to visit. version
 * 0: one past the highest version among the piles. -1 with *cause (a card
 * listed twice). */
int	wlsite_init(struct wlsite *, struct pile_bus *, const char *keys_file,
	    const struct proto_wl_entry *want, size_t n, uint32_t version,
	    const uint8_t *addrs, size_t naddrs, char **cause);
/* One step: 1 more to do, 0 finished (plan_only: after the plan). Never
 * fails as a whole: each pile carries its own result. When the list is
 * bigger than a pile holds (too_big), it stops after the plan: nothing is
 * sent to any pile (wlsite_too_big says how many). */
int	wlsite_step(struct wlsite *, int plan_only);
/* What the steps are doing now, for progress ("planning", "broadcast", ...). */
const char *wlsite_phase(const struct wlsite *, size_t *done, size_t *total);
/* Piles that cannot hold the list (bad input: the list must change). */
size_t	wlsite_too_big(const struct wlsite *);
void	wlsite_free(struct wlsite *);
const char *wlsite_how_str(enum wlsite_how);	/* "stage", ... (not translated) */

#endif
