/* unit-sim-charging - the pile behaviours of the sim world, driven through
 * sim_world_modbus and sim_world_ctl: offline card charging (seed 000),
 * refused cards, app orders at the latest rate (seed 004), power loss. */
#include "config.h"

#include "sim-world-lib.h"

static void
offline_card_charge_is_stored_unsynced_with_fees_per_period(void)
{
	char			*dir = t_tmpdir(), *out = NULL;
	struct sim_world	*w = t_open(dir, 3, 0);
	struct proto_live	 l;
	struct proto_record	 rec;
	struct proto_tariff	 t;
	uint64_t		 ws[PROTO_PERIODS] = { 0 };
	uint32_t		 wh[PROTO_PERIODS], ef[PROTO_PERIODS], sf[PROTO_PERIODS];
	int			 n = 0, i, fees_ok = 1;

	ok(w != NULL, "world of 3 piles opens in an empty folder");
	if (w == NULL)
		return;
	is_int(t_ctl(w, NULL, "whitelist", "1", "add", "04A1B2C3", "--holder",
	    "张三 Zhang", NULL), 0, "seeding a whitelisted card");
	is_int(t_auth(w, dir, 1), 0, "authenticating with the key from keys.yaml");
	is_int(t_write_u32(w, 1, PROTO_A_CTL_FORCE_OFFLINE, T_START + 3 * 3600), 0,
	    "FC 16 forces pile 1 offline for 3 hours");
	t_live(w, 1, &l);
	is_int(l.link, PROTO_LINK_FORCED, "live.link_state says forced offline");
	is_int(l.forced_until, T_START + 3 * 3600, "live.forced_until is the expiry");

	is_int(t_ctl(w, &out, "swipe", "1", "04a1b2c3", NULL), 0, "swipe runs");
	free(out);
	t_live(w, 1, &l);
	is_int(l.last_auth, PROTO_AUTH_ACCEPTED, "whitelisted card is accepted offline");
	is_str(l.last_holder, "张三 Zhang", "holder name comes from the whitelist");
	is_int(l.cp_state, PROTO_CP_PREPARING, "accepted card waits for the plug");
	is_int(t_ctl(w, NULL, "plug", "1", NULL), 0, "plug");
	is_int(t_ctl(w, NULL, "power", "1", "7000", NULL), 0, "power 7000 W");
	t_live(w, 1, &l);
	is_int(l.cp_state, PROTO_CP_CHARGING, "plugged after the swipe: charging");
	is_int(l.session_source, PROTO_SRC_OFFLINE_CARD, "session source is offline card");
	is_int(l.current_ca[0], 1014, "per-phase current is P / (3 x 230 V)");
	is_int(t_ctl(w, NULL, "advance", "7200", NULL), 0, "advance 2 hours");
	t_live(w, 1, &l);
	is_int(l.session_energy_wh, 14000, "session energy after 2 h at 7 kW");
	is_int(l.energy_wh, 14000, "energy register follows");
	is_int(t_ctl(w, NULL, "unplug", "1", NULL), 0, "unplug");

	is_int(t_record(w, 1, 1, &rec, &n), 0, "record 1 reads through the FC 23 window "
	    "with a good CRC");
	is_int(n, 1, "window holds one record");
	is_int(rec.seq, 1, "first record has seq 1");
	is_int(proto_record_energy_wh(&rec), 14000, "record holds 14000 Wh");
	ok(rec.flags & PROTO_REC_F_OFFLINE, "record has the offline flag");
	ok(!(rec.flags & PROTO_REC_F_SYNCED), "record is not synced yet");
	is_int(rec.kind, PROTO_REC_OFFLINE_CARD, "kind is offline card");
	is_int(rec.stop_reason, PROTO_STOP_UNPLUGGED, "stop reason is unplugged");
	is_str(rec.tag, "04A1B2C3", "tag is the card UID");
	is_int(rec.tariff_version, 1, "settled at the last tariff the pile received");
	is_int(rec.start, T_START, "start is the pile clock at plug in");
	is_int(rec.stop, T_START + 7200, "stop two hours later");
	is_int(rec.meter_stop_wh - rec.meter_start_wh, 14000, "meter stop - start");
	is_int(rec.energy_wh[3], 7000, "07:00-08:00 is valley: 7000 Wh");
	is_int(rec.energy_wh[2], 7000, "08:00-09:00 is flat: 7000 Wh");

	/* The same money recomputed from the published tariff math. */
	memset(&t, 0, sizeof t);
	{
		uint16_t regs[PROTO_TARIFF_COUNT];
		is_int(t_read(w, 1, PROTO_A_TARIFF_VERSION, PROTO_TARIFF_COUNT, regs), 0,
		    "tariff block reads whole");
		proto_tariff_decode(regs, &t);
	}
	proto_meter_split(&t, T_START, T_START + 7200, 7000, ws);
	proto_energy_split_wh(ws, wh);
	proto_settle(&t, wh, ef, sf);
	for (i = 0; i < PROTO_PERIODS; i++)
		if (rec.energy_fee_minor[i] != ef[i] || rec.service_fee_minor[i] != sf[i] ||
		    rec.energy_wh[i] != wh[i])
			fees_ok = 0;
	ok(fees_ok, "fees per period match proto_settle of the split");
	is_int(rec.energy_fee_minor[3], 280, "valley energy fee 7000 Wh x 0.40000");
	is_int(rec.service_fee_minor[2], 175, "flat service fee 7000 Wh x 0.25000");
	t_live(w, 1, &l);
	is_int(l.unsynced, 1, "live.unsynced counts it");
	is_int(l.last_seq, 1, "live.last_seq is 1");

	is_int(t_ctl(w, &out, "pile", "records", "1", "--json", NULL), 0, "pile records --json");
	ok(t_contains(out, "\"energy_wh\":14000") && t_contains(out, "\"synced\":false") &&
	    t_contains(out, "\"offline\":true") && t_contains(out, "\"kind\":\"offline_card\""),
	    "pile records --json shows it unsynced and offline");
	free(out);
	sim_world_close(w);
	t_rmrf(dir);
	free(dir);
}

