/* pile.c - what one simulated pile does: its link, card authorization
 * (offline against the whitelist), plug and session, metering by tariff
 * period, settlement into a stored record, and resync to the cloud. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "world.h"

int64_t
sim_pile_ms(struct sim_pile *p, uint64_t now_ms)
{
	return sim_world_ms(p->w, now_ms) + p->clock_offset_ms;
}

uint32_t
sim_pile_clock(struct sim_pile *p, uint64_t now_ms)
{
	int64_t	ms = sim_pile_ms(p, now_ms);

	return ms <= 0 ? 0 : (uint32_t)(ms / 1000);
}

unsigned
sim_pile_link(const struct sim_pile *p)
{
	if (p->forced_until != 0)
		return PROTO_LINK_FORCED;
	return p->backend_up ? PROTO_LINK_ONLINE : PROTO_LINK_OFFLINE;
}

int
sim_pile_online(const struct sim_pile *p)
{
	return sim_pile_link(p) == PROTO_LINK_ONLINE;
}

unsigned
sim_pile_cp_state(const struct sim_pile *p)
{
	if (p->sess.active)
		return p->power_w > 0 ? PROTO_CP_CHARGING : PROTO_CP_SUSPENDED;
	if (p->pending.active)
		return PROTO_CP_PREPARING;
	if (p->plugged)
		return p->finishing ? PROTO_CP_FINISHING : PROTO_CP_PREPARING;
	return PROTO_CP_AVAILABLE;
}

void
sim_pile_receive_tariff(struct sim_pile *p, const struct proto_tariff *t)
{
	if (memcmp(&p->tariff, t, sizeof *t) != 0) {
		p->tariff = *t;
		p->dirty = 1;
	}
}

/* The link came up or went down: an online pile takes the cloud's tariff
 * and starts uploading; a running resync that loses the link failed. */
static void
link_changed(struct sim_pile *p, unsigned was, uint64_t now_ms)
{
	unsigned	now = sim_pile_link(p);

	if (now == was)
		return;
	p->dirty = 1;
	if (now == PROTO_LINK_ONLINE) {
		sim_pile_receive_tariff(p, &p->w->cloud.tariff);
		if (p->synced < p->last_seq) {
			p->resync_state = PROTO_RESYNC_RUNNING;
			p->next_upload_ms = now_ms;
		}
	} else if (p->resync_state == PROTO_RESYNC_RUNNING)
		p->resync_state = PROTO_RESYNC_FAILED;
}

void
sim_pile_set_backend(struct sim_pile *p, int up, uint64_t now_ms)
{
	unsigned	was = sim_pile_link(p);

	sim_pile_catch_up(p, now_ms);
	p->backend_up = up;
	p->dirty = 1;
	link_changed(p, was, now_ms);
}

void
sim_pile_set_forced(struct sim_pile *p, uint32_t until, uint64_t now_ms)
{
	unsigned	was = sim_pile_link(p);

	sim_pile_catch_up(p, now_ms);
	p->forced_until = until;
	p->dirty = 1;
	link_changed(p, was, now_ms);
}

/* Meters [from, to) of pile time at the present power into the session;
 * stops at the offline energy limit. Returns the time metered up to. */
static uint32_t
meter_span(struct sim_pile *p, uint32_t from, uint32_t to)
{
	struct sim_session	*s = &p->sess;
	uint64_t		 total = 0, left;
	uint32_t		 secs;
	int			 i;

	if (!s->active || !p->plugged || p->power_w == 0 || to <= from)
		return to;
	if (s->a.offline && p->offline_max_wh != 0) {
		for (i = 0; i < PROTO_PERIODS; i++)
			total += s->period_ws[i];
		left = (uint64_t)p->offline_max_wh * 3600;
		left = total >= left ? 0 : left - total;
		secs = (uint32_t)((left + p->power_w - 1) / p->power_w);
		if (secs < to - from)
			to = from + secs;
	}
	proto_meter_split(&s->a.tariff, from, to, p->power_w, s->period_ws);
	p->meter_dirty = 1;
	return to;
}

