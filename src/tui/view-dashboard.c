/* view-dashboard.c - one pile at a glance: network, card reader, meter,
 * session, records, clock and the offline-authorization settings in force.
 * Refreshed with one live-block read every 500 ms; a value that changed
 * since the previous read is highlighted for one refresh. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "tui.h"
#include "batch/batch.h"

enum dash_field {
	F_END = 0, F_LINK, F_BACKEND, F_SIGNAL, F_READER, F_LAST_CARD, F_AUTH, F_AUTH_TIME,
	F_L1, F_L2, F_L3, F_POWER, F_ENERGY, F_SOURCE, F_SESSION_ENERGY, F_COST, F_PERIOD,
	F_SESSION_TARIFF, F_UNSYNCED, F_SEQS, F_CLOCK, F_DRIFT, F_OFFLINE_CHARGING,
	F_UNKNOWN_CARD, F_EXPIRED_CARD, F_OFFLINE_MAX, F_TARIFF, F_WHITELIST, F_WRITE_SESSION,
	F_STORE, F_DAYS_LEFT, F_CUSTODY, F_OLDEST_UNACKED, F_CUSTODY_OFFER, F_FULL_POLICY,
	F_FULL_COUNTS
};

/* Above this share of the store used, with records not yet in custody, the
 * dashboard offers custody (issue 12: "the console offers it above 80 %"). */
#define DASH_CUSTODY_OFFER_PERCENT	80

static const struct dash_row {
	const char	*label;
	enum dash_field	 fields[6];
	unsigned	 cap;		/* shown only on a pile with this capability */
} dash_rows[] = {
	{ N_("Network"),	{ F_LINK, F_BACKEND, F_SIGNAL }, 0 },
	{ N_("Card reader"),	{ F_READER, F_LAST_CARD }, 0 },
	{ "",			{ F_AUTH, F_AUTH_TIME }, 0 },
	{ N_("Meter"),		{ F_L1, F_L2, F_L3 }, 0 },
	{ "",			{ F_POWER, F_ENERGY }, 0 },
	{ N_("Session"),	{ F_SOURCE, F_SESSION_ENERGY, F_COST }, 0 },
	{ "",			{ F_PERIOD, F_SESSION_TARIFF }, 0 },
	{ N_("Records"),	{ F_UNSYNCED, F_SEQS }, 0 },
	{ N_("Store"),		{ F_STORE, F_DAYS_LEFT, F_CUSTODY }, PROTO_CAP_STORE },
	{ "",			{ F_OLDEST_UNACKED }, PROTO_CAP_STORE },
	{ "",			{ F_FULL_POLICY, F_FULL_COUNTS }, PROTO_CAP_STORE },
	{ "",			{ F_CUSTODY_OFFER }, PROTO_CAP_CUSTODY },
	{ N_("Pile clock"),	{ F_CLOCK, F_DRIFT }, 0 },
	{ N_("Offline auth"),	{ F_OFFLINE_CHARGING, F_UNKNOWN_CARD }, 0 },
	{ "",			{ F_EXPIRED_CARD, F_OFFLINE_MAX }, 0 },
	{ N_("Tariff"),		{ F_TARIFF, F_WHITELIST, F_WRITE_SESSION }, 0 },
};

static const enum tui_action dash_bar[] = {
	TUI_A_FORCE_OFFLINE, TUI_A_END_OFFLINE, TUI_A_RESYNC, TUI_A_VIEW_BUS,
	TUI_A_VIEW_WHITELIST, TUI_A_VIEW_RECORDS, TUI_A_NONE
};

