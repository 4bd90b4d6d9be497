/* sim-world-lib.h - helpers for the sim world unit tests: a world in a temp
 * folder, Modbus requests straight into sim_world_modbus, ctl commands,
 * authentication with the key from keys.yaml. */
#ifndef SIM_WORLD_LIB_H
#define SIM_WORLD_LIB_H

#include <sys/stat.h>

#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "proto.h"
#include "sim/sim.h"
#include "tap.h"

/* 2024-01-15 07:00:00 UTC: a valley hour followed by a flat one. */
#define T_START		1705302000U

static uint64_t t_now = 1000;	/* the "real" monotonic ms the tests drive */

static __attribute__((unused)) char *
t_tmpdir(void)
{
	char	tmpl[] = "/tmp/unit-sim.XXXXXX";
	char	*d = mkdtemp(tmpl);

	if (d == NULL) {
		perror("mkdtemp");
		exit(99);
	}
	return xstrdup(d);
}

static __attribute__((unused)) void
t_rmrf(const char *dir)
{
	char	*cmd = xasprintf("rm -rf '%s'", dir);

	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	free(cmd);
}

static __attribute__((unused)) struct sim_world *
t_open(const char *dir, int npiles, uint32_t wl_capacity)
{
	struct sim_config	 cfg = { .dir = dir, .npiles = npiles,
	    .wl_capacity = wl_capacity, .start_clock = T_START, .frozen_clock = 0 };
	struct sim_world	*w;
	char			*cause = NULL;

	w = sim_world_open(&cfg, &cause);
	if (w == NULL) {
		printf("# sim_world_open: %s\n", cause);
		free(cause);
	}
	return w;
}

/* Runs a ctl command given as words, NULL ended; *outp gets the output. */
static __attribute__((unused)) int
t_ctl(struct sim_world *w, char **outp, ...)
{
	char	*argv[32], *buf = NULL;
	size_t	 len = 0;
	int	 argc = 0, rc;
	FILE	*f;
	va_list	 ap;

	va_start(ap, outp);
	while ((argv[argc] = va_arg(ap, char *)) != NULL && argc < 31)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	f = open_memstream(&buf, &len);
	rc = sim_world_ctl(w, argc, argv, f, t_now);
	fclose(f);
	if (outp != NULL)
		*outp = buf;
	else
		free(buf);
	return rc;
}

static __attribute__((unused)) int
t_read(struct sim_world *w, int unit, uint16_t addr, uint16_t count, uint16_t *regs)
{
	struct proto_request	req;
	struct proto_response	resp;

	memset(&req, 0, sizeof req);
	req.unit = (uint8_t)unit;
	req.fc = PROTO_FC_READ_HOLDING;
	req.read_addr = addr;
	req.read_count = count;
	if (sim_world_modbus(w, &req, &resp, t_now) != 0)
		return -1;
	if (resp.exception == 0 && regs != NULL)
		memcpy(regs, resp.regs, resp.nregs * sizeof *regs);
	return resp.exception;
}

/* Writes with proof (1.1): the session key t_auth derived, per address,
 * and the counter of its envelopes. */
static uint8_t	t_ks[248][PROTO_MAC_BYTES];
static uint32_t	t_counter[248];
static int	t_has_ks[248];

static int t_plain_write(struct sim_world *, int, uint16_t, uint16_t, const uint16_t *);

/* A WA write to a pile that wants proof, after t_auth: in envelopes of at
 * most 111 values, the one holding addr last, as pilecon sends them. */
static __attribute__((unused)) int
t_envelope_write(struct sim_world *w, int unit, uint16_t addr, uint16_t count,
    const uint16_t *v)
{
	struct proto_envelope	e;
	uint16_t		regs[PROTO_WRITE_MAX], off, n;
	uint8_t			msg[PROTO_ENVELOPE_MSG_MAX], mac[PROTO_MAC_BYTES];
	char			serial[17];
	size_t			len;
	int			ex;

	snprintf(serial, sizeof serial, "SIM-%04d", unit);
	off = (uint16_t)((count - 1) / PROTO_ENVELOPE_MAX * PROTO_ENVELOPE_MAX);
	for (;; off -= PROTO_ENVELOPE_MAX) {
		n = count - off < PROTO_ENVELOPE_MAX ? count - off : PROTO_ENVELOPE_MAX;
		memset(&e, 0, sizeof e);
		e.target = addr + off;
		e.count = n;
		e.counter = ++t_counter[unit];
		e.values = v + off;
		len = proto_envelope_message(serial, (uint8_t)unit, &e, msg);
		crypto_auth_hmacsha256(mac, msg, len, t_ks[unit]);
		memcpy(e.mac, mac, sizeof e.mac);
		ex = t_plain_write(w, unit, PROTO_A_SESSION_ENVELOPE,
		    (uint16_t)proto_envelope_encode(&e, regs), regs);
		if (ex != 0 || off == 0)
			return ex;
	}
}

