/* cmd-logs-list.c - `pilecon logs list`: the records held in the archive of
 * this laptop (no pile needed). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/cmd-util.h"
#include "batch/job.h"

static enum job_return	cmd_logs_list_step(struct job *);
static void		cmd_logs_list_render(const struct result *, FILE *);

const struct cmd_entry cmd_logs_list_entry = {
	.name = "logs list",
	.alias = "logs ls",
	.args = "--pile=SERIAL --quarantine --json",
	.usage = "[--pile SERIAL] [--quarantine] [--json]",
	.help = N_("list the charging records held in the archive on this laptop"),
	.step = cmd_logs_list_step,
	.render = cmd_logs_list_render,
	.flags = CMD_JSONL | CMD_LOCAL,
};

/* One archived record as a result row, in the vocabulary of the export. */
struct json *
record_data(const struct archive_row *r)
{
	const struct proto_record	*rec = &r->rec;
	struct json			*o = json_object(), *a;
	int				 i;

	json_set_str(o, "serial", r->serial);
	json_set_str(o, "device_id", r->device_id);
	json_set_int(o, "store_id", r->store_id);
	json_set_int(o, "seq", rec->seq);
	json_set_str(o, "kind", proto_enum_key(PROTO_ENUM_KIND, rec->kind));
	json_set_str(o, "tag", rec->tag);
	json_set_str(o, "holder", rec->holder);
	json_set_int(o, "start", rec->start);
	json_set_int(o, "stop", rec->stop);
	json_set_str(o, "stop_reason", proto_enum_key(PROTO_ENUM_STOP, rec->stop_reason));
	json_set_int(o, "meter_start_wh", rec->meter_start_wh);
	json_set_int(o, "meter_stop_wh", rec->meter_stop_wh);
	json_set_int(o, "energy_wh", (int64_t)proto_record_energy_wh(rec));
	a = json_set(o, "energy_wh_by_period", json_array());
	for (i = 0; i < PROTO_PERIODS; i++)
		json_push(a, json_int(rec->energy_wh[i]));
	a = json_set(o, "energy_fee_minor", json_array());
	for (i = 0; i < PROTO_PERIODS; i++)
		json_push(a, json_int(rec->energy_fee_minor[i]));
	a = json_set(o, "service_fee_minor", json_array());
	for (i = 0; i < PROTO_PERIODS; i++)
		json_push(a, json_int(rec->service_fee_minor[i]));
	json_set_int(o, "fee_minor", (int64_t)proto_record_fee_minor(rec));
	json_set_int(o, "tariff_version", rec->tariff_version);
	json_set_bool(o, "offline", (rec->flags & PROTO_REC_F_OFFLINE) != 0);
	json_set_bool(o, "synced", (rec->flags & PROTO_REC_F_SYNCED) != 0);
	json_set(o, "crc", json_strf("%08x", (unsigned)rec->crc));
	json_set_int(o, "pulled_at", r->pulled_at);
	json_set_bool(o, "signed", r->has_sig);
	return o;
}

/* A quarantined record (failed its signature check): why it is there. */
static int
list_quarantined(const struct archive_qrow *q, void *arg)
{
	struct json	*o = json_push(arg, json_object());

	json_set_str(o, "serial", q->serial);
	json_set_int(o, "store_id", q->store_id);
	json_set_int(o, "seq", q->rec.seq);
	json_set_str(o, "reason", q->reason);
	json_set_str(o, "tag", q->rec.tag);
	json_set_int(o, "energy_wh", (int64_t)proto_record_energy_wh(&q->rec));
	json_set_int(o, "fee_minor", (int64_t)proto_record_fee_minor(&q->rec));
	json_set_int(o, "pulled_at", q->pulled_at);
	/* Read again later, verified and archived: the entry stays. */
	json_set_int(o, "archived_at", q->archived_at);
	json_set_bool(o, "quarantined", 1);
	return 0;
}

static int
list_row_data(const struct archive_row *r, void *arg)
{
	json_push(arg, record_data(r));
	return 0;
}

