/* whitelist.c - the pile's local card list: status, reading it through the
 * cursor window, and edit commands checked against the result register. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "pile-int.h"

#define PILE_WL_STATUS_COUNT	(PROTO_A_WL_DIGEST + PROTO_N_WL_DIGEST - \
				 PROTO_A_WL_RESULT)
#define PILE_WL(id)		(PROTO_A_##id - PROTO_A_WL_RESULT)

static const char *
pile_wl_cmd_str(unsigned cmd)
{
	switch (cmd) {
	case PROTO_WL_UPSERT:
		return _("add or update");
	case PROTO_WL_REMOVE:
		return _("remove");
	case PROTO_WL_CLEAR:
		return _("clear");
	case PROTO_WL_SET_VERSION:
		return _("set version");
	}
	return _("unknown command");
}

static void
pile_wl_status_decode(const uint16_t *regs, struct pile_wl_status *st)
{
	st->result = regs[PILE_WL(WL_RESULT)];
	st->version = proto_get_u32(&regs[PILE_WL(WL_VERSION)]);
	st->count = proto_get_u32(&regs[PILE_WL(WL_COUNT)]);
	st->digest = proto_get_u32(&regs[PILE_WL(WL_DIGEST)]);
}

int
pile_wl_status(struct pile *p, struct pile_wl_status *st, char **cause)
{
	uint16_t	regs[PILE_WL_STATUS_COUNT];
	int		rc;

	rc = pile_read_regs(p, PROTO_A_WL_RESULT, PILE_WL_STATUS_COUNT, regs,
	    cause);
	if (rc < 0)
		return rc;
	pile_wl_status_decode(regs, st);
	return 0;
}

void
pile_wl_status_request(const struct pile *p, struct pile_xfer *x)
{
	pile_xfer_reset(x);
	x->req.unit = p->addr;
	x->req.fc = PROTO_FC_READ_HOLDING;
	x->req.read_addr = PROTO_A_WL_RESULT;
	x->req.read_count = PILE_WL_STATUS_COUNT;
}

int
pile_wl_status_parse(const struct pile_xfer *x, struct pile_wl_status *st,
    char **cause)
{
	if (x->status < 0)
		return set_cause(cause, x->status, "%s", x->cause != NULL ?
		    x->cause : _("failed"));
	if (x->status != 0 || x->resp.nregs != PILE_WL_STATUS_COUNT)
		return set_cause(cause, PILE_E_PROTOCOL, _("address %u sent "
		    "%u registers for a window of %u"), x->req.unit,
		    x->resp.nregs, (unsigned)PILE_WL_STATUS_COUNT);
	pile_wl_status_decode(x->resp.regs, st);
	return 0;
}

static int
pile_wl_window_decode(struct pile *p, uint32_t index, const uint16_t *regs,
    struct proto_wl_entry out[PROTO_WL_WINDOW_ENTRIES], char **cause)
{
	char		label[64];
	unsigned	count = regs[0], i;

	if (count > PROTO_WL_WINDOW_ENTRIES)
		return set_cause(cause, PILE_E_PROTOCOL, _("%s says its "
		    "whitelist window holds %u entries (at most %d)"),
		    pile_label(p, label, sizeof label), count,
		    PROTO_WL_WINDOW_ENTRIES);
	for (i = 0; i < count; i++) {
		if (proto_wl_entry_decode(&regs[1 + i * PROTO_WL_ENTRY_REGS],
		    &out[i]) != 0)
			return set_cause(cause, PILE_E_PROTOCOL, _("whitelist "
			    "entry %u from %s is malformed (empty or non-hex "
			    "UID, or a bad status)"), index + i,
			    pile_label(p, label, sizeof label));
	}
	return (int)count;
}

int
pile_wl_read(struct pile *p, uint32_t index,
    struct proto_wl_entry out[PROTO_WL_WINDOW_ENTRIES], char **cause)
{
	uint16_t	regs[PROTO_N_WL_WINDOW];
	int		rc;

	rc = pile_cursor_read(p, PROTO_A_WL_CURSOR, index, PROTO_A_WL_WINDOW,
	    PROTO_N_WL_WINDOW, regs, cause);
	if (rc < 0)
		return rc;
	return pile_wl_window_decode(p, index, regs, out, cause);
}

void
pile_wl_read_request(const struct pile *p, struct pile_xfer *x,
    uint32_t index)
{
	pile_cursor_request(p, x, PROTO_A_WL_CURSOR, index, PROTO_A_WL_WINDOW,
	    PROTO_N_WL_WINDOW);
}

int
pile_wl_read_parse(struct pile *p, const struct pile_xfer *x, uint32_t index,
    struct proto_wl_entry out[PROTO_WL_WINDOW_ENTRIES], char **cause)
{
	uint16_t	regs[PROTO_N_WL_WINDOW];
	int		rc;

	if ((rc = pile_cursor_parse(x, PROTO_N_WL_WINDOW, regs, cause)) < 0)
		return rc;
	return pile_wl_window_decode(p, index, regs, out, cause);
}

static int
pile_wl_refused(struct pile *p, unsigned cmd, unsigned result, char **cause)
{
	char	label[64];

	return set_cause(cause, PILE_E_REFUSED, _("%s refused the whitelist "
	    "command '%s': %s"), pile_label(p, label, sizeof label),
	    pile_wl_cmd_str(cmd), proto_wl_result_str(result));
}

int
pile_wl_command_encode(unsigned cmd, uint32_t new_version,
    const struct proto_wl_entry *entries, int n,
    uint16_t regs[PILE_WL_COMMAND_REGS], char **cause)
{
	int	i;

	if (n < 0 || n > PROTO_WL_WINDOW_ENTRIES)
		return set_cause(cause, PILE_E_PROTOCOL, _("a whitelist "
		    "command carries 0 to %d entries, not %d"),
		    PROTO_WL_WINDOW_ENTRIES, n);
	regs[PROTO_A_WL_CMD - PROTO_A_WL_CMD] = (uint16_t)cmd;
	proto_put_u32(&regs[PROTO_A_WL_NEW_VERSION - PROTO_A_WL_CMD],
	    new_version);
	regs[PROTO_A_WL_NENTRIES - PROTO_A_WL_CMD] = (uint16_t)n;
	for (i = 0; i < n; i++)
		proto_wl_entry_encode(&entries[i],
		    &regs[PROTO_A_WL_ENTRIES - PROTO_A_WL_CMD +
		    i * PROTO_WL_ENTRY_REGS]);
	/* Only the entries the command carries go on the wire. */
	return PROTO_A_WL_ENTRIES - PROTO_A_WL_CMD + n * PROTO_WL_ENTRY_REGS;
}

