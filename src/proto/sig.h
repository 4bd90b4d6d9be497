/* sig.h - record signatures (ECDSA secp256r1 SHA-256 through libcrypto):
 * signing for piles, checking for the cloud, pull, export and verify. Built
 * as src/proto/libprotosig.a beside libproto.a, so only programs that sign
 * or check link libcrypto. Raw forms on the wire and in the archive: the
 * public key X | Y (64 bytes), the signature r | s (64 bytes). */
#ifndef PROTO_SIG_H
#define PROTO_SIG_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define PROTO_SPKI_BYTES	91	/* DER SubjectPublicKeyInfo of a P-256 key */
#define PROTO_SIG_DER_MAX	72	/* DER ECDSA-Sig-Value of a P-256 signature */

/* The key as DER SubjectPublicKeyInfo (what `openssl pkey -pubin -inform
 * DER` and OCMF verifiers read). */
void	proto_pubkey_spki(const uint8_t pub[PROTO_PUBKEY_BYTES], uint8_t out[PROTO_SPKI_BYTES]);
/* Takes a DER SubjectPublicKeyInfo, 04 | X | Y or X | Y; -1 otherwise. */
int	proto_pubkey_from_spki(const uint8_t *der, size_t len, uint8_t pub[PROTO_PUBKEY_BYTES]);
/* 1 when pub is a point on the curve. */
int	proto_pubkey_valid(const uint8_t pub[PROTO_PUBKEY_BYTES]);
/* A key written in hex (either case; colons and white space between bytes
 * allowed): DER SubjectPublicKeyInfo, 04 | X | Y or X | Y. 0 with pub set,
 * or what is wrong with it. */
enum proto_keyhex {
	PROTO_KEYHEX_OK = 0,
	PROTO_KEYHEX_NOT_HEX = -1,	/* a character that is not a hex digit */
	PROTO_KEYHEX_LENGTH = -2,	/* not 64, 65 or 91 bytes of the forms above */
	PROTO_KEYHEX_OFF_CURVE = -3	/* the right form, not a P-256 point */
};
enum proto_keyhex proto_pubkey_from_hex(const char *hex, uint8_t pub[PROTO_PUBKEY_BYTES]);
/* r | s to DER (OCMF's SM default application/x-der); 0 on failure. */
size_t	proto_sig_der(const uint8_t sig[PROTO_SIG_BYTES], uint8_t out[PROTO_SIG_DER_MAX]);
int	proto_sig_from_der(const uint8_t *der, size_t len, uint8_t sig[PROTO_SIG_BYTES]);

/* A parsed public key, for checking many records of one pile quickly. */
struct proto_verifier;
struct proto_verifier *proto_verifier_new(const uint8_t pub[PROTO_PUBKEY_BYTES]); /* NULL: bad key */
void	proto_verifier_free(struct proto_verifier *);
/* 0 when sig is a good signature of msg, -1 otherwise. */
int	proto_verifier_check(struct proto_verifier *, const void *msg, size_t len,
	    const uint8_t sig[PROTO_SIG_BYTES]);
/* Checks sig over proto_ocmf_payload(rec, serial): 0 good, -1 bad. */
int	proto_record_verify(struct proto_verifier *, const struct proto_record *,
	    const char *serial, const uint8_t sig[PROTO_SIG_BYTES]);
/* One-off for a record: 0 good, -1 bad signature or bad key. */
int	proto_sig_verify_record(const uint8_t pub[PROTO_PUBKEY_BYTES], const struct proto_record *,
	    const char *serial, const uint8_t sig[PROTO_SIG_BYTES]);
/* One-off: 0 good, -1 bad signature, -2 bad key. */
int	proto_sig_verify(const uint8_t pub[PROTO_PUBKEY_BYTES], const void *msg, size_t len,
	    const uint8_t sig[PROTO_SIG_BYTES]);

/* The pile's private key. */
struct proto_signer;
struct proto_signer *proto_signer_generate(void);
struct proto_signer *proto_signer_load(const uint8_t *der, size_t len);	/* NULL: bad */
/* The private key as DER (malloc'ed, *len set); NULL on failure. */
uint8_t	*proto_signer_save(const struct proto_signer *, size_t *len);
void	 proto_signer_free(struct proto_signer *);
int	 proto_signer_public(const struct proto_signer *, uint8_t pub[PROTO_PUBKEY_BYTES]);
int	 proto_signer_sign(const struct proto_signer *, const void *msg, size_t len,
	    uint8_t sig[PROTO_SIG_BYTES]);
int	 proto_record_sign(const struct proto_signer *, const struct proto_record *,
	    const char *serial, uint8_t sig[PROTO_SIG_BYTES]);

#endif
