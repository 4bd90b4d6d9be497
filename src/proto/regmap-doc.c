/* regmap-doc - writes man/pilecon-protocol.7 (--man) and
 * data/profiles/pile.yaml (--yaml) from the register map and the value
 * tables, so the published protocol cannot drift from the code. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "proto.h"

/* A field of the record (bytes) or of a whitelist entry (registers). Not in
 * the codecs' own form, so layout_check() proves it against them. */
struct field {
	unsigned	 off;
	unsigned	 size;
	const char	*type;
	const char	*name;
	const char	*doc;
};

static const struct field record_fields[] = {
	{ 0, 4, "u32", "seq", "sequence number; continuous, so a gap shows a lost record" },
	{ 4, 1, "u8", "kind", "see RECORD KINDS" },
	{ 5, 1, "u8", "flags", "bit 0: started while offline; bit 1: synced, the cloud acknowledged it (outside the CRC)" },
	{ 6, 1, "u8", "stop_reason", "see STOP REASONS" },
	{ 7, 1, "u8", "format", "1 for this layout" },
	{ 8, 20, "str", "tag", "card UID (upper-case hex) or app order id, NUL padded" },
	{ 28, 4, "u32", "start", "start of the session, unix s, pile clock" },
	{ 32, 4, "u32", "stop", "end of the session, unix s, pile clock" },
	{ 36, 4, "u32", "meter_start_wh", "energy register at the start, Wh" },
	{ 40, 4, "u32", "meter_stop_wh", "energy register at the end, Wh" },
	{ 44, 16, "u32[4]", "energy_wh", "energy of sharp, peak, flat, valley, Wh; the sum is floor of the metered watt-seconds / 3600" },
	{ 60, 4, "u32", "tariff_version", "tariff the session settled at" },
	{ 64, 16, "u32[4]", "energy_fee_minor", "energy fee of each period, 0.01 currency units" },
	{ 80, 16, "u32[4]", "service_fee_minor", "service fee of each period, 0.01 currency units" },
	{ 96, 24, "str", "holder", "card holder from the whitelist, UTF-8, NUL padded, cut on a character boundary" },
	{ 120, 4, "u32", "crc32", "CRC-32 (IEEE 802.3, as zlib) of bytes 0..119 with the synced flag cleared" },
};

static const struct field entry_fields[] = {
	{ 0, 10, "str", "uid", "card UID, 8 to 20 hex digits (4 to 10 bytes), NUL padded" },
	{ 10, 1, "u16", "status", "see WHITELIST ENTRY STATUS" },
	{ 11, 2, "u32", "expiry", "unix s after which the card is expired; 0 never" },
	{ 13, 16, "str", "holder", "holder name, UTF-8, NUL padded; may be empty" },
};

#define NFIELDS(a)	(sizeof a / sizeof a[0])

static const char *const type_names[] = { "u16", "s16", "u32", "str", "bytes" };
static const char *const access_names[] = { "R", "RW", "WA" };
static const char *const access_words[] = {
	"read only", "open write", "write needs an authenticated session"
};

static unsigned
field_off(const struct field *f, size_t n, const char *name)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(f[i].name, name) == 0)
			return f[i].off;
	fprintf(stderr, "regmap-doc: no field '%s'\n", name);
	exit(1);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Encodes a record and an entry with a distinct value in every field and
 * finds each where the tables say it is. */
static int
layout_check(void)
{
	struct proto_record	r;
	struct proto_wl_entry	e;
	uint8_t			b[PROTO_RECORD_BYTES];
	uint16_t		regs[PROTO_WL_ENTRY_REGS];
	char			s[64];
	int			bad = 0, i;
	size_t			k;
	unsigned		end = 0;

#define F(name)	field_off(record_fields, NFIELDS(record_fields), name)
#define CHECK(cond, what) do { if (!(cond)) { bad++; \
	fprintf(stderr, "regmap-doc: layout of '%s' disagrees with the codec\n", what); } } while (0)
	memset(&r, 0, sizeof r);
	r.seq = 0x01020304;
	r.kind = PROTO_REC_APP_ORDER;
	r.flags = PROTO_REC_F_OFFLINE;
	r.stop_reason = PROTO_STOP_FAULT;
	strcpy(r.tag, "TAG");
	r.start = 0x11121314;
	r.stop = 0x21222324;
	r.meter_start_wh = 0x31323334;
	r.meter_stop_wh = 0x41424344;
	for (i = 0; i < PROTO_PERIODS; i++) {
		r.energy_wh[i] = 0x51000000U + i;
		r.energy_fee_minor[i] = 0x61000000U + i;
		r.service_fee_minor[i] = 0x71000000U + i;
	}
	r.tariff_version = 0x81828384;
	strcpy(r.holder, "HOLDER");
	proto_record_encode(&r, b);
	CHECK(get32(b + F("seq")) == r.seq, "seq");
	CHECK(b[F("kind")] == r.kind, "kind");
	CHECK(b[F("flags")] == r.flags, "flags");
	CHECK(b[F("stop_reason")] == r.stop_reason, "stop_reason");
	CHECK(b[F("format")] == 1, "format");
	CHECK(memcmp(b + F("tag"), "TAG", 4) == 0, "tag");
	CHECK(get32(b + F("start")) == r.start, "start");
	CHECK(get32(b + F("stop")) == r.stop, "stop");
	CHECK(get32(b + F("meter_start_wh")) == r.meter_start_wh, "meter_start_wh");
	CHECK(get32(b + F("meter_stop_wh")) == r.meter_stop_wh, "meter_stop_wh");
	for (i = 0; i < PROTO_PERIODS; i++) {
		CHECK(get32(b + F("energy_wh") + 4 * i) == r.energy_wh[i], "energy_wh");
		CHECK(get32(b + F("energy_fee_minor") + 4 * i) == r.energy_fee_minor[i], "energy_fee_minor");
		CHECK(get32(b + F("service_fee_minor") + 4 * i) == r.service_fee_minor[i], "service_fee_minor");
	}
	CHECK(get32(b + F("tariff_version")) == r.tariff_version, "tariff_version");
	CHECK(memcmp(b + F("holder"), "HOLDER", 7) == 0, "holder");
	CHECK(get32(b + F("crc32")) == r.crc, "crc32");
#undef F
	for (k = 0; k < NFIELDS(record_fields); k++) {
		CHECK(record_fields[k].off == end, record_fields[k].name);
		end = record_fields[k].off + record_fields[k].size;
	}
	CHECK(end == PROTO_RECORD_BYTES, "record size");

