/* fuzz-frame-request.c - the slave side Modbus RTU decoder on any bytes:
 * no crash, a length that fits, a frame recognised only once its last byte
 * is in, encode(decode(x)) == x, and the reply the slave would build for it
 * read back by the master side. */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "proto.h"

#define UNIT_MAX	247

static int
same_request(const struct proto_request *a, const struct proto_request *b)
{
	return a->unit == b->unit && a->fc == b->fc &&
	    a->read_addr == b->read_addr && a->read_count == b->read_count &&
	    a->write_addr == b->write_addr && a->write_count == b->write_count &&
	    memcmp(a->values, b->values, a->write_count * sizeof a->values[0]) == 0;
}

/* The reply a slave sends, decoded as the master would. */
static void
check_reply(const struct proto_request *req)
{
	struct proto_response	 resp, back;
	uint8_t			 buf[PROTO_ADU_MAX];
	unsigned		 i;
	int			 n, m;

	memset(&resp, 0, sizeof resp);
	resp.unit = req->unit;
	resp.fc = req->fc;
	switch (req->fc) {
	case PROTO_FC_READ_HOLDING:
	case PROTO_FC_READ_INPUT:
	case PROTO_FC_READ_WRITE_MULTIPLE:
		resp.nregs = req->read_count;
		for (i = 0; i < resp.nregs; i++)
			resp.regs[i] = (uint16_t)(req->read_addr + i * 0x101);
		break;
	case PROTO_FC_WRITE_SINGLE:
		resp.addr = req->write_addr;
		resp.value = req->values[0];
		break;
	default:
		resp.addr = req->write_addr;
		resp.value = req->write_count;
		break;
	}
	n = proto_response_encode(&resp, buf, sizeof buf);
	FUZZ_CHECK(n > 0);
	FUZZ_CHECK((size_t)n == proto_response_length(req));
	m = proto_response_decode(buf, (size_t)n, req, &back);
	FUZZ_CHECK(m == n);
	FUZZ_CHECK(back.exception == 0 && back.nregs == resp.nregs);
	FUZZ_CHECK(memcmp(back.regs, resp.regs, resp.nregs * sizeof resp.regs[0]) == 0);

	/* An exception reply to the same request. */
	n = proto_exception_encode(req->unit, req->fc, PROTO_EX_BUSY, buf, sizeof buf);
	FUZZ_CHECK(n == 5);
	FUZZ_CHECK(proto_response_decode(buf, 5, req, &back) == 5);
	FUZZ_CHECK(back.exception == PROTO_EX_BUSY);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_request	req, again, part;
	uint8_t			buf[PROTO_ADU_MAX];
	size_t			k;
	int			n, m;

	n = proto_request_decode(data, size, &req);
	FUZZ_CHECK(n == PROTO_NEED_MORE || n == PROTO_E_CRC || n == PROTO_E_FRAME ||
	    n == PROTO_E_FUNCTION || n > 0);
	/* The slave answers these with an exception: it needs unit and fc. */
	if ((n == PROTO_E_FRAME || n == PROTO_E_FUNCTION) && size >= 2)
		FUZZ_CHECK(req.unit == data[0] && req.fc == data[1]);
	if (n <= 0)
		return 0;
	FUZZ_CHECK((size_t)n <= size && n <= PROTO_ADU_MAX);

	/* A slave reads byte by byte: every shorter prefix asks for more. */
	for (k = 0; k < (size_t)n; k++)
		FUZZ_CHECK(proto_request_decode(data, k, &part) == PROTO_NEED_MORE);

	/* Units 248..255 are reserved: a slave decodes them (to ignore
	 * them), a master never sends them. */
	m = proto_request_encode(&req, buf, sizeof buf);
	if (req.unit > UNIT_MAX) {
		FUZZ_CHECK(m == -1);
		return 0;
	}
	FUZZ_CHECK(m == n);
	FUZZ_CHECK(memcmp(buf, data, (size_t)n) == 0);
	FUZZ_CHECK(proto_request_decode(buf, (size_t)m, &again) == m);
	FUZZ_CHECK(same_request(&req, &again));
	if (req.unit != 0)	/* nobody answers a broadcast */
		check_reply(&req);
	return 0;
}
