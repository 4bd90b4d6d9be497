/* provision.h - `pilecon provision FILE.yaml`: the provisioning file
 * (provision-parse.c, one provision-SECTION.c per section, format in
 * pilecon-provision(5)) and its run over a bus: read every pile, plan, apply
 * pile by pile, verify (provision-run.c). */
#ifndef PROVISION_H
#define PROVISION_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pile/pile.h"
#include "batch/batch.h"
#include "batch/cmd-util.h"
#include "batch/wlsync.h"

/* ---- the file -------------------------------------------------------------- */

/* A pile's public_key against the archive's pin for its serial. */
enum prov_key {
	PROV_KEY_NONE,		/* the file gives none */
	PROV_KEY_NEW,		/* nothing pinned yet: pin it */
	PROV_KEY_SAME,		/* pinned already */
	PROV_KEY_REPLACE	/* another key is pinned: --replace-keys replaces it */
};
/* ... and against the key the pile itself shows. */
enum prov_key_pile {
	PROV_KEY_PILE_UNREAD,	/* not read (no key given, or the pile failed) */
	PROV_KEY_PILE_SAME,
	PROV_KEY_PILE_DIFFERS,	/* its records will be quarantined on pull */
	PROV_KEY_PILE_UNSIGNED	/* the pile does not sign its records */
};

/* What a file asks of one pile; defaults fill what the pile leaves out. */
struct prov_pile {
	int			 addr;		/* 1..247, 0 when found by serial */
	char			 serial[PROTO_STR_MAX];	/* "" when by address */
	unsigned long		 line, col;	/* of the pile's entry */

	int			 has_whitelist;
	struct proto_wl_entry	*wl;		/* as given; wlsync sorts */
	size_t			 nwl;
	uint32_t		 wl_version;	/* 0: the pile counts */

	int			 has_charging, has_unknown, has_expired, has_max_wh;
	struct pile_settings	 auth;		/* the fields given */

	int			 has_tariff;
	struct proto_tariff	 tariff;

	int			 clock_sync;
	int			 custody;	/* pull, then hand into custody */

	int			 has_pubkey;	/* public_key: pinned in the archive */
	uint8_t			 pubkey[PROTO_PUBKEY_BYTES];
	unsigned long		 key_line, key_col;
	enum prov_key		 key;		/* set by prov_keys_check */

	int			 has_force;
	int			 force_on;
	uint32_t		 force_for_s;
};

struct prov_file {
	char			*path;
	char			*port;		/* defaults.bus.port, or NULL */
	unsigned		 baud;		/* defaults.bus.baud, or 0 */
	char			 parity;	/* defaults.bus.parity / framing, or 0 */
	unsigned		 stop_bits;	/* defaults.bus.stop_bits / framing, or 0 */
	struct prov_pile	*piles;
	size_t			 npiles;
};

/* Parses and checks the whole file. 0, or -1 with every error found (up to
 * a limit) in *errors, each "FILE:LINE:COLUMN: what" (malloc'ed array of
 * malloc'ed strings, *nerrors of them). */
int	prov_parse(const char *path, struct prov_file *, char ***errors,
	    size_t *nerrors);
void	prov_file_free(struct prov_file *);
void	prov_errors_free(char **, size_t);

/* Decimal price "0.85", "1.20000" (at most 5 places) to 1e-5 units; -1 when
 * it is not one or does not fit 32 bits. */
int	prov_parse_price(const char *, uint32_t *);
/* "00:00-08:00" to half-hour slots [*first, *end); -1 unless both ends lie
 * on a half hour, 24:00 allowed at the end, first < end. */
int	prov_parse_slot_range(const char *, unsigned *first, unsigned *end);

/* ---- the run ----------------------------------------------------------------- */

/* Clock drift the plan leaves alone: the pile clock counts whole seconds and
 * a read takes time. */
#define PROV_CLOCK_SLACK_S	2