/* Why a card was accepted or refused, in the words a technician uses. */
static const char *
dash_auth_words(unsigned r)
{
	switch (r) {
	case PROTO_AUTH_NONE:
		return (_("no card seen yet"));
	case PROTO_AUTH_ACCEPTED:
		return (_("accepted offline: on the whitelist"));
	case PROTO_AUTH_BLOCKED:
		return (_("refused: blocked on the whitelist"));
	case PROTO_AUTH_EXPIRED:
		return (_("refused: whitelist entry expired"));
	case PROTO_AUTH_UNKNOWN:
		return (_("refused: not on the whitelist"));
	case PROTO_AUTH_ONLINE_ACCEPTED:
		return (_("accepted by the back-end"));
	case PROTO_AUTH_ONLINE_REFUSED:
		return (_("refused by the back-end"));
	case PROTO_AUTH_OFFLINE_DISABLED:
		return (_("refused: offline charging is switched off"));
	case PROTO_AUTH_UNKNOWN_ACCEPTED:
		return (_("accepted offline: unknown cards are accepted"));
	case PROTO_AUTH_EXPIRED_ACCEPTED:
		return (_("accepted offline: expired cards are accepted"));
	case PROTO_AUTH_BUSY:
		return (_("refused: a session is already running"));
	case PROTO_AUTH_STORE_FULL:
		return (_("refused: the record store is full (hand records into custody)"));
	}
	return (_("unknown result"));
}

/* Network and card reader. */
static void
dash_format_network(enum dash_field f, const struct tui_pile *p, const struct proto_live *l,
    char *buf, size_t len)
{
	char		a[48], b[48];

	switch (f) {
	case F_LINK:
		if (l->link == PROTO_LINK_FORCED && l->forced_until != 0)
			snprintf(buf, len, _("forced offline until %s (%s left)"),
			    tui_fmt_time(l->forced_until, a, sizeof a),
			    tui_fmt_span((long)l->forced_until - (long)l->clock, b, sizeof b));
		else
			snprintf(buf, len, "%s", _(proto_link_str(l->link)));
		break;
	case F_BACKEND:
		snprintf(buf, len, "%s", l->backend ? _("back-end connected") : _("back-end unreachable"));
		break;
	case F_SIGNAL:
		if (l->signal_dbm == 0)
			snprintf(buf, len, "%s", _("signal unknown"));
		else
			snprintf(buf, len, _("signal %d dBm"), l->signal_dbm);
		break;
	case F_READER:
		snprintf(buf, len, _("reader %s"), _(proto_card_state_str(l->card_state)));
		break;
	case F_LAST_CARD:
		if (l->last_uid[0] == '\0')
			snprintf(buf, len, "%s", _("no card yet"));
		else if (l->last_holder[0] != '\0')
			snprintf(buf, len, _("last card %s (%s)"), l->last_uid, l->last_holder);
		else
			snprintf(buf, len, _("last card %s"), l->last_uid);
		break;
	case F_AUTH:
		snprintf(buf, len, "%s", dash_auth_words(l->last_auth));
		break;
	case F_AUTH_TIME:
		if (l->last_auth_time == 0)
			buf[0] = '\0';
		else
			snprintf(buf, len, _("at %s"), tui_fmt_time(l->last_auth_time, a, sizeof a));
		break;
	default:
		buf[0] = '\0';
		break;
	}
}

