/* sig.c - record signatures: ECDSA secp256r1 with SHA-256 through OpenSSL's
 * libcrypto (EVP), never hand-rolled. The one place that signs and checks a
 * record's OCMF payload: pilesim's piles and cloud and pilecon's pull,
 * export and verify all come here. Kept out of libproto.a (in
 * libprotosig.a) so that programs that never sign need no libcrypto. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "proto.h"
#include "sig.h"

/* The DER SubjectPublicKeyInfo of a P-256 key is this fixed header
 * (SEQUENCE, algorithm id-ecPublicKey + prime256v1, BIT STRING) followed by
 * the uncompressed point 04 | X | Y (RFC 5480). */
static const uint8_t spki_prefix[PROTO_SPKI_BYTES - PROTO_PUBKEY_BYTES] = {
	0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02,
	0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03,
	0x42, 0x00, 0x04
};

struct proto_signer {
	EVP_PKEY	*pkey;
};

struct proto_verifier {
	EVP_PKEY	*pkey;
	uint8_t		 pub[PROTO_PUBKEY_BYTES];
};

void
proto_pubkey_spki(const uint8_t pub[PROTO_PUBKEY_BYTES], uint8_t out[PROTO_SPKI_BYTES])
{
	memcpy(out, spki_prefix, sizeof spki_prefix);
	memcpy(out + sizeof spki_prefix, pub, PROTO_PUBKEY_BYTES);
}

int
proto_pubkey_from_spki(const uint8_t *der, size_t len, uint8_t pub[PROTO_PUBKEY_BYTES])
{
	if (len == PROTO_SPKI_BYTES && memcmp(der, spki_prefix, sizeof spki_prefix) == 0) {
		memcpy(pub, der + sizeof spki_prefix, PROTO_PUBKEY_BYTES);
		return 0;
	}
	if (len == PROTO_PUBKEY_BYTES + 1 && der[0] == 0x04) {
		memcpy(pub, der + 1, PROTO_PUBKEY_BYTES);
		return 0;
	}
	if (len == PROTO_PUBKEY_BYTES) {
		memcpy(pub, der, PROTO_PUBKEY_BYTES);
		return 0;
	}
	return -1;
}

static EVP_PKEY *
pkey_from_pub(const uint8_t pub[PROTO_PUBKEY_BYTES])
{
	uint8_t		 der[PROTO_SPKI_BYTES];
	const uint8_t	*p = der;

	proto_pubkey_spki(pub, der);
	return d2i_PUBKEY(NULL, &p, sizeof der);
}

int
proto_pubkey_valid(const uint8_t pub[PROTO_PUBKEY_BYTES])
{
	EVP_PKEY	*pk = pkey_from_pub(pub);

	if (pk == NULL)
		return 0;
	EVP_PKEY_free(pk);
	return 1;
}

enum proto_keyhex
proto_pubkey_from_hex(const char *hex, uint8_t pub[PROTO_PUBKEY_BYTES])
{
	uint8_t		 der[PROTO_SPKI_BYTES];
	char		 digits[2 * PROTO_SPKI_BYTES];
	size_t		 n = 0;
	const char	*s;

	for (s = hex; *s != '\0'; s++) {
		if (*s == ':' || *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			continue;
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') ||
		    (*s >= 'A' && *s <= 'F')))
			return PROTO_KEYHEX_NOT_HEX;
		if (n < sizeof digits)
			digits[n] = *s;
		n++;
	}
	if (n % 2 != 0 || n > sizeof digits || proto_hex_decode(digits, der, n / 2) != 0 ||
	    proto_pubkey_from_spki(der, n / 2, pub) != 0)
		return PROTO_KEYHEX_LENGTH;
	return proto_pubkey_valid(pub) ? PROTO_KEYHEX_OK : PROTO_KEYHEX_OFF_CURVE;
}

size_t
proto_sig_der(const uint8_t sig[PROTO_SIG_BYTES], uint8_t out[PROTO_SIG_DER_MAX])
{
	ECDSA_SIG	*s;
	BIGNUM		*r, *ss;
	unsigned char	*p = out;
	int		 n;

	if ((s = ECDSA_SIG_new()) == NULL)
		return 0;
	r = BN_bin2bn(sig, 32, NULL);
	ss = BN_bin2bn(sig + 32, 32, NULL);
	if (r == NULL || ss == NULL || ECDSA_SIG_set0(s, r, ss) != 1) {
		BN_free(r);
		BN_free(ss);
		ECDSA_SIG_free(s);
		return 0;
	}
	n = i2d_ECDSA_SIG(s, NULL);
	if (n <= 0 || n > PROTO_SIG_DER_MAX)
		n = 0;
	else
		n = i2d_ECDSA_SIG(s, &p);
	ECDSA_SIG_free(s);
	return n > 0 ? (size_t)n : 0;
}

int
proto_sig_from_der(const uint8_t *der, size_t len, uint8_t sig[PROTO_SIG_BYTES])
{
	const unsigned char	*p = der;
	ECDSA_SIG		*s;
	const BIGNUM		*r, *ss;
	int			 rc = -1;

	if ((s = d2i_ECDSA_SIG(NULL, &p, (long)len)) == NULL)
		return -1;
	if (p != der + len)	/* trailing bytes: not the DER a signer wrote */
		goto out;
	ECDSA_SIG_get0(s, &r, &ss);
	if (BN_bn2binpad(r, sig, 32) == 32 && BN_bn2binpad(ss, sig + 32, 32) == 32)
		rc = 0;
out:
	ECDSA_SIG_free(s);
	return rc;
}

