/* fakeslave.c - the test slave of fakeslave.h: a register store with the
 * pile's rules for writes (sessions, lockout, read-only registers), record
 * and whitelist windows, and faults on command. */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "fakeslave.h"
#include "proto.h"
#include "sig.h"

static struct {
	unsigned	mode;
	uint8_t		key[PROTO_KEY_BYTES];
	uint16_t	regs[0x10000];
	int		session;
	unsigned	nonce;
	int		replies;
	int		log_fd;
	struct proto_signer *signer, *forger;	/* FS_SIGNED, FS_FORGED_SIG */
} fs;

static void
fs_new_challenge(void)
{
	uint8_t	ch[PROTO_CHALLENGE_BYTES];
	size_t	i;

	fs.nonce++;
	for (i = 0; i < sizeof ch; i++)
		ch[i] = (uint8_t)(fs.nonce * 31 + i * 7);
	proto_put_bytes(&fs.regs[PROTO_A_AUTH_CHALLENGE], sizeof ch, ch);
}

static struct proto_record
fs_record(uint32_t seq, uint8_t raw[PROTO_RECORD_BYTES])
{
	struct proto_record	rec;

	memset(&rec, 0, sizeof rec);
	rec.seq = seq;
	rec.kind = PROTO_REC_OFFLINE_CARD;
	rec.flags = PROTO_REC_F_OFFLINE;
	rec.stop_reason = PROTO_STOP_UNPLUGGED;
	snprintf(rec.tag, sizeof rec.tag, "04A1B2C3");
	rec.start = 1700000000 + seq * 10000;
	rec.stop = rec.start + 7200;
	rec.meter_start_wh = seq * 20000;
	rec.meter_stop_wh = rec.meter_start_wh + 14000;
	rec.energy_wh[2] = 14000;
	rec.tariff_version = 3;
	rec.energy_fee_minor[2] = 1190;
	rec.service_fee_minor[2] = 560;
	snprintf(rec.holder, sizeof rec.holder, "张三");
	proto_record_encode(&rec, raw);
	if ((fs.mode & FS_BAD_RECORD) && seq == FS_BAD_SEQ)
		raw[40] ^= 0x01;	/* meter_stop: the CRC-32 no longer fits */
	return rec;
}

/* The signed window (pilecon-protocol(7), SIGNED RECORDS): count, record,
 * r | s over its OCMF payload; a forgery where the mode asks for one. */
static void
fs_signed_window(void)
{
	struct proto_record	 rec;
	uint8_t			 raw[PROTO_RECORD_BYTES], sig[PROTO_SIG_BYTES];
	uint16_t		*w = &fs.regs[PROTO_A_REC_SIGNED_WINDOW];
	uint32_t		 cur = proto_get_u32(&fs.regs[PROTO_A_REC_SIGNED_CURSOR]);
	const struct proto_signer *by = fs.signer;

	memset(w, 0, PROTO_N_REC_SIGNED_WINDOW * sizeof *w);
	if (cur == 0)
		cur = 1;
	if (cur > FS_RECORDS)
		return;
	rec = fs_record(cur, raw);
	if ((fs.mode & FS_FORGED_SIG) && cur == FS_FORGED_SEQ)
		by = fs.forger;
	memset(sig, 0, sizeof sig);
	if (proto_record_sign(by, &rec, FS_SERIAL, sig) != 0)
		memset(sig, 0, sizeof sig);
	if ((fs.mode & FS_FORGED_SIG) && cur == FS_FORGED_SEQ + 1)
		sig[5] ^= 0x40;
	w[0] = 1;
	proto_put_bytes(&w[1], sizeof raw, raw);
	proto_put_bytes(&w[1 + PROTO_RECORD_REGS], sizeof sig, sig);
}

