/* unit-wlsync-planner - the whitelist sync planner (src/batch/wlsync.c)
 * driven a transaction at a time against pilesim's world, each request
 * answered by sim_world_modbus: the bucket plan reads only what differs, a
 * 1.0 pile is read whole, a CRC-16 collision is found by reading the list
 * whole, a list edited during the read is read again, a garbled or missing
 * answer mid-plan names what failed, and planning never writes. */
#include "config.h"

#include "sim-world-lib.h"
#include "batch/wlsync.h"

#define NCARDS	200

/* What one drive of the planner did. */
struct drive {
	int	 transactions;
	int	 writes;		/* requests that write a register (not a cursor) */
	int	 fc23;
	/* called after each answer, before the planner reads it */
	void	(*hook)(struct drive *, struct sim_world *, struct pile_xfer *);
	int	 hook_arg;
	int	 hook_done;
};

static struct proto_wl_entry	cards[NCARDS + 8];

static void
make_cards(void)
{
	int	i;

	for (i = 0; i < NCARDS + 8; i++) {
		memset(&cards[i], 0, sizeof cards[i]);
		snprintf(cards[i].uid, sizeof cards[i].uid, "%08X", 0x20000000 + i * 13);
		cards[i].status = PROTO_WL_ACCEPTED;
		snprintf(cards[i].holder, sizeof cards[i].holder, "holder %d", i);
	}
}

static void
pile_add(struct sim_world *w, const struct proto_wl_entry *e)
{
	char	*out = NULL;

	if (t_ctl(w, &out, "whitelist", "1", "add", e->uid, "--holder", e->holder,
	    (char *)NULL) != 0)
		printf("# whitelist add %s: %s", e->uid, out != NULL ? out : "");
	free(out);
}

static struct sim_world *
open_pile(const char *dir, unsigned protocol, uint32_t capacity)
{
	struct sim_config	 cfg = { .dir = dir, .npiles = 1, .wl_capacity = capacity,
	    .start_clock = T_START, .protocol = protocol };
	struct sim_world	*w;
	char			*cause = NULL;

	if ((w = sim_world_open(&cfg, &cause)) == NULL) {
		printf("# sim_world_open: %s\n", cause);
		free(cause);
	}
	return w;
}

/* The request answered by the world, as the bus would leave it. */
static void
answer(struct sim_world *w, struct pile_xfer *x)
{
	x->req.unit = 1;
	memset(&x->resp, 0, sizeof x->resp);
	if (sim_world_modbus(w, &x->req, &x->resp, t_now) != 0) {
		x->status = PILE_E_TIMEOUT;
		x->cause = xstrdup("no answer from address 1");
		return;
	}
	x->status = x->resp.exception != 0 ? PILE_E_EXCEPTION : 0;
}

static void
read_identity(struct sim_world *w, struct pile *p, struct proto_identity *id)
{
	struct pile_xfer	x;
	char			*cause = NULL;

	memset(&x, 0, sizeof x);
	pile_identity_request(p, &x);
	answer(w, &x);
	if (pile_identity_parse(p, &x, id, &cause) != 0) {
		printf("# identity: %s\n", cause);
		free(cause);
	}
	pile_xfer_reset(&x);
}

/* Runs the planner to its end, every request answered by the world. */
static int
drive(struct wlsync_planner *pr, struct sim_world *w, struct drive *d, char **cause)
{
	struct pile_xfer	x;
	int			rc;

	memset(&x, 0, sizeof x);
	while ((rc = wlsync_planner_next(pr, &x, cause)) == PILE_XFER_PENDING) {
		if (x.req.fc == 0)
			continue;
		d->transactions++;
		if (x.req.fc == PROTO_FC_WRITE_SINGLE || x.req.fc == PROTO_FC_WRITE_MULTIPLE)
			d->writes++;
		if (x.req.fc == PROTO_FC_READ_WRITE_MULTIPLE)
			d->fc23++;
		answer(w, &x);
		if (d->hook != NULL)
			d->hook(d, w, &x);
		if (d->transactions > 100000)
			break;
	}
	pile_xfer_reset(&x);
	return rc;
}

struct rig {
	char			*dir;
	struct sim_world	*w;
	struct pile_bus		*bus;
	struct pile		*pile;
	struct proto_identity	 id;
};

