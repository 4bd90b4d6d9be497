/* pile.c - one pile on a bus: register reads and writes, identity, live
 * state, control, settings and tariff. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common.h"
#include "pile-int.h"

struct pile *
pile_new(struct pile_bus *bus, uint8_t addr)
{
	struct pile	*p = xcalloc(1, sizeof *p);

	p->bus = bus;
	p->addr = addr;
	return p;
}

void
pile_free(struct pile *p)
{
	if (p == NULL)
		return;
	sodium_memzero(p->key, sizeof p->key);
	sodium_memzero(p->session_key, sizeof p->session_key);
	free(p);
}

uint8_t
pile_addr(const struct pile *p)
{
	return p->addr;
}

struct pile_bus *
pile_bus(struct pile *p)
{
	return p->bus;
}

void
pile_set_key(struct pile *p, const uint8_t key[PROTO_KEY_BYTES])
{
	if (key == NULL) {
		sodium_memzero(p->key, sizeof p->key);
		p->has_key = 0;
	} else {
		memcpy(p->key, key, sizeof p->key);
		p->has_key = 1;
	}
	p->session = 0;
}

const char *
pile_label(const struct pile *p, char *buf, size_t size)
{
	if (p->has_serial)
		snprintf(buf, size, _("pile '%s' (address %u)"), p->serial,
		    p->addr);
	else
		snprintf(buf, size, _("pile at address %u"), p->addr);
	return buf;
}

int
pile_named(struct pile *p, char **cause)
{
	struct proto_identity	id;

	return p->has_serial ? 0 : pile_identity(p, &id, cause);
}

int
pile_transact(struct pile *p, struct pile_xfer *x)
{
	x->req.unit = p->addr;
	return pile_bus_transact(p->bus, x);
}

int
pile_run(struct pile *p, struct pile_xfer *x, char **cause)
{
	int	rc;

	x->req.unit = p->addr;
	rc = pile_bus_transact(p->bus, x);
	if (rc < 0) {
		if (cause != NULL) {
			*cause = x->cause;
			x->cause = NULL;
		}
	}
	free(x->cause);
	x->cause = NULL;
	return rc;
}

int
pile_read_regs(struct pile *p, uint16_t addr, uint16_t count, uint16_t *regs,
    char **cause)
{
	struct pile_xfer	x;
	int			rc;

	memset(&x, 0, sizeof x);
	x.req.fc = PROTO_FC_READ_HOLDING;
	x.req.read_addr = addr;
	x.req.read_count = count;
	if ((rc = pile_run(p, &x, cause)) < 0)
		return rc;
	memcpy(regs, x.resp.regs, count * sizeof *regs);
	return 0;
}

int
pile_write_regs(struct pile *p, uint16_t addr, uint16_t count,
    const uint16_t *values, char **cause)
{
	struct pile_xfer	x;

	memset(&x, 0, sizeof x);
	x.req.fc = PROTO_FC_WRITE_MULTIPLE;
	x.req.write_addr = addr;
	x.req.write_count = count;
	memcpy(x.req.values, values, count * sizeof *values);
	return pile_run(p, &x, cause);
}

void
pile_rw_request(const struct pile *p, struct pile_xfer *x, uint16_t waddr,
    uint16_t wcount, const uint16_t *wv, uint16_t raddr, uint16_t rcount)
{
	pile_xfer_reset(x);
	x->req.unit = p->addr;
	x->req.fc = PROTO_FC_READ_WRITE_MULTIPLE;
	x->req.write_addr = waddr;
	x->req.write_count = wcount;
	memcpy(x->req.values, wv, wcount * sizeof *wv);
	x->req.read_addr = raddr;
	x->req.read_count = rcount;
}

void
pile_cursor_request(const struct pile *p, struct pile_xfer *x,
    uint16_t cursor_addr, uint32_t cursor, uint16_t window_addr,
    uint16_t count)
{
	uint16_t	cur[2];

	proto_put_u32(cur, cursor);
	pile_rw_request(p, x, cursor_addr, 2, cur, window_addr, count);
}

int
pile_cursor_parse(const struct pile_xfer *x, uint16_t count, uint16_t *regs,
    char **cause)
{
	if (x->status < 0)
		return set_cause(cause, x->status, "%s", x->cause != NULL ?
		    x->cause : _("failed"));
	if (x->status != 0 || x->resp.nregs != count)
		return set_cause(cause, PILE_E_PROTOCOL, _("address %u sent "
		    "%u registers for a window of %u"), x->req.unit,
		    x->resp.nregs, (unsigned)count);
	memcpy(regs, x->resp.regs, count * sizeof *regs);
	return 0;
}

int
pile_rw_regs(struct pile *p, uint16_t waddr, uint16_t wcount, const uint16_t *wv,
    uint16_t raddr, uint16_t rcount, uint16_t *regs, char **cause)
{
	struct pile_xfer	x;
	int			rc;

	memset(&x, 0, sizeof x);
	pile_rw_request(p, &x, waddr, wcount, wv, raddr, rcount);
	if ((rc = pile_run(p, &x, cause)) < 0)
		return rc;
	return pile_cursor_parse(&x, rcount, regs, cause);
}

int
pile_cursor_read(struct pile *p, uint16_t cursor_addr, uint32_t cursor,
    uint16_t window_addr, uint16_t count, uint16_t *regs, char **cause)
{
	uint16_t	cur[2];

	proto_put_u32(cur, cursor);
	return pile_rw_regs(p, cursor_addr, 2, cur, window_addr, count, regs, cause);
}

/* x's request again, for a parse that returns PILE_AGAIN. */
int
pile_xfer_again(struct pile_xfer *x)
{
	struct proto_request	req = x->req;
	int			again = x->again + 1;

	pile_xfer_reset(x);
	x->req = req;
	x->again = again;
	return PILE_AGAIN;
}

