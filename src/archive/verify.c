/* verify.c - checks an export (CSV, JSON Lines or OCMF, as export.c writes
 * them) with no pile and no archive: each record's signature against its
 * pile's key (the one in the file, or the trusted ones given), its money
 * against its per-period energy and prices (DESIGN.md: energy_wh x price /
 * 10^6, rounded half up, per period), and each pile's sequence for order
 * and gaps. Findings go to a callback, one sentence each; counts at the
 * end. A record whose prices are unknown is counted as unchecked. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "archive/archive.h"
#include "proto/sig.h"

struct vkey {
	char			 serial[17];
	uint8_t			 pub[PROTO_PUBKEY_BYTES];
};

/* One series of a pile (pile + store_id; an export without the store_id
 * column has one series per pile). */
struct vpile {
	char			 serial[17];
	char			 store_id[16];
	uint32_t		*seqs;
	size_t			 n, alloc;
	uint32_t		 last;
};

struct archive_verify {
	struct vkey		*keys;		/* --keys: trusted keys */
	size_t			 nkeys;
	struct vpile		*piles;
	size_t			 npiles;
	/* the last key parsed, kept for the next record of the same pile */
	uint8_t			 cached_pub[PROTO_PUBKEY_BYTES];
	struct proto_verifier	*cached;
	/* the last public key column and what it held (off the curve: no
	 * verifier, so its records say bad signature) */
	char			*row_keyhex;
	uint8_t			 row_pub[PROTO_PUBKEY_BYTES];
	enum proto_keyhex	 row_keyrc;
	struct archive_verify_counts c;

	archive_verify_fn	 fn;
	void			*arg;
	struct proto_export_line l;	/* the line being read */

	/* OCMF: what the export's '# ...' notes said so far */
	struct vkey		*ekeys;
	size_t			 nekeys;
	struct proto_tariff	*tariffs;
	size_t			 ntariffs;
	char			 series_serial[17];
	char			 series_store_id[16];
	int			 ocmf;		/* the file is an OCMF export */
};

struct archive_verify *
archive_verify_new(archive_verify_fn fn, void *arg)
{
	struct archive_verify	*v = xcalloc(1, sizeof *v);

	v->fn = fn;
	v->arg = arg;
	return v;
}

void
archive_verify_free(struct archive_verify *v)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; i < v->npiles; i++)
		free(v->piles[i].seqs);
	free(v->piles);
	free(v->keys);
	free(v->ekeys);
	free(v->tariffs);
	proto_verifier_free(v->cached);
	free(v->row_keyhex);
	free(v);
}

const struct archive_verify_counts *
archive_verify_counts(const struct archive_verify *v)
{
	return &v->c;
}