/* Fills the record and whitelist windows from their cursors. */
static void
fs_windows(void)
{
	static const struct proto_wl_entry wl[] = {
		{ "04A1B2C3", PROTO_WL_ACCEPTED, 0, "张三" },
		{ "0102030405060708", PROTO_WL_BLOCKED, 1800000000, "" },
	};
	uint8_t		raw[PROTO_RECORD_BYTES];
	uint16_t	*w;
	uint32_t	cur, i, n;

	cur = proto_get_u32(&fs.regs[PROTO_A_REC_CURSOR]);
	w = &fs.regs[PROTO_A_REC_WINDOW];
	memset(w, 0, PROTO_N_REC_WINDOW * sizeof *w);
	if (cur == 0)
		cur = 1;
	for (n = 0; n < PROTO_REC_WINDOW_RECORDS && cur + n <= FS_RECORDS; n++) {
		fs_record(cur + n, raw);
		proto_put_bytes(&w[1 + n * PROTO_RECORD_REGS], sizeof raw, raw);
	}
	w[0] = (uint16_t)n;
	if (fs.mode & FS_SIGNED)
		fs_signed_window();

	cur = proto_get_u32(&fs.regs[PROTO_A_WL_CURSOR]);
	w = &fs.regs[PROTO_A_WL_WINDOW];
	memset(w, 0, PROTO_N_WL_WINDOW * sizeof *w);
	for (n = 0, i = cur; i < sizeof wl / sizeof wl[0] &&
	    n < PROTO_WL_WINDOW_ENTRIES; i++, n++)
		proto_wl_entry_encode(&wl[i], &w[1 + n * PROTO_WL_ENTRY_REGS]);
	w[0] = (uint16_t)n;
}

static void
fs_init(void)
{
	struct proto_identity	id;
	struct proto_live	live;
	struct proto_tariff	t;
	int			i;

	memset(&id, 0, sizeof id);
	id.protocol = PROTO_VERSION;
	id.caps = PROTO_CAP_FC23 | PROTO_CAP_OFFLINE | PROTO_CAP_AUTH;
	snprintf(id.vendor, sizeof id.vendor, "pilecon");
	snprintf(id.model, sizeof id.model, "pilesim-ac22");
	snprintf(id.serial, sizeof id.serial, FS_SERIAL);
	snprintf(id.firmware, sizeof id.firmware, "sim-1.0");
	snprintf(id.device_id, sizeof id.device_id, "PILE-SIM-0001");
	id.wl_capacity = 1000;
	id.rec_capacity = 10000;
	if (fs.mode & FS_SIGNED) {
		id.protocol = PROTO_VERSION_1_1;
		id.caps |= PROTO_CAP_SIGNED;
	}
	if (fs.mode & FS_CUSTODY) {
		id.protocol = PROTO_VERSION_1_1;
		id.caps |= PROTO_CAP_STORE | PROTO_CAP_CUSTODY;
	}
	proto_identity_encode(&id, &fs.regs[PROTO_IDENTITY_ADDR]);
	if (fs.mode & FS_SIGNED) {
		uint8_t	pub[PROTO_PUBKEY_BYTES];

		fs.signer = proto_signer_generate();
		fs.forger = proto_signer_generate();
		if (fs.signer == NULL || fs.forger == NULL ||
		    proto_signer_public(fs.signer, pub) != 0)
			_exit(1);
		proto_put_bytes(&fs.regs[PROTO_A_ID_PUBLIC_KEY], sizeof pub, pub);
	}

	memset(&live, 0, sizeof live);
	live.link = PROTO_LINK_FORCED;
	live.forced_until = 1700003600;
	if (fs.mode & FS_ONLINE) {
		live.link = PROTO_LINK_ONLINE;
		live.forced_until = 0;
		live.backend = 1;
	}
	live.unsynced = 7;
	live.first_seq = 1;
	live.last_seq = FS_RECORDS;
	live.energy_wh = 123456;
	live.power_w = 7000;
	live.tariff_version = 3;
	live.clock = 1700000000;
	snprintf(live.last_uid, sizeof live.last_uid, "04A1B2C3");
	live.last_auth = PROTO_AUTH_ACCEPTED;
	snprintf(live.last_holder, sizeof live.last_holder, "张三");
	proto_live_encode(&live, &fs.regs[PROTO_LIVE_ADDR]);
	if (fs.mode & FS_CUSTODY) {
		live.store_id = 7;
		live.record_free = 10000 - FS_RECORDS;
		proto_live_tail_encode(&live, &fs.regs[PROTO_LIVE_ADDR]);
	}

	memset(&t, 0, sizeof t);
	t.version = 3;
	for (i = 0; i < PROTO_PERIODS; i++) {
		t.energy_price[i] = 50000 + 10000 * (uint32_t)i;
		t.service_price[i] = 40000;
	}
	for (i = 0; i < PROTO_SLOTS; i++)
		t.slot_period[i] = (uint8_t)(i / 12);
	proto_tariff_encode(&t, &fs.regs[PROTO_A_TARIFF_VERSION]);

	fs.regs[PROTO_A_SET_OFFLINE_CHARGING] = 1;
	proto_put_u32(&fs.regs[PROTO_A_SET_OFFLINE_MAX_WH], 30000);
	proto_put_u32(&fs.regs[PROTO_A_WL_VERSION], 5);
	proto_put_u32(&fs.regs[PROTO_A_WL_COUNT], 2);
	proto_put_u32(&fs.regs[PROTO_A_REC_CURSOR], 1);
	fs_new_challenge();
}

