/* pile.h - public face of src/pile: the client API both front ends use.
 * A pile_bus is the Modbus master on one link (timing, retries, CRC checks);
 * a pile is one address on it. Knows nothing of curses or YAML.
 *
 * Every function returns 0 (or a count) on success and a negative PILE_E_*
 * on failure, with *cause set to a malloc'ed sentence that names port,
 * address and baud and says what to try; the caller frees it. */
#ifndef PILE_H
#define PILE_H

#include <stdint.h>

#include "link/link.h"
#include "proto/proto.h"

#define PILE_E_TIMEOUT		(-1)	/* no answer after all tries */
#define PILE_E_GARBLED		(-2)	/* only garbled answers (CRC, framing) */
#define PILE_E_EXCEPTION	(-3)	/* the pile answered a Modbus exception */
#define PILE_E_LINK		(-4)	/* the port failed or went away */
#define PILE_E_AUTH		(-5)	/* no key, wrong key, locked out */
#define PILE_E_PROTOCOL		(-6)	/* an answer that breaks the protocol */
#define PILE_E_REFUSED		(-7)	/* a command the pile refused (result register) */

struct pile_bus_opts {
	int	timeout_ms;	/* response timeout; 0: from the baud rate */
	int	retries;	/* extra tries after a timeout or garbled reply; default 2 */
	int	no_fc23;	/* use FC 16 + FC 03 instead of FC 23 */
};

/* What the line did, in total and per address: every try is a request;
 * it ends as a reply (a valid frame, exceptions included), a CRC error (a
 * garbled or cut-short frame) or a timeout (silence). Round trips run from
 * the request handed to the port to the reply's last byte read, as mbpoll
 * measures them: the wire time of both frames, the pile's turnaround and
 * any adapter latency. */
struct pile_bus_stats {
	unsigned long	transactions, timeouts, crc_errors, exceptions, retries;
	unsigned long	bytes_out, bytes_in;
	unsigned long	requests, replies;
	unsigned long	echoes;		/* garbled replies that were our request */
	uint64_t	rtt_min_us, rtt_max_us, rtt_sum_us, rtt_last_us;
};

struct pile_bus;
struct pile_bus	*pile_bus_new(struct link *, const struct pile_bus_opts *);
void		 pile_bus_free(struct pile_bus *);	/* does not close the link */
struct link	*pile_bus_link(struct pile_bus *);
const struct pile_bus_stats *pile_bus_stats(const struct pile_bus *);
/* The same for one address (1..247); zeros for one never asked. */
const struct pile_bus_stats *pile_bus_unit_stats(const struct pile_bus *, uint8_t addr);
void		 pile_bus_stats_reset(struct pile_bus *);

/* The trace of frames on the line (mbpoll -v, `pilecon --trace`, the
 * console's Line view): called for each request sent, each reply (good or
 * garbled) and each timeout, with the bytes and the wall-clock time. */
enum pile_trace_dir {
	PILE_TRACE_TX,		/* a request went out */
	PILE_TRACE_RX,		/* a valid reply */
	PILE_TRACE_RX_BAD,	/* a garbled or cut-short reply */
	PILE_TRACE_TIMEOUT	/* silence (len 0) */
};
typedef void	 pile_trace_fn(void *arg, enum pile_trace_dir, uint8_t unit,
		    const uint8_t *buf, size_t len, uint64_t wall_us);
void		 pile_bus_set_trace(struct pile_bus *, pile_trace_fn *, void *arg);
/* "16:22:11.123456 TX  01 03 00 00 00 01 84 0A" (local time), malloc'ed. */
char		*pile_trace_format(enum pile_trace_dir, const uint8_t *buf, size_t len,
		    uint64_t wall_us);
/* The wiring check's verdict in words, from what the line did: "line clean",
 * "CRC errors on 12 % of replies: check termination and the A/B pair", ...
 * Sets *bad when the line needs attention. Malloc'ed. */
char		*pile_line_verdict(const struct pile_bus_stats *, int *bad);

