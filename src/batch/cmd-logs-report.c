/* cmd-logs-report.c - `pilecon logs report --by card|day|pile`: energy and
 * money per sharp/peak/flat/valley period and totals, from the archive.
 * Days are days of the pile's clock (UTC, the clock its tariff maps), so
 * --since 2026-12-01 takes a session that started at 00:01 that day
 * whatever the laptop's time zone. Sequence gaps and meter readings that do
 * not add up are flagged; the energy counted is always the record's
 * per-period energy (what it was billed on), never a meter difference. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/cmd-util.h"
#include "batch/job.h"

static enum job_return	cmd_logs_report_step(struct job *);
static void		cmd_logs_report_render(const struct result *, FILE *);

const struct cmd_entry cmd_logs_report_entry = {
	.name = "logs report",
	.args = "--by=GROUP --since=DATE --until=DATE --pile=SERIAL --json",
	.usage = "--by card|day|pile [--since DATE] [--until DATE] [--pile SERIAL] [--json]",
	.help = N_("energy and money per tariff period and in total, by card, day (pile clock) or pile, from the archive"),
	.step = cmd_logs_report_step, .render = cmd_logs_report_render,
};

enum report_by { BY_CARD, BY_DAY, BY_PILE };

struct report_group {
	char		key[40];
	uint64_t	sessions;
	uint64_t	energy_wh[PROTO_PERIODS];
	uint64_t	energy_fee[PROTO_PERIODS], service_fee[PROTO_PERIODS];
};

struct report {
	enum report_by		 by;
	int64_t			 since, until;
	struct report_group	*g;
	size_t			 ng, alloc;
	struct json		*flags;
	char			 prev_serial[17];
	uint32_t		 prev_store_id;	/* the series (archive.h) */
	uint32_t		 prev_seq, prev_stop_wh;
};

static struct report_group *
report_group(struct report *rp, const char *key)
{
	size_t	i;

	for (i = rp->ng; i > 0; i--)	/* newest first: days come in order */
		if (strcmp(rp->g[i - 1].key, key) == 0)
			return &rp->g[i - 1];
	if (rp->ng == rp->alloc) {
		rp->alloc = rp->alloc ? rp->alloc * 2 : 32;
		rp->g = xrealloc(rp->g, rp->alloc * sizeof *rp->g);
	}
	memset(&rp->g[rp->ng], 0, sizeof *rp->g);
	snprintf(rp->g[rp->ng].key, sizeof rp->g[0].key, "%s", key);
	return &rp->g[rp->ng++];
}