static int
fs_check_response(void)
{
	uint8_t	ch[PROTO_CHALLENGE_BYTES], msg[PROTO_AUTH_MSG_BYTES];
	uint8_t	want[PROTO_MAC_BYTES], got[PROTO_MAC_BYTES];
	int	good;

	proto_get_bytes(&fs.regs[PROTO_A_AUTH_CHALLENGE], sizeof ch, ch);
	proto_get_bytes(&fs.regs[PROTO_A_AUTH_RESPONSE], sizeof got, got);
	proto_auth_message(ch, FS_SERIAL, FS_UNIT, msg);
	crypto_auth_hmacsha256(want, msg, sizeof msg, fs.key);
	good = sodium_memcmp(want, got, sizeof want) == 0;
	fs_new_challenge();
	return good;
}

/* custody.* written whole: the range must be held and its SHA-256 the
 * pile's own (synced flag cleared); then live.custody_* move. */
static uint8_t
fs_custody(void)
{
	crypto_hash_sha256_state	st;
	uint8_t				raw[PROTO_RECORD_BYTES], want[PROTO_SHA256_BYTES];
	uint8_t				got[PROTO_SHA256_BYTES];
	uint32_t			first, last, seq;

	first = proto_get_u32(&fs.regs[PROTO_A_CUSTODY_FIRST]);
	last = proto_get_u32(&fs.regs[PROTO_A_CUSTODY_LAST]);
	proto_get_bytes(&fs.regs[PROTO_A_CUSTODY_SHA256], sizeof got, got);
	if (first == 0 || last < first || last > FS_RECORDS) {
		fs.regs[PROTO_A_CUSTODY_RESULT] = PROTO_CUSTODY_NOT_HELD;
		return PROTO_EX_DEVICE_FAILURE;
	}
	crypto_hash_sha256_init(&st);
	for (seq = first; seq <= last; seq++) {
		fs_record(seq, raw);
		raw[5] &= ~PROTO_REC_F_SYNCED;
		crypto_hash_sha256_update(&st, raw, sizeof raw);
	}
	crypto_hash_sha256_final(&st, want);
	if (memcmp(want, got, sizeof want) != 0) {
		fs.regs[PROTO_A_CUSTODY_RESULT] = PROTO_CUSTODY_MISMATCH;
		return PROTO_EX_DEVICE_FAILURE;
	}
	fs.regs[PROTO_A_CUSTODY_RESULT] = PROTO_CUSTODY_OK;
	proto_put_u32(&fs.regs[PROTO_A_LIVE_CUSTODY_LAST], last);
	proto_put_u32(&fs.regs[PROTO_A_LIVE_CUSTODY_COUNT], last);
	return 0;
}