int
pile_wl_command_check(unsigned cmd, int write_rc)
{
	/* A normal reply means the command was applied (pilecon-protocol(7),
	 * EDITING THE WHITELIST), so a bulk load costs one transaction per
	 * command; only a remove, which answers normally for a card the list
	 * does not hold, and a refusal need the result register. */
	if (write_rc < 0 && write_rc != PILE_E_EXCEPTION)
		return 0;
	return write_rc != 0 || cmd == PROTO_WL_REMOVE;
}

void
pile_wl_result_request(const struct pile *p, struct pile_xfer *x)
{
	pile_xfer_reset(x);
	x->req.unit = p->addr;
	x->req.fc = PROTO_FC_READ_HOLDING;
	x->req.read_addr = PROTO_A_WL_RESULT;
	x->req.read_count = 1;
}

int
pile_wl_command_outcome(struct pile *p, unsigned cmd, int write_rc, char *write_err,
    const struct pile_xfer *x, char **cause)
{
	if (x == NULL || x->status != 0) {
		if (write_rc < 0 || x == NULL) {
			if (cause != NULL)
				*cause = write_err;
			else
				free(write_err);
			return write_rc;
		}
		free(write_err);
		return set_cause(cause, x->status < 0 ? x->status : PILE_E_PROTOCOL,
		    "%s", x->cause != NULL ? x->cause : _("failed"));
	}
	if (x->resp.regs[0] != PROTO_WL_OK) {
		free(write_err);
		return pile_wl_refused(p, cmd, x->resp.regs[0], cause);
	}
	if (cause != NULL && write_rc < 0)
		*cause = write_err;
	else
		free(write_err);
	return write_rc;
}

int
pile_wl_command(struct pile *p, unsigned cmd, uint32_t new_version,
    const struct proto_wl_entry *entries, int n, char **cause)
{
	uint16_t		regs[PILE_WL_COMMAND_REGS];
	struct pile_xfer	x;
	char			*err = NULL;
	int			rc, count;

	if ((count = pile_wl_command_encode(cmd, new_version, entries, n, regs,
	    cause)) < 0)
		return count;
	rc = pile_write_auth(p, PROTO_A_WL_CMD, (uint16_t)count, regs, NULL, &err);
	if (!pile_wl_command_check(cmd, rc))
		return pile_wl_command_outcome(p, cmd, rc, err, NULL, cause);
	memset(&x, 0, sizeof x);
	pile_wl_result_request(p, &x);
	pile_bus_transact(p->bus, &x);
	rc = pile_wl_command_outcome(p, cmd, rc, err, &x, cause);
	pile_xfer_reset(&x);
	return rc;
}