struct proto_verifier *
proto_verifier_new(const uint8_t pub[PROTO_PUBKEY_BYTES])
{
	struct proto_verifier	*v;
	EVP_PKEY		*pk;

	if ((pk = pkey_from_pub(pub)) == NULL)
		return NULL;
	if ((v = calloc(1, sizeof *v)) == NULL) {
		EVP_PKEY_free(pk);
		return NULL;
	}
	v->pkey = pk;
	memcpy(v->pub, pub, PROTO_PUBKEY_BYTES);
	return v;
}

void
proto_verifier_free(struct proto_verifier *v)
{
	if (v == NULL)
		return;
	EVP_PKEY_free(v->pkey);
	free(v);
}

int
proto_verifier_check(struct proto_verifier *v, const void *msg, size_t len,
    const uint8_t sig[PROTO_SIG_BYTES])
{
	EVP_MD_CTX	*ctx;
	uint8_t		 der[PROTO_SIG_DER_MAX];
	size_t		 dlen;
	int		 rc;

	if ((dlen = proto_sig_der(sig, der)) == 0)
		return -1;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	rc = EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, v->pkey) == 1 &&
	    EVP_DigestVerify(ctx, der, dlen, msg, len) == 1 ? 0 : -1;
	EVP_MD_CTX_free(ctx);
	return rc;
}

int
proto_sig_verify(const uint8_t pub[PROTO_PUBKEY_BYTES], const void *msg, size_t len,
    const uint8_t sig[PROTO_SIG_BYTES])
{
	struct proto_verifier	*v;
	int			 rc;

	if ((v = proto_verifier_new(pub)) == NULL)
		return -2;
	rc = proto_verifier_check(v, msg, len, sig);
	proto_verifier_free(v);
	return rc;
}

int
proto_record_verify(struct proto_verifier *v, const struct proto_record *rec,
    const char *serial, const uint8_t sig[PROTO_SIG_BYTES])
{
	char	payload[PROTO_OCMF_PAYLOAD_MAX];
	size_t	n;

	n = proto_ocmf_payload(rec, serial, payload, sizeof payload);
	if (n >= sizeof payload)
		return -1;
	return proto_verifier_check(v, payload, n, sig);
}

int
proto_sig_verify_record(const uint8_t pub[PROTO_PUBKEY_BYTES], const struct proto_record *rec,
    const char *serial, const uint8_t sig[PROTO_SIG_BYTES])
{
	struct proto_verifier	*v;
	int			 rc;

	if ((v = proto_verifier_new(pub)) == NULL)
		return -1;
	rc = proto_record_verify(v, rec, serial, sig);
	proto_verifier_free(v);
	return rc;
}

/* ---- the pile's side ------------------------------------------------------ */

static int
signer_public(EVP_PKEY *pk, uint8_t pub[PROTO_PUBKEY_BYTES])
{
	uint8_t		 der[PROTO_SPKI_BYTES], *p = der;

	if (i2d_PUBKEY(pk, NULL) != PROTO_SPKI_BYTES || i2d_PUBKEY(pk, &p) != PROTO_SPKI_BYTES)
		return -1;
	return proto_pubkey_from_spki(der, sizeof der, pub);
}

struct proto_signer *
proto_signer_generate(void)
{
	struct proto_signer	*s;
	EVP_PKEY		*pk;

	if ((pk = EVP_EC_gen("P-256")) == NULL)
		return NULL;
	if ((s = calloc(1, sizeof *s)) == NULL) {
		EVP_PKEY_free(pk);
		return NULL;
	}
	s->pkey = pk;
	return s;
}

struct proto_signer *
proto_signer_load(const uint8_t *der, size_t len)
{
	struct proto_signer	*s;
	const unsigned char	*p = der;
	EVP_PKEY		*pk;
	uint8_t			 pub[PROTO_PUBKEY_BYTES];

	if ((pk = d2i_PrivateKey(EVP_PKEY_EC, NULL, &p, (long)len)) == NULL)
		return NULL;
	if (signer_public(pk, pub) != 0 || (s = calloc(1, sizeof *s)) == NULL) {
		EVP_PKEY_free(pk);
		return NULL;
	}
	s->pkey = pk;
	return s;
}

uint8_t *
proto_signer_save(const struct proto_signer *s, size_t *len)
{
	unsigned char	*der = NULL, *p;
	int		 n;

	if ((n = i2d_PrivateKey(s->pkey, NULL)) <= 0 || (der = malloc(n)) == NULL)
		return NULL;
	p = der;
	if (i2d_PrivateKey(s->pkey, &p) != n) {
		free(der);
		return NULL;
	}
	*len = (size_t)n;
	return der;
}

void
proto_signer_free(struct proto_signer *s)
{
	if (s == NULL)
		return;
	EVP_PKEY_free(s->pkey);
	free(s);
}

int
proto_signer_public(const struct proto_signer *s, uint8_t pub[PROTO_PUBKEY_BYTES])
{
	return signer_public(s->pkey, pub);
}

int
proto_signer_sign(const struct proto_signer *s, const void *msg, size_t len,
    uint8_t sig[PROTO_SIG_BYTES])
{
	EVP_MD_CTX	*ctx;
	uint8_t		 der[PROTO_SIG_DER_MAX];
	size_t		 dlen = sizeof der;
	int		 ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, s->pkey) == 1 &&
	    EVP_DigestSign(ctx, der, &dlen, msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -1;
	return proto_sig_from_der(der, dlen, sig);
}

int
proto_record_sign(const struct proto_signer *s, const struct proto_record *rec,
    const char *serial, uint8_t sig[PROTO_SIG_BYTES])
{
	char	payload[PROTO_OCMF_PAYLOAD_MAX];
	size_t	n;

	n = proto_ocmf_payload(rec, serial, payload, sizeof payload);
	if (n >= sizeof payload)
		return -1;
	return proto_signer_sign(s, payload, n, sig);
}