static enum job_return
cmd_logs_list_step(struct job *job)
{
	struct archive	*ar;
	char		*cause = NULL;
	size_t		 n;

	if ((ar = job_archive(job)) == NULL)
		return JOB_ERROR;
	job->result.data = json_array();
	if (cmd_args_has(&job->args, "quarantine")) {
		if (archive_quarantine_foreach(ar, cmd_args_get(&job->args, "pile"),
		    list_quarantined, job->result.data, &cause) < 0)
			return job_fail_cause(job, EXIT_FAILED, cause);
		if (!job->json)
			job_event(job, RESULT_OK, _("%d records in quarantine (failed their "
			    "signature check: never exported)"), (int)json_len(job->result.data));
		return JOB_NORMAL;
	}
	if (logs_pile_held(job, ar, cmd_args_get(&job->args, "pile")) != 1)
		return JOB_ERROR;
	if (archive_foreach(ar, cmd_args_get(&job->args, "pile"), list_row_data,
	    job->result.data, &cause) < 0)
		return job_fail_cause(job, EXIT_FAILED, cause);
	n = json_len(job->result.data);
	if (!job->json)
		job_event(job, RESULT_OK, _("%d records in %s"), (int)n,
		    job->ctx->opts.archive_path);
	return JOB_NORMAL;
}

/* One row of the table, padded by display width (Chinese labels). */
static void
list_row(FILE *f, const char *pile, const char *seq, const char *kind, const char *start,
    const char *kwh, const char *fee, const char *tag, const char *holder, const char *note)
{
	put_cell(f, pile, 16);
	fputc(' ', f);
	put_cell_right(f, seq, 6);
	fputs("  ", f);
	put_cell(f, kind, 12);
	fputc(' ', f);
	put_cell(f, start, 19);
	fputc(' ', f);
	put_cell_right(f, kwh, 9);
	fputc(' ', f);
	put_cell_right(f, fee, 9);
	fputs("  ", f);
	put_cell(f, tag, 20);
	fprintf(f, " %s%s\n", text_show(holder), note);
}

static void
cmd_logs_list_render(const struct result *r, FILE *f)
{
	const struct json	*rec, *prev = NULL;
	char			 kwh[32], fee[32], start[32], seq[16], note[96];
	size_t			 i;

	for (i = 0; i < json_len(r->data); i++) {
		rec = json_at(r->data, i);
		if (json_get_bool(rec, "quarantined")) {
			fprintf(f, "%s %u %s", text_show(json_get_str(rec, "serial")),
			    (unsigned)json_get_int(rec, "seq", 0),
			    text_show(json_get_str(rec, "reason")));
			if (json_get_int(rec, "archived_at", 0) != 0)
				fprintf(f, _(" (verified when pulled again: archived %s)"),
				    batch_format_time(json_get_int(rec, "archived_at", 0)));
			fputc('\n', f);
			continue;
		}
		if (i == 0)
			list_row(f, _("pile"), _("seq"), _("kind"), _("start"), _("kWh"),
			    _("fee"), _("card/order"), _("holder"), "");
		/* Rows come series by series: say where a pile's numbering
		 * restarted, so two records with one seq read right. */
		if (prev != NULL && json_get_int(prev, "store_id", 0) !=
		    json_get_int(rec, "store_id", 0) && strcmp(json_get_str(prev, "serial"),
		    json_get_str(rec, "serial")) == 0)
			fprintf(f, _("%s: a new record series starts here (store id %u): the "
			    "pile's numbering restarted\n"), text_show(json_get_str(rec, "serial")),
			    (unsigned)json_get_int(rec, "store_id", 0));
		prev = rec;
		fmt_kwh(kwh, sizeof kwh, (uint64_t)json_get_int(rec, "energy_wh", 0));
		fmt_minor(fee, sizeof fee, json_get_int(rec, "fee_minor", 0));
		snprintf(start, sizeof start, "%s", batch_format_time(json_get_int(rec,
		    "start", 0)));
		snprintf(seq, sizeof seq, "%u", (unsigned)json_get_int(rec, "seq", 0));
		snprintf(note, sizeof note, "%s%s%s", json_get_bool(rec, "offline") ?
		    _(" [offline]") : "", json_get_bool(rec, "synced") ? _(" [synced]") :
		    _(" [unsynced]"), json_get_bool(rec, "signed") ? _(" [signed]") :
		    _(" [unsigned]"));
		list_row(f, json_get_str(rec, "serial"), seq, vocab_text(PROTO_ENUM_KIND,
		    json_get_str(rec, "kind")), start, kwh, fee, json_get_str(rec, "tag"),
		    json_get_str(rec, "holder"), note);
	}
}