#define F(name)	field_off(entry_fields, NFIELDS(entry_fields), name)
	memset(&e, 0, sizeof e);
	strcpy(e.uid, "04A23BC4");
	e.status = PROTO_WL_BLOCKED;
	e.expiry = 0x12345678;
	strcpy(e.holder, "HOLDER");
	proto_wl_entry_encode(&e, regs);
	proto_get_str(regs + F("uid"), 10, s);
	CHECK(strcmp(s, e.uid) == 0, "uid");
	CHECK(regs[F("status")] == e.status, "status");
	CHECK(proto_get_u32(regs + F("expiry")) == e.expiry, "expiry");
	proto_get_str(regs + F("holder"), 16, s);
	CHECK(strcmp(s, e.holder) == 0, "holder");
#undef F
	end = 0;
	for (k = 0; k < NFIELDS(entry_fields); k++) {
		CHECK(entry_fields[k].off == end, entry_fields[k].name);
		end = entry_fields[k].off + entry_fields[k].size;
	}
	CHECK(end == PROTO_WL_ENTRY_REGS, "entry size");
#undef CHECK
	return bad ? -1 : 0;
}

/* ---- man page ----------------------------------------------------------- */

/* roff text: made safe (text_safe: a newline cannot start a request line),
 * backslashes escaped, no line may start with a control char. */
static void
roff(const char *str)
{
	char		*safe = text_safe(str, 0);
	const char	*s = safe;

	if (*s == '.' || *s == '\'')
		fputs("\\&", stdout);
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\e", stdout);
		else if (*s == '-')
			fputs("\\-", stdout);
		else
			putchar(*s);
	}
	free(safe);
}

static void
upper(const char *s)
{
	for (; *s != '\0'; s++)
		putchar(*s >= 'a' && *s <= 'z' ? *s - 'a' + 'A' : *s);
}

static void
man_enum_table(enum proto_enum_id id)
{
	const struct proto_enum	*e = &proto_enums[id];
	size_t			 i;

	printf(".TS\nl lx.\n");
	for (i = 0; i < e->len; i++) {
		printf("%u\tT{\n", e->values[i].value);
		roff(e->values[i].name);
		printf("\nT}\n");
	}
	printf(".TE\n");
}

static void
man_head(void)
{
	printf("'\\\" t\n");
	printf(".\\\" Generated by src/proto/regmap-doc --man from the register map in\n");
	printf(".\\\" src/proto/regmap.h and the value tables in src/proto/names.c.\n");
	printf(".\\\" Do not edit: change the tables, then run make check GENERATE=1.\n");
	printf(".TH PILECON\\-PROTOCOL 7 \"\" \"pilecon %d.%d\" \"pilecon manual\"\n",
	    PROTO_VERSION >> 8, PROTO_VERSION & 0xFF);
	printf(".SH NAME\npilecon\\-protocol \\- Modbus RTU register map of a pilecon charging pile\n");
	printf(".SH DESCRIPTION\n"
	    "A pile speaks Modbus RTU as a slave, over RS\\-485 or over its USB port\n"
	    "(CDC\\-ACM), with standard function codes only, so any Modbus master\n"
	    "(libmodbus, pymodbus, mbpoll, a SCADA system) can read it.\n"
	    "This page is the whole protocol: the transport, the function codes,\n"
	    "every register, the record and whitelist entry layouts, the record\n"
	    "window transaction and authentication.\n"
	    "A machine\\-readable copy of the map is installed as\n"
	    ".IR profiles/pile.yaml\n"
	    "in the pilecon data directory.\n"
	    ".PP\n"
	    "Register addresses are protocol addresses, counted from 0 (register\n"
	    "0x0100 is \\(lq40257\\(rq in 1\\-based holding register notation).\n"
	    "FC 03 and FC 04 read the same address space.\n"
	    "A read must stay inside one block; an address that is not listed is\n"
	    "an illegal data address.\n"
	    "Every register is 16 bits, sent high byte first.\n"
	    ".TP\n.B u16\nunsigned 16 bits\n"
	    ".TP\n.B s16\ntwo's complement 16 bits\n"
	    ".TP\n.B u32\ntwo registers, high word first\n"
	    ".TP\n.B str\nUTF\\-8, two bytes a register, first byte high, NUL padded; a\n"
	    "string that fills its registers has no NUL\n"
	    ".TP\n.B bytes\nraw bytes, two a register, first byte high\n"
	    ".PP\nAccess:\n"
	    ".TP\n.B R\nread only; a write is refused with exception 02\n"
	    ".TP\n.B RW\nopen write, no key needed (the read cursors)\n"
	    ".TP\n.B WA\nthe write needs an authenticated session (see AUTHENTICATION)\n");
}

static void
man_transport(void)
{
	static const unsigned	bauds[] = { 9600, 19200, 38400, 57600, 115200 };
	size_t			i;

	printf(".SH TRANSPORT AND TIMING\n"
	    "Modbus over Serial Line V1.02: 8 data bits, with even parity and 1\n"
	    "stop bit, or no parity and 2 stop bits; either way 11 bits a character.\n"
	    "A pile answers one address, 1 to 247 (up to 32 unit loads on one RS\\-485\n"
	    "segment without repeaters).\n"
	    "Frames are separated by a silence of 3.5 character times; above 19200\n"
	    "baud the silence is fixed at 1750 microseconds (\\(sc2.5.1.1).\n"
	    "Each frame ends with a CRC\\-16 (polynomial 0xA001 reflected, initial\n"
	    "value 0xFFFF), low byte first.\n"
	    ".TS\nr r r.\n"
	    "baud\tcharacter (us)\tt3.5 (us)\n");
	for (i = 0; i < sizeof bauds / sizeof bauds[0]; i++)
		printf("%u\t%u\t%u\n", bauds[i], proto_char_us(bauds[i], 11),
		    proto_t35_us(bauds[i], 11));
	printf(".TE\n");
}

static void
man_function_codes(void)
{
	const struct proto_enum	*e = &proto_enums[PROTO_ENUM_FC];
	size_t			 i;

	printf(".SH FUNCTION CODES\n.TS\nr l l.\n"
	    "FC\tname\tlimits\n");
	for (i = 0; i < e->len; i++) {
		printf("%u\t", e->values[i].value);
		roff(e->values[i].name);
		switch (e->values[i].value) {
		case PROTO_FC_READ_HOLDING:
		case PROTO_FC_READ_INPUT:
			printf("\t1 to %d registers\n", PROTO_READ_MAX);
			break;
		case PROTO_FC_WRITE_SINGLE:
			printf("\tone register\n");
			break;
		case PROTO_FC_WRITE_MULTIPLE:
			printf("\t1 to %d registers\n", PROTO_WRITE_MAX);
			break;
		default:
			printf("\tread 1 to %d, write 1 to %d\n",
			    PROTO_READ_MAX, PROTO_RW_WRITE_MAX);
		}
	}
	printf(".TE\n.PP\n"
	    "FC 23 writes first, then reads (Modbus Application Protocol\n"
	    "\\(sc6.17); the record and whitelist windows rely on it.\n"
	    "A register of several words (u32, str, bytes) is written whole, in one\n"
	    "FC 16; FC 06 writes only one\\-register values.\n");
}

