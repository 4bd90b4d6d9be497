/* unit-proto-tariff - the tariff block, periods by half-hour, metering split
 * across slots and midnight, and settlement in integer money (DESIGN.md:
 * fee = energy_wh * price / 1e6 rounded half up). */
#include "config.h"

#include <string.h>

#include "proto.h"
#include "tap.h"

#define DAY	86400U
#define HOUR	3600U
#define D0	(19700U * DAY)	/* 2023-12-09 00:00 UTC */

enum { SHARP, PEAK, FLAT, VALLEY };

/* valley 00-08, flat 08-10, sharp 10-12, peak 12-22, flat 22-24 */
static struct proto_tariff
sample(void)
{
	struct proto_tariff	t;
	int			s;

	memset(&t, 0, sizeof t);
	t.version = 7;
	t.energy_price[SHARP] = 150000;
	t.energy_price[PEAK] = 120000;
	t.energy_price[FLAT] = 85000;
	t.energy_price[VALLEY] = 40000;
	t.service_price[SHARP] = 90000;
	t.service_price[PEAK] = 80000;
	t.service_price[FLAT] = 60000;
	t.service_price[VALLEY] = 30000;
	for (s = 0; s < PROTO_SLOTS; s++) {
		if (s < 16)
			t.slot_period[s] = VALLEY;
		else if (s < 20)
			t.slot_period[s] = FLAT;
		else if (s < 24)
			t.slot_period[s] = SHARP;
		else if (s < 44)
			t.slot_period[s] = PEAK;
		else
			t.slot_period[s] = FLAT;
	}
	return t;
}

static void
test_block(void)
{
	struct proto_tariff	t = sample(), got;
	uint16_t		regs[PROTO_TARIFF_COUNT + 1];
	int			slots_at = PROTO_A_TARIFF_SLOTS - PROTO_A_TARIFF_VERSION;

	is_int(PROTO_TARIFF_COUNT, 42, "the tariff block is 42 registers");
	regs[PROTO_TARIFF_COUNT] = 0xBEEF;
	proto_tariff_encode(&t, regs);
	is_int(regs[PROTO_TARIFF_COUNT], 0xBEEF, "encode stays inside 42 registers");
	ok(regs[0] == 0 && regs[1] == 7, "version is a u32, high word first");
	ok(regs[2] == (150000 >> 16) && regs[3] == (150000 & 0xFFFF),
	    "sharp energy price follows the version");
	is_int(regs[slots_at], VALLEY << 8 | VALLEY, "two slots per register");
	is_int(regs[slots_at + 9], FLAT << 8 | FLAT, "slots 18 and 19 are flat");
	is_int(regs[slots_at + 10], SHARP << 8 | SHARP, "slots 20 and 21 are sharp");
	is_int(proto_tariff_decode(regs, &got), 0, "an encoded tariff decodes");
	ok(memcmp(&t, &got, sizeof t) == 0, "tariff round trips");
	regs[slots_at + 23] = PEAK << 8 | 4;
	is_int(proto_tariff_decode(regs, &got), -1, "a slot naming period 4 is refused");
}

static void
test_periods(void)
{
	struct proto_tariff	t = sample();

	is_int(proto_tariff_period_at(&t, D0), VALLEY, "midnight is the first slot");
	is_int(proto_tariff_period_at(&t, D0 + 8 * HOUR - 1), VALLEY, "07:59:59 is valley");
	is_int(proto_tariff_period_at(&t, D0 + 8 * HOUR), FLAT, "08:00:00 is flat");
	is_int(proto_tariff_period_at(&t, D0 + 10 * HOUR + 1799), SHARP, "10:29:59 is sharp");
	is_int(proto_tariff_period_at(&t, D0 + DAY - 1), FLAT, "23:59:59 is the last slot");
	is_int(proto_tariff_period_at(&t, D0 + DAY), VALLEY, "the next midnight starts over");
	is_str(proto_period_str(SHARP), "sharp", "period 0 is sharp");
	is_str(proto_period_str(VALLEY), "valley", "period 3 is valley");
}

static void
test_fees(void)
{
	is_int(proto_fee_minor(14000, 85000), 1190,
	    "14000 Wh at 0.85000/kWh is 11.90 (DESIGN.md)");
	is_int(proto_fee_minor(1, 500000), 1, "exactly half a minor unit rounds up");
	is_int(proto_fee_minor(1, 499999), 0, "just under half rounds down");
	is_int(proto_fee_minor(3, 500000), 2, "1.5 rounds up to 2");
	is_int(proto_fee_minor(5, 500000), 3, "2.5 rounds up to 3, not to even");
	is_int(proto_fee_minor(10, 50000), 1, "0.5 from a small price rounds up");
	is_int(proto_fee_minor(0, 150000), 0, "no energy costs nothing");
	is_int(proto_fee_minor(4000000, 1000000), 4000000,
	    "4 MWh at 10/kWh is exact in 64-bit math");
	is_int(proto_fee_minor(UINT32_MAX, UINT32_MAX), UINT32_MAX,
	    "a fee beyond 32 bits saturates instead of wrapping");
}

