/* sign.c - a 1.1 pile's record signatures: its P-256 key, made at first
 * start and kept in DIR/pile-N/signing.key (mode 0600), and signatures.bin,
 * 64 bytes (r | s) per record in sequence order beside records.bin. A kill
 * between a record and its signature is healed at the next start: the pile
 * signs the records that have none. The cloud's check of an upload is here
 * too (sim_cloud_verify), so both sides use src/proto/sig.h one way. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "proto/sig.h"
#include "world.h"

static int
sign_key_load(struct sim_pile *p, char **cause)
{
	char	*path, *der;
	uint8_t	*out;
	size_t	 len;
	int	 rc;

	path = xasprintf("%s/signing.key", p->dir);
	if ((der = sim_read_file(path, &len)) != NULL) {
		p->signer = proto_signer_load((const uint8_t *)der, len);
		free(der);
		if (p->signer == NULL) {
			set_cause(cause, -1, _("'%s' is not a P-256 private key in DER "
			    "(move it away and pilesim makes a new key)"), path);
			free(path);
			return -1;
		}
	} else if (errno != ENOENT) {
		set_cause(cause, -1, _("cannot read '%s': %s"), path, strerror(errno));
		free(path);
		return -1;
	} else {
		if ((p->signer = proto_signer_generate()) == NULL ||
		    (out = proto_signer_save(p->signer, &len)) == NULL) {
			set_cause(cause, -1, _("cannot make a signing key for pile %d "
			    "(libcrypto failed)"), p->addr);
			free(path);
			return -1;
		}
		rc = sim_write_atomic(path, out, len, 0600, cause);
		free(out);
		if (rc != 0) {
			free(path);
			return -1;
		}
	}
	free(path);
	if (proto_signer_public(p->signer, p->public_key) != 0)
		return set_cause(cause, -1, _("cannot read the public key of pile %d"), p->addr);
	return 0;
}

int
sim_sign_open(struct sim_pile *p, char **cause)
{
	struct proto_record	 rec;
	struct stat		 st;
	char			*path;
	uint32_t		 have, seq;

	p->sig_fd = -1;
	if (p->protocol < PROTO_VERSION_1_1)
		return 0;	/* a 1.0 pile does not sign */
	if (sign_key_load(p, cause) != 0)
		return -1;
	path = xasprintf("%s/signatures.bin", p->dir);
	p->sig_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (p->sig_fd == -1 || fstat(p->sig_fd, &st) == -1) {
		set_cause(cause, -1, _("cannot open '%s': %s"), path, strerror(errno));
		free(path);
		return -1;
	}
	free(path);
	have = (uint32_t)(st.st_size / PROTO_SIG_BYTES);
	if (have > p->last_seq)
		have = p->last_seq;
	for (seq = have + 1; seq <= p->last_seq; seq++) {
		if (sim_store_read(p, seq, &rec) != 0) {
			/* Records that fail their CRC stay unsigned (zero). */
			memset(&rec, 0, sizeof rec);
			rec.seq = seq;
		}
		if (sim_sign_append(p, &rec, cause) != 0)
			return -1;
	}
	return 0;
}

void
sim_sign_close(struct sim_pile *p)
{
	if (p->sig_fd != -1)
		close(p->sig_fd);
	p->sig_fd = -1;
	proto_signer_free(p->signer);
	p->signer = NULL;
}

/* Signs rec (already stored as rec->seq) and writes its signature. */
int
sim_sign_append(struct sim_pile *p, const struct proto_record *rec, char **cause)
{
	uint8_t	sig[PROTO_SIG_BYTES];

	if (p->signer == NULL)
		return 0;
	memset(sig, 0, sizeof sig);
	if (rec->kind != 0 && proto_record_sign(p->signer, rec, p->serial, sig) != 0)
		return set_cause(cause, -1, _("cannot sign record %u of pile %d "
		    "(libcrypto failed)"), rec->seq, p->addr);
	if (pwrite(p->sig_fd, sig, sizeof sig, (off_t)(rec->seq - 1) * PROTO_SIG_BYTES) !=
	    (ssize_t)sizeof sig || fdatasync(p->sig_fd) == -1)
		return set_cause(cause, -1, _("cannot store the signature of record %u "
		    "of pile %d in '%s/signatures.bin': %s"), rec->seq, p->addr, p->dir,
		    strerror(errno));
	return 0;
}

/* The signature of record seq; all zero when the pile has none. */
int
sim_sign_read(struct sim_pile *p, uint32_t seq, uint8_t sig[PROTO_SIG_BYTES])
{
	memset(sig, 0, PROTO_SIG_BYTES);
	if (p->sig_fd == -1 || seq == 0 || seq > p->last_seq)
		return -1;
	if (pread(p->sig_fd, sig, PROTO_SIG_BYTES, (off_t)(seq - 1) * PROTO_SIG_BYTES) !=
	    PROTO_SIG_BYTES)
		return -1;
	return 0;
}

/* ---- the cloud's side ---------------------------------------------------- */

/* The cloud learns each pile's public key when the pile is made (as a
 * vendor registers it at the factory). */
void
sim_cloud_key_set(struct sim_cloud *c, const char *serial, const uint8_t pub[PROTO_PUBKEY_BYTES])
{
	size_t	i;

	for (i = 0; i < c->nkeys; i++)
		if (strcmp(c->keys[i].serial, serial) == 0)
			break;
	if (i == c->nkeys) {
		c->keys = xrealloc(c->keys, (c->nkeys + 1) * sizeof *c->keys);
		c->nkeys++;
	}
	snprintf(c->keys[i].serial, sizeof c->keys[i].serial, "%s", serial);
	memcpy(c->keys[i].pub, pub, PROTO_PUBKEY_BYTES);
}

const uint8_t *
sim_cloud_key(const struct sim_cloud *c, const char *serial)
{
	size_t	i;

	for (i = 0; i < c->nkeys; i++)
		if (strcmp(c->keys[i].serial, serial) == 0)
			return c->keys[i].pub;
	return NULL;
}

/*
 * Checks an upload against the key the cloud holds for the pile: 0 good (or
 * a pile the cloud holds no key for: a 1.0 pile, unsigned), -1 refused with
 * *cause saying why; refusals are counted for `cloud stats`.
 */
int
sim_cloud_verify(struct sim_cloud *c, const char *serial, const struct proto_record *rec,
    const uint8_t sig[PROTO_SIG_BYTES], char **cause)
{
	const uint8_t	*pub = sim_cloud_key(c, serial);
	int		 rc;

	if (pub == NULL)
		return 0;
	rc = sig != NULL ? proto_sig_verify_record(pub, rec, serial, sig) : -1;
	if (rc == 0)
		return 0;
	c->bad_signatures++;
	return set_cause(cause, -1, _("cloud refused record %u of '%s': its signature "
	    "does not match the pile's public key"), rec->seq, serial);
}
