/* fuzz-frame-response.c - the master side Modbus RTU decoder on any reply
 * to any valid request. The first bytes of the input describe the request
 * (a master only sends good ones), the rest is what came back on the line.
 * A frame taken must be the answer to that request and encode back to the
 * same bytes; a shorter prefix of it must ask for more.
 *
 *   0 unit | 1 fc | 2 read_addr:2 | 4 read_count:2 | 6 write_addr:2 |
 *   8 write_count:2 | 10 value:2 | 12 reply... */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "proto.h"

#define DESC_BYTES	12

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* A valid request from the descriptor, or -1 when the fc is unknown. */
static int
describe(const uint8_t *d, struct proto_request *req)
{
	static const uint8_t	fcs[] = {
		PROTO_FC_READ_HOLDING, PROTO_FC_READ_INPUT, PROTO_FC_WRITE_SINGLE,
		PROTO_FC_WRITE_MULTIPLE, PROTO_FC_READ_WRITE_MULTIPLE
	};
	unsigned	i;

	memset(req, 0, sizeof *req);
	req->unit = d[0] % 248;
	for (i = 0; i < sizeof fcs; i++)
		if (d[1] == fcs[i])
			req->fc = d[1];
	if (req->fc == 0)
		req->fc = fcs[d[1] % sizeof fcs];
	req->read_addr = get16(d + 2);
	req->read_count = 1 + get16(d + 4) % PROTO_READ_MAX;
	req->write_addr = get16(d + 6);
	switch (req->fc) {
	case PROTO_FC_READ_HOLDING:
	case PROTO_FC_READ_INPUT:
		req->write_addr = 0;
		break;
	case PROTO_FC_WRITE_SINGLE:
		req->read_addr = req->read_count = 0;
		req->write_count = 1;
		break;
	case PROTO_FC_WRITE_MULTIPLE:
		req->read_addr = req->read_count = 0;
		req->write_count = 1 + get16(d + 8) % PROTO_WRITE_MAX;
		break;
	default:
		req->write_count = 1 + get16(d + 8) % PROTO_RW_WRITE_MAX;
		break;
	}
	for (i = 0; i < req->write_count; i++)
		req->values[i] = (uint16_t)(get16(d + 10) + i);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_request	 req;
	struct proto_response	 resp, part;
	uint8_t			 frame[PROTO_ADU_MAX], buf[PROTO_ADU_MAX];
	const uint8_t		*reply;
	size_t			 len, k;
	int			 n, m;

	if (size < DESC_BYTES)
		return 0;
	describe(data, &req);
	FUZZ_CHECK(proto_request_encode(&req, frame, sizeof frame) > 0);
	reply = data + DESC_BYTES;
	len = size - DESC_BYTES;

	n = proto_response_decode(reply, len, &req, &resp);
	FUZZ_CHECK(n == PROTO_NEED_MORE || n == PROTO_E_CRC || n == PROTO_E_FRAME ||
	    n == PROTO_E_FUNCTION || n == PROTO_E_MISMATCH || n > 0);
	if (n <= 0)
		return 0;
	FUZZ_CHECK((size_t)n <= len && n <= PROTO_ADU_MAX);
	FUZZ_CHECK(resp.unit == req.unit && resp.fc == req.fc);
	if (resp.exception != 0)
		FUZZ_CHECK(n == 5);
	else {
		FUZZ_CHECK((size_t)n == proto_response_length(&req));
		if (req.fc == PROTO_FC_READ_HOLDING || req.fc == PROTO_FC_READ_INPUT ||
		    req.fc == PROTO_FC_READ_WRITE_MULTIPLE)
			FUZZ_CHECK(resp.nregs == req.read_count);
		else
			FUZZ_CHECK(resp.nregs == 0 && resp.addr == req.write_addr);
	}
	for (k = 0; k < (size_t)n; k++)
		FUZZ_CHECK(proto_response_decode(reply, k, &req, &part) == PROTO_NEED_MORE);

	/* What was taken is exactly what a slave would have sent. */
	m = proto_response_encode(&resp, buf, sizeof buf);
	FUZZ_CHECK(m == n);
	FUZZ_CHECK(memcmp(buf, reply, (size_t)n) == 0);
	return 0;
}
