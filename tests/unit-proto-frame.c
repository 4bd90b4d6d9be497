/* unit-proto-frame - Modbus RTU framing: every function code both ways,
 * every exception, partial and corrupted frames, limits, mismatched replies
 * and the serial line timing. */
#include "config.h"

#include <string.h>

#include "proto.h"
#include "tap.h"

static int
seal(uint8_t *buf, size_t len)
{
	uint16_t	crc = proto_crc16(buf, len);

	buf[len] = crc & 0xFF;
	buf[len + 1] = crc >> 8;
	return (int)len + 2;
}

static struct proto_request
make_request(uint8_t fc, unsigned nread, unsigned nwrite)
{
	struct proto_request	req;
	unsigned		i;

	memset(&req, 0, sizeof req);
	req.unit = 17;
	req.fc = fc;
	req.read_addr = 0x1000;
	req.read_count = nread;
	req.write_addr = 0x0480;
	req.write_count = nwrite;
	/* Counts past the limit are for refusal tests: values stay in bounds. */
	for (i = 0; i < nwrite && i < PROTO_WRITE_MAX; i++)
		req.values[i] = (uint16_t)(0xA500 + i * 7);
	return req;
}

static struct proto_response
make_response(const struct proto_request *req)
{
	struct proto_response	resp;
	unsigned		i;

	memset(&resp, 0, sizeof resp);
	resp.unit = req->unit;
	resp.fc = req->fc;
	if (req->fc == PROTO_FC_WRITE_SINGLE) {
		resp.addr = req->write_addr;
		resp.value = req->values[0];
	} else if (req->fc == PROTO_FC_WRITE_MULTIPLE) {
		resp.addr = req->write_addr;
		resp.value = req->write_count;
	} else {
		resp.nregs = req->read_count;
		for (i = 0; i < resp.nregs; i++)
			resp.regs[i] = (uint16_t)(i * 0x0101 + 3);
	}
	return resp;
}

static int
same_request(const struct proto_request *a, const struct proto_request *b)
{
	int	reads = a->fc != PROTO_FC_WRITE_SINGLE &&
		    a->fc != PROTO_FC_WRITE_MULTIPLE;
	int	writes = a->fc != PROTO_FC_READ_HOLDING &&
		    a->fc != PROTO_FC_READ_INPUT;

	if (a->unit != b->unit || a->fc != b->fc)
		return 0;
	if (reads && (a->read_addr != b->read_addr ||
	    a->read_count != b->read_count))
		return 0;
	if (writes && (a->write_addr != b->write_addr ||
	    a->write_count != b->write_count ||
	    memcmp(a->values, b->values, a->write_count * 2) != 0))
		return 0;
	return 1;
}

static void
test_spec_example(void)
{
	static const uint8_t	query[] = { 0x11, 0x03, 0x00, 0x6B, 0x00, 0x03,
		0x76, 0x87 };
	static const uint8_t	reply[] = { 0x11, 0x03, 0x06, 0x02, 0x2B, 0x00,
		0x00, 0x00, 0x64, 0xC8, 0xBA };
	struct proto_request	req = make_request(PROTO_FC_READ_HOLDING, 3, 0);
	struct proto_response	resp;
	uint8_t			buf[PROTO_ADU_MAX];

	req.read_addr = 0x006B;
	is_int(proto_request_encode(&req, buf, sizeof buf), 8,
	    "read holding registers request is 8 bytes");
	is_mem(buf, query, sizeof query,
	    "read holding registers request matches the specification's frame");
	is_int(proto_response_decode(reply, sizeof reply, &req, &resp), 11,
	    "specification's reply decodes as the answer to its query");
	ok(resp.nregs == 3 && resp.regs[0] == 0x022B && resp.regs[1] == 0 &&
	    resp.regs[2] == 0x0064, "specification's reply carries 555, 0, 100");
}

