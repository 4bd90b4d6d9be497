/* wl.c - a pile's card whitelist: a sorted array searched by binary search,
 * kept on disk as an append-only journal (whitelist.log) compacted on open,
 * so an edit costs one short append, not a rewrite of 10,000 entries. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "world.h"

/*
 * Journal lines: "U uid status expiry holder-hex", "R uid", "C" and
 * "V version". A command is its lines followed by its V line, written in one
 * write(); on replay, lines count only once their V line is there, so a
 * command torn by a kill is dropped whole.
 */

/* Digests cached over the list are stale. */
static void
wl_changed(struct sim_wl *wl)
{
	wl->digest_valid = 0;
	wl->buckets_valid = 0;
}

static uint32_t
wl_lookup(const struct sim_wl *wl, const char *uid, int *found)
{
	uint32_t	lo = 0, hi = wl->n, mid;
	int		c;

	*found = 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(wl->items[mid].e.uid, uid);
		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct proto_wl_entry *
sim_wl_find(const struct sim_wl *wl, const char *uid)
{
	int		found;
	uint32_t	i = wl_lookup(wl, uid, &found);

	return found ? &wl->items[i].e : NULL;
}

static void
wl_put(struct sim_wl *wl, const struct proto_wl_entry *e)
{
	uint16_t		 regs[PROTO_WL_ENTRY_REGS];
	struct sim_wl_item	*it;
	uint32_t		 i;
	int			 found, r;

	i = wl_lookup(wl, e->uid, &found);
	if (!found) {
		if (wl->n == wl->alloc) {
			wl->alloc = wl->alloc ? wl->alloc * 2 : 64;
			wl->items = xrealloc(wl->items, wl->alloc * sizeof *wl->items);
		}
		memmove(&wl->items[i + 1], &wl->items[i], (wl->n - i) * sizeof *wl->items);
		wl->n++;
	}
	it = &wl->items[i];
	it->e = *e;
	proto_wl_entry_encode(e, regs);
	for (r = 0; r < PROTO_WL_ENTRY_REGS; r++) {
		it->wire[2 * r] = regs[r] >> 8;
		it->wire[2 * r + 1] = regs[r] & 0xff;
	}
	wl_changed(wl);
}

static int
wl_del(struct sim_wl *wl, const char *uid)
{
	int		found;
	uint32_t	i = wl_lookup(wl, uid, &found);

	if (!found)
		return -1;
	memmove(&wl->items[i], &wl->items[i + 1], (wl->n - i - 1) * sizeof *wl->items);
	wl->n--;
	wl_changed(wl);
	return 0;
}

uint32_t
sim_wl_digest(struct sim_wl *wl)
{
	uint32_t	crc = 0, i;

	if (!wl->digest_valid) {
		for (i = 0; i < wl->n; i++)
			crc = proto_crc32_update(crc, wl->items[i].wire,
			    sizeof wl->items[i].wire);
		wl->digest = crc;
		wl->digest_valid = 1;
	}
	return wl->digest;
}

static char *
entry_line(const struct proto_wl_entry *e)
{
	char	hex[2 * PROTO_HOLDER_MAX + 1];
	size_t	i, n = strlen(e->holder);

	for (i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", (uint8_t)e->holder[i]);
	hex[2 * n] = '\0';
	return xasprintf("U %s %u %" PRIu32 " %s\n", e->uid, e->status, e->expiry,
	    n ? hex : "-");
}

static int
parse_entry(char *s, struct proto_wl_entry *e)
{
	char		 uid[64], holder[2 * PROTO_HOLDER_MAX + 2];
	unsigned	 status, v;
	uint32_t	 expiry;
	size_t		 i, n;

	if (sscanf(s, "%63s %u %" SCNu32 " %65s", uid, &status, &expiry, holder) != 4)
		return -1;
	if (strlen(uid) > PROTO_UID_MAX || (status != PROTO_WL_ACCEPTED &&
	    status != PROTO_WL_BLOCKED))
		return -1;
	memset(e, 0, sizeof *e);
	strcpy(e->uid, uid);
	e->status = status;
	e->expiry = expiry;
	n = strcmp(holder, "-") == 0 ? 0 : strlen(holder) / 2;
	for (i = 0; i < n && i < PROTO_HOLDER_MAX; i++) {
		if (sscanf(holder + 2 * i, "%2x", &v) != 1)
			return -1;
		e->holder[i] = (char)v;
	}
	e->holder[i] = '\0';
	return 0;
}

struct wl_op {
	char			kind;
	struct proto_wl_entry	e;
};

static void
replay(struct sim_wl *wl, char *buf)
{
	struct wl_op	*ops = NULL;
	size_t		 nops = 0, alloc = 0, i;
	char		*line, *next;

	for (line = buf; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) == NULL)
			break;		/* torn last line: never committed */
		*next++ = '\0';
		if (nops == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			ops = xrealloc(ops, alloc * sizeof *ops);
		}
		memset(&ops[nops], 0, sizeof ops[nops]);
		switch (line[0]) {
		case 'U':
			if (parse_entry(line + 2, &ops[nops].e) == 0)
				ops[nops++].kind = 'U';
			break;
		case 'R':
			if (strlen(line + 2) <= PROTO_UID_MAX) {
				strcpy(ops[nops].e.uid, line + 2);
				ops[nops++].kind = 'R';
			}
			break;
		case 'C':
			ops[nops++].kind = 'C';
			break;
		case 'V':
			for (i = 0; i < nops; i++) {
				if (ops[i].kind == 'U')
					wl_put(wl, &ops[i].e);
				else if (ops[i].kind == 'R')
					wl_del(wl, ops[i].e.uid);
				else
					wl->n = 0;
			}
			nops = 0;
			wl->version = (uint32_t)strtoul(line + 2, NULL, 10);
			wl_changed(wl);
			break;
		}
	}
	free(ops);
}