/* ---- one transaction, for an event loop -------------------------------- */

#define PILE_XFER_PENDING	1
/* Not an error: a parse function put the same request in x again (a record
 * failed its CRC-32 although the Modbus CRC passed: the pile's storage read
 * may have been unlucky). Run x and parse once more. */
#define PILE_AGAIN		(-100)

struct pile_xfer {
	struct proto_request	req;
	struct proto_response	resp;
	int			status;	/* PILE_XFER_PENDING, 0, or PILE_E_* */
	char		       *cause;	/* set when status < 0; freed by pile_xfer_reset */
	int			again;	/* times a parse asked for this read again */
	/* private to pile/ */
	struct proto_request	whole;	/* an FC 23 sent as two halves: the request */
	int			half;	/* 0 whole; 1 its write (FC 16); 2 its read (FC 03) */
	int			tries;
	uint64_t		deadline_us;
	uint64_t		not_before_us;	/* t3.5 after the last frame */
	int			turnaround_ms;	/* after a broadcast; 0: PROTO_TURNAROUND_MS */
	size_t			got;
	uint8_t			buf[PROTO_ADU_MAX];
};
void	pile_xfer_reset(struct pile_xfer *);

/* Starts x on the bus (only one may run at a time); returns
 * PILE_XFER_PENDING or an error. */
int	pile_bus_start(struct pile_bus *, struct pile_xfer *x);
/* Advances the running transaction; call when link_fd() is readable or when
 * pile_bus_wait_ms() has passed. Returns x->status. */
int	pile_bus_step(struct pile_bus *, struct pile_xfer *x);
/* Milliseconds the event loop may sleep before calling pile_bus_step;
 * -1 when idle. */
int	pile_bus_wait_ms(const struct pile_bus *, const struct pile_xfer *x);
/* 1 while a transaction is on this bus (started, not finished): whoever
 * else shares the bus waits for its end. */
int	pile_bus_busy(const struct pile_bus *);
/* Blocking: start, poll until done. */
int	pile_bus_transact(struct pile_bus *, struct pile_xfer *x);

/* ---- one pile ---------------------------------------------------------- */

struct pile;
struct pile	*pile_new(struct pile_bus *, uint8_t addr);
void		 pile_free(struct pile *);
uint8_t		 pile_addr(const struct pile *);
struct pile_bus	*pile_bus(struct pile *);
/* Key for writes (32 bytes); writes authenticate on demand and again when
 * the pile says the session has closed. Without a key, writes fail with
 * PILE_E_AUTH and a message naming the keys file option. */
void		 pile_set_key(struct pile *, const uint8_t key[PROTO_KEY_BYTES]);

int	pile_identity(struct pile *, struct proto_identity *, char **cause);
/* What an identity read by other means tells the pile layer: serial (for
 * the auth HMAC), protocol version and capabilities (which 1.1 registers to
 * read). pile_identity does it itself. */
void	pile_set_identity(struct pile *, const struct proto_identity *);
/* The capability bits that count: a 1.0 pile has none of the 1.1 ones. */
unsigned pile_caps(const struct pile *);
/* The request pile_identity sends, for an event loop, and the decoding of
 * its answer (which also names the pile in later messages). */
void	pile_identity_request(const struct pile *, struct pile_xfer *x);
int	pile_identity_parse(struct pile *, const struct pile_xfer *x,
	    struct proto_identity *, char **cause);
int	pile_live(struct pile *, struct proto_live *, char **cause);	/* one transaction */
/* The request pile_live sends, for an event loop (pile_bus_start), and the
 * decoding of its answer. */
void	pile_live_request(const struct pile *, struct pile_xfer *x);
int	pile_live_parse(const struct pile_xfer *x, struct proto_live *, char **cause);

int	pile_auth(struct pile *, char **cause);		/* open a session now */

