/* cmd-whitelist-edit.c - `pilecon whitelist add|block|remove UID`: one
 * whitelist command each; the pile bumps the list version. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/cmd-util.h"
#include "batch/job.h"

static enum job_return	cmd_whitelist_add_step(struct job *);
static enum job_return	cmd_whitelist_block_step(struct job *);
static enum job_return	cmd_whitelist_remove_step(struct job *);
static void		cmd_whitelist_edit_render(const struct result *, FILE *);

const struct cmd_entry cmd_whitelist_add_entry = {
	.name = "whitelist add",
	.args = "--expires=DATE --holder=NAME UID",
	.usage = "UID [--expires DATE] [--holder NAME]",
	.help = N_("add a card (or replace its entry) as accepted, with an optional expiry and holder"),
	.step = cmd_whitelist_add_step,
	.render = cmd_whitelist_edit_render,
};

const struct cmd_entry cmd_whitelist_block_entry = {
	.name = "whitelist block",
	.args = "UID",
	.usage = "UID",
	.help = N_("block a card: offline swipes of it are refused (holder and expiry are kept)"),
	.step = cmd_whitelist_block_step,
	.render = cmd_whitelist_edit_render,
};

const struct cmd_entry cmd_whitelist_remove_entry = {
	.name = "whitelist remove",
	.alias = "whitelist rm",
	.args = "UID",
	.usage = "UID",
	.help = N_("remove a card from the whitelist"),
	.step = cmd_whitelist_remove_step,
	.render = cmd_whitelist_edit_render,
};

/* One edit: the entry, and for block the bisection that finds the card's
 * entry first (the pile keeps the list in UID order: 14 reads for 10,000
 * cards instead of 2,500). */
struct wl_edit {
	struct proto_wl_entry	 e;
	const char		*action;	/* "add", "block", "remove" */
	unsigned		 cmd;
	uint32_t		 lo, hi, mid;
	int			 found;
	struct wl_cmd		 wc;
};

enum { WE_CHECK, WE_CONNECTED, WE_FIND_STATUS, WE_FIND_WINDOW, WE_COMMAND, WE_SENT,
	WE_STATUS };

static enum job_return
wl_edit_new(struct job *job, const char *action, unsigned cmd)
{
	struct wl_edit	*we = xcalloc(1, sizeof *we);

	job->data = we;
	job->free_data = free;
	we->action = action;
	we->cmd = cmd;
	we->e.status = PROTO_WL_ACCEPTED;
	if (proto_uid_normalize(job->args.pos[0], we->e.uid) != 0)
		return job_fail(job, EXIT_USAGE, _("bad card UID '%s': expected 4 to 10 "
		    "bytes of hex (e.g. 04A1B2C3 or 04:a1:b2:c3)"), job->args.pos[0]);
	return JOB_NORMAL;
}

/* The edit's states after its arguments are checked. */
static enum job_return
wl_edit_step(struct job *job)
{
	struct wl_edit		*we = job->data;
	struct proto_wl_entry	 w[PROTO_WL_WINDOW_ENTRIES];
	struct pile_wl_status	 st;
	struct json		*o;
	char			*cause = NULL;
	int			 rc, got, i;

	switch (job->state) {
	case WE_CONNECTED:
		if (strcmp(we->action, "block") != 0) {
			job->state = WE_COMMAND;
			return wl_edit_step(job);
		}
		pile_wl_status_request(job->pile, &job->xfer);
		job->state = WE_FIND_STATUS;
		return job_transact(job);
	case WE_FIND_STATUS:
		if ((rc = pile_wl_status_parse(&job->xfer, &st, &cause)) != 0)
			return job_fail_pile(job, rc, cause);
		we->lo = 0;
		we->hi = st.count;
		job->state = WE_FIND_WINDOW;
		goto bisect;
	case WE_FIND_WINDOW:
		got = pile_wl_read_parse(job->pile, &job->xfer, we->mid, w, &cause);
		if (got < 0)
			return job_fail_pile(job, got, cause);
		if (got == 0)
			we->hi = we->lo;
		else if (strcmp(we->e.uid, w[0].uid) < 0)
			we->hi = we->mid;
		else if (strcmp(we->e.uid, w[got - 1].uid) > 0)
			we->lo = we->mid + (uint32_t)got;
		else {
			for (i = 0; i < got; i++)
				if (strcmp(we->e.uid, w[i].uid) == 0) {
					we->e = w[i];
					we->found = 1;
				}
			we->hi = we->lo;
		}
	bisect:
		if (we->lo < we->hi) {
			we->mid = we->lo + (we->hi - we->lo) / 2;
			pile_wl_read_request(job->pile, &job->xfer, we->mid);
			return job_transact(job);
		}
		if (!we->found)
			job_event(job, RESULT_INFO, _("note: %s was not on the whitelist; "
			    "adding it as blocked"), we->e.uid);
		we->e.status = PROTO_WL_BLOCKED;
		job->state = WE_COMMAND;
		/* FALLTHROUGH */
	case WE_COMMAND:
		/* Esc before the command: nothing was written. After it the
		 * command is one change the pile takes whole. */
		if (job_cancelled(job))
			return job_fail(job, EXIT_FAILED, _("interrupted: nothing was "
			    "written"));
		job->state = WE_SENT;
		return wl_cmd_send(job, &we->wc, we->cmd, 0, &we->e, 1);
	case WE_SENT:
		if ((rc = wl_cmd_done(job, &we->wc, &cause)) == WL_CMD_PENDING)
			return JOB_WAIT;
		if (rc != 0)
			return job_fail_pile(job, rc, cause);
		pile_wl_status_request(job->pile, &job->xfer);
		job->state = WE_STATUS;
		return job_transact(job);
	case WE_STATUS:
		if ((rc = pile_wl_status_parse(&job->xfer, &st, &cause)) != 0)
			return job_fail_pile(job, rc, cause);
		o = job_data(job);
		json_set_str(o, "serial", job->identity.serial);
		json_set_str(o, "action", we->action);
		json_set_str(o, "uid", we->e.uid);
		json_set_int(o, "version", st.version);
		json_set_int(o, "count", st.count);
		json_set_str(o, "status", proto_enum_key(PROTO_ENUM_WL_STATUS, we->e.status));
		json_set_int(o, "expiry", we->e.expiry);
		json_set_str(o, "holder", we->e.holder);
		return JOB_NORMAL;
	}
	return job_fail(job, EXIT_FAILED, _("failed"));
}