static __attribute__((unused)) int
t_write(struct sim_world *w, int unit, uint16_t addr, uint16_t count, const uint16_t *v)
{
	const struct proto_reg	*r;
	uint16_t		 caps = 0;
	unsigned		 a;
	int			 wa = 0;

	for (a = addr; a < (unsigned)addr + count; a++)
		if ((r = proto_reg_at((uint16_t)a)) != NULL && r->access == PROTO_WA)
			wa = 1;
	if (wa && unit > 0 && unit < 248 && t_has_ks[unit]) {
		struct proto_request	req;
		struct proto_response	resp;

		memset(&req, 0, sizeof req);
		req.unit = (uint8_t)unit;
		req.fc = PROTO_FC_READ_HOLDING;
		req.read_addr = PROTO_A_ID_CAPS;
		req.read_count = 1;
		if (sim_world_modbus(w, &req, &resp, t_now) == 0 && resp.exception == 0)
			caps = resp.regs[0];
		if (caps & PROTO_CAP_WRITE_MAC)
			return t_envelope_write(w, unit, addr, count, v);
	}
	return t_plain_write(w, unit, addr, count, v);
}

static int
t_plain_write(struct sim_world *w, int unit, uint16_t addr, uint16_t count, const uint16_t *v)
{
	struct proto_request	req;
	struct proto_response	resp;

	memset(&req, 0, sizeof req);
	req.unit = (uint8_t)unit;
	req.fc = count == 1 ? PROTO_FC_WRITE_SINGLE : PROTO_FC_WRITE_MULTIPLE;
	req.write_addr = addr;
	req.write_count = count;
	memcpy(req.values, v, count * sizeof *v);
	if (sim_world_modbus(w, &req, &resp, t_now) != 0)
		return -1;
	return resp.exception;
}

static __attribute__((unused)) int
t_write_u32(struct sim_world *w, int unit, uint16_t addr, uint32_t v)
{
	uint16_t	regs[2];

	proto_put_u32(regs, v);
	return t_write(w, unit, addr, 2, regs);
}

static __attribute__((unused)) uint16_t
t_reg(struct sim_world *w, int unit, uint16_t addr)
{
	uint16_t	v = 0xdead;

	t_read(w, unit, addr, 1, &v);
	return v;
}

static __attribute__((unused)) uint32_t
t_reg32(struct sim_world *w, int unit, uint16_t addr)
{
	uint16_t	v[2] = { 0xdead, 0xbeef };

	t_read(w, unit, addr, 2, v);
	return proto_get_u32(v);
}

static __attribute__((unused)) void
t_live(struct sim_world *w, int unit, struct proto_live *l)
{
	uint16_t	regs[PROTO_LIVE_COUNT];

	memset(regs, 0, sizeof regs);
	t_read(w, unit, PROTO_LIVE_ADDR, PROTO_LIVE_COUNT, regs);
	proto_live_decode(regs, l);
}

/* The pile key as keys.yaml (the file pilecon reads) has it. */
static __attribute__((unused)) int
t_key(const char *dir, int unit, uint8_t key[PROTO_KEY_BYTES])
{
	char	 path[512], serial[32], line[256], *p;
	FILE	*f;
	int	 found = 0;

	snprintf(path, sizeof path, "%s/keys.yaml", dir);
	snprintf(serial, sizeof serial, "\"SIM-%04d\"", unit);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strstr(line, serial) != NULL)
			found = 1;
		else if (found && (p = strstr(line, "key: \"")) != NULL) {
			fclose(f);
			return sodium_hex2bin(key, PROTO_KEY_BYTES, p + 6, 64, NULL, NULL,
			    NULL) == 0 ? 0 : -1;
		}
	}
	fclose(f);
	return -1;
}

