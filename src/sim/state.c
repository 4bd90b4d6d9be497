/* state.c - a pile's state file (DIR/pile-N/state): link flags, settings,
 * full-store policy and counters, tariff, clock, meter, plug, pending
 * authorization, running session and key, as "name value" lines, replaced
 * atomically on every change. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "world.h"

struct sbuf {
	char	*s;
	size_t	 len, alloc;
};

static void __attribute__((format(printf, 2, 3)))
sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	size_t	 n;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	n = strlen(s);
	if (b->len + n + 1 > b->alloc) {
		b->alloc = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->alloc);
	}
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
	free(s);
}

/* Strings go out as hex so a holder name can hold any byte. */
static void
sb_hex(struct sbuf *b, const char *name, const void *v, size_t len)
{
	const uint8_t	*p = v;
	size_t		 i;

	sb_add(b, "%s ", name);
	for (i = 0; i < len; i++)
		sb_add(b, "%02x", p[i]);
	sb_add(b, "\n");
}

static void
sb_tariff(struct sbuf *b, const char *prefix, const struct proto_tariff *t)
{
	char	slots[PROTO_SLOTS + 1];
	int	i;

	sim_slots_str(t, slots);
	sb_add(b, "%s.version %" PRIu32 "\n", prefix, t->version);
	sb_add(b, "%s.prices", prefix);
	for (i = 0; i < PROTO_PERIODS; i++)
		sb_add(b, " %" PRIu32, t->energy_price[i]);
	for (i = 0; i < PROTO_PERIODS; i++)
		sb_add(b, " %" PRIu32, t->service_price[i]);
	sb_add(b, "\n%s.slots %s\n", prefix, slots);
}

static void
sb_authz(struct sbuf *b, const char *prefix, const struct sim_authz *a)
{
	char	name[64];

	sb_add(b, "%s.source %u\n%s.offline %d\n%s.result %u\n", prefix, a->source,
	    prefix, a->offline, prefix, a->result);
	snprintf(name, sizeof name, "%s.tag", prefix);
	sb_hex(b, name, a->tag, strlen(a->tag));
	snprintf(name, sizeof name, "%s.holder", prefix);
	sb_hex(b, name, a->holder, strlen(a->holder));
	snprintf(name, sizeof name, "%s.tariff", prefix);
	sb_tariff(b, name, &a->tariff);
}

int
sim_state_save(struct sim_pile *p, char **cause)
{
	struct sbuf	 b = { NULL, 0, 0 };
	char		*path;
	int		 rc, i;

	sb_add(&b, "# pilesim pile state: written by pilesim, replaced atomically\n");
	sb_hex(&b, "key", p->key, sizeof p->key);
	sb_add(&b, "backend %d\nforced_until %" PRIu32 "\nclock_offset_ms %" PRId64 "\n",
	    p->backend_up, p->forced_until, p->clock_offset_ms);
	sb_add(&b, "offline_charging %u\nunknown_card %u\nexpired_card %u\n"
	    "offline_max_wh %" PRIu32 "\n", p->offline_charging, p->unknown_card,
	    p->expired_card, p->offline_max_wh);
	sb_add(&b, "full_policy %u\nrefused_full %" PRIu32 "\nunrecorded %" PRIu32 "\n",
	    p->full_policy, p->refused_full, p->unrecorded);
	sb_tariff(&b, "tariff", &p->tariff);
	sb_add(&b, "meter_ws %" PRIu64 "\npower_w %" PRIu32 "\nplugged %d\nfinishing %d\n",
	    p->meter_ws, p->power_w, p->plugged, p->finishing);
	sb_hex(&b, "last_uid", p->last_uid, strlen(p->last_uid));
	sb_add(&b, "last_auth %u\nlast_auth_time %" PRIu32 "\n", p->last_auth,
	    p->last_auth_time);
	sb_hex(&b, "last_holder", p->last_holder, strlen(p->last_holder));
	sb_add(&b, "failures %u\nlockout_until %" PRIu32 "\n", p->failures, p->lockout_until);
	sb_add(&b, "rec_cursor %" PRIu32 "\nwl_cursor %" PRIu32 "\n", p->rec_cursor,
	    p->wl_cursor);
	if (p->pending.active)
		sb_authz(&b, "pending", &p->pending);
	if (p->sess.active) {
		sb_add(&b, "session.seq %" PRIu32 "\nsession.start %" PRIu32 "\n"
		    "session.meter_start_wh %" PRIu32 "\nsession.metered_to %" PRIu32
		    "\nsession.period_ws", p->sess.seq, p->sess.start,
		    p->sess.meter_start_wh, p->sess.metered_to);
		for (i = 0; i < PROTO_PERIODS; i++)
			sb_add(&b, " %" PRIu64, p->sess.period_ws[i]);
		sb_add(&b, "\n");
		sb_authz(&b, "session", &p->sess.a);
	}
	path = xasprintf("%s/state", p->dir);
	rc = sim_write_atomic(path, b.s, b.len, 0600, cause);
	free(path);
	free(b.s);
	if (rc == 0)
		p->dirty = 0;
	return rc;
}

