/* world.h - private to the pile world of pilesim: the pile, its whitelist,
 * record store, the emulated cloud and the helpers that tie them together. */
#ifndef SIM_WORLD_H
#define SIM_WORLD_H

#include <stdint.h>
#include <stdio.h>

#include "sim/sim.h"

#define SIM_DEFAULT_POWER_W	7000
#define SIM_VOLTAGE_DV		2300		/* 230.0 V per phase */
#define SIM_AUTH_IDLE_MS	60000		/* session closes after 60 s without a write */
#define SIM_LOCKOUT_MAX_S	3600
#define SIM_FORCE_MAX_S		(7 * 86400)
#define SIM_UPLOAD_EVERY_MS	20		/* resync: one record per 20 ms */
#define SIM_ACK_TIMEOUT_MS	100		/* no ack this long: send it again */
#define SIM_CARD_PRESENT_MS	1000		/* reader shows "present" this long */
#define SIM_SAVE_EVERY_MS	1000		/* state save while charging */
#define SIM_REC_CAPACITY	2000		/* default --record-capacity */
#define SIM_REC_CAPACITY_MAX	1000000
#define SIM_WLCMD_REGS		(PROTO_A_WL_RESULT - PROTO_A_WL_CMD)

/* ---- whitelist (wl.c) ---------------------------------------------------- */

struct sim_wl_item {
	struct proto_wl_entry	e;
	uint8_t			wire[PROTO_WL_ENTRY_REGS * 2];	/* for the digest */
};

struct sim_wl {
	struct sim_wl_item	*items;		/* sorted by uid (strcmp) */
	uint32_t		 n, alloc, capacity;
	uint32_t		 version;
	uint32_t		 digest;
	int			 digest_valid;
	int			 fd;		/* whitelist.log, append */
	char			*path;

	/* 1.1 bucket digests (stage.c), rebuilt after a change */
	int			 buckets_valid;
	uint16_t		*bdigest;	/* PROTO_WL_BUCKETS */
	uint32_t		*boff;		/* bucket b: bidx[boff[b]..boff[b+1]) */
	uint32_t		*bidx;		/* item indices by bucket, UID order */
	uint16_t		*bcheck;	/* per item: CRC-16 of its wire bytes */
};

int	sim_wl_open(struct sim_wl *, const char *dir, uint32_t capacity, char **cause);
void	sim_wl_close(struct sim_wl *);
const struct proto_wl_entry *sim_wl_find(const struct sim_wl *, const char *uid);
/* One command of the whitelist block; returns PROTO_WL_* result. */
int	sim_wl_command(struct sim_wl *, unsigned cmd, uint32_t new_version,
	    const struct proto_wl_entry *, unsigned n, char **cause);
uint32_t sim_wl_digest(struct sim_wl *);
/* Replaces the whole list (sorted by UID, unique, valid) in one journalled
 * command; version 0 lets the pile add one. 0, or -1 with *cause. */
int	sim_wl_replace(struct sim_wl *, const struct proto_wl_entry *, uint32_t n,
	    uint32_t version, char **cause);

/* ---- broadcast staging and bucket digests (stage.c, 1.1) ------------------ */

struct sim_stage {
	uint16_t		transfer, total, received;
	uint16_t		missing_cursor;
	uint8_t			*have;		/* a bit per chunk */
	uint16_t		*chunks;	/* per chunk: count + 4 entries */
	unsigned		commit_result;
	uint16_t		commit[PROTO_STAGE_COMMIT_REGS];	/* as written */
};

/* ---- sessions and authorizations ------------------------------------------ */

struct sim_authz {			/* who may charge: waits for the plug */
	int			active;
	unsigned		source;		/* PROTO_SRC_* */
	int			offline;	/* authorized while offline */
	unsigned		result;		/* PROTO_AUTH_* it was given */
	char			tag[PROTO_TAG_MAX + 1];
	char			holder[PROTO_HOLDER_MAX + 1];
	struct proto_tariff	tariff;		/* settles at this one */
};