/* The MAC for unit's present challenge under key, as 16 registers. */
static __attribute__((unused)) void
t_response(struct sim_world *w, int unit, const uint8_t key[PROTO_KEY_BYTES],
    uint16_t regs[16])
{
	uint16_t	ch[8];
	uint8_t		challenge[PROTO_CHALLENGE_BYTES], msg[PROTO_AUTH_MSG_BYTES];
	uint8_t		mac[PROTO_MAC_BYTES];
	char		serial[17];

	t_read(w, unit, PROTO_A_AUTH_CHALLENGE, 8, ch);
	proto_get_bytes(ch, sizeof challenge, challenge);
	snprintf(serial, sizeof serial, "SIM-%04d", unit);
	proto_auth_message(challenge, serial, (uint8_t)unit, msg);
	crypto_auth_hmacsha256(mac, msg, sizeof msg, key);
	proto_put_bytes(regs, sizeof mac, mac);
}

/* After a session opened with challenge under key: the session key the
 * envelopes of t_write are signed with (1.1). */
static __attribute__((unused)) void
t_session_key(int unit, const uint8_t key[PROTO_KEY_BYTES],
    const uint8_t challenge[PROTO_CHALLENGE_BYTES])
{
	uint8_t	kmsg[PROTO_SESSION_KEY_MSG_BYTES];
	char	serial[17];

	if (unit <= 0 || unit >= 248)
		return;
	snprintf(serial, sizeof serial, "SIM-%04d", unit);
	proto_session_key_message(challenge, serial, (uint8_t)unit, kmsg);
	crypto_auth_hmacsha256(t_ks[unit], kmsg, sizeof kmsg, key);
	t_counter[unit] = 0;
	t_has_ks[unit] = 1;
}

static __attribute__((unused)) int
t_auth(struct sim_world *w, const char *dir, int unit)
{
	uint8_t		key[PROTO_KEY_BYTES];
	uint16_t	regs[16];

	uint16_t	ch[8];
	uint8_t		challenge[PROTO_CHALLENGE_BYTES];
	int		ex;

	if (t_key(dir, unit, key) != 0)
		return -1;
	t_read(w, unit, PROTO_A_AUTH_CHALLENGE, 8, ch);
	proto_get_bytes(ch, sizeof challenge, challenge);
	t_response(w, unit, key, regs);
	ex = t_write(w, unit, PROTO_A_AUTH_RESPONSE, 16, regs);
	if (ex == 0)
		t_session_key(unit, key, challenge);
	return ex;
}

/* Record seq through the window: one FC 23, as pilecon pulls. */
static __attribute__((unused)) int
t_record(struct sim_world *w, int unit, uint32_t seq, struct proto_record *rec,
    int *count)
{
	struct proto_request	req;
	struct proto_response	resp;
	uint8_t			buf[PROTO_RECORD_BYTES];
	int			i;

	memset(&req, 0, sizeof req);
	req.unit = (uint8_t)unit;
	req.fc = PROTO_FC_READ_WRITE_MULTIPLE;
	req.write_addr = PROTO_A_REC_CURSOR;
	req.write_count = 2;
	proto_put_u32(req.values, seq);
	req.read_addr = PROTO_A_REC_WINDOW;
	req.read_count = PROTO_N_REC_WINDOW;
	if (sim_world_modbus(w, &req, &resp, t_now) != 0 || resp.exception != 0)
		return -1;
	*count = resp.regs[0];
	if (*count == 0)
		return -1;
	for (i = 0; i < PROTO_RECORD_REGS; i++) {
		buf[2 * i] = resp.regs[1 + i] >> 8;
		buf[2 * i + 1] = resp.regs[1 + i] & 0xff;
	}
	return proto_record_decode(buf, rec);
}

static __attribute__((unused)) int
t_contains(const char *hay, const char *needle)
{
	return hay != NULL && strstr(hay, needle) != NULL;
}

static __attribute__((unused)) size_t
t_count_lines(const char *path, const char *needle)
{
	char	 line[4096];
	size_t	 n = 0;
	FILE	*f = fopen(path, "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL)
		if (strstr(line, needle) != NULL)
			n++;
	fclose(f);
	return n;
}

static __attribute__((unused)) off_t
t_size(const char *path)
{
	struct stat	st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

#endif
