/* cmd-status.c - `pilecon status`: identity and live state of one pile, the
 * first thing a technician reads at the pile. Two transactions. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/cmd-util.h"
#include "batch/job.h"
#include "proto/sig.h"

static enum job_return	cmd_status_step(struct job *);
static void		cmd_status_render(const struct result *, FILE *);

const struct cmd_entry cmd_status_entry = {
	.name = "status", .alias = "st", .args = "--json", .usage = "[--json]",
	.help = N_("show the pile's identity and live state: link, card reader, meter, session, clock"),
	.step = cmd_status_step, .render = cmd_status_render, .flags = CMD_PILE,
};

/* 1.1, cap STORE: how full the record store is and what custody holds. */
static void
status_store(struct json *o, const struct proto_identity *id, const struct proto_live *l)
{
	struct pile_store_use	 u;
	struct json		*c;

	pile_store_use(id, l, &u);
	c = json_set(o, "store", json_object());
	/* decimal, as logs list and the exports write it (0: none) */
	json_set_int(c, "store_id", l->store_id);
	json_set_int(c, "capacity", u.capacity);
	json_set_int(c, "held", u.held);
	json_set_int(c, "percent", u.percent);
	json_set_int(c, "free", l->record_free);
	json_set_int(c, "custody", l->custody_count);
	json_set_int(c, "custody_last_seq", l->custody_last_seq);
	json_set_int(c, "pinned", u.pinned);
	json_set_int(c, "days_left", u.days_left);
	json_set_int(c, "oldest_unacked", l->oldest_unacked);
	json_set_str(c, "full_policy", proto_enum_key(PROTO_ENUM_FULL_POLICY, l->full_policy));
	json_set_int(c, "refused_full", l->refused_full);
	json_set_int(c, "unrecorded", l->unrecorded);
}

/* The result: every field the pile said, in the vocabulary of
 * proto_enum_key, and the laptop's clock to show the drift against. */
static struct json *
status_data(const struct proto_identity *id, int addr, const struct proto_live *l,
    int64_t laptop, int store)
{
	struct json	*o = json_object(), *a, *c;
	int		 i;

	json_set_str(o, "serial", id->serial);
	json_set_int(o, "address", addr);
	json_set_str(o, "vendor", id->vendor);
	json_set_str(o, "model", id->model);
	json_set_str(o, "firmware", id->firmware);
	json_set_str(o, "device_id", id->device_id);
	json_set_str(o, "link", proto_enum_key(PROTO_ENUM_LINK, l->link));
	json_set_int(o, "forced_until", l->forced_until);
	json_set_bool(o, "backend", l->backend);
	json_set_int(o, "signal_dbm", l->signal_dbm);
	json_set_int(o, "unsynced", l->unsynced);
	json_set_int(o, "first_seq", l->first_seq);
	json_set_int(o, "last_seq", l->last_seq);
	json_set_str(o, "cp_state", proto_enum_key(PROTO_ENUM_CP, l->cp_state));
	json_set_int(o, "energy_wh", l->energy_wh);
	json_set_int(o, "power_w", l->power_w);
	a = json_set(o, "voltage_dv", json_array());
	for (i = 0; i < 3; i++)
		json_push(a, json_int(l->voltage_dv[i]));
	a = json_set(o, "current_ca", json_array());
	for (i = 0; i < 3; i++)
		json_push(a, json_int(l->current_ca[i]));
	json_set_int(o, "tariff_version", l->tariff_version);
	json_set_int(o, "clock", l->clock);
	json_set_int(o, "clock_drift_s", (int64_t)l->clock - laptop);
	c = json_set(o, "card", json_object());
	json_set_str(c, "state", proto_enum_key(PROTO_ENUM_CARD_STATE, l->card_state));
	json_set_str(c, "last_uid", l->last_uid);
	json_set_str(c, "last_result", proto_enum_key(PROTO_ENUM_AUTH, l->last_auth));
	json_set_str(c, "last_holder", l->last_holder);
	json_set_int(c, "last_time", l->last_auth_time);
	c = json_set(o, "session", json_object());
	json_set_int(c, "id", l->session_id);
	json_set_str(c, "source", proto_enum_key(PROTO_ENUM_SOURCE, l->session_source));
	json_set_int(c, "energy_wh", l->session_energy_wh);
	json_set_int(c, "cost_minor", l->session_cost_minor);
	json_set_str(c, "period", proto_enum_key(PROTO_ENUM_PERIOD, l->session_period));
	json_set_int(c, "tariff_version", l->session_tariff_version);
	json_set_int(c, "start", l->session_start);
	json_set_str(c, "tag", l->session_tag);
	c = json_set(o, "whitelist", json_object());
	json_set_int(c, "version", l->wl_version);
	json_set_int(c, "count", l->wl_count);
	c = json_set(o, "offline_auth", json_object());
	json_set_bool(c, "offline_charging", l->offline_charging);
	json_set_str(c, "unknown_card", proto_enum_key(PROTO_ENUM_POLICY, l->unknown_card != 0));
	json_set_str(c, "expired_card", proto_enum_key(PROTO_ENUM_POLICY, l->expired_card != 0));
	json_set_int(c, "offline_max_wh", l->offline_max_wh);
	json_set_bool(o, "auth_session", l->auth_state);
	if (store)
		status_store(o, id, l);
	return o;
}

