/* ctl-cloud.c - the control commands of the emulated cloud (`pilesim ctl
 * ...`): the cloud tariff, app orders, and the records the cloud received. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "json.h"
#include "world.h"
#include "ctl.h"

/* "1.20000" -> 120000 (1e-5 units); no floating point near money. */
static int
parse_price(const char *s, uint32_t *v)
{
	uint64_t	whole = 0, frac = 0;
	int		digits = 0, any = 0;

	for (; *s >= '0' && *s <= '9'; s++, any = 1) {
		whole = whole * 10 + (uint64_t)(*s - '0');
		if (whole > 40000)
			return -1;
	}
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, any = 1) {
			if (++digits > 5)
				return -1;
			frac = frac * 10 + (uint64_t)(*s - '0');
		}
	}
	if (*s != '\0' || !any)
		return -1;
	while (digits++ < 5)
		frac *= 10;
	*v = (uint32_t)(whole * 100000 + frac);
	return 0;
}

static int
parse_prices(const char *s, uint32_t v[PROTO_PERIODS])
{
	char	*copy = xstrdup(s), *tok, *save = NULL;
	int	 n = 0, rc = 0;

	for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (n == PROTO_PERIODS || parse_price(tok, &v[n++]) != 0) {
			rc = -1;
			break;
		}
	}
	free(copy);
	return rc == 0 && n == PROTO_PERIODS ? 0 : -1;
}

static void
print_tariff(FILE *out, const struct proto_tariff *t)
{
	char	e[16], s[16], slots[PROTO_SLOTS + 1];
	int	i;

	fprintf(out, _("tariff version %" PRIu32 "\n"), t->version);
	fprintf(out, _("%-8s %10s %10s  per kWh\n"), _("period"), _("energy"), _("service"));
	for (i = 0; i < PROTO_PERIODS; i++) {
		sim_price_str(t->energy_price[i], e);
		sim_price_str(t->service_price[i], s);
		fprintf(out, "%-8s %10s %10s\n", proto_period_str((unsigned)i), e, s);
	}
	sim_slots_str(t, slots);
	fprintf(out, _("slots    %s (half-hours from 00:00 UTC)\n"), slots);
}

int
sim_ctl_tariff(struct sim_world *w, int argc, char **argv, FILE *out, uint64_t now_ms)
{
	struct proto_tariff	 t;
	char			*cause = NULL;
	int			 i, json = 0, have_e = 0, have_s = 0, pushed = 0;

	if (argc >= 2 && strcmp(argv[1], "show") == 0) {
		if (argc == 3 && strcmp(argv[2], "--json") == 0)
			json = 1;
		else if (argc != 2)
			return sim_ctl_usage(out);
		if (json) {
			fputc('{', out);
			sim_json_tariff(out, &w->cloud.tariff);
			fputs("}\n", out);
		} else
			print_tariff(out, &w->cloud.tariff);
		return CTL_OK;
	}
	if (argc < 3 || strcmp(argv[1], "set") != 0)
		return sim_ctl_usage(out);
	t = w->cloud.tariff;
	if (sim_ctl_parse_u32(argv[2], UINT32_MAX, &t.version) != 0 || t.version == 0)
		return sim_ctl_fail(out, _("bad tariff version '%s': give a number from 1 to "
		    "4294967295"), argv[2]);
	for (i = 3; i < argc; i++) {
		if (i + 1 >= argc)
			return sim_ctl_usage(out);
		if (strcmp(argv[i], "--energy") == 0) {
			if (parse_prices(argv[++i], t.energy_price) != 0)
				return sim_ctl_fail(out, _("bad energy prices '%s': give 4 prices "
				    "per kWh, sharp,peak,flat,valley (e.g. 1.2,1.0,0.85,0.4)"),
				    argv[i]);
			have_e = 1;
		} else if (strcmp(argv[i], "--service") == 0) {
			if (parse_prices(argv[++i], t.service_price) != 0)
				return sim_ctl_fail(out, _("bad service fees '%s': give 4 fees per "
				    "kWh, sharp,peak,flat,valley (e.g. 0.3,0.3,0.25,0.2)"),
				    argv[i]);
			have_s = 1;
		} else if (strcmp(argv[i], "--slots") == 0) {
			const char *s = argv[++i];
			int j;
			for (j = 0; s[j] != '\0' && j < PROTO_SLOTS; j++)
				if (s[j] < '0' || s[j] > '3')
					break;
			if (j != PROTO_SLOTS || s[j] != '\0')
				return sim_ctl_fail(out, _("bad slots '%s': give 48 digits 0..3, "
				    "the period of each half-hour from 00:00 UTC"), s);
			for (j = 0; j < PROTO_SLOTS; j++)
				t.slot_period[j] = (uint8_t)(s[j] - '0');
		} else
			return sim_ctl_usage(out);
	}
	if (!have_e || !have_s)
		return sim_ctl_usage(out);
	sim_world_sync(w, now_ms);
	w->cloud.tariff = t;
	sim_cloud_tariff_publish(&w->cloud, &t);
	if (sim_cloud_save(w, &cause) != 0) {
		sim_ctl_fail(out, "%s", cause);
		free(cause);
		return CTL_FAILED;
	}
	for (i = 0; i < w->npiles; i++) {
		if (sim_pile_online(&w->piles[i])) {
			sim_pile_receive_tariff(&w->piles[i], &t);
			pushed++;
		}
	}
	fprintf(out, _("cloud tariff is now version %" PRIu32 ", pushed to %d online "
	    "pile(s)\n"), t.version, pushed);
	return CTL_OK;
}

