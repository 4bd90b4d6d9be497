/* proto.h - public face of src/proto: Modbus RTU framing, CRCs, the register
 * map, record / whitelist / tariff codecs and settlement. No I/O, no globals. */
#ifndef PROTO_H
#define PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "regmap.h"

/* ---- register map ------------------------------------------------------ */

enum proto_type { PROTO_U16, PROTO_S16, PROTO_U32, PROTO_STR, PROTO_BYTES };
enum proto_access { PROTO_R, PROTO_RW, PROTO_WA };

/* Address and register count of every register, by id: PROTO_A_LIVE_LINK... */
#define PROTO_X_ADDR(id, name, addr, count, type, acc, unit, doc) \
	PROTO_A_##id = (addr), PROTO_N_##id = (count),
enum { PROTO_REGMAP(PROTO_X_ADDR) PROTO_A_END_ = 0 };
#undef PROTO_X_ADDR

struct proto_reg {
	const char		*name;
	uint16_t		 addr;
	uint16_t		 count;
	enum proto_type		 type;
	enum proto_access	 access;
	const char		*unit;
	const char		*doc;
};
extern const struct proto_reg	proto_regmap[];
extern const size_t		proto_regmap_len;

/* A block is a run of registers without gaps; one read must stay in one. */
struct proto_block {
	const char	*name;	/* "identity", "live", ... */
	uint16_t	 addr;
	uint16_t	 count;
};
extern const struct proto_block	proto_blocks[];
extern const size_t		proto_blocks_len;

const struct proto_reg	*proto_reg_by_name(const char *name);
const struct proto_reg	*proto_reg_at(uint16_t addr);	/* register starting or spanning addr */
const struct proto_block *proto_block_at(uint16_t addr);	/* block holding addr */
/* 0 when [addr, addr+count) lies inside one block, else -1. */
int	proto_range_valid(uint16_t addr, uint16_t count);

#define PROTO_VERSION		0x0100
#define PROTO_CAP_FC23		0x0001
#define PROTO_CAP_OFFLINE	0x0002
#define PROTO_CAP_APP_ORDER	0x0004
#define PROTO_CAP_THREE_PHASE	0x0008
#define PROTO_CAP_WHITELIST	0x0010
#define PROTO_CAP_AUTH		0x0020
/* 1.1 (regmap.h says what each brings) */
#define PROTO_VERSION_1_1	0x0101
#define PROTO_CAP_SIGNED	0x0040
#define PROTO_CAP_WRITE_MAC	0x0080
#define PROTO_CAP_STORE		0x0100
#define PROTO_CAP_CUSTODY	0x0200
#define PROTO_CAP_STAGING	0x0400
#define PROTO_CAP_BUCKETS	0x0800

#define PROTO_LIVE_ADDR		PROTO_A_LIVE_LINK
#define PROTO_LIVE_COUNT	(PROTO_A_LIVE_LAST_HOLDER + PROTO_N_LIVE_LAST_HOLDER - PROTO_A_LIVE_LINK)
#define PROTO_IDENTITY_ADDR	PROTO_A_ID_PROTOCOL
#define PROTO_IDENTITY_COUNT	(PROTO_A_ID_REC_CAPACITY + PROTO_N_ID_REC_CAPACITY)
/* The 1.1 forms of the two blocks: read them only from a 1.1 pile. */
#define PROTO_LIVE_COUNT_11	(PROTO_A_LIVE_OLDEST_UNACKED + PROTO_N_LIVE_OLDEST_UNACKED - PROTO_A_LIVE_LINK)
#define PROTO_IDENTITY_COUNT_11	(PROTO_A_ID_PUBLIC_KEY + PROTO_N_ID_PUBLIC_KEY)
#define PROTO_PUBKEY_BYTES	64	/* X | Y */
#define PROTO_SIG_BYTES		64	/* r | s */
#define PROTO_SHA256_BYTES	32
#define PROTO_SESSION_MAC_BYTES	16	/* truncated HMAC-SHA256 in an envelope */
#define PROTO_ENVELOPE_MAX	111	/* values in one envelope */
#define PROTO_WL_BUCKETS	4096

/* Register helpers: regs is an array of host-order registers. */
uint32_t	proto_get_u32(const uint16_t *regs);
void		proto_put_u32(uint16_t *regs, uint32_t v);
/* Copies a NUL-padded string of nregs registers into dst (size >= 2*nregs+1). */
void		proto_get_str(const uint16_t *regs, size_t nregs, char *dst);
/* Stores src NUL padded (truncated at a UTF-8 character boundary). */
void		proto_put_str(uint16_t *regs, size_t nregs, const char *src);
void		proto_get_bytes(const uint16_t *regs, size_t nbytes, uint8_t *dst);
void		proto_put_bytes(uint16_t *regs, size_t nbytes, const uint8_t *src);

/* ---- CRCs ------------------------------------------------------------- */