static void
refused_cards_do_not_charge(void)
{
	char			*dir = t_tmpdir(), *out = NULL;
	struct sim_world	*w = t_open(dir, 1, 0);
	struct proto_live	 l;
	char			 past[32];

	if (w == NULL)
		return;
	snprintf(past, sizeof past, "%u", T_START - 1);
	t_ctl(w, NULL, "whitelist", "1", "add", "0BB10C4ED0", "--blocked", NULL);
	t_ctl(w, NULL, "whitelist", "1", "add", "0E4B1BED", "--expires", past, NULL);
	is_int(t_ctl(w, NULL, "link", "1", "down", NULL), 0, "link 1 down");
	t_live(w, 1, &l);
	is_int(l.link, PROTO_LINK_OFFLINE, "pile is offline with the back-end down");
	t_ctl(w, NULL, "plug", "1", NULL);

	t_ctl(w, NULL, "swipe", "1", "0BB10C4ED0", NULL);
	t_live(w, 1, &l);
	is_int(l.last_auth, PROTO_AUTH_BLOCKED, "offline_swipe_of_blocked_card_is_refused");
	is_int(l.cp_state, PROTO_CP_PREPARING, "no session for a blocked card");
	t_ctl(w, NULL, "swipe", "1", "0E4B1BED", NULL);
	t_live(w, 1, &l);
	is_int(l.last_auth, PROTO_AUTH_EXPIRED, "offline_swipe_of_expired_card_is_refused");
	is_int(l.session_id, 0, "no session for an expired card");
	t_ctl(w, NULL, "swipe", "1", "DEADBEEF", NULL);
	t_live(w, 1, &l);
	is_int(l.last_auth, PROTO_AUTH_UNKNOWN, "offline_swipe_of_unknown_card_is_refused");
	is_int(l.session_id, 0, "no session for an unknown card");

	is_int(t_ctl(w, NULL, "settings", "1", "unknown-card", "accept", NULL), 0,
	    "policy: accept unknown cards");
	t_live(w, 1, &l);
	is_int(l.unknown_card, 1, "live.unknown_card shows the effective policy");
	t_ctl(w, NULL, "swipe", "1", "DEADBEEF", NULL);
	t_live(w, 1, &l);
	is_int(l.last_auth, PROTO_AUTH_UNKNOWN_ACCEPTED, "unknown card accepted by policy");
	is_int(l.cp_state, PROTO_CP_CHARGING, "and it charges");
	t_ctl(w, NULL, "swipe", "1", "0E4B1BED", NULL);
	t_live(w, 1, &l);
	is_int(l.last_auth, PROTO_AUTH_BUSY, "another card while charging is busy");
	t_ctl(w, NULL, "swipe", "1", "DEADBEEF", NULL);
	t_live(w, 1, &l);
	is_int(l.cp_state, PROTO_CP_FINISHING, "the same card stops the session");
	is_int(l.last_seq, 1, "and its record is stored");

	t_ctl(w, NULL, "settings", "1", "offline-charging", "off", NULL);
	t_ctl(w, NULL, "unplug", "1", NULL);
	t_ctl(w, NULL, "swipe", "1", "DEADBEEF", NULL);
	t_live(w, 1, &l);
	is_int(l.last_auth, PROTO_AUTH_OFFLINE_DISABLED, "offline charging off refuses all");

	t_ctl(w, NULL, "link", "1", "up", NULL);
	t_ctl(w, NULL, "swipe", "1", "0BB10C4ED0", NULL);
	t_live(w, 1, &l);
	is_int(l.last_auth, PROTO_AUTH_ONLINE_REFUSED, "online: a blocked card is refused");
	t_ctl(w, NULL, "swipe", "1", "0E4B1BED", NULL);
	t_live(w, 1, &l);
	is_int(l.last_auth, PROTO_AUTH_ONLINE_ACCEPTED, "online: the cloud accepts the rest");

	is_int(t_ctl(w, &out, "swipe", "9", "0E4B1BED", NULL), 1, "swipe on a missing pile fails");
	ok(t_contains(out, "no pile at address 9 (this bus has only 1)"),
	    "and says where: %s", out ? out : "");
	free(out);
	is_int(t_ctl(w, &out, "swipe", "1", "XYZ", NULL), 1, "a bad UID fails");
	ok(t_contains(out, "bad card UID 'XYZ'"), "and names it");
	free(out);
	is_int(t_ctl(w, &out, "link", "1", NULL), 2, "missing argument is a usage error");
	ok(t_contains(out, "usage: pilesim ctl link ADDR up|down"), "with the usage line");
	free(out);
	sim_world_close(w);
	t_rmrf(dir);
	free(dir);
}