/* ---- the bucket window (1.1) -------------------------------------------- */

void
pile_wl_buckets_begin(struct pile_wl_bucket_read *br, const uint16_t *buckets, size_t n)
{
	memset(br, 0, sizeof *br);
	br->buckets = buckets;
	br->n = n;
}

/* What the request writes: the index inside the first bucket, then the
 * buckets (PROTO_BUCKET_NONE after the last). */
static void
pile_wl_buckets_list(const struct pile_wl_bucket_read *br, uint16_t wv[1 +
    PROTO_BUCKET_LIST_MAX])
{
	size_t	k;

	wv[0] = (uint16_t)br->index;
	for (k = 0; k < PROTO_BUCKET_LIST_MAX; k++)
		wv[1 + k] = k < br->nlist ? br->buckets[br->at + k] : PROTO_BUCKET_NONE;
}

int
pile_wl_buckets_request(const struct pile *p, struct pile_xfer *x,
    struct pile_wl_bucket_read *br)
{
	uint16_t	wv[1 + PROTO_BUCKET_LIST_MAX];

	pile_xfer_reset(x);
	x->req.unit = p->addr;
	if (br->at >= br->n)
		return 0;
	br->nlist = br->n - br->at < PROTO_BUCKET_LIST_MAX ?
	    (unsigned)(br->n - br->at) : PROTO_BUCKET_LIST_MAX;
	pile_wl_buckets_list(br, wv);
	pile_rw_request(p, x, PROTO_A_WL_BUCKET_INDEX, 1 + PROTO_BUCKET_LIST_MAX, wv,
	    PROTO_A_WL_BUCKET_WINDOW, PROTO_N_WL_BUCKET_WINDOW);
	return 1;
}

int
pile_wl_buckets_parse(struct pile *p, const struct pile_xfer *x,
    struct pile_wl_bucket_read *br, char **cause)
{
	struct proto_bucket_part	parts[PROTO_BUCKET_LIST_MAX];
	struct proto_bucket_item	got[PROTO_BUCKET_ITEMS_MAX];
	uint16_t			wv[1 + PROTO_BUCKET_LIST_MAX];
	uint16_t			regs[PROTO_N_WL_BUCKET_WINDOW];
	unsigned			ngot;
	char				label[80];
	int				np, rc;

	pile_wl_buckets_list(br, wv);
	if ((rc = pile_cursor_parse(x, PROTO_N_WL_BUCKET_WINDOW, regs, cause)) < 0)
		return rc;
	np = proto_bucket_window_decode(regs, br->index, wv + 1, br->nlist, parts, got,
	    &ngot);
	if (np <= 0 || (np == 1 && parts[0].given == 0 &&
	    parts[0].first < parts[0].total))
		return set_cause(cause, PILE_E_PROTOCOL, _("%s sent a bucket window "
		    "that breaks its layout (pilecon-protocol(7), BUCKET DIGESTS)"),
		    pile_label(p, label, sizeof label));
	if (br->nitems + ngot > br->alloc) {
		br->alloc = (br->nitems + ngot) * 2;
		br->items = xrealloc(br->items, br->alloc * sizeof *br->items);
	}
	if (ngot > 0)	/* items is still NULL while every bucket is empty */
		memcpy(br->items + br->nitems, got, ngot * sizeof *got);
	br->nitems += ngot;
	/* Resume at the bucket cut short, or the first one left out. */
	if (parts[np - 1].first + parts[np - 1].given < parts[np - 1].total) {
		br->at += (size_t)np - 1;
		br->index = parts[np - 1].first + parts[np - 1].given;
	} else {
		br->at += (size_t)np;
		br->index = 0;
	}
	return 0;
}

int
pile_wl_buckets_read(struct pile *p, const uint16_t *buckets, size_t n,
    struct proto_bucket_item **items, size_t *nitems, char **cause)
{
	struct pile_wl_bucket_read	br;
	struct pile_xfer		x;
	int				rc = 0;

	memset(&x, 0, sizeof x);
	pile_wl_buckets_begin(&br, buckets, n);
	while (rc == 0 && pile_wl_buckets_request(p, &x, &br)) {
		pile_bus_transact(p->bus, &x);
		rc = pile_wl_buckets_parse(p, &x, &br, cause);
	}
	pile_xfer_reset(&x);
	if (rc != 0) {
		free(br.items);
		br.items = NULL;
		br.nitems = 0;
	}
	*items = br.items;
	*nitems = br.nitems;
	return rc;
}
