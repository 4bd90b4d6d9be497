/* cmd-clock-set.c - `pilecon clock set [TIME]`: set the pile's clock, by
 * default to this laptop's; records and tariff periods follow it. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/job.h"

static enum job_return	cmd_clock_set_step(struct job *);
static void		cmd_clock_set_render(const struct result *, FILE *);

const struct cmd_entry cmd_clock_set_entry = {
	.name = "clock set",
	.args = "[TIME] --json",
	.usage = "[TIME] [--json]",
	.help = N_("set the pile's clock to TIME (ISO 8601 or unix seconds), by default this laptop's"),
	.step = cmd_clock_set_step,
	.render = cmd_clock_set_render,
};

struct clock_set {
	int64_t		t;
	uint32_t	was;	/* the pile's clock before */
};

static enum job_return
cmd_clock_set_step(struct job *job)
{
	struct clock_set	*cs = job->data;
	struct proto_live	 live;
	struct json		*o;
	uint16_t		 v[2];
	char			*cause = NULL;
	int			 rc;

	switch (job->state++) {
	case 0:
		job->data = cs = xcalloc(1, sizeof *cs);
		job->free_data = free;
		if (job->args.npos > 0) {
			if (time_parse(job->args.pos[0], 0, &cs->t, &cause) != 0)
				return job_fail_cause(job, EXIT_USAGE, cause);
			if (cs->t < 0 || cs->t > UINT32_MAX)
				return job_fail(job, EXIT_USAGE, _("time '%s' is out of range"),
				    job->args.pos[0]);
		}
		return job_connect(job);
	case 1:
		pile_live_request(job->pile, &job->xfer);
		return job_transact(job);
	case 2:
		if ((rc = pile_live_parse(&job->xfer, &live, &cause)) != 0)
			return job_fail_pile(job, rc, cause);
		if (job_cancelled(job))
			return job_fail(job, EXIT_FAILED, _("interrupted: nothing was "
			    "written"));
		cs->was = live.clock;
		if (job->args.npos == 0)
			cs->t = time(NULL);	/* read now, after the connection is up */
		proto_put_u32(v, (uint32_t)cs->t);
		return job_write(job, PROTO_A_CTL_CLOCK, 2, v);
	default:
		if ((rc = job_write_status(job, NULL, &cause)) != 0)
			return job_fail_pile(job, rc, cause);
		o = job_data(job);
		json_set_str(o, "serial", job->identity.serial);
		json_set_int(o, "clock", cs->t);
		json_set_int(o, "was", cs->was);
		return JOB_NORMAL;
	}
}

static void
cmd_clock_set_render(const struct result *r, FILE *f)
{
	const char	*serial = text_show(json_get_str(r->data, "serial"));
	int64_t		 t = json_get_int(r->data, "clock", 0);
	int64_t		 drift = json_get_int(r->data, "was", 0) - t;
	char		*d;

	if (drift == 0) {
		fprintf(f, _("pile %s: clock set to %s (it was right)\n"), serial,
		    batch_format_time(t));
		return;
	}
	d = batch_format_duration((uint32_t)(drift < 0 ? -drift : drift));
	fprintf(f, drift > 0 ? _("pile %s: clock set to %s (it was %s ahead)\n") :
	    _("pile %s: clock set to %s (it was %s behind)\n"), serial,
	    batch_format_time(t), d);
	free(d);
}
