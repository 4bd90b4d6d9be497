/* sim.h - the pile world of pilesim, apart from its I/O: N piles on one bus,
 * the emulated cloud, simulated time. sim-main.c (the shell: pty, pacing,
 * control socket) drives it; the world itself does no terminal or socket I/O,
 * only its own files in the data folder. */
#ifndef SIM_H
#define SIM_H

#include <stdint.h>
#include <stdio.h>

#include "proto/proto.h"

struct sim_world;

struct sim_config {
	const char	*dir;		/* data folder: state, records, cloud, keys.yaml */
	int		 npiles;	/* addresses 1..npiles, at most 247 */
	uint32_t	 wl_capacity;	/* whitelist entries per pile (default 10000) */
	uint32_t	 rec_capacity;	/* records per pile; 0: the default, 2000 */
	int		 set_full_policy;	/* set every pile's to full_policy */
	unsigned	 full_policy;	/* PROTO_FULL_* */
	uint32_t	 start_clock;	/* unix s of the simulated clock at first start; 0: now */
	int		 frozen_clock;	/* the clock moves only by `advance` and clock writes */
	unsigned	 protocol;	/* 0 or PROTO_VERSION_1_1: 1.1; PROTO_VERSION: a 1.0 pile */
	unsigned	 pile_protocol[248];	/* per address, 0: protocol (a mixed bus) */
	const char	*serial[248];	/* per address, NULL: "SIM-%04d" (at most 16 bytes) */
};

/* Opens or creates the world in cfg->dir (state persists across runs);
 * writes DIR/keys.yaml (mode 0600) with each pile's key. NULL with *cause. */
struct sim_world *sim_world_open(const struct sim_config *, char **cause);
void		  sim_world_close(struct sim_world *);	/* saves state */
int		  sim_world_npiles(const struct sim_world *);

/* Answers one request addressed to a pile: fills resp (normal or exception)
 * and returns 0; returns -1 when no pile has that address or the request is
 * a broadcast (no reply on the wire). now_ms is the real monotonic clock. */
int	sim_world_modbus(struct sim_world *, const struct proto_request *,
	    struct proto_response *, uint64_t now_ms);

/* Delivers a broadcast write (unit 0) to every pile whose hears[address]
 * is set (NULL: all); nobody answers. Returns how many piles took it. */
int	sim_world_broadcast(struct sim_world *, const struct proto_request *,
	    const uint8_t *hears, uint64_t now_ms);

/* Runs one control command ("link 1 down", "swipe 2 04A1B2C3", "advance 3600",
 * "cloud records --json", ...) and writes its answer to out. Returns the exit
 * status for `pilesim ctl` (0 ok, 1 failed, 2 usage). */
int	sim_world_ctl(struct sim_world *, int argc, char **argv, FILE *out, uint64_t now_ms);

/* Moves real-time things on: the clock, metering, resync uploads, session and
 * forced-offline expiry. Call at least every 100 ms. */
void	sim_world_tick(struct sim_world *, uint64_t now_ms);
/* ms until the world next needs a tick (<= 100). */
int	sim_world_next_tick_ms(const struct sim_world *, uint64_t now_ms);

#endif
