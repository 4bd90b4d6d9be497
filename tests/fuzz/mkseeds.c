/* mkseeds.c - writes the binary seed corpora of the protocol harnesses:
 * Modbus frames from the Application Protocol specification's examples
 * and from what pilecon sends, replies to them, charging records and
 * whitelist entries made by the encoders. The seeds are committed; run
 *   make tests/fuzz/mkseeds && tests/fuzz/mkseeds $top_srcdir/tests/fuzz
 * after a change of the wire formats. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

static const char	*root;

static void
seed(const char *corpus, const char *name, const uint8_t *buf, size_t len)
{
	char	*dir, *path;
	FILE	*f;

	if (asprintf(&dir, "%s/corpus-%s", root, corpus) < 0 ||
	    asprintf(&path, "%s/%s", dir, name) < 0)
		exit(1);
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		perror(dir);
		exit(1);
	}
	if ((f = fopen(path, "wb")) == NULL || fwrite(buf, 1, len, f) != len ||
	    fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	free(dir);
	free(path);
}

/* A raw frame with its CRC appended (spec examples, broken frames). */
static size_t
raw(uint8_t *buf, const char *hex)
{
	size_t		n = 0;
	unsigned	v;
	uint16_t	crc;

	while (sscanf(hex, "%2x", &v) == 1) {
		buf[n++] = (uint8_t)v;
		hex += 2;
		while (*hex == ' ')
			hex++;
	}
	crc = proto_crc16(buf, n);
	buf[n++] = crc & 0xFF;
	buf[n++] = crc >> 8;
	return n;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xFF;
}

/* The response harness's input: request descriptor, then the reply. */
static void
response_seed(const char *name, const struct proto_request *req,
    const uint8_t *reply, size_t len)
{
	uint8_t	buf[12 + PROTO_ADU_MAX];

	memset(buf, 0, 12);
	buf[0] = req->unit;
	buf[1] = req->fc;
	put16(buf + 2, req->read_addr);
	put16(buf + 4, req->read_count ? req->read_count - 1 : 0);
	put16(buf + 6, req->write_addr);
	put16(buf + 8, req->write_count ? req->write_count - 1 : 0);
	put16(buf + 10, req->values[0]);
	memcpy(buf + 12, reply, len);
	seed("frame-response", name, buf, 12 + len);
}

static void
frames(void)
{
	static const struct {
		const char	*name, *hex;
	} spec[] = {
		/* Modbus Application Protocol V1.1b3 §6.3, 6.4, 6.6, 6.12, 6.17 */
		{ "spec-fc03", "11 03 00 6B 00 03" },
		{ "spec-fc04", "11 04 00 08 00 01" },
		{ "spec-fc06", "11 06 00 01 00 03" },
		{ "spec-fc16", "11 10 00 01 00 02 04 00 0A 01 02" },
		{ "spec-fc23", "11 17 00 03 00 06 00 0E 00 03 06 00 FF 00 FF 00 FF" },
		{ "bad-fc08", "11 08 00 00 A5 37" },
		{ "bad-qty0", "01 03 00 00 00 00" },
		{ "bad-bc", "01 10 00 00 00 02 03 00 01 02" },
		{ "reserved-unit", "F8 03 00 00 00 01" },
	};
	static const struct {
		const char	*name, *hex;
	} replies[] = {
		{ "spec-fc03", "11 03 06 02 2B 00 00 00 64" },
		{ "spec-fc04", "11 04 02 00 0A" },
		{ "spec-fc06", "11 06 00 01 00 03" },
		{ "spec-fc16", "11 10 00 01 00 02" },
		{ "spec-fc23", "11 17 0C 00 FE 0A CD 00 01 00 03 00 0D 00 FF" },
	};
	struct proto_request	req;
	struct proto_response	resp;
	uint8_t			buf[PROTO_ADU_MAX], rep[PROTO_ADU_MAX];
	size_t			i, n, m;
	int			len, rlen;

	for (i = 0; i < sizeof spec / sizeof spec[0]; i++) {
		n = raw(buf, spec[i].hex);
		seed("frame-request", spec[i].name, buf, n);
		if (i < sizeof replies / sizeof replies[0] &&
		    proto_request_decode(buf, n, &req) > 0) {
			m = raw(rep, replies[i].hex);
			response_seed(replies[i].name, &req, rep, m);
			/* The same request refused with exception 02. */
			rlen = proto_exception_encode(req.unit, req.fc,
			    PROTO_EX_ILLEGAL_ADDRESS, rep, sizeof rep);
			if (rlen > 0) {
				char	name[64];

				snprintf(name, sizeof name, "%s-exception", replies[i].name);
				response_seed(name, &req, rep, (size_t)rlen);
			}
		}
	}
	/* A bad CRC: the spec's first frame with its last byte changed. */
	n = raw(buf, spec[0].hex);
	buf[n - 1] ^= 0x55;
	seed("frame-request", "bad-crc", buf, n);

	/* What pilecon sends: identity read, live block, auth via fc 16,
	 * record window through fc 23. */
	memset(&req, 0, sizeof req);
	req.unit = 1;
	req.fc = PROTO_FC_READ_HOLDING;
	req.read_addr = PROTO_IDENTITY_ADDR;
	req.read_count = PROTO_IDENTITY_COUNT;
	len = proto_request_encode(&req, buf, sizeof buf);
	seed("frame-request", "pilecon-identity", buf, (size_t)len);
	memset(&resp, 0, sizeof resp);
	resp.unit = 1;
	resp.fc = req.fc;
	resp.nregs = req.read_count;
	for (i = 0; i < resp.nregs; i++)
		resp.regs[i] = (uint16_t)(0x5049 + i);
	rlen = proto_response_encode(&resp, rep, sizeof rep);
	response_seed("pilecon-identity", &req, rep, (size_t)rlen);

	memset(&req, 0, sizeof req);
	req.unit = 2;
	req.fc = PROTO_FC_WRITE_MULTIPLE;
	req.write_addr = PROTO_A_AUTH_RESPONSE;
	req.write_count = PROTO_MAC_BYTES / 2;
	for (i = 0; i < req.write_count; i++)
		req.values[i] = (uint16_t)(i * 0x1111);
	len = proto_request_encode(&req, buf, sizeof buf);
	seed("frame-request", "pilecon-auth", buf, (size_t)len);
	memset(&resp, 0, sizeof resp);
	resp.unit = 2;
	resp.fc = req.fc;
	resp.addr = req.write_addr;
	resp.value = req.write_count;
	rlen = proto_response_encode(&resp, rep, sizeof rep);
	response_seed("pilecon-auth", &req, rep, (size_t)rlen);

	memset(&req, 0, sizeof req);
	req.unit = 3;
	req.fc = PROTO_FC_READ_WRITE_MULTIPLE;
	req.read_addr = PROTO_A_REC_WINDOW;
	req.read_count = PROTO_N_REC_WINDOW;
	req.write_addr = PROTO_A_REC_CURSOR;
	req.write_count = PROTO_N_REC_CURSOR;
	req.values[1] = 41;
	len = proto_request_encode(&req, buf, sizeof buf);
	seed("frame-request", "pilecon-records", buf, (size_t)len);
	memset(&resp, 0, sizeof resp);
	resp.unit = 3;
	resp.fc = req.fc;
	resp.nregs = req.read_count;
	rlen = proto_response_encode(&resp, rep, sizeof rep);
	response_seed("pilecon-records", &req, rep, (size_t)rlen);
}