static void
test_round_trips(void)
{
	static const struct { uint8_t fc; unsigned nread, nwrite; } cases[] = {
		{ PROTO_FC_READ_HOLDING, 1, 0 },
		{ PROTO_FC_READ_HOLDING, PROTO_READ_MAX, 0 },
		{ PROTO_FC_READ_INPUT, 1, 0 },
		{ PROTO_FC_READ_INPUT, PROTO_READ_MAX, 0 },
		{ PROTO_FC_WRITE_SINGLE, 0, 1 },
		{ PROTO_FC_WRITE_MULTIPLE, 0, 1 },
		{ PROTO_FC_WRITE_MULTIPLE, 0, PROTO_WRITE_MAX },
		{ PROTO_FC_READ_WRITE_MULTIPLE, 1, 1 },
		{ PROTO_FC_READ_WRITE_MULTIPLE, PROTO_READ_MAX, 2 },
		{ PROTO_FC_READ_WRITE_MULTIPLE, 3, PROTO_RW_WRITE_MAX },
	};
	size_t			i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct proto_request	req, got;
		struct proto_response	resp, rgot;
		uint8_t			buf[PROTO_ADU_MAX + 8];
		int			n, m;
		size_t			want;

		req = make_request(cases[i].fc, cases[i].nread, cases[i].nwrite);
		n = proto_request_encode(&req, buf, sizeof buf);
		switch (req.fc) {
		case PROTO_FC_WRITE_MULTIPLE:
			want = 9 + 2 * req.write_count;
			break;
		case PROTO_FC_READ_WRITE_MULTIPLE:
			want = 13 + 2 * req.write_count;
			break;
		default:
			want = 8;
		}
		is_int(n, want, "fc %u (%u read, %u written) request is %zu bytes",
		    req.fc, req.read_count, req.write_count, want);
		/* Trailing bytes belong to the next frame, not this one. */
		buf[n] = 0x55;
		is_int(proto_request_decode(buf, n + 1, &got), n,
		    "fc %u request decodes to its own length", req.fc);
		ok(same_request(&req, &got), "fc %u request round trips", req.fc);

		resp = make_response(&req);
		m = proto_response_encode(&resp, buf, sizeof buf);
		is_int(m, proto_response_length(&req),
		    "fc %u reply has the length the request predicts", req.fc);
		is_int(proto_response_decode(buf, m, &req, &rgot), m,
		    "fc %u reply decodes as the answer", req.fc);
		ok(rgot.unit == resp.unit && rgot.fc == resp.fc &&
		    rgot.exception == 0 && rgot.nregs == resp.nregs &&
		    rgot.addr == resp.addr && rgot.value == resp.value &&
		    memcmp(rgot.regs, resp.regs, resp.nregs * 2) == 0,
		    "fc %u reply round trips", req.fc);
	}
}

static void
test_exceptions(void)
{
	static const uint8_t	fcs[] = { PROTO_FC_READ_HOLDING, PROTO_FC_READ_INPUT,
		PROTO_FC_WRITE_SINGLE, PROTO_FC_WRITE_MULTIPLE,
		PROTO_FC_READ_WRITE_MULTIPLE };
	uint8_t			ex, buf[PROTO_ADU_MAX];
	size_t			i;
	int			all = 1, words = 1;

	for (i = 0; i < sizeof fcs; i++) {
		struct proto_request	req = make_request(fcs[i], 2, 2);

		for (ex = PROTO_EX_ILLEGAL_FUNCTION; ex <= PROTO_EX_BUSY; ex++) {
			struct proto_response	resp, got;
			int			n;

			memset(&resp, 0, sizeof resp);
			resp.unit = req.unit;
			resp.fc = req.fc;
			resp.exception = ex;
			n = proto_response_encode(&resp, buf, sizeof buf);
			if (n != 5 || buf[1] != (fcs[i] | 0x80) || buf[2] != ex ||
			    proto_response_decode(buf, n, &req, &got) != 5 ||
			    got.exception != ex || got.fc != fcs[i] ||
			    got.unit != req.unit) {
				all = 0;
				printf("# fc %u exception %u failed\n", fcs[i], ex);
			}
			if (strcmp(proto_exception_str(ex), "unknown") == 0)
				words = 0;
		}
	}
	ok(all, "every exception of every function code round trips in 5 bytes");
	ok(words, "every exception reads as words");
	is_str(proto_exception_str(PROTO_EX_ILLEGAL_ADDRESS),
	    "illegal data address: the pile has no such register",
	    "exception 02 in words");
	is_str(proto_exception_str(PROTO_EX_BUSY), "server busy: try again later",
	    "exception 06 in words");
	is_str(proto_exception_str(0x42), "unknown", "an unlisted exception is unknown");
	is_int(proto_exception_encode(1, 3, 0, buf, sizeof buf), -1,
	    "exception code 0 is refused");
	is_int(proto_exception_encode(1, 3, 2, buf, 4), -1,
	    "exception into a 4-byte buffer is refused");
	is_str(proto_fc_name(PROTO_FC_READ_WRITE_MULTIPLE),
	    "read/write multiple registers", "fc 23 has a name");
}