static void
test_settlement(void)
{
	struct proto_tariff	t = sample();
	uint64_t		ws[PROTO_PERIODS] = { 0 };
	uint32_t		wh[PROTO_PERIODS], fee[PROTO_PERIODS], svc[PROTO_PERIODS];

	/* 7 kW for 2 h from 09:00: one hour flat, one hour sharp. */
	proto_meter_split(&t, D0 + 9 * HOUR, D0 + 11 * HOUR, 7000, ws);
	ok(ws[FLAT] == 7000ULL * HOUR && ws[SHARP] == 7000ULL * HOUR &&
	    ws[PEAK] == 0 && ws[VALLEY] == 0,
	    "7 kW for 2 h across 10:00 splits 1 h flat, 1 h sharp");
	proto_energy_split_wh(ws, wh);
	ok(wh[FLAT] == 7000 && wh[SHARP] == 7000 && wh[PEAK] == 0 &&
	    wh[VALLEY] == 0, "that is 7000 Wh flat and 7000 Wh sharp");
	proto_settle(&t, wh, fee, svc);
	ok(fee[FLAT] == 595 && fee[SHARP] == 1050 && fee[PEAK] == 0 &&
	    fee[VALLEY] == 0, "energy fees 5.95 flat, 10.50 sharp");
	ok(svc[FLAT] == 420 && svc[SHARP] == 630,
	    "service fees 4.20 flat, 6.30 sharp");

	/* 7 kW for 2 h from 23:00: one hour flat, then valley after midnight. */
	memset(ws, 0, sizeof ws);
	proto_meter_split(&t, D0 + 23 * HOUR, D0 + DAY + HOUR, 7000, ws);
	proto_energy_split_wh(ws, wh);
	ok(wh[FLAT] == 7000 && wh[VALLEY] == 7000 && wh[SHARP] == 0 &&
	    wh[PEAK] == 0, "a session across midnight meters flat then valley");
	proto_settle(&t, wh, fee, svc);
	ok(fee[FLAT] == 595 && fee[VALLEY] == 280 && svc[VALLEY] == 210,
	    "across midnight, valley settles at the valley price");

	/* Part slots: 23:45:10 to 00:20:05 at 3333 W. */
	memset(ws, 0, sizeof ws);
	proto_meter_split(&t, D0 + DAY - 890, D0 + DAY + 1205, 3333, ws);
	ok(ws[FLAT] == 3333ULL * 890 && ws[VALLEY] == 3333ULL * 1205,
	    "part slots meter by the second on each side of midnight");
	proto_energy_split_wh(ws, wh);
	ok(wh[FLAT] == 824 && wh[VALLEY] == 1115,
	    "the missing Wh goes to the period with the larger remainder");
	is_int(wh[FLAT] + wh[VALLEY], (3333ULL * 2095) / 3600,
	    "the periods add up to the meter's own Wh");

	/* Three whole days at 1 kW. */
	memset(ws, 0, sizeof ws);
	proto_meter_split(&t, D0, D0 + 3 * DAY, 1000, ws);
	ok(ws[VALLEY] == 3ULL * 1000 * 8 * HOUR && ws[FLAT] == 3ULL * 1000 * 4 * HOUR &&
	    ws[SHARP] == 3ULL * 1000 * 2 * HOUR && ws[PEAK] == 3ULL * 1000 * 10 * HOUR,
	    "three days split 8 h valley, 4 h flat, 2 h sharp, 10 h peak a day");
	memset(ws, 0, sizeof ws);
	proto_meter_split(&t, D0 + 100, D0 + 100, 7000, ws);
	proto_meter_split(&t, D0 + 100, D0 + 50, 7000, ws);
	ok(ws[0] == 0 && ws[1] == 0 && ws[2] == 0 && ws[3] == 0,
	    "an empty or backwards span meters nothing");
	proto_meter_split(&t, UINT32_MAX - 10, UINT32_MAX, 1000, ws);
	is_int(ws[0] + ws[1] + ws[2] + ws[3], 10000,
	    "a span ending at the last second of 32-bit time does not wrap");
}

static void
test_split_rounding(void)
{
	uint64_t	ws[PROTO_PERIODS];
	uint32_t	wh[PROTO_PERIODS];
	uint64_t	seed = 12345, total;
	int		round, bad = 0, p;

	ws[0] = ws[1] = ws[2] = ws[3] = 1800;
	proto_energy_split_wh(ws, wh);
	ok(wh[0] == 1 && wh[1] == 1 && wh[2] == 0 && wh[3] == 0,
	    "equal remainders: the lower periods get the watt-hours");
	ws[0] = 3599; ws[1] = 1; ws[2] = 0; ws[3] = 0;
	proto_energy_split_wh(ws, wh);
	ok(wh[0] == 1 && wh[1] == 0, "3599 + 1 Ws is 1 Wh, in the larger part");
	ws[0] = 1000; ws[1] = 2700; ws[2] = 0; ws[3] = 3500;
	proto_energy_split_wh(ws, wh);
	ok(wh[0] == 0 && wh[1] == 1 && wh[2] == 0 && wh[3] == 1,
	    "two missing Wh go to the two largest remainders");

	/* Many irregular sessions: the parts always sum to the total and no
	 * part is more than 1 Wh above its own floor. */
	for (round = 0; round < 2000; round++) {
		total = 0;
		for (p = 0; p < PROTO_PERIODS; p++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			ws[p] = (seed >> 20) % 100000000;
			total += ws[p];
		}
		proto_energy_split_wh(ws, wh);
		if ((uint64_t)wh[0] + wh[1] + wh[2] + wh[3] != total / 3600)
			bad++;
		for (p = 0; p < PROTO_PERIODS; p++)
			if (wh[p] != ws[p] / 3600 && wh[p] != ws[p] / 3600 + 1)
				bad++;
	}
	is_int(bad, 0, "per-period Wh always sum to the meter total");
}

int
main(void)
{
	test_block();
	test_periods();
	test_fees();
	test_settlement();
	test_split_rounding();
	return done_testing();
}
