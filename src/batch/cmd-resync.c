/* cmd-resync.c - `pilecon resync [--wait]`: ask the pile to upload its
 * unsynced records to the cloud now, and optionally watch the count fall. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/cmd-util.h"

#define RESYNC_WAIT_DEFAULT_S	300
#define RESYNC_POLL_MS		250

static int	cmd_resync_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_resync_entry = {
	.name = "resync",
	.args = "--wait --timeout=SECONDS --json",
	.usage = "[--wait] [--timeout S] [--json]",
	.exec = cmd_resync_exec,
	.help = N_("make the pile upload its unsynced records to the cloud now; --wait until done"),
};

static int
cmd_resync_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct pile		*pile;
	struct proto_live	 live;
	const char		*to = cmd_args_get(ctx->args, "timeout");
	char			*cause = NULL, *end;
	unsigned		 state = PROTO_RESYNC_RUNNING;
	uint64_t		 deadline;
	uint32_t		 before;
	long			 timeout_s = RESYNC_WAIT_DEFAULT_S;
	int			 rc, waited = 0;

	if (to != NULL) {
		errno = 0;
		timeout_s = strtol(to, &end, 10);
		if (*to == '\0' || *end != '\0' || errno != 0 || timeout_s < 1 ||
		    timeout_s > 86400) {
			fprintf(ctx->err, _("pilecon: bad value '%s' for --timeout: expected "
			    "seconds from 1 to 86400\n"), to);
			return EXIT_USAGE;
		}
	}
	if ((pile = cmd_pile(ctx)) == NULL)
		return cmd_exit_code(ctx->pile_rc);
	if ((rc = pile_live(pile, &live, &cause)) != 0)
		return cmd_fail(ctx, rc, cause);
	/* Say why before the pile refuses, in words a technician can act on. */
	if (live.link == PROTO_LINK_FORCED) {
		fprintf(ctx->err, _("pilecon: cannot resync: pile %s is forced offline until %s; "
		    "end it first with 'pilecon offline off'\n"), ctx->identity.serial,
		    batch_format_time(live.forced_until));
		return EXIT_REFUSED;
	}
	if (!live.backend) {
		fprintf(ctx->err, _("pilecon: cannot resync: pile %s has no back-end connection "
		    "(link %s); check its network, then try again\n"), ctx->identity.serial,
		    proto_link_str(live.link));
		return EXIT_REFUSED;
	}
	before = live.unsynced;
	if ((rc = pile_resync_start(pile, &cause)) != 0)
		return cmd_fail(ctx, rc, cause);
	if (!cmd_args_has(ctx->args, "wait")) {
		if (ctx->opts.json)
			fprintf(ctx->out, "{\"serial\":\"%s\",\"started\":true,\"unsynced\":%u}\n",
			    ctx->identity.serial, before);
		else
			fprintf(ctx->out, _("pile %s: resync started, %u records unsynced "
			    "(watch with 'pilecon resync --wait')\n"), ctx->identity.serial, before);
		return EXIT_OK;
	}

	cmd_catch_signals();
	deadline = progress_now_ms() + (uint64_t)timeout_s * 1000;
	for (;;) {
		if ((rc = pile_live(pile, &live, &cause)) != 0 ||
		    (rc = pile_resync_state(pile, &state, &cause)) != 0)
			break;
		if (ctx->progress) {
			fputc('\r', ctx->err);
			fprintf(ctx->err, _("%u records unsynced  "), live.unsynced);
			fflush(ctx->err);
		}
		if (state == PROTO_RESYNC_FAILED || (state != PROTO_RESYNC_RUNNING &&
		    live.unsynced == 0) || state == PROTO_RESYNC_DONE)
			break;
		if (cmd_interrupted || progress_now_ms() >= deadline)
			break;
		poll(NULL, 0, RESYNC_POLL_MS);
		waited = 1;
	}
	cmd_restore_signals();
	if (ctx->progress && waited)
		fputc('\n', ctx->err);
	if (rc != 0)
		return cmd_fail(ctx, rc, cause);
	if (ctx->opts.json)
		fprintf(ctx->out, "{\"serial\":\"%s\",\"state\":\"%s\",\"unsynced_before\":%u,"
		    "\"unsynced\":%u}\n", ctx->identity.serial,
		    state == PROTO_RESYNC_DONE ? "done" : state == PROTO_RESYNC_FAILED ?
		    "failed" : state == PROTO_RESYNC_RUNNING ? "running" : "idle", before,
		    live.unsynced);
	if (state == PROTO_RESYNC_FAILED) {
		fprintf(ctx->err, _("pilecon: resync of %s failed: the back-end went away; "
		    "%u records still unsynced\n"), ctx->identity.serial, live.unsynced);
		return EXIT_FAILED;
	}
	if (cmd_interrupted || (state == PROTO_RESYNC_RUNNING && live.unsynced != 0)) {
		fprintf(ctx->err, _("pilecon: %s: resync still running after %lds, %u records "
		    "unsynced\n"), ctx->identity.serial, timeout_s, live.unsynced);
		return EXIT_FAILED;
	}
	if (!ctx->opts.json)
		fprintf(ctx->out, _("pile %s: resync done, %u records uploaded, %u unsynced\n"),
		    ctx->identity.serial, before >= live.unsynced ? before - live.unsynced : 0,
		    live.unsynced);
	return EXIT_OK;
}