static void
man_blocks(void)
{
	size_t	i;

	printf(".SH BLOCKS\n.TS\nl l r r.\nblock\taddress\tdecimal\tregisters\n");
	for (i = 0; i < proto_blocks_len; i++)
		printf("%s\t0x%04X\t%u\t%u\n", proto_blocks[i].name,
		    proto_blocks[i].addr, proto_blocks[i].addr,
		    proto_blocks[i].count);
	printf(".TE\n");
}

static void
man_registers(void)
{
	const struct proto_block	*cur = NULL, *b;
	const struct proto_enum		*e;
	size_t				 i, k;

	printf(".SH REGISTERS\n");
	for (i = 0; i < proto_regmap_len; i++) {
		const struct proto_reg *r = &proto_regmap[i];

		if ((b = proto_block_at(r->addr)) != cur) {
			cur = b;
			printf(".SS %s block\n", b->name);
		}
		printf(".TP\n.B ");
		roff(r->name);
		printf("\n0x%04X (%u), %u register%s, %s, %s", r->addr,
		    r->addr, r->count, r->count == 1 ? "" : "s",
		    type_names[r->type], access_words[r->access]);
		if (*r->unit != '\0' && strcmp(r->unit, "enum") != 0) {
			printf(", unit ");
			roff(r->unit);
		}
		printf(".\n.br\n");
		roff(r->doc);
		printf(".\n");
		if ((e = proto_enum_of_reg(r->name)) != NULL) {
			printf(".br\nValues:");
			for (k = 0; k < e->len; k++) {
				printf("%s %u ", k ? "," : "", e->values[k].value);
				roff(e->values[k].name);
			}
			printf(".\n");
		}
	}
}

/* Sections of their own for the tables a reader looks up by name. */
static const enum proto_enum_id	man_enum_order[] = {
	PROTO_ENUM_AUTH, PROTO_ENUM_WRITE_ERROR, PROTO_ENUM_WL_RESULT,
	PROTO_ENUM_WL_CMD, PROTO_ENUM_WL_STATUS, PROTO_ENUM_KIND,
	PROTO_ENUM_STOP, PROTO_ENUM_LINK, PROTO_ENUM_CARD_STATE,
	PROTO_ENUM_CP, PROTO_ENUM_SOURCE, PROTO_ENUM_PERIOD,
	PROTO_ENUM_POLICY, PROTO_ENUM_RESYNC,
	PROTO_ENUM_COMMIT_RESULT,
};

static void
man_enums(void)
{
	const struct proto_enum	*e;
	const char *const	*r;
	size_t			 i;

	for (i = 0; i < sizeof man_enum_order / sizeof man_enum_order[0]; i++) {
		e = &proto_enums[man_enum_order[i]];
		printf(".SH ");
		upper(e->title);
		printf("\n");
		if (*e->regs != NULL) {
			printf("Held by");
			for (r = e->regs; *r != NULL; r++) {
				printf("%s\n.BR ", r == e->regs ? "" : ",");
				roff(*r);
			}
			printf(".\n");
		}
		man_enum_table(man_enum_order[i]);
	}
}

static void
man_fields(const struct field *f, size_t n, const char *unit)
{
	size_t	i;

	printf(".TS\nr r l l lx.\n%s\tsize\ttype\tfield\tmeaning\n", unit);
	for (i = 0; i < n; i++) {
		printf("%u\t%u\t%s\t%s\tT{\n", f[i].off, f[i].size, f[i].type,
		    f[i].name);
		roff(f[i].doc);
		printf("\nT}\n");
	}
	printf(".TE\n");
}

static void
man_layouts(void)
{
	printf(".SH RECORD LAYOUT\n"
	    "A charging record is %d bytes (%d registers), big\\-endian, and carries\n"
	    "its own CRC\\-32, so it can be checked wherever it is stored or\n"
	    "forwarded.\n"
	    "The synced flag is left out of the CRC: a pile marks a record synced\n"
	    "by rewriting one byte.\n"
	    "Fees are integer minor units (0.01), energy integer Wh, prices\n"
	    "integers of 0.00001 currency units per kWh.\n"
	    "Each period's fee is energy_wh \\(mu price / 1000000 rounded half up;\n"
	    "14000 Wh at 0.85000/kWh (price 85000) is 1190, that is 11.90.\n"
	    "A record's total is the sum of these rounded parts, so anyone can\n"
	    "recompute it.\n", PROTO_RECORD_BYTES, PROTO_RECORD_REGS);
	man_fields(record_fields, NFIELDS(record_fields), "byte");
	printf(".SH WHITELIST ENTRY\n"
	    "An entry is %d registers, in the whitelist command block and in the\n"
	    "whitelist window alike.\n", PROTO_WL_ENTRY_REGS);
	man_fields(entry_fields, NFIELDS(entry_fields), "register");
}