/* A pile holding cards[0 .. n), no sync of it on record. */
static int
rig_open(struct rig *r, unsigned protocol, size_t n)
{
	char	*state;
	size_t	 i;

	memset(r, 0, sizeof *r);
	r->dir = t_tmpdir();
	state = xasprintf("%s/state", r->dir);
	setenv("PILECON_STATE_DIR", state, 1);
	free(state);
	if ((r->w = open_pile(r->dir, protocol, 0)) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		pile_add(r->w, &cards[i]);
	r->bus = pile_bus_new(NULL, NULL);
	r->pile = pile_new(r->bus, 1);
	read_identity(r->w, r->pile, &r->id);
	return 0;
}

static void
rig_close(struct rig *r)
{
	pile_free(r->pile);
	pile_bus_free(r->bus);
	if (r->w != NULL)
		sim_world_close(r->w);
	t_rmrf(r->dir);
	free(r->dir);
}

/* The wanted list: the pile's with card 5 changed, card 9 gone and one
 * card more. */
static size_t
wanted(struct proto_wl_entry *want)
{
	size_t	i, n = 0;

	for (i = 0; i < NCARDS; i++) {
		if (i == 9)
			continue;
		want[n] = cards[i];
		if (i == 5)
			snprintf(want[n].holder, sizeof want[n].holder, "renamed");
		n++;
	}
	want[n++] = cards[NCARDS];
	return n;
}

static void
test_bucket_plan_reads_only_the_differing_buckets(void)
{
	struct proto_wl_entry	 want[NCARDS + 1];
	struct wlsync_planner	 pr;
	struct wlsync_plan	 pl;
	struct drive		 d = { 0 };
	struct rig		 r;
	char			*cause = NULL;
	size_t			 n = wanted(want);
	unsigned		 b, nb;
	int			 rc, windows;

	if (rig_open(&r, 0, NCARDS) != 0) {
		ok(0, "rig");
		return;
	}
	ok(r.id.caps & PROTO_CAP_BUCKETS, "a_1_1_pile_publishes_bucket_digests");
	rc = wlsync_planner_begin(&pr, r.pile, &r.id, want, n, 0, 0, 1, &pl, &cause);
	is_int(rc, 0, "bucket_plan_begins");
	rc = drive(&pr, r.w, &d, &cause);
	is_int(rc, 0, "bucket_plan_is_made");
	if (rc != 0)
		printf("# %s\n", cause);
	is_str(wlsync_mode_str(pl.mode), "buckets", "bucket_plan_compares_bucket_digests");
	is_int(pl.nadd, 1, "bucket_plan_finds_the_new_card");
	is_int(pl.nchange, 1, "bucket_plan_finds_the_changed_card");
	is_int(pl.nremove, 1, "bucket_plan_finds_the_card_to_remove");
	/* The buckets of cards 5, 9 and the new one (two may share one). */
	nb = 1 + (proto_wl_bucket(cards[9].uid) != proto_wl_bucket(cards[5].uid));
	b = proto_wl_bucket(cards[NCARDS].uid);
	nb += b != proto_wl_bucket(cards[5].uid) && b != proto_wl_bucket(cards[9].uid);
	is_int(pl.nbuckets, nb, "bucket_plan_only_the_changed_buckets_differ");
	windows = (PROTO_WL_BUCKETS + PROTO_N_WL_BUCKET_DIGESTS - 1) /
	    PROTO_N_WL_BUCKET_DIGESTS;
	/* status, the digests, one bucket window for the three buckets */
	is_int(d.transactions, 1 + windows + 1, "bucket_plan_costs_status_digests_and_one_window");
	is_int(d.writes, 0, "bucket_plan_writes_nothing");
	is_int(pl.new_version, pl.pile.version + pl.ncommands,
	    "bucket_plan_counts_the_version_as_the_pile_would");
	ok(pl.nread < 10, "bucket_plan_reads_only_the_differing_buckets (%zu entries of %d)",
	    pl.nread, NCARDS);
	wlsync_planner_free(&pr);
	wlsync_plan_free(&pl);
	rig_close(&r);
}

static void
test_read_plan_reads_a_1_0_pile_whole(void)
{
	struct proto_wl_entry	 want[NCARDS + 1];
	struct wlsync_planner	 pr;
	struct wlsync_plan	 pl;
	struct drive		 d = { 0 };
	struct rig		 r;
	char			*cause = NULL;
	size_t			 n = wanted(want);
	int			 rc;

	if (rig_open(&r, PROTO_VERSION, NCARDS) != 0) {
		ok(0, "rig");
		return;
	}
	ok(!(r.id.caps & PROTO_CAP_BUCKETS), "a_1_0_pile_has_no_bucket_digests");
	rc = wlsync_planner_begin(&pr, r.pile, &r.id, want, n, 0, 0, 1, &pl, &cause);
	rc = rc != 0 ? rc : drive(&pr, r.w, &d, &cause);
	is_int(rc, 0, "read_plan_is_made");
	is_str(wlsync_mode_str(pl.mode), "read", "read_plan_reads_the_list");
	is_int(pl.nread, NCARDS, "read_plan_read_every_card");
	ok(pl.nadd == 1 && pl.nchange == 1 && pl.nremove == 1,
	    "read_plan_diffs_what_it_read (+%zu ~%zu -%zu)", pl.nadd, pl.nchange,
	    pl.nremove);
	/* status, 200 / 4 full windows and the empty one after, status */
	is_int(d.transactions, 1 + NCARDS / 4 + 1 + 1,
	    "read_plan_reuses_the_first_status_for_the_read");
	is_int(d.writes, 0, "read_plan_writes_nothing");
	wlsync_planner_free(&pr);
	wlsync_plan_free(&pl);

	/* allow_read 0 (provision stages instead): nothing is read. */
	memset(&d, 0, sizeof d);
	rc = wlsync_planner_begin(&pr, r.pile, &r.id, want, n, 0, 0, 0, &pl, &cause);
	rc = rc != 0 ? rc : drive(&pr, r.w, &d, &cause);
	ok(rc == 0 && pl.mode == WLSYNC_READ && pl.ncommands == 0 && d.transactions == 1,
	    "a_plan_that_may_not_read_says_read_after_the_status_alone");
	wlsync_planner_free(&pr);
	wlsync_plan_free(&pl);
	rig_close(&r);
}

/* Another laptop adds a card while the list is read, hook_arg times. */
static void
edit_during_read(struct drive *d, struct sim_world *w, struct pile_xfer *x)
{
	char	*out = NULL, uid[16];

	if (x->req.fc != PROTO_FC_READ_WRITE_MULTIPLE || x->req.read_addr != PROTO_A_WL_WINDOW ||
	    d->hook_done >= d->hook_arg || proto_get_u32(x->req.values) != 8)
		return;
	snprintf(uid, sizeof uid, "%08X", 0x7F000000 + d->hook_done);
	if (t_ctl(w, &out, "whitelist", "1", "add", uid, (char *)NULL) != 0)
		printf("# whitelist add: %s", out);
	free(out);
	d->hook_done++;
}

static void
test_a_list_edited_during_the_read_is_read_again(void)
{
	struct proto_wl_entry	 want[NCARDS + 1];
	struct wlsync_planner	 pr;
	struct wlsync_plan	 pl;
	struct drive		 d = { 0 };
	struct rig		 r;
	char			*cause = NULL;
	size_t			 n = wanted(want);
	int			 rc;

	if (rig_open(&r, PROTO_VERSION, NCARDS) != 0) {
		ok(0, "rig");
		return;
	}
	d.hook = edit_during_read;
	d.hook_arg = 1;
	rc = wlsync_planner_begin(&pr, r.pile, &r.id, want, n, 0, 0, 1, &pl, &cause);
	rc = rc != 0 ? rc : drive(&pr, r.w, &d, &cause);
	is_int(rc, 0, "edited_list_plan_is_made");
	is_int(d.hook_done, 1, "the_list_was_edited_during_the_read");
	is_str(wlsync_mode_str(pl.mode), "read", "edited_list_is_read_again_not_rewritten");
	is_int(pl.nremove, 2, "the_card_added_meanwhile_is_in_the_plan");
	is_int(pl.nread, NCARDS + 1, "the_second_read_holds_the_edit");
	wlsync_planner_free(&pr);
	wlsync_plan_free(&pl);

	/* Edited during every read: the list is rewritten whole. */
	memset(&d, 0, sizeof d);
	d.hook = edit_during_read;
	d.hook_arg = 100;
	rc = wlsync_planner_begin(&pr, r.pile, &r.id, want, n, 0, 0, 1, &pl, &cause);
	rc = rc != 0 ? rc : drive(&pr, r.w, &d, &cause);
	is_int(rc, 0, "always_edited_list_plan_is_made");
	is_int(d.hook_done, 3, "the_list_was_read_three_times");
	ok(pl.mode == WLSYNC_FULL && pl.clear && pl.why != NULL &&
	    strstr(pl.why, "consistently") != NULL,
	    "a_list_that_keeps_changing_is_rewritten_whole (%s: %s)",
	    wlsync_mode_str(pl.mode), pl.why != NULL ? pl.why : "");
	is_int(d.writes, 0, "planning_an_edited_list_writes_nothing");
	wlsync_planner_free(&pr);
	wlsync_plan_free(&pl);
	rig_close(&r);
}

/* A holder for card i whose entry has the same CRC-16 as want's. */
static int
colliding(const struct proto_wl_entry *want, struct proto_wl_entry *out)
{
	uint16_t	check = proto_wl_entry_check(want);
	unsigned	k;

	for (k = 0; k < 2000000; k++) {
		*out = *want;
		snprintf(out->holder, sizeof out->holder, "collide %u", k);
		if (proto_wl_entry_check(out) == check)
			return 0;
	}
	return -1;
}

static void
test_a_crc16_collision_is_found_by_reading_the_list_whole(void)
{
	struct proto_wl_entry	 want[NCARDS], other;
	struct wlsync_planner	 pr;
	struct wlsync_plan	 pl;
	struct pile_wl_status	 st;
	struct pile_xfer	 x;
	struct drive		 d = { 0 };
	struct rig		 r;
	char			*cause = NULL;
	int			 rc, i;

	if (colliding(&cards[3], &other) != 0 || rig_open(&r, 0, 0) != 0) {
		ok(0, "rig");
		return;
	}
	for (i = 0; i < NCARDS; i++) {
		want[i] = cards[i];
		pile_add(r.w, i == 3 ? &other : &cards[i]);
	}
	rc = wlsync_planner_begin(&pr, r.pile, &r.id, want, NCARDS, 0, 0, 1, &pl, &cause);
	rc = rc != 0 ? rc : drive(&pr, r.w, &d, &cause);
	wlsync_planner_free(&pr);
	ok(rc == 0 && pl.mode == WLSYNC_BUCKETS && pl.nbuckets == 0 && pl.nchange == 0,
	    "the_bucket_digests_miss_a_same_crc16_entry");

	/* What the sync reads after its commands (none): not our list. */
	memset(&x, 0, sizeof x);
	pile_wl_status_request(r.pile, &x);
	answer(r.w, &x);
	rc = pile_wl_status_parse(&x, &st, &cause);
	pile_xfer_reset(&x);
	is_int(rc == 0 ? wlsync_verify_status(r.pile, &r.id, &pl, &st, &cause) : rc, 1,
	    "verify_asks_for_the_list_read_whole");
	memset(&d, 0, sizeof d);
	wlsync_planner_reread(&pr, r.pile, &r.id, &pl);
	rc = drive(&pr, r.w, &d, &cause);
	wlsync_planner_free(&pr);
	is_int(rc, 0, "the_list_is_read_whole");
	ok(pl.mode == WLSYNC_READ && pl.nchange == 1 && pl.nadd == 0 && pl.nremove == 0 &&
	    pl.ncommands == 1 && pl.upserts[0].holder[0] == 'h',
	    "the_read_finds_the_entry_the_digests_missed");
	is_int(pl.nread, NCARDS, "the_reread_read_every_card");
	is_int(d.writes, 0, "the_reread_writes_nothing");
	wlsync_plan_free(&pl);
	rig_close(&r);
}

/* The answer to the hook_arg-th transaction is lost: garbled when
 * hook_done starts at 0, silent when at 1. */
static void
lose_answer(struct drive *d, struct sim_world *w, struct pile_xfer *x)
{
	(void)w;
	if (d->transactions != d->hook_arg)
		return;
	free(x->cause);
	if (d->hook_done == 0) {
		x->status = PILE_E_GARBLED;
		x->cause = xstrdup("only garbled answers from address 1 on 'test'");
	} else {
		x->status = PILE_E_TIMEOUT;
		x->cause = xstrdup("no answer from address 1 on 'test'");
	}
}

static void
test_a_lost_answer_mid_plan_names_what_failed(void)
{
	struct proto_wl_entry	 want[NCARDS + 1];
	struct wlsync_planner	 pr;
	struct wlsync_plan	 pl;
	struct drive		 d = { 0 };
	struct rig		 r;
	char			*cause = NULL, expect[160];
	size_t			 n = wanted(want);
	unsigned		 first;
	int			 rc;

	if (rig_open(&r, 0, NCARDS) != 0) {
		ok(0, "rig");
		return;
	}
	/* The 5th transaction: the 4th window of bucket digests. */
	d.hook = lose_answer;
	d.hook_arg = 5;
	rc = wlsync_planner_begin(&pr, r.pile, &r.id, want, n, 0, 0, 1, &pl, &cause);
	rc = rc != 0 ? rc : drive(&pr, r.w, &d, &cause);
	is_int(rc, PILE_E_GARBLED, "a_garbled_digest_window_fails_the_plan");
	first = 3 * PROTO_N_WL_BUCKET_DIGESTS;
	snprintf(expect, sizeof expect, "cannot plan the whitelist sync of pile 'SIM-0001' "
	    "(address 1): reading bucket digests %u to %u: only garbled answers", first,
	    first + PROTO_N_WL_BUCKET_DIGESTS - 1);
	ok(cause != NULL && strstr(cause, expect) != NULL,
	    "a_garbled_digest_window_is_named");
	printf("# %s\n", cause != NULL ? cause : "(no cause)");
	is_int(d.transactions, 5, "the_plan_stops_at_the_lost_answer");
	free(cause);
	cause = NULL;
	wlsync_planner_free(&pr);
	wlsync_plan_free(&pl);
	rig_close(&r);

	/* A 1.0 pile whose answer to the 4th window never comes. */
	if (rig_open(&r, PROTO_VERSION, NCARDS) != 0) {
		ok(0, "rig");
		return;
	}
	memset(&d, 0, sizeof d);
	d.hook = lose_answer;
	d.hook_arg = 5;		/* status, windows at 0, 4, 8, 12 */
	d.hook_done = 1;
	rc = wlsync_planner_begin(&pr, r.pile, &r.id, want, n, 0, 0, 1, &pl, &cause);
	rc = rc != 0 ? rc : drive(&pr, r.w, &d, &cause);
	is_int(rc, PILE_E_TIMEOUT, "a_missing_window_fails_the_plan");
	ok(cause != NULL && strstr(cause, "cannot plan the whitelist sync of pile "
	    "'SIM-0001' (address 1): reading the whitelist window at entry 12: no answer")
	    != NULL, "a_missing_window_is_named");
	printf("# %s\n", cause != NULL ? cause : "(no cause)");
	free(cause);
	cause = NULL;
	wlsync_planner_free(&pr);
	wlsync_plan_free(&pl);

	/* The first status lost: nothing else is asked. */
	memset(&d, 0, sizeof d);
	d.hook = lose_answer;
	d.hook_arg = 1;
	d.hook_done = 1;
	rc = wlsync_planner_begin(&pr, r.pile, &r.id, want, n, 0, 0, 1, &pl, &cause);
	rc = rc != 0 ? rc : drive(&pr, r.w, &d, &cause);
	ok(rc == PILE_E_TIMEOUT && cause != NULL && strstr(cause, "reading the whitelist "
	    "status: no answer") != NULL && d.transactions == 1,
	    "a_missing_status_is_named");
	free(cause);
	wlsync_planner_free(&pr);
	wlsync_plan_free(&pl);
	rig_close(&r);
}

static void
test_a_list_too_big_is_refused_before_any_read(void)
{
	struct wlsync_planner	 pr;
	struct wlsync_plan	 pl;
	struct drive		 d = { 0 };
	struct rig		 r;
	char			*cause = NULL;
	int			 rc;

	if (rig_open(&r, 0, 0) != 0) {
		ok(0, "rig");
		return;
	}
	r.id.wl_capacity = 10;
	rc = wlsync_planner_begin(&pr, r.pile, &r.id, cards, 11, 0, 0, 1, &pl, &cause);
	is_int(rc, WLSYNC_TOO_BIG, "a_list_over_capacity_is_refused");
	ok(cause != NULL && strstr(cause, "holds at most 10") != NULL,
	    "the_refusal_says_the_capacity");
	is_int(drive(&pr, r.w, &d, &cause), 0, "a_refused_planner_has_nothing_to_run");
	is_int(d.transactions, 0, "a_refused_plan_reads_nothing");
	free(cause);
	wlsync_planner_free(&pr);
	wlsync_plan_free(&pl);
	rig_close(&r);
}

int
main(void)
{
	make_cards();
	test_bucket_plan_reads_only_the_differing_buckets();
	test_read_plan_reads_a_1_0_pile_whole();
	test_a_list_edited_during_the_read_is_read_again();
	test_a_crc16_collision_is_found_by_reading_the_list_whole();
	test_a_lost_answer_mid_plan_names_what_failed();
	test_a_list_too_big_is_refused_before_any_read();
	done_testing();
}