/* A write that needs a session (every WA register), as a state machine for
 * an event loop: what pile_auth and the writes below do, a transaction at
 * a time. Opens the session when there is none or it went idle (identity,
 * challenge, response, auth.state), sends the values (one FC 16, or on a
 * WRITE_MAC pile one envelope per 111 registers, the one holding addr
 * last), and when the pile says the session closed or the MAC did not
 * match opens a new session and writes once more.
 *
 *   pile_write_begin(&w, addr, count, values);   (or pile_auth_begin)
 *   while ((rc = pile_write_next(p, &w, &x, &cause)) == PILE_XFER_PENDING)
 *           run x on the bus (pile_bus_start/step), then call again;
 *   pile_write_free(&w);
 *
 * pile_write_next reads the finished x and fills it with the next request;
 * it ends with 0 or PILE_E_* and *cause. exception is the Modbus exception
 * of a refused write. Nothing is half-written by stopping between two
 * calls, except a write of several envelopes, which a pile applies only
 * when the one holding addr (sent last) arrives. */
struct pile_write {
	uint16_t	 addr, count;
	uint16_t	 values[PROTO_WRITE_MAX];
	int		 auth_only;	/* open a session, write nothing */
	int		 again;		/* a new session may still be tried */
	uint8_t		 exception;
	/* private to pile/ */
	int		 state;
	uint16_t	 off;		/* the piece being written */
	uint16_t	 last_error;
	uint8_t		 challenge[PROTO_CHALLENGE_BYTES];
	char		*err;
};
void	pile_write_begin(struct pile_write *, uint16_t addr, uint16_t count,
	    const uint16_t *values);
void	pile_auth_begin(struct pile_write *);
int	pile_write_next(struct pile *, struct pile_write *, struct pile_xfer *x,
	    char **cause);
void	pile_write_free(struct pile_write *);
/* 1 when the next write would open a session first (a key, and no session
 * or an idle one): a job spends a turn on pile_auth before it. */
int	pile_needs_auth(const struct pile *);
/* Ends the write session this pile opened, at once: session.close on a 1.1
 * pile with writes with proof (nobody can ride on it afterwards); nothing
 * on a 1.0 pile, whose session ends when idle. Call before pile_free when
 * the bus is idle. */
int	pile_session_close(struct pile *, char **cause);
/* The same for an event loop: 1 when this pile has a session to close
 * (write 1 to PROTO_A_SESSION_CLOSE with pile_write_begin, which never
 * opens a session to close it, then call pile_session_forget), 0 when
 * there is none (an idle one is forgotten). */
int	pile_session_to_close(struct pile *);
void	pile_session_forget(struct pile *);

/* The pile's write session and lockout, as status shows them: auth.state,
 * auth.session_left_s, auth.lockout_left_s, auth.failures (one read), and
 * on a pile with writes with proof session.counter (another read). */
struct pile_auth_state {
	unsigned	open, left_s, lockout_left_s, failures;
};
void	pile_auth_state_request(const struct pile *, struct pile_xfer *x);
int	pile_auth_state_parse(const struct pile_xfer *x, struct pile_auth_state *,
	    char **cause);
void	pile_session_counter_request(const struct pile *, struct pile_xfer *x);
int	pile_session_counter_parse(const struct pile_xfer *x, uint32_t *counter,
	    char **cause);
int	pile_force_offline(struct pile *, uint32_t until, char **cause); /* 0 ends it */
int	pile_resync_start(struct pile *, char **cause);
int	pile_resync_state(struct pile *, unsigned *state, char **cause);
int	pile_clock_set(struct pile *, uint32_t t, char **cause);

struct pile_settings {
	unsigned	offline_charging, unknown_card, expired_card;
	uint32_t	offline_max_wh;
};
int	pile_settings_read(struct pile *, struct pile_settings *, char **cause);
int	pile_settings_write(struct pile *, const struct pile_settings *, char **cause);
/* The same for an event loop: the read's request and the decoding of its
 * answer; the registers to write at PILE_SETTINGS_ADDR (pile_write_begin). */
#define PILE_SETTINGS_ADDR	PROTO_A_SET_OFFLINE_CHARGING
#define PILE_SETTINGS_REGS	(PROTO_A_SET_OFFLINE_MAX_WH + PROTO_N_SET_OFFLINE_MAX_WH - \
				 PROTO_A_SET_OFFLINE_CHARGING)