static void
report_flag(struct report *rp, const char *serial, uint32_t seq, const char *what,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
report_flag(struct report *rp, const char *serial, uint32_t seq, const char *what,
    const char *fmt, ...)
{
	struct json	*o = json_push(rp->flags, json_object());
	va_list		 ap;
	char		*text;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	json_set_str(o, "pile", serial);
	json_set_int(o, "seq", seq);
	json_set_str(o, "check", what);
	json_set_str(o, "text", text);
	free(text);
}

/* Gaps and meter continuity are a series', whatever the filter: every
 * record of the pile passes here, series by series, in sequence order. */
static void
report_checks(struct report *rp, const struct archive_row *row)
{
	const struct proto_record	*r = &row->rec;

	if (r->meter_stop_wh < r->meter_start_wh ||
	    r->meter_stop_wh - r->meter_start_wh != proto_record_energy_wh(r))
		report_flag(rp, row->serial, r->seq, "meter", _("%s seq %u: meter %u..%u Wh "
		    "does not match its energy %llu Wh (counted as %llu Wh)"), row->serial, r->seq,
		    r->meter_start_wh, r->meter_stop_wh,
		    (unsigned long long)proto_record_energy_wh(r),
		    (unsigned long long)proto_record_energy_wh(r));
	if (strcmp(rp->prev_serial, row->serial) == 0 && rp->prev_store_id != row->store_id)
		report_flag(rp, row->serial, r->seq, "series", _("%s: a new record series "
		    "starts at seq %u (store id %u; the previous one, store id %u, ends at "
		    "seq %u): its numbering restarted"), row->serial, r->seq, row->store_id,
		    rp->prev_store_id, rp->prev_seq);
	else if (strcmp(rp->prev_serial, row->serial) == 0) {
		if (r->seq > rp->prev_seq + 1)
			report_flag(rp, row->serial, rp->prev_seq + 1, "gap", _("%s: seq %u..%u "
			    "missing from the archive"), row->serial, rp->prev_seq + 1, r->seq - 1);
		if (r->meter_start_wh != rp->prev_stop_wh)
			report_flag(rp, row->serial, r->seq, "meter", _("%s seq %u: the meter "
			    "starts at %u Wh, the previous record stopped at %u Wh"),
			    row->serial, r->seq, r->meter_start_wh, rp->prev_stop_wh);
	}
	snprintf(rp->prev_serial, sizeof rp->prev_serial, "%s", row->serial);
	rp->prev_store_id = row->store_id;
	rp->prev_seq = r->seq;
	rp->prev_stop_wh = r->meter_stop_wh;
}

static int
report_row(const struct archive_row *row, void *arg)
{
	struct report			*rp = arg;
	const struct proto_record	*r = &row->rec;
	struct report_group		*g;
	char				 key[40];
	time_t				 t = (time_t)r->start;
	struct tm			 tm;
	int				 i;

	report_checks(rp, row);
	if ((int64_t)r->start < rp->since || (int64_t)r->start > rp->until)
		return 0;
	switch (rp->by) {
	case BY_CARD:
		snprintf(key, sizeof key, "%s", r->tag);
		break;
	case BY_DAY:
		gmtime_r(&t, &tm);
		strftime(key, sizeof key, "%Y-%m-%d", &tm);
		break;
	case BY_PILE:
		snprintf(key, sizeof key, "%s", row->serial);
		break;
	}
	g = report_group(rp, key);
	g->sessions++;
	for (i = 0; i < PROTO_PERIODS; i++) {
		g->energy_wh[i] += r->energy_wh[i];
		g->energy_fee[i] += r->energy_fee_minor[i];
		g->service_fee[i] += r->service_fee_minor[i];
	}
	return 0;
}

static int
group_cmp(const void *a, const void *b)
{
	return strcmp(((const struct report_group *)a)->key,
	    ((const struct report_group *)b)->key);
}

static struct json *
group_json(const struct report_group *g, const char *key)
{
	struct json	*o = json_object(), *e, *f, *ef, *sf;
	uint64_t	 we = 0, wf = 0;
	int		 i;

	json_set_str(o, "key", key);
	json_set_int(o, "sessions", (int64_t)g->sessions);
	e = json_set(o, "energy_wh", json_array());
	f = json_set(o, "fee_minor", json_array());
	ef = json_set(o, "energy_fee_minor", json_array());
	sf = json_set(o, "service_fee_minor", json_array());
	for (i = 0; i < PROTO_PERIODS; i++) {
		json_push(e, json_int((int64_t)g->energy_wh[i]));
		json_push(f, json_int((int64_t)(g->energy_fee[i] + g->service_fee[i])));
		json_push(ef, json_int((int64_t)g->energy_fee[i]));
		json_push(sf, json_int((int64_t)g->service_fee[i]));
		we += g->energy_wh[i];
		wf += g->energy_fee[i] + g->service_fee[i];
	}
	json_set_int(o, "energy_wh_total", (int64_t)we);
	json_set_int(o, "fee_minor_total", (int64_t)wf);
	return o;
}

static enum job_return
cmd_logs_report_step(struct job *job)
{
	static const char *const bys[] = { "card", "day", "pile" };
	const char		*by = cmd_args_get(&job->args, "by");
	const char		*since = cmd_args_get(&job->args, "since");
	const char		*until = cmd_args_get(&job->args, "until");
	struct report		 rp;
	struct report_group	 total;
	struct archive		*ar;
	struct json		*o, *groups;
	char			*cause = NULL;
	size_t			 i;
	int			 k;

	memset(&rp, 0, sizeof rp);
	rp.since = 0;
	rp.until = INT64_MAX;
	for (k = 0; k < 3; k++)
		if (by != NULL && strcmp(by, bys[k]) == 0)
			break;
	if (k == 3)
		return job_fail(job, EXIT_USAGE, _("'logs report' needs --by card, day or pile"));
	rp.by = (enum report_by)k;
	if (since != NULL && time_parse(since, 0, &rp.since, &cause) != 0)
		return job_fail_cause(job, EXIT_USAGE, cause);
	if (until != NULL && time_parse(until, TIME_DATE_END, &rp.until, &cause) != 0)
		return job_fail_cause(job, EXIT_USAGE, cause);
	if ((ar = job_archive(job)) == NULL ||
	    logs_pile_held(job, ar, cmd_args_get(&job->args, "pile")) != 1)
		return JOB_ERROR;
	rp.flags = json_array();
	if (archive_foreach(ar, cmd_args_get(&job->args, "pile"), report_row, &rp,
	    &cause) < 0) {
		json_free(rp.flags);
		free(rp.g);
		return job_fail_cause(job, EXIT_FAILED, cause);
	}
	qsort(rp.g, rp.ng, sizeof *rp.g, group_cmp);
	o = job_data(job);
	json_set_str(o, "by", bys[k]);
	json_set_str(o, "since", since != NULL ? since : "");
	json_set_str(o, "until", until != NULL ? until : "");
	groups = json_set(o, "groups", json_array());
	memset(&total, 0, sizeof total);
	for (i = 0; i < rp.ng; i++) {
		json_push(groups, group_json(&rp.g[i], rp.g[i].key));
		total.sessions += rp.g[i].sessions;
		for (k = 0; k < PROTO_PERIODS; k++) {
			total.energy_wh[k] += rp.g[i].energy_wh[k];
			total.energy_fee[k] += rp.g[i].energy_fee[k];
			total.service_fee[k] += rp.g[i].service_fee[k];
		}
	}
	json_set(o, "total", group_json(&total, "total"));
	json_set(o, "flags", rp.flags);
	free(rp.g);
	return JOB_NORMAL;
}

static void
report_line(FILE *f, const struct json *g, const char *key)
{
	const struct json	*e = json_get(g, "energy_wh"), *m = json_get(g, "fee_minor");
	char			 buf[32], n[16];
	size_t			 i;

	put_cell(f, key, 20);
	snprintf(n, sizeof n, "%lld", (long long)json_get_int(g, "sessions", 0));
	put_cell_right(f, n, 6);
	for (i = 0; i < PROTO_PERIODS; i++) {
		fmt_kwh(buf, sizeof buf, (uint32_t)json_at(e, i)->i);
		put_cell_right(f, buf, 10);
	}
	fmt_kwh(buf, sizeof buf, (uint32_t)json_get_int(g, "energy_wh_total", 0));
	put_cell_right(f, buf, 11);
	for (i = 0; i < PROTO_PERIODS; i++) {
		fmt_minor(buf, sizeof buf, json_at(m, i)->i);
		put_cell_right(f, buf, 10);
	}
	fmt_minor(buf, sizeof buf, json_get_int(g, "fee_minor_total", 0));
	put_cell_right(f, buf, 11);
	fputc('\n', f);
}

static void
cmd_logs_report_render(const struct result *r, FILE *f)
{
	const struct json	*o = r->data, *gs = json_get(o, "groups"), *fl = json_get(o, "flags");
	size_t			 i;
	int			 k;

	put_cell(f, json_get_str(o, "by"), 20);
	put_cell_right(f, _("n"), 6);
	for (k = 0; k < PROTO_PERIODS; k++)
		put_cell_right(f, _(proto_period_str((unsigned)k)), 10);
	put_cell_right(f, _("kWh"), 11);
	for (k = 0; k < PROTO_PERIODS; k++)
		put_cell_right(f, _(proto_period_str((unsigned)k)), 10);
	put_cell_right(f, _("money"), 11);
	fputc('\n', f);
	for (i = 0; i < json_len(gs); i++)
		report_line(f, json_at(gs, i), text_show(json_get_str(json_at(gs, i), "key")));
	report_line(f, json_get(o, "total"), _("total"));
	for (i = 0; i < json_len(fl); i++)
		fprintf(f, _("flag: %s\n"), text_show(json_get_str(json_at(fl, i), "text")));
}