static void
man_transactions(void)
{
	printf(".SH READING RECORDS\n"
	    "Records are read through a window: one FC 23 transaction writes\n"
	    ".B records.cursor\n"
	    "(the sequence number of the first record wanted) and reads\n"
	    ".BR records.window ,\n"
	    "so a log pull costs one round trip per window:\n"
	    ".PP\n.RS\n.nf\n"
	    "FC 23  read 0x%04X, %u registers; write 0x%04X, %u registers = SEQ\n"
	    ".fi\n.RE\n.PP\n"
	    "The window starts with a count register (0 to %d) followed by that many\n"
	    "records of %d registers from SEQ on.\n"
	    "The next cursor is the last sequence number read plus one; the pull is\n"
	    "complete when the count is 0 or the cursor passes\n"
	    ".BR live.last_seq .\n"
	    "Sequence numbers are continuous: a gap is a lost record.\n"
	    "The cursor is an open register: reading records needs no key.\n"
	    ".PP\n"
	    "Masters and gateways without FC 23 (mbpoll, QModMaster) use two\n"
	    "transactions instead: FC 16 writes the cursor, then FC 03 reads the\n"
	    "window.\n"
	    "With several masters on one bus, another master may move the cursor\n"
	    "between the two; the sequence numbers inside the records tell.\n"
	    ".PP\n"
	    "The whitelist is read the same way:\n"
	    ".B whitelist.cursor\n"
	    "is the index of the first entry in UID order and\n"
	    ".B whitelist.window\n"
	    "holds a count and up to %d entries (FC 23: read 0x%04X, %u registers;\n"
	    "write 0x%04X, %u registers).\n",
	    PROTO_A_REC_WINDOW, PROTO_N_REC_WINDOW, PROTO_A_REC_CURSOR,
	    PROTO_N_REC_CURSOR, PROTO_REC_WINDOW_RECORDS, PROTO_RECORD_REGS,
	    PROTO_WL_WINDOW_ENTRIES, PROTO_A_WL_WINDOW, PROTO_N_WL_WINDOW,
	    PROTO_A_WL_CURSOR, PROTO_N_WL_CURSOR);
	printf(".SH EDITING THE WHITELIST\n"
	    "A command is written whole with one FC 16 of the %u registers from\n"
	    "0x%04X: the command (see WHITELIST COMMANDS), the version the list will\n"
	    "have after it (0 lets the pile add one), the number of entries (0 to %d)\n"
	    "and the entries.\n"
	    "A command the pile cannot carry out is answered with an exception\n"
	    "(03 for a bad entry or command, 04 when the list is full) and nothing\n"
	    "of it is applied; a normal reply means it was applied, except that\n"
	    "removing a card the list does not hold is a normal reply with result\n"
	    "1 (not found).\n"
	    "Either way\n.B whitelist.result\n"
	    "says how it went (see WHITELIST RESULTS).\n"
	    "The version changes on every edit, as OCPP's local list version does;\n"
	    ".B whitelist.digest\n"
	    "is the CRC\\-32 of all entries in UID order, %d bytes each as on the\n"
	    "wire, so a master can tell whether its copy is the pile's.\n",
	    PROTO_A_WL_RESULT - PROTO_A_WL_CMD, PROTO_A_WL_CMD,
	    PROTO_WL_WINDOW_ENTRIES, 2 * PROTO_WL_ENTRY_REGS);
	printf(".SH TARIFF\n"
	    "The tariff block is written whole with one FC 16 of %d registers from\n"
	    "0x%04X.\n"
	    "Periods are 0 sharp, 1 peak, 2 flat, 3 valley (see TARIFF PERIODS);\n"
	    "slot n is the half\\-hour starting n \\(mu 30 minutes after 00:00 UTC.\n"
	    "A session's energy is split by the slot it was metered in; the Wh of the\n"
	    "periods add up to the metered total (largest remainder, ties to the\n"
	    "lower period).\n"
	    "Offline sessions settle at the last tariff the pile received; app\n"
	    "orders at the version the order named.\n",
	    PROTO_TARIFF_COUNT, PROTO_A_TARIFF_VERSION);
}

static void
man_auth(void)
{
	printf(".SH AUTHENTICATION\n"
	    "Reads are open. Every write to a WA register needs a session:\n"
	    ".IP 1. 4\n"
	    "Read\n.B auth.challenge\n"
	    "(%d bytes) and\n.BR identity.serial .\n"
	    ".IP 2. 4\n"
	    "Compute HMAC\\-SHA256 with the pile's %d\\-byte key over the %d\\-byte\n"
	    "message: challenge (%d) | serial, NUL padded to 16 | the pile's Modbus\n"
	    "address (1).\n"
	    "A response is good for one pile, at one address, for one challenge.\n"
	    ".IP 3. 4\n"
	    "Write the %d\\-byte MAC to\n.B auth.response\n"
	    "with one FC 16.\n"
	    ".B auth.state\n"
	    "becomes 1.\n"
	    ".PP\n"
	    "The challenge is renewed after every attempt and when a session ends.\n"
	    "A session closes after 60 seconds without a write\n"
	    ".RB ( auth.session_left_s ).\n"
	    "A wrong response sets\n.B control.last_error\n"
	    "to 2; after the k\\-th wrong response in a row, attempts are refused for\n"
	    "min(2^(k\\-1), 3600) seconds of pile clock\n"
	    ".RB ( auth.lockout_left_s )\n"
	    "with exception 06 and\n.B control.last_error\n"
	    "3.\n"
	    "During a lockout a response is not even checked, so guessing is no\n"
	    "faster than the lockout allows: the first 12 wrong keys in a row cost\n"
	    "4095 seconds, each one after that an hour, and the 100th wrong key\n"
	    "cannot be tried before 317295 seconds (about 88 hours) of pile clock.\n"
	    "A good response ends the count.\n"
	    ".PP\n"
	    "A refused write answers an exception and leaves the reason in\n"
	    ".B control.last_error\n"
	    "(see WRITE ERRORS): a WA register without a session, exception 01 and\n"
	    "error 1; an R register, exception 02; a value out of range, exception 03\n"
	    "and error 4.\n",
	    PROTO_CHALLENGE_BYTES, PROTO_KEY_BYTES, PROTO_AUTH_MSG_BYTES,
	    PROTO_CHALLENGE_BYTES, PROTO_MAC_BYTES);
}