struct sim_session {
	int			active;
	uint32_t		seq;
	struct sim_authz	a;
	uint32_t		start;		/* pile clock */
	uint32_t		meter_start_wh;
	uint32_t		metered_to;	/* pile clock: metered up to here */
	uint64_t		period_ws[PROTO_PERIODS];	/* W*s by tariff period */
};

/* ---- the pile ------------------------------------------------------------- */

struct sim_pile {
	struct sim_world	*w;
	int			 addr;
	char			 serial[17];
	char			 device_id[33];
	char			*dir;		/* DIR/pile-N */

	int			 backend_up;
	uint32_t		 forced_until;	/* pile clock; 0 not forced */
	int64_t			 clock_offset_ms;	/* pile clock - world clock */

	unsigned		 offline_charging, unknown_card, expired_card;
	uint32_t		 offline_max_wh;
	struct proto_tariff	 tariff;	/* last received */

	uint64_t		 meter_ws;	/* energy register, W*s */
	uint32_t		 power_w;
	int			 plugged;
	int			 finishing;	/* session over, still plugged */

	unsigned		 card_state;
	uint64_t		 card_present_until_ms;
	char			 last_uid[PROTO_UID_MAX + 1];
	unsigned		 last_auth;
	uint32_t		 last_auth_time;
	char			 last_holder[PROTO_HOLDER_MAX + 1];

	struct sim_authz	 pending;
	struct sim_session	 sess;

	/* 1.1 record signatures (sign.c): NULL on a 1.0 pile */
	struct proto_signer	*signer;
	uint8_t			 public_key[PROTO_PUBKEY_BYTES];
	int			 sig_fd;		/* signatures.bin */

	/* records.bin and the synced watermark */
	int			 rec_fd;
	uint32_t		 rec_base;	/* oldest record held; last_seq + 1 when none */
	uint32_t		 last_seq;
	uint32_t		 synced;
	uint32_t		 rec_capacity;
	unsigned		 full_policy;	/* PROTO_FULL_* */
	uint32_t		 refused_full, unrecorded;	/* sessions, persisted */

	/* custody.log: ranges handed into a master's custody (custody.c) */
	struct sim_range {
		uint32_t	first, last;
	}			*custody;	/* sorted, disjoint, merged */
	size_t			 ncustody;
	int			 custody_fd;
	unsigned		 custody_result;
	uint16_t		 custody_regs[PROTO_A_CUSTODY_RESULT - PROTO_A_CUSTODY_FIRST];
	unsigned		 resync_state;
	uint64_t		 next_upload_ms;
	uint32_t		 rec_cursor;
	uint32_t		 signed_cursor;
	uint32_t		 wl_cursor;

	struct sim_wl		 wl;
	struct sim_stage	 stage;		/* RAM: lost with the power */
	uint16_t		 bucket_digest_cursor;
	uint16_t		 bucket_index;
	uint16_t		 bucket_list[PROTO_BUCKET_LIST_MAX];
	int			 mains_off;	/* `ctl mains ADDR off`: deaf and mute */
	unsigned		 protocol;	/* what it speaks: the world's, or --protocol ADDR:V */
	unsigned		 wl_result;
	uint16_t		 wlcmd[SIM_WLCMD_REGS];	/* the command block as written */

	/* authentication */
	uint8_t			 key[PROTO_KEY_BYTES];
	uint8_t			 challenge[PROTO_CHALLENGE_BYTES];
	int			 auth_open;
	uint64_t		 auth_last_ms;
	unsigned		 failures;
	uint32_t		 lockout_until;	/* pile clock */
	unsigned		 last_error;
	uint32_t		 store_id;	/* live.store_id (1.1, storeid.c) */
	/* writes with proof (1.1): the session key and session.counter */
	uint8_t			 session_key[PROTO_MAC_BYTES];
	uint32_t		 session_counter;

	int			 dirty;		/* save at once */
	int			 meter_dirty;	/* save within SIM_SAVE_EVERY_MS */
	char			*fault;		/* last storage error, for ctl */
	uint64_t		 last_save_ms;
};