/* The sections a run writes to a pile, in the order it writes them. */
enum prov_sec {
	PROV_SEC_CLOCK, PROV_SEC_AUTH, PROV_SEC_TARIFF, PROV_SEC_WHITELIST,
	PROV_SEC_FORCE, PROV_SEC_CUSTODY, PROV_NSECS
};
enum prov_sec_state {
	PROV_SEC_UNCHANGED,	/* nothing to write */
	PROV_SEC_PLANNED,	/* to write; not written */
	PROV_SEC_WRITTEN,	/* written, not read back (interrupted), or a
				 * whitelist stopped between two commands */
	PROV_SEC_APPLIED,	/* written and read back */
	PROV_SEC_FAILED
};
/* The section's key in the file ("offline_auth"), N_() marked: the JSON
 * says it as it is, text for people through _(). */
const char *prov_sec_name(enum prov_sec);

/* One pile's plan and result. */
struct prov_item {
	const struct prov_pile	*want;
	int			 addr;
	struct proto_identity	 id;
	int			 have_id;
	struct pile		*pile;

	/* plan */
	int			 failed;	/* reading, planning or applying failed */
	int			 rc;		/* PILE_E_* of the failure */
	int			 too_big;	/* the file's list exceeds the pile's */
	char			*why;
	int			 has_key;
	char			*key_cause;	/* why there is no key */
	int			 wl_planned;
	struct wlsync_plan	 wl;
	int			 wl_staged;	/* by broadcast with the others (1.1) */
	int			 wl_site_done, wl_site_ok, wl_site_rc;
	char			*wl_site_error;
	size_t			 wl_resent;	/* chunks re-sent to it alone */
	unsigned		 wl_commits;
	struct pile_settings	 set_before, set_after;
	int			 set_change;
	struct proto_tariff	 tariff_before;
	int			 tariff_change;
	int64_t			 drift_s;	/* pile clock minus ours */
	int			 clock_change;
	struct proto_live	 live;
	int			 force_change;

	/* custody: true (provision-custody.c) */
	int			 custody_ran;
	uint32_t		 custody_pulled;	/* new records archived */
	uint32_t		 custody_first, custody_last, custody_count;
	struct job		*custody_job;	/* the pull, while it runs */

	/* public_key: what the pile shows (provision-keys.c) */
	enum prov_key_pile	 key_pile;

	/* result */
	int			 applied;	/* apply ran (changes or not) */
	int			 ok;
	int			 interrupted;	/* a cancel stopped it in the middle */
	enum prov_sec_state	 sec[PROV_NSECS];
	unsigned		 writes;	/* write transactions sent */
	double			 t0, seconds;

	/* private to provision-run.c: where the item's steps are */
	int			 step;
	int			 asec, astep;	/* the section being applied, its step */
	struct wlsync_planner	*planner;	/* the whitelist's, while it plans */
	uint32_t		 force_until;
	struct wl_cmd		 wc;
};

struct wlsite;
struct prov_run {
	struct prov_item	*items;
	size_t			 nitems;
	unsigned		 writes;

	/* private to provision-run.c: the scan for piles given by serial,
	 * and the broadcast staging */
	struct pile_bus		*scan_bus;
	struct pile		*probe;
	int			 scan_addr;
	size_t			 scan_left;
	uint8_t			 taken[248];
	struct wlsite		*site;
	size_t			 stage_at;
	int			 closing;	/* a session.close is being written */
};

/*
 * The run in steps of at most one transaction each, for the provision job
 * (cmd-provision.c): each step function is called from the job's step
 * again and again; it returns JOB_WAIT (what a job_* call returned: pass it
 * on) while it has more to do and JOB_NORMAL once done. A pile that fails
 * carries its failure (failed, why); it never fails the job. The steps
 * point job->pile at the pile they talk to.
 *
 * prov_plan_start makes the items; prov_find_step looks on the bus for the
 * piles given by serial, an address a turn with a short timeout;
 * prov_plan_step reads one pile (identity, live block, settings, tariff,
 * whitelist, public key) and plans it; keys_file may be NULL.
 */