/* Applies a write; 0 or a Modbus exception code. */
static uint8_t
fs_write(uint16_t addr, uint16_t count, const uint16_t *values)
{
	const struct proto_reg	*r;
	unsigned		 a, failures;
	int			 needs_session = 0;

	if (proto_range_valid(addr, count) != 0)
		return PROTO_EX_ILLEGAL_ADDRESS;
	for (a = addr; a < (unsigned)addr + count; a++) {
		r = proto_reg_at((uint16_t)a);
		if (r == NULL || r->access == PROTO_R)
			return PROTO_EX_ILLEGAL_ADDRESS;
		if (r->access == PROTO_WA)
			needs_session = 1;
	}
	if (needs_session && !fs.session) {
		fs.regs[PROTO_A_CTL_LAST_ERROR] = PROTO_WERR_NO_SESSION;
		return PROTO_EX_ILLEGAL_FUNCTION;
	}
	if (addr == PROTO_A_AUTH_RESPONSE &&
	    fs.regs[PROTO_A_AUTH_LOCKOUT_LEFT] > 0) {
		fs.regs[PROTO_A_CTL_LAST_ERROR] = PROTO_WERR_LOCKED_OUT;
		return PROTO_EX_BUSY;
	}
	if (addr == PROTO_A_WL_CMD && (fs.mode & FS_WL_EXCEPTION)) {
		fs.regs[PROTO_A_WL_RESULT] = PROTO_WL_BAD_ENTRY;
		fs.regs[PROTO_A_CTL_LAST_ERROR] = PROTO_WERR_RANGE;
		return PROTO_EX_ILLEGAL_VALUE;
	}
	/* A full list refuses the command with exception 04, as pilesim does
	 * (pilecon-protocol(7), EDITING THE WHITELIST). */
	if (addr == PROTO_A_WL_CMD && (fs.mode & FS_WL_FULL)) {
		fs.regs[PROTO_A_WL_RESULT] = PROTO_WL_FULL;
		return PROTO_EX_DEVICE_FAILURE;
	}
	memcpy(&fs.regs[addr], values, count * sizeof *values);
	fs.regs[PROTO_A_CTL_LAST_ERROR] = PROTO_WERR_NONE;

	if (addr == PROTO_A_AUTH_RESPONSE) {
		if (fs_check_response()) {
			fs.session = 1;
			fs.regs[PROTO_A_AUTH_FAILURES] = 0;
		} else {
			fs.session = 0;
			failures = ++fs.regs[PROTO_A_AUTH_FAILURES];
			fs.regs[PROTO_A_CTL_LAST_ERROR] = PROTO_WERR_BAD_KEY;
			fs.regs[PROTO_A_AUTH_LOCKOUT_LEFT] =
			    (uint16_t)(1u << (failures - 1));
		}
		fs.regs[PROTO_A_AUTH_STATE] = (uint16_t)fs.session;
		if (!fs.session && (fs.mode & FS_AUTH_EXCEPTION))
			return PROTO_EX_ILLEGAL_VALUE;
	}
	if (addr == PROTO_A_CUSTODY_FIRST && (fs.mode & FS_CUSTODY)) {
		uint8_t	ex = fs_custody();

		if (ex != 0)
			return ex;
	}
	/* The control block acts on the live block, as a pile's does. */
	if (addr == PROTO_A_CTL_CLOCK)
		memcpy(&fs.regs[PROTO_A_LIVE_CLOCK], values, 2 * sizeof *values);
	if (addr == PROTO_A_CTL_FORCE_OFFLINE) {
		memcpy(&fs.regs[PROTO_A_LIVE_FORCED_UNTIL], values, 2 * sizeof *values);
		fs.regs[PROTO_A_LIVE_LINK] = proto_get_u32(values) != 0 ?
		    PROTO_LINK_FORCED : PROTO_LINK_ONLINE;
	}
	if (addr == PROTO_A_CTL_RESYNC && values[0] == 1 && (fs.mode & FS_ONLINE))
		fs.regs[PROTO_A_CTL_RESYNC_STATE] = PROTO_RESYNC_RUNNING;
	if (addr == PROTO_A_CTL_RESYNC && values[0] == 1 && (fs.mode & FS_ONLINE) &&
	    (fs.mode & FS_RESYNC_QUICK)) {
		fs.regs[PROTO_A_CTL_RESYNC_STATE] = PROTO_RESYNC_DONE;
		proto_put_u32(&fs.regs[PROTO_A_LIVE_UNSYNCED], 0);
	}
	if (addr == PROTO_A_WL_CMD) {
		fs.regs[PROTO_A_WL_RESULT] = PROTO_WL_OK;
		proto_put_u32(&fs.regs[PROTO_A_WL_VERSION],
		    proto_get_u32(&fs.regs[PROTO_A_WL_VERSION]) + 1);
	}
	if (needs_session && (fs.mode & FS_SESSION_EXPIRES)) {
		fs.session = 0;
		fs.regs[PROTO_A_AUTH_STATE] = 0;
	}
	return 0;
}