/* Modbus CRC-16 (poly 0xA001 reflected, init 0xFFFF); sent low byte first. */
uint16_t	proto_crc16(const uint8_t *buf, size_t len);
/* The same over pieces: start with 0xFFFF (bucket digests, bucket checks). */
uint16_t	proto_crc16_update(uint16_t crc, const uint8_t *buf, size_t len);
/* CRC-32 (IEEE 802.3, the zlib one). */
uint32_t	proto_crc32(const uint8_t *buf, size_t len);
uint32_t	proto_crc32_update(uint32_t crc, const uint8_t *buf, size_t len);

/* ---- Modbus RTU frames ------------------------------------------------- */

#define PROTO_FC_READ_HOLDING		0x03
#define PROTO_FC_READ_INPUT		0x04
#define PROTO_FC_WRITE_SINGLE		0x06
#define PROTO_FC_WRITE_MULTIPLE		0x10
#define PROTO_FC_READ_WRITE_MULTIPLE	0x17

#define PROTO_EX_ILLEGAL_FUNCTION	0x01
#define PROTO_EX_ILLEGAL_ADDRESS	0x02
#define PROTO_EX_ILLEGAL_VALUE		0x03
#define PROTO_EX_DEVICE_FAILURE		0x04
#define PROTO_EX_ACKNOWLEDGE		0x05
#define PROTO_EX_BUSY			0x06

#define PROTO_ADU_MAX		256
#define PROTO_READ_MAX		125	/* FC 03/04/23 read quantity */
#define PROTO_WRITE_MAX		123	/* FC 16 write quantity */
#define PROTO_RW_WRITE_MAX	121	/* FC 23 write quantity */

struct proto_request {
	uint8_t		unit;		/* 1..247; 0 broadcast */
	uint8_t		fc;
	uint16_t	read_addr;	/* 03, 04, 23 */
	uint16_t	read_count;
	uint16_t	write_addr;	/* 06, 16, 23 */
	uint16_t	write_count;	/* 1 for 06 */
	uint16_t	values[PROTO_WRITE_MAX];
};

struct proto_response {
	uint8_t		unit;
	uint8_t		fc;		/* without the 0x80 exception bit */
	uint8_t		exception;	/* 0 or PROTO_EX_* */
	uint16_t	addr;		/* 06, 16: echoed address */
	uint16_t	value;		/* 06: echoed value; 16: echoed count */
	uint16_t	nregs;		/* 03, 04, 23: registers returned */
	uint16_t	regs[PROTO_READ_MAX];
};

/* Decoder results. > 0 is the length of a complete, CRC-valid frame. */
#define PROTO_NEED_MORE		0
#define PROTO_E_CRC		(-1)	/* complete frame, bad CRC */
#define PROTO_E_FRAME		(-2)	/* impossible length or field */
#define PROTO_E_FUNCTION	(-3)	/* unknown function code: length unknown */
#define PROTO_E_MISMATCH	(-4)	/* valid frame, but not the answer to this request */

/* Encoders return the frame length including CRC, or -1 when the message
 * breaks a Modbus limit (quantity, buffer size). */
int	proto_request_encode(const struct proto_request *, uint8_t *buf, size_t size);
int	proto_response_encode(const struct proto_response *, uint8_t *buf, size_t size);
int	proto_exception_encode(uint8_t unit, uint8_t fc, uint8_t ex, uint8_t *buf, size_t size);

/* Slave side: parse a request from the start of buf. */
int	proto_request_decode(const uint8_t *buf, size_t len, struct proto_request *);
/* Master side: parse the reply to req from the start of buf (normal or
 * exception reply). */
int	proto_response_decode(const uint8_t *buf, size_t len,
	    const struct proto_request *req, struct proto_response *);
/* Length of the normal reply to req; an exception reply is 5 bytes. */
size_t	proto_response_length(const struct proto_request *);

/* "illegal data address: the pile has no such register" etc.; never NULL. */
const char	*proto_exception_str(uint8_t ex);
const char	*proto_fc_name(uint8_t fc);

/* Modbus over serial line V1.02 §2.5.1.1: t3.5 is 3.5 character times,
 * fixed at 1750 us above 19200 baud. A character is char_bits long: start,
 * 8 data, parity if any, stop bits (proto_char_bits): 11 for the 8E1 and
 * 8N2 that Modbus asks for, 10 for the common 8N1. */
unsigned	proto_char_bits(char parity, unsigned stop_bits);
/* "8E1", "8n2", "8O1" (data bits, parity N/E/O, stop bits, as tio and mbpoll
 * users write them): 0, or -1 when it is not 8 data bits, N/E/O and 1/2. */
int		proto_parse_framing(const char *, char *parity, unsigned *stop_bits);
/* "none", "even", "odd" (or N, E, O): 0, or -1. */
int		proto_parse_parity(const char *, char *parity);
unsigned	proto_t35_us(unsigned baud, unsigned char_bits);
unsigned	proto_char_us(unsigned baud, unsigned char_bits);

