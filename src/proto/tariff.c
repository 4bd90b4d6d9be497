/* tariff.c - the tariff block, the period of each half-hour, and settlement:
 * integer money only, so anyone can recompute a record's fees. */
#include "config.h"

#include <string.h>

#include "proto.h"

#define SLOT_S		1800	/* a half-hour */
#define DAY_S		86400

#define OFF(id)		(PROTO_A_##id - PROTO_A_TARIFF_VERSION)

void
proto_tariff_encode(const struct proto_tariff *t, uint16_t *regs)
{
	int	i;

	proto_put_u32(regs + OFF(TARIFF_VERSION), t->version);
	for (i = 0; i < PROTO_PERIODS; i++) {
		proto_put_u32(regs + OFF(TARIFF_ENERGY_PRICE) + 2 * i,
		    t->energy_price[i]);
		proto_put_u32(regs + OFF(TARIFF_SERVICE_PRICE) + 2 * i,
		    t->service_price[i]);
	}
	proto_put_bytes(regs + OFF(TARIFF_SLOTS), PROTO_SLOTS, t->slot_period);
}

int
proto_tariff_decode(const uint16_t *regs, struct proto_tariff *t)
{
	int	i;

	memset(t, 0, sizeof *t);
	t->version = proto_get_u32(regs + OFF(TARIFF_VERSION));
	for (i = 0; i < PROTO_PERIODS; i++) {
		t->energy_price[i] =
		    proto_get_u32(regs + OFF(TARIFF_ENERGY_PRICE) + 2 * i);
		t->service_price[i] =
		    proto_get_u32(regs + OFF(TARIFF_SERVICE_PRICE) + 2 * i);
	}
	proto_get_bytes(regs + OFF(TARIFF_SLOTS), PROTO_SLOTS, t->slot_period);
	for (i = 0; i < PROTO_SLOTS; i++)
		if (t->slot_period[i] >= PROTO_PERIODS)
			return -1;
	return 0;
}

/* A slot naming no period (decode refuses those) counts as the last one,
 * so that callers indexing per-period arrays stay in bounds. */
unsigned
proto_tariff_period_at(const struct proto_tariff *t, uint32_t time)
{
	unsigned	p = t->slot_period[(time % DAY_S) / SLOT_S];

	return p < PROTO_PERIODS ? p : PROTO_PERIODS - 1;
}

/*
 * energy_wh * price is at most (2^32 - 1)^2, which fits 64 bits with room
 * for the half (500000) added to round half up. A fee past 2^32 - 1 minor
 * units (43 million in major units) is not a charging session; it
 * saturates rather than wraps.
 */
uint32_t
proto_fee_minor(uint32_t energy_wh, uint32_t price)
{
	uint64_t	fee;

	fee = ((uint64_t)energy_wh * price + 500000) / 1000000;
	return fee > UINT32_MAX ? UINT32_MAX : (uint32_t)fee;
}

void
proto_settle(const struct proto_tariff *t,
    const uint32_t energy_wh[PROTO_PERIODS],
    uint32_t energy_fee_minor[PROTO_PERIODS],
    uint32_t service_fee_minor[PROTO_PERIODS])
{
	int	i;

	for (i = 0; i < PROTO_PERIODS; i++) {
		energy_fee_minor[i] = proto_fee_minor(energy_wh[i],
		    t->energy_price[i]);
		service_fee_minor[i] = proto_fee_minor(energy_wh[i],
		    t->service_price[i]);
	}
}

/* Walks [t0, t1) slot by slot; t runs in 64 bits so a span ending near
 * 2^32 cannot wrap. Midnight needs no case: the slot is t modulo a day. */
void
proto_meter_split(const struct proto_tariff *t, uint32_t t0, uint32_t t1,
    uint32_t power_w, uint64_t ws[PROTO_PERIODS])
{
	uint64_t	now, end, slot_end;

	for (now = t0; now < t1; now = end) {
		slot_end = (now / SLOT_S + 1) * SLOT_S;
		end = slot_end < t1 ? slot_end : t1;
		ws[proto_tariff_period_at(t, (uint32_t)now)] +=
		    (uint64_t)power_w * (end - now);
	}
}

/*
 * Flooring each period alone could lose up to 3 Wh against the meter;
 * the periods with the largest remainders get the missing watt-hours so
 * the parts add up to the meter's own floor(total / 3600). Ties go to the
 * lower period index, so the split is the same on every implementation.
 */
void
proto_energy_split_wh(const uint64_t ws[PROTO_PERIODS],
    uint32_t wh[PROTO_PERIODS])
{
	uint64_t	total = 0, floors = 0, missing;
	unsigned	rem[PROTO_PERIODS];
	int		i, best, given[PROTO_PERIODS] = { 0 };

	for (i = 0; i < PROTO_PERIODS; i++) {
		total += ws[i];
		wh[i] = (uint32_t)(ws[i] / 3600);
		rem[i] = (unsigned)(ws[i] % 3600);
		floors += ws[i] / 3600;
	}
	for (missing = total / 3600 - floors; missing > 0; missing--) {
		best = -1;
		for (i = 0; i < PROTO_PERIODS; i++)
			if (!given[i] && (best < 0 || rem[i] > rem[best]))
				best = i;
		given[best] = 1;
		wh[best]++;
	}
}