/* Meter and the session in progress. */
static void
dash_format_meter(enum dash_field f, const struct tui_pile *p, const struct proto_live *l,
    char *buf, size_t len)
{
	char		a[48];
	unsigned	i;

	switch (f) {
	case F_L1:
	case F_L2:
	case F_L3:
		i = f - F_L1;
		snprintf(buf, len, "L%u %u.%u V %u.%02u A", i + 1, l->voltage_dv[i] / 10,
		    l->voltage_dv[i] % 10, l->current_ca[i] / 100, l->current_ca[i] % 100);
		break;
	case F_POWER:
		snprintf(buf, len, _("power %lu.%02lu kW"), (unsigned long)l->power_w / 1000,
		    (unsigned long)l->power_w % 1000 / 10);
		break;
	case F_ENERGY:
		snprintf(buf, len, _("energy register %s"), tui_fmt_kwh(l->energy_wh, a, sizeof a));
		break;
	case F_SOURCE:
		if (l->session_source == PROTO_SRC_NONE)
			snprintf(buf, len, "%s", _("no session"));
		else
			snprintf(buf, len, "%s %s", _(proto_source_str(l->session_source)), l->session_tag);
		break;
	case F_SESSION_ENERGY:
		if (l->session_source == PROTO_SRC_NONE)
			buf[0] = '\0';
		else
			snprintf(buf, len, _("energy %s"), tui_fmt_kwh(l->session_energy_wh, a, sizeof a));
		break;
	case F_COST:
		if (l->session_source == PROTO_SRC_NONE)
			buf[0] = '\0';
		else
			snprintf(buf, len, _("cost %s so far"), tui_fmt_money(l->session_cost_minor, a, sizeof a));
		break;
	case F_PERIOD:
		if (l->session_source == PROTO_SRC_NONE)
			buf[0] = '\0';
		else
			snprintf(buf, len, _("period %s"), _(proto_period_str(l->session_period)));
		break;
	case F_SESSION_TARIFF:
		if (l->session_source == PROTO_SRC_NONE)
			buf[0] = '\0';
		else
			snprintf(buf, len, _("at tariff v%lu, since %s"), (unsigned long)l->session_tariff_version,
			    tui_fmt_time(l->session_start, a, sizeof a));
		break;
	default:
		buf[0] = '\0';
		break;
	}
}

/* Records, clock, offline settings, tariff and whitelist. */
static void
dash_format_pile(enum dash_field f, const struct tui_pile *p, const struct proto_live *l,
    char *buf, size_t len)
{
	char		a[48], b[48];
	long		d;

	switch (f) {
	case F_UNSYNCED:
		snprintf(buf, len, _("%lu unsynced"), (unsigned long)l->unsynced);
		break;
	case F_SEQS:
		if (l->last_seq == 0)
			snprintf(buf, len, "%s", _("none stored"));
		else
			snprintf(buf, len, _("seq %lu-%lu on the pile"), (unsigned long)l->first_seq,
			    (unsigned long)l->last_seq);
		break;
	case F_CLOCK:
		snprintf(buf, len, "%s %s", tui_fmt_date(l->clock, a, sizeof a),
		    tui_fmt_time(l->clock, b, sizeof b));
		break;
	case F_DRIFT:
		d = (long)l->clock - (long)p->live_at;
		if (d > -2 && d < 2)
			snprintf(buf, len, "%s", _("same as this laptop"));
		else if (d > 0)
			snprintf(buf, len, _("%s ahead of this laptop"), tui_fmt_span(d, a, sizeof a));
		else
			snprintf(buf, len, _("%s behind this laptop"), tui_fmt_span(d, a, sizeof a));
		break;
	case F_OFFLINE_CHARGING:
		snprintf(buf, len, "%s", l->offline_charging ? _("offline charging on") :
		    _("offline charging off"));
		break;
	case F_UNKNOWN_CARD:
		snprintf(buf, len, "%s", l->unknown_card ? _("unknown cards accepted") :
		    _("unknown cards refused"));
		break;
	case F_EXPIRED_CARD:
		snprintf(buf, len, "%s", l->expired_card ? _("expired cards accepted") :
		    _("expired cards refused"));
		break;
	case F_OFFLINE_MAX:
		if (l->offline_max_wh == 0)
			snprintf(buf, len, "%s", _("no energy limit offline"));
		else
			snprintf(buf, len, _("offline limit %s"), tui_fmt_kwh(l->offline_max_wh, a, sizeof a));
		break;
	case F_TARIFF:
		snprintf(buf, len, _("tariff v%lu"), (unsigned long)l->tariff_version);
		break;
	case F_WHITELIST:
		snprintf(buf, len, _("whitelist v%lu, %lu cards"), (unsigned long)l->wl_version,
		    (unsigned long)l->wl_count);
		break;
	case F_WRITE_SESSION:
		snprintf(buf, len, "%s", l->auth_state ? _("write session open") : "");
		break;
	default:
		buf[0] = '\0';
		break;
	}
}

/* 1 when the dashboard offers custody: a CUSTODY pile whose store is
 * above the mark with records that could go into custody. */
