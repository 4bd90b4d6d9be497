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

static int	cmd_status_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_status_entry = {
	"status", "st", "--json", "[--json]", cmd_status_exec,
	N_("show the pile's identity and live state: link, card reader, meter, session, clock")
};

static const char *
link_json(unsigned link)
{
	switch (link) {
	case PROTO_LINK_ONLINE:
		return "online";
	case PROTO_LINK_OFFLINE:
		return "offline";
	case PROTO_LINK_FORCED:
		return "forced_offline";
	}
	return "unknown";
}

static void
status_json(FILE *f, const struct proto_identity *id, int addr, const struct proto_live *l,
    int64_t laptop)
{
	fprintf(f, "{\"serial\":");
	batch_json_str(f, id->serial);
	fprintf(f, ",\"address\":%d,\"vendor\":", addr);
	batch_json_str(f, id->vendor);
	fprintf(f, ",\"model\":");
	batch_json_str(f, id->model);
	fprintf(f, ",\"firmware\":");
	batch_json_str(f, id->firmware);
	fprintf(f, ",\"device_id\":");
	batch_json_str(f, id->device_id);
	fprintf(f, ",\"link\":\"%s\",\"forced_until\":%u,\"backend\":%s,\"signal_dbm\":%d",
	    link_json(l->link), l->forced_until, l->backend ? "true" : "false", l->signal_dbm);
	fprintf(f, ",\"unsynced\":%u,\"first_seq\":%u,\"last_seq\":%u", l->unsynced,
	    l->first_seq, l->last_seq);
	fprintf(f, ",\"cp_state\":\"%s\",\"energy_wh\":%u,\"power_w\":%u",
	    proto_cp_str(l->cp_state), l->energy_wh, l->power_w);
	fprintf(f, ",\"voltage_dv\":[%u,%u,%u],\"current_ca\":[%u,%u,%u]",
	    l->voltage_dv[0], l->voltage_dv[1], l->voltage_dv[2],
	    l->current_ca[0], l->current_ca[1], l->current_ca[2]);
	fprintf(f, ",\"tariff_version\":%u,\"clock\":%u,\"clock_drift_s\":%lld",
	    l->tariff_version, l->clock, (long long)((int64_t)l->clock - laptop));
	fprintf(f, ",\"card\":{\"state\":\"%s\",\"last_uid\":", proto_card_state_str(l->card_state));
	batch_json_str(f, l->last_uid);
	fprintf(f, ",\"last_result\":\"%s\",\"last_holder\":", proto_auth_str(l->last_auth));
	batch_json_str(f, l->last_holder);
	fprintf(f, ",\"last_time\":%u}", l->last_auth_time);
	fprintf(f, ",\"session\":{\"id\":%u,\"source\":\"%s\",\"energy_wh\":%u,"
	    "\"cost_minor\":%u,\"period\":\"%s\",\"tariff_version\":%u,\"start\":%u,\"tag\":",
	    l->session_id, proto_source_str(l->session_source), l->session_energy_wh,
	    l->session_cost_minor, proto_period_str(l->session_period),
	    l->session_tariff_version, l->session_start);
	batch_json_str(f, l->session_tag);
	fprintf(f, "},\"whitelist\":{\"version\":%u,\"count\":%u}", l->wl_version, l->wl_count);
	fprintf(f, ",\"offline_auth\":{\"offline_charging\":%s,\"unknown_card\":\"%s\","
	    "\"expired_card\":\"%s\",\"offline_max_wh\":%u}",
	    l->offline_charging ? "true" : "false", l->unknown_card ? "accept" : "refuse",
	    l->expired_card ? "accept" : "refuse", l->offline_max_wh);
	fprintf(f, ",\"auth_session\":%s}\n", l->auth_state ? "true" : "false");
}