static int
fs_answer(const struct proto_request *req, uint8_t *out, size_t size)
{
	struct proto_response	resp;
	uint8_t			ex = 0;

	memset(&resp, 0, sizeof resp);
	resp.unit = req->unit;
	resp.fc = req->fc;
	if (fs.mode & FS_EXCEPTION)
		ex = PROTO_EX_ILLEGAL_ADDRESS;
	else if (req->fc == PROTO_FC_READ_WRITE_MULTIPLE &&
	    (fs.mode & FS_NO_FC23))
		ex = PROTO_EX_ILLEGAL_FUNCTION;
	else switch (req->fc) {
	case PROTO_FC_WRITE_SINGLE:
	case PROTO_FC_WRITE_MULTIPLE:
		ex = fs_write(req->write_addr, req->write_count, req->values);
		resp.addr = req->write_addr;
		resp.value = req->fc == PROTO_FC_WRITE_SINGLE ?
		    req->values[0] : req->write_count;
		break;
	case PROTO_FC_READ_WRITE_MULTIPLE:
		ex = fs_write(req->write_addr, req->write_count, req->values);
		/* FALLTHROUGH */
	case PROTO_FC_READ_HOLDING:
	case PROTO_FC_READ_INPUT:
		if (ex == 0 && proto_range_valid(req->read_addr,
		    req->read_count) != 0)
			ex = PROTO_EX_ILLEGAL_ADDRESS;
		if (ex != 0)
			break;
		fs_windows();
		resp.nregs = req->read_count;
		memcpy(resp.regs, &fs.regs[req->read_addr],
		    req->read_count * sizeof resp.regs[0]);
		break;
	default:
		ex = PROTO_EX_ILLEGAL_FUNCTION;
		break;
	}
	resp.exception = ex;
	return proto_response_encode(&resp, out, size);
}

static void
fs_write_all(int fd, const uint8_t *buf, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			_exit(0);
		}
		buf += n;
		len -= (size_t)n;
	}
}

static void
fs_serve(int fd)
{
	struct proto_request	 req;
	struct pollfd		 pfd;
	uint8_t			 in[1024], out[PROTO_ADU_MAX];
	size_t			 len = 0;
	ssize_t			 n;
	char			 line[32];
	int			 rc, olen;

	for (;;) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 1000) == 0) {
			if (getppid() == 1)
				_exit(0);
			continue;
		}
		n = read(fd, in + len, sizeof in - len);
		if (n <= 0) {
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n < 0 && errno == EIO) {	/* no slave open */
				usleep(10000);
				continue;
			}
			_exit(0);
		}
		len += (size_t)n;
		while (len > 0) {
			rc = proto_request_decode(in, len, &req);
			if (rc == PROTO_NEED_MORE)
				break;
			if (rc < 0) {
				len = 0;
				break;
			}
			snprintf(line, sizeof line, "%02x %04x %d %u\n",
			    req.fc, req.fc == PROTO_FC_READ_HOLDING ||
			    req.fc == PROTO_FC_READ_INPUT ? req.read_addr :
			    req.write_addr, rc, req.unit);
			fs_write_all(fs.log_fd, (const uint8_t *)line,
			    strlen(line));
			memmove(in, in + rc, len - (size_t)rc);
			len -= (size_t)rc;

			if (fs.mode & FS_CLOSE) {
				close(fd);
				_exit(0);
			}
			if ((fs.mode & FS_SILENT) || req.unit != FS_UNIT)
				continue;
			olen = fs_answer(&req, out, sizeof out);
			if (olen < 0)
				continue;
			if (((fs.mode & FS_CORRUPT_FIRST) && fs.replies == 0) ||
			    (fs.mode & FS_GARBLE_ALL))
				out[olen - 1] ^= 0x55;
			fs.replies++;
			fs_write_all(fd, out, (size_t)olen);
		}
	}
}