/* The write session and lockout (auth block; session.counter on a pile
 * with writes with proof, else no counter). */
static void
status_auth(struct json *o, const struct pile_auth_state *st, int has_counter,
    uint32_t counter)
{
	struct json	*c;

	c = json_set(o, "write_session", json_object());
	json_set_bool(c, "open", st->open);
	json_set_int(c, "left_s", st->open ? st->left_s : 0);
	if (has_counter)
		json_set_int(c, "counter", counter);
	c = json_set(o, "lockout", json_object());
	json_set_int(c, "left_s", st->lockout_left_s);
	json_set_int(c, "failures", st->failures);
}

static void
render_auth(const struct json *o, FILE *f);

static void
line(FILE *f, const char *label, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
line(FILE *f, const char *label, const char *fmt, ...)
{
	va_list	 ap;
	char	*text;

	put_cell(f, label, 14);
	fputc(' ', f);
	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	text_safe_fputs(text, 0, f);	/* holders, tags: text from the pile */
	free(text);
	fputc('\n', f);
}

/* Integer field of o as unsigned, for the formats below. */
#define U(o, k)	((unsigned)json_get_int((o), (k), 0))

static void
status_store_render(FILE *f, const struct json *st)
{
	char	days[48];

	if (json_get_int(st, "days_left", -1) >= 0)
		snprintf(days, sizeof days, _("about %d days left"),
		    (int)json_get_int(st, "days_left", -1));
	else
		snprintf(days, sizeof days, "%s", _("days left not known yet"));
	line(f, _("store"), _("%u of %u records (%u %%), %u in custody, %s; when full: %s"),
	    U(st, "held"), U(st, "capacity"), U(st, "percent"), U(st, "custody"), days,
	    vocab_text(PROTO_ENUM_FULL_POLICY, json_get_str(st, "full_policy")));
	if (U(st, "store_id") != 0)
		line(f, _("store id"), "%u", U(st, "store_id"));
	if (U(st, "oldest_unacked") != 0)
		line(f, "", _("oldest record the cloud has not acknowledged: %s"),
		    batch_format_time(U(st, "oldest_unacked")));
	if (U(st, "refused_full") != 0 || U(st, "unrecorded") != 0)
		line(f, "", _("store full: %u sessions refused, %u charged without a record"),
		    U(st, "refused_full"), U(st, "unrecorded"));
}

/* The card reader, the charge point, the meter and the session. */
static void
status_charging_render(const struct json *o, FILE *f)
{
	const struct json	*card = json_get(o, "card"), *ses = json_get(o, "session");
	const struct json	*v, *c;
	const char		*uid, *holder;
	char			 a[32], b[32];
	int			 i;

	uid = json_get_str(card, "last_uid");
	holder = json_get_str(card, "last_holder");
	if (uid[0] != '\0')
		line(f, _("card reader"), _("%s; last card %s%s%s%s: %s at %s"),
		    vocab_text(PROTO_ENUM_CARD_STATE, json_get_str(card, "state")), uid,
		    holder[0] ? " (" : "", holder, holder[0] ? ")" : "",
		    vocab_text(PROTO_ENUM_AUTH, json_get_str(card, "last_result")),
		    batch_format_time(U(card, "last_time")));
	else
		line(f, _("card reader"), _("%s; no card seen"),
		    vocab_text(PROTO_ENUM_CARD_STATE, json_get_str(card, "state")));
	line(f, _("charge point"), "%s", vocab_text(PROTO_ENUM_CP, json_get_str(o, "cp_state")));
	put_cell(f, _("meter"), 14);
	v = json_get(o, "voltage_dv");
	c = json_get(o, "current_ca");
	for (i = 0; i < 3; i++) {
		unsigned dv = (unsigned)json_at(v, (size_t)i)->i;
		unsigned ca = (unsigned)json_at(c, (size_t)i)->i;

		fprintf(f, " L%d %u.%u V %u.%02u A%s", i + 1, dv / 10, dv % 10, ca / 100,
		    ca % 100, i < 2 ? "," : "");
	}
	fputc('\n', f);
	fmt_kwh(a, sizeof a, U(o, "energy_wh"));
	line(f, "", _("power %u W, energy register %s kWh"), U(o, "power_w"), a);
	if (strcmp(json_get_str(ses, "source"), "none") != 0) {
		fmt_kwh(a, sizeof a, U(ses, "energy_wh"));
		fmt_minor(b, sizeof b, json_get_int(ses, "cost_minor", 0));
		line(f, _("session"), _("#%u %s %s since %s: %s kWh, %s so far, %s period, "
		    "tariff v%u"), U(ses, "id"), vocab_text(PROTO_ENUM_SOURCE,
		    json_get_str(ses, "source")), json_get_str(ses, "tag"),
		    batch_format_time(U(ses, "start")), a, b,
		    vocab_text(PROTO_ENUM_PERIOD, json_get_str(ses, "period")),
		    U(ses, "tariff_version"));
	} else
		line(f, _("session"), "%s", _("none"));
}

static void
cmd_status_render(const struct result *r, FILE *f)
{
	const struct json	*o = r->data, *wl, *oa;
	char			 a[32], *d;
	int64_t			 drift = json_get_int(o, "clock_drift_s", 0);
	unsigned		 clock = U(o, "clock"), until = U(o, "forced_until");

	wl = json_get(o, "whitelist");
	oa = json_get(o, "offline_auth");
	fprintf(f, _("pile %s at address %d: %s %s, firmware %s, device %s\n"),
	    text_show(json_get_str(o, "serial")), (int)json_get_int(o, "address", 0),
	    text_show(json_get_str(o, "vendor")), text_show(json_get_str(o, "model")),
	    text_show(json_get_str(o, "firmware")), text_show(json_get_str(o, "device_id")));
	if (strcmp(json_get_str(o, "link"), "forced_offline") == 0 && until != 0) {
		d = batch_format_duration(until > clock ? until - clock : 0);
		line(f, _("link"), _("forced offline until %s (in %s, by the pile's clock)"),
		    batch_format_time(until), d);
		free(d);
	} else
		line(f, _("link"), "%s", vocab_text(PROTO_ENUM_LINK, json_get_str(o, "link")));
	if (json_get_int(o, "signal_dbm", 0) != 0)
		line(f, _("back-end"), _("%s, signal %d dBm"), json_get_bool(o, "backend") ?
		    _("connected") : _("not connected"), (int)json_get_int(o, "signal_dbm", 0));
	else
		line(f, _("back-end"), _("%s, signal unknown"),
		    json_get_bool(o, "backend") ? _("connected") : _("not connected"));
	if (U(o, "last_seq") != 0)
		line(f, _("records"), _("%u unsynced; seq %u..%u held on the pile"),
		    U(o, "unsynced"), U(o, "first_seq"), U(o, "last_seq"));
	else
		line(f, _("records"), _("%u unsynced; none held"), U(o, "unsynced"));
	if (json_get(o, "store") != NULL)
		status_store_render(f, json_get(o, "store"));
	status_charging_render(o, f);
	line(f, _("tariff"), _("version %u"), U(o, "tariff_version"));
	if (drift == 0)
		line(f, _("clock"), _("%s (same as this laptop)"), batch_format_time(clock));
	else {
		d = batch_format_duration((uint32_t)(drift < 0 ? -drift : drift));
		line(f, _("clock"), drift > 0 ? _("%s (%s ahead of this laptop)") :
		    _("%s (%s behind this laptop)"), batch_format_time(clock), d);
		free(d);
	}
	line(f, _("whitelist"), _("version %u, %u entries"), U(wl, "version"), U(wl, "count"));
	if (U(oa, "offline_max_wh") != 0)
		fmt_kwh(a, sizeof a, U(oa, "offline_max_wh"));
	line(f, _("offline auth"), _("offline charging %s; unknown cards %s; expired cards %s; "
	    "session limit %s%s"), json_get_bool(oa, "offline_charging") ? _("on") : _("off"),
	    strcmp(json_get_str(oa, "unknown_card"), "accept") == 0 ? _("accepted") : _("refused"),
	    strcmp(json_get_str(oa, "expired_card"), "accept") == 0 ? _("accepted") : _("refused"),
	    U(oa, "offline_max_wh") ? a : _("none"), U(oa, "offline_max_wh") ? " kWh" : "");
	render_auth(o, f);
}

static void
render_auth(const struct json *o, FILE *f)
{
	const struct json	*ws = json_get(o, "write_session"), *lk = json_get(o, "lockout");

	if (ws == NULL || lk == NULL)
		return;
	if (!json_get_bool(ws, "open"))
		line(f, _("write session"), "%s", _("none"));
	else if (json_get(ws, "counter") != NULL)
		line(f, _("write session"), _("open, closes in %u s without a write; "
		    "counter %u"), U(ws, "left_s"), U(ws, "counter"));
	else
		line(f, _("write session"), _("open, closes in %u s without a write"),
		    U(ws, "left_s"));
	if (U(lk, "failures") == 0 && U(lk, "left_s") == 0)
		line(f, _("lockout"), "%s", _("none"));
	else
		line(f, _("lockout"), _("%u wrong keys in a row; the next key is taken "
		    "in %u s"), U(lk, "failures"), U(lk, "left_s"));
}

/* What status keeps between its transactions. */
struct status_state {
	struct pile_auth_state	auth;
};

/* A signing pile's key, as exports and provisioning files write it (hex
 * of its DER SubjectPublicKeyInfo): what 'public_key:' takes. */
static void
status_public_key(struct json *o, const uint8_t pub[PROTO_PUBKEY_BYTES])
{
	uint8_t	spki[PROTO_SPKI_BYTES];
	char	hex[2 * PROTO_SPKI_BYTES + 1];
	size_t	i;

	if (!proto_pubkey_valid(pub))
		return;
	proto_pubkey_spki(pub, spki);
	for (i = 0; i < sizeof spki; i++)
		snprintf(hex + 2 * i, 3, "%02x", spki[i]);
	json_set_str(o, "public_key", hex);
}

enum { ST_LIVE, ST_LIVE_DONE, ST_KEY_DONE, ST_AUTH_DONE, ST_COUNTER_DONE };

static enum job_return
cmd_status_step(struct job *job)
{
	struct proto_live	 live;
	struct status_state	*s;
	uint8_t			 pub[PROTO_PUBKEY_BYTES];
	uint32_t		 counter;
	char			*cause = NULL;
	int			 rc;

	switch (job->state) {
	case ST_LIVE:
		pile_live_request(job->pile, &job->xfer);
		job->state = ST_LIVE_DONE;
		return job_transact(job);
	case ST_LIVE_DONE:
		if ((rc = pile_live_parse(&job->xfer, &live, &cause)) != 0)
			return job_fail_pile(job, rc, cause);
		json_free(job->result.data);
		job->result.data = status_data(&job->identity, pile_addr(job->pile),
		    &live, time(NULL), (pile_caps(job->pile) & PROTO_CAP_STORE) != 0);
		if (pile_signs(&job->identity)) {
			job->state = ST_KEY_DONE;
			pile_public_key_request(job->pile, &job->xfer);
			return job_transact(job);
		}
		job->state = ST_AUTH_DONE;
		pile_auth_state_request(job->pile, &job->xfer);
		return job_transact(job);
	case ST_KEY_DONE:
		if ((rc = pile_public_key_parse(&job->xfer, pub, &cause)) != 0)
			return job_fail_pile(job, rc, cause);
		status_public_key(job->result.data, pub);
		job->state = ST_AUTH_DONE;
		pile_auth_state_request(job->pile, &job->xfer);
		return job_transact(job);
	case ST_AUTH_DONE:
		job->data = s = xcalloc(1, sizeof *s);
		job->free_data = free;
		if ((rc = pile_auth_state_parse(&job->xfer, &s->auth, &cause)) != 0)
			return job_fail_pile(job, rc, cause);
		if ((job->identity.caps & PROTO_CAP_WRITE_MAC) == 0 || !s->auth.open) {
			status_auth(job->result.data, &s->auth, 0, 0);
			return JOB_NORMAL;
		}
		job->state = ST_COUNTER_DONE;
		pile_session_counter_request(job->pile, &job->xfer);
		return job_transact(job);
	default:
		s = job->data;
		if ((rc = pile_session_counter_parse(&job->xfer, &counter, &cause)) != 0)
			return job_fail_pile(job, rc, cause);
		status_auth(job->result.data, &s->auth, 1, counter);
		return JOB_NORMAL;
	}
}