/* ---- the emulated cloud (cloud.c) ------------------------------------------ */

/* A record the cloud holds, keyed by serial, store identity and seq
 * (store_id 0: unknown, an import from a file that does not carry it). */
struct sim_cloud_rec {
	char			serial[17];
	uint32_t		store_id;
	unsigned		via;		/* SIM_VIA_* */
	struct proto_record	rec;
};
#define SIM_VIA_RESYNC	0
#define SIM_VIA_IMPORT	1

struct sim_cloud {
	struct proto_tariff	 tariff;
	struct proto_tariff	*tariffs;	/* every version it published */
	size_t			 ntariffs;
	uint32_t		 next_order;
	struct sim_cloud_rec	*recs;
	size_t			 nrecs, alloc;
	int			 fd;		/* cloud.jsonl */
	char			*path;

	/* Faults and what they did (`cloud drop-acks N`, `cloud stats`): not
	 * persisted, like the line emulator's. */
	uint32_t		 drop_acks;	/* lose the next N acknowledgements */
	uint64_t		 acks_dropped;	/* stored, but the pile never heard */
	uint64_t		 duplicates;	/* resent records already held */

	/* Each pile's public key, as registered at the factory (sign.c). */
	struct sim_cloud_key {
		char		serial[17];
		uint8_t		pub[PROTO_PUBKEY_BYTES];
	}			*keys;
	size_t			 nkeys;
	uint64_t		 bad_signatures;	/* uploads refused */
};

struct sim_world {
	char			*dir;
	int			 npiles;
	struct sim_pile		*piles;		/* piles[0] is address 1 */
	struct sim_cloud	 cloud;

	int			 have_base;
	int			 frozen;	/* clock stands still between jumps */
	unsigned		 protocol;	/* PROTO_VERSION or PROTO_VERSION_1_1 */
	unsigned		 pile_protocol[248];	/* per address; 0: protocol */
	uint64_t		 real_base_ms;	/* now_ms when the clock was anchored */
	int64_t			 sim_base_ms;	/* world clock (unix ms) at real_base_ms */
	int64_t			 sim_wall_offset_ms;	/* world clock - wall clock at open */
	uint64_t		 auth_idle_ms;	/* SIM_AUTH_IDLE_MS or $PILESIM_SESSION_IDLE_MS */
};

/* world.c */
int64_t	 sim_world_ms(struct sim_world *, uint64_t now_ms);
void	 sim_world_sync(struct sim_world *, uint64_t now_ms);
int	 sim_world_save(struct sim_world *, char **cause);
struct sim_pile *sim_world_pile(struct sim_world *, int addr);

/* pile.c: behaviour */
uint32_t sim_pile_clock(struct sim_pile *, uint64_t now_ms);
int64_t	 sim_pile_ms(struct sim_pile *, uint64_t now_ms);
unsigned sim_pile_link(const struct sim_pile *);
int	 sim_pile_online(const struct sim_pile *);
unsigned sim_pile_cp_state(const struct sim_pile *);
void	 sim_pile_catch_up(struct sim_pile *, uint64_t now_ms);
void	 sim_pile_advance(struct sim_pile *, uint32_t seconds, uint64_t now_ms);
void	 sim_pile_set_power(struct sim_pile *, uint32_t power_w, uint64_t now_ms);
void	 sim_pile_set_clock(struct sim_pile *, uint32_t clock, uint64_t now_ms);
void	 sim_pile_set_forced(struct sim_pile *, uint32_t until, uint64_t now_ms);
void	 sim_pile_receive_tariff(struct sim_pile *, const struct proto_tariff *);
unsigned sim_pile_swipe(struct sim_pile *, const char *uid, uint64_t now_ms);
int	 sim_pile_plug(struct sim_pile *, uint64_t now_ms, char **cause);
int	 sim_pile_unplug(struct sim_pile *, uint64_t now_ms, char **cause);
int	 sim_pile_order(struct sim_pile *, const char *order_id,
	    const struct proto_tariff *, uint64_t now_ms, char **cause);