struct job;
void		prov_plan_start(const struct prov_file *, struct prov_run *);
enum job_return	prov_find_step(struct job *, struct pile_bus *, struct prov_run *);
enum job_return	prov_plan_step(struct job *, struct pile_bus *, struct prov_item *,
		    const char *keys_file);
/* 1 when the item's plan writes anything. */
int		prov_item_changes(const struct prov_item *);
/* For the run's files: the item fails (why taken); comparisons. */
void		prov_fail(struct prov_item *, int rc, char *why);
void		prov_planner_free(struct prov_item *);
int		prov_same_tariff(const struct proto_tariff *, const struct proto_tariff *);
int		prov_same_settings(const struct pile_settings *,
		    const struct pile_settings *);
/* The whitelists planned as STAGED go out by broadcast, one transfer per
 * distinct list, committed per pile (wlsite.h), a wlsite step a turn; once
 * begun a transfer runs to its end (its commits are per pile). */
enum job_return	prov_stage_step(struct job *, struct pile_bus *, struct prov_run *,
		    const char *keys_file);
/* Applies one item's plan, section by section, and verifies each by
 * reading it back. A cancel stops before the next write (a write begun is
 * finished; a whitelist stops between two commands); sec[] then says
 * what was applied and what was not. */
enum job_return	prov_apply_step(struct job *, struct prov_item *);
/* Ends the write sessions the run opened (session.close on piles with
 * writes with proof), a write a turn: nobody rides on them after us. */
enum job_return	prov_close_step(struct job *, struct prov_run *, size_t *at);
/* A run stopped before it applied this pile: sec[] says what is planned
 * and what went out with the broadcast staging all the same. */
void		prov_item_unreached(struct prov_item *);
void		prov_run_free(struct prov_run *);
/*
 * custody: true, after the pile is applied (and ok): pulls its records
 * into the archive and hands them into custody (`logs pull --custody`);
 * fills the item's custody_* fields, or clears ok with why.
 *
 * prov_custody_step runs it as sub-steps of the provisioning job (a
 * transaction a turn, job_run_sub): call it from the job's step, return
 * JOB_WAIT while it does, and go on when it returns JOB_NORMAL (the item
 * is then filled; it is JOB_NORMAL at once when the item wants no
 * custody). A cancel of the job reaches the pull: before the custody
 * write nothing is handed over (the item fails, saying so), a write begun
 * is finished. prov_custody is the same run to its end, blocking.
 * prov_custody_free frees a pull left running (prov_run_free calls it).
 */
struct cmd_ctx;
struct job;
enum job_return prov_custody_step(struct job *, struct prov_item *);
void	prov_custody(struct cmd_ctx *, struct prov_item *);
void	prov_custody_free(struct prov_item *);

/* public_key: (provision-keys.c). prov_keys_check compares each key the
 * file gives with the one pinned in the archive for the pile's serial and
 * sets the pile's key field; a different pinned key is an error (unless
 * replace), each "FILE:LINE:COLUMN: what" in *errors as prov_parse gives
 * them. Returns 0, -1 with errors, or -2 with *cause when the archive
 * cannot be read. Nothing is written. */
struct archive;
int	prov_keys_check(struct archive *, struct prov_file *, int replace,
	    char ***errors, size_t *nerrors, char **cause);
/* The key the pile shows: 1 when it must be read (the file gives one and
 * the pile signs: pile_public_key_request, then prov_key_pile_parse sets
 * item->key_pile), 0 when key_pile is known without a read. */
int	prov_key_pile_wanted(struct prov_item *);
void	prov_key_pile_parse(struct prov_item *, const struct pile_xfer *);
/* Pins every key planned NEW or REPLACE. 0, or -1 with *cause (the keys
 * before the failing one are pinned). */
int	prov_keys_pin(struct archive *, const struct prov_run *, char **cause);
const char *prov_key_token(enum prov_key);
const char *prov_key_pile_token(enum prov_key_pile);

#endif