/* ---- decoded blocks ---------------------------------------------------- */

enum proto_link { PROTO_LINK_ONLINE = 0, PROTO_LINK_OFFLINE = 1, PROTO_LINK_FORCED = 2 };
enum proto_card_state { PROTO_CARD_IDLE = 0, PROTO_CARD_PRESENT = 1, PROTO_CARD_FAULT = 2 };
enum proto_auth {
	PROTO_AUTH_NONE = 0,
	PROTO_AUTH_ACCEPTED = 1,	/* offline, whitelist entry accepted */
	PROTO_AUTH_BLOCKED = 2,
	PROTO_AUTH_EXPIRED = 3,
	PROTO_AUTH_UNKNOWN = 4,		/* not on the whitelist, policy refuses */
	PROTO_AUTH_ONLINE_ACCEPTED = 5,	/* the cloud accepted it */
	PROTO_AUTH_ONLINE_REFUSED = 6,
	PROTO_AUTH_OFFLINE_DISABLED = 7,/* offline charging is switched off */
	PROTO_AUTH_UNKNOWN_ACCEPTED = 8,/* not on the list, policy accepts */
	PROTO_AUTH_EXPIRED_ACCEPTED = 9,/* expired, policy accepts */
	PROTO_AUTH_BUSY = 10,		/* a session is already running */
	PROTO_AUTH_STORE_FULL = 11	/* 1.1: refused, the record store is full */
};
enum proto_cp {
	PROTO_CP_AVAILABLE = 0, PROTO_CP_PREPARING = 1, PROTO_CP_CHARGING = 2,
	PROTO_CP_FINISHING = 3, PROTO_CP_FAULTED = 4, PROTO_CP_SUSPENDED = 5
};
enum proto_source {
	PROTO_SRC_NONE = 0, PROTO_SRC_OFFLINE_CARD = 1,
	PROTO_SRC_ONLINE_CARD = 2, PROTO_SRC_APP_ORDER = 3
};
enum proto_resync { PROTO_RESYNC_IDLE, PROTO_RESYNC_RUNNING, PROTO_RESYNC_DONE, PROTO_RESYNC_FAILED };
/* control.last_error */
enum proto_write_error {
	PROTO_WERR_NONE = 0,
	PROTO_WERR_NO_SESSION = 1,	/* write needs an authenticated session */
	PROTO_WERR_BAD_KEY = 2,		/* auth.response did not match */
	PROTO_WERR_LOCKED_OUT = 3,	/* too many wrong keys: wait auth.lockout_left_s */
	PROTO_WERR_RANGE = 4,		/* value out of range */
	PROTO_WERR_FORCED_OFFLINE = 5,	/* resync refused: pile is forced offline */
	PROTO_WERR_NO_BACKEND = 6,	/* resync refused: back-end unreachable */
	PROTO_WERR_NEEDS_MAC = 7,	/* 1.1: a WA write must come in session.envelope */
	PROTO_WERR_BAD_MAC = 8,		/* 1.1: the envelope's MAC did not match */
	PROTO_WERR_REPLAY = 9,		/* 1.1: counter not above session.counter */
	PROTO_WERR_BAD_ENVELOPE = 10	/* 1.1: target range not writable, or bad N */
};
/* custody.result (1.1) */
enum proto_custody_result {
	PROTO_CUSTODY_OK = 0, PROTO_CUSTODY_MISMATCH = 1,
	PROTO_CUSTODY_NOT_HELD = 2, PROTO_CUSTODY_BAD_RANGE = 3
};
/* stage.commit_result (1.1) */
enum proto_commit_result {
	PROTO_COMMIT_OK = 0, PROTO_COMMIT_MISSING = 1, PROTO_COMMIT_MISMATCH = 2,
	PROTO_COMMIT_NO_TRANSFER = 3, PROTO_COMMIT_FULL = 4, PROTO_COMMIT_BAD_ENTRY = 5
};
/* settings.full_policy (1.1) */
enum proto_full_policy { PROTO_FULL_REFUSE = 0, PROTO_FULL_UNRECORDED = 1 };
/* whitelist.result */
enum proto_wl_result {
	PROTO_WL_OK = 0, PROTO_WL_NOT_FOUND = 1, PROTO_WL_FULL = 2,
	PROTO_WL_BAD_ENTRY = 3, PROTO_WL_BAD_COMMAND = 4
};
enum proto_wl_cmd { PROTO_WL_UPSERT = 1, PROTO_WL_REMOVE = 2, PROTO_WL_CLEAR = 3, PROTO_WL_SET_VERSION = 4 };
enum proto_wl_status { PROTO_WL_ACCEPTED = 1, PROTO_WL_BLOCKED = 2 };

