/* world.c - the pile world as a whole: opening the data folder, the piles
 * on the bus, the simulated clock (real time plus `advance` jumps), ticks. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "world.h"

static int64_t
wall_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The world clock runs with real time from the first call that brings a
 * now_ms, so a test driving now_ms by hand sees exact seconds. Across
 * restarts it keeps its distance to the wall clock (a pile's RTC runs while
 * the pile is off).
 */
int64_t
sim_world_ms(struct sim_world *w, uint64_t now_ms)
{
	if (!w->have_base) {
		w->have_base = 1;
		w->real_base_ms = now_ms;
	}
	if (w->frozen)
		return w->sim_base_ms;
	return w->sim_base_ms + (int64_t)(now_ms - w->real_base_ms);
}

struct sim_pile *
sim_world_pile(struct sim_world *w, int addr)
{
	if (addr < 1 || addr > w->npiles)
		return NULL;
	return &w->piles[addr - 1];
}

int
sim_world_npiles(const struct sim_world *w)
{
	return w->npiles;
}

static int
world_clock_save(struct sim_world *w, char **cause)
{
	char	*path, *s;
	int	 rc;

	path = xasprintf("%s/world", w->dir);
	s = xasprintf("# pilesim world: simulated clock minus wall clock\n"
	    "clock_offset_ms %" PRId64 "\n"
	    "# the clock itself, for a frozen clock (--frozen-clock)\n"
	    "clock_frozen_ms %" PRId64 "\n", w->sim_wall_offset_ms, w->sim_base_ms);
	rc = sim_write_atomic(path, s, strlen(s), 0644, cause);
	free(s);
	free(path);
	return rc;
}

int
sim_world_save(struct sim_world *w, char **cause)
{
	if (world_clock_save(w, cause) != 0 || sim_cloud_save(w, cause) != 0)
		return -1;
	return 0;
}

static int
make_dir(const char *path, char **cause)
{
	if (mkdir(path, 0755) == -1 && errno != EEXIST)
		return set_cause(cause, -1, _("cannot create folder '%s': %s"), path,
		    strerror(errno));
	return 0;
}

static int
pile_open(struct sim_world *w, struct sim_pile *p, int addr,
    const struct sim_config *cfg, char **cause)
{
	int	rc;

	memset(p, 0, sizeof *p);
	p->w = w;
	p->addr = addr;
	p->protocol = w->pile_protocol[addr] != 0 ? w->pile_protocol[addr] : w->protocol;
	p->rec_fd = -1;
	p->sig_fd = -1;
	p->custody_fd = -1;
	p->wl.fd = -1;
	p->rec_capacity = cfg->rec_capacity ? cfg->rec_capacity : SIM_REC_CAPACITY;
	/* The serial names the pile's key in keys.yaml and goes into every
	 * signed record: given at start-up, so both are made for it. */
	if (cfg->serial[addr] != NULL)
		snprintf(p->serial, sizeof p->serial, "%s", cfg->serial[addr]);
	else
		snprintf(p->serial, sizeof p->serial, "SIM-%04d", addr);
	snprintf(p->device_id, sizeof p->device_id, "PILE-SIM-%04d", addr);
	p->dir = xasprintf("%s/pile-%d", w->dir, addr);
	if (make_dir(p->dir, cause) != 0)
		return -1;

	/* A new pile: online, offline charging on, strangers refused. */
	p->backend_up = 1;
	p->offline_charging = 1;
	p->power_w = SIM_DEFAULT_POWER_W;
	p->tariff = w->cloud.tariff;
	randombytes_buf(p->key, sizeof p->key);
	if ((rc = sim_state_load(p, cause)) < 0)
		return -1;
	if (rc == 1)
		p->dirty = 1;
	if (cfg->set_full_policy && p->full_policy != cfg->full_policy) {
		p->full_policy = cfg->full_policy;
		p->dirty = 1;
	}
	if (sim_store_open(p, cause) != 0 || sim_custody_open(p, cause) != 0 ||
	    sim_store_id_open(p, cause) != 0 ||
	    sim_sign_open(p, cause) != 0)
		return -1;
	if (p->signer != NULL)
		sim_cloud_key_set(&w->cloud, p->serial, p->public_key);
	if (sim_wl_open(&p->wl, p->dir, cfg->wl_capacity ? cfg->wl_capacity : 10000,
	    cause) != 0)
		return -1;
	sim_auth_init(p);
	sim_stage_init(p);

	/* A session the last run left open ended when the power went. */
	if (p->sess.active) {
		if (p->sess.seq <= p->last_seq) {
			/* Stored just before the kill; only the state lagged. */
			p->meter_ws = 0;
			memset(&p->sess, 0, sizeof p->sess);
			p->dirty = 1;
		} else if (sim_pile_end_session(p, PROTO_STOP_POWER_LOSS, 0) != 0)
			return set_cause(cause, -1, "%s", p->fault);
	}
	if (p->meter_ws == 0 && p->last_seq > 0) {
		struct proto_record	rec;

		if (sim_store_read(p, p->last_seq, &rec) == 0)
			p->meter_ws = (uint64_t)rec.meter_stop_wh * 3600;
	}
	if (sim_pile_online(p) && p->synced < p->last_seq)
		p->resync_state = PROTO_RESYNC_RUNNING;
	if (sim_pile_online(p))
		sim_pile_receive_tariff(p, &w->cloud.tariff);
	return sim_pile_save(p, 0, 1);
}