/* Every proper prefix of a valid frame asks for more bytes. */
static void
test_partial(void)
{
	static const uint8_t	fcs[] = { PROTO_FC_READ_HOLDING, PROTO_FC_READ_INPUT,
		PROTO_FC_WRITE_SINGLE, PROTO_FC_WRITE_MULTIPLE,
		PROTO_FC_READ_WRITE_MULTIPLE };
	size_t			i;
	int			len;

	for (i = 0; i < sizeof fcs; i++) {
		struct proto_request	req = make_request(fcs[i], 7, 5), got;
		struct proto_response	resp = make_response(&req), rgot;
		uint8_t			buf[PROTO_ADU_MAX];
		int			n, bad = 0;

		n = proto_request_encode(&req, buf, sizeof buf);
		for (len = 0; len < n; len++)
			if (proto_request_decode(buf, len, &got) != PROTO_NEED_MORE)
				bad++;
		is_int(bad, 0, "every prefix of an fc %u request needs more", fcs[i]);

		n = proto_response_encode(&resp, buf, sizeof buf);
		bad = 0;
		for (len = 0; len < n; len++)
			if (proto_response_decode(buf, len, &req, &rgot) !=
			    PROTO_NEED_MORE)
				bad++;
		is_int(bad, 0, "every prefix of an fc %u reply needs more", fcs[i]);

		n = proto_exception_encode(req.unit, req.fc, 4, buf, sizeof buf);
		bad = 0;
		for (len = 0; len < n; len++)
			if (proto_response_decode(buf, len, &req, &rgot) !=
			    PROTO_NEED_MORE)
				bad++;
		is_int(bad, 0, "every prefix of an fc %u exception needs more", fcs[i]);
	}
}

/*
 * CRC-16 catches every single-bit error. A flipped bit in the function code
 * or byte count changes how long the frame is, so there the decoder may
 * also say "unknown function", "impossible" or "need more"; it never
 * accepts the frame.
 */
static void
test_corruption(void)
{
	struct proto_request	req = make_request(PROTO_FC_READ_WRITE_MULTIPLE, 4, 3), got;
	struct proto_response	resp = make_response(&req), rgot;
	uint8_t			buf[PROTO_ADU_MAX], bad[PROTO_ADU_MAX];
	int			n, bit, rc, accepted = 0, not_crc = 0;

	n = proto_request_encode(&req, buf, sizeof buf);
	for (bit = 0; bit < n * 8; bit++) {
		memcpy(bad, buf, n);
		bad[bit / 8] ^= 1 << (bit % 8);
		rc = proto_request_decode(bad, n, &got);
		if (rc > 0)
			accepted++;
		if (bit / 8 != 1 && bit / 8 != 10 && rc != PROTO_E_CRC)
			not_crc++;
	}
	is_int(accepted, 0, "no single-bit error in a request is accepted");
	is_int(not_crc, 0, "single-bit errors outside fc and byte count are CRC errors");

	n = proto_response_encode(&resp, buf, sizeof buf);
	accepted = not_crc = 0;
	for (bit = 0; bit < n * 8; bit++) {
		memcpy(bad, buf, n);
		bad[bit / 8] ^= 1 << (bit % 8);
		rc = proto_response_decode(bad, n, &req, &rgot);
		if (rc > 0)
			accepted++;
		if (bit / 8 != 1 && bit / 8 != 2 && rc != PROTO_E_CRC)
			not_crc++;
	}
	is_int(accepted, 0, "no single-bit error in a reply is accepted");
	is_int(not_crc, 0, "single-bit errors in a reply outside fc and byte count are CRC errors");
}