const char	*proto_link_str(unsigned);	/* "online", "offline", "forced offline" */
const char	*proto_card_state_str(unsigned);
const char	*proto_auth_str(unsigned);	/* "accepted", "blocked", ... */
const char	*proto_cp_str(unsigned);
const char	*proto_source_str(unsigned);
const char	*proto_period_str(unsigned);	/* "sharp", "peak", "flat", "valley" */
const char	*proto_write_error_str(unsigned);
const char	*proto_wl_result_str(unsigned);

#define PROTO_UID_MAX		20	/* hex characters: 10-byte UIDs */
#define PROTO_TAG_MAX		20	/* UID or order id */
#define PROTO_HOLDER_MAX	32	/* bytes of UTF-8 in the whitelist */
#define PROTO_STR_MAX		33

struct proto_identity {
	unsigned	protocol;
	unsigned	caps;
	char		vendor[17], model[17], serial[17], firmware[17];
	char		device_id[33];
	uint32_t	wl_capacity, rec_capacity;
};

struct proto_live {
	unsigned	link;
	uint32_t	forced_until;
	unsigned	backend;
	int		signal_dbm;
	uint32_t	unsynced, first_seq, last_seq;
	unsigned	card_state;
	char		last_uid[PROTO_UID_MAX + 1];
	unsigned	last_auth;
	uint32_t	last_auth_time;
	unsigned	cp_state;
	unsigned	voltage_dv[3], current_ca[3];
	uint32_t	power_w, energy_wh;
	uint32_t	session_id;
	unsigned	session_source;
	uint32_t	session_energy_wh, session_cost_minor;
	unsigned	session_period;
	uint32_t	session_tariff_version, session_start;
	char		session_tag[PROTO_TAG_MAX + 1];
	uint32_t	tariff_version, clock;
	uint32_t	wl_version, wl_count;
	unsigned	offline_charging, unknown_card, expired_card;
	uint32_t	offline_max_wh;
	unsigned	auth_state;
	char		last_holder[PROTO_HOLDER_MAX + 1];
	/* 1.1 tail (cap STORE, CUSTODY): zero unless read from a 1.1 pile */
	uint32_t	store_id, record_free;
	uint32_t	custody_count, custody_last_seq;
	unsigned	full_policy;
	uint32_t	refused_full, unrecorded, oldest_unacked;
};

/* regs holds PROTO_IDENTITY_COUNT / PROTO_LIVE_COUNT registers from the
 * block's first address. */
void	proto_identity_decode(const uint16_t *regs, struct proto_identity *);
void	proto_identity_encode(const struct proto_identity *, uint16_t *regs);
void	proto_live_decode(const uint16_t *regs, struct proto_live *);
void	proto_live_encode(const struct proto_live *, uint16_t *regs);
/* The 1.1 tail of the live block (store and custody registers): regs is the
 * whole block from its first address, PROTO_LIVE_COUNT_11 registers. */
void	proto_live_tail_decode(const uint16_t *regs, struct proto_live *);
void	proto_live_tail_encode(const struct proto_live *, uint16_t *regs);

/* ---- tariffs and settlement ---------------------------------------------- */

#define PROTO_PERIODS	4	/* sharp, peak, flat, valley */
#define PROTO_SLOTS	48	/* half-hours of a day */

struct proto_tariff {
	uint32_t	version;
	uint32_t	energy_price[PROTO_PERIODS];	/* 1e-5 currency / kWh */
	uint32_t	service_price[PROTO_PERIODS];	/* 1e-5 currency / kWh */
	uint8_t		slot_period[PROTO_SLOTS];	/* 0..3 */
};
#define PROTO_TARIFF_COUNT	(PROTO_N_TARIFF_VERSION + PROTO_N_TARIFF_ENERGY_PRICE + \
				 PROTO_N_TARIFF_SERVICE_PRICE + PROTO_N_TARIFF_SLOTS)

void	proto_tariff_encode(const struct proto_tariff *, uint16_t *regs);
/* -1 when a slot names a period > 3. */
int	proto_tariff_decode(const uint16_t *regs, struct proto_tariff *);
/* Period of the half-hour containing unix time t (UTC). */
unsigned	proto_tariff_period_at(const struct proto_tariff *, uint32_t t);
/* energy_wh * price / 1e6 rounded half up: minor units (DESIGN.md). */
uint32_t	proto_fee_minor(uint32_t energy_wh, uint32_t price);
/* Fill per-period fees from per-period energy. */
void	proto_settle(const struct proto_tariff *, const uint32_t energy_wh[PROTO_PERIODS],
	    uint32_t energy_fee_minor[PROTO_PERIODS], uint32_t service_fee_minor[PROTO_PERIODS]);

/* ---- charging records -------------------------------------------------- */

#define PROTO_RECORD_BYTES	124	/* 62 registers */
#define PROTO_RECORD_REGS	62
#define PROTO_REC_WINDOW_RECORDS 2