void	 sim_pile_set_backend(struct sim_pile *, int up, uint64_t now_ms);
void	 sim_pile_live(struct sim_pile *, uint64_t now_ms, struct proto_live *);
void	 sim_pile_session_costs(const struct sim_session *, uint32_t wh[PROTO_PERIODS],
	    uint32_t efee[PROTO_PERIODS], uint32_t sfee[PROTO_PERIODS]);
int	 sim_pile_end_session(struct sim_pile *, unsigned reason, uint64_t now_ms);
void	 sim_pile_tick(struct sim_pile *, uint64_t now_ms);
/* 0, or the Modbus exception with control.last_error set. */
int	 sim_pile_resync(struct sim_pile *, uint64_t now_ms);
int	 sim_pile_save(struct sim_pile *, uint64_t now_ms, int force);

/* store.c: files of one pile */
int	 sim_store_open(struct sim_pile *, char **cause);
void	 sim_store_close(struct sim_pile *);
int	 sim_store_append(struct sim_pile *, struct proto_record *, char **cause);
int	 sim_store_read(struct sim_pile *, uint32_t seq, struct proto_record *);
int	 sim_store_read_raw(struct sim_pile *, uint32_t seq, uint8_t buf[PROTO_RECORD_BYTES]);
int	 sim_store_set_synced(struct sim_pile *, uint32_t synced, char **cause);
uint32_t sim_store_held(const struct sim_pile *);
/* 1 when the next record has room: free space, or an oldest record that is
 * synced or in custody whose space may be reused. */
int	 sim_store_has_room(const struct sim_pile *);
/* The oldest held record the cloud has not acknowledged; 0 when none. */
uint32_t sim_store_first_unsynced(const struct sim_pile *);

/* custody.c: ranges of records in a master's custody, kept in custody.log */
unsigned sim_store_caps(const struct sim_pile *);	/* PROTO_CAP_STORE | CUSTODY */
int	 sim_custody_open(struct sim_pile *, char **cause);
void	 sim_custody_close(struct sim_pile *);
int	 sim_custody_reset(struct sim_pile *, char **cause);
int	 sim_custody_holds(const struct sim_pile *, uint32_t seq);
uint32_t sim_custody_count(const struct sim_pile *);	/* held, unsynced, in custody */
uint32_t sim_custody_last(const struct sim_pile *);
/* Checks sha256 against the records first..last as held and marks the range;
 * returns PROTO_CUSTODY_*, or -1 when custody.log cannot be written. */
int	 sim_custody_mark(struct sim_pile *, uint32_t first, uint32_t last,
	    const uint8_t sha256[PROTO_SHA256_BYTES], char **cause);
int	 sim_state_save(struct sim_pile *, char **cause);
int	 sim_state_load(struct sim_pile *, char **cause);
int	 sim_write_atomic(const char *path, const void *, size_t, int mode, char **cause);
char	*sim_read_file(const char *path, size_t *len);

/* stage.c */
unsigned sim_stage_caps(const struct sim_pile *);
void	 sim_stage_init(struct sim_pile *);
void	 sim_stage_reset(struct sim_pile *);
int	 sim_stage_chunk(struct sim_pile *, uint16_t addr, uint16_t count, const uint16_t *img);
int	 sim_stage_commit(struct sim_pile *, uint16_t addr, uint16_t count, const uint16_t *img);
void	 sim_stage_status_image(struct sim_pile *, uint16_t *regs);
void	 sim_stage_commit_image(struct sim_pile *, uint16_t *regs);
void	 sim_stage_digest_image(struct sim_pile *, uint16_t *regs);
void	 sim_stage_bucket_image(struct sim_pile *, uint16_t *regs);
int	 sim_stage_bucket_select(struct sim_pile *, const uint16_t *img);
void	 sim_stage_mains(struct sim_pile *, int on);

/* storeid.c: live.store_id, read or drawn when the store opens */
int	 sim_store_id_open(struct sim_pile *, char **cause);

