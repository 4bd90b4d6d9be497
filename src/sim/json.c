/* json.c - the JSON that `pilesim ctl` prints: records, tariffs. Field names
 * and tokens here are an interface tests and scripts rely on. */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "common.h"
#include "world.h"

void
sim_json_str(FILE *f, const char *s)
{
	const unsigned char	*p;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

void
sim_json_u32v(FILE *f, const uint32_t *v, size_t n)
{
	size_t	i;

	fputc('[', f);
	for (i = 0; i < n; i++)
		fprintf(f, "%s%" PRIu32, i ? "," : "", v[i]);
	fputc(']', f);
}

const char *
sim_kind_token(unsigned kind)
{
	switch (kind) {
	case PROTO_REC_OFFLINE_CARD:
		return "offline_card";
	case PROTO_REC_ONLINE_CARD:
		return "online_card";
	case PROTO_REC_APP_ORDER:
		return "app_order";
	}
	return "unknown";
}

static const char *
stop_token(unsigned reason)
{
	static const char *const names[] = { "none", "unplugged", "card", "remote",
	    "energy_limit", "power_loss", "fault" };

	return reason < nitems(names) ? names[reason] : "unknown";
}

/* synced < 0 leaves the field out (the cloud's view has no such thing). */
void
sim_json_record(FILE *f, const char *serial, const struct proto_record *r, int synced)
{
	uint32_t	wh = 0, fee = 0;
	int		i;

	for (i = 0; i < PROTO_PERIODS; i++) {
		wh += r->energy_wh[i];
		fee += r->energy_fee_minor[i] + r->service_fee_minor[i];
	}
	fputs("{\"serial\":", f);
	sim_json_str(f, serial);
	fprintf(f, ",\"seq\":%" PRIu32 ",\"kind\":\"%s\",\"offline\":%s,\"tag\":", r->seq,
	    sim_kind_token(r->kind), (r->flags & PROTO_REC_F_OFFLINE) ? "true" : "false");
	sim_json_str(f, r->tag);
	fputs(",\"holder\":", f);
	sim_json_str(f, r->holder);
	fprintf(f, ",\"start\":%" PRIu32 ",\"stop\":%" PRIu32 ",\"stop_reason\":\"%s\""
	    ",\"meter_start_wh\":%" PRIu32 ",\"meter_stop_wh\":%" PRIu32
	    ",\"energy_wh\":%" PRIu32 ",\"energy_wh_periods\":", r->start, r->stop,
	    stop_token(r->stop_reason), r->meter_start_wh, r->meter_stop_wh, wh);
	sim_json_u32v(f, r->energy_wh, PROTO_PERIODS);
	fprintf(f, ",\"tariff_version\":%" PRIu32 ",\"energy_fee_minor\":", r->tariff_version);
	sim_json_u32v(f, r->energy_fee_minor, PROTO_PERIODS);
	fputs(",\"service_fee_minor\":", f);
	sim_json_u32v(f, r->service_fee_minor, PROTO_PERIODS);
	fprintf(f, ",\"fee_minor\":%" PRIu32 ",\"crc\":%" PRIu32, fee, r->crc);
	if (synced >= 0)
		fprintf(f, ",\"synced\":%s", synced ? "true" : "false");
	fputc('}', f);
}

void
sim_slots_str(const struct proto_tariff *t, char out[PROTO_SLOTS + 1])
{
	int	i;

	for (i = 0; i < PROTO_SLOTS; i++)
		out[i] = (char)('0' + (t->slot_period[i] & 3));
	out[PROTO_SLOTS] = '\0';
}

/* 1e-5 units as a decimal with five places: 85000 -> "0.85000". */
void
sim_price_str(uint32_t v, char out[16])
{
	snprintf(out, 16, "%" PRIu32 ".%05" PRIu32, v / 100000, v % 100000);
}

/* Prices in 1e-5 currency units per kWh, slots as 48 digits 0..3. */
void
sim_json_tariff(FILE *f, const struct proto_tariff *t)
{
	char	slots[PROTO_SLOTS + 1];

	sim_slots_str(t, slots);
	fprintf(f, "\"tariff_version\":%" PRIu32 ",\"energy_price\":", t->version);
	sim_json_u32v(f, t->energy_price, PROTO_PERIODS);
	fputs(",\"service_price\":", f);
	sim_json_u32v(f, t->service_price, PROTO_PERIODS);
	fprintf(f, ",\"slots\":\"%s\"", slots);
}
