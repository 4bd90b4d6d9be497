/* frame.c - Modbus RTU application data units: encoders for requests and
 * replies of FC 03, 04, 06, 16 and 23, and decoders for both sides. */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "proto.h"

/*
 * Frame layouts (Modbus Application Protocol V1.1b3 §6; RTU adds the unit
 * in front and the CRC-16, low byte first, at the end):
 *
 *   03/04 request   unit fc addr:2 qty:2 crc:2                        8
 *   06 request      unit fc addr:2 value:2 crc:2                      8
 *   16 request      unit fc addr:2 qty:2 bc value:2*qty crc:2         9 + bc
 *   23 request      unit fc raddr:2 rqty:2 waddr:2 wqty:2 bc
 *                   value:2*wqty crc:2                               13 + bc
 *   03/04/23 reply  unit fc bc value:2*qty crc:2                      5 + bc
 *   06 reply        echo of the request                               8
 *   16 reply        unit fc addr:2 qty:2 crc:2                        8
 *   exception       unit fc|0x80 code crc:2                           5
 */

#define UNIT_MAX	247	/* 248..255 are reserved (serial line §2.2) */

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xFF;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Appends the CRC to the len bytes in buf and returns the frame length. */
static int
seal(uint8_t *buf, size_t len)
{
	uint16_t	crc = proto_crc16(buf, len);

	buf[len] = crc & 0xFF;
	buf[len + 1] = crc >> 8;
	return (int)len + 2;
}

/* 1 when the last two of len bytes are the CRC of the ones before. */
static int
crc_ok(const uint8_t *buf, size_t len)
{
	uint16_t	crc = proto_crc16(buf, len - 2);

	return buf[len - 2] == (crc & 0xFF) && buf[len - 1] == (crc >> 8);
}

static int
read_count_ok(unsigned n)
{
	return n >= 1 && n <= PROTO_READ_MAX;
}

static int
put_values(uint8_t *p, const uint16_t *values, unsigned n)
{
	unsigned	i;

	for (i = 0; i < n; i++)
		put16(p + 2 * i, values[i]);
	return (int)(2 * n);
}

static void
get_values(const uint8_t *p, uint16_t *values, unsigned n)
{
	unsigned	i;

	for (i = 0; i < n; i++)
		values[i] = get16(p + 2 * i);
}

size_t
proto_response_length(const struct proto_request *req)
{
	switch (req->fc) {
	case PROTO_FC_READ_HOLDING:
	case PROTO_FC_READ_INPUT:
	case PROTO_FC_READ_WRITE_MULTIPLE:
		return 5 + 2 * (size_t)req->read_count;
	case PROTO_FC_WRITE_SINGLE:
	case PROTO_FC_WRITE_MULTIPLE:
		return 8;
	}
	return 5;
}

int
proto_request_encode(const struct proto_request *req, uint8_t *buf, size_t size)
{
	size_t	len;

	if (req->unit > UNIT_MAX)
		return -1;
	switch (req->fc) {
	case PROTO_FC_READ_HOLDING:
	case PROTO_FC_READ_INPUT:
		if (!read_count_ok(req->read_count))
			return -1;
		len = 8;
		break;
	case PROTO_FC_WRITE_SINGLE:
		len = 8;
		break;
	case PROTO_FC_WRITE_MULTIPLE:
		if (req->write_count < 1 || req->write_count > PROTO_WRITE_MAX)
			return -1;
		len = 9 + 2 * (size_t)req->write_count;
		break;
	case PROTO_FC_READ_WRITE_MULTIPLE:
		if (!read_count_ok(req->read_count) ||
		    req->write_count < 1 || req->write_count > PROTO_RW_WRITE_MAX)
			return -1;
		len = 13 + 2 * (size_t)req->write_count;
		break;
	default:
		return -1;
	}
	if (len > size)
		return -1;

	buf[0] = req->unit;
	buf[1] = req->fc;
	switch (req->fc) {
	case PROTO_FC_READ_HOLDING:
	case PROTO_FC_READ_INPUT:
		put16(buf + 2, req->read_addr);
		put16(buf + 4, req->read_count);
		return seal(buf, 6);
	case PROTO_FC_WRITE_SINGLE:
		put16(buf + 2, req->write_addr);
		put16(buf + 4, req->values[0]);
		return seal(buf, 6);
	case PROTO_FC_WRITE_MULTIPLE:
		put16(buf + 2, req->write_addr);
		put16(buf + 4, req->write_count);
		buf[6] = 2 * req->write_count;
		return seal(buf, 7 + put_values(buf + 7, req->values,
		    req->write_count));
	default:	/* PROTO_FC_READ_WRITE_MULTIPLE */
		put16(buf + 2, req->read_addr);
		put16(buf + 4, req->read_count);
		put16(buf + 6, req->write_addr);
		put16(buf + 8, req->write_count);
		buf[10] = 2 * req->write_count;
		return seal(buf, 11 + put_values(buf + 11, req->values,
		    req->write_count));
	}
}

