/* job-wl.c - the whitelist inside a job, one transaction per turn of the
 * loop: reading the whole list (status, the windows of 4 entries, status
 * again, and once more when someone edited the list meanwhile) and sending
 * one edit command (the write, and the result register when needed). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "batch/job.h"
#include "batch/cmd-util.h"

enum { WLR_START, WLR_BEFORE, WLR_WINDOW, WLR_AFTER };

#define WLR_TRIES	3

enum job_return
wl_reader_step(struct job *job, struct wl_reader *rd)
{
	struct pile_wl_status	 st;
	char			*cause = NULL;
	int			 rc, got;

	switch (rd->phase) {
	case WLR_START:
		pile_wl_status_request(job->pile, &job->xfer);
		rd->phase = WLR_BEFORE;
		return job_transact(job);
	case WLR_BEFORE:
		if ((rc = pile_wl_status_parse(&job->xfer, &st, &cause)) != 0)
			return job_fail_pile(job, rc, cause);
		rd->before = st.version;
		rd->total = st.count;
		rd->have = 0;
		if (rd->progress)
			job_progress_start(job, _("cards"), st.count);
		pile_wl_read_request(job->pile, &job->xfer, 0);
		rd->phase = WLR_WINDOW;
		return job_transact(job);
	case WLR_WINDOW:
		if (rd->have + PROTO_WL_WINDOW_ENTRIES > rd->cap) {
			rd->cap = rd->cap ? rd->cap * 2 : 64;
			rd->all = xrealloc(rd->all, rd->cap * sizeof *rd->all);
		}
		got = pile_wl_read_parse(job->pile, &job->xfer, (uint32_t)rd->have,
		    rd->all + rd->have, &cause);
		if (got < 0)
			return job_fail_pile(job, got, cause);
		rd->have += (size_t)got;
		if (rd->progress)
			job_progress(job, rd->have, 0);
		if (got == PROTO_WL_WINDOW_ENTRIES) {
			pile_wl_read_request(job->pile, &job->xfer, (uint32_t)rd->have);
			return job_transact(job);
		}
		pile_wl_status_request(job->pile, &job->xfer);
		rd->phase = WLR_AFTER;
		return job_transact(job);
	case WLR_AFTER:
		if ((rc = pile_wl_status_parse(&job->xfer, &st, &cause)) != 0)
			return job_fail_pile(job, rc, cause);
		/* Someone (the console, another laptop, the cloud) edited the
		 * list while we read it: read again rather than mix versions. */
		if (st.version == rd->before) {
			rd->version = st.version;
			return JOB_NORMAL;
		}
		if (++rd->attempt >= WLR_TRIES)
			return job_fail_pile(job, PILE_E_PROTOCOL, xstrdup(_("the whitelist "
			    "kept changing while it was read (3 tries); try again when "
			    "nobody else edits it")));
		rd->phase = WLR_START;
		return wl_reader_step(job, rd);
	}
	return job_fail(job, EXIT_FAILED, _("failed"));
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