static struct sim_pile *
pile_by_device(struct sim_world *w, const char *id, FILE *out)
{
	int	i;

	for (i = 0; i < w->npiles; i++)
		if (strcasecmp(w->piles[i].device_id, id) == 0)
			return &w->piles[i];
	if (w->npiles == 1)
		sim_ctl_fail(out, _("no pile has device id '%s' (this bus has %s)"), id,
		    w->piles[0].device_id);
	else
		sim_ctl_fail(out, _("no pile has device id '%s' (this bus has %s..%s)"), id,
		    w->piles[0].device_id, w->piles[w->npiles - 1].device_id);
	return NULL;
}

int
sim_ctl_app_order(struct sim_world *w, int argc, char **argv, FILE *out, uint64_t now_ms)
{
	struct sim_pile	*p;
	char		 order[PROTO_TAG_MAX + 1], *cause = NULL;
	int		 confirm = 0;

	if (argc == 3 && strcmp(argv[2], "--confirm") == 0)
		confirm = 1;
	else if (argc != 2)
		return sim_ctl_usage(out);
	if ((p = pile_by_device(w, argv[1], out)) == NULL)
		return CTL_FAILED;
	if (!confirm) {
		fputs("{\"device_id\":", out);
		json_write_str(out, p->device_id);
		fprintf(out, ",\"address\":%d,", p->addr);
		sim_json_tariff(out, &w->cloud.tariff);
		fputs("}\n", out);
		return CTL_OK;
	}
	snprintf(order, sizeof order, "ORD-%08" PRIu32, w->cloud.next_order);
	if (sim_pile_order(p, order, &w->cloud.tariff, now_ms, &cause) != 0) {
		sim_ctl_fail(out, _("cannot place order for '%s': %s"), p->device_id, cause);
		free(cause);
		return CTL_FAILED;
	}
	w->cloud.next_order++;
	if (sim_cloud_save(w, &cause) != 0) {
		sim_ctl_fail(out, "%s", cause);
		free(cause);
		return CTL_FAILED;
	}
	fputs("{\"order_id\":", out);
	json_write_str(out, order);
	fputs(",\"device_id\":", out);
	json_write_str(out, p->device_id);
	fprintf(out, ",\"address\":%d,\"tariff_version\":%" PRIu32 ",\"state\":",
	    p->addr, w->cloud.tariff.version);
	json_write_str(out, p->sess.active ? "charging" : "waiting_for_plug");
	fputs("}\n", out);
	return CTL_OK;
}

static int
cloud_drop_acks(struct sim_world *w, const char *arg, FILE *out)
{
	uint32_t	n;

	if (sim_ctl_parse_u32(arg, 1000000, &n) != 0)
		return sim_ctl_fail(out, _("bad count '%s' for drop-acks: give a number of "
		    "acknowledgements from 0 to 1000000"), arg);
	w->cloud.drop_acks = n;
	fprintf(out, _("cloud: the next %" PRIu32 " acknowledgements will be lost\n"), n);
	return CTL_OK;
}

static int
cloud_stats(struct sim_world *w, int argc, char **argv, FILE *out)
{
	struct sim_cloud	*c = &w->cloud;
	int			 json;

	if (sim_ctl_json_flag(argc, argv, 2, out, &json) != 0)
		return CTL_USAGE;
	if (json)
		fprintf(out, "{\"records\":%zu,\"duplicates\":%" PRIu64
		    ",\"acks_dropped\":%" PRIu64 ",\"drop_acks_left\":%" PRIu32
		    ",\"bad_signatures\":%" PRIu64 "}\n",
		    c->nrecs, c->duplicates, c->acks_dropped, c->drop_acks, c->bad_signatures);
	else {
		fprintf(out, _("records %zu\nduplicates received %" PRIu64 "\n"
		    "acknowledgements lost %" PRIu64 "\nacknowledgements still to lose %"
		    PRIu32 "\n"), c->nrecs, c->duplicates, c->acks_dropped, c->drop_acks);
		fprintf(out, _("uploads refused for a bad signature %" PRIu64 "\n"),
		    c->bad_signatures);
	}
	return CTL_OK;
}

int
sim_ctl_cloud(struct sim_world *w, int argc, char **argv, FILE *out, uint64_t now_ms)
{
	size_t	i;
	int	json;

	(void)now_ms;
	if (argc == 3 && strcmp(argv[1], "drop-acks") == 0)
		return cloud_drop_acks(w, argv[2], out);
	if (argc >= 2 && strcmp(argv[1], "stats") == 0)
		return cloud_stats(w, argc, argv, out);
	if (argc >= 2 && strcmp(argv[1], "import") == 0)
		return sim_ctl_cloud_import(w, argc, argv, out);
	if (argc < 2 || strcmp(argv[1], "records") != 0)
		return sim_ctl_usage(out);
	if (sim_ctl_json_flag(argc, argv, 2, out, &json) != 0)
		return CTL_USAGE;
	if (json)
		fputc('[', out);
	for (i = 0; i < w->cloud.nrecs; i++) {
		if (json) {
			fputs(i ? ",\n" : "\n", out);
			sim_json_cloud_record(out, &w->cloud.recs[i], NULL);
		} else
			sim_ctl_print_record(out, w->cloud.recs[i].serial, &w->cloud.recs[i].rec, -1);
	}
	if (json)
		fputs("\n]\n", out);
	else if (w->cloud.nrecs == 0)
		fprintf(out, _("the cloud holds no records\n"));
	return CTL_OK;
}