void	pile_settings_request(const struct pile *, struct pile_xfer *x);
int	pile_settings_parse(const struct pile_xfer *x, struct pile_settings *,
	    char **cause);
void	pile_settings_encode(const struct pile_settings *,
	    uint16_t regs[PILE_SETTINGS_REGS]);
int	pile_tariff_read(struct pile *, struct proto_tariff *, char **cause);
void	pile_tariff_request(const struct pile *, struct pile_xfer *x);
int	pile_tariff_parse(const struct pile *, const struct pile_xfer *x,
	    struct proto_tariff *, char **cause);
int	pile_tariff_write(struct pile *, const struct proto_tariff *, char **cause);

/* ---- whitelist --------------------------------------------------------- */

struct pile_wl_status {
	unsigned	result;		/* last command's PROTO_WL_* */
	uint32_t	version, count, digest;
};
int	pile_wl_status(struct pile *, struct pile_wl_status *, char **cause);
/* Entries from index (UID order); returns how many (0..4) were read. */
int	pile_wl_read(struct pile *, uint32_t index, struct proto_wl_entry out[PROTO_WL_WINDOW_ENTRIES],
	    char **cause);
/* The same for an event loop: the request (an FC 23, which a bus without
 * it sends as its two halves) and the decoding of its answer. */
void	pile_wl_status_request(const struct pile *, struct pile_xfer *x);
int	pile_wl_status_parse(const struct pile_xfer *x, struct pile_wl_status *,
	    char **cause);
void	pile_wl_read_request(const struct pile *, struct pile_xfer *x, uint32_t index);
int	pile_wl_read_parse(struct pile *, const struct pile_xfer *x, uint32_t index,
	    struct proto_wl_entry out[PROTO_WL_WINDOW_ENTRIES], char **cause);
/* One command with 0..4 entries; new_version 0 lets the pile add one. A
 * refused command returns PILE_E_REFUSED with the result in words. */
int	pile_wl_command(struct pile *, unsigned cmd, uint32_t new_version,
	    const struct proto_wl_entry *entries, int n, char **cause);
/* pile_wl_command for an event loop: the registers to write at
 * whitelist.cmd with pile_write_begin (their count, or PILE_E_PROTOCOL for
 * a bad n); after the write, 1 when the result register must be read
 * (pile_wl_result_request) before pile_wl_command_outcome, which takes the
 * write's status and cause (err, freed) and that read (NULL when none). */
#define PILE_WL_COMMAND_REGS	(4 + PROTO_WL_WINDOW_ENTRIES * PROTO_WL_ENTRY_REGS)
int	pile_wl_command_encode(unsigned cmd, uint32_t new_version,
	    const struct proto_wl_entry *, int n, uint16_t regs[PILE_WL_COMMAND_REGS],
	    char **cause);
int	pile_wl_command_check(unsigned cmd, int write_rc);
void	pile_wl_result_request(const struct pile *, struct pile_xfer *x);
int	pile_wl_command_outcome(struct pile *, unsigned cmd, int write_rc, char *err,
	    const struct pile_xfer *x, char **cause);
/*
 * The bucket window (1.1, BUCKET DIGESTS) for an event loop: the entries
 * (UID and check) of the n buckets listed, up to 8 buckets a transaction
 * (a bucket too full for one window is continued in the next).
 *
 *   pile_wl_buckets_begin(&br, buckets, n);
 *   while (pile_wl_buckets_request(p, &x, &br))
 *           run x on the bus,
 *           pile_wl_buckets_parse(p, &x, &br, &cause) (0 or PILE_E_*);
 *   br.items[0 .. br.nitems) is what was read (malloc'ed: free it).
 *
 * pile_wl_buckets_read (below) is this run to its end. buckets must
 * outlive br.
 */
