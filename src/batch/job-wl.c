/* job-wl.c - the whitelist inside a job, one transaction per turn of the
 * loop: reading the whole list (status, the windows of 4 entries, status
 * again, and once more when someone edited the list meanwhile), sending
 * one edit command (the write, and the result register when needed) and
 * going through a sync plan's commands. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "batch/job.h"
#include "batch/cmd-util.h"
#include "batch/wlsync.h"

enum { WLR_START, WLR_BEFORE, WLR_WINDOW, WLR_AFTER, WLR_DONE };

#define WLR_TRIES	3

/* A failure of the read, saying which step (err taken). */
static int
wl_reader_failed(struct wl_reader *rd, int rc, char *err, char **cause)
{
	if (rd->phase == WLR_WINDOW)
		rc = set_cause(cause, rc, _("reading the whitelist window at entry %zu: "
		    "%s"), rd->have, err);
	else
		rc = set_cause(cause, rc, _("reading the whitelist status: %s"), err);
	free(err);
	return rc;
}

void
wl_reader_start(struct pile *p, struct wl_reader *rd, const struct pile_wl_status *before,
    struct pile_xfer *x)
{
	rd->before = before->version;
	rd->total = before->count;
	rd->have = 0;
	pile_wl_read_request(p, x, 0);
	rd->phase = WLR_WINDOW;
}

int
wl_reader_next(struct pile *p, struct wl_reader *rd, struct pile_xfer *x,
    char **cause)
{
	struct pile_wl_status	 st;
	char			*err = NULL;
	int			 rc, got;

	switch (rd->phase) {
	case WLR_START:
		pile_wl_status_request(p, x);
		rd->phase = WLR_BEFORE;
		return PILE_XFER_PENDING;
	case WLR_BEFORE:
		if ((rc = pile_wl_status_parse(x, &st, &err)) != 0)
			return wl_reader_failed(rd, rc, err, cause);
		wl_reader_start(p, rd, &st, x);
		return PILE_XFER_PENDING;
	case WLR_WINDOW:
		if (rd->have + PROTO_WL_WINDOW_ENTRIES > rd->cap) {
			rd->cap = rd->cap ? rd->cap * 2 : 64;
			rd->all = xrealloc(rd->all, rd->cap * sizeof *rd->all);
		}
		got = pile_wl_read_parse(p, x, (uint32_t)rd->have, rd->all + rd->have,
		    &err);
		if (got < 0)
			return wl_reader_failed(rd, got, err, cause);
		rd->have += (size_t)got;
		if (got == PROTO_WL_WINDOW_ENTRIES) {
			pile_wl_read_request(p, x, (uint32_t)rd->have);
			return PILE_XFER_PENDING;
		}
		pile_wl_status_request(p, x);
		rd->phase = WLR_AFTER;
		return PILE_XFER_PENDING;
	case WLR_AFTER:
		if ((rc = pile_wl_status_parse(x, &st, &err)) != 0)
			return wl_reader_failed(rd, rc, err, cause);
		/* Someone (the console, another laptop, the cloud) edited the
		 * list while we read it: read again rather than mix versions. */
		if (st.version == rd->before) {
			rd->after = st;
			rd->version = st.version;
			rd->phase = WLR_DONE;
			return 0;
		}
		if (++rd->attempt >= WLR_TRIES)
			return set_cause(cause, PILE_E_PROTOCOL, _("the whitelist kept "
			    "changing while it was read (3 tries); try again when "
			    "nobody else edits it"));
		pile_wl_status_request(p, x);
		rd->phase = WLR_BEFORE;
		return PILE_XFER_PENDING;
	case WLR_DONE:
		return 0;
	}
	return set_cause(cause, -1, _("failed"));
}

int
wl_read_all(struct pile *pile, struct proto_wl_entry **out, size_t *n, uint32_t *version,
    char **cause)
{
	struct wl_reader	rd;
	struct pile_xfer	x;
	int			rc;

	memset(&rd, 0, sizeof rd);
	memset(&x, 0, sizeof x);
	while ((rc = wl_reader_next(pile, &rd, &x, cause)) == PILE_XFER_PENDING)
		if (x.req.fc != 0)
			pile_bus_transact(pile_bus(pile), &x);
	pile_xfer_reset(&x);
	if (rc != 0) {
		wl_reader_free(&rd);
		return rc;
	}
	*out = rd.all;
	*n = rd.have;
	*version = rd.version;
	return 0;
}

enum job_return
wl_reader_step(struct job *job, struct wl_reader *rd)
{
	char	*cause = NULL;
	int	 rc, was = rd->phase;

	rc = wl_reader_next(job->pile, rd, &job->xfer, &cause);
	if (rc < 0)
		return job_fail_pile(job, rc, cause);
	if (rd->progress && was == WLR_BEFORE)
		job_progress_start(job, _("cards"), rd->total);
	else if (rd->progress && was == WLR_WINDOW)
		job_progress(job, rd->have, 0);
	if (rc == PILE_XFER_PENDING)
		return job_transact(job);
	return JOB_NORMAL;
}

void
wl_reader_free(struct wl_reader *rd)
{
	free(rd->all);
	memset(rd, 0, sizeof *rd);
}

enum job_return
wl_cmd_send(struct job *job, struct wl_cmd *wc, unsigned cmd, uint32_t new_version,
    const struct proto_wl_entry *e, int n)
{
	uint16_t	 regs[PILE_WL_COMMAND_REGS];
	int		 count;

	free(wc->werr);
	memset(wc, 0, sizeof *wc);
	wc->cmd = cmd;
	if ((count = pile_wl_command_encode(cmd, new_version, e, n, regs,
	    &wc->werr)) < 0) {
		wc->wrc = count;
		wc->reading = -1;	/* nothing sent: the outcome is known */
		return job_yield(job);
	}
	return job_write(job, PROTO_A_WL_CMD, (uint16_t)count, regs);
}

int
wl_cmd_done(struct job *job, struct wl_cmd *wc, char **cause)
{
	char	*err = NULL;
	int	 rc;

	if (wc->reading == -1) {
		rc = wc->wrc;
		*cause = wc->werr;
		wc->werr = NULL;
		return rc;
	}
	if (!wc->reading) {
		wc->wrc = job_write_status(job, NULL, &err);
		wc->werr = err;
		if (pile_wl_command_check(wc->cmd, wc->wrc)) {
			wc->reading = 1;
			pile_wl_result_request(job->pile, &job->xfer);
			(void)job_transact(job);
			return WL_CMD_PENDING;
		}
		rc = pile_wl_command_outcome(job->pile, wc->cmd, wc->wrc, wc->werr, NULL,
		    cause);
	} else
		rc = pile_wl_command_outcome(job->pile, wc->cmd, wc->wrc, wc->werr,
		    &job->xfer, cause);
	wc->werr = NULL;
	wc->reading = 0;
	return rc;
}

enum job_return
wl_plan_next(struct job *job, const struct wlsync_plan *pl, struct wl_cmd *wc,
    enum wl_plan_step *what)
{
	const struct proto_wl_entry	*e;
	unsigned			 cmd;
	uint32_t			 version;
	size_t				 k;

	if (!wlsync_next_command(pl, &cmd, &version, &e, &k)) {
		*what = WL_PLAN_VERIFY;
		pile_wl_status_request(job->pile, &job->xfer);
		return job_transact(job);
	}
	if (pile_needs_auth(job->pile)) {
		*what = WL_PLAN_AUTH;
		return job_auth(job);
	}
	*what = WL_PLAN_COMMAND;
	return wl_cmd_send(job, wc, cmd, version, e, (int)k);
}