static int
unhex(const char *s, void *out, size_t max)
{
	uint8_t		*o = out;
	size_t		 n = 0;
	unsigned	 v;

	while (s[0] != '\0' && s[1] != '\0' && n < max) {
		if (sscanf(s, "%2x", &v) != 1)
			return -1;
		o[n++] = (uint8_t)v;
		s += 2;
	}
	return (int)n;
}

static void
unhex_str(const char *s, char *out, size_t size)
{
	int	n = unhex(s, out, size - 1);

	out[n < 0 ? 0 : n] = '\0';
}

static int
load_tariff(const char *suffix, const char *v, struct proto_tariff *t)
{
	int	i;

	if (strcmp(suffix, "version") == 0)
		t->version = (uint32_t)strtoul(v, NULL, 10);
	else if (strcmp(suffix, "prices") == 0) {
		if (sscanf(v, "%" SCNu32 " %" SCNu32 " %" SCNu32 " %" SCNu32
		    " %" SCNu32 " %" SCNu32 " %" SCNu32 " %" SCNu32,
		    &t->energy_price[0], &t->energy_price[1], &t->energy_price[2],
		    &t->energy_price[3], &t->service_price[0], &t->service_price[1],
		    &t->service_price[2], &t->service_price[3]) != 8)
			return -1;
	} else if (strcmp(suffix, "slots") == 0) {
		if (strlen(v) != PROTO_SLOTS)
			return -1;
		for (i = 0; i < PROTO_SLOTS; i++) {
			if (v[i] < '0' || v[i] > '3')
				return -1;
			t->slot_period[i] = (uint8_t)(v[i] - '0');
		}
	}
	return 0;
}

static int
load_authz(const char *suffix, const char *v, struct sim_authz *a)
{
	a->active = 1;
	if (strcmp(suffix, "source") == 0)
		a->source = (unsigned)strtoul(v, NULL, 10);
	else if (strcmp(suffix, "offline") == 0)
		a->offline = atoi(v);
	else if (strcmp(suffix, "result") == 0)
		a->result = (unsigned)strtoul(v, NULL, 10);
	else if (strcmp(suffix, "tag") == 0)
		unhex_str(v, a->tag, sizeof a->tag);
	else if (strcmp(suffix, "holder") == 0)
		unhex_str(v, a->holder, sizeof a->holder);
	else if (strncmp(suffix, "tariff.", 7) == 0)
		return load_tariff(suffix + 7, v, &a->tariff);
	return 0;
}