int
fakeslave_start(struct fakeslave *s, unsigned mode, const uint8_t *key)
{
	struct termios	tio;
	int		master, slave, logp[2];

	memset(&tio, 0, sizeof tio);
	cfmakeraw(&tio);
	cfsetspeed(&tio, B115200);
	if (openpty(&master, &slave, NULL, &tio, NULL) != 0)
		return -1;
	if (ttyname_r(slave, s->path, sizeof s->path) != 0 || pipe(logp) != 0) {
		close(master);
		close(slave);
		return -1;
	}
	fflush(stdout);
	s->pid = fork();
	if (s->pid == -1)
		return -1;
	if (s->pid == 0) {
		close(slave);
		close(logp[0]);
		memset(&fs, 0, sizeof fs);
		fs.mode = mode;
		fs.log_fd = logp[1];
		if (key != NULL)
			memcpy(fs.key, key, sizeof fs.key);
		alarm(120);
		fs_init();
		fs_serve(master);
		_exit(0);
	}
	close(master);
	close(logp[1]);
	s->slave_fd = slave;
	s->log_fd = logp[0];
	return 0;
}

char *
fakeslave_stop(struct fakeslave *s)
{
	char	*log = NULL;
	size_t	 len = 0, size = 0;
	ssize_t	 n;
	int	 status;

	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, &status, 0);
		s->pid = 0;
	}
	for (;;) {
		if (size - len < 256) {
			size = size * 2 + 256;
			log = realloc(log, size);
			if (log == NULL)
				abort();
		}
		n = read(s->log_fd, log + len, size - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (log == NULL && (log = malloc(1)) == NULL)
		abort();
	log[len] = '\0';
	close(s->log_fd);
	close(s->slave_fd);
	return log;
}

int
fakeslave_count(const char *log, const char *prefix)
{
	const char	*p, *nl;
	size_t		 len = strlen(prefix);
	int		 n = 0;

	for (p = log; *p != '\0'; p = nl + 1) {
		if (strncmp(p, prefix, len) == 0)
			n++;
		if ((nl = strchr(p, '\n')) == NULL)
			break;
	}
	return n;
}

int
fakeslave_rig_start(struct fakeslave_rig *r, unsigned mode, const uint8_t *key,
    uint8_t addr, const struct pile_bus_opts *opts)
{
	static const struct link_params	 params = { .baud = 115200, .parity = 'E', .stop_bits = 1 };
	char				*cause = NULL;

	memset(r, 0, sizeof *r);
	if (fakeslave_start(&r->fs, mode, key) != 0)
		return -1;
	r->link = link_open(r->fs.path, &params, &cause);
	if (r->link == NULL) {
		printf("# %s\n", cause);
		free(cause);
		return -1;
	}
	r->bus = pile_bus_new(r->link, opts);
	r->pile = pile_new(r->bus, addr);
	return 0;
}

void
fakeslave_rig_stop(struct fakeslave_rig *r)
{
	pile_free(r->pile);
	pile_bus_free(r->bus);
	link_close(r->link);
	r->log = fakeslave_stop(&r->fs);
}