static int
limit_reached(const struct sim_pile *p)
{
	uint64_t	total = 0;
	int		i;

	if (!p->sess.active || !p->sess.a.offline || p->offline_max_wh == 0)
		return 0;
	for (i = 0; i < PROTO_PERIODS; i++)
		total += p->sess.period_ws[i];
	return total >= (uint64_t)p->offline_max_wh * 3600;
}

/* Brings the pile to now: metering, energy limit, forced-offline expiry. */
void
sim_pile_catch_up(struct sim_pile *p, uint64_t now_ms)
{
	uint32_t	clock = sim_pile_clock(p, now_ms), upto;
	unsigned	was;

	if (p->sess.active && clock > p->sess.metered_to) {
		upto = meter_span(p, p->sess.metered_to, clock);
		p->sess.metered_to = upto;
		if (limit_reached(p))
			sim_pile_end_session(p, PROTO_STOP_ENERGY_LIMIT, now_ms);
		else
			p->sess.metered_to = clock;
	}
	if (p->forced_until != 0 && clock >= p->forced_until) {
		was = sim_pile_link(p);
		p->forced_until = 0;
		p->dirty = 1;
		link_changed(p, was, now_ms);
	}
	if (p->card_state == PROTO_CARD_PRESENT && now_ms >= p->card_present_until_ms)
		p->card_state = PROTO_CARD_IDLE;
}

/* `advance N`: the pile lives N seconds at once; the world clock moves
 * after every pile has metered the jump. */
void
sim_pile_advance(struct sim_pile *p, uint32_t seconds, uint64_t now_ms)
{
	uint32_t	clock, upto;

	sim_pile_catch_up(p, now_ms);
	clock = sim_pile_clock(p, now_ms);
	if (p->sess.active) {
		upto = meter_span(p, clock, clock + seconds);
		p->sess.metered_to = upto;
		if (limit_reached(p))
			sim_pile_end_session(p, PROTO_STOP_ENERGY_LIMIT, now_ms);
		else
			p->sess.metered_to = clock + seconds;
	}
}

void
sim_pile_set_power(struct sim_pile *p, uint32_t power_w, uint64_t now_ms)
{
	sim_pile_catch_up(p, now_ms);
	p->power_w = power_w;
	p->dirty = 1;
}

/* control.clock: a new pile time is not charging time. */
void
sim_pile_set_clock(struct sim_pile *p, uint32_t clock, uint64_t now_ms)
{
	sim_pile_catch_up(p, now_ms);
	p->clock_offset_ms = (int64_t)clock * 1000 - sim_world_ms(p->w, now_ms);
	if (p->sess.active)
		p->sess.metered_to = clock;
	p->dirty = 1;
}

static void
session_wh(const struct sim_session *s, uint32_t wh[PROTO_PERIODS])
{
	proto_energy_split_wh(s->period_ws, wh);
}

void
sim_pile_session_costs(const struct sim_session *s, uint32_t wh[PROTO_PERIODS],
    uint32_t efee[PROTO_PERIODS], uint32_t sfee[PROTO_PERIODS])
{
	session_wh(s, wh);
	proto_settle(&s->a.tariff, wh, efee, sfee);
}

static void
start_session(struct sim_pile *p, uint64_t now_ms)
{
	struct sim_session	*s = &p->sess;
	uint32_t		 clock = sim_pile_clock(p, now_ms);

	memset(s, 0, sizeof *s);
	s->active = 1;
	s->seq = p->last_seq + 1;
	s->a = p->pending;
	s->a.active = 1;
	s->start = clock;
	s->metered_to = clock;
	/* Sessions start on a whole Wh, so meter stop - start = the energy. */
	s->meter_start_wh = (uint32_t)(p->meter_ws / 3600);
	p->meter_ws = (uint64_t)s->meter_start_wh * 3600;
	memset(&p->pending, 0, sizeof p->pending);
	p->finishing = 0;
	p->dirty = 1;
}

/* Copies a holder name into a record's 24 bytes without cutting a UTF-8
 * character in half. */