void
pile_identity_request(const struct pile *p, struct pile_xfer *x)
{
	pile_xfer_reset(x);
	x->req.unit = p->addr;
	x->req.fc = PROTO_FC_READ_HOLDING;
	x->req.read_addr = PROTO_IDENTITY_ADDR;
	x->req.read_count = PROTO_IDENTITY_COUNT;
}

int
pile_identity_parse(struct pile *p, const struct pile_xfer *x,
    struct proto_identity *id, char **cause)
{
	if (x->status < 0)
		return set_cause(cause, x->status, "%s", x->cause != NULL ?
		    x->cause : _("the identity read failed"));
	if (x->status != 0 || x->resp.nregs != PROTO_IDENTITY_COUNT)
		return set_cause(cause, PILE_E_PROTOCOL, _("address %u sent "
		    "%u registers for the identity block, not %u"), x->req.unit,
		    x->resp.nregs, (unsigned)PROTO_IDENTITY_COUNT);
	proto_identity_decode(x->resp.regs, id);
	pile_set_identity(p, id);
	return 0;
}

void
pile_set_identity(struct pile *p, const struct proto_identity *id)
{
	/* The serial is part of what the auth HMAC covers. */
	snprintf(p->serial, sizeof p->serial, "%s", id->serial);
	p->has_serial = 1;
	p->protocol = id->protocol;
	p->caps = id->caps;
}

unsigned
pile_caps(const struct pile *p)
{
	/* A 1.0 pile's bits above 5 mean nothing (regmap.h). */
	return p->protocol >= PROTO_VERSION_1_1 ? p->caps : p->caps & 0x3f;
}

/* The live block as long as this pile has it: the 1.1 tail holds the
 * store and custody registers. */
static uint16_t
live_count(const struct pile *p)
{
	return pile_caps(p) & (PROTO_CAP_STORE | PROTO_CAP_CUSTODY) ?
	    PROTO_LIVE_COUNT_11 : PROTO_LIVE_COUNT;
}