int
proto_exception_encode(uint8_t unit, uint8_t fc, uint8_t ex, uint8_t *buf,
    size_t size)
{
	if (size < 5 || unit > UNIT_MAX || (fc & 0x80) || fc == 0 || ex == 0)
		return -1;
	buf[0] = unit;
	buf[1] = fc | 0x80;
	buf[2] = ex;
	return seal(buf, 3);
}

int
proto_response_encode(const struct proto_response *resp, uint8_t *buf,
    size_t size)
{
	if (resp->exception != 0)
		return proto_exception_encode(resp->unit, resp->fc,
		    resp->exception, buf, size);
	if (resp->unit > UNIT_MAX)
		return -1;
	switch (resp->fc) {
	case PROTO_FC_READ_HOLDING:
	case PROTO_FC_READ_INPUT:
	case PROTO_FC_READ_WRITE_MULTIPLE:
		if (!read_count_ok(resp->nregs) ||
		    5 + 2 * (size_t)resp->nregs > size)
			return -1;
		buf[0] = resp->unit;
		buf[1] = resp->fc;
		buf[2] = 2 * resp->nregs;
		return seal(buf, 3 + put_values(buf + 3, resp->regs,
		    resp->nregs));
	case PROTO_FC_WRITE_SINGLE:
	case PROTO_FC_WRITE_MULTIPLE:
		if (size < 8)
			return -1;
		if (resp->fc == PROTO_FC_WRITE_MULTIPLE &&
		    (resp->value < 1 || resp->value > PROTO_WRITE_MAX))
			return -1;
		buf[0] = resp->unit;
		buf[1] = resp->fc;
		put16(buf + 2, resp->addr);
		put16(buf + 4, resp->value);
		return seal(buf, 6);
	}
	return -1;
}

/*
 * Slave side. The length follows from the function code and, for 16 and 23,
 * the byte count, so a frame is recognised as soon as its last byte is in.
 * A byte count that cannot fit an ADU is refused at once rather than waited
 * for. Quantities are checked after the CRC, so a CRC-valid frame with an
 * impossible quantity returns PROTO_E_FRAME with unit and fc filled: the
 * slave answers it with exception 03 (Application Protocol §7). Unit and fc
 * are filled for PROTO_E_FUNCTION too (exception 01 once the line is silent).
 */
int
proto_request_decode(const uint8_t *buf, size_t len, struct proto_request *req)
{
	size_t		need;
	unsigned	bc = 0, qty;

	memset(req, 0, sizeof *req);
	if (len < 2)
		return PROTO_NEED_MORE;
	req->unit = buf[0];
	req->fc = buf[1];
	switch (buf[1]) {
	case PROTO_FC_READ_HOLDING:
	case PROTO_FC_READ_INPUT:
	case PROTO_FC_WRITE_SINGLE:
		need = 8;
		break;
	case PROTO_FC_WRITE_MULTIPLE:
		if (len < 7)
			return PROTO_NEED_MORE;
		bc = buf[6];
		need = 9 + bc;
		break;
	case PROTO_FC_READ_WRITE_MULTIPLE:
		if (len < 11)
			return PROTO_NEED_MORE;
		bc = buf[10];
		need = 13 + bc;
		break;
	default:
		return PROTO_E_FUNCTION;
	}
	if (need > PROTO_ADU_MAX)
		return PROTO_E_FRAME;
	if (len < need)
		return PROTO_NEED_MORE;
	if (!crc_ok(buf, need))
		return PROTO_E_CRC;

	switch (buf[1]) {
	case PROTO_FC_READ_HOLDING:
	case PROTO_FC_READ_INPUT:
		req->read_addr = get16(buf + 2);
		req->read_count = get16(buf + 4);
		if (!read_count_ok(req->read_count))
			return PROTO_E_FRAME;
		break;
	case PROTO_FC_WRITE_SINGLE:
		req->write_addr = get16(buf + 2);
		req->write_count = 1;
		req->values[0] = get16(buf + 4);
		break;
	case PROTO_FC_WRITE_MULTIPLE:
		req->write_addr = get16(buf + 2);
		qty = get16(buf + 4);
		if (qty < 1 || qty > PROTO_WRITE_MAX || bc != 2 * qty)
			return PROTO_E_FRAME;
		req->write_count = qty;
		get_values(buf + 7, req->values, qty);
		break;
	default:	/* PROTO_FC_READ_WRITE_MULTIPLE */
		req->read_addr = get16(buf + 2);
		req->read_count = get16(buf + 4);
		req->write_addr = get16(buf + 6);
		qty = get16(buf + 8);
		if (!read_count_ok(req->read_count) ||
		    qty < 1 || qty > PROTO_RW_WRITE_MAX || bc != 2 * qty)
			return PROTO_E_FRAME;
		req->write_count = qty;
		get_values(buf + 11, req->values, qty);
		break;
	}
	return (int)need;
}

/*
 * Length of a reply frame starting in buf, whatever request it answers:
 * 0 when more bytes are needed to tell, negative when no reply can start so.
 */