static void
app_order_settles_at_the_confirmed_tariff(void)
{
	char			*dir = t_tmpdir(), *out = NULL;
	struct sim_world	*w = t_open(dir, 3, 0);
	struct proto_live	 l;
	struct proto_record	 rec;
	int			 n = 0;

	if (w == NULL)
		return;
	is_int(t_ctl(w, &out, "app-order", "PILE-SIM-0003", NULL), 0, "app-order shows the rate");
	ok(t_contains(out, "\"tariff_version\":1") && t_contains(out, "\"address\":3") &&
	    t_contains(out, "\"energy_price\":[120000,100000,85000,40000]"),
	    "latest rate as JSON: %s", out ? out : "");
	free(out);
	is_int(t_ctl(w, &out, "app-order", "PILE-SIM-0003", "--confirm", NULL), 0,
	    "confirming places the order");
	ok(t_contains(out, "\"order_id\":\"ORD-00000001\""), "order id ORD-00000001");
	free(out);
	t_ctl(w, NULL, "plug", "3", NULL);
	t_live(w, 3, &l);
	is_int(l.cp_state, PROTO_CP_CHARGING, "plugging in starts the order");
	is_int(l.session_source, PROTO_SRC_APP_ORDER, "session source is app order");
	is_str(l.session_tag, "ORD-00000001", "session tag is the order id");
	t_ctl(w, NULL, "advance", "3600", NULL);
	is_int(t_ctl(w, NULL, "tariff", "set", "2", "--energy", "2,2,2,2", "--service",
	    "1,1,1,1", NULL), 0, "cloud tariff changes mid-charge");
	t_live(w, 3, &l);
	is_int(l.tariff_version, 2, "the online pile received version 2");
	is_int(l.session_tariff_version, 1, "the running order stays at version 1");
	t_ctl(w, NULL, "advance", "3600", NULL);
	t_ctl(w, NULL, "unplug", "3", NULL);
	is_int(t_record(w, 3, 1, &rec, &n), 0, "order record reads back");
	is_int(rec.kind, PROTO_REC_APP_ORDER, "kind is app order");
	is_int(rec.tariff_version, 1, "settled at version 1");
	is_int(rec.energy_fee_minor[2], 595, "flat hour at the v1 price 0.85000");
	is_int(rec.energy_fee_minor[3], 280, "valley hour at the v1 price 0.40000");
	ok(!(rec.flags & PROTO_REC_F_OFFLINE), "no offline flag");

	t_ctl(w, NULL, "link", "2", "down", NULL);
	is_int(t_ctl(w, &out, "app-order", "PILE-SIM-0002", "--confirm", NULL), 1,
	    "an order for an offline pile fails");
	ok(t_contains(out, "pile 2 is offline"), "and says why: %s", out ? out : "");
	free(out);
	is_int(t_ctl(w, &out, "app-order", "PILE-SIM-0009", NULL), 1, "unknown device id");
	ok(t_contains(out, "no pile has device id 'PILE-SIM-0009'"), "is named");
	free(out);
	sim_world_close(w);
	t_rmrf(dir);
	free(dir);
}