static int
dash_offers_custody(const struct tui_pile *p, const struct proto_live *l)
{
	struct pile_store_use	u;

	if (!p->have_id || !(p->id.caps & PROTO_CAP_CUSTODY))
		return (0);
	pile_store_use(&p->id, l, &u);
	return (u.percent > DASH_CUSTODY_OFFER_PERCENT && u.pinned > 0);
}

/* The record store (1.1, cap STORE), as `pilecon status` tells it. */
static void
dash_format_store(enum dash_field f, const struct tui_pile *p, const struct proto_live *l,
    char *buf, size_t len)
{
	struct pile_store_use	u;
	char			a[48], b[48];

	pile_store_use(&p->id, l, &u);
	buf[0] = '\0';
	switch (f) {
	case F_STORE:
		snprintf(buf, len, _("%lu of %lu records (%u %%)"), (unsigned long)u.held,
		    (unsigned long)u.capacity, u.percent);
		break;
	case F_DAYS_LEFT:
		if (u.pinned >= u.capacity)
			snprintf(buf, len, "%s", _("no room left"));
		else if (u.days_left >= 0)
			snprintf(buf, len, _("about %d days left"), (int)u.days_left);
		else
			snprintf(buf, len, "%s", _("days left not known yet"));
		break;
	case F_CUSTODY:
		snprintf(buf, len, _("%lu in custody"), (unsigned long)l->custody_count);
		break;
	case F_OLDEST_UNACKED:
		if (l->oldest_unacked == 0)
			snprintf(buf, len, "%s", _("the cloud acknowledged every record"));
		else
			snprintf(buf, len, _("oldest not acknowledged %s %s"),
			    tui_fmt_date(l->oldest_unacked, a, sizeof a),
			    tui_fmt_time(l->oldest_unacked, b, sizeof b));
		break;
	case F_FULL_POLICY:
		snprintf(buf, len, _("when full: %s"),
		    _(proto_enum_str(PROTO_ENUM_FULL_POLICY, l->full_policy)));
		break;
	case F_FULL_COUNTS:
		if (l->refused_full != 0 || l->unrecorded != 0)
			snprintf(buf, len, _("%lu refused, %lu unrecorded"),
			    (unsigned long)l->refused_full,
			    (unsigned long)l->unrecorded);
		break;
	case F_CUSTODY_OFFER:
		tui_action_keys(TUI_A_CUSTODY, a, sizeof a, 1);
		if (dash_offers_custody(p, l) && a[0] != '\0')
			snprintf(buf, len, _("press %s: pull, then hand into custody"), a);
		break;
	default:
		break;
	}
}

/* One field in words; "" when it has nothing to say. */
static void
dash_format(enum dash_field f, const struct tui_pile *p, const struct proto_live *l,
    char *buf, size_t len)
{
	if (f >= F_LINK && f < F_L1)
		dash_format_network(f, p, l, buf, len);
	else if (f >= F_L1 && f < F_UNSYNCED)
		dash_format_meter(f, p, l, buf, len);
	else if (f >= F_STORE)
		dash_format_store(f, p, l, buf, len);
	else if (f >= F_UNSYNCED)
		dash_format_pile(f, p, l, buf, len);
	else
		buf[0] = '\0';
}

/* 1 when a row has something to say (a row of a 1.1 capability that has
 * nothing is left out, the others keep their line). */
static int
dash_row_says(const struct dash_row *r, const struct tui_pile *p)
{
	char	buf[160];
	int	j;

	for (j = 0; j < 6 && r->fields[j] != F_END; j++) {
		dash_format(r->fields[j], p, &p->live, buf, sizeof buf);
		if (buf[0] != '\0')
			return (1);
	}
	return (0);
}