struct pile_wl_bucket_read {
	const uint16_t			*buckets;	/* borrowed */
	size_t				 n;
	struct proto_bucket_item	*items;
	size_t				 nitems;
	/* private to pile/ */
	size_t				 at, alloc;
	unsigned			 index;
	unsigned			 nlist;		/* buckets in the last request */
};
void	pile_wl_buckets_begin(struct pile_wl_bucket_read *, const uint16_t *buckets,
	    size_t n);
/* Fills x with the next window's request and returns 1; 0 when every bucket
 * listed was read. */
int	pile_wl_buckets_request(const struct pile *, struct pile_xfer *x,
	    struct pile_wl_bucket_read *);
int	pile_wl_buckets_parse(struct pile *, const struct pile_xfer *x,
	    struct pile_wl_bucket_read *, char **cause);

/* ---- records ----------------------------------------------------------- */

/* How full a pile's record store is, from its identity and live block
 * (1.1, cap STORE); no I/O. */
struct pile_store_use {
	uint32_t	capacity;	/* identity.record_capacity */
	uint32_t	held;		/* records on the pile */
	unsigned	percent;	/* held of capacity */
	uint32_t	pinned;		/* neither synced nor in custody: cannot go */
	unsigned	pinned_percent;	/* of capacity; custody helps above 80 */
	int32_t		days_left;	/* until the full policy acts, at the rate of
					 * the unacknowledged sessions; -1 unknown */
};
void	pile_store_use(const struct proto_identity *, const struct proto_live *,
	    struct pile_store_use *);

/* 1.1, cap STORE: what a full record store does (PROTO_FULL_*). */
int	pile_full_policy_write(struct pile *, unsigned policy, char **cause);
/* 1.1, cap CUSTODY: hands records first..last into the master's custody,
 * naming the SHA-256 of their wire bytes (regmap.h, CUSTODY). A pile that
 * refuses (digest mismatch, range not held) returns PILE_E_REFUSED with
 * custody.result in words and *result (may be NULL) set to it. */
int	pile_custody(struct pile *, uint32_t first, uint32_t last,
	    const uint8_t sha256[PROTO_SHA256_BYTES], unsigned *result, char **cause);
/* pile_custody for an event loop (as pile_wl_command_encode): the
 * registers to write at custody.first_seq with pile_write_begin (their
 * count); after the write, 1 from pile_custody_check when custody.result
 * must be read (pile_custody_result_request) before pile_custody_outcome,
 * which takes the write's status and cause (err, freed) and that read
 * (NULL when none) and answers as pile_custody does. */
#define PILE_CUSTODY_REGS	(PROTO_A_CUSTODY_RESULT - PROTO_A_CUSTODY_FIRST)
int	pile_custody_encode(uint32_t first, uint32_t last,
	    const uint8_t sha256[PROTO_SHA256_BYTES], uint16_t regs[PILE_CUSTODY_REGS]);
int	pile_custody_check(int write_rc, uint8_t exception);
void	pile_custody_result_request(const struct pile *, struct pile_xfer *x);
int	pile_custody_outcome(struct pile *, uint32_t first, uint32_t last, int write_rc,
	    char *err, const struct pile_xfer *x, unsigned *result, char **cause);

/* Reads the window starting at seq: one FC 23 (or FC 16 + FC 03 with
 * no_fc23). Returns the number of records (0..2) in out; each record's CRC
 * is verified (PILE_E_PROTOCOL names the bad sequence number). */
int	pile_records_read(struct pile *, uint32_t seq,
	    struct proto_record out[PROTO_REC_WINDOW_RECORDS], char **cause);
/* The same for an event loop (see pile_wl_read_request); the parse may
 * return PILE_AGAIN (a record that fails its CRC-32 is read once more). */
void	pile_records_read_request(const struct pile *, struct pile_xfer *x,
	    uint32_t seq);
int	pile_records_read_parse(struct pile *, struct pile_xfer *x,
	    uint32_t seq, struct proto_record out[PROTO_REC_WINDOW_RECORDS],
	    char **cause);

/* ---- signed records (protocol 1.1, cap SIGNED; signed.c) ---------------- */