static void
finding(struct archive_verify *v, const char *pile, uint32_t seq, const char *what,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
finding(struct archive_verify *v, const char *pile, uint32_t seq, const char *what,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*text;

	v->c.failures++;
	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	if (v->fn != NULL)
		v->fn(v->arg, pile, seq, what, text);
	free(text);
}

int
archive_verify_keys(struct archive_verify *v, const char *path, char **cause)
{
	FILE		*f;
	char		 line[512], serial[64], hex[400];
	unsigned	 lineno = 0;
	char		*p;

	if ((f = fopen(path, "r")) == NULL)
		return set_cause(cause, -1, _("cannot open keys file '%s': %s"), path,
		    strerror(errno));
	while (fgets(line, sizeof line, f) != NULL) {
		lineno++;
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		for (p = line; *p != '\0'; p++)
			if (*p == ':' || *p == ',' || *p == '\t')
				*p = ' ';
		if (sscanf(line, "%63s %399s", serial, hex) != 2)
			continue;
		if (strlen(serial) > 16) {
			fclose(f);
			return set_cause(cause, -1, _("%s:%u: pile serial '%s' is longer than "
			    "16 characters"), path, lineno, serial);
		}
		v->keys = xrealloc(v->keys, (v->nkeys + 1) * sizeof *v->keys);
		/* At most 16 characters (checked above): %.16s says so to the compiler. */
		snprintf(v->keys[v->nkeys].serial, sizeof v->keys[v->nkeys].serial, "%.16s", serial);
		if (proto_pubkey_from_hex(hex, v->keys[v->nkeys].pub) != PROTO_KEYHEX_OK) {
			fclose(f);
			return set_cause(cause, -1, _("%s:%u: the key of '%s' is not a P-256 "
			    "public key in hex (DER SubjectPublicKeyInfo, 04|X|Y or X|Y)"),
			    path, lineno, text_show(serial));
		}
		v->nkeys++;
	}
	fclose(f);
	if (v->nkeys == 0)
		return set_cause(cause, -1, _("keys file '%s' holds no key (lines of SERIAL "
		    "HEX-KEY)"), path);
	return 0;
}

/* ---- checks ----------------------------------------------------------------- */

static const char *
field(struct archive_verify *v, const char *name)
{
	return proto_export_field(&v->l, name);
}

static int
get_u32(struct archive_verify *v, const char *name, uint32_t *out)
{
	return proto_export_u32(&v->l, name, out);
}

#define vperiods proto_export_periods

static const uint8_t *
trusted_key(struct archive_verify *v, const char *serial)
{
	size_t	i;

	for (i = 0; i < v->nkeys; i++)
		if (strcmp(v->keys[i].serial, serial) == 0)
			return v->keys[i].pub;
	return NULL;
}

/* The public key column, parsed (and checked on the curve) once for a run
 * of rows that repeat it, as a pile's rows do. */
static enum proto_keyhex
row_key(struct archive_verify *v, const char *hex, uint8_t pub[PROTO_PUBKEY_BYTES])
{
	if (v->row_keyhex == NULL || strcmp(v->row_keyhex, hex) != 0) {
		free(v->row_keyhex);
		v->row_keyhex = xstrdup(hex);
		v->row_keyrc = proto_pubkey_from_hex(hex, v->row_pub);
	}
	memcpy(pub, v->row_pub, PROTO_PUBKEY_BYTES);
	return v->row_keyrc;
}

static void
check_signature(struct archive_verify *v, const char *pile, const struct proto_record *r)
{
	const char	*sighex = field(v, "signature"), *keyhex = field(v, "public_key");
	const uint8_t	*trusted;
	uint8_t		 pub[PROTO_PUBKEY_BYTES], sig[PROTO_SIG_BYTES];
	enum proto_keyhex keyrc = PROTO_KEYHEX_NOT_HEX;

	if (sighex == NULL || *sighex == '\0') {
		if (v->nkeys > 0 && trusted_key(v, pile) != NULL) {
			v->c.bad_signatures++;
			finding(v, pile, r->seq, "signature", _("%s seq %u: no signature, but "
			    "the keys file says this pile signs its records"), pile, r->seq);
		} else
			v->c.unsigned_records++;
		return;
	}
	if (strlen(sighex) != 2 * PROTO_SIG_BYTES ||
	    proto_hex_decode(sighex, sig, sizeof sig) != 0 || keyhex == NULL ||
	    (keyrc = row_key(v, keyhex, pub)) == PROTO_KEYHEX_NOT_HEX ||
	    keyrc == PROTO_KEYHEX_LENGTH) {
		v->c.bad_signatures++;
		finding(v, pile, r->seq, "signature", _("%s seq %u: the signature or public "
		    "key column is not hex of the right length"), pile, r->seq);
		return;
	}
	if (v->nkeys > 0) {
		if ((trusted = trusted_key(v, pile)) == NULL) {
			v->c.bad_signatures++;
			finding(v, pile, r->seq, "key", _("%s seq %u: the keys file has no key "
			    "for this pile"), pile, r->seq);
			return;
		}
		if (memcmp(trusted, pub, sizeof pub) != 0) {
			v->c.bad_signatures++;
			finding(v, pile, r->seq, "key", _("%s seq %u: the export's public key is "
			    "not the one the keys file gives for this pile"), pile, r->seq);
			return;
		}
	}
	if (v->cached == NULL || memcmp(v->cached_pub, pub, sizeof pub) != 0) {
		proto_verifier_free(v->cached);
		memcpy(v->cached_pub, pub, sizeof pub);
		v->cached = proto_verifier_new(pub);
	}
	if (v->cached == NULL || proto_record_verify(v->cached, r, pile, sig) != 0) {
		v->c.bad_signatures++;
		finding(v, pile, r->seq, "signature", _("%s seq %u: bad signature: the "
		    "record is not what the pile signed (a field was changed)"), pile, r->seq);
		return;
	}
	v->c.good_signatures++;
}

/* Each period's fees against energy x price; 1 when one is wrong. */
static int
check_fees(struct archive_verify *v, const char *pile, const struct proto_record *r,
    const uint32_t price[2][PROTO_PERIODS], uint64_t sum[2])
{
	static const char *const what[2] = { "energy_fee", "service_fee" };
	uint32_t	want, got;
	int		i, k, wrong = 0;

	sum[0] = sum[1] = 0;
	for (k = 0; k < 2; k++)
		for (i = 0; i < PROTO_PERIODS; i++) {
			want = proto_fee_minor(r->energy_wh[i], price[k][i]);
			got = k == 0 ? r->energy_fee_minor[i] : r->service_fee_minor[i];
			sum[k] += got;
			if (want != got) {
				wrong = 1;
				finding(v, pile, r->seq, "money", _("%s seq %u: %s_%s is %u, but "
				    "%u Wh at %u.%05u per kWh is %u"), pile, r->seq, what[k],
				    vperiods[i], got, r->energy_wh[i], price[k][i] / 100000,
				    price[k][i] % 100000, want);
			}
		}
	return wrong;
}

static void
check_money(struct archive_verify *v, const char *pile, const struct proto_record *r)
{
	static const char *const what[2] = { "energy_fee", "service_fee" };
	uint32_t	price[2][PROTO_PERIODS], got;
	uint64_t	sum[2];
	char		name[32];
	int		i, k, wrong;

	for (k = 0; k < 2; k++)
		for (i = 0; i < PROTO_PERIODS; i++) {
			snprintf(name, sizeof name, "%s_price_%s", k == 0 ? "energy" : "service",
			    vperiods[i]);
			if (get_u32(v, name, &price[k][i]) != 0) {
				v->c.money_unchecked++;
				return;
			}
		}
	wrong = check_fees(v, pile, r, price, sum);
	for (k = 0; k < 2; k++) {
		snprintf(name, sizeof name, "%s_minor", what[k]);
		if (get_u32(v, name, &got) == 0 && got != sum[k]) {
			wrong = 1;
			finding(v, pile, r->seq, "money", _("%s seq %u: %s is %u, not the sum of "
			    "its periods %llu"), pile, r->seq, name, got, (unsigned long long)sum[k]);
		}
	}
	if (get_u32(v, "total_fee_minor", &got) == 0 && got != sum[0] + sum[1]) {
		wrong = 1;
		finding(v, pile, r->seq, "money", _("%s seq %u: total_fee_minor is %u, not %llu"),
		    pile, r->seq, got, (unsigned long long)(sum[0] + sum[1]));
	}
	if (get_u32(v, "energy_wh", &got) == 0 && got != proto_record_energy_wh(r)) {
		wrong = 1;
		finding(v, pile, r->seq, "energy", _("%s seq %u: energy_wh is %u, not the sum "
		    "of its periods %llu"), pile, r->seq, got,
		    (unsigned long long)proto_record_energy_wh(r));
	}
	if (wrong)
		v->c.money_wrong++;
	else
		v->c.money_checked++;
}

static struct vpile *
pile_of(struct archive_verify *v, const char *serial, const char *store_id)
{
	size_t	i;

	if (store_id == NULL)
		store_id = "";
	for (i = 0; i < v->npiles; i++)
		if (strcmp(v->piles[i].serial, serial) == 0 &&
		    strncmp(v->piles[i].store_id, store_id, sizeof v->piles[i].store_id - 1) == 0)
			return &v->piles[i];
	v->piles = xrealloc(v->piles, (v->npiles + 1) * sizeof *v->piles);
	memset(&v->piles[v->npiles], 0, sizeof *v->piles);
	snprintf(v->piles[v->npiles].serial, sizeof v->piles[0].serial, "%s", serial);
	snprintf(v->piles[v->npiles].store_id, sizeof v->piles[0].store_id, "%.15s", store_id);
	return &v->piles[v->npiles++];
}

/* A record of a pile's series: in order after the one before, kept for
 * the gaps at the end. */
static void
check_seq(struct archive_verify *v, const char *pile, const char *store_id, uint32_t seq)
{
	struct vpile	*vp = pile_of(v, pile, store_id);

	if (vp->n > 0 && seq <= vp->last) {
		v->c.out_of_order++;
		finding(v, pile, seq, "order", _("%s seq %u: comes after seq %u (out of "
		    "order or repeated)"), pile, seq, vp->last);
	}
	if (vp->n == vp->alloc) {
		vp->alloc = vp->alloc ? vp->alloc * 2 : 64;
		vp->seqs = xrealloc(vp->seqs, vp->alloc * sizeof *vp->seqs);
	}
	vp->seqs[vp->n++] = seq;
	vp->last = seq;
}

static void
check_line(struct archive_verify *v, unsigned lineno, const char *path)
{
	struct proto_record	 r;
	const char		*pile = field(v, "pile"), *bad = NULL;

	v->c.records++;
	if (pile == NULL || *pile == '\0' || strlen(pile) > 16 || proto_export_record(&v->l, &r, &bad) != 0) {
		finding(v, pile != NULL ? pile : "?", 0, "format", _("%s:%u: not a record "
		    "line (field '%s' missing or bad)"), path, lineno, bad != NULL ? bad : "pile");
		return;
	}
	check_signature(v, pile, &r);
	check_money(v, pile, &r);
	check_seq(v, pile, field(v, "store_id"), r.seq);
}

/* ---- OCMF lines ------------------------------------------------------------ */

/* A '# ...' line: a note of the export kept (proto_ocmf_note), any other
 * comment skipped. */
static void
ocmf_note(struct archive_verify *v, const char *line, size_t len, unsigned lineno,
    const char *path)
{
	struct proto_ocmf_note	 n;
	struct vkey		*k;
	const char		*bad = NULL;
	size_t			 i;

	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (strncmp(line, "# pilecon OCMF export", 21) == 0)
		v->ocmf = 1;
	if (proto_ocmf_note(line, len, &n, &bad) != 0) {
		finding(v, "?", 0, "format", _("%s:%u: a '#' line of the export is not "
		    "what it says ('%s' bad)"), path, lineno, bad);
		return;
	}
	if (n.kind != PROTO_NOTE_NONE)
		v->ocmf = 1;
	switch (n.kind) {
	case PROTO_NOTE_NONE:
		break;
	case PROTO_NOTE_KEY:
		for (i = 0; i < v->nekeys && strcmp(v->ekeys[i].serial, n.serial) != 0; i++)
			;
		if (i == v->nekeys)
			v->ekeys = xrealloc(v->ekeys, ++v->nekeys * sizeof *v->ekeys);
		k = &v->ekeys[i];
		snprintf(k->serial, sizeof k->serial, "%s", n.serial);
		if (proto_pubkey_from_hex(n.key_hex, k->pub) != PROTO_KEYHEX_OK) {
			memset(k->pub, 0, sizeof k->pub);	/* no key: each record says so */
			finding(v, n.serial, 0, "key", _("%s:%u: the public key of '%s' is not a "
			    "P-256 key"), path, lineno, n.serial);
		}
		break;
	case PROTO_NOTE_SERIES:
		snprintf(v->series_serial, sizeof v->series_serial, "%s", n.serial);
		snprintf(v->series_store_id, sizeof v->series_store_id, "%lu",
		    (unsigned long)n.store_id);
		break;
	case PROTO_NOTE_TARIFF:
		for (i = 0; i < v->ntariffs && v->tariffs[i].version != n.tariff.version; i++)
			;
		if (i == v->ntariffs)
			v->tariffs = xrealloc(v->tariffs, ++v->ntariffs * sizeof *v->tariffs);
		v->tariffs[i] = n.tariff;
		break;
	}
}

static const uint8_t *
export_key(struct archive_verify *v, const char *serial)
{
	static const uint8_t	none[PROTO_PUBKEY_BYTES];
	size_t			i;

	for (i = 0; i < v->nekeys; i++)
		if (strcmp(v->ekeys[i].serial, serial) == 0)
			return memcmp(v->ekeys[i].pub, none, sizeof none) != 0 ?
			    v->ekeys[i].pub : NULL;
	return NULL;
}

/* The signature over the payload as it stands (what an OCMF verifier
 * checks), with the trusted key, or else the one the export gives. */
static void
ocmf_signature(struct archive_verify *v, const struct proto_ocmf *o)
{
	const char	*pile = o->serial;
	const uint8_t	*pub = export_key(v, pile), *trusted;
	uint8_t		 der[PROTO_SIG_DER_MAX], sig[PROTO_SIG_BYTES];
	size_t		 n = strlen(o->sd_hex) / 2;
	uint32_t	 seq = o->rec.seq;

	if (strcmp(o->sa, "ECDSA-secp256r1-SHA256") != 0 || strlen(o->sd_hex) % 2 != 0 ||
	    n > sizeof der || proto_hex_decode(o->sd_hex, der, n) != 0 ||
	    proto_sig_from_der(der, n, sig) != 0) {
		v->c.bad_signatures++;
		finding(v, pile, seq, "signature", _("%s seq %u: the signature section is not "
		    "an ECDSA-secp256r1-SHA256 signature in DER hex"), pile, seq);
		return;
	}
	if (v->nkeys > 0) {
		if ((trusted = trusted_key(v, pile)) == NULL) {
			v->c.bad_signatures++;
			finding(v, pile, seq, "key", _("%s seq %u: the keys file has no key for "
			    "this pile"), pile, seq);
			return;
		}
		if (pub != NULL && memcmp(trusted, pub, PROTO_PUBKEY_BYTES) != 0) {
			v->c.bad_signatures++;
			finding(v, pile, seq, "key", _("%s seq %u: the export's public key is "
			    "not the one the keys file gives for this pile"), pile, seq);
			return;
		}
		pub = trusted;
	}
	if (pub == NULL) {
		v->c.bad_signatures++;
		finding(v, pile, seq, "key", _("%s seq %u: no public key to check the "
		    "signature with (no '# public_key' line for this pile, no --keys)"),
		    pile, seq);
		return;
	}
	if (v->cached == NULL || memcmp(v->cached_pub, pub, PROTO_PUBKEY_BYTES) != 0) {
		proto_verifier_free(v->cached);
		memcpy(v->cached_pub, pub, PROTO_PUBKEY_BYTES);
		v->cached = proto_verifier_new(pub);
	}
	if (v->cached == NULL ||
	    proto_verifier_check(v->cached, o->payload, o->payload_len, sig) != 0) {
		v->c.bad_signatures++;
		finding(v, pile, seq, "signature", _("%s seq %u: bad signature: the "
		    "record is not what the pile signed (a field was changed)"), pile, seq);
		return;
	}
	v->c.good_signatures++;
}

static void
ocmf_money(struct archive_verify *v, const struct proto_ocmf *o)
{
	uint32_t	price[2][PROTO_PERIODS];
	uint64_t	sum[2];
	size_t		i;

	for (i = 0; i < v->ntariffs && v->tariffs[i].version != o->rec.tariff_version; i++)
		;
	if (i == v->ntariffs) {
		v->c.money_unchecked++;
		return;
	}
	memcpy(price[0], v->tariffs[i].energy_price, sizeof price[0]);
	memcpy(price[1], v->tariffs[i].service_price, sizeof price[1]);
	if (check_fees(v, o->serial, &o->rec, price, sum))
		v->c.money_wrong++;
	else
		v->c.money_checked++;
}

static void
check_ocmf(struct archive_verify *v, const char *line, size_t len, unsigned lineno,
    const char *path)
{
	struct proto_ocmf	 o;
	const char		*bad = NULL;

	v->c.records++;
	if (proto_ocmf_parse(line, len, &o, &bad) != 0) {
		finding(v, "?", 0, "format", _("%s:%u: not an OCMF record line ('%s' missing "
		    "or bad)"), path, lineno, bad);
		return;
	}
	if (!o.canonical)
		finding(v, o.serial, o.rec.seq, "format", _("%s seq %u: the payload is not "
		    "the canonical form a pile signs (pilecon-protocol(7), OCMF MAPPING)"),
		    o.serial, o.rec.seq);
	ocmf_signature(v, &o);
	ocmf_money(v, &o);
	check_seq(v, o.serial, strcmp(v->series_serial, o.serial) == 0 ?
	    v->series_store_id : NULL, o.rec.seq);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void
check_gaps(struct archive_verify *v)
{
	struct vpile	*vp;
	size_t		 i, j, k;

	v->c.piles = 0;
	for (i = 0; i < v->npiles; i++) {
		for (k = 0; k < i && strcmp(v->piles[k].serial, v->piles[i].serial) != 0; k++)
			;
		v->c.piles += k == i;	/* piles, not series */
		vp = &v->piles[i];
		qsort(vp->seqs, vp->n, sizeof *vp->seqs, cmp_u32);
		for (j = 1; j < vp->n; j++)
			if (vp->seqs[j] > vp->seqs[j - 1] + 1) {
				v->c.missing += vp->seqs[j] - vp->seqs[j - 1] - 1;
				finding(v, vp->serial, vp->seqs[j - 1] + 1, "gap", _("%s: seq "
				    "%u..%u missing (a gap in the pile's sequence)"), vp->serial,
				    vp->seqs[j - 1] + 1, vp->seqs[j] - 1);
			}
	}
}

int
archive_verify_file(struct archive_verify *v, const char *path, char **cause)
{
	FILE		*f;
	char		*line = NULL, *more = NULL, *joined;
	size_t		 size = 0, msize = 0;
	ssize_t		 n;
	unsigned	 lineno = 0;
	int		 csv = -1;

	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "r")) == NULL)
		return set_cause(cause, -1, _("cannot open '%s': %s"), path, strerror(errno));
	while ((n = getline(&line, &size, f)) > 0) {
		lineno++;
		if (line[0] == '#') {
			ocmf_note(v, line, (size_t)n, lineno, path);
			continue;
		}
		if (line[0] == '\n' || (line[0] == '\r' && line[1] == '\n'))
			continue;
		/* In an OCMF export every other line is a record line, and
		 * one that does not read as such is named. */
		if (v->ocmf || strncmp(line, "OCMF|", 5) == 0) {
			v->ocmf = 1;
			check_ocmf(v, line, (size_t)n, lineno, path);
			continue;
		}
		if (csv == -1)
			csv = line[0] != '{';
		if (!csv) {
			if (proto_export_split_json(&v->l, line) != 0) {
				v->c.records++;
				finding(v, "?", 0, "format", _("%s:%u: not a JSON object of an "
				    "export"), path, lineno);
				continue;
			}
			check_line(v, lineno, path);
			continue;
		}
		/* A quoted field may hold a line break: join until quotes pair. */
		while (!proto_export_csv_complete(line) && getline(&more, &msize, f) > 0) {
			lineno++;
			joined = xasprintf("%s%s", line, more);
			free(line);
			line = joined;
			size = strlen(line) + 1;
		}
		switch (proto_export_split_csv(&v->l, line)) {
		case -1:
			finding(v, "?", 0, "format", _("%s:%u: too many columns"), path, lineno);
			break;
		case 0:
			check_line(v, lineno, path);
			break;
		}
	}
	free(line);
	free(more);
	if (f != stdin)
		fclose(f);
	check_gaps(v);
	return 0;
}
