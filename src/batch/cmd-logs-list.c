/* cmd-logs-list.c - `pilecon logs list`: the records held in the archive of
 * this laptop (no pile needed). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/cmd-util.h"

static int	cmd_logs_list_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_logs_list_entry = {
	.name = "logs list",
	.alias = "logs ls",
	.args = "--pile=SERIAL --json",
	.usage = "[--pile SERIAL] [--json]",
	.exec = cmd_logs_list_exec,
	.help = N_("list the charging records held in the archive on this laptop"),
};

struct list_state {
	struct cmd_ctx	*ctx;
	int		 n;
};

static int
list_json(const struct archive_row *r, void *arg)
{
	struct list_state		*ls = arg;
	const struct proto_record	*rec = &r->rec;
	FILE				*f = ls->ctx->out;
	int				 i;

	fprintf(f, "{\"serial\":");
	batch_json_str(f, r->serial);
	fprintf(f, ",\"device_id\":");
	batch_json_str(f, r->device_id);
	fprintf(f, ",\"seq\":%u,\"kind\":\"%s\",\"tag\":", rec->seq, proto_kind_str(rec->kind));
	batch_json_str(f, rec->tag);
	fprintf(f, ",\"holder\":");
	batch_json_str(f, rec->holder);
	fprintf(f, ",\"start\":%u,\"stop\":%u,\"stop_reason\":\"%s\",\"meter_start_wh\":%u,"
	    "\"meter_stop_wh\":%u,\"energy_wh\":%u,\"energy_wh_by_period\":[", rec->start,
	    rec->stop, proto_stop_str(rec->stop_reason), rec->meter_start_wh,
	    rec->meter_stop_wh, proto_record_energy_wh(rec));
	for (i = 0; i < PROTO_PERIODS; i++)
		fprintf(f, "%s%u", i ? "," : "", rec->energy_wh[i]);
	fprintf(f, "],\"energy_fee_minor\":[");
	for (i = 0; i < PROTO_PERIODS; i++)
		fprintf(f, "%s%u", i ? "," : "", rec->energy_fee_minor[i]);
	fprintf(f, "],\"service_fee_minor\":[");
	for (i = 0; i < PROTO_PERIODS; i++)
		fprintf(f, "%s%u", i ? "," : "", rec->service_fee_minor[i]);
	fprintf(f, "],\"fee_minor\":%u,\"tariff_version\":%u,\"offline\":%s,\"synced\":%s,"
	    "\"crc\":\"%08x\",\"pulled_at\":%lld}\n", proto_record_fee_minor(rec),
	    rec->tariff_version, rec->flags & PROTO_REC_F_OFFLINE ? "true" : "false",
	    rec->flags & PROTO_REC_F_SYNCED ? "true" : "false", rec->crc,
	    (long long)r->pulled_at);
	ls->n++;
	return 0;
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

static int
list_human(const struct archive_row *r, void *arg)
{
	struct list_state		*ls = arg;
	const struct proto_record	*rec = &r->rec;
	char				 kwh[32], fee[32], start[32], seq[16];

	if (ls->n++ == 0)
		list_row(ls->ctx->out, _("pile"), _("seq"), _("kind"), _("start"), _("kWh"),
		    _("fee"), _("card/order"), _("holder"), "");
	fmt_kwh(kwh, sizeof kwh, proto_record_energy_wh(rec));
	fmt_minor(fee, sizeof fee, proto_record_fee_minor(rec));
	snprintf(start, sizeof start, "%s", batch_format_time(rec->start));
	snprintf(seq, sizeof seq, "%u", rec->seq);
	list_row(ls->ctx->out, r->serial, seq, _(proto_kind_str(rec->kind)), start, kwh, fee,
	    rec->tag, rec->holder, rec->flags & PROTO_REC_F_OFFLINE ? _(" [offline]") : "");
	return 0;
}

static int
cmd_logs_list_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct archive		*ar;
	struct list_state	 ls = { ctx, 0 };
	char			*cause = NULL;

	if ((ar = cmd_archive(ctx)) == NULL)
		return cmd_exit_code(ctx->pile_rc);
	if (archive_foreach(ar, cmd_args_get(ctx->args, "pile"),
	    ctx->opts.json ? list_json : list_human, &ls, &cause) < 0)
		return cmd_fail(ctx, EXIT_FAILED, cause);
	if (!ctx->opts.json)
		fprintf(ctx->err, _("%d records in %s\n"), ls.n, ctx->opts.archive_path);
	return EXIT_OK;
}