/* auth.c */
void	 sim_auth_init(struct sim_pile *);
int	 sim_auth_session(struct sim_pile *, uint64_t now_ms);	/* 1 open */
int	 sim_auth_respond(struct sim_pile *, const uint16_t *regs, uint64_t now_ms);
void	 sim_auth_close(struct sim_pile *);
void	 sim_auth_regs(struct sim_pile *, uint64_t now_ms, uint16_t *regs);
/* 1 for a pile of protocol 1.0 (pilesim --protocol 1.0). */
int	 sim_pile_is_10(const struct sim_pile *);
/* 1 when the pile takes WA writes only through session.envelope (1.1). */
int	 sim_auth_needs_mac(const struct sim_pile *);
/* Checks an envelope written to session.envelope (nregs registers): 0 with
 * *e filled and the counter spent, else the Modbus exception with
 * control.last_error set. */
int	 sim_auth_envelope(struct sim_pile *, const uint16_t *regs, uint16_t nregs,
	    uint64_t now_ms, struct proto_envelope *e);
int	 sim_keys_write(struct sim_world *, char **cause);

/* cloud.c */
void	 sim_tariff_default(struct proto_tariff *);
int	 sim_cloud_open(struct sim_cloud *, const char *dir, char **cause);
void	 sim_cloud_close(struct sim_cloud *);
int	 sim_cloud_save(struct sim_world *, char **cause);
/* A resync upload: 0 stored, 1 duplicate (acknowledged), -1 not stored. */
int	 sim_cloud_receive(struct sim_cloud *, const char *serial, uint32_t store_id,
	    const struct proto_record *, char **cause);
/* The record the cloud holds under the same key: serial and seq, and the
 * same store_id, or either side's store_id unknown (0) and the same record
 * bytes. *same says whether the bytes are the same. NULL when none. */
const struct sim_cloud_rec *sim_cloud_find(const struct sim_cloud *, const char *serial,
	    uint32_t store_id, const struct proto_record *, int *same);
/* Adds a record in memory and appends its line to cloud.jsonl, without
 * syncing (sim_cloud_sync); 0, or -1 with *cause. */
int	 sim_cloud_append(struct sim_cloud *, const char *serial, uint32_t store_id,
	    unsigned via, const struct proto_record *, char **cause);
int	 sim_cloud_sync(struct sim_cloud *, char **cause);
/* The tariff the cloud published as version, or NULL. */
const struct proto_tariff *sim_cloud_tariff(const struct sim_cloud *, uint32_t version);
void	 sim_cloud_tariff_publish(struct sim_cloud *, const struct proto_tariff *);

/* sign.c: 1.1 record signatures, and the cloud's check of them */
struct proto_signer;
int	 sim_sign_open(struct sim_pile *, char **cause);
void	 sim_sign_close(struct sim_pile *);
int	 sim_sign_append(struct sim_pile *, const struct proto_record *, char **cause);
int	 sim_sign_read(struct sim_pile *, uint32_t seq, uint8_t sig[PROTO_SIG_BYTES]);
void	 sim_cloud_key_set(struct sim_cloud *, const char *serial,
	    const uint8_t pub[PROTO_PUBKEY_BYTES]);
const uint8_t *sim_cloud_key(const struct sim_cloud *, const char *serial);
int	 sim_cloud_verify(struct sim_cloud *, const char *serial, const struct proto_record *,
	    const uint8_t sig[PROTO_SIG_BYTES], char **cause);

/* json.c: small writers for ctl output */
void	 sim_json_u32v(FILE *, const uint32_t *, size_t);
void	 sim_json_record(FILE *, const char *serial, const struct proto_record *, int synced);
/* The same without the closing brace, for callers that add fields. */
void	 sim_json_record_open(FILE *, const char *serial, const struct proto_record *,
	    int synced);
void	 sim_json_cloud_record(FILE *, const struct sim_cloud_rec *,
	    const char *wire_hex);
void	 sim_json_tariff(FILE *, const struct proto_tariff *);
const char *sim_kind_token(unsigned);
void	 sim_slots_str(const struct proto_tariff *, char out[PROTO_SLOTS + 1]);
void	 sim_price_str(uint32_t, char out[16]);

#endif
