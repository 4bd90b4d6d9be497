/* cmd-offline.c - `pilecon offline on|off`: force the pile offline to test
 * offline card charging, always with an expiry so that a pile is never left
 * offline by mistake. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/job.h"

#define OFFLINE_DEFAULT_S	(2 * 3600)
#define OFFLINE_MAX_S		(7 * 86400)	/* the pile refuses more */

static enum job_return	cmd_offline_on_step(struct job *);
static enum job_return	cmd_offline_off_step(struct job *);
static void		cmd_offline_render(const struct result *, FILE *);

const struct cmd_entry cmd_offline_on_entry = {
	.name = "offline on",
	.args = "--for=DURATION",
	.usage = "[--for DURATION]",
	.help = N_("force the pile offline until its clock plus DURATION (default 2h, at most 7d)"),
	.step = cmd_offline_on_step,
	.render = cmd_offline_render,
};

const struct cmd_entry cmd_offline_off_entry = {
	.name = "offline off",
	.args = "",
	.usage = "",
	.help = N_("end forced offline: the pile goes back to its network link"),
	.step = cmd_offline_off_step,
	.render = cmd_offline_render,
	.flags = CMD_PILE,
};

/* control.force_offline_until, a transaction a turn (the session first
 * when it must be opened). */
static enum job_return
offline_write(struct job *job, uint32_t until)
{
	uint16_t	v[2];

	proto_put_u32(v, until);
	return job_write(job, PROTO_A_CTL_FORCE_OFFLINE, 2, v);
}

static enum job_return
cmd_offline_on_step(struct job *job)
{
	struct proto_live	 live;
	const char		*dur = cmd_args_get(&job->args, "for");
	char			*cause = NULL;
	uint32_t		 secs = OFFLINE_DEFAULT_S, until;
	struct json		*o;
	int			 rc;

	if (dur != NULL && batch_parse_duration(dur, &secs, &cause) != 0)
		return job_fail_cause(job, EXIT_USAGE, cause);
	switch (job->state++) {
	case 0:
		if (secs == 0)
			return job_fail(job, EXIT_USAGE, _("--for must be longer than 0s "
			    "(use 'pilecon offline off' to end forced offline)"));
		if (secs > OFFLINE_MAX_S)
			return job_fail(job, EXIT_USAGE, _("--for %s is too long: a pile "
			    "stays forced offline at most 7d"), dur);
		return job_connect(job);
	case 1:
		/* The expiry is in the pile's clock, which may differ from ours. */
		pile_live_request(job->pile, &job->xfer);
		return job_transact(job);
	case 2:
		if ((rc = pile_live_parse(&job->xfer, &live, &cause)) != 0)
			return job_fail_pile(job, rc, cause);
		if (job_cancelled(job))
			return job_fail(job, EXIT_FAILED, _("interrupted: nothing was "
			    "written"));
		until = live.clock + secs;
		job->data = xmalloc(sizeof until);
		job->free_data = free;
		memcpy(job->data, &until, sizeof until);
		return offline_write(job, until);
	default:
		if ((rc = job_write_status(job, NULL, &cause)) != 0)
			return job_fail_pile(job, rc, cause);
		memcpy(&until, job->data, sizeof until);
		o = job_data(job);
		json_set_str(o, "serial", job->identity.serial);
		json_set_str(o, "link", proto_enum_key(PROTO_ENUM_LINK, PROTO_LINK_FORCED));
		json_set_int(o, "forced_until", until);
		json_set_int(o, "for_s", secs);
		return JOB_NORMAL;
	}
}

static enum job_return
cmd_offline_off_step(struct job *job)
{
	struct json	*o;
	char		*cause = NULL;
	int		 rc;

	if (job->state++ == 0) {
		if (job_cancelled(job))
			return job_fail(job, EXIT_FAILED, _("interrupted: nothing was "
			    "written"));
		return offline_write(job, 0);
	}
	if ((rc = job_write_status(job, NULL, &cause)) != 0)
		return job_fail_pile(job, rc, cause);
	o = job_data(job);
	json_set_str(o, "serial", job->identity.serial);
	json_set_int(o, "forced_until", 0);
	return JOB_NORMAL;
}

static void
cmd_offline_render(const struct result *r, FILE *f)
{
	const char	*serial = text_show(json_get_str(r->data, "serial"));
	int64_t		 until = json_get_int(r->data, "forced_until", 0);
	char		*pretty;

	if (until == 0) {
		fprintf(f, _("pile %s: forced offline ended\n"), serial);
		return;
	}
	pretty = batch_format_duration((uint32_t)json_get_int(r->data, "for_s", 0));
	fprintf(f, _("pile %s forced offline until %s (in %s)\n"), serial,
	    batch_format_time(until), pretty);
	free(pretty);
}