static int
reply_length(const uint8_t *buf, size_t len, size_t *need)
{
	if (len < 2)
		return PROTO_NEED_MORE;
	if (buf[1] & 0x80) {
		*need = 5;
		return 1;
	}
	switch (buf[1]) {
	case PROTO_FC_READ_HOLDING:
	case PROTO_FC_READ_INPUT:
	case PROTO_FC_READ_WRITE_MULTIPLE:
		if (len < 3)
			return PROTO_NEED_MORE;
		if (buf[2] == 0 || buf[2] % 2 != 0 ||
		    buf[2] > 2 * PROTO_READ_MAX)
			return PROTO_E_FRAME;
		*need = 5 + (size_t)buf[2];
		return 1;
	case PROTO_FC_WRITE_SINGLE:
	case PROTO_FC_WRITE_MULTIPLE:
		*need = 8;
		return 1;
	}
	return PROTO_E_FUNCTION;
}

/*
 * Master side. A CRC-valid frame that is not the answer to req (another
 * unit, another function, a byte count or echo that does not fit) is
 * PROTO_E_MISMATCH: a late reply to an earlier request, or a second device
 * on the bus answering to the same address.
 */
int
proto_response_decode(const uint8_t *buf, size_t len,
    const struct proto_request *req, struct proto_response *resp)
{
	size_t	need = 0;
	int	rc;

	memset(resp, 0, sizeof *resp);
	if ((rc = reply_length(buf, len, &need)) <= 0)
		return rc;
	if (len < need)
		return PROTO_NEED_MORE;
	if (!crc_ok(buf, need))
		return PROTO_E_CRC;

	resp->unit = buf[0];
	resp->fc = buf[1] & 0x7F;
	if (resp->unit != req->unit || resp->fc != req->fc)
		return PROTO_E_MISMATCH;
	if (buf[1] & 0x80) {
		resp->exception = buf[2];
		return resp->exception == 0 ? PROTO_E_FRAME : (int)need;
	}
	switch (resp->fc) {
	case PROTO_FC_READ_HOLDING:
	case PROTO_FC_READ_INPUT:
	case PROTO_FC_READ_WRITE_MULTIPLE:
		if (buf[2] != 2 * req->read_count)
			return PROTO_E_MISMATCH;
		resp->nregs = req->read_count;
		get_values(buf + 3, resp->regs, resp->nregs);
		break;
	case PROTO_FC_WRITE_SINGLE:
		resp->addr = get16(buf + 2);
		resp->value = get16(buf + 4);
		if (resp->addr != req->write_addr ||
		    resp->value != req->values[0])
			return PROTO_E_MISMATCH;
		break;
	default:	/* PROTO_FC_WRITE_MULTIPLE */
		resp->addr = get16(buf + 2);
		resp->value = get16(buf + 4);
		if (resp->addr != req->write_addr ||
		    resp->value != req->write_count)
			return PROTO_E_MISMATCH;
		break;
	}
	return (int)need;
}

/*
 * Modbus over serial line V1.02 §2.5.1.1: a character is start, 8 data,
 * parity or a second stop, stop: 11 bits (10 for the 8N1 the field also
 * uses); frames are separated by 3.5 character times, fixed at 1750 us above
 * 19200 baud so that fast lines do not need microsecond timers. Rounded up:
 * a silence too short splits frames.
 */
unsigned
proto_char_bits(char parity, unsigned stop_bits)
{
	return 1 + 8 + (parity == 'E' || parity == 'O') + (stop_bits == 2 ? 2 : 1);
}

int
proto_parse_framing(const char *s, char *parity, unsigned *stop_bits)
{
	char	p;

	if (strlen(s) != 3 || s[0] != '8')
		return -1;
	p = s[1];
	if (p == 'n' || p == 'e' || p == 'o')
		p = (char)(p - 'a' + 'A');
	if ((p != 'N' && p != 'E' && p != 'O') || (s[2] != '1' && s[2] != '2'))
		return -1;
	*parity = p;
	*stop_bits = (unsigned)(s[2] - '0');
	return 0;
}

int
proto_parse_parity(const char *s, char *parity)
{
	if (strcasecmp(s, "none") == 0 || strcasecmp(s, "n") == 0)
		*parity = 'N';
	else if (strcasecmp(s, "even") == 0 || strcasecmp(s, "e") == 0)
		*parity = 'E';
	else if (strcasecmp(s, "odd") == 0 || strcasecmp(s, "o") == 0)
		*parity = 'O';
	else
		return -1;
	return 0;
}

unsigned
proto_t35_us(unsigned baud, unsigned char_bits)
{
	if (baud == 0 || baud > 19200)
		return 1750;
	return (unsigned)((3500000ULL * char_bits + baud - 1) / baud);
}

unsigned
proto_char_us(unsigned baud, unsigned char_bits)
{
	if (baud == 0)
		return 0;
	return (unsigned)((1000000ULL * char_bits + baud - 1) / baud);
}
