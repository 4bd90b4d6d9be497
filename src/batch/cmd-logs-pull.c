/* cmd-logs-pull.c - `pilecon logs pull`: copy the pile's charging records
 * into the archive, exactly once, resuming where the last pull stopped.
 * Stored in batches so an interruption keeps everything read before it. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/cmd-util.h"
#include "batch/pullsig.h"

/* Records per archive transaction: one fsync per 32 records instead of per
 * record, and at most 16 windows re-read after a crash. */
#define PULL_BATCH	32

static int	cmd_logs_pull_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_logs_pull_entry = {
	.name = "logs pull",
	.args = "--json",
	.usage = "[--json]",
	.exec = cmd_logs_pull_exec,
	.help = N_("copy the pile's new charging records into the archive (resumes, stores each once)"),
};

struct pull {
	struct cmd_ctx		*ctx;
	struct archive		*ar;
	const char		*serial, *device_id;
	struct proto_record	 buf[PULL_BATCH + PROTO_REC_WINDOW_RECORDS];
	uint8_t			 sigs[PULL_BATCH + PROTO_REC_WINDOW_RECORDS][PROTO_SIG_BYTES];
	int			 nbuf;
	struct pullsig		 ps;
	int			 signs;		/* a 1.1 pile with signed records */
	uint32_t		 stored_new, stored_old, first, last;
};

static int
pull_flush(struct pull *p, char **cause)
{
	int	n;

	if (p->nbuf == 0)
		return 0;
	n = archive_put_signed(p->ar, p->serial, p->device_id, p->buf,
	    p->signs ? (const uint8_t (*)[PROTO_SIG_BYTES])p->sigs : NULL,
	    p->signs ? p->ps.pinned : NULL, p->nbuf, cause);
	if (n < 0)
		return -1;
	p->stored_new += (uint32_t)n;
	p->stored_old += (uint32_t)(p->nbuf - n);
	if (p->first == 0)
		p->first = p->buf[0].seq;
	p->last = p->buf[p->nbuf - 1].seq;
	p->nbuf = 0;
	return 0;
}

static void
pull_summary(struct pull *p, const char *how)
{
	struct cmd_ctx	*ctx = p->ctx;
	uint32_t	 total = p->stored_new + p->stored_old;

	if (ctx->opts.json) {
		fprintf(ctx->out, "{\"serial\":");
		batch_json_str(ctx->out, p->serial);
		fprintf(ctx->out, ",\"pulled\":%u,\"new\":%u,\"already_archived\":%u,"
		    "\"first_seq\":%u,\"last_seq\":%u,\"complete\":%s,\"signed\":%s,"
		    "\"verified\":%u,\"quarantined\":%u,\"key\":\"%s\"}\n", total,
		    p->stored_new, p->stored_old, p->first, p->last, how ? "false" : "true",
		    p->signs ? "true" : "false", p->ps.verified, p->ps.quarantined,
		    !p->signs ? "none" : p->ps.state == ARCHIVE_KEY_CHANGED ? "changed" :
		    p->ps.state == ARCHIVE_KEY_PINNED_NOW ? "pinned" : "same");
		return;
	}
	if (!p->signs)
		fprintf(ctx->out, _("%s is a protocol 1.0 pile: its records are not signed\n"),
		    p->serial);
	else if (p->ps.state == ARCHIVE_KEY_PINNED_NOW)
		fprintf(ctx->out, _("pinned the public key of %s (first pull: trust on first use)\n"),
		    p->serial);
	if (p->signs && p->ps.verified > 0)
		fprintf(ctx->out, _("verified %u signatures of %s\n"), p->ps.verified, p->serial);
	if (total == 0)
		fprintf(ctx->out, _("pulled 0 records from %s: the archive is up to date\n"),
		    p->serial);
	else
		fprintf(ctx->out, _("pulled %u records from %s (seq %u..%u), %u already "
		    "archived%s\n"), total, p->serial, p->first, p->last, p->stored_old,
		    how ? how : "");
}

/*
 * What the cloud acknowledged, from the pile's live block: a pile uploads
 * oldest first and moves its synced mark only on an acknowledgement, so
 * every record up to last_seq - unsynced is synced. Also keeps the pile's
 * tariff by version, so exports carry each record's prices.
 */
static int
pull_reconcile(struct pull *p, const struct proto_live *live, struct pile *pile,
    char **cause)
{
	struct proto_tariff	t;
	char			*ignored = NULL;

	if (live->last_seq >= live->unsynced &&
	    archive_reconcile_synced(p->ar, p->serial, live->last_seq - live->unsynced,
	    NULL, cause) != 0)
		return -1;
	if (pile_tariff_read(pile, &t, &ignored) == 0) {
		if (archive_put_tariff(p->ar, &t, cause) != 0)
			return -1;
	}
	free(ignored);
	return 0;
}