/* WRITES WITH PROOF: protocol 1.1, cap WRITE_MAC (regmap.h). */
static void
man_write_mac(void)
{
	printf(".SH WRITES WITH PROOF\n"
	    "Modbus RTU cannot tell masters apart: on a 1.0 pile, once a\n"
	    "technician's session is open, any other master on the bus can write\n"
	    "until the session ends. A 1.1 pile with capability bit 7 (writes with\n"
	    "proof) takes a WA write only with its own proof, so nobody can ride on\n"
	    "another's session and a captured frame cannot be replayed.\n"
	    ".PP\n"
	    "When the session opens (see AUTHENTICATION), master and pile both\n"
	    "derive the session key\n"
	    ".IP\n"
	    "Ks = HMAC\\-SHA256(key, \"%s\" (15 bytes) | challenge (%d) |\n"
	    "serial (16, NUL padded) | address (1))\n"
	    ".PP\n"
	    "with the challenge that opened the session. Every WA write is then one\n"
	    "FC 16 to\n.B session.envelope\n"
	    "(0x%04X) of %d + N registers:\n"
	    ".IP\n"
	    "target address (1) | N (1) | counter, u32 (2) | N values |\n"
	    "MAC (%d registers)\n"
	    ".PP\n"
	    "where 1 <= N <= %d, the MAC is the first %d bytes of\n"
	    ".IP\n"
	    "HMAC\\-SHA256(Ks, serial (16, NUL padded) | address (1) | target (2) |\n"
	    "N (2) | counter (4) | the values (2N)),\n"
	    ".PP\n"
	    "all big\\-endian, and the counter is above\n"
	    ".B session.counter\n"
	    "(the last one the pile accepted in this session; 0 when it opens).\n"
	    "The pile checks the MAC, then the counter, spends the counter, then\n"
	    "applies the values exactly as an FC 16 of them to the target would be\n"
	    "applied; [target, target + N) must be WA registers of one block.\n"
	    "A write longer than %d registers (a whitelist command of 4 entries)\n"
	    "goes in several envelopes, the one holding the block's first register\n"
	    "last: that register makes the block act, and the pile keeps what the\n"
	    "others wrote.\n"
	    ".PP\n"
	    "Refusals answer exception 01 and say why in\n"
	    ".B control.last_error\n"
	    "(see WRITE ERRORS): a plain FC 06 or FC 16 to a WA register in a\n"
	    "session, 7 (the write must carry its proof); a MAC that does not match,\n"
	    "8; a counter not above\n.BR session.counter ,\n"
	    "9 (a replayed frame); an envelope without a session, 1. An envelope\n"
	    "whose N or length is wrong answers exception 03 and error 10, one whose\n"
	    "target is not a run of WA registers exception 02 and error 10.\n"
	    "A bystander sees every frame but cannot make a MAC without Ks, and a\n"
	    "frame it captured replays with a spent counter; a new session has a\n"
	    "new Ks, under which old frames do not verify.\n"
	    ".PP\n"
	    "Writing 1 to\n.B session.close\n"
	    "(0x%04X, through the envelope) ends the session at once; pilecon does\n"
	    "so when it exits, and shows the session (open, seconds left, counter)\n"
	    "and any lockout in\n.BR status .\n"
	    "A master that lost the answer to an envelope and sent it again may get\n"
	    "error 9: when\n.B session.counter\n"
	    "equals the counter it sent, the pile took its frame.\n"
	    ".PP\n"
	    "A 1.0 pile has neither the session block nor the envelope (exception\n"
	    "02) and takes plain writes inside a session; pilecon writes to it as\n"
	    "before.\n",
	    PROTO_SESSION_KEY_LABEL, PROTO_CHALLENGE_BYTES,
	    PROTO_A_SESSION_ENVELOPE, PROTO_ENVELOPE_REGS(0),
	    PROTO_SESSION_MAC_BYTES / 2, PROTO_ENVELOPE_MAX,
	    PROTO_SESSION_MAC_BYTES, PROTO_ENVELOPE_MAX, PROTO_A_SESSION_CLOSE);
}

static void
man_exceptions(void)
{
	printf(".SH EXCEPTIONS\n"
	    "An exception reply is 5 bytes: address, function code + 0x80, the\n"
	    "exception code, CRC.\n"
	    "pilecon shows them in these words:\n");
	man_enum_table(PROTO_ENUM_EXCEPTION);
	printf(".SH SEE ALSO\n.BR pilecon (1),\n.BR pilesim (1)\n"
	    ".PP\nModbus Application Protocol Specification V1.1b3;\n"
	    "Modbus over Serial Line Specification and Implementation Guide V1.02.\n");
}

/* Protocol 1.1: broadcast staging and bucket digests (cap STAGING, BUCKETS). */
static void
man_staging(void)
{
	printf(".SH BROADCAST STAGING\n"
	    "A pile with capability bit 10 (STAGING) takes a new whitelist as\n"
	    "chunks written with FC 16 to\n.BR staging.transfer ,\n"
	    "usually to address 0, the Modbus broadcast every pile on the bus\n"
	    "receives and none answers.\n"
	    "A chunk is transfer id, chunk index (0..total\\-1), chunk total, entry\n"
	    "count (0..4) and up to 4 entries as in WHITELIST ENTRY: %d registers.\n"
	    "A chunk with a new transfer id empties the staging area first.\n"
	    "Staging needs no session and changes no list: the list in force stays\n"
	    "until a commit, and a pile that loses power loses its staging area,\n"
	    "never its list.\n"
	    ".PP\n"
	    "After a broadcast nobody answers, so the master keeps a turnaround\n"
	    "delay before its next frame (Modbus over serial line V1.02 \\(sc2.4.1)\n"
	    "for the slaves to act on it.\n"
	    "A staging chunk is a copy into RAM, so a STAGING pile takes chunks\n"
	    "%d ms apart (after the t3.5 that ends a frame); pilecon keeps %d ms\n"
	    "after other broadcasts.\n"
	    ".PP\n"
	    "Then, per pile, in its own authenticated session, the master writes\n"
	    "the commit block whole (through\n.B session.envelope\n"
	    "on a pile with WRITE_MAC): transfer id, the version the list gets\n"
	    "(0: the pile adds one), the entry count and the SHA\\-256 of all staged\n"
	    "entries in chunk order, 58 wire bytes each.\n"
	    "The pile replaces its whitelist with the staged list only when every\n"
	    "chunk is there, the count and digest match and every entry is valid\n"
	    "and unique by UID; a normal answer means it did.\n"
	    "Otherwise it answers exception 03 (04 when the list exceeds\n"
	    ".BR identity.whitelist_capacity )\n"
	    "and\n.B stage.commit_result\n"
	    "says why (see COMMIT RESULTS).\n"
	    "A repeated commit of the same transfer applies the same list again.\n"
	    ".PP\n"
	    ".B stage.chunks_received\n"
	    "counts the distinct chunks held;\n"
	    ".B stage.missing\n"
	    "is a bitmap of 1024 chunks from\n.BR stage.missing_cursor :\n"
	    "bit i of register j is set when chunk cursor + 16 j + i is missing.\n"
	    "One FC 23 writes the cursor and reads the bitmap.\n"
	    "The master re-sends what is missing (to the pile's own address, which\n"
	    "answers, or again to all when several piles miss the same chunk) and\n"
	    "commits again.\n",
	    PROTO_STAGE_CHUNK_REGS, PROTO_STAGE_TURNAROUND_MS, PROTO_TURNAROUND_MS);
	printf(".SH BUCKET DIGESTS\n"
	    "A pile with capability bit 11 (BUCKETS) lets a master find where its\n"
	    "list differs from the one wanted without reading it whole.\n"
	    "An entry's bucket is the low 12 bits of the CRC\\-32 of its UID (the\n"
	    "upper\\-case hex text): %d buckets.\n"
	    "A bucket's digest is the CRC\\-16/MODBUS (initial value 0xFFFF) over\n"
	    "its entries in UID order, 58 wire bytes each; an empty bucket reads\n"
	    "0xFFFF.\n"
	    "One FC 23 writes\n.B whitelist.bucket_digest_cursor\n"
	    "and reads %d digests from it, so all of them take %d reads.\n"
	    ".PP\n"
	    "The master compares them with the digests of the list it wants, then\n"
	    "reads only the buckets that differ through the bucket window: one\n"
	    "FC 23 writes\n.B whitelist.bucket_index\n"
	    "and\n.B whitelist.bucket_list\n"
	    "(up to %d buckets, 0xFFFF ends the list) and reads\n"
	    ".BR whitelist.bucket_window .\n"
	    "For each listed bucket in order the window holds its entry count, the\n"
	    "number of entries given here, then each entry as its UID (10\n"
	    "registers, as in WHITELIST ENTRY) and the CRC\\-16/MODBUS of its 58\n"
	    "wire bytes (1 register).\n"
	    "The first listed bucket starts at\n.BR whitelist.bucket_index ,\n"
	    "the others at 0.\n"
	    "A bucket whose entries do not all fit gets as many as fit and ends\n"
	    "the window; a bucket whose two counts do not fit is left out; the\n"
	    "rest reads 0.\n"
	    "The master holds the entries it wants, so a UID and a check tell\n"
	    "added, removed and changed entries apart; it writes the changes and\n"
	    "checks\n.B whitelist.digest\n"
	    "at the end.\n"
	    ".PP\n"
	    "Why entries are given as UID and check: repairing 100 differences on\n"
	    "a 10,000\\-card list reads all digests (0.9 s at 115200 baud) and\n"
	    "about 100 buckets of 3.4 entries; as whole 58\\-byte entries, 4 to a\n"
	    "window, that alone is 2.5 s of line time, as 22 bytes each, several\n"
	    "buckets to a window, 0.9 s.\n",
	    PROTO_WL_BUCKETS, PROTO_N_WL_BUCKET_DIGESTS,
	    (PROTO_WL_BUCKETS + PROTO_N_WL_BUCKET_DIGESTS - 1) / PROTO_N_WL_BUCKET_DIGESTS,
	    PROTO_BUCKET_LIST_MAX);
}