/* 0 loaded, 1 no state yet, -1 unreadable (with cause). */
int
sim_state_load(struct sim_pile *p, char **cause)
{
	char	*path, *buf, *line, *next, *v;
	int	 lineno = 0, bad = 0;

	path = xasprintf("%s/state", p->dir);
	if ((buf = sim_read_file(path, NULL)) == NULL) {
		if (errno == ENOENT) {
			free(path);
			return 1;
		}
		set_cause(cause, -1, _("cannot read '%s': %s"), path, strerror(errno));
		free(path);
		return -1;
	}
	for (line = buf; line != NULL && *line != '\0'; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line == '#' || *line == '\0')
			continue;
		if ((v = strchr(line, ' ')) == NULL) {
			bad = lineno;
			break;
		}
		*v++ = '\0';
		if (strcmp(line, "key") == 0) {
			if (unhex(v, p->key, sizeof p->key) != (int)sizeof p->key)
				bad = lineno;
		} else if (strcmp(line, "backend") == 0)
			p->backend_up = atoi(v) != 0;
		else if (strcmp(line, "forced_until") == 0)
			p->forced_until = (uint32_t)strtoul(v, NULL, 10);
		else if (strcmp(line, "clock_offset_ms") == 0)
			p->clock_offset_ms = strtoll(v, NULL, 10);
		else if (strcmp(line, "offline_charging") == 0)
			p->offline_charging = atoi(v) != 0;
		else if (strcmp(line, "unknown_card") == 0)
			p->unknown_card = atoi(v) != 0;
		else if (strcmp(line, "expired_card") == 0)
			p->expired_card = atoi(v) != 0;
		else if (strcmp(line, "offline_max_wh") == 0)
			p->offline_max_wh = (uint32_t)strtoul(v, NULL, 10);
		else if (strcmp(line, "full_policy") == 0)
			p->full_policy = atoi(v) != 0;
		else if (strcmp(line, "refused_full") == 0)
			p->refused_full = (uint32_t)strtoul(v, NULL, 10);
		else if (strcmp(line, "unrecorded") == 0)
			p->unrecorded = (uint32_t)strtoul(v, NULL, 10);
		else if (strncmp(line, "tariff.", 7) == 0)
			bad = load_tariff(line + 7, v, &p->tariff) ? lineno : bad;
		else if (strcmp(line, "meter_ws") == 0)
			p->meter_ws = strtoull(v, NULL, 10);
		else if (strcmp(line, "power_w") == 0)
			p->power_w = (uint32_t)strtoul(v, NULL, 10);
		else if (strcmp(line, "plugged") == 0)
			p->plugged = atoi(v) != 0;
		else if (strcmp(line, "finishing") == 0)
			p->finishing = atoi(v) != 0;
		else if (strcmp(line, "last_uid") == 0)
			unhex_str(v, p->last_uid, sizeof p->last_uid);
		else if (strcmp(line, "last_auth") == 0)
			p->last_auth = (unsigned)strtoul(v, NULL, 10);
		else if (strcmp(line, "last_auth_time") == 0)
			p->last_auth_time = (uint32_t)strtoul(v, NULL, 10);
		else if (strcmp(line, "last_holder") == 0)
			unhex_str(v, p->last_holder, sizeof p->last_holder);
		else if (strcmp(line, "failures") == 0)
			p->failures = (unsigned)strtoul(v, NULL, 10);
		else if (strcmp(line, "lockout_until") == 0)
			p->lockout_until = (uint32_t)strtoul(v, NULL, 10);
		else if (strcmp(line, "rec_cursor") == 0)
			p->rec_cursor = (uint32_t)strtoul(v, NULL, 10);
		else if (strcmp(line, "wl_cursor") == 0)
			p->wl_cursor = (uint32_t)strtoul(v, NULL, 10);
		else if (strncmp(line, "pending.", 8) == 0)
			bad = load_authz(line + 8, v, &p->pending) ? lineno : bad;
		else if (strcmp(line, "session.seq") == 0) {
			p->sess.active = 1;
			p->sess.seq = (uint32_t)strtoul(v, NULL, 10);
		} else if (strcmp(line, "session.start") == 0)
			p->sess.start = (uint32_t)strtoul(v, NULL, 10);
		else if (strcmp(line, "session.meter_start_wh") == 0)
			p->sess.meter_start_wh = (uint32_t)strtoul(v, NULL, 10);
		else if (strcmp(line, "session.metered_to") == 0)
			p->sess.metered_to = (uint32_t)strtoul(v, NULL, 10);
		else if (strcmp(line, "session.period_ws") == 0) {
			if (sscanf(v, "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64,
			    &p->sess.period_ws[0], &p->sess.period_ws[1],
			    &p->sess.period_ws[2], &p->sess.period_ws[3]) != 4)
				bad = lineno;
		} else if (strncmp(line, "session.", 8) == 0)
			bad = load_authz(line + 8, v, &p->sess.a) ? lineno : bad;
		if (bad)
			break;
	}
	free(buf);
	if (bad) {
		set_cause(cause, -1, _("bad line in pile state '%s:%d' (move the file "
		    "away to start this pile afresh)"), path, bad);
		free(path);
		return -1;
	}
	free(path);
	return 0;
}