static void
pile_close(struct sim_pile *p)
{
	if (p->dir != NULL)
		sim_pile_save(p, p->last_save_ms, 1);
	sim_store_close(p);
	sim_stage_reset(p);
	sim_sign_close(p);
	sim_custody_close(p);
	sim_wl_close(&p->wl);
	sodium_memzero(p->key, sizeof p->key);
	free(p->fault);
	free(p->dir);
}

struct sim_world *
sim_world_open(const struct sim_config *cfg, char **cause)
{
	struct sim_world	*w;
	char			*path, *s, *v;
	int			 i;

	if (cfg->dir == NULL || *cfg->dir == '\0') {
		set_cause(cause, -1, _("no data folder given for the simulated piles"));
		return NULL;
	}
	if (cfg->npiles < 1 || cfg->npiles > 247) {
		set_cause(cause, -1, _("cannot simulate %d piles: a Modbus bus holds "
		    "1 to 247 addresses"), cfg->npiles);
		return NULL;
	}
	if (sodium_init() < 0) {
		set_cause(cause, -1, _("libsodium failed to start"));
		return NULL;
	}
	if (make_dir(cfg->dir, cause) != 0)
		return NULL;
	w = xcalloc(1, sizeof *w);
	w->dir = xstrdup(cfg->dir);
	w->cloud.fd = -1;
	/* Tests shorten the 60 s idle expiry of write sessions. */
	if ((v = getenv("PILESIM_SESSION_IDLE_MS")) != NULL && *v >= '1' && *v <= '9')
		w->auth_idle_ms = strtoull(v, NULL, 10);

	w->frozen = cfg->frozen_clock;
	w->protocol = cfg->protocol != 0 ? cfg->protocol : PROTO_VERSION_1_1;
	memcpy(w->pile_protocol, cfg->pile_protocol, sizeof w->pile_protocol);
	path = xasprintf("%s/world", w->dir);
	s = sim_read_file(path, NULL);
	if (w->frozen && s != NULL && (v = strstr(s, "clock_frozen_ms ")) != NULL) {
		w->sim_base_ms = strtoll(v + 16, NULL, 10);
		w->sim_wall_offset_ms = w->sim_base_ms - wall_ms();
	} else if (s != NULL && (v = strstr(s, "clock_offset_ms ")) != NULL) {
		w->sim_wall_offset_ms = strtoll(v + 16, NULL, 10);
		w->sim_base_ms = wall_ms() + w->sim_wall_offset_ms;
	} else if (cfg->start_clock != 0) {
		w->sim_base_ms = (int64_t)cfg->start_clock * 1000;
		w->sim_wall_offset_ms = w->sim_base_ms - wall_ms();
	} else
		w->sim_base_ms = wall_ms();
	free(s);
	free(path);

	if (sim_cloud_open(&w->cloud, w->dir, cause) != 0)
		goto fail;
	w->piles = xcalloc(cfg->npiles, sizeof *w->piles);
	for (i = 0; i < cfg->npiles; i++) {
		if (pile_open(w, &w->piles[i], i + 1, cfg, cause) != 0) {
			/* Not saved: its files stay as they were for a look. */
			free(w->piles[i].dir);
			w->piles[i].dir = NULL;
			pile_close(&w->piles[i]);
			goto fail;
		}
		w->npiles = i + 1;
	}
	if (sim_keys_write(w, cause) != 0 || sim_world_save(w, cause) != 0)
		goto fail;
	return w;
fail:
	sim_world_close(w);
	return NULL;
}

void
sim_world_close(struct sim_world *w)
{
	int	i;

	if (w == NULL)
		return;
	for (i = 0; i < w->npiles; i++)
		pile_close(&w->piles[i]);
	if (w->cloud.path != NULL)
		sim_world_save(w, NULL);
	sim_cloud_close(&w->cloud);
	free(w->piles);
	free(w->dir);
	free(w);
}

/* Brings every pile to now before a request or command looks at it. */
void
sim_world_sync(struct sim_world *w, uint64_t now_ms)
{
	int	i;

	for (i = 0; i < w->npiles; i++)
		sim_pile_catch_up(&w->piles[i], now_ms);
}

void
sim_world_tick(struct sim_world *w, uint64_t now_ms)
{
	int	i;

	for (i = 0; i < w->npiles; i++)
		sim_pile_tick(&w->piles[i], now_ms);
}

int
sim_world_next_tick_ms(const struct sim_world *w, uint64_t now_ms)
{
	const struct sim_pile	*p;
	int			 i, next = 100;
	int64_t			 left;

	for (i = 0; i < w->npiles; i++) {
		p = &w->piles[i];
		if (sim_pile_online(p) && p->synced < p->last_seq &&
		    p->resync_state != PROTO_RESYNC_FAILED) {
			left = (int64_t)(p->next_upload_ms - now_ms);
			if (p->next_upload_ms <= now_ms)
				left = 0;
			if (left < next)
				next = (int)left;
		}
	}
	return next;
}
