/* ctl.c - the control commands of the pile world (`pilesim ctl ...`): link,
 * cards, plug, power, time and what piles hold; the cloud's commands (tariff,
 * app orders, records) are in ctl-cloud.c. One table drives dispatch, usage
 * and help. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "json.h"
#include "world.h"
#include "ctl.h"

struct ctl_entry {
	const char	*name;
	const char	*usage;
	const char	*help;
	int		(*exec)(struct sim_world *, int, char **, FILE *, uint64_t);
};

static const struct ctl_entry *ctl_current;

int
sim_ctl_usage(FILE *out)
{
	fprintf(out, _("usage: pilesim ctl %s\n"), _(ctl_current->usage));
	return CTL_USAGE;
}

int __attribute__((format(printf, 2, 3)))
sim_ctl_fail(FILE *out, const char *fmt, ...)
{
	va_list	ap;

	fputs(_("error: "), out);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	return CTL_FAILED;
}

int
sim_ctl_parse_u32(const char *s, uint32_t max, uint32_t *v)
{
	char		*end;
	unsigned long	 n;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || n > max)
		return -1;
	*v = (uint32_t)n;
	return 0;
}

static struct sim_pile *
pile_arg(struct sim_world *w, const char *s, FILE *out)
{
	uint32_t	addr;

	if (sim_ctl_parse_u32(s, 247, &addr) != 0 || addr == 0) {
		sim_ctl_fail(out, _("bad pile address '%s': give a number from 1 to 247"), s);
		return NULL;
	}
	if (addr > (uint32_t)w->npiles) {
		if (w->npiles == 1)
			sim_ctl_fail(out, _("no pile at address %u (this bus has only 1)"), addr);
		else
			sim_ctl_fail(out, _("no pile at address %u (this bus has 1..%d)"), addr,
			    w->npiles);
		return NULL;
	}
	return sim_world_pile(w, (int)addr);
}

struct sim_pile *
sim_ctl_pile(struct sim_world *w, const char *s, FILE *out)
{
	return pile_arg(w, s, out);
}

/* Tokens for JSON: stable, unlike the translated words for people. */
static const char *
token(const char *const *names, size_t n, unsigned v)
{
	return v < n ? names[v] : "unknown";
}
static const char *const link_tok[] = { "online", "offline", "forced_offline" };
static const char *const auth_tok[] = { "none", "accepted", "blocked", "expired",
	"unknown", "online_accepted", "online_refused", "offline_disabled",
	"unknown_accepted", "expired_accepted", "busy", "store_full" };
static const char *const cp_tok[] = { "available", "preparing", "charging",
	"finishing", "faulted", "suspended" };
static const char *const src_tok[] = { "none", "offline_card", "online_card",
	"app_order" };
static const char *const resync_tok[] = { "idle", "running", "done", "failed" };
static const char *const card_tok[] = { "idle", "present", "fault" };