enum proto_record_kind { PROTO_REC_OFFLINE_CARD = 1, PROTO_REC_ONLINE_CARD = 2, PROTO_REC_APP_ORDER = 3 };
enum proto_stop_reason {
	PROTO_STOP_UNPLUGGED = 1, PROTO_STOP_CARD = 2, PROTO_STOP_REMOTE = 3,
	PROTO_STOP_ENERGY_LIMIT = 4, PROTO_STOP_POWER_LOSS = 5, PROTO_STOP_FAULT = 6
};
#define PROTO_REC_F_OFFLINE	0x01	/* started while offline */
#define PROTO_REC_F_SYNCED	0x02	/* cloud acknowledged it; outside the CRC */

/*
 * Wire layout (big-endian), 124 bytes:
 *   0 seq u32 | 4 kind u8 | 5 flags u8 | 6 stop_reason u8 | 7 format u8 (1)
 *   8 tag[20] card UID (hex) or order id, NUL padded
 *  28 start u32 | 32 stop u32 | 36 meter_start_wh u32 | 40 meter_stop_wh u32
 *  44 energy_wh[4] u32 | 60 tariff_version u32
 *  64 energy_fee_minor[4] u32 | 80 service_fee_minor[4] u32
 *  96 holder[24] UTF-8, NUL padded
 * 120 crc32 of bytes 0..119 with the SYNCED flag cleared
 */
struct proto_record {
	uint32_t	seq;
	uint8_t		kind, flags, stop_reason;
	char		tag[PROTO_TAG_MAX + 1];
	uint32_t	start, stop;
	uint32_t	meter_start_wh, meter_stop_wh;
	uint32_t	energy_wh[PROTO_PERIODS];
	uint32_t	tariff_version;
	uint32_t	energy_fee_minor[PROTO_PERIODS];
	uint32_t	service_fee_minor[PROTO_PERIODS];
	char		holder[25];
	uint32_t	crc;	/* filled by encode, checked by decode */
};

/* Encodes and sets rec->crc. */
void	proto_record_encode(struct proto_record *rec, uint8_t out[PROTO_RECORD_BYTES]);
/* 0, or -1 with the record still filled when the CRC does not match,
 * -2 when the format byte or a field is impossible. */
int	proto_record_decode(const uint8_t in[PROTO_RECORD_BYTES], struct proto_record *);
/* Sums of the uint32 parts, in 64 bits: four parts of 0x80000000 are
 * 8 GWh, not 0. */
uint64_t	proto_record_energy_wh(const struct proto_record *);	/* sum of periods */
uint64_t	proto_record_fee_minor(const struct proto_record *);	/* energy + service */
const char	*proto_kind_str(unsigned);
const char	*proto_stop_str(unsigned);

/* ---- the OCMF payload a 1.1 pile signs (ocmf.c) ---------------------------- */

/* The canonical OCMF data section of rec from the pile with this serial, as
 * pilecon-protocol(7) defines it (OCMF MAPPING): fixed key order, no
 * whitespace, times in UTC. Writes at most size bytes with the NUL and
 * returns the full length (>= size: cut). src/proto/sig.h signs and checks it. */
#define PROTO_OCMF_PAYLOAD_MAX	1024
size_t	proto_ocmf_payload(const struct proto_record *, const char *serial,
	    char *out, size_t size);
/* "2026-12-04T10:00:00,000+0000 I": OCMF's TM, UTC, clock informative. */
#define PROTO_OCMF_TIME_MAX	32
size_t	proto_ocmf_time(uint32_t t, char out[PROTO_OCMF_TIME_MAX]);
/* OCMF's TX of the end reading for a stop reason: L, R, E, P or A. */
const char	*proto_ocmf_stop_tx(unsigned stop_reason);

/* ---- an OCMF line read back (ocmf-parse.c) ---------------------------------- */

#define PROTO_SERIAL_MAX	16	/* identity.serial: 8 registers */
#define PROTO_SIG_DER_HEX_MAX	144	/* SD: 2 x PROTO_SIG_DER_MAX (sig.h) hex digits */
/* One line OCMF|{payload}|{signature}, as `logs export --format ocmf` writes
 * it. */
struct proto_ocmf {
	char			 serial[PROTO_SERIAL_MAX + 1];	/* GS */
	char			 sa[32];	/* SA: the algorithm, as written */
	char			 sd_hex[PROTO_SIG_DER_HEX_MAX + 1];	/* SD, as written */
	/* 1 when payload is byte for byte proto_ocmf_payload(&rec, serial):
	 * the text a pile signs; a verifier refuses any other. */
	int			 canonical;
	struct proto_record	 rec;		/* rebuilt from the payload, crc set */
	const char		*payload;	/* the data section, inside line */
	size_t			 payload_len;
};
/*
 * Reads line (len bytes, a trailing line break allowed; NUL bytes are bad
 * input, not an end): 0 with o filled, or -1 with *bad naming what is
 * missing or bad: "OCMF|", "payload" (not a JSON object), a key of the
 * data section the record needs (GS PG ID RD TM RV XK XO XR XT XE XF XS
 * XH: absent, twice, of the wrong type or too long for the record), "|",
 * "signature", "SA", "SD", "SE", "SM" or "end of line" (bytes after the
 * signature section). Keys the record does not need are skipped. o->payload
 * points into line.
 */