int
pile_identity(struct pile *p, struct proto_identity *id, char **cause)
{
	struct pile_xfer	x;
	int			rc;

	memset(&x, 0, sizeof x);
	pile_identity_request(p, &x);
	if ((rc = pile_run(p, &x, cause)) < 0)
		return rc;
	return pile_identity_parse(p, &x, id, cause);
}

void
pile_live_request(const struct pile *p, struct pile_xfer *x)
{
	pile_xfer_reset(x);
	x->req.unit = p->addr;
	x->req.fc = PROTO_FC_READ_HOLDING;
	x->req.read_addr = PROTO_LIVE_ADDR;
	x->req.read_count = live_count(p);
}

int
pile_live_parse(const struct pile_xfer *x, struct proto_live *live,
    char **cause)
{
	if (x->status < 0)
		return set_cause(cause, x->status, "%s", x->cause != NULL ?
		    x->cause : _("the live block read failed"));
	if (x->status != 0)
		return set_cause(cause, PILE_E_PROTOCOL, _("the live block "
		    "read of address %u has not finished"), x->req.unit);
	if (x->req.fc != PROTO_FC_READ_HOLDING ||
	    x->req.read_addr != PROTO_LIVE_ADDR ||
	    (x->req.read_count != PROTO_LIVE_COUNT &&
	    x->req.read_count != PROTO_LIVE_COUNT_11) ||
	    x->resp.nregs != x->req.read_count)
		return set_cause(cause, PILE_E_PROTOCOL, _("address %u sent "
		    "%u registers for the live block, not %u"), x->req.unit,
		    x->resp.nregs, (unsigned)x->req.read_count);
	proto_live_decode(x->resp.regs, live);
	if (x->req.read_count == PROTO_LIVE_COUNT_11)
		proto_live_tail_decode(x->resp.regs, live);
	return 0;
}

int
pile_live(struct pile *p, struct proto_live *live, char **cause)
{
	struct pile_xfer	x;
	int			rc;

	memset(&x, 0, sizeof x);
	pile_live_request(p, &x);
	if ((rc = pile_run(p, &x, cause)) < 0)
		return rc;
	return pile_live_parse(&x, live, cause);
}

int
pile_force_offline(struct pile *p, uint32_t until, char **cause)
{
	uint16_t	v[2];

	proto_put_u32(v, until);
	return pile_write_auth(p, PROTO_A_CTL_FORCE_OFFLINE, 2, v, NULL, cause);
}

int
pile_resync_start(struct pile *p, char **cause)
{
	uint16_t	v = 1;

	return pile_write_auth(p, PROTO_A_CTL_RESYNC, 1, &v, NULL, cause);
}

int
pile_resync_state(struct pile *p, unsigned *state, char **cause)
{
	uint16_t	v;
	int		rc;

	if ((rc = pile_read_regs(p, PROTO_A_CTL_RESYNC_STATE, 1, &v, cause)) < 0)
		return rc;
	*state = v;
	return 0;
}

int
pile_clock_set(struct pile *p, uint32_t t, char **cause)
{
	uint16_t	v[2];

	proto_put_u32(v, t);
	return pile_write_auth(p, PROTO_A_CTL_CLOCK, 2, v, NULL, cause);
}

#define PILE_SET(id)	(PROTO_A_##id - PILE_SETTINGS_ADDR)

void
pile_settings_request(const struct pile *p, struct pile_xfer *x)
{
	pile_xfer_reset(x);
	x->req.unit = p->addr;
	x->req.fc = PROTO_FC_READ_HOLDING;
	x->req.read_addr = PILE_SETTINGS_ADDR;
	x->req.read_count = PILE_SETTINGS_REGS;
}