static void
print_time(FILE *out, uint32_t t)
{
	time_t		tt = t;
	struct tm	tm;
	char		buf[64];

	gmtime_r(&tt, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(out, "%s", buf);
}

static int
ctl_link(struct sim_world *w, int argc, char **argv, FILE *out, uint64_t now_ms)
{
	struct sim_pile	*p;
	int		 up;

	if (argc != 3)
		return sim_ctl_usage(out);
	if (strcmp(argv[2], "up") == 0)
		up = 1;
	else if (strcmp(argv[2], "down") == 0)
		up = 0;
	else
		return sim_ctl_usage(out);
	if ((p = pile_arg(w, argv[1], out)) == NULL)
		return CTL_FAILED;
	sim_pile_set_backend(p, up, now_ms);
	fprintf(out, _("pile %d: back-end link %s, pile is %s\n"), p->addr,
	    up ? _("up") : _("down"), proto_link_str(sim_pile_link(p)));
	return CTL_OK;
}

static int
ctl_swipe(struct sim_world *w, int argc, char **argv, FILE *out, uint64_t now_ms)
{
	struct sim_pile	*p;
	char		 uid[PROTO_UID_MAX + 1];
	unsigned	 result;

	if (argc != 3)
		return sim_ctl_usage(out);
	if ((p = pile_arg(w, argv[1], out)) == NULL)
		return CTL_FAILED;
	if (proto_uid_normalize(argv[2], uid) != 0)
		return sim_ctl_fail(out, _("bad card UID '%s': give 4 to 10 bytes in hex "
		    "(e.g. 04A1B2C3)"), argv[2]);
	result = sim_pile_swipe(p, uid, now_ms);
	if (p->fault != NULL && !p->sess.active && result == PROTO_AUTH_BUSY)
		return sim_ctl_fail(out, "%s", p->fault);
	fprintf(out, _("pile %d: card %s %s"), p->addr, uid, proto_auth_str(result));
	if (p->sess.active)
		fprintf(out, _(", charging (session %u)"), p->sess.seq);
	else if (p->pending.active)
		fprintf(out, _(", waiting for the plug"));
	fputc('\n', out);
	return CTL_OK;
}

static int
ctl_plug(struct sim_world *w, int argc, char **argv, FILE *out, uint64_t now_ms)
{
	struct sim_pile	*p;
	char		*cause = NULL;
	int		 rc;

	if (argc != 2)
		return sim_ctl_usage(out);
	if ((p = pile_arg(w, argv[1], out)) == NULL)
		return CTL_FAILED;
	if (strcmp(argv[0], "plug") == 0)
		rc = sim_pile_plug(p, now_ms, &cause);
	else
		rc = sim_pile_unplug(p, now_ms, &cause);
	if (rc != 0) {
		sim_ctl_fail(out, "%s", cause);
		free(cause);
		return CTL_FAILED;
	}
	fprintf(out, _("pile %d: %s\n"), p->addr, proto_cp_str(sim_pile_cp_state(p)));
	return CTL_OK;
}

static int
ctl_power(struct sim_world *w, int argc, char **argv, FILE *out, uint64_t now_ms)
{
	struct sim_pile	*p;
	uint32_t	 watts;

	if (argc != 3)
		return sim_ctl_usage(out);
	if ((p = pile_arg(w, argv[1], out)) == NULL)
		return CTL_FAILED;
	/* 3 x 63 A at 230 V is the largest AC connection a pile has. */
	if (sim_ctl_parse_u32(argv[2], 43470, &watts) != 0)
		return sim_ctl_fail(out, _("bad power '%s' for pile %d: give watts from 0 to "
		    "43470"), argv[2], p->addr);
	sim_pile_set_power(p, watts, now_ms);
	fprintf(out, _("pile %d: %" PRIu32 " W\n"), p->addr, watts);
	return CTL_OK;
}

static int
ctl_advance(struct sim_world *w, int argc, char **argv, FILE *out, uint64_t now_ms)
{
	uint32_t	secs;
	char		*cause = NULL;
	int		 i;

	if (argc != 2)
		return sim_ctl_usage(out);
	if (sim_ctl_parse_u32(argv[1], 366 * 86400, &secs) != 0)
		return sim_ctl_fail(out, _("bad time '%s' to advance: give seconds from 0 to "
		    "31622400 (a year)"), argv[1]);
	sim_world_sync(w, now_ms);
	for (i = 0; i < w->npiles; i++)
		sim_pile_advance(&w->piles[i], secs, now_ms);
	w->sim_base_ms += (int64_t)secs * 1000;
	w->sim_wall_offset_ms += (int64_t)secs * 1000;
	sim_world_sync(w, now_ms);
	if (sim_world_save(w, &cause) != 0) {
		sim_ctl_fail(out, "%s", cause);
		free(cause);
		return CTL_FAILED;
	}
	fprintf(out, _("clock advanced %" PRIu32 " s to "), secs);
	print_time(out, (uint32_t)(sim_world_ms(w, now_ms) / 1000));
	fputc('\n', out);
	return CTL_OK;
}

static int
ctl_clock(struct sim_world *w, int argc, char **argv, FILE *out, uint64_t now_ms)
{
	struct sim_pile	*p;
	uint32_t	 t;
	int		 i;

	if (argc > 2)
		return sim_ctl_usage(out);
	for (i = 0; i < w->npiles; i++) {
		p = &w->piles[i];
		if (argc == 2) {
			if ((p = pile_arg(w, argv[1], out)) == NULL)
				return CTL_FAILED;
			i = w->npiles;
		} else if (p->clock_offset_ms != 0)
			fprintf(out, "%d ", p->addr);
		t = sim_pile_clock(p, now_ms);
		fprintf(out, "%" PRIu32 " ", t);
		print_time(out, t);
		fputc('\n', out);
		if (argc == 1 && i == 0) {
			/* Piles whose clock was set differ; show them all then. */
			int j, same = 1;
			for (j = 1; j < w->npiles; j++)
				if (w->piles[j].clock_offset_ms != 0)
					same = 0;
			if (same && p->clock_offset_ms == 0)
				break;
		}
	}
	return CTL_OK;
}

void
sim_ctl_print_record(FILE *out, const char *serial, const struct proto_record *r, int synced)
{
	char	 fee[32];

	fmt_minor(fee, sizeof fee, (int64_t)proto_record_fee_minor(r));
	fprintf(out, "%s #%" PRIu32 " %s%s %s %" PRIu64 " Wh v%" PRIu32 " %s",
	    serial, r->seq, sim_kind_token(r->kind),
	    (r->flags & PROTO_REC_F_OFFLINE) ? " offline" : "", r->tag,
	    proto_record_energy_wh(r), r->tariff_version, fee);
	if (synced >= 0)
		fprintf(out, " %s", synced ? _("synced") : _("unsynced"));
	fputc('\n', out);
}

int
sim_ctl_json_flag(int argc, char **argv, int at, FILE *out, int *json)
{
	*json = 0;
	if (argc == at + 1 && strcmp(argv[at], "--json") == 0)
		*json = 1;
	else if (argc != at)
		return sim_ctl_usage(out);
	return 0;
}

/* The cloud stores the next N uploads but their acknowledgements never reach
 * the pile, which must send them again (and the cloud keep one copy). */
static void
status_json(FILE *out, struct sim_pile *p, uint64_t now_ms)
{
	struct proto_live	l;

	sim_pile_live(p, now_ms, &l);
	fprintf(out, "{\"address\":%d,\"serial\":", p->addr);
	json_write_str(out, p->serial);
	fputs(",\"device_id\":", out);
	json_write_str(out, p->device_id);
	fputs(",\"link\":", out);
	json_write_str(out, token(link_tok, nitems(link_tok), l.link));
	fprintf(out, ",\"forced_until\":%" PRIu32 ",\"backend\":%s,\"plugged\":%s"
	    ",\"cp_state\":", l.forced_until, p->backend_up ? "true" : "false",
	    p->plugged ? "true" : "false");
	json_write_str(out, token(cp_tok, nitems(cp_tok), l.cp_state));
	fprintf(out, ",\"power_w\":%" PRIu32 ",\"set_power_w\":%" PRIu32
	    ",\"energy_wh\":%" PRIu32, l.power_w, p->power_w, l.energy_wh);
	fputs(",\"card\":{\"state\":", out);
	json_write_str(out, token(card_tok, nitems(card_tok), l.card_state));
	fputs(",\"last_uid\":", out);
	json_write_str(out, l.last_uid);
	fputs(",\"last_result\":", out);
	json_write_str(out, token(auth_tok, nitems(auth_tok), l.last_auth));
	fputs(",\"last_holder\":", out);
	json_write_str(out, l.last_holder);
	fprintf(out, ",\"last_time\":%" PRIu32 "}", l.last_auth_time);
	if (p->sess.active) {
		fprintf(out, ",\"session\":{\"id\":%" PRIu32 ",\"source\":",
		    l.session_id);
		json_write_str(out, token(src_tok, nitems(src_tok), l.session_source));
		fprintf(out, ",\"offline\":%s,\"tag\":", p->sess.a.offline ? "true" :
		    "false");
		json_write_str(out, l.session_tag);
		fputs(",\"holder\":", out);
		json_write_str(out, p->sess.a.holder);
		fprintf(out, ",\"start\":%" PRIu32 ",\"energy_wh\":%" PRIu32
		    ",\"cost_minor\":%" PRIu32 ",\"tariff_version\":%" PRIu32
		    ",\"period\":%u}", l.session_start, l.session_energy_wh,
		    l.session_cost_minor, l.session_tariff_version, l.session_period);
	} else
		fputs(",\"session\":null", out);
	if (p->pending.active) {
		fputs(",\"pending\":{\"source\":", out);
		json_write_str(out, token(src_tok, nitems(src_tok), p->pending.source));
		fputs(",\"tag\":", out);
		json_write_str(out, p->pending.tag);
		fprintf(out, ",\"tariff_version\":%" PRIu32 "}", p->pending.tariff.version);
	} else
		fputs(",\"pending\":null", out);
	fprintf(out, ",\"tariff_version\":%" PRIu32 ",\"clock\":%" PRIu32
	    ",\"records\":{\"last_seq\":%" PRIu32 ",\"synced\":%" PRIu32
	    ",\"unsynced\":%" PRIu32 "},\"resync\":",
	    l.tariff_version, l.clock, p->last_seq, p->synced, l.unsynced);
	json_write_str(out, token(resync_tok, nitems(resync_tok), p->resync_state));
	fprintf(out, ",\"store\":{\"capacity\":%" PRIu32 ",\"held\":%" PRIu32
	    ",\"first_seq\":%" PRIu32 ",\"free\":%" PRIu32 ",\"custody\":%" PRIu32
	    ",\"custody_last_seq\":%" PRIu32 ",\"full_policy\":",
	    p->rec_capacity, sim_store_held(p), l.first_seq, l.record_free,
	    l.custody_count, l.custody_last_seq);
	json_write_str(out, l.full_policy == PROTO_FULL_UNRECORDED ? "unrecorded" :
	    "refuse");
	fprintf(out, ",\"refused_full\":%" PRIu32 ",\"unrecorded\":%" PRIu32
	    ",\"oldest_unacked\":%" PRIu32 "}", l.refused_full, l.unrecorded,
	    l.oldest_unacked);
	fprintf(out, ",\"whitelist\":{\"version\":%" PRIu32 ",\"count\":%" PRIu32 "}",
	    l.wl_version, l.wl_count);
	fprintf(out, ",\"settings\":{\"offline_charging\":%s,\"unknown_card\":",
	    p->offline_charging ? "true" : "false");
	json_write_str(out, p->unknown_card ? "accept" : "refuse");
	fputs(",\"expired_card\":", out);
	json_write_str(out, p->expired_card ? "accept" : "refuse");
	fprintf(out, ",\"offline_max_wh\":%" PRIu32 "}", p->offline_max_wh);
	fprintf(out, ",\"auth\":{\"session\":%s,\"failures\":%u,\"lockout_until\":%" PRIu32
	    "},\"fault\":", l.auth_state ? "true" : "false", p->failures,
	    p->lockout_until);
	if (p->fault != NULL)
		json_write_str(out, p->fault);
	else
		fputs("null", out);
	fputs("}\n", out);
}

static void
status_text(FILE *out, struct sim_pile *p, uint64_t now_ms)
{
	struct proto_live	l;

	sim_pile_live(p, now_ms, &l);
	fprintf(out, _("pile %d  %s  %s\n"), p->addr, p->serial, p->device_id);
	fprintf(out, _("link       %s"), proto_link_str(l.link));
	if (l.forced_until) {
		fputs(_(" until "), out);
		print_time(out, l.forced_until);
	}
	fprintf(out, _(" (back-end %s)\n"), p->backend_up ? _("up") : _("down"));
	fprintf(out, _("charger    %s, %s, %" PRIu32 " W, meter %" PRIu32 " Wh\n"),
	    proto_cp_str(l.cp_state), p->plugged ? _("plugged") : _("unplugged"),
	    l.power_w, l.energy_wh);
	fprintf(out, _("card       %s %s %s\n"), l.last_uid[0] ? l.last_uid : "-",
	    l.last_auth ? proto_auth_str(l.last_auth) : "", l.last_holder);
	if (p->sess.active)
		fprintf(out, _("session    %" PRIu32 " %s %s: %" PRIu32 " Wh, %" PRIu32
		    ".%02" PRIu32 " at tariff v%" PRIu32 "\n"), l.session_id,
		    proto_source_str(l.session_source), l.session_tag,
		    l.session_energy_wh, l.session_cost_minor / 100,
		    l.session_cost_minor % 100, l.session_tariff_version);
	fprintf(out, _("records    %" PRIu32 " stored, %" PRIu32 " unsynced, resync %s\n"),
	    p->last_seq, l.unsynced, proto_resync_str(p->resync_state));
	fprintf(out, _("store      %" PRIu32 " of %" PRIu32 " held, %" PRIu32
	    " in custody, full policy %s, %" PRIu32 " refused, %" PRIu32 " unrecorded\n"),
	    sim_store_held(p), p->rec_capacity, l.custody_count,
	    proto_enum_str(PROTO_ENUM_FULL_POLICY, l.full_policy), l.refused_full,
	    l.unrecorded);
	fprintf(out, _("tariff     v%" PRIu32 "\nwhitelist  v%" PRIu32 ", %" PRIu32
	    " entries\n"), l.tariff_version, l.wl_version, l.wl_count);
	fputs(_("clock      "), out);
	print_time(out, l.clock);
	fputc('\n', out);
	if (p->fault != NULL)
		fprintf(out, _("fault      %s\n"), p->fault);
}

static int
ctl_pile(struct sim_world *w, int argc, char **argv, FILE *out, uint64_t now_ms)
{
	struct sim_pile		*p;
	struct proto_record	 rec;
	uint32_t		 seq;
	int			 json, first = 1;

	if (argc < 3 || (strcmp(argv[1], "records") != 0 && strcmp(argv[1], "status") != 0))
		return sim_ctl_usage(out);
	if (sim_ctl_json_flag(argc, argv, 3, out, &json) != 0)
		return CTL_USAGE;
	if ((p = pile_arg(w, argv[2], out)) == NULL)
		return CTL_FAILED;
	if (strcmp(argv[1], "status") == 0) {
		if (json)
			status_json(out, p, now_ms);
		else
			status_text(out, p, now_ms);
		return CTL_OK;
	}
	if (json)
		fputc('[', out);
	for (seq = p->rec_base; seq <= p->last_seq; seq++) {
		if (sim_store_read(p, seq, &rec) != 0) {
			if (!json)
				fprintf(out, _("%s #%" PRIu32 " damaged (CRC or format)\n"),
				    p->serial, seq);
			continue;
		}
		if (json) {
			fputs(first ? "\n" : ",\n", out);
			sim_json_record(out, p->serial, &rec, seq <= p->synced);
		} else
			sim_ctl_print_record(out, p->serial, &rec, seq <= p->synced);
		first = 0;
	}
	if (json)
		fputs("\n]\n", out);
	else if (sim_store_held(p) == 0)
		fprintf(out, _("pile %d holds no records\n"), p->addr);
	return CTL_OK;
}

static int
ctl_whitelist(struct sim_world *w, int argc, char **argv, FILE *out, uint64_t now_ms)
{
	struct sim_pile		*p;
	struct proto_wl_entry	 e;
	char			*cause = NULL;
	uint32_t		 i;
	unsigned		 cmd;
	int			 rc, a;

	(void)now_ms;
	if (argc < 3)
		return sim_ctl_usage(out);
	if ((p = pile_arg(w, argv[1], out)) == NULL)
		return CTL_FAILED;
	if (strcmp(argv[2], "list") == 0 && argc == 3) {
		for (i = 0; i < p->wl.n; i++) {
			const struct proto_wl_entry *x = &p->wl.items[i].e;
			fprintf(out, "%s %s %" PRIu32 " %s\n", x->uid,
			    x->status == PROTO_WL_BLOCKED ? "blocked" : "accepted",
			    x->expiry, x->holder);
		}
		fprintf(out, _("whitelist v%" PRIu32 ", %" PRIu32 " entries\n"),
		    p->wl.version, p->wl.n);
		return CTL_OK;
	}
	if (argc < 4)
		return sim_ctl_usage(out);
	if (strcmp(argv[2], "add") == 0)
		cmd = PROTO_WL_UPSERT;
	else if (strcmp(argv[2], "remove") == 0 && argc == 4)
		cmd = PROTO_WL_REMOVE;
	else
		return sim_ctl_usage(out);
	memset(&e, 0, sizeof e);
	e.status = PROTO_WL_ACCEPTED;
	if (proto_uid_normalize(argv[3], e.uid) != 0)
		return sim_ctl_fail(out, _("bad card UID '%s': give 4 to 10 bytes in hex "
		    "(e.g. 04A1B2C3)"), argv[3]);
	for (a = 4; a < argc; a++) {
		if (strcmp(argv[a], "--blocked") == 0)
			e.status = PROTO_WL_BLOCKED;
		else if (strcmp(argv[a], "--expires") == 0 && a + 1 < argc) {
			if (sim_ctl_parse_u32(argv[++a], UINT32_MAX, &e.expiry) != 0)
				return sim_ctl_fail(out, _("bad expiry '%s': give unix seconds"),
				    argv[a]);
		} else if (strcmp(argv[a], "--holder") == 0 && a + 1 < argc) {
			if (strlen(argv[++a]) > PROTO_HOLDER_MAX)
				return sim_ctl_fail(out, _("holder name '%s' is longer than %d "
				    "bytes"), argv[a], PROTO_HOLDER_MAX);
			snprintf(e.holder, sizeof e.holder, "%s", argv[a]);
		} else
			return sim_ctl_usage(out);
	}
	rc = sim_wl_command(&p->wl, cmd, 0, &e, 1, &cause);
	if (rc < 0) {
		sim_ctl_fail(out, "%s", cause);
		free(cause);
		return CTL_FAILED;
	}
	if (rc != PROTO_WL_OK)
		return sim_ctl_fail(out, _("whitelist of pile %d: %s for '%s'"), p->addr,
		    proto_wl_result_str((unsigned)rc), e.uid);
	fprintf(out, _("pile %d: whitelist v%" PRIu32 ", %" PRIu32 " entries\n"), p->addr,
	    p->wl.version, p->wl.n);
	return CTL_OK;
}

static int
ctl_settings(struct sim_world *w, int argc, char **argv, FILE *out, uint64_t now_ms)
{
	struct sim_pile	*p;
	unsigned	 oc, uc, ec, fp;
	int		 a;

	(void)now_ms;
	if (argc < 2 || argc % 2 != 0)
		return sim_ctl_usage(out);
	if ((p = pile_arg(w, argv[1], out)) == NULL)
		return CTL_FAILED;
	oc = p->offline_charging;
	uc = p->unknown_card;
	ec = p->expired_card;
	fp = p->full_policy;
	for (a = 2; a + 1 < argc; a += 2) {
		const char *k = argv[a], *v = argv[a + 1];
		if (strcmp(k, "unknown-card") == 0 || strcmp(k, "expired-card") == 0) {
			unsigned *dst = k[0] == 'u' ? &uc : &ec;
			if (strcmp(v, "accept") == 0)
				*dst = 1;
			else if (strcmp(v, "refuse") == 0)
				*dst = 0;
			else
				return sim_ctl_usage(out);
		} else if (strcmp(k, "full-policy") == 0) {
			if (strcmp(v, "refuse") == 0)
				fp = PROTO_FULL_REFUSE;
			else if (strcmp(v, "unrecorded") == 0)
				fp = PROTO_FULL_UNRECORDED;
			else
				return sim_ctl_usage(out);
		} else if (strcmp(k, "offline-charging") == 0) {
			if (strcmp(v, "on") == 0)
				oc = 1;
			else if (strcmp(v, "off") == 0)
				oc = 0;
			else
				return sim_ctl_usage(out);
		} else
			return sim_ctl_usage(out);
	}
	if (oc != p->offline_charging || uc != p->unknown_card || ec != p->expired_card ||
	    fp != p->full_policy)
		p->dirty = 1;
	p->offline_charging = oc;
	p->unknown_card = uc;
	p->expired_card = ec;
	p->full_policy = fp;
	fprintf(out, _("pile %d: offline-charging %s, unknown-card %s, expired-card %s, "
	    "offline-max %" PRIu32 " Wh\n"), p->addr, oc ? "on" : "off",
	    uc ? "accept" : "refuse", ec ? "accept" : "refuse", p->offline_max_wh);
	fprintf(out, _("pile %d: full-policy %s\n"), p->addr,
	    fp == PROTO_FULL_UNRECORDED ? "unrecorded" : "refuse");
	return CTL_OK;
}

static int ctl_help(struct sim_world *, int, char **, FILE *, uint64_t);

static const struct ctl_entry ctl_table[] = {
	{ "link", N_("link ADDR up|down"), N_("bring the pile's back-end link up or down"),
	  ctl_link },
	{ "swipe", N_("swipe ADDR UID"), N_("present a card to the pile's reader"),
	  ctl_swipe },
	{ "plug", N_("plug ADDR"), N_("plug a car in"), ctl_plug },
	{ "unplug", N_("unplug ADDR"), N_("unplug the car (ends the session)"), ctl_plug },
	{ "power", N_("power ADDR WATTS"), N_("power the car draws (default 7000)"),
	  ctl_power },
	{ "sessions", N_("sessions ADDR UID COUNT [--charge SECONDS] [--gap SECONDS] "
	  "[--json]"), N_("COUNT card sessions in a row: swipe, plug, charge (default "
	  "600 s), unplug, wait; refused cards are counted by reason"), sim_ctl_sessions },
	{ "advance", N_("advance SECONDS"), N_("jump simulated time, metering the jump"),
	  ctl_advance },
	{ "clock", N_("clock [ADDR]"), N_("print the pile clock"), ctl_clock },
	{ "tariff", N_("tariff set VERSION --energy A,B,C,D --service A,B,C,D "
	  "[--slots 48-DIGITS] | tariff show [--json]"),
	  N_("the cloud tariff (sharp,peak,flat,valley per kWh); pushed to online piles"),
	  sim_ctl_tariff },
	{ "app-order", N_("app-order DEVICE_ID [--confirm]"),
	  N_("the latest rate for a pile as the app sees it; --confirm places the order"),
	  sim_ctl_app_order },
	{ "cloud", N_("cloud records [--json] | cloud stats [--json] | cloud drop-acks N | "
	  "cloud import FILE [--json]"),
	  N_("the records the cloud received; what it did with resends; lose the "
	  "next N acknowledgements (the pile resends, the cloud keeps one copy); "
	  "import a pilecon export (CSV, JSONL or OCMF), each record verified and "
	  "kept once"),
	  sim_ctl_cloud },
	{ "pile", N_("pile records|status ADDR [--json]"),
	  N_("the records stored on a pile, or its state"), ctl_pile },
	{ "whitelist", N_("whitelist ADDR add UID [--blocked] [--expires UNIX] "
	  "[--holder NAME] | whitelist ADDR remove UID | whitelist ADDR list"),
	  N_("seed the pile's whitelist directly"), ctl_whitelist },
	{ "settings", N_("settings ADDR [unknown-card accept|refuse] "
	  "[expired-card accept|refuse] [offline-charging on|off] "
	  "[full-policy refuse|unrecorded]"),
	  N_("offline authorization policies"), ctl_settings },
	{ "mains", N_("mains ADDR off|on"),
	  N_("cut or restore the pile's power: off, it hears nothing and loses "
	  "its staging area; its whitelist stays"), sim_ctl_mains },
	{ "stage", N_("stage ADDR [--json]"),
	  N_("the pile's staging area: transfer, chunks received and missing"),
	  sim_ctl_stage },
	{ "store", N_("store reset ADDR"),
	  N_("empty the pile's record store as a replaced controller would: "
	  "numbering from 1 again, a new live.store_id"), sim_ctl_store },
	{ "help", N_("help"), N_("this list"), ctl_help },
};

static int
ctl_help(struct sim_world *w, int argc, char **argv, FILE *out, uint64_t now_ms)
{
	size_t	i;

	(void)w; (void)argc; (void)argv; (void)now_ms;
	for (i = 0; i < nitems(ctl_table); i++)
		fprintf(out, "%s\n    %s\n", _(ctl_table[i].usage), _(ctl_table[i].help));
	return CTL_OK;
}

int
sim_world_ctl(struct sim_world *w, int argc, char **argv, FILE *out, uint64_t now_ms)
{
	size_t	i;
	int	rc, j;

	if (argc < 1) {
		fprintf(out, _("usage: pilesim ctl COMMAND ... (try 'pilesim ctl help')\n"));
		return CTL_USAGE;
	}
	for (i = 0; i < nitems(ctl_table); i++)
		if (strcmp(argv[0], ctl_table[i].name) == 0)
			break;
	if (i == nitems(ctl_table)) {
		fprintf(out, _("error: unknown command '%s' (try 'pilesim ctl help')\n"),
		    argv[0]);
		return CTL_USAGE;
	}
	ctl_current = &ctl_table[i];
	sim_world_sync(w, now_ms);
	rc = ctl_table[i].exec(w, argc, argv, out, now_ms);
	for (j = 0; j < w->npiles; j++)
		if (sim_pile_save(&w->piles[j], now_ms, 1) != 0 && rc == CTL_OK) {
			sim_ctl_fail(out, "%s", w->piles[j].fault);
			rc = CTL_FAILED;
		}
	return rc;
}