/* Protocol 1.1: signed records and their OCMF payload (cap SIGNED). */
static void
man_signed(void)
{
	printf(".SH SIGNED RECORDS\n"
	    "A pile with capability bit 6 (SIGNED) and protocol 1.1 signs each\n"
	    "record when it closes the session, with ECDSA on curve secp256r1\n"
	    "(P\\-256) over SHA\\-256: OCMF's default algorithm,\n"
	    ".BR ECDSA\\-secp256r1\\-SHA256 .\n"
	    ".B identity.public_key\n"
	    "holds its public key, X then Y, 32 bytes each, big\\-endian (the\n"
	    "uncompressed point without its 04 prefix).\n"
	    "One FC 23 writes\n.B records.signed_cursor\n"
	    "and reads\n.BR records.signed_window :\n"
	    "a count (1, or 0 past the newest record), the record's %d registers\n"
	    "as in RECORD LAYOUT, and its signature r then s, 32 bytes each (all\n"
	    "zero when the record is unsigned).\n"
	    "The signature does not cover the record's bytes but the record's\n"
	    "OCMF payload (below), so an OCMF verifier checks it as it stands;\n"
	    "the synced flag is in neither, as it changes after the signature.\n"
	    ".PP\n"
	    "pilecon pins a pile's key in its archive at the first pull (trust on\n"
	    "first use, as ssh does) or takes it from a provisioning file, checks\n"
	    "every record's signature when it pulls it, and keeps apart (never\n"
	    "exports as good) a record whose signature fails and every record of\n"
	    "a pile whose key is not the pinned one.\n"
	    "A 1.0 pile's records are archived and exported as unsigned.\n"
	    ".SH OCMF MAPPING\n"
	    "The payload is the data section of an Open Charge Metering Format\n"
	    "(OCMF 1.0, SAFE e.V.) record: JSON with the keys below in this order,\n"
	    "no whitespace anywhere, every number a decimal integer without sign\n"
	    "or leading zeros unless given otherwise.\n"
	    "Strings are the record's bytes up to their first NUL, with\n"
	    "\\(dq and \\e escaped by a backslash and bytes below 0x20 as\n"
	    "\\eu00xx (lower\\-case hex); every other byte as it is (UTF\\-8 stays\n"
	    "UTF\\-8).\n"
	    "SERIAL is\n.BR identity.serial .\n"
	    ".TS\nl l.\n"
	    "FV\t\\(dq1.0\\(dq\n"
	    "GI\t\\(dqpilecon\\(dq (the gateway: the pile's signing part)\n"
	    "GS\tSERIAL\n"
	    "PG\t\\(dqT\\(dq and the record's sequence number: \\(dqT42\\(dq\n"
	    "MS\tSERIAL (the meter is the pile's own)\n"
	    "IS\ttrue\n"
	    "IL\t\\(dqHEARSAY\\(dq for a card, \\(dqTRUSTED\\(dq for an app order\n"
	    "IT\t\\(dqISO14443\\(dq for a card, \\(dqCENTRAL\\(dq for an app order\n"
	    "ID\tthe record's tag: card UID (upper\\-case hex) or order id\n"
	    "RD\t[begin reading, end reading]\n"
	    "XK\tkind (RECORD KINDS)\n"
	    "XO\t1 when started offline, else 0\n"
	    "XR\tstop reason (STOP REASONS)\n"
	    "XT\ttariff version\n"
	    "XE\t[energy Wh of sharp, peak, flat, valley]\n"
	    "XF\t[energy fee, minor units, of the same four periods]\n"
	    "XS\t[service fee, minor units, of the same four periods]\n"
	    "XH\tholder name\n"
	    ".TE\n"
	    ".PP\n"
	    "The begin and the end reading (OCMF leaves out what equals the\n"
	    "previous reading):\n"
	    ".RS\n.nf\n"
	    "{\\(dqTM\\(dq:START,\\(dqTX\\(dq:\\(dqB\\(dq,\\(dqRV\\(dq:KWH,\\(dqRI\\(dq:\\(dq1\\-b:1.8.0\\(dq,\n"
	    " \\(dqRU\\(dq:\\(dqkWh\\(dq,\\(dqRT\\(dq:\\(dqAC\\(dq,\\(dqST\\(dq:\\(dqG\\(dq}\n"
	    "{\\(dqTM\\(dq:STOP,\\(dqTX\\(dq:T,\\(dqRV\\(dq:KWH}\n"
	    ".fi\n.RE\n"
	    "(shown on two lines here; one line, no spaces, in the payload).\n"
	    "START and STOP are the record's times in UTC as OCMF's TM with\n"
	    "milliseconds and the clock state I (informative):\n"
	    "\\(dq2026\\-12\\-04T10:00:00,000+0000 I\\(dq.\n"
	    "KWH is the meter reading in kWh with exactly three decimals, i.e.\n"
	    "Wh / 1000 and Wh mod 1000: 1234567 Wh is 1234.567.\n"
	    "T is the OCMF end code of the stop reason: L for unplugged or card,\n"
	    "R remote, P power loss, A fault, E otherwise.\n"
	    "The X keys are OCMF's vendor extension (keys beginning with U to Z):\n"
	    "they carry what a bill needs, so the signature covers every money\n"
	    "figure.\n"
	    ".PP\n"
	    ".B pilecon logs export \\-\\-format ocmf\n"
	    "writes one line per signed record (unsigned ones have no OCMF form\n"
	    "and are left out):\n"
	    ".RS\n.nf\n"
	    "OCMF|PAYLOAD|{\\(dqSA\\(dq:\\(dqECDSA\\-secp256r1\\-SHA256\\(dq,\\(dqSD\\(dq:\\(dqHEX\\(dq}\n"
	    ".fi\n.RE\n"
	    "HEX being the signature as DER (an ASN.1 SEQUENCE of the INTEGERs r\n"
	    "and s) in upper\\-case hex: OCMF's defaults SE hex and SM\n"
	    "application/x\\-der, so left out; the raw r | s of the wire is not\n"
	    "what OCMF verifiers expect.\n"
	    "Before the first line it concerns, the export says in comment\n"
	    "lines what a verifier with no archive needs (SERIAL a JSON string,\n"
	    "numbers decimal):\n"
	    ".RS\n.nf\n"
	    "# public_key SERIAL KEY\n"
	    "# series SERIAL STORE_ID\n"
	    "# tariff VERSION E,E,E,E S,S,S,S\n"
	    ".fi\n.RE\n"
	    "KEY is the pile's public key as hex of its DER\n"
	    "SubjectPublicKeyInfo; STORE_ID the store the following records of\n"
	    "the pile come from (CUSTODY: a store identity), as an OCMF payload\n"
	    "names none; E and S the energy and service prices of tariff\n"
	    "VERSION for sharp, peak, flat and valley, in 0.00001 currency units\n"
	    "per kWh,\n"
	    "from the tariffs the archive kept (a version it never saw has no\n"
	    "line).\n"
	    "The notes are not signed: a verifier checks the signatures with the\n"
	    "keys it trusts\n"
	    ".RB ( \"pilecon logs verify \\-\\-keys\" )\n"
	    "and takes KEY only when it has none; a record whose tariff has no\n"
	    "line has its money counted unchecked, not right.\n"
	    ".PP\n"
	    "CSV and JSON Lines exports carry per record the signature (hex of\n"
	    "r | s) and the public key (hex of its DER SubjectPublicKeyInfo, what\n"
	    ".B openssl pkey \\-pubin \\-inform DER\n"
	    "reads), and\n.B pilecon logs verify\n"
	    "rebuilds each payload from the exported fields; from an OCMF\n"
	    "export it rebuilds the record from the payload, refuses a payload\n"
	    "that is not byte for byte the canonical one, and checks the\n"
	    "signature over the payload as it stands.\n",
	    PROTO_RECORD_REGS);
}