int	proto_ocmf_parse(const char *line, size_t len, struct proto_ocmf *o,
	    const char **bad);

/*
 * What an OCMF export says besides its lines, in '#' comments, so that a
 * verifier with no archive can check signatures, money and sequences
 * (pilecon-protocol(7), OCMF MAPPING); each comes before the first record
 * it concerns:
 *   # public_key "SERIAL" HEX	the pile's key, DER SubjectPublicKeyInfo
 *   # series "SERIAL" STORE_ID	the records that follow are of that store
 *   # tariff VERSION E,E,E,E S,S,S,S	energy and service prices of the
 *				periods sharp, peak, flat, valley (1e-5 / kWh)
 * SERIAL is a JSON string. Returns 0 with kind NONE for any other comment,
 * 0 with the note read, or -1 with *bad naming the bad part ("serial",
 * "key", "store_id", "version", "prices").
 */
#define PROTO_SPKI_HEX_MAX	182	/* 2 x PROTO_SPKI_BYTES (sig.h) */
enum proto_ocmf_note_kind { PROTO_NOTE_NONE, PROTO_NOTE_KEY, PROTO_NOTE_SERIES,
	PROTO_NOTE_TARIFF };
struct proto_ocmf_note {
	enum proto_ocmf_note_kind kind;
	char			 serial[PROTO_SERIAL_MAX + 1];
	char			 key_hex[PROTO_SPKI_HEX_MAX + 1];
	uint32_t		 store_id;
	struct proto_tariff	 tariff;	/* version and prices; no slots */
};
int	proto_ocmf_note(const char *line, size_t len, struct proto_ocmf_note *,
	    const char **bad);

/* ---- whitelist entries ------------------------------------------------- */

#define PROTO_WL_ENTRY_REGS	29
#define PROTO_WL_WINDOW_ENTRIES	4

struct proto_wl_entry {
	char		uid[PROTO_UID_MAX + 1];	/* upper-case hex */
	unsigned	status;			/* PROTO_WL_ACCEPTED / BLOCKED */
	uint32_t	expiry;			/* unix s; 0 never */
	char		holder[PROTO_HOLDER_MAX + 1];
};

/* Layout: uid 10 regs | status 1 | expiry u32 2 | holder 16 regs. */
void	proto_wl_entry_encode(const struct proto_wl_entry *, uint16_t regs[PROTO_WL_ENTRY_REGS]);
/* -1 when the entry is impossible (empty or non-hex uid, bad status). */
int	proto_wl_entry_decode(const uint16_t regs[PROTO_WL_ENTRY_REGS], struct proto_wl_entry *);
/* The 58 bytes of an entry as on the wire: what the digests cover. */
#define PROTO_WL_ENTRY_BYTES	(2 * PROTO_WL_ENTRY_REGS)
void	proto_wl_entry_wire(const struct proto_wl_entry *, uint8_t out[PROTO_WL_ENTRY_BYTES]);

/* ---- broadcast staging and bucket digests (1.1; regmap.h says how) ------ */

#define PROTO_STAGE_CHUNK_REGS	(PROTO_A_STAGE_ENTRIES + PROTO_N_STAGE_ENTRIES - PROTO_A_STAGE_TRANSFER)
#define PROTO_STAGE_COMMIT_REGS	(PROTO_A_STAGE_COMMIT_RESULT - PROTO_A_STAGE_COMMIT_TRANSFER)
#define PROTO_STAGE_MISSING_BITS	(16 * PROTO_N_STAGE_MISSING)
#define PROTO_BUCKET_LIST_MAX	PROTO_N_WL_BUCKET_LIST
#define PROTO_BUCKET_ITEM_REGS	11	/* UID (10) | CRC-16 of the entry (1) */
#define PROTO_BUCKET_NONE	0xFFFF	/* ends whitelist.bucket_list */
/* Turnaround delay after a broadcast (Modbus over serial line V1.02 §2.4.1):
 * what slaves get to act on it, in ms after the frame's t3.5; a staging
 * chunk is a copy into RAM, so a STAGING pile takes them much closer. */
#define PROTO_TURNAROUND_MS		100
#define PROTO_STAGE_TURNAROUND_MS	2

/* Bucket of a UID (upper-case hex): low 12 bits of the CRC-32 of its text. */
unsigned	proto_wl_bucket(const char *uid);
/* CRC-16/MODBUS of one entry's wire bytes: its check in the bucket window. */
uint16_t	proto_wl_entry_check(const struct proto_wl_entry *);

/* A chunk as written to the staging block: transfer, index, total, count,
 * n entries, the rest zero; PROTO_STAGE_CHUNK_REGS registers. */
void	proto_stage_chunk_encode(uint16_t transfer, uint16_t index, uint16_t total,
	    const struct proto_wl_entry *, unsigned n, uint16_t *regs);

