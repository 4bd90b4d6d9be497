/* util.c - what the batch commands share: the progress line, money and
 * energy in decimals (integer arithmetic only), whitelist reads, Ctrl-C. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/cmd-util.h"

volatile sig_atomic_t	cmd_interrupted;
static struct sigaction	old_int, old_term;

static void
cmd_on_signal(int sig)
{
	cmd_interrupted = sig;
}

/* No SA_RESTART: a poll() waiting for the pile returns, and the command
 * stores what it has before it stops. */
void
cmd_catch_signals(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = cmd_on_signal;
	sigemptyset(&sa.sa_mask);
	cmd_interrupted = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
}

void
cmd_restore_signals(void)
{
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
}

void
progress_start(struct progress *p, struct cmd_ctx *ctx, const char *what, uint64_t total)
{
	memset(p, 0, sizeof *p);
	p->ctx = ctx;
	p->what = what;
	p->total = total;
	p->start_ms = mono_ms();
}

static void
progress_draw(struct progress *p, uint64_t now)
{
	char		 bar[31], *left = NULL;
	uint64_t	 elapsed = now - p->start_ms, rate = 0;
	size_t		 fill, i;

	fill = p->total ? (size_t)(p->done * 30 / p->total) : 0;
	for (i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[30] = '\0';
	if (elapsed > 0)
		rate = p->bytes * 1000 / elapsed;
	if (p->done > 0 && p->total > p->done)
		left = batch_format_duration((uint32_t)((p->total - p->done) * elapsed /
		    p->done / 1000));
	fputc('\r', p->ctx->err);
	fprintf(p->ctx->err, _("[%s] %llu/%llu %s, %llu B/s, %s left  "), bar,
	    (unsigned long long)p->done, (unsigned long long)p->total, p->what,
	    (unsigned long long)rate, left ? left : "-");
	fflush(p->ctx->err);
	free(left);
	p->drawn = 1;
	p->last_ms = now;
}

void
progress_update(struct progress *p, uint64_t done, uint64_t bytes)
{
	uint64_t	now;

	p->done = done;
	p->bytes = bytes;
	if (!p->ctx->progress)
		return;
	now = mono_ms();
	if (p->drawn && now - p->last_ms < 100)	/* 10 redraws a second are plenty */
		return;
	progress_draw(p, now);
}

void
progress_end(struct progress *p)
{
	if (!p->ctx->progress || !p->drawn)
		return;
	progress_draw(p, mono_ms());
	fputc('\n', p->ctx->err);
}

int
wl_read_all(struct pile *pile, struct proto_wl_entry **out, size_t *n, uint32_t *version,
    char **cause)
{
	struct pile_wl_status	 before, after;
	struct proto_wl_entry	*all = NULL;
	size_t			 have = 0, cap = 0;
	int			 rc, got, attempt;

	for (attempt = 0; attempt < 3; attempt++) {
		if ((rc = pile_wl_status(pile, &before, cause)) != 0)
			goto fail;
		have = 0;
		for (;;) {
			if (have + PROTO_WL_WINDOW_ENTRIES > cap) {
				cap = cap ? cap * 2 : 64;
				all = xrealloc(all, cap * sizeof *all);
			}
			got = pile_wl_read(pile, (uint32_t)have, all + have, cause);
			if (got < 0) {
				rc = got;
				goto fail;
			}
			have += (size_t)got;
			if (got < PROTO_WL_WINDOW_ENTRIES)
				break;
		}
		if ((rc = pile_wl_status(pile, &after, cause)) != 0)
			goto fail;
		/* Someone (the console, another laptop, the cloud) edited the
		 * list while we read it: read again rather than mix versions. */
		if (after.version == before.version) {
			*out = all;
			*n = have;
			*version = after.version;
			return 0;
		}
	}
	rc = set_cause(cause, PILE_E_PROTOCOL, _("the whitelist kept changing while it was "
	    "read (3 tries); try again when nobody else edits it"));
fail:
	free(all);
	return rc;
}

static void
put_spaces(FILE *f, int n)
{
	while (n-- > 0)
		fputc(' ', f);
}

/* Every cell goes through text_safe: a holder or serial from the pile
 * cannot move the cursor or break the table's lines. */
void
put_cell(FILE *f, const char *s, int width)
{
	char	*safe = text_safe(s, 0);

	fputs(safe, f);
	put_spaces(f, width - utf8_width(safe));
	free(safe);
}

void
put_cell_right(FILE *f, const char *s, int width)
{
	char	*safe = text_safe(s, 0);

	put_spaces(f, width - utf8_width(safe));
	fputs(safe, f);
	free(safe);
}

const char *
vocab_text(enum proto_enum_id id, const char *key)
{
	unsigned	v;

	if (key == NULL)
		return "";
	if (proto_enum_find(id, key, &v) != 0)
		return key;
	return _(proto_enum_str(id, v));
}