/* 1 when the identity says the pile signs its records. */
int	pile_signs(const struct proto_identity *);
/* identity.public_key: X | Y (all zero from a pile that does not sign). */
int	pile_public_key(struct pile *, uint8_t pub[PROTO_PUBKEY_BYTES], char **cause);
/* The same for an event loop: the FC 03 and the decoding of its answer. */
void	pile_public_key_request(const struct pile *, struct pile_xfer *x);
int	pile_public_key_parse(const struct pile_xfer *x, uint8_t pub[PROTO_PUBKEY_BYTES],
	    char **cause);
/* Reads the signed window at seq: one FC 23. Returns 1 with the record (CRC
 * checked) and its signature r | s (zero: unsigned), or 0 past the newest
 * record. The signature is not checked here: see src/proto/sig.h. */
int	pile_signed_read(struct pile *, uint32_t seq, struct proto_record *out,
	    uint8_t sig[PROTO_SIG_BYTES], char **cause);
/* The same for an event loop: the FC 23 to run, and its answer read as
 * pile_signed_read returns it, or PILE_AGAIN with the read in x again (a
 * record that fails its CRC-32 is read once more). */
void	pile_signed_read_request(const struct pile *, struct pile_xfer *x, uint32_t seq);
int	pile_signed_read_parse(struct pile *, struct pile_xfer *x, uint32_t seq,
	    struct proto_record *out, uint8_t sig[PROTO_SIG_BYTES], char **cause);

/* ---- protocol 1.1: broadcast staging, bucket digests ------------------- */

/* FC 16 to address 0: every pile hears it, none answers. Returns once the
 * frame is written; the bus then keeps turnaround_ms of silence (0:
 * PROTO_TURNAROUND_MS; PROTO_STAGE_TURNAROUND_MS for staging chunks). The
 * request, for an event loop: its transaction ends when the frame is
 * written, and the bus holds the next one back for the line time, t3.5
 * and the turnaround. */
int	pile_bus_broadcast(struct pile_bus *, uint16_t addr, uint16_t count,
	    const uint16_t *values, int turnaround_ms, char **cause);
void	pile_bus_broadcast_request(struct pile_xfer *x, uint16_t addr, uint16_t count,
	    const uint16_t *values, int turnaround_ms);
/* Chunks a list of n entries takes (4 a chunk; an empty list is one empty
 * chunk), the registers of chunk index, and the SHA-256 a commit names
 * (58 wire bytes an entry, in order). e is sorted by UID. */
uint16_t pile_stage_chunks(size_t n);
void	pile_stage_chunk_regs(const struct proto_wl_entry *e, size_t n,
	    uint16_t transfer, uint16_t index, uint16_t regs[PROTO_STAGE_CHUNK_REGS]);
void	pile_stage_digest(const struct proto_wl_entry *e, size_t n,
	    uint8_t sha[PROTO_SHA256_BYTES]);
/* One chunk to this pile alone (it answers), for an event loop. */
void	pile_stage_chunk_request(const struct pile *, struct pile_xfer *x,
	    const uint16_t regs[PROTO_STAGE_CHUNK_REGS]);
struct pile_stage_status {
	uint16_t	transfer, total, received;
};
int	pile_stage_status(struct pile *, struct pile_stage_status *, char **cause);
void	pile_stage_status_request(const struct pile *, struct pile_xfer *x);
int	pile_stage_status_parse(const struct pile_xfer *x, struct pile_stage_status *,
	    char **cause);
/* The indices of missing chunks (at most max) into out; returns how many. */
int	pile_stage_missing(struct pile *, uint16_t total, uint16_t *out, size_t max,
	    char **cause);
/* The same a bitmap window (1024 chunks from cur) at a time: the FC 23, and
 * the indices it gives. */
void	pile_stage_missing_request(const struct pile *, struct pile_xfer *x,
	    uint16_t cur);
int	pile_stage_missing_parse(struct pile *, const struct pile_xfer *x, uint16_t cur,
	    uint16_t total, uint16_t *out, size_t max, char **cause);