/* Protocol 1.1: a store that fills, and custody (caps STORE, CUSTODY). */
static void
man_custody(void)
{
	printf(".SH CUSTODY\n"
	    "A real pile holds a few thousand records\n"
	    ".RB ( identity.record_capacity ),\n"
	    "and during a long outage none of them is acknowledged by the cloud.\n"
	    "A pile with capability bit 8 (STORE) shows how full its store is:\n"
	    ".B live.record_free\n"
	    "is how many records it can take before it must reuse space,\n"
	    ".B live.oldest_unacked\n"
	    "the start of the oldest record the cloud has not acknowledged, and\n"
	    ".B live.store_id\n"
	    "a nonzero number drawn when the store is created or reset: the same\n"
	    "serial with another store_id numbers another series of records from\n"
	    "1, so a master keys records by serial, store_id and sequence number\n"
	    "and never takes a renumbered pile for one that is up to date.\n"
	    ".PP\n"
	    "A pile never overwrites a record that is neither synced (acknowledged\n"
	    "by the cloud) nor in custody.\n"
	    "When it has no such room,\n"
	    ".B settings.full_policy\n"
	    "decides (see FULL POLICIES): refuse offline charging, the default\n"
	    "(the card's auth result reads store full), or charge without a record;\n"
	    ".B live.refused_full\n"
	    "and\n.B live.unrecorded\n"
	    "count those sessions.\n"
	    ".PP\n"
	    "Custody (capability bit 9, CUSTODY) is how a technician makes room\n"
	    "without the cloud.\n"
	    "After a pull whose records all checked (each signature on a SIGNED\n"
	    "pile, each CRC\\-32 on another), the master writes the custody block\n"
	    "whole, in its authenticated session (through\n.B session.envelope\n"
	    "on a pile with WRITE_MAC):\n"
	    ".BR custody.first_seq ,\n"
	    ".B custody.last_seq\n"
	    "and\n.BR custody.sha256 ,\n"
	    "the SHA\\-256 over the records first..last in sequence order, each as\n"
	    "its %d wire bytes (RECORD LAYOUT) with the synced flag cleared, as the\n"
	    "master holds them.\n"
	    "The pile hashes its own records of that range and marks the range in\n"
	    "custody only when every one of them is held and the digests are\n"
	    "equal; a normal answer means it did.\n"
	    "Otherwise it answers exception 04, marks nothing, and\n"
	    ".B custody.result\n"
	    "says why (see CUSTODY RESULTS): a record changed on either side (one\n"
	    "byte is enough), a range the pile no longer holds whole, or first\n"
	    "after last.\n"
	    "Marks are stored like records: appended and flushed before the\n"
	    "answer, so a power cut after it keeps them.\n"
	    "Marking a range again, or one that overlaps, is harmless.\n"
	    ".PP\n"
	    ".B live.custody_count\n"
	    "is how many records the pile holds in custody that the cloud has not\n"
	    "acknowledged, and\n.B live.custody_last_seq\n"
	    "the newest one.\n"
	    "When the store is full the pile reuses space oldest first, and only\n"
	    "that of records synced or in custody.\n"
	    "Records in custody are still uploaded by resync when the link comes\n"
	    "back, as long as the pile holds them, so a record may reach the cloud\n"
	    "twice: once in the technician's export, once by resync.\n"
	    "The cloud keeps one copy by serial, store_id and sequence number\n"
	    "(an OCMF line carries no store_id: it is matched by content).\n"
	    ".PP\n"
	    ".B pilecon logs pull \\-\\-custody\n"
	    "pulls, verifies and hands the pulled range over in one go, and\n"
	    ".B pilecon status\n"
	    "shows store use, days left at the outage's session rate, records in\n"
	    "custody and the oldest record not acknowledged;\n"
	    ".B pilesim ctl cloud import\n"
	    "plays the operator who takes the export back (see\n"
	    ".BR pilesim (1)).\n",
	    PROTO_RECORD_BYTES);
}

