/* json.c - the JSON that `pilesim ctl` prints: records, tariffs. Field names
 * and tokens here are an interface tests and scripts rely on; every string
 * goes through json_write_str, the one emitter (src/json.c). */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "common.h"
#include "json.h"
#include "world.h"

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
	sim_json_record_open(f, serial, r, synced);
	fputc('}', f);
}

/* The cloud's view adds the store identity and the path it came by. */
void
sim_json_cloud_record(FILE *f, const struct sim_cloud_rec *cr, const char *wire_hex)
{
	sim_json_record_open(f, cr->serial, &cr->rec, -1);
	fprintf(f, ",\"store_id\":%" PRIu32 ",\"via\":", cr->store_id);
	json_write_str(f, cr->via == SIM_VIA_IMPORT ? "import" : "resync");
	if (wire_hex != NULL) {
		fputs(",\"wire\":", f);
		json_write_str(f, wire_hex);
	}
	fputc('}', f);
}

void
sim_json_record_open(FILE *f, const char *serial, const struct proto_record *r, int synced)
{
	uint64_t	wh = 0, fee = 0;	/* four uint32 parts do not fit 32 bits */
	int		i;

	for (i = 0; i < PROTO_PERIODS; i++) {
		wh += r->energy_wh[i];
		fee += r->energy_fee_minor[i] + r->service_fee_minor[i];
	}
	fputs("{\"serial\":", f);
	json_write_str(f, serial);
	fprintf(f, ",\"seq\":%" PRIu32 ",\"kind\":", r->seq);
	json_write_str(f, sim_kind_token(r->kind));
	fprintf(f, ",\"offline\":%s,\"tag\":", (r->flags & PROTO_REC_F_OFFLINE) ?
	    "true" : "false");
	json_write_str(f, r->tag);
	fputs(",\"holder\":", f);
	json_write_str(f, r->holder);
	fprintf(f, ",\"start\":%" PRIu32 ",\"stop\":%" PRIu32 ",\"stop_reason\":",
	    r->start, r->stop);
	json_write_str(f, stop_token(r->stop_reason));
	fprintf(f, ",\"meter_start_wh\":%" PRIu32 ",\"meter_stop_wh\":%" PRIu32
	    ",\"energy_wh\":%" PRIu64 ",\"energy_wh_periods\":", r->meter_start_wh,
	    r->meter_stop_wh, wh);
	sim_json_u32v(f, r->energy_wh, PROTO_PERIODS);
	fprintf(f, ",\"tariff_version\":%" PRIu32 ",\"energy_fee_minor\":", r->tariff_version);
	sim_json_u32v(f, r->energy_fee_minor, PROTO_PERIODS);
	fputs(",\"service_fee_minor\":", f);
	sim_json_u32v(f, r->service_fee_minor, PROTO_PERIODS);
	fprintf(f, ",\"fee_minor\":%" PRIu64 ",\"crc\":%" PRIu32, fee, r->crc);
	if (synced >= 0)
		fprintf(f, ",\"synced\":%s", synced ? "true" : "false");
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
	fputs(",\"slots\":", f);
	json_write_str(f, slots);
}