static int
cmd_logs_pull_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct pull		 p;
	struct pile		*pile;
	struct proto_live	 live;
	struct progress		 pr;
	char			*cause = NULL, *cause2 = NULL;
	uint32_t		 seq, last_held, start, done = 0;
	int			 rc = 0, got, i;

	if ((pile = cmd_pile(ctx)) == NULL)
		return cmd_exit_code(ctx->pile_rc);
	memset(&p, 0, sizeof p);
	p.ctx = ctx;
	p.serial = ctx->identity.serial;
	p.device_id = ctx->identity.device_id;
	if ((p.ar = cmd_archive(ctx)) == NULL)
		return cmd_exit_code(ctx->pile_rc);
	if ((rc = pile_live(pile, &live, &cause)) != 0)
		return cmd_fail(ctx, rc, cause);
	if (archive_last_seq(p.ar, p.serial, &last_held, &cause) != 0)
		return cmd_fail(ctx, EXIT_FAILED, cause);
	/* The cloud's view first: what it acknowledged is synced here too. */
	if (pull_reconcile(&p, &live, pile, &cause) != 0)
		return cmd_fail(ctx, EXIT_FAILED, cause);
	p.signs = pile_signs(&ctx->identity);
	if (p.signs && (rc = pullsig_start(&p.ps, pile, p.ar, p.serial, p.device_id,
	    &cause)) != 0)
		return cmd_fail(ctx, rc == PULLSIG_E_ARCHIVE ? EXIT_FAILED : rc, cause);
	if (p.signs && p.ps.state == ARCHIVE_KEY_CHANGED)
		fprintf(ctx->err, _("pilecon: error: the public key of %s is not the one "
		    "pinned in the archive: its records are quarantined, not archived "
		    "(if the pile's key was really replaced, give the new one as "
		    "'public_key:' in a provisioning file)\n"), p.serial);
	if (live.last_seq == 0 || last_held >= live.last_seq) {
		pull_summary(&p, NULL);
		pullsig_end(&p.ps);
		return EXIT_OK;
	}
	start = last_held + 1;
	if (start < live.first_seq) {
		/* The pile dropped records (full store) before we pulled them. */
		fprintf(ctx->err, _("pilecon: warning: records %u..%u of %s are no longer on "
		    "the pile (it holds %u..%u); pulling from %u\n"), start, live.first_seq - 1,
		    p.serial, live.first_seq, live.last_seq, live.first_seq);
		start = live.first_seq;
	}

	cmd_catch_signals();
	progress_start(&pr, ctx, _("records"), live.last_seq - start + 1);
	for (seq = start; seq <= live.last_seq && !cmd_interrupted; ) {
		if (p.signs) {
			uint32_t next = 0;

			got = pullsig_read(&p.ps, pile, seq, p.buf + p.nbuf, p.sigs[p.nbuf],
			    &next, &cause);
			if (got < 0) {
				rc = got == PULLSIG_E_ARCHIVE ? EXIT_FAILED : got;
				break;
			}
			if (next == 0)
				break;
			if (got == 0) {		/* quarantined */
				seq = next;
				done++;
				continue;
			}
		} else
			got = pile_records_read(pile, seq, p.buf + p.nbuf, &cause);
		if (got < 0) {
			rc = got;
			break;
		}
		if (got == 0)
			break;	/* nothing at or after seq: the pile has no more */
		for (i = 0; i < got; i++)
			if (p.buf[p.nbuf + i].seq < seq) {
				rc = set_cause(&cause, PILE_E_PROTOCOL, _("the pile answered "
				    "record %u when asked for %u or later"),
				    p.buf[p.nbuf + i].seq, seq);
				break;
			}
		if (rc != 0)
			break;
		seq = p.buf[p.nbuf + got - 1].seq + 1;
		p.nbuf += got;
		done += (uint32_t)got;
		if (p.nbuf >= PULL_BATCH && pull_flush(&p, &cause2) != 0)
			break;
		progress_update(&pr, done, (uint64_t)done * (PROTO_RECORD_BYTES +
		    (p.signs ? PROTO_SIG_BYTES : 0)));
	}
	progress_end(&pr);
	cmd_restore_signals();

	/* Keep what was read, whatever stopped us. */
	if (cause2 == NULL)
		(void)pull_flush(&p, &cause2);	/* sets cause2 on failure */
	if (cause2 != NULL) {
		pull_summary(&p, _(" before the archive failed"));
		free(cause);
		return cmd_fail(ctx, EXIT_FAILED, cause2);
	}
	if (rc != 0) {
		pull_summary(&p, _(" before the pile stopped answering; run it again to resume"));
		return cmd_fail(ctx, rc, cause);
	}
	pullsig_end(&p.ps);
	if (cmd_interrupted) {
		pull_summary(&p, _(", interrupted; run it again to resume"));
		return EXIT_FAILED;
	}
	/* Records pulled just now carry the pile's synced flag already. */
	pull_summary(&p, NULL);
	if (p.ps.quarantined > 0) {
		fprintf(ctx->err, _("pilecon: error: %u records of %s failed their signature "
		    "check (first: seq %u) and are quarantined, not archived: see "
		    "'pilecon logs list --quarantine'\n"), p.ps.quarantined, p.serial,
		    p.ps.first_bad);
		return EXIT_FAILED;
	}
	return EXIT_OK;
}