struct proto_bucket_item {
	uint16_t	bucket;
	char		uid[PROTO_UID_MAX + 1];
	uint16_t	check;
};
struct proto_bucket_part {
	uint16_t	bucket;
	uint16_t	total;		/* entries in the bucket */
	uint16_t	first;		/* index of the first entry given */
	uint16_t	given;		/* entries given in this window */
};
/* Decodes a bucket window read after writing index and list (nlist
 * buckets): parts[] (up to nlist) and items[] (up to
 * PROTO_N_WL_BUCKET_WINDOW / PROTO_BUCKET_ITEM_REGS). Returns the number of
 * parts, or -1 when the window breaks the layout. */
#define PROTO_BUCKET_ITEMS_MAX	(PROTO_N_WL_BUCKET_WINDOW / PROTO_BUCKET_ITEM_REGS)
int	proto_bucket_window_decode(const uint16_t *regs, unsigned index,
	    const uint16_t *list, unsigned nlist, struct proto_bucket_part *parts,
	    struct proto_bucket_item *items, unsigned *nitems);

/* Normalises a UID typed by a person ("04:a2:..", "04a2 ...") to upper-case
 * hex in out; -1 unless it is 4..10 bytes of hex. */
int	proto_uid_normalize(const char *in, char out[PROTO_UID_MAX + 1]);
/* Decodes the first 2 * n characters of hex (either case) into n bytes of
 * out; -1 at the first character that is not a hex digit (out is then
 * partly written: a caller decoding a secret wipes it). */
int	proto_hex_decode(const char *hex, uint8_t *out, size_t n);
int	proto_hex4(const char *s, unsigned *out);

/* ---- authentication ---------------------------------------------------- */

#define PROTO_CHALLENGE_BYTES	16
#define PROTO_KEY_BYTES		32
#define PROTO_MAC_BYTES		32
/* The message the HMAC covers: challenge (16) | serial (16, NUL padded) |
 * address (1): 33 bytes. A response is good for one pile, one challenge. */
#define PROTO_AUTH_MSG_BYTES	33
void	proto_auth_message(const uint8_t challenge[PROTO_CHALLENGE_BYTES],
	    const char *serial, uint8_t unit, uint8_t msg[PROTO_AUTH_MSG_BYTES]);

/* Writes with proof (1.1, cap WRITE_MAC; regmap.h defines them). The session
 * key is Ks = HMAC-SHA256(key, msg) over "pilecon-session" (15) | challenge
 * (16) | serial (16, NUL padded) | address (1): 48 bytes. */
#define PROTO_SESSION_KEY_LABEL		"pilecon-session"
#define PROTO_SESSION_KEY_MSG_BYTES	48
void	proto_session_key_message(const uint8_t challenge[PROTO_CHALLENGE_BYTES],
	    const char *serial, uint8_t unit,
	    uint8_t msg[PROTO_SESSION_KEY_MSG_BYTES]);

/* session.envelope: target | N | counter u32 | N values | MAC (8 regs). */
#define PROTO_ENVELOPE_HEAD	4	/* registers before the values */
#define PROTO_ENVELOPE_REGS(n)	(PROTO_ENVELOPE_HEAD + (n) + PROTO_SESSION_MAC_BYTES / 2)
/* serial (16) | address (1) | target (2) | N (2) | counter (4) | values */
#define PROTO_ENVELOPE_MSG_MAX	(25 + 2 * PROTO_ENVELOPE_MAX)
struct proto_envelope {
	uint16_t	 target;
	uint16_t	 count;		/* N, 1..PROTO_ENVELOPE_MAX */
	uint32_t	 counter;
	const uint16_t	*values;	/* N host-order registers (not owned) */
	uint8_t		 mac[PROTO_SESSION_MAC_BYTES];
};
/* The bytes the envelope's MAC covers (the first 16 bytes of
 * HMAC-SHA256(Ks, msg)); returns their length, 25 + 2N. */
size_t	proto_envelope_message(const char *serial, uint8_t unit,
	    const struct proto_envelope *, uint8_t msg[PROTO_ENVELOPE_MSG_MAX]);
/* Lays e out in regs (PROTO_ENVELOPE_REGS(N) registers); returns that
 * count, or -1 when N is not 1..PROTO_ENVELOPE_MAX. */
int	proto_envelope_encode(const struct proto_envelope *, uint16_t *regs);
/* Reads an envelope of nregs registers; e->values points into regs. -1
 * when N is out of range or nregs is not PROTO_ENVELOPE_REGS(N). */
int	proto_envelope_decode(const uint16_t *regs, uint16_t nregs,
	    struct proto_envelope *);

/* 0 when [addr, addr+count) lies inside one block as protocol 1.0 defines
 * it (no 1.1 block, not the 1.1 tail of identity or live), else -1: what a
 * 1.0 pile can answer. */
int	proto_range_valid_10(uint16_t addr, uint16_t count);