/*
 * A whole list to one pile's staging area and its commit, as a state
 * machine for an event loop (as pile_write_next): with send_all, every
 * chunk to this pile alone first (each answered); then the authenticated
 * commit; when the pile says chunks are missing (or its staging area was
 * lost), those are sent to it alone and the commit tried again (at most
 * PILE_STAGE_COMMITS commits); after a good commit the whitelist status is
 * read into after.
 *
 *   pile_stage_put_begin(&sp, e, n, transfer, version, sha, 1);
 *   while ((rc = pile_stage_put_next(p, &sp, &x, &cause)) == PILE_XFER_PENDING)
 *           run x on the bus, call again;
 *   pile_stage_put_free(&sp);
 *
 * Ends with 0 and result the last commit's PROTO_COMMIT_* (OK: the list is
 * in force and after holds its status), or PILE_E_* with *cause. Stopping
 * before committing is set changes no list (chunks only fill the staging
 * area); a commit is taken whole or not at all. e must outlive the
 * machine.
 */
#define PILE_STAGE_COMMITS	4
struct pile_stage_put {
	const struct proto_wl_entry	*e;	/* sorted by UID, borrowed */
	size_t			 n;
	uint16_t		 transfer, nchunks;
	uint32_t		 version;
	uint8_t			 sha[PROTO_SHA256_BYTES];
	int			 send_all;
	unsigned		 result;	/* PROTO_COMMIT_* of the last commit */
	unsigned		 commits;	/* commits begun */
	size_t			 sent;		/* chunks sent to this pile */
	int			 committing;	/* a commit has begun */
	struct pile_wl_status	 after;		/* read after a good commit */
	/* private to pile/ */
	int			 state;
	uint16_t		 at, mcur;
	uint16_t		*miss;
	size_t			 nmiss, imiss;
	struct pile_write	 w;
};
void	pile_stage_put_begin(struct pile_stage_put *, const struct proto_wl_entry *e,
	    size_t n, uint16_t transfer, uint32_t version,
	    const uint8_t sha[PROTO_SHA256_BYTES], int send_all);
int	pile_stage_put_next(struct pile *, struct pile_stage_put *, struct pile_xfer *x,
	    char **cause);
void	pile_stage_put_free(struct pile_stage_put *);
/* The machine run to its end, blocking. */
int	pile_stage_put(struct pile *, struct pile_stage_put *, char **cause);
/* Commands or staging for a change of ncommands whitelist commands to this
 * pile: 1 when the pile has staging and finishing those commands (a sync
 * or import stopped between two of them would leave the list half-changed,
 * so a begun one is finished) would take more than PILE_STAGE_FINISH_MS of
 * wire: each command's 249-byte request and 8-byte reply at the line's
 * bits per character plus two t3.5 silences (28 ms at 115200 8E1: 35
 * commands). Above that the whole list is staged: a cancel before its one
 * commit changes nothing. */
#define PILE_STAGE_FINISH_MS	1000
int	pile_stage_pays(struct pile *, size_t ncommands);
/* All 4096 bucket digests (35 FC 23). */
int	pile_wl_bucket_digests(struct pile *, uint16_t out[PROTO_WL_BUCKETS],
	    char **cause);
/* The same a window at a time, for an event loop: the FC 23 of the window
 * at cur (cur, cur + 125, ...), and its digests into out[cur...]. */
void	pile_wl_bucket_digests_request(const struct pile *, struct pile_xfer *x,
	    uint16_t cur);
int	pile_wl_bucket_digests_parse(struct pile *, const struct pile_xfer *x,
	    uint16_t cur, uint16_t out[PROTO_WL_BUCKETS], char **cause);
/* The entries (UID and check) of the n buckets listed, up to 8 buckets a
 * read; *items is malloc'ed. */
int	pile_wl_buckets_read(struct pile *, const uint16_t *buckets, size_t n,
	    struct proto_bucket_item **items, size_t *nitems, char **cause);

#endif
