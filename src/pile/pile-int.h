/* pile-int.h - what the files of src/pile share: the bus and pile structs
 * and the register read/write helpers every pile_* function is made of. */
#ifndef PILE_INT_H
#define PILE_INT_H

#include "pile/pile.h"

/* Response timeout when opts.timeout_ms is 0: this much on top of the wire
 * time of the reply. A pile answers a read in tens of ms, but a write that
 * it commits to flash (whitelist, force offline) can take hundreds, and a
 * USB adapter adds its latency timer (16 ms by default); mbpoll also waits
 * 1 s. Scans set their own short timeout. */
#define PILE_TIMEOUT_MS		1000
/* After a broadcast (unit 0) nobody answers; Modbus over serial line V1.02
 * §2.4.1 gives slaves a "turnaround delay" to act on it (100 to 200 ms). */
#define PILE_TURNAROUND_MS	PROTO_TURNAROUND_MS
/* After a garbled or missing reply, the line must have been silent this long
 * before a retry: the slave may still be sending, or a late answer may be
 * on its way through an adapter's buffers. */
#define PILE_RETRY_QUIET_MS	20
/* A session closes after 60 s without a write; open a new one a little
 * before that instead of paying for a refused write. */
#define PILE_SESSION_IDLE_MS	55000

enum pile_phase { PILE_IDLE, PILE_QUIET, PILE_COLLECT };

struct pile_bus {
	struct link		*link;
	struct pile_bus_opts	 opts;
	struct pile_bus_stats	 stats;
	struct pile_bus_stats	*unit_stats;	/* [256], on first use */
	pile_trace_fn		*trace;
	void			*trace_arg;
	uint64_t		 quiet_at_us;	/* line free: t3.5 after the last frame */
	int			 fc23_refused;	/* the pile said FC 23 is illegal */

	/* the running transaction */
	struct pile_xfer	*running;
	enum pile_phase		 phase;
	uint64_t		 gap_us;	/* silence wanted before sending */
	int			 garbled;	/* tries that got a bad frame */
	uint64_t		 sent_us;	/* the request was handed to the port */
	uint8_t			 sent[PROTO_ADU_MAX];	/* the request, to spot an echo */
	size_t			 sent_len;
	int			 echo_seen;	/* a reply began with our request */
	int			 echo_done;	/* --echo: the echo is off the reply */
};

struct pile {
	struct pile_bus	*bus;
	uint8_t		 addr;
	int		 has_key;
	uint8_t		 key[PROTO_KEY_BYTES];
	int		 has_serial;
	char		 serial[PROTO_STR_MAX];
	unsigned	 protocol;	/* identity.protocol_version, once read */
	int		 session;	/* we believe a session is open */
	uint64_t	 last_write_us;
	unsigned	 caps;		/* identity.capabilities, once read */
	/* writes with proof (1.1, cap WRITE_MAC): the session key and the
	 * last counter used in this session */
	uint8_t		 session_key[PROTO_MAC_BYTES];
	uint32_t	 counter;
};


/* "pile 'SIM-0001' (address 1)", or "pile at address 1" before the identity
 * was read; in a static buffer per pile call. */
const char	*pile_label(const struct pile *, char *buf, size_t size);

/* Reads the identity once, blocking, so that messages can name the pile
 * by its serial; 0 or PILE_E_*. */
int	pile_named(struct pile *, char **cause);
/* Runs x (req filled) to its end on p's bus, blocking; x keeps its status
 * and cause for a parse function. */
int	pile_transact(struct pile *, struct pile_xfer *x);
/* Runs x (req filled, the rest zero) and moves its cause to *cause. */
int	pile_run(struct pile *, struct pile_xfer *x, char **cause);
/* The FC 23 that writes wcount registers (a cursor, a list) and reads
 * rcount, for an event loop (on a bus without FC 23 the bus sends it as
 * FC 16 + FC 03, see bus.c). */
void	pile_rw_request(const struct pile *, struct pile_xfer *x, uint16_t waddr,
	    uint16_t wcount, const uint16_t *wv, uint16_t raddr, uint16_t rcount);
/* The same with a 32-bit cursor. */
void	pile_cursor_request(const struct pile *, struct pile_xfer *x,
	    uint16_t cursor_addr, uint32_t cursor, uint16_t window_addr,
	    uint16_t count);
/* After the transaction: 0 with the window (count registers) in regs, or
 * PILE_E_* with *cause. */
int	pile_cursor_parse(const struct pile_xfer *x, uint16_t count,
	    uint16_t *regs, char **cause);
/* Puts x's request in x again for a parse that wants it read again;
 * returns PILE_AGAIN (pile.h). */
int	pile_xfer_again(struct pile_xfer *x);
/* FC 03 of count registers into regs. */
int	pile_read_regs(struct pile *, uint16_t addr, uint16_t count,
	    uint16_t *regs, char **cause);
/* FC 16 of a register that needs no session (cursors, auth.response). */
int	pile_write_regs(struct pile *, uint16_t addr, uint16_t count,
	    const uint16_t *values, char **cause);
/* FC 16 of a WA register: authenticates first when needed and once more when
 * the pile says the session expired. *exception (may be NULL) gets the
 * exception code of a refused write, 0 otherwise. */
int	pile_write_auth(struct pile *, uint16_t addr, uint16_t count,
	    const uint16_t *values, uint8_t *exception, char **cause);
/* Writes with proof (1.1): the session key Ks from the pile key and the
 * challenge that opened the session, and the MAC of an envelope (e->mac,
 * the first 16 bytes of HMAC-SHA256(Ks, proto_envelope_message)). */
void	pile_session_key(const uint8_t key[PROTO_KEY_BYTES],
	    const uint8_t challenge[PROTO_CHALLENGE_BYTES], const char *serial,
	    uint8_t unit, uint8_t ks[PROTO_MAC_BYTES]);
void	pile_envelope_sign(const uint8_t ks[PROTO_MAC_BYTES], const char *serial,
	    uint8_t unit, struct proto_envelope *e);
/* Writes wcount registers and reads rcount: one FC 23 (the bus sends its
 * halves on a bus without it), run to its end. */
int	pile_rw_regs(struct pile *, uint16_t waddr, uint16_t wcount, const uint16_t *wv,
	    uint16_t raddr, uint16_t rcount, uint16_t *regs, char **cause);
/* Writes a cursor and reads a window: the same with a 32-bit cursor. */
int	pile_cursor_read(struct pile *, uint16_t cursor_addr, uint32_t cursor,
	    uint16_t window_addr, uint16_t count, uint16_t *regs, char **cause);

#endif