static int
append(struct sim_wl *wl, const char *text, char **cause)
{
	size_t	len = strlen(text);
	ssize_t	n;
	off_t	at = lseek(wl->fd, 0, SEEK_END);

	while (len > 0) {
		n = write(wl->fd, text, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		text += n;
		len -= n;
	}
	if (fdatasync(wl->fd) == -1)
		goto fail;
	return 0;
fail:
	set_cause(cause, -1, _("cannot write whitelist journal '%s': %s"), wl->path,
	    strerror(errno));
	if (at != -1 && ftruncate(wl->fd, at) == -1)
		return -1;
	return -1;
}

int
sim_wl_open(struct sim_wl *wl, const char *dir, uint32_t capacity, char **cause)
{
	char		*buf, *snap = NULL, *line, *tmp;
	size_t		 len = 0, alloc = 0, n;
	uint32_t	 i;

	memset(wl, 0, sizeof *wl);
	wl->fd = -1;
	wl->capacity = capacity;
	wl->path = xasprintf("%s/whitelist.log", dir);
	if ((buf = sim_read_file(wl->path, NULL)) != NULL) {
		replay(wl, buf);
		free(buf);
	} else if (errno != ENOENT) {
		return set_cause(cause, -1, _("cannot read '%s': %s"), wl->path,
		    strerror(errno));
	}

	/* Compact: the journal becomes one snapshot command. */
	for (i = 0; i <= wl->n; i++) {
		if (i < wl->n)
			line = entry_line(&wl->items[i].e);
		else
			line = xasprintf("V %" PRIu32 "\n", wl->version);
		n = strlen(line);
		if (len + n + 1 > alloc) {
			alloc = (len + n + 1) * 2;
			snap = xrealloc(snap, alloc);
		}
		memcpy(snap + len, line, n + 1);
		len += n;
		free(line);
	}
	if (sim_write_atomic(wl->path, snap, len, 0644, cause) != 0) {
		free(snap);
		return -1;
	}
	free(snap);
	wl->fd = open(wl->path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (wl->fd == -1) {
		tmp = xstrdup(strerror(errno));
		set_cause(cause, -1, _("cannot open '%s': %s"), wl->path, tmp);
		free(tmp);
		return -1;
	}
	return 0;
}

void
sim_wl_close(struct sim_wl *wl)
{
	if (wl->fd != -1)
		close(wl->fd);
	free(wl->items);
	free(wl->path);
	free(wl->bdigest);
	free(wl->boff);
	free(wl->bidx);
	free(wl->bcheck);
	memset(wl, 0, sizeof *wl);
	wl->fd = -1;
}

/*
 * Runs one command; the whole command is journalled before memory changes,
 * so what the result register says is what a restart finds. Entries must be
 * valid already (uid normalized; for remove only the uid counts).
 */
int
sim_wl_command(struct sim_wl *wl, unsigned cmd, uint32_t new_version,
    const struct proto_wl_entry *e, unsigned n, char **cause)
{
	char		*text = NULL, *line, *tmp;
	uint32_t	 added = 0, version, i, j;
	int		 found, result = PROTO_WL_OK, changed = 0;

	if (n > PROTO_WL_WINDOW_ENTRIES)
		return PROTO_WL_BAD_COMMAND;
	switch (cmd) {
	case PROTO_WL_UPSERT:
		if (n == 0)
			return PROTO_WL_BAD_COMMAND;
		for (i = 0; i < n; i++) {
			wl_lookup(wl, e[i].uid, &found);
			for (j = 0; j < i; j++)
				if (strcmp(e[j].uid, e[i].uid) == 0)
					found = 1;
			if (!found)
				added++;
		}
		if (wl->n + added > wl->capacity)
			return PROTO_WL_FULL;
		changed = 1;
		break;
	case PROTO_WL_REMOVE:
		if (n == 0)
			return PROTO_WL_BAD_COMMAND;
		for (i = 0; i < n; i++) {
			if (sim_wl_find(wl, e[i].uid) != NULL)
				changed = 1;
			else
				result = PROTO_WL_NOT_FOUND;
		}
		break;
	case PROTO_WL_CLEAR:
	case PROTO_WL_SET_VERSION:
		changed = 1;
		break;
	default:
		return PROTO_WL_BAD_COMMAND;
	}
	if (!changed)
		return result;

	version = new_version != 0 ? new_version : wl->version + 1;
	text = xstrdup("");
	for (i = 0; i < n && cmd != PROTO_WL_CLEAR && cmd != PROTO_WL_SET_VERSION; i++) {
		if (cmd == PROTO_WL_UPSERT)
			line = entry_line(&e[i]);
		else
			line = xasprintf("R %s\n", e[i].uid);
		tmp = xasprintf("%s%s", text, line);
		free(text);
		free(line);
		text = tmp;
	}
	tmp = xasprintf("%s%sV %" PRIu32 "\n", text, cmd == PROTO_WL_CLEAR ? "C\n" : "",
	    version);
	free(text);
	text = tmp;
	if (append(wl, text, cause) != 0) {
		free(text);
		return -1;
	}
	free(text);

	for (i = 0; i < n && cmd != PROTO_WL_CLEAR && cmd != PROTO_WL_SET_VERSION; i++) {
		if (cmd == PROTO_WL_UPSERT)
			wl_put(wl, &e[i]);
		else
			wl_del(wl, e[i].uid);
	}
	if (cmd == PROTO_WL_CLEAR) {
		wl->n = 0;
		wl_changed(wl);
	}
	wl->version = version;
	return result;
}

/* A committed staged list: "C", its entries and "V" in one append, so a kill
 * leaves either the old list or the new one (replay drops a command without
 * its V line). */
int
sim_wl_replace(struct sim_wl *wl, const struct proto_wl_entry *e, uint32_t n,
    uint32_t version, char **cause)
{
	char		*text, *line;
	size_t		 len = 0, alloc = 64, k;
	uint32_t	 i;

	if (version == 0)
		version = wl->version + 1;
	text = xmalloc(alloc);
	memcpy(text, "C\n", 3);
	len = 2;
	for (i = 0; i <= n; i++) {
		line = i < n ? entry_line(&e[i]) : xasprintf("V %" PRIu32 "\n", version);
		k = strlen(line);
		if (len + k + 1 > alloc) {
			alloc = (len + k + 1) * 2;
			text = xrealloc(text, alloc);
		}
		memcpy(text + len, line, k + 1);
		len += k;
		free(line);
	}
	if (append(wl, text, cause) != 0) {
		free(text);
		return -1;
	}
	free(text);
	wl->n = 0;
	for (i = 0; i < n; i++)
		wl_put(wl, &e[i]);
	wl_changed(wl);
	wl->version = version;
	return 0;
}