static void
man(void)
{
	man_head();
	man_transport();
	man_function_codes();
	man_blocks();
	man_registers();
	man_enums();
	man_layouts();
	man_transactions();
	man_auth();
	man_write_mac();
	man_staging();
	man_signed();
	man_custody();
	man_exceptions();
}

/* ---- YAML --------------------------------------------------------------- */

static void
yq(const char *str)
{
	char		*safe = text_safe(str, 0);
	const char	*s = safe;

	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
	free(safe);
}

static void
yaml_values(const struct proto_enum *e, const char *indent)
{
	size_t	i;

	for (i = 0; i < e->len; i++) {
		printf("%s- { value: %u, name: ", indent, e->values[i].value);
		yq(e->values[i].name);
		printf(" }\n");
	}
}

static void
yaml_fields(const char *key, const struct field *f, size_t n, const char *unit)
{
	size_t	i;

	printf("%s:\n", key);
	for (i = 0; i < n; i++) {
		printf("    - { name: %s, %s: %u, size: %u, type: ", f[i].name, unit,
		    f[i].off, f[i].size);
		yq(f[i].type);
		printf(", doc: ");
		yq(f[i].doc);
		printf(" }\n");
	}
}

static void
yaml(void)
{
	const struct proto_enum	*e;
	size_t			 i, j;

	printf("# pilecon register map: generated by src/proto/regmap-doc --yaml from\n"
	    "# src/proto/regmap.h and src/proto/names.c; do not edit.\n"
	    "# See pilecon-protocol(7) for the transactions and authentication.\n");
	printf("protocol: pilecon\nversion: \"%d.%d\"\n", PROTO_VERSION >> 8,
	    PROTO_VERSION & 0xFF);
	printf("transport: modbus-rtu\nbyte_order: big-endian\n"
	    "u32_word_order: high-first\nstring_encoding: utf-8\n"
	    "addresses: 0-based\n");
	printf("limits: { read: %d, write_multiple: %d, read_write_write: %d }\n",
	    PROTO_READ_MAX, PROTO_WRITE_MAX, PROTO_RW_WRITE_MAX);
	e = &proto_enums[PROTO_ENUM_FC];
	printf("function_codes:\n");
	yaml_values(e, "  ");
	printf("blocks:\n");
	for (i = 0; i < proto_blocks_len; i++) {
		const struct proto_block *b = &proto_blocks[i];

		printf("  - name: %s\n    address: %u\n    address_hex: \"0x%04X\"\n"
		    "    count: %u\n    registers:\n", b->name, b->addr, b->addr,
		    b->count);
		for (j = 0; j < proto_regmap_len; j++) {
			const struct proto_reg *r = &proto_regmap[j];

			if (proto_block_at(r->addr) != b)
				continue;
			printf("      - name: %s\n        address: %u\n"
			    "        address_hex: \"0x%04X\"\n        count: %u\n"
			    "        type: %s\n        access: %s\n        unit: ",
			    r->name, r->addr, r->addr, r->count,
			    type_names[r->type], access_names[r->access]);
			yq(r->unit);
			printf("\n        doc: ");
			yq(r->doc);
			printf("\n");
			if ((e = proto_enum_of_reg(r->name)) != NULL)
				printf("        values: %s\n", e->key);
		}
	}
	printf("values:\n");
	for (i = 0; i < PROTO_ENUM_COUNT; i++) {
		if (i == PROTO_ENUM_FC)
			continue;
		printf("  %s:\n", proto_enums[i].key);
		yaml_values(&proto_enums[i], "    ");
	}
	printf("record:\n  bytes: %d\n  registers: %d\n  window_records: %d\n",
	    PROTO_RECORD_BYTES, PROTO_RECORD_REGS, PROTO_REC_WINDOW_RECORDS);
	yaml_fields("  fields", record_fields, NFIELDS(record_fields), "offset");
	printf("whitelist_entry:\n  registers: %d\n  window_entries: %d\n",
	    PROTO_WL_ENTRY_REGS, PROTO_WL_WINDOW_ENTRIES);
	yaml_fields("  fields", entry_fields, NFIELDS(entry_fields), "register");
	printf("auth:\n  mac: hmac-sha256\n  key_bytes: %d\n"
	    "  message: [challenge(16), serial(16, nul-padded), address(1)]\n",
	    PROTO_KEY_BYTES);
	printf("write_mac:\n  capability: %d\n  session_key: hmac-sha256(key, "
	    "[\"%s\"(15), challenge(16), serial(16, nul-padded), address(1)])\n"
	    "  envelope: [target(1), count(1), counter(2), values(count), mac(%d)]\n"
	    "  max_values: %d\n"
	    "  mac: first %d bytes of hmac-sha256(ks, [serial(16, nul-padded), "
	    "address(1), target(2), count(2), counter(4), values(2*count)])\n",
	    PROTO_CAP_WRITE_MAC, PROTO_SESSION_KEY_LABEL,
	    PROTO_SESSION_MAC_BYTES / 2, PROTO_ENVELOPE_MAX,
	    PROTO_SESSION_MAC_BYTES);
}

int
main(int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "--man") != 0 &&
	    strcmp(argv[1], "--yaml") != 0)) {
		fprintf(stderr, "usage: regmap-doc --man | --yaml\n");
		return 2;
	}
	if (layout_check() != 0)
		return 1;
	if (strcmp(argv[1], "--man") == 0)
		man();
	else
		yaml();
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "regmap-doc: cannot write the output\n");
		return 1;
	}
	return 0;
}