static void
test_limits(void)
{
	struct proto_request	req, got;
	struct proto_response	resp;
	uint8_t			buf[PROTO_ADU_MAX + 16];
	int			n;

	req = make_request(PROTO_FC_READ_HOLDING, 126, 0);
	is_int(proto_request_encode(&req, buf, sizeof buf), -1, "reading 126 registers is refused");
	req.read_count = 0;
	is_int(proto_request_encode(&req, buf, sizeof buf), -1, "reading 0 registers is refused");
	req = make_request(PROTO_FC_READ_INPUT, 126, 0);
	is_int(proto_request_encode(&req, buf, sizeof buf), -1, "fc 04 of 126 registers is refused");
	req = make_request(PROTO_FC_WRITE_MULTIPLE, 0, 124);
	is_int(proto_request_encode(&req, buf, sizeof buf), -1, "writing 124 registers with fc 16 is refused");
	req = make_request(PROTO_FC_READ_WRITE_MULTIPLE, 126, 1);
	is_int(proto_request_encode(&req, buf, sizeof buf), -1, "fc 23 reading 126 registers is refused");
	req = make_request(PROTO_FC_READ_WRITE_MULTIPLE, 1, 122);
	is_int(proto_request_encode(&req, buf, sizeof buf), -1, "fc 23 writing 122 registers is refused");
	req = make_request(PROTO_FC_READ_HOLDING, 125, 0);
	is_int(proto_request_encode(&req, buf, 7), -1, "a request larger than the buffer is refused");
	req.fc = 0x2B;
	is_int(proto_request_encode(&req, buf, sizeof buf), -1, "an unknown function is not encoded");
	memset(&resp, 0, sizeof resp);
	resp.unit = 1;
	resp.fc = PROTO_FC_READ_HOLDING;
	resp.nregs = 126;
	is_int(proto_response_encode(&resp, buf, sizeof buf), -1, "a reply of 126 registers is refused");

	/* CRC-valid requests with impossible quantities: the slave answers
	 * exception 03, so unit and fc come back. */
	buf[0] = 5; buf[1] = 0x03; buf[2] = 0; buf[3] = 0; buf[4] = 0; buf[5] = 126;
	n = seal(buf, 6);
	is_int(proto_request_decode(buf, n, &got), PROTO_E_FRAME,
	    "a request for 126 registers is an impossible frame");
	ok(got.unit == 5 && got.fc == 3, "an impossible request still names unit and fc");
	buf[5] = 0;
	n = seal(buf, 6);
	is_int(proto_request_decode(buf, n, &got), PROTO_E_FRAME,
	    "a request for 0 registers is an impossible frame");
	buf[5] = 125;
	n = seal(buf, 6);
	is_int(proto_request_decode(buf, n, &got), 8, "a request for 125 registers is fine");

	/* fc 16: quantity 2 but byte count 6 */
	buf[0] = 5; buf[1] = 0x10; buf[2] = 0; buf[3] = 0; buf[4] = 0; buf[5] = 2;
	buf[6] = 6; memset(buf + 7, 0x11, 6);
	n = seal(buf, 13);
	is_int(proto_request_decode(buf, n, &got), PROTO_E_FRAME,
	    "fc 16 with a byte count other than twice the quantity is impossible");
	/* fc 16 whose byte count cannot fit an ADU: refused without waiting */
	buf[6] = 250;
	is_int(proto_request_decode(buf, 7, &got), PROTO_E_FRAME,
	    "fc 16 byte count past the ADU limit is refused at once");
	/* fc 23: 13 + byte count */
	req = make_request(PROTO_FC_READ_WRITE_MULTIPLE, 10, 4);
	n = proto_request_encode(&req, buf, sizeof buf);
	is_int(n, 13 + 8, "fc 23 request is 13 + byte count bytes");
	buf[8] = 0; buf[9] = 3;	/* write quantity 3, byte count still 8 */
	n = seal(buf, n - 2);
	is_int(proto_request_decode(buf, n, &got), PROTO_E_FRAME,
	    "fc 23 with a byte count other than twice the write quantity is impossible");

	buf[0] = 1; buf[1] = 0x2B; buf[2] = 0x0E;
	is_int(proto_request_decode(buf, 3, &got), PROTO_E_FUNCTION,
	    "an unknown function code is reported as such");
	ok(got.unit == 1 && got.fc == 0x2B, "unknown function request names unit and fc");
	is_int(proto_request_decode(buf, 1, &got), PROTO_NEED_MORE,
	    "one byte is not enough to know the function");
}