static void
line(FILE *f, const char *label, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
line(FILE *f, const char *label, const char *fmt, ...)
{
	va_list	ap;

	put_cell(f, label, 14);
	fputc(' ', f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

static void
status_human(FILE *f, const struct proto_identity *id, int addr, const struct proto_live *l,
    int64_t laptop)
{
	char		 a[32], b[32], *d;
	int64_t		 drift = (int64_t)l->clock - laptop;
	int		 i;

	fprintf(f, _("pile %s at address %d: %s %s, firmware %s, device %s\n"), id->serial,
	    addr, id->vendor, id->model, id->firmware, id->device_id);
	if (l->link == PROTO_LINK_FORCED && l->forced_until != 0) {
		d = batch_format_duration(l->forced_until > l->clock ?
		    l->forced_until - l->clock : 0);
		line(f, _("link"), _("forced offline until %s (in %s, by the pile's clock)"),
		    batch_format_time(l->forced_until), d);
		free(d);
	} else
		line(f, _("link"), "%s", _(proto_link_str(l->link)));
	if (l->signal_dbm != 0)
		line(f, _("back-end"), _("%s, signal %d dBm"),
		    l->backend ? _("connected") : _("not connected"), l->signal_dbm);
	else
		line(f, _("back-end"), _("%s, signal unknown"),
		    l->backend ? _("connected") : _("not connected"));
	if (l->last_seq != 0)
		line(f, _("records"), _("%u unsynced; seq %u..%u held on the pile"), l->unsynced,
		    l->first_seq, l->last_seq);
	else
		line(f, _("records"), _("%u unsynced; none held"), l->unsynced);
	if (l->last_uid[0] != '\0')
		line(f, _("card reader"), _("%s; last card %s%s%s%s: %s at %s"),
		    _(proto_card_state_str(l->card_state)), l->last_uid,
		    l->last_holder[0] ? " (" : "", l->last_holder,
		    l->last_holder[0] ? ")" : "", _(proto_auth_str(l->last_auth)),
		    batch_format_time(l->last_auth_time));
	else
		line(f, _("card reader"), _("%s; no card seen"), _(proto_card_state_str(l->card_state)));
	line(f, _("charge point"), "%s", _(proto_cp_str(l->cp_state)));
	put_cell(f, _("meter"), 14);
	for (i = 0; i < 3; i++)
		fprintf(f, " L%d %u.%u V %u.%02u A%s", i + 1, l->voltage_dv[i] / 10,
		    l->voltage_dv[i] % 10, l->current_ca[i] / 100, l->current_ca[i] % 100,
		    i < 2 ? "," : "");
	fputc('\n', f);
	fmt_kwh(a, sizeof a, l->energy_wh);
	line(f, "", _("power %u W, energy register %s kWh"), l->power_w, a);
	if (l->session_source != PROTO_SRC_NONE) {
		fmt_kwh(a, sizeof a, l->session_energy_wh);
		fmt_minor(b, sizeof b, l->session_cost_minor);
		line(f, _("session"), _("#%u %s %s since %s: %s kWh, %s so far, %s period, "
		    "tariff v%u"), l->session_id, _(proto_source_str(l->session_source)),
		    l->session_tag, batch_format_time(l->session_start), a, b,
		    _(proto_period_str(l->session_period)), l->session_tariff_version);
	} else
		line(f, _("session"), "%s", _("none"));
	line(f, _("tariff"), _("version %u"), l->tariff_version);
	if (drift == 0)
		line(f, _("clock"), _("%s (same as this laptop)"), batch_format_time(l->clock));
	else {
		d = batch_format_duration((uint32_t)(drift < 0 ? -drift : drift));
		line(f, _("clock"), drift > 0 ? _("%s (%s ahead of this laptop)") :
		    _("%s (%s behind this laptop)"), batch_format_time(l->clock), d);
		free(d);
	}
	line(f, _("whitelist"), _("version %u, %u entries"), l->wl_version, l->wl_count);
	if (l->offline_max_wh != 0)
		fmt_kwh(a, sizeof a, l->offline_max_wh);
	line(f, _("offline auth"), _("offline charging %s; unknown cards %s; expired cards %s; "
	    "session limit %s%s"), l->offline_charging ? _("on") : _("off"),
	    l->unknown_card ? _("accepted") : _("refused"),
	    l->expired_card ? _("accepted") : _("refused"),
	    l->offline_max_wh ? a : _("none"), l->offline_max_wh ? " kWh" : "");
}

static int
cmd_status_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct pile		*pile;
	struct proto_live	 live;
	char			*cause = NULL;
	int64_t			 laptop;
	int			 rc;

	if ((pile = cmd_pile(ctx)) == NULL)
		return cmd_exit_code(ctx->pile_rc);
	if ((rc = pile_live(pile, &live, &cause)) != 0)
		return cmd_fail(ctx, rc, cause);
	laptop = time(NULL);
	if (ctx->opts.json)
		status_json(ctx->out, &ctx->identity, ctx->opts.addr, &live, laptop);
	else
		status_human(ctx->out, &ctx->identity, ctx->opts.addr, &live, laptop);
	return EXIT_OK;
}
