/* regmap.h - the pilecon register map: the one table of the wire protocol.
 * Code, man/pilecon-protocol.7 and data/profiles/pile.yaml all come from it. */
#ifndef PROTO_REGMAP_H
#define PROTO_REGMAP_H

/*
 * Every register is 16 bits, big-endian on the wire (Modbus). A u32 spans two
 * registers, high word first. A str spans COUNT registers holding 2*COUNT
 * bytes of UTF-8, NUL padded. FC 03 and FC 04 read the same address space.
 * A read must stay inside one block; registers not listed are illegal
 * addresses.
 *
 * Access: R   read only
 *         RW  open write (cursors: reading must need no key)
 *         WA  write needs an authenticated session (HMAC challenge-response);
 *             on a 1.1 pile with the write-MAC capability, only through
 *             session.envelope (below)
 *
 * X(ID, NAME, ADDR, COUNT, TYPE, ACCESS, UNIT, DOC)
 *
 * Protocol 1.1 (identity.protocol_version 0x0101) adds registers behind
 * capability bits (PROTO_CAP_* in proto.h), so a 1.0 pile stays readable: a
 * master reads the 1.1 tail of the identity and live blocks, and the 1.1
 * blocks, only from a pile whose capabilities name them. On a 1.0 pile the
 * identity block ends at 0x0036 and the live block at 0x0158
 * (PROTO_IDENTITY_COUNT, PROTO_LIVE_COUNT); the 1.1 forms are
 * PROTO_IDENTITY_COUNT_11 and PROTO_LIVE_COUNT_11.
 *
 * Definitions the 1.1 registers rely on (pilecon-protocol(7) says the same):
 *
 * - Signed records (cap SIGNED). identity.public_key is the pile's ECDSA
 *   secp256r1 key, X then Y, 32 bytes each, big-endian. The pile signs the
 *   record's OCMF payload (the canonical text built from the record's fields,
 *   proto_ocmf_payload) with ECDSA-SHA256 when the session closes; the
 *   signature is r then s, 32 bytes each. The signed window carries one
 *   record and its signature; the record's own bytes are the 1.0 layout.
 *
 * - Writes that carry their own proof (cap WRITE_MAC). After the 1.0
 *   challenge-response opens a session, both sides derive the session key
 *   Ks = HMAC-SHA256(key, "pilecon-session" (15 bytes) | challenge (16) |
 *   serial (16, NUL padded) | address (1)).
 *   Every WA write is then one FC 16 to session.envelope:
 *     target address (1 reg) | count N (1) | counter u32 (2) | N values |
 *     MAC (8 regs: the first 16 bytes of HMAC-SHA256(Ks, serial (16) |
 *     address (1) | target (2) | N (2) | counter (4) | values (2N)))
 *   with 1 <= N <= 111, the counter above session.counter (the last accepted
 *   one; 0 when the session opens), and [target, target + N) inside one block
 *   the pile lets a session write. The pile checks the MAC, then applies the
 *   values as an FC 16 to the target would be applied. A bad MAC, a counter
 *   not above the last, or a plain FC 06/16 to a WA register is refused
 *   (exception 01, control.last_error says why). A bystander on the bus sees
 *   the frames but cannot make a MAC, and a captured frame replays with a
 *   spent counter. Writing 1 to session.close (through the envelope) ends
 *   the session at once.
 *
 * - Store identity (cap STORE). live.store_id is a nonzero random number the
 *   pile draws when its record store is created or reset; the same serial
 *   with another store_id holds another series of sequence numbers.
 *
 * - Custody (cap CUSTODY). The digest is SHA-256 over the records first..last
 *   in sequence order, each as its 124 wire bytes with the synced flag
 *   cleared. The pile compares it with its own records before it marks the
 *   range in custody (custody.result); when full it may then reuse, oldest
 *   first, the space of records that are synced or in custody, never of one
 *   that is neither. Records in custody are still uploaded by resync.
 *
 * - Broadcast staging (cap STAGING). staging.chunk is written with FC 16,
 *   usually to address 0 (broadcast: no reply): transfer id, chunk index,
 *   chunk total, entry count (0..4), then up to 4 whitelist entries. A chunk
 *   with a new transfer id empties the staging area first. Staging needs no
 *   session and changes no list. stage.commit (WA) names transfer, new
 *   version, entry count and SHA-256 over all staged entries in chunk-index
 *   order, 58 wire bytes each; the pile replaces its whitelist with the
 *   staged list only when all chunks are there and the digest matches, else
 *   stage.commit_result says why and stage.missing (a bitmap, bit i of
 *   register j = chunk missing_cursor + 16 j + i, set when missing) says
 *   what to re-send. A power loss empties the staging area; the list in
 *   force changes only on a good commit.
 *
 * - Bucket digests (cap BUCKETS). A whitelist entry's bucket is the low 12
 *   bits of the CRC-32 of its UID (upper-case hex ASCII): 4096 buckets. A
 *   bucket's digest is the CRC-16/MODBUS of its entries in UID order, 58
 *   wire bytes each (0xFFFF for an empty bucket, the CRC of no bytes).
 *   The bucket window lists the entries of up to 8 buckets in one FC 23,
 *   each entry as its UID and the CRC-16/MODBUS of its 58 wire bytes (the
 *   master holds the entries it wants, so a UID and a check are enough to
 *   tell added, removed and changed entries apart). For each listed bucket
 *   in order: its entry count, the count given here, then those entries
 *   from whitelist.bucket_index (first listed bucket) or 0 (the others). A
 *   bucket whose entries do not all fit gets as many as fit and ends the
 *   window; a bucket whose two count registers do not fit is left out. The
 *   rest of the window reads 0.
 *   Why compact entries: a sync of 100 differences on 10,000 cards reads
 *   all 4096 digests (35 windows, 0.91 s at 115200 baud) and about 100
 *   buckets of 3.4 entries; as whole 58-byte entries, 4 to a window, that
 *   is 2.5 s of wire alone and misses the 3 s target, as 22-byte UID and
 *   check, 8 buckets to a window, 0.9 s.
 */