static void
records(void)
{
	struct proto_record	rec;
	uint8_t			buf[PROTO_RECORD_BYTES];

	memset(&rec, 0, sizeof rec);
	rec.seq = 1;
	rec.kind = PROTO_REC_OFFLINE_CARD;
	rec.flags = PROTO_REC_F_OFFLINE;
	rec.stop_reason = PROTO_STOP_CARD;
	strcpy(rec.tag, "04A1B2C3");
	rec.start = 1795000000;
	rec.stop = 1795003600;
	rec.meter_start_wh = 100000;
	rec.meter_stop_wh = 107000;
	rec.energy_wh[2] = 7000;
	rec.tariff_version = 3;
	rec.energy_fee_minor[2] = 560;
	rec.service_fee_minor[2] = 280;
	strcpy(rec.holder, "张三");
	proto_record_encode(&rec, buf);
	seed("record", "offline-card", buf, sizeof buf);

	rec.seq = 4000000000u;
	rec.kind = PROTO_REC_APP_ORDER;
	rec.flags = PROTO_REC_F_SYNCED;
	rec.stop_reason = PROTO_STOP_REMOTE;
	strcpy(rec.tag, "ORD-20261125-000042");
	strcpy(rec.holder, "");
	proto_record_encode(&rec, buf);
	seed("record", "app-order-synced", buf, sizeof buf);

	buf[60] ^= 1;	/* tariff version changed: CRC refuses it */
	seed("record", "bad-crc", buf, sizeof buf);
}

static void
wlentries(void)
{
	static const char	*uids[] = { "04:a2:b3:c4", "04A2B3C4D5E6F7",
		"04 a2 b3 c4 d5 e6 f7 08 09 0a", "04-A2-B3", "0x04A2B3C4" };
	struct proto_wl_entry	e;
	uint16_t		regs[PROTO_WL_ENTRY_REGS];
	uint8_t			buf[2 * PROTO_WL_ENTRY_REGS + 64];
	size_t			i, len;
	char			name[32];

	memset(&e, 0, sizeof e);
	strcpy(e.uid, "04A2B3C4D5E6F7");
	e.status = PROTO_WL_ACCEPTED;
	e.expiry = 1830297599;
	strcpy(e.holder, "Zhang San 张三");
	proto_wl_entry_encode(&e, regs);
	for (i = 0; i < PROTO_WL_ENTRY_REGS; i++)
		put16(buf + 2 * i, regs[i]);
	for (i = 0; i < sizeof uids / sizeof uids[0]; i++) {
		len = strlen(uids[i]);
		memcpy(buf + 2 * PROTO_WL_ENTRY_REGS, uids[i], len);
		snprintf(name, sizeof name, "entry-uid-%zu", i + 1);
		seed("wlentry", name, buf, 2 * PROTO_WL_ENTRY_REGS + len);
	}
	e.status = PROTO_WL_BLOCKED;
	strcpy(e.uid, "0a0b0c0d");	/* lower case is forgiven on the wire */
	e.expiry = 0;
	proto_wl_entry_encode(&e, regs);
	for (i = 0; i < PROTO_WL_ENTRY_REGS; i++)
		put16(buf + 2 * i, regs[i]);
	seed("wlentry", "entry-blocked", buf, 2 * PROTO_WL_ENTRY_REGS);
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mkseeds DIR (the tests/fuzz folder)\n");
		return 2;
	}
	root = argv[1];
	frames();
	records();
	wlentries();
	return 0;
}