/* ---- value names (one table for front ends and the protocol docs) ------- */

enum proto_enum_id {
	PROTO_ENUM_FC, PROTO_ENUM_EXCEPTION, PROTO_ENUM_LINK, PROTO_ENUM_CARD_STATE,
	PROTO_ENUM_AUTH, PROTO_ENUM_CP, PROTO_ENUM_SOURCE, PROTO_ENUM_PERIOD,
	PROTO_ENUM_POLICY, PROTO_ENUM_RESYNC, PROTO_ENUM_WRITE_ERROR,
	PROTO_ENUM_WL_CMD, PROTO_ENUM_WL_RESULT, PROTO_ENUM_WL_STATUS,
	PROTO_ENUM_KIND, PROTO_ENUM_STOP,
	PROTO_ENUM_CUSTODY_RESULT, PROTO_ENUM_COMMIT_RESULT, PROTO_ENUM_FULL_POLICY,
	PROTO_ENUM_COUNT
};
struct proto_enum_value {
	unsigned	 value;
	const char	*name;		/* English; callers translate with _() */
	const char	*key;		/* the machine name every JSON and CSV
					 * output uses: "forced_offline" */
};
struct proto_enum {
	const char			*title;	/* "auth results": man page section */
	const char			*key;	/* "auth_result": YAML key */
	const char *const		*regs;	/* registers holding it, NULL ended */
	const struct proto_enum_value	*values;
	size_t				 len;
};
extern const struct proto_enum	proto_enums[PROTO_ENUM_COUNT];
/* Name of value in enum id, or "unknown"; never NULL. */
const char	*proto_enum_str(enum proto_enum_id id, unsigned value);
/* The machine name of value in enum id ("offline_card"), or "unknown": the
 * one vocabulary of status, list and export. */
const char	*proto_enum_key(enum proto_enum_id id, unsigned value);
/* The value named name in enum id (its key or English name); 0, or -1. */
int		 proto_enum_find(enum proto_enum_id id, const char *name, unsigned *value);
/* The enum a register holds, or NULL. */
const struct proto_enum	*proto_enum_of_reg(const char *reg_name);
const char	*proto_wl_cmd_str(unsigned);
const char	*proto_wl_status_str(unsigned);
const char	*proto_resync_str(unsigned);

/* ---- a records export read back (export-line.c) ---------------------------- */

/* One line of `pilecon logs export` (CSV after its header line, or JSON
 * Lines), split in place into named fields: what `logs verify` and pilesim's
 * cloud import read. A CSV reader joins physical lines until
 * proto_export_csv_complete() says every quote is closed. */
#define PROTO_EXPORT_FIELDS	64
struct proto_export_line {
	const char	*name[PROTO_EXPORT_FIELDS];
	const char	*value[PROTO_EXPORT_FIELDS];	/* NULL: JSON null */
	int		 nf;
	/* CSV: the column names, from the first line */
	const char	*hname[PROTO_EXPORT_FIELDS];
	int		 nheader;
	char		 hbuf[2048];
};
extern const char *const proto_export_periods[PROTO_PERIODS];	/* "sharp"... */
int	proto_export_csv_complete(const char *);
/* CSV: 1 when s was the header line (kept), 0 a record line, -1 too many
 * columns. Start with a zeroed struct per file. */
int	proto_export_split_csv(struct proto_export_line *, char *s);
/* A flat JSON object of strings, integers, booleans and null; 0 or -1. */
int	proto_export_split_json(struct proto_export_line *, char *s);
/* The field's text, or NULL when absent or null. */
const char *proto_export_field(const struct proto_export_line *, const char *name);
int	proto_export_u32(const struct proto_export_line *, const char *name, uint32_t *);
/* The record as the pile signed it (crc left 0, synced clear); 0, or -1
 * with *bad naming the field that is missing or wrong. */
int	proto_export_record(const struct proto_export_line *, struct proto_record *,
	    const char **bad);

/* ---- strings (added) ------------------------------------------------------ */

/* Copies src into dst of size bytes (NUL included), cut at a UTF-8 character
 * boundary when it does not fit: holder 32 bytes -> record holder 24.
 * Returns the bytes copied, without the NUL. */
size_t	proto_utf8_copy(char *dst, size_t size, const char *src);

/* ---- metering (added for the simulator) ---------------------------------- */

/* Adds power_w * seconds to ws[period] for every part of [t0, t1) that falls
 * in a half-hour slot, by the tariff's slot periods (UTC, across midnight). */
void	proto_meter_split(const struct proto_tariff *, uint32_t t0, uint32_t t1,
	    uint32_t power_w, uint64_t ws[PROTO_PERIODS]);
/* Watt-seconds per period to Wh per period, summing to exactly
 * floor(total / 3600): largest remainder, ties to the lower period. */
void	proto_energy_split_wh(const uint64_t ws[PROTO_PERIODS],
	    uint32_t wh[PROTO_PERIODS]);

#endif