#define PROTO_REGMAP(X) \
/* identity block 0x0000 */ \
X(ID_PROTOCOL,     "identity.protocol_version", 0x0000,  1, U16, R, "", "protocol version, major << 8 | minor (0x0100 = 1.0)") \
X(ID_CAPS,         "identity.capabilities",     0x0001,  1, U16, R, "bits", "bit 0 FC 23, 1 offline card charging, 2 app orders, 3 three-phase meter, 4 whitelist, 5 authenticated writes; 1.1: 6 signed records, 7 writes with proof, 8 store identity and fill policy, 9 custody, 10 broadcast staging, 11 bucket digests") \
X(ID_VENDOR,       "identity.vendor",           0x0002,  8, STR, R, "", "vendor name") \
X(ID_MODEL,        "identity.model",            0x000A,  8, STR, R, "", "model name") \
X(ID_SERIAL,       "identity.serial",           0x0012,  8, STR, R, "", "serial number, unique per vendor; the archive keys records by it") \
X(ID_FIRMWARE,     "identity.firmware",         0x001A,  8, STR, R, "", "firmware version") \
X(ID_DEVICE_ID,    "identity.device_id",        0x0022, 16, STR, R, "", "device identifier: the content of the pile's QR code, used by app orders") \
X(ID_WL_CAPACITY,  "identity.whitelist_capacity", 0x0032, 2, U32, R, "entries", "whitelist entries the pile can hold") \
X(ID_REC_CAPACITY, "identity.record_capacity",  0x0034,  2, U32, R, "records", "charging records the pile can hold") \
X(ID_PUBLIC_KEY,   "identity.public_key",       0x0036, 32, BYTES, R, "", "1.1, cap SIGNED: ECDSA secp256r1 public key, X then Y (64 bytes); zero when the pile does not sign") \
/* live block 0x0100: one FC 03 of LIVE_COUNT registers reads all of it */ \
X(LIVE_LINK,       "live.link_state",           0x0100,  1, U16, R, "enum", "0 online, 1 offline, 2 forced offline") \
X(LIVE_FORCED_UNTIL, "live.forced_until",       0x0101,  2, U32, R, "unix s", "end of forced offline, pile clock; 0 when not forced") \
X(LIVE_BACKEND,    "live.backend",              0x0103,  1, U16, R, "bool", "1 when the back-end (cloud) connection is up") \
X(LIVE_SIGNAL,     "live.signal_dbm",           0x0104,  1, S16, R, "dBm", "signal strength of the uplink, -113..-51; 0 unknown") \
X(LIVE_UNSYNCED,   "live.unsynced",             0x0105,  2, U32, R, "records", "records not yet acknowledged by the cloud") \
X(LIVE_FIRST_SEQ,  "live.first_seq",            0x0107,  2, U32, R, "", "oldest record sequence number held; 0 when none") \
X(LIVE_LAST_SEQ,   "live.last_seq",             0x0109,  2, U32, R, "", "newest record sequence number; 0 when none") \
X(LIVE_CARD_STATE, "live.card_state",           0x010B,  1, U16, R, "enum", "card reader: 0 idle, 1 card present, 2 fault") \
X(LIVE_LAST_UID,   "live.last_uid",             0x010C, 10, STR, R, "", "last card UID, upper-case hex") \
X(LIVE_LAST_AUTH,  "live.last_auth",            0x0116,  1, U16, R, "enum", "result for the last card: see AUTH RESULTS") \
X(LIVE_LAST_AUTH_TIME, "live.last_auth_time",   0x0117,  2, U32, R, "unix s", "when the last card was seen") \
X(LIVE_CP_STATE,   "live.cp_state",             0x0119,  1, U16, R, "enum", "0 available, 1 preparing, 2 charging, 3 finishing, 4 faulted, 5 suspended") \
X(LIVE_VOLTAGE,    "live.voltage_dv",           0x011A,  3, U16, R, "0.1 V", "voltage of L1, L2, L3") \
X(LIVE_CURRENT,    "live.current_ca",           0x011D,  3, U16, R, "0.01 A", "current of L1, L2, L3") \
X(LIVE_POWER,      "live.power_w",              0x0120,  2, U32, R, "W", "active power") \
X(LIVE_ENERGY,     "live.energy_wh",            0x0122,  2, U32, R, "Wh", "energy register (meter total)") \
X(LIVE_SESSION_ID, "live.session_id",           0x0124,  2, U32, R, "", "sequence number the running session's record will get; 0 when none") \
X(LIVE_SESSION_SRC, "live.session_source",      0x0126,  1, U16, R, "enum", "0 none, 1 offline card, 2 online card, 3 app order") \
X(LIVE_SESSION_ENERGY, "live.session_energy_wh", 0x0127, 2, U32, R, "Wh", "energy of the running session") \
X(LIVE_SESSION_COST, "live.session_cost_minor", 0x0129,  2, U32, R, "0.01", "energy fee plus service fee so far") \
X(LIVE_SESSION_PERIOD, "live.session_period",   0x012B,  1, U16, R, "enum", "tariff period now: 0 sharp, 1 peak, 2 flat, 3 valley") \
X(LIVE_SESSION_TARIFF, "live.session_tariff_version", 0x012C, 2, U32, R, "", "tariff version the running session settles at") \
X(LIVE_SESSION_START, "live.session_start",     0x012E,  2, U32, R, "unix s", "start of the running session") \
X(LIVE_SESSION_TAG, "live.session_tag",         0x0130, 10, STR, R, "", "card UID or app order id of the running session") \
X(LIVE_TARIFF_VERSION, "live.tariff_version",   0x013A,  2, U32, R, "", "version of the last tariff the pile received") \
X(LIVE_CLOCK,      "live.clock",                0x013C,  2, U32, R, "unix s", "pile clock, UTC") \
X(LIVE_WL_VERSION, "live.whitelist_version",    0x013E,  2, U32, R, "", "whitelist version") \
X(LIVE_WL_COUNT,   "live.whitelist_count",      0x0140,  2, U32, R, "entries", "whitelist entries held") \
X(LIVE_OFFLINE_CHARGING, "live.offline_charging", 0x0142, 1, U16, R, "bool", "effective: offline card charging enabled") \
X(LIVE_UNKNOWN_CARD, "live.unknown_card",       0x0143,  1, U16, R, "enum", "effective: unknown cards while offline, 0 refuse, 1 accept") \
X(LIVE_EXPIRED_CARD, "live.expired_card",       0x0144,  1, U16, R, "enum", "effective: expired cards while offline, 0 refuse, 1 accept") \
X(LIVE_OFFLINE_MAX_WH, "live.offline_max_wh",   0x0145,  2, U32, R, "Wh", "effective: energy limit of an offline session; 0 none") \
X(LIVE_AUTH_STATE, "live.auth_state",           0x0147,  1, U16, R, "bool", "1 while an authenticated session is open") \
X(LIVE_LAST_HOLDER, "live.last_holder",         0x0148, 16, STR, R, "", "holder name of the last card, from the whitelist") \
X(LIVE_STORE_ID,   "live.store_id",             0x0158,  2, U32, R, "", "1.1, cap STORE: identity of the record store, nonzero, new when the store is created or reset") \
X(LIVE_RECORD_FREE, "live.record_free",         0x015A,  2, U32, R, "records", "1.1, cap STORE: records the store can take before it must reuse space") \
X(LIVE_CUSTODY_COUNT, "live.custody_count",     0x015C,  2, U32, R, "records", "1.1, cap CUSTODY: records in custody that the cloud has not acknowledged") \
X(LIVE_CUSTODY_LAST, "live.custody_last_seq",   0x015E,  2, U32, R, "", "1.1, cap CUSTODY: newest sequence number in custody; 0 when none") \
X(LIVE_FULL_POLICY, "live.full_policy",         0x0160,  1, U16, R, "enum", "1.1, cap STORE: effective: what a full store does, see FULL POLICIES") \
X(LIVE_REFUSED_FULL, "live.refused_full",       0x0161,  2, U32, R, "sessions", "1.1, cap STORE: sessions refused because the store was full") \
X(LIVE_UNRECORDED, "live.unrecorded",           0x0163,  2, U32, R, "sessions", "1.1, cap STORE: sessions charged without a record because the store was full") \
X(LIVE_OLDEST_UNACKED, "live.oldest_unacked",   0x0165,  2, U32, R, "unix s", "1.1, cap STORE: start of the oldest record the cloud has not acknowledged; 0 when none") \
/* control block 0x0200 */ \
X(AUTH_CHALLENGE,  "auth.challenge",            0x0200,  8, BYTES, R, "", "16-byte nonce; renewed after every attempt and when a session ends") \
X(AUTH_RESPONSE,   "auth.response",             0x0208, 16, BYTES, RW, "", "write HMAC-SHA256(key, challenge | serial | address) to open a session") \
X(AUTH_STATE,      "auth.state",                0x0218,  1, U16, R, "bool", "1 while a session is open") \
X(AUTH_SESSION_LEFT, "auth.session_left_s",     0x0219,  1, U16, R, "s", "seconds until the session closes for idleness") \
X(AUTH_LOCKOUT_LEFT, "auth.lockout_left_s",     0x021A,  1, U16, R, "s", "seconds until the next attempt is accepted after wrong keys") \
X(AUTH_FAILURES,   "auth.failures",             0x021B,  1, U16, R, "", "consecutive failed attempts") \
X(CTL_FORCE_OFFLINE, "control.force_offline_until", 0x0220, 2, U32, WA, "unix s", "force offline until this pile time; 0 ends it; at most 7 days ahead") \
X(CTL_RESYNC,      "control.resync",            0x0222,  1, U16, WA, "", "write 1 to upload unsynced records now") \
X(CTL_RESYNC_STATE, "control.resync_state",     0x0223,  1, U16, R, "enum", "0 idle, 1 running, 2 done, 3 failed (no back-end)") \
X(CTL_CLOCK,       "control.clock",             0x0224,  2, U32, WA, "unix s", "pile clock; write to set it") \
X(CTL_LAST_ERROR,  "control.last_error",        0x0226,  1, U16, R, "enum", "why the last write was refused: see WRITE ERRORS") \
/* session block 0x0230 (1.1, cap WRITE_MAC) */ \
X(SESSION_COUNTER, "session.counter",           0x0230,  2, U32, R, "", "last write counter accepted in this session; 0 when it opens") \
X(SESSION_CLOSE,   "session.close",             0x0232,  1, U16, WA, "", "write 1 to end the session now") \
/* settings block 0x0280 */ \
X(SET_OFFLINE_CHARGING, "settings.offline_charging", 0x0280, 1, U16, WA, "bool", "offline card charging enabled") \
X(SET_UNKNOWN_CARD, "settings.unknown_card",    0x0281,  1, U16, WA, "enum", "unknown cards while offline: 0 refuse, 1 accept") \
X(SET_EXPIRED_CARD, "settings.expired_card",    0x0282,  1, U16, WA, "enum", "expired cards while offline: 0 refuse, 1 accept") \
X(SET_OFFLINE_MAX_WH, "settings.offline_max_wh", 0x0283, 2, U32, WA, "Wh", "energy limit of an offline session; 0 none") \
/* store settings block 0x0290 (1.1, cap STORE) */ \
X(SET_FULL_POLICY, "settings.full_policy",      0x0290,  1, U16, WA, "enum", "what a full store does: see FULL POLICIES") \
/* custody block 0x02A0 (1.1, cap CUSTODY): written whole through the envelope */ \
X(CUSTODY_FIRST,   "custody.first_seq",         0x02A0,  2, U32, WA, "", "first sequence number of the range handed into custody") \
X(CUSTODY_LAST,    "custody.last_seq",          0x02A2,  2, U32, WA, "", "last sequence number of the range") \
X(CUSTODY_SHA256,  "custody.sha256",            0x02A4, 16, BYTES, WA, "", "SHA-256 of the range's records as the master holds them (see CUSTODY)") \
X(CUSTODY_RESULT,  "custody.result",            0x02B4,  1, U16, R, "enum", "result of the last custody write: see CUSTODY RESULTS") \
/* tariff block 0x0300: written whole with one FC 16 */ \
X(TARIFF_VERSION,  "tariff.version",            0x0300,  2, U32, WA, "", "tariff version") \
X(TARIFF_ENERGY_PRICE, "tariff.energy_price",   0x0302,  8, U32, WA, "1e-5/kWh", "energy price of sharp, peak, flat, valley (4 x u32)") \
X(TARIFF_SERVICE_PRICE, "tariff.service_price", 0x030A,  8, U32, WA, "1e-5/kWh", "service fee of sharp, peak, flat, valley (4 x u32)") \
X(TARIFF_SLOTS,    "tariff.slots",              0x0312, 24, BYTES, WA, "", "48 bytes: period (0..3) of each half-hour from 00:00") \
/* whitelist command block 0x0400: written whole with one FC 16 */ \
X(WL_CMD,          "whitelist.cmd",             0x0400,  1, U16, WA, "enum", "1 upsert, 2 remove, 3 clear, 4 set version") \
X(WL_NEW_VERSION,  "whitelist.new_version",     0x0401,  2, U32, WA, "", "version after the command; 0 lets the pile add one") \
X(WL_NENTRIES,     "whitelist.entries_count",   0x0403,  1, U16, WA, "", "entries in this command, 0..4") \
X(WL_ENTRIES,      "whitelist.entries",         0x0404, 116, BYTES, WA, "", "4 whitelist entries of 29 registers (see WHITELIST ENTRY)") \
X(WL_RESULT,       "whitelist.result",          0x0478,  1, U16, R, "enum", "result of the last command: see WHITELIST RESULTS") \
X(WL_VERSION,      "whitelist.version",         0x0479,  2, U32, R, "", "whitelist version") \
X(WL_COUNT,        "whitelist.count",           0x047B,  2, U32, R, "entries", "entries held") \
X(WL_DIGEST,       "whitelist.digest",          0x047D,  2, U32, R, "", "CRC-32 of all entries in UID order, 58 bytes each as on the wire") \
/* whitelist read window 0x0480: FC 23 writes the cursor and reads the window */ \
X(WL_CURSOR,       "whitelist.cursor",          0x0480,  2, U32, RW, "", "index (in UID order) of the first entry in the window") \
X(WL_WINDOW,       "whitelist.window",          0x0482, 117, BYTES, R, "", "entry count (1 register) then up to 4 entries of 29 registers") \
/* staging block 0x0500 (1.1, cap STAGING): FC 16, usually broadcast */ \
X(STAGE_TRANSFER,  "staging.transfer",          0x0500,  1, U16, RW, "", "transfer id; a new one empties the staging area") \
X(STAGE_INDEX,     "staging.chunk_index",       0x0501,  1, U16, RW, "", "index of this chunk, 0..total-1") \
X(STAGE_TOTAL,     "staging.chunk_total",       0x0502,  1, U16, RW, "", "chunks in the transfer") \
X(STAGE_NENTRIES,  "staging.entries_count",     0x0503,  1, U16, RW, "", "entries in this chunk, 0..4") \
X(STAGE_ENTRIES,   "staging.entries",           0x0504, 116, BYTES, RW, "", "4 whitelist entries of 29 registers") \
/* staging status block 0x0580 (1.1, cap STAGING) */ \
X(STAGE_STATE_TRANSFER, "stage.transfer",       0x0580,  1, U16, R, "", "transfer id of the staged list; 0 when empty") \
X(STAGE_STATE_TOTAL, "stage.chunk_total",       0x0581,  1, U16, R, "", "chunks in the staged transfer") \
X(STAGE_RECEIVED,  "stage.chunks_received",     0x0582,  1, U16, R, "", "distinct chunks received") \
X(STAGE_MISSING_CURSOR, "stage.missing_cursor", 0x0583,  1, U16, RW, "", "first chunk index the bitmap covers") \
X(STAGE_MISSING,   "stage.missing",             0x0584, 64, BYTES, R, "", "1024 bits: bit i of register j set when chunk cursor + 16 j + i is missing") \
/* staging commit block 0x05D0 (1.1, cap STAGING): written whole through the envelope */ \
X(STAGE_COMMIT_TRANSFER, "stage.commit_transfer", 0x05D0, 1, U16, WA, "", "transfer id being committed") \
X(STAGE_COMMIT_VERSION, "stage.commit_version", 0x05D1,  2, U32, WA, "", "whitelist version after the commit") \
X(STAGE_COMMIT_ENTRIES, "stage.commit_entries", 0x05D3,  2, U32, WA, "entries", "entries in the staged list") \
X(STAGE_COMMIT_SHA256, "stage.commit_sha256",   0x05D5, 16, BYTES, WA, "", "SHA-256 of the staged entries in chunk order (see BROADCAST STAGING)") \
X(STAGE_COMMIT_RESULT, "stage.commit_result",   0x05E5,  1, U16, R, "enum", "result of the last commit: see COMMIT RESULTS") \
/* bucket digest window 0x0600 (1.1, cap BUCKETS): FC 23 writes the cursor and reads */ \
X(WL_BUCKET_DIGEST_CURSOR, "whitelist.bucket_digest_cursor", 0x0600, 1, U16, RW, "", "first bucket of the digest window, 0..4095") \
X(WL_BUCKET_DIGESTS, "whitelist.bucket_digests", 0x0601, 120, BYTES, R, "", "digests of 120 buckets from the cursor (see BUCKET DIGESTS); past 4095 read 0") \
/* bucket entry window 0x0680 (1.1, cap BUCKETS): FC 23 writes index and list, reads the window */ \
X(WL_BUCKET_INDEX, "whitelist.bucket_index",    0x0680,  1, U16, RW, "", "index (UID order) in the first listed bucket of the window's first entry") \
X(WL_BUCKET_LIST,  "whitelist.bucket_list",     0x0681,  8, U16, RW, "", "up to 8 buckets to read, in order; 0xFFFF ends the list") \
X(WL_BUCKET_WINDOW, "whitelist.bucket_window",  0x0689, 116, BYTES, R, "", "per listed bucket: its entry count (1 register), entries given here (1), then each entry as UID (10) and CRC-16 of its 58 wire bytes (1) (see BUCKET DIGESTS)") \
/* envelope block 0x0800 (1.1, cap WRITE_MAC): one FC 16 of 12 + N registers */ \
X(SESSION_ENVELOPE, "session.envelope",         0x0800, 123, BYTES, RW, "", "target, count N, counter u32, N values, 16-byte MAC: a WA write with its own proof (see WRITES WITH PROOF)") \
/* record read window 0x1000 */ \
X(REC_CURSOR,      "records.cursor",            0x1000,  2, U32, RW, "", "sequence number of the first record in the window") \
X(REC_WINDOW,      "records.window",            0x1002, 125, BYTES, R, "", "record count (1 register) then up to 2 records of 62 registers") \
/* signed record window 0x1100 (1.1, cap SIGNED) */ \
X(REC_SIGNED_CURSOR, "records.signed_cursor",   0x1100,  2, U32, RW, "", "sequence number of the record in the signed window") \
X(REC_SIGNED_WINDOW, "records.signed_window",   0x1102, 95, BYTES, R, "", "record count (1 register, 0 or 1), the record (62), its signature r then s (32); an unsigned record has a zero signature")

#endif
