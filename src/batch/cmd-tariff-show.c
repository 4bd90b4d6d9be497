/* cmd-tariff-show.c - `pilecon tariff show`: the tariff the pile settles
 * offline sessions at: prices per period and the half-hour map. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/cmd-util.h"
#include "batch/job.h"

static enum job_return	cmd_tariff_show_step(struct job *);
static void		cmd_tariff_show_render(const struct result *, FILE *);

const struct cmd_entry cmd_tariff_show_entry = {
	.name = "tariff show", .args = "--json", .usage = "[--json]",
	.help = N_("show the pile's tariff: version, energy and service price per period, time map"),
	.step = cmd_tariff_show_step, .render = cmd_tariff_show_render, .flags = CMD_PILE,
};

static struct json *
tariff_data(const char *serial, const struct proto_tariff *t)
{
	struct json	*o = json_object(), *a, *p;
	char		 buf[32];
	int		 i;

	json_set_str(o, "serial", serial);
	json_set_int(o, "version", t->version);
	a = json_set(o, "periods", json_array());
	for (i = 0; i < PROTO_PERIODS; i++) {
		p = json_push(a, json_object());
		json_set_str(p, "name", proto_enum_key(PROTO_ENUM_PERIOD, (unsigned)i));
		fmt_price(buf, sizeof buf, t->energy_price[i]);
		json_set_str(p, "energy_price", buf);
		fmt_price(buf, sizeof buf, t->service_price[i]);
		json_set_str(p, "service_price", buf);
		json_set_int(p, "energy_price_e5", t->energy_price[i]);
		json_set_int(p, "service_price_e5", t->service_price[i]);
	}
	a = json_set(o, "slots", json_array());
	for (i = 0; i < PROTO_SLOTS; i++)
		json_push(a, json_int(t->slot_period[i]));
	return o;
}

static enum job_return
cmd_tariff_show_step(struct job *job)
{
	struct proto_tariff	 t;
	char			*cause = NULL;
	int			 rc;

	switch (job->state++) {
	case 0:
		pile_tariff_request(job->pile, &job->xfer);
		return job_transact(job);
	default:
		if ((rc = pile_tariff_parse(job->pile, &job->xfer, &t, &cause)) != 0)
			return job_fail_pile(job, rc, cause);
		job->result.data = tariff_data(job->identity.serial, &t);
		return JOB_NORMAL;
	}
}

static void
cmd_tariff_show_render(const struct result *r, FILE *f)
{
	const struct json	*o = r->data, *periods, *slots, *p;
	size_t			 i, s, e, n;
	unsigned		 period;

	fprintf(f, _("tariff of %s: version %u (prices per kWh)\n"), text_show(json_get_str(o, "serial")),
	    (unsigned)json_get_int(o, "version", 0));
	fputs("  ", f);
	put_cell(f, _("period"), 8);
	put_cell_right(f, _("energy"), 13);
	put_cell_right(f, _("service"), 13);
	fputc('\n', f);
	periods = json_get(o, "periods");
	for (i = 0; i < json_len(periods); i++) {
		p = json_at(periods, i);
		fputs("  ", f);
		put_cell(f, vocab_text(PROTO_ENUM_PERIOD, json_get_str(p, "name")), 8);
		put_cell_right(f, json_get_str(p, "energy_price"), 13);
		put_cell_right(f, json_get_str(p, "service_price"), 13);
		fputc('\n', f);
	}
	/* Runs of equal slots: "07:00-10:00 peak" reads better than 48 cells. */
	fprintf(f, _("time of day (UTC, the pile's clock):\n"));
	slots = json_get(o, "slots");
	n = json_len(slots);
	for (s = 0; s < n; s = e) {
		period = (unsigned)json_at(slots, s)->i;
		for (e = s + 1; e < n && (unsigned)json_at(slots, e)->i == period; e++)
			;
		fprintf(f, "  %02d:%02d-%02d:%02d  %s\n", (int)s / 2, (int)s % 2 * 30,
		    (int)e / 2, (int)e % 2 * 30, _(proto_period_str(period)));
	}
}