static enum job_return
cmd_whitelist_add_step(struct job *job)
{
	struct wl_edit	*we;
	const char	*exp = cmd_args_get(&job->args, "expires");
	const char	*holder = cmd_args_get(&job->args, "holder");
	char		*cause = NULL;
	int64_t		 t;

	if (job->state != WE_CHECK)
		return wl_edit_step(job);
	if (wl_edit_new(job, "add", PROTO_WL_UPSERT) != JOB_NORMAL)
		return JOB_ERROR;
	we = job->data;
	if (exp != NULL) {
		if (time_parse(exp, TIME_DATE_END, &t, &cause) != 0)
			return job_fail_cause(job, EXIT_USAGE, cause);
		if (t <= 0 || t > UINT32_MAX)
			return job_fail(job, EXIT_USAGE, _("--expires '%s' is out of range"),
			    exp);
		if (t < time(NULL))
			job_event(job, RESULT_WARN, _("warning: --expires '%s' is in the "
			    "past: offline swipes of this card will be treated as expired"),
			    exp);
		we->e.expiry = (uint32_t)t;
	}
	if (holder != NULL) {
		if (strlen(holder) > PROTO_HOLDER_MAX)
			return job_fail(job, EXIT_USAGE, _("holder name '%s' is too long: at "
			    "most %d bytes of UTF-8"), holder, PROTO_HOLDER_MAX);
		strcpy(we->e.holder, holder);
	}
	job->state = WE_CONNECTED;
	return job_connect(job);
}

static enum job_return
cmd_whitelist_block_step(struct job *job)
{
	if (job->state != WE_CHECK)
		return wl_edit_step(job);
	if (wl_edit_new(job, "block", PROTO_WL_UPSERT) != JOB_NORMAL)
		return JOB_ERROR;
	job->state = WE_CONNECTED;
	return job_connect(job);
}

static enum job_return
cmd_whitelist_remove_step(struct job *job)
{
	if (job->state != WE_CHECK)
		return wl_edit_step(job);
	if (wl_edit_new(job, "remove", PROTO_WL_REMOVE) != JOB_NORMAL)
		return JOB_ERROR;
	job->state = WE_CONNECTED;
	return job_connect(job);
}

static void
cmd_whitelist_edit_render(const struct result *r, FILE *f)
{
	const struct json	*o = r->data;
	const char		*holder = text_show(json_get_str(o, "holder"));
	int64_t			 expiry = json_get_int(o, "expiry", 0);

	if (strcmp(json_get_str(o, "action"), "remove") == 0) {
		fprintf(f, _("whitelist of %s: removed %s; version %u, %u entries\n"),
		    text_show(json_get_str(o, "serial")), text_show(json_get_str(o, "uid")),
		    (unsigned)json_get_int(o, "version", 0),
		    (unsigned)json_get_int(o, "count", 0));
		return;
	}
	fprintf(f, _("whitelist of %s: %s %s%s%s%s, expires %s; version %u, %u "
	    "entries\n"), text_show(json_get_str(o, "serial")),
	    strcmp(json_get_str(o, "status"), "blocked") == 0 ? _("blocked") :
	    _("accepted"), text_show(json_get_str(o, "uid")), *holder ? " (" : "", holder,
	    *holder ? ")" : "", expiry ? batch_format_time(expiry) : _("never"),
	    (unsigned)json_get_int(o, "version", 0), (unsigned)json_get_int(o, "count", 0));
}