static void
dash_draw(struct tui *t, int y0, int rows)
{
	struct tui_pile	*p = tui_cur(t);
	char		 cur[160], prev[160];
	size_t		 i;
	int		 lw = 0, x, y, j, attr, w;

	if (p == NULL) {
		tui_put(y0 + 1, 1, COLS - 2, TUI_PLAIN, _("no pile selected: the bus view (1) lists the piles that answer"));
		return;
	}
	y = y0 + 1;
	if (p->have_id) {
		tui_putf(y0, 1, COLS - 2, tui_attr(TUI_R_DIM), _("%s %s, firmware %s, device id %s"),
		    p->id.vendor, p->id.model, p->id.firmware, p->id.device_id);
	}
	if (!p->have_live) {
		tui_put(y, 1, COLS - 2, TUI_PLAIN, p->silent_since_ms != 0 ?
		    _("the pile has not answered yet") : _("reading the pile..."));
		return;
	}
	for (i = 0; i < nitems(dash_rows); i++) {
		w = utf8_width(_(dash_rows[i].label));
		if (dash_rows[i].label[0] != '\0' && w > lw)
			lw = w;
	}
	for (i = 0; i < nitems(dash_rows) && y < y0 + rows; i++, y++) {
		if (dash_rows[i].cap != 0 && (!p->have_id ||
		    !(p->id.caps & dash_rows[i].cap) || !dash_row_says(&dash_rows[i], p))) {
			y--;
			continue;
		}
		if (dash_rows[i].label[0] != '\0')
			tui_put(y, 1, lw, tui_attr(TUI_R_LABEL), _(dash_rows[i].label));
		x = lw + 3;
		for (j = 0; j < 6 && dash_rows[i].fields[j] != F_END && x < COLS; j++) {
			dash_format(dash_rows[i].fields[j], p, &p->live, cur, sizeof cur);
			if (cur[0] == '\0')
				continue;
			attr = TUI_PLAIN;
			if (p->have_prev && dash_rows[i].fields[j] != F_CLOCK) {
				dash_format(dash_rows[i].fields[j], p, &p->prev, prev, sizeof prev);
				if (strcmp(cur, prev) != 0)
					attr = tui_attr(TUI_R_CHANGED);
			}
			if (dash_rows[i].fields[j] == F_LINK && p->live.link != PROTO_LINK_ONLINE)
				attr |= tui_attr(TUI_R_WARN);
			if (dash_rows[i].fields[j] == F_CUSTODY_OFFER ||
			    dash_rows[i].fields[j] == F_FULL_COUNTS ||
			    (dash_rows[i].fields[j] == F_STORE && dash_offers_custody(p, &p->live)))
				attr |= tui_attr(TUI_R_WARN);
			x += tui_put(y, x, COLS - x - 1, attr, cur) + 3;
		}
	}
	if (p->error != NULL && y + 1 < y0 + rows)
		tui_put(y + 1, 1, COLS - 2, tui_attr(TUI_R_ERROR), p->error);
}

/* ---- force offline, end it, resync: jobs -------------------------------------- */

struct dash_view {
	char	for_arg[32];	/* what the confirmation asks for: "7200s"; "" ends it */
};

static void
dash_init(struct tui *t)
{
	t->dashboard = xcalloc(1, sizeof *t->dashboard);
}

static void
dash_free(struct tui *t)
{
	free(t->dashboard);
	t->dashboard = NULL;
}

/* A change the screen shows at once: the next refresh right after. */
static void
dash_job_done(struct tui *t, struct tui_job *tj)
{
	int	i;

	for (i = 0; i < t->npiles; i++) {
		if (t->piles[i].addr == tj->addr)
			t->piles[i].due_ms = 0;
	}
}

static void
dash_run(struct tui *t, int argc, const char **argv)
{
	struct tui_job	*tj;
	char		*cause = NULL;

	if ((tj = tui_job_start(t, tui_cur(t), TUI_JOB_KEY, argc, argv, NULL, &cause)) == NULL) {
		tui_event(t, TUI_ERROR, "%s", cause);
		free(cause);
		return;
	}
	tj->done = dash_job_done;
}

static void
dash_force_yes(struct tui *t, void *arg)
{
	const char	*on[] = { "offline", "on", "--for", t->dashboard->for_arg };
	static const char *off[] = { "offline", "off" };

	(void)arg;
	if (tui_cur(t) == NULL)
		return;
	if (t->dashboard->for_arg[0] == '\0')
		dash_run(t, 2, off);
	else
		dash_run(t, 4, on);
}