static void
holder_copy(char *dst, size_t size, const char *src)
{
	size_t	n = strlen(src);

	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/*
 * Settles the running session into a record and stores it. The record
 * counts only once it is on disk; until then the session stays, so a failed
 * write loses nothing (the next end attempt or a restart settles it).
 */
int
sim_pile_end_session(struct sim_pile *p, unsigned reason, uint64_t now_ms)
{
	struct sim_session	*s = &p->sess;
	struct proto_record	 rec;
	uint32_t		 total = 0;
	char			*cause = NULL;
	int			 i;

	if (!s->active)
		return 0;
	memset(&rec, 0, sizeof rec);
	switch (s->a.source) {
	case PROTO_SRC_APP_ORDER:
		rec.kind = PROTO_REC_APP_ORDER;
		break;
	case PROTO_SRC_ONLINE_CARD:
		rec.kind = PROTO_REC_ONLINE_CARD;
		break;
	default:
		rec.kind = PROTO_REC_OFFLINE_CARD;
		break;
	}
	rec.flags = s->a.offline ? PROTO_REC_F_OFFLINE : 0;
	rec.stop_reason = (uint8_t)reason;
	snprintf(rec.tag, sizeof rec.tag, "%s", s->a.tag);
	holder_copy(rec.holder, sizeof rec.holder, s->a.holder);
	rec.start = s->start;
	/* Callers metered up to now, or to where the limit or the power went. */
	rec.stop = s->metered_to;
	if (rec.stop < rec.start)
		rec.stop = rec.start;
	sim_pile_session_costs(s, rec.energy_wh, rec.energy_fee_minor,
	    rec.service_fee_minor);
	for (i = 0; i < PROTO_PERIODS; i++)
		total += rec.energy_wh[i];
	rec.meter_start_wh = s->meter_start_wh;
	rec.meter_stop_wh = s->meter_start_wh + total;
	rec.tariff_version = s->a.tariff.version;
	if (!sim_store_has_room(p))
		p->unrecorded++;	/* the full policy let it charge */
	else if (sim_store_append(p, &rec, &cause) != 0) {
		free(p->fault);
		p->fault = cause;
		return -1;
	}
	/* A failed signature leaves the record stored and unsigned: the
	 * next start signs it (sim_sign_open). */
	if (sim_sign_append(p, &rec, &cause) != 0) {
		free(p->fault);
		p->fault = cause;
	}
	p->meter_ws = (uint64_t)rec.meter_stop_wh * 3600;
	memset(s, 0, sizeof *s);
	p->finishing = p->plugged;
	p->dirty = 1;
	if (sim_pile_online(p)) {
		p->resync_state = PROTO_RESYNC_RUNNING;
		p->next_upload_ms = now_ms;
	}
	sim_pile_save(p, now_ms, 1);
	return 0;
}

/* Offline authorization against the whitelist and the policies. */
static unsigned
authorize_offline(struct sim_pile *p, const struct proto_wl_entry *e, uint32_t clock)
{
	if (!p->offline_charging)
		return PROTO_AUTH_OFFLINE_DISABLED;
	if (e == NULL)
		return p->unknown_card ? PROTO_AUTH_UNKNOWN_ACCEPTED : PROTO_AUTH_UNKNOWN;
	if (e->status == PROTO_WL_BLOCKED)
		return PROTO_AUTH_BLOCKED;
	if (e->expiry != 0 && e->expiry < clock)
		return p->expired_card ? PROTO_AUTH_EXPIRED_ACCEPTED : PROTO_AUTH_EXPIRED;
	return PROTO_AUTH_ACCEPTED;
}

static int
accepted(unsigned result)
{
	return result == PROTO_AUTH_ACCEPTED || result == PROTO_AUTH_ONLINE_ACCEPTED ||
	    result == PROTO_AUTH_UNKNOWN_ACCEPTED || result == PROTO_AUTH_EXPIRED_ACCEPTED;
}

/* A card at the reader (uid already normalized). Returns the auth result. */
unsigned
sim_pile_swipe(struct sim_pile *p, const char *uid, uint64_t now_ms)
{
	const struct proto_wl_entry	*e;
	uint32_t			 clock;
	unsigned			 result;
	int				 online;

	sim_pile_catch_up(p, now_ms);
	clock = sim_pile_clock(p, now_ms);
	e = sim_wl_find(&p->wl, uid);
	p->card_state = PROTO_CARD_PRESENT;
	p->card_present_until_ms = now_ms + SIM_CARD_PRESENT_MS;
	snprintf(p->last_uid, sizeof p->last_uid, "%s", uid);
	snprintf(p->last_holder, sizeof p->last_holder, "%s", e ? e->holder : "");
	p->last_auth_time = clock;
	p->dirty = 1;

	/* The card that started the session stops it; any other is refused. */
	if (p->sess.active) {
		if (p->sess.a.source != PROTO_SRC_APP_ORDER &&
		    strcmp(p->sess.a.tag, uid) == 0) {
			p->last_auth = p->sess.a.result;
			sim_pile_end_session(p, PROTO_STOP_CARD, now_ms);
		} else
			p->last_auth = PROTO_AUTH_BUSY;
		return p->last_auth;
	}
	if (p->pending.active) {
		if (p->pending.source != PROTO_SRC_APP_ORDER &&
		    strcmp(p->pending.tag, uid) == 0) {
			/* Swiped again before plugging in: the driver changed mind. */
			p->last_auth = p->pending.result;
			memset(&p->pending, 0, sizeof p->pending);
		} else
			p->last_auth = PROTO_AUTH_BUSY;
		return p->last_auth;
	}

	online = sim_pile_online(p);
	if (online)
		result = e != NULL && e->status == PROTO_WL_BLOCKED ?
		    PROTO_AUTH_ONLINE_REFUSED : PROTO_AUTH_ONLINE_ACCEPTED;
	else
		result = authorize_offline(p, e, clock);
	if (accepted(result) && !online && p->full_policy == PROTO_FULL_REFUSE &&
	    !sim_store_has_room(p)) {
		result = PROTO_AUTH_STORE_FULL;
		p->refused_full++;
	}
	p->last_auth = result;
	if (!accepted(result))
		return result;

	memset(&p->pending, 0, sizeof p->pending);
	p->pending.active = 1;
	p->pending.source = online ? PROTO_SRC_ONLINE_CARD : PROTO_SRC_OFFLINE_CARD;
	p->pending.offline = !online;
	p->pending.result = result;
	snprintf(p->pending.tag, sizeof p->pending.tag, "%s", uid);
	snprintf(p->pending.holder, sizeof p->pending.holder, "%s", e ? e->holder : "");
	p->pending.tariff = p->tariff;
	if (p->plugged)
		start_session(p, now_ms);
	return result;
}

int
sim_pile_plug(struct sim_pile *p, uint64_t now_ms, char **cause)
{
	sim_pile_catch_up(p, now_ms);
	if (p->plugged)
		return set_cause(cause, -1, _("pile %d is already plugged in "
		    "(unplug it first)"), p->addr);
	p->plugged = 1;
	p->finishing = 0;
	p->dirty = 1;
	if (p->pending.active)
		start_session(p, now_ms);
	return 0;
}

int
sim_pile_unplug(struct sim_pile *p, uint64_t now_ms, char **cause)
{
	sim_pile_catch_up(p, now_ms);
	if (!p->plugged)
		return set_cause(cause, -1, _("pile %d is not plugged in"), p->addr);
	if (p->sess.active && sim_pile_end_session(p, PROTO_STOP_UNPLUGGED, now_ms) != 0)
		return set_cause(cause, -1, "%s", p->fault);
	p->plugged = 0;
	p->finishing = 0;
	p->dirty = 1;
	return 0;
}

/* An app order the cloud sent: charges at the order's tariff. */
int
sim_pile_order(struct sim_pile *p, const char *order_id, const struct proto_tariff *t,
    uint64_t now_ms, char **cause)
{
	sim_pile_catch_up(p, now_ms);
	if (!sim_pile_online(p))
		return set_cause(cause, -1, _("pile %d is %s: the cloud cannot send it "
		    "the order (bring the link up: link %d up)"), p->addr,
		    proto_link_str(sim_pile_link(p)), p->addr);
	if (p->sess.active || p->pending.active)
		return set_cause(cause, -1, _("pile %d is busy with '%s' (unplug or "
		    "stop it first)"), p->addr,
		    p->sess.active ? p->sess.a.tag : p->pending.tag);
	memset(&p->pending, 0, sizeof p->pending);
	p->pending.active = 1;
	p->pending.source = PROTO_SRC_APP_ORDER;
	p->pending.result = PROTO_AUTH_ONLINE_ACCEPTED;
	snprintf(p->pending.tag, sizeof p->pending.tag, "%s", order_id);
	p->pending.tariff = *t;
	p->dirty = 1;
	if (p->plugged)
		start_session(p, now_ms);
	return 0;
}

/* control.resync: refused with a reason when it cannot reach the cloud. */
int
sim_pile_resync(struct sim_pile *p, uint64_t now_ms)
{
	sim_pile_catch_up(p, now_ms);
	if (p->forced_until != 0) {
		p->last_error = PROTO_WERR_FORCED_OFFLINE;
		return PROTO_EX_DEVICE_FAILURE;
	}
	if (!p->backend_up) {
		p->last_error = PROTO_WERR_NO_BACKEND;
		p->resync_state = PROTO_RESYNC_FAILED;
		return PROTO_EX_DEVICE_FAILURE;
	}
	p->resync_state = p->synced < p->last_seq ? PROTO_RESYNC_RUNNING :
	    PROTO_RESYNC_DONE;
	p->next_upload_ms = now_ms;
	return 0;
}

/*
 * Uploads the oldest unsynced record; the watermark moves only after the
 * cloud acknowledged it, and the cloud acknowledges only what it has on
 * disk. An acknowledgement lost on the way (`cloud drop-acks N`) leaves the
 * record unsynced: the pile sends the same record again after a timeout and
 * the cloud, which keys records by serial and seq, acknowledges without a
 * second copy. One record at a time, oldest first, so resent records keep
 * their order (and their bytes, the offline flag among them).
 */
static void
upload_one(struct sim_pile *p, uint64_t now_ms)
{
	struct sim_cloud	*c = &p->w->cloud;
	struct proto_record	 rec;
	uint8_t			 sig[PROTO_SIG_BYTES];
	char			*cause = NULL;
	uint32_t		 seq = sim_store_first_unsynced(p);

	/* Records before rec_base went out in a master's custody and their
	 * space was reused: the oldest one held comes next. */
	p->next_upload_ms = now_ms + SIM_UPLOAD_EVERY_MS;
	if (sim_store_read(p, seq, &rec) != 0) {
		free(p->fault);
		p->fault = xasprintf(_("record %u of pile %d cannot be read from "
		    "'%s/records.bin'"), seq, p->addr, p->dir);
		p->resync_state = PROTO_RESYNC_FAILED;
		return;
	}
	sim_sign_read(p, seq, sig);
	/* A 1.0 pile names no store: the cloud matches its records by
	 * content (sim_cloud_find). */
	if (sim_cloud_verify(c, p->serial, &rec, sig, &cause) < 0 ||
	    sim_cloud_receive(c, p->serial, sim_pile_is_10(p) ? 0 : p->store_id, &rec,
	    &cause) < 0) {
		free(p->fault);
		p->fault = cause;
		p->resync_state = PROTO_RESYNC_FAILED;
		return;
	}
	if (c->drop_acks > 0) {
		c->drop_acks--;
		c->acks_dropped++;
		p->next_upload_ms = now_ms + SIM_ACK_TIMEOUT_MS;
		return;
	}
	if (sim_store_set_synced(p, seq, &cause) != 0) {
		free(p->fault);
		p->fault = cause;
		p->resync_state = PROTO_RESYNC_FAILED;
		return;
	}
	if (p->synced == p->last_seq)
		p->resync_state = PROTO_RESYNC_DONE;
}

int
sim_pile_save(struct sim_pile *p, uint64_t now_ms, int force)
{
	char	*cause = NULL;

	if (!p->dirty && !(p->meter_dirty && (force ||
	    now_ms - p->last_save_ms >= SIM_SAVE_EVERY_MS)))
		return 0;
	p->last_save_ms = now_ms;
	if (sim_state_save(p, &cause) != 0) {
		free(p->fault);
		p->fault = cause;
		return -1;
	}
	p->meter_dirty = 0;
	return 0;
}

void
sim_pile_tick(struct sim_pile *p, uint64_t now_ms)
{
	sim_pile_catch_up(p, now_ms);
	if (p->auth_open && !sim_auth_session(p, now_ms))
		p->dirty = 1;
	if (sim_pile_online(p) && p->synced < p->last_seq &&
	    p->resync_state != PROTO_RESYNC_FAILED && now_ms >= p->next_upload_ms) {
		p->resync_state = PROTO_RESYNC_RUNNING;
		upload_one(p, now_ms);
	}
	sim_pile_save(p, now_ms, 0);
}

/* The 1.1 store and custody registers. */
static void
live_store(struct sim_pile *p, struct proto_live *l)
{
	struct proto_record	rec;
	uint32_t		held = sim_store_held(p), seq;

	l->record_free = held < p->rec_capacity ? p->rec_capacity - held : 0;
	l->custody_count = sim_custody_count(p);
	l->custody_last_seq = sim_custody_last(p);
	l->full_policy = p->full_policy;
	l->refused_full = p->refused_full;
	l->unrecorded = p->unrecorded;
	if ((seq = sim_store_first_unsynced(p)) != 0 && sim_store_read(p, seq, &rec) == 0)
		l->oldest_unacked = rec.start;
}

void
sim_pile_live(struct sim_pile *p, uint64_t now_ms, struct proto_live *l)
{
	uint32_t	wh[PROTO_PERIODS], ef[PROTO_PERIODS], sf[PROTO_PERIODS];
	uint32_t	current_ca = 0, total = 0;
	int		i, charging;

	sim_pile_catch_up(p, now_ms);
	memset(l, 0, sizeof *l);
	l->link = sim_pile_link(p);
	l->forced_until = p->forced_until;
	l->backend = (unsigned)p->backend_up;
	l->signal_dbm = p->backend_up ? -67 : 0;
	l->unsynced = sim_store_first_unsynced(p) ?
	    p->last_seq - sim_store_first_unsynced(p) + 1 : 0;
	l->first_seq = sim_store_held(p) ? p->rec_base : 0;
	l->last_seq = p->last_seq;
	l->card_state = p->card_state;
	snprintf(l->last_uid, sizeof l->last_uid, "%s", p->last_uid);
	l->last_auth = p->last_auth;
	l->last_auth_time = p->last_auth_time;
	l->cp_state = sim_pile_cp_state(p);
	charging = l->cp_state == PROTO_CP_CHARGING;
	/* P = 3 * U * I per phase at unity power factor. */
	if (charging)
		current_ca = (uint32_t)(((uint64_t)p->power_w * 100 * 10 +
		    (3 * SIM_VOLTAGE_DV) / 2) / (3 * SIM_VOLTAGE_DV));
	for (i = 0; i < 3; i++) {
		l->voltage_dv[i] = SIM_VOLTAGE_DV;
		l->current_ca[i] = current_ca > 0xffff ? 0xffff : current_ca;
	}
	l->power_w = charging ? p->power_w : 0;
	l->energy_wh = (uint32_t)(p->meter_ws / 3600);
	if (p->sess.active) {
		sim_pile_session_costs(&p->sess, wh, ef, sf);
		for (i = 0; i < PROTO_PERIODS; i++) {
			total += wh[i];
			l->session_cost_minor += ef[i] + sf[i];
		}
		l->energy_wh = p->sess.meter_start_wh + total;
		l->session_id = p->sess.seq;
		l->session_source = p->sess.a.source;
		l->session_energy_wh = total;
		l->session_period = proto_tariff_period_at(&p->sess.a.tariff,
		    sim_pile_clock(p, now_ms));
		l->session_tariff_version = p->sess.a.tariff.version;
		l->session_start = p->sess.start;
		snprintf(l->session_tag, sizeof l->session_tag, "%s", p->sess.a.tag);
	} else
		l->session_period = proto_tariff_period_at(&p->tariff,
		    sim_pile_clock(p, now_ms));
	l->tariff_version = p->tariff.version;
	l->clock = sim_pile_clock(p, now_ms);
	l->wl_version = p->wl.version;
	l->wl_count = p->wl.n;
	l->offline_charging = p->offline_charging;
	l->unknown_card = p->unknown_card;
	l->expired_card = p->expired_card;
	l->offline_max_wh = p->offline_max_wh;
	l->auth_state = (unsigned)sim_auth_session(p, now_ms);
	snprintf(l->last_holder, sizeof l->last_holder, "%s", p->last_holder);
	live_store(p, l);
}