int
pile_settings_parse(const struct pile_xfer *x, struct pile_settings *s,
    char **cause)
{
	const uint16_t	*regs = x->resp.regs;

	if (x->status < 0)
		return set_cause(cause, x->status, "%s", x->cause != NULL ?
		    x->cause : _("the settings read failed"));
	if (x->status != 0 || x->req.read_addr != PILE_SETTINGS_ADDR ||
	    x->resp.nregs != PILE_SETTINGS_REGS)
		return set_cause(cause, PILE_E_PROTOCOL, _("address %u sent "
		    "%u registers for the settings, not %u"), x->req.unit,
		    x->resp.nregs, (unsigned)PILE_SETTINGS_REGS);
	s->offline_charging = regs[PILE_SET(SET_OFFLINE_CHARGING)];
	s->unknown_card = regs[PILE_SET(SET_UNKNOWN_CARD)];
	s->expired_card = regs[PILE_SET(SET_EXPIRED_CARD)];
	s->offline_max_wh = proto_get_u32(&regs[PILE_SET(SET_OFFLINE_MAX_WH)]);
	return 0;
}

int
pile_settings_read(struct pile *p, struct pile_settings *s, char **cause)
{
	struct pile_xfer	x;
	int			rc;

	memset(&x, 0, sizeof x);
	pile_settings_request(p, &x);
	if ((rc = pile_run(p, &x, cause)) < 0)
		return rc;
	return pile_settings_parse(&x, s, cause);
}

void
pile_settings_encode(const struct pile_settings *s,
    uint16_t regs[PILE_SETTINGS_REGS])
{
	regs[PILE_SET(SET_OFFLINE_CHARGING)] = (uint16_t)s->offline_charging;
	regs[PILE_SET(SET_UNKNOWN_CARD)] = (uint16_t)s->unknown_card;
	regs[PILE_SET(SET_EXPIRED_CARD)] = (uint16_t)s->expired_card;
	proto_put_u32(&regs[PILE_SET(SET_OFFLINE_MAX_WH)], s->offline_max_wh);
}

int
pile_settings_write(struct pile *p, const struct pile_settings *s,
    char **cause)
{
	uint16_t	regs[PILE_SETTINGS_REGS];

	pile_settings_encode(s, regs);
	return pile_write_auth(p, PILE_SETTINGS_ADDR, PILE_SETTINGS_REGS, regs,
	    NULL, cause);
}

void
pile_tariff_request(const struct pile *p, struct pile_xfer *x)
{
	pile_xfer_reset(x);
	x->req.unit = p->addr;
	x->req.fc = PROTO_FC_READ_HOLDING;
	x->req.read_addr = PROTO_A_TARIFF_VERSION;
	x->req.read_count = PROTO_TARIFF_COUNT;
}

int
pile_tariff_parse(const struct pile *p, const struct pile_xfer *x,
    struct proto_tariff *t, char **cause)
{
	char	label[64];

	if (x->status < 0)
		return set_cause(cause, x->status, "%s", x->cause != NULL ?
		    x->cause : _("the tariff read failed"));
	if (x->status != 0 || x->resp.nregs != PROTO_TARIFF_COUNT)
		return set_cause(cause, PILE_E_PROTOCOL, _("address %u sent "
		    "%u registers for the tariff, not %u"), x->req.unit,
		    x->resp.nregs, (unsigned)PROTO_TARIFF_COUNT);
	if (proto_tariff_decode(x->resp.regs, t) != 0)
		return set_cause(cause, PILE_E_PROTOCOL, _("the tariff of %s "
		    "maps a half-hour to a period above 3 (tariff.slots, "
		    "0x%04X)"), pile_label(p, label, sizeof label),
		    PROTO_A_TARIFF_SLOTS);
	return 0;
}

int
pile_tariff_read(struct pile *p, struct proto_tariff *t, char **cause)
{
	struct pile_xfer	x;
	int			rc;

	memset(&x, 0, sizeof x);
	pile_tariff_request(p, &x);
	if ((rc = pile_run(p, &x, cause)) < 0)
		return rc;
	return pile_tariff_parse(p, &x, t, cause);
}

int
pile_tariff_write(struct pile *p, const struct proto_tariff *t, char **cause)
{
	uint16_t	regs[PROTO_TARIFF_COUNT];

	proto_tariff_encode(t, regs);
	return pile_write_auth(p, PROTO_A_TARIFF_VERSION, PROTO_TARIFF_COUNT,
	    regs, NULL, cause);
}