static void
dash_force_answer(struct tui *t, const char *answer, void *arg)
{
	struct tui_pile	*p = tui_cur(t);
	char		 name[64], hm[32], span[32], *q;
	char		*cause = NULL;
	uint32_t	 s;

	(void)arg;
	if (p == NULL || !p->have_live)
		return;
	/* The same reading of durations as 'pilecon offline on --for'. */
	if (batch_parse_duration(*answer != '\0' ? answer : "2h", &s, &cause) != 0) {
		tui_event(t, TUI_ERROR, "%s", cause);
		free(cause);
		return;
	}
	if (s == 0 || s > 7 * 86400) {
		tui_event(t, TUI_ERROR, _("cannot force offline for '%s': give 1s to 7d"), answer);
		return;
	}
	snprintf(t->dashboard->for_arg, sizeof t->dashboard->for_arg, "%lus", (unsigned long)s);
	q = xasprintf(_("force %s offline until %s (%s)?"),
	    tui_pile_name(p, name, sizeof name), tui_fmt_time(tui_pile_clock(p) + s, hm, sizeof hm),
	    tui_fmt_span(s, span, sizeof span));
	tui_confirm(t, q, dash_force_yes, NULL);
	free(q);
}

/* Custody: `logs pull --custody` as a console job, one per pile at a time. */
static void
dash_custody(struct tui *t, struct tui_pile *p, const char *name)
{
	static const char	*argv[] = { "logs", "pull", "--custody" };

	if (!p->have_id || !(p->id.caps & PROTO_CAP_CUSTODY)) {
		tui_event(t, TUI_WARN, _("%s cannot take records into custody (protocol "
		    "1.0: it keeps every record until its cloud acknowledges it)"), name);
		return;
	}
	if (tui_job_find(t, p->addr, "logs pull") != NULL) {
		tui_event(t, TUI_INFO, _("%s: a pull is already running (Esc stops it)"),
		    p->id.serial);
		return;
	}
	dash_run(t, 3, argv);
}

int
tui_pile_action(struct tui *t, enum tui_action a)
{
	static const char	*resync[] = { "resync" };
	struct tui_pile		*p = tui_cur(t);
	char			 name[64], *q;

	if (a != TUI_A_FORCE_OFFLINE && a != TUI_A_END_OFFLINE && a != TUI_A_RESYNC &&
	    a != TUI_A_CUSTODY)
		return (0);
	if (p == NULL || !p->have_live) {
		tui_event(t, TUI_WARN, _("no pile answers yet: nothing to do"));
		return (1);
	}
	tui_pile_name(p, name, sizeof name);
	switch (a) {
	case TUI_A_FORCE_OFFLINE:
		q = xasprintf(_("force %s offline for how long (Enter: 2h; e.g. 30m, 1d; at most 7d)? "), name);
		tui_ask(t, q, "", dash_force_answer, NULL);
		free(q);
		break;
	case TUI_A_END_OFFLINE:
		if (p->live.link != PROTO_LINK_FORCED) {
			tui_event(t, TUI_INFO, _("%s is not forced offline"), name);
			break;
		}
		t->dashboard->for_arg[0] = '\0';
		q = xasprintf(_("end forced offline on %s now (it goes back online when its back-end answers)?"), name);
		tui_confirm(t, q, dash_force_yes, NULL);
		free(q);
		break;
	case TUI_A_CUSTODY:
		dash_custody(t, p, name);
		break;
	default:
		dash_run(t, 1, resync);
		break;
	}
	return (1);
}

static int
dash_action(struct tui *t, enum tui_action a)
{
	if (a == TUI_A_OPEN)
		return (1);
	return (tui_pile_action(t, a));
}

const struct tui_view tui_view_dashboard = {
	N_("dashboard"), dash_init, dash_free, NULL, dash_draw, dash_action, dash_bar
};
