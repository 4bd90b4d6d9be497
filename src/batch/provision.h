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

/* One pile's plan and result. */
struct prov_item {
	const struct prov_pile	*want;
	int			 addr;
	struct proto_identity	 id;
	int			 have_id;
	struct pile		*pile;

	/* plan */
	int			 failed;	/* reading or planning failed */
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
	unsigned		 writes;	/* write transactions sent */
	double			 t0, seconds;
};

struct prov_run {
	struct prov_item	*items;
	size_t			 nitems;
	unsigned		 writes;
};

/* Reads every pile the file names (piles given by serial are looked for on
 * the bus) and plans each. A pile that cannot be read is marked failed with
 * why; the others are planned all the same. keys_file may be NULL. */
void	prov_plan(struct pile_bus *, const struct prov_file *, const char *keys_file,
	    struct prov_run *);
/* The same a pile at a time, for a job: prov_plan_start makes the items
 * (and looks for the piles named by serial), prov_plan_pile reads and
 * plans one. */
void	prov_plan_start(struct pile_bus *, const struct prov_file *, struct prov_run *);
void	prov_plan_pile(struct pile_bus *, struct prov_item *, const char *keys_file);
/* 1 when the item's plan writes anything. */
int	prov_item_changes(const struct prov_item *);
/* Applies one item's plan and verifies by reading back; fills ok / why. */
/* The whitelists planned as STAGED go out by broadcast, one transfer per
 * distinct list, committed per pile (wlsite.h); prov_apply then reports
 * each pile's commit. */
void	prov_stage(struct pile_bus *, struct prov_run *, const char *keys_file);
void	prov_apply(struct prov_item *, const char *keys_file);
/* The same in steps, for a job: prov_apply_start (clock, settings, tariff:
 * 0, or -1 when the pile failed and is done), prov_apply_whitelist until it
 * returns 0 (one whitelist command a call while it returns 1; -1: failed
 * and done), then prov_apply_finish (forced offline, ok). */
int	prov_apply_start(struct prov_item *);
int	prov_apply_whitelist(struct prov_item *);
void	prov_apply_finish(struct prov_item *);
void	prov_run_free(struct prov_run *);
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
/* Reads the key the pile shows (a signing pile) into item->key_pile. */
void	prov_key_read_pile(struct prov_item *);
/* Pins every key planned NEW or REPLACE. 0, or -1 with *cause (the keys
 * before the failing one are pinned). */
int	prov_keys_pin(struct archive *, const struct prov_run *, char **cause);
const char *prov_key_token(enum prov_key);
const char *prov_key_pile_token(enum prov_key_pile);

#endif