static void
test_mismatch(void)
{
	struct proto_request	req = make_request(PROTO_FC_READ_HOLDING, 2, 0), other;
	struct proto_response	resp = make_response(&req), got;
	uint8_t			buf[PROTO_ADU_MAX];
	int			n;

	resp.unit = 18;
	n = proto_response_encode(&resp, buf, sizeof buf);
	is_int(proto_response_decode(buf, n, &req, &got), PROTO_E_MISMATCH,
	    "a reply from another unit is a mismatch");
	buf[n - 1] ^= 0x40;
	is_int(proto_response_decode(buf, n, &req, &got), PROTO_E_CRC,
	    "a corrupted reply from another unit is a CRC error");

	resp = make_response(&req);
	resp.fc = PROTO_FC_READ_INPUT;
	n = proto_response_encode(&resp, buf, sizeof buf);
	is_int(proto_response_decode(buf, n, &req, &got), PROTO_E_MISMATCH,
	    "an fc 04 reply to an fc 03 request is a mismatch");

	resp = make_response(&req);
	resp.nregs = 3;
	n = proto_response_encode(&resp, buf, sizeof buf);
	is_int(proto_response_decode(buf, n, &req, &got), PROTO_E_MISMATCH,
	    "a reply of 3 registers to a read of 2 is a mismatch");

	n = proto_exception_encode(18, PROTO_FC_READ_HOLDING, 2, buf, sizeof buf);
	is_int(proto_response_decode(buf, n, &req, &got), PROTO_E_MISMATCH,
	    "an exception from another unit is a mismatch");
	n = proto_exception_encode(17, PROTO_FC_WRITE_SINGLE, 2, buf, sizeof buf);
	is_int(proto_response_decode(buf, n, &req, &got), PROTO_E_MISMATCH,
	    "an exception for another function is a mismatch");

	other = make_request(PROTO_FC_WRITE_SINGLE, 0, 1);
	resp = make_response(&other);
	resp.value ^= 1;
	n = proto_response_encode(&resp, buf, sizeof buf);
	is_int(proto_response_decode(buf, n, &other, &got), PROTO_E_MISMATCH,
	    "an fc 06 echo of another value is a mismatch");

	other = make_request(PROTO_FC_WRITE_MULTIPLE, 0, 4);
	resp = make_response(&other);
	resp.value = 3;
	n = proto_response_encode(&resp, buf, sizeof buf);
	is_int(proto_response_decode(buf, n, &other, &got), PROTO_E_MISMATCH,
	    "an fc 16 echo of another count is a mismatch");
	resp = make_response(&other);
	resp.addr++;
	n = proto_response_encode(&resp, buf, sizeof buf);
	is_int(proto_response_decode(buf, n, &other, &got), PROTO_E_MISMATCH,
	    "an fc 16 echo of another address is a mismatch");

	buf[0] = 17; buf[1] = 3; buf[2] = 3;
	is_int(proto_response_decode(buf, 3, &req, &got), PROTO_E_FRAME,
	    "a reply with an odd byte count is impossible");
	buf[1] = 0x41;
	is_int(proto_response_decode(buf, 3, &req, &got), PROTO_E_FUNCTION,
	    "a reply with an unknown function is reported as such");
}

static void
test_timing(void)
{
	unsigned	b8e1 = proto_char_bits('E', 1), b8n1 = proto_char_bits('N', 1);

	is_int(b8e1, 11, "8E1 is 11 bits a character");
	is_int(proto_char_bits('O', 1), 11, "8O1 is 11 bits a character");
	is_int(proto_char_bits('N', 2), 11, "8N2 is 11 bits a character");
	is_int(b8n1, 10, "8N1 is 10 bits a character");
	is_int(proto_t35_us(9600, b8e1), 4011, "t3.5 at 9600 8E1 is 38.5 bit times, rounded up");
	is_int(proto_t35_us(9600, b8n1), 3646, "t3.5 at 9600 8N1 is 35 bit times, rounded up");
	is_int(proto_t35_us(19200, b8e1), 2006, "t3.5 at 19200 baud still follows the baud rate");
	is_int(proto_t35_us(38400, b8e1), 1750, "t3.5 above 19200 baud is fixed at 1750 us");
	is_int(proto_t35_us(115200, b8n1), 1750, "t3.5 at 115200 baud is 1750 us whatever the framing");
	is_int(proto_char_us(9600, b8e1), 1146, "a character at 9600 8E1 is 11 bits");
	is_int(proto_char_us(9600, b8n1), 1042, "a character at 9600 8N1 is 10 bits");
	is_int(proto_char_us(115200, b8e1), 96, "a character at 115200 8E1 is 11 bits");
}

int
main(void)
{
	test_spec_example();
	test_round_trips();
	test_exceptions();
	test_partial();
	test_corruption();
	test_limits();
	test_mismatch();
	test_timing();
	return done_testing();
}