static void
session_open_at_a_kill_ends_with_power_loss(void)
{
	char			*dir = t_tmpdir();
	struct sim_world	*w = t_open(dir, 1, 0);
	struct proto_record	 rec;
	struct proto_live	 l;
	int			 n = 0;

	if (w == NULL)
		return;
	t_ctl(w, NULL, "link", "1", "down", NULL);
	t_ctl(w, NULL, "whitelist", "1", "add", "04A1B2C3", NULL);
	t_ctl(w, NULL, "swipe", "1", "04A1B2C3", NULL);
	t_ctl(w, NULL, "plug", "1", NULL);
	t_ctl(w, NULL, "advance", "600", NULL);
	sim_world_close(w);
	w = t_open(dir, 1, 0);
	if (w == NULL)
		return;
	is_int(t_record(w, 1, 1, &rec, &n), 0, "reopened pile holds the cut session");
	is_int(rec.stop_reason, PROTO_STOP_POWER_LOSS, "stop reason power loss");
	is_int(proto_record_energy_wh(&rec), 1166, "energy metered before the cut");
	t_live(w, 1, &l);
	is_int(l.session_id, 0, "no session runs after restart");
	is_int(l.energy_wh, 1166, "energy register kept");
	is_int(l.link, PROTO_LINK_OFFLINE, "link state kept across restart");
	sim_world_close(w);
	t_rmrf(dir);
	free(dir);
}

int
main(void)
{
	offline_card_charge_is_stored_unsynced_with_fees_per_period();
	refused_cards_do_not_charge();
	app_order_settles_at_the_confirmed_tariff();
	session_open_at_a_kill_ends_with_power_loss();
	return done_testing();
}
