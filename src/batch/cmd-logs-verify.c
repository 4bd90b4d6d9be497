/* cmd-logs-verify.c - `pilecon logs verify FILE [--keys PUBKEYS]`: checks an
 * export (CSV, JSON Lines or OCMF) on any machine, with no pile and no
 * archive: every signature, every money figure against its per-period
 * energy and prices (counted unchecked when they are unknown), sequence
 * gaps and order per pile. Exit 1 on any finding. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/job.h"

static enum job_return	cmd_logs_verify_step(struct job *);
static void		cmd_logs_verify_render(const struct result *, FILE *);

const struct cmd_entry cmd_logs_verify_entry = {
	.name = "logs verify", .args = "--keys=FILE --json FILE",
	.usage = "FILE [--keys PUBKEYS] [--json]",
	.help = N_("check an export (CSV, JSON Lines or OCMF) with no pile: signatures, money against energy and prices (unchecked when unknown), sequence gaps"),
	.step = cmd_logs_verify_step, .render = cmd_logs_verify_render,
};

static void
verify_finding(void *arg, const char *pile, uint32_t seq, const char *what, const char *text)
{
	struct json	*a = arg, *o = json_push(a, json_object());

	json_set_str(o, "pile", pile);
	json_set_int(o, "seq", seq);
	json_set_str(o, "check", what);
	json_set_str(o, "text", text);
}

static enum job_return
cmd_logs_verify_step(struct job *job)
{
	const char			*path = job->args.npos > 0 ? job->args.pos[0] : NULL;
	const char			*keys = cmd_args_get(&job->args, "keys");
	const struct archive_verify_counts *c;
	struct archive_verify		*v;
	struct json			*o, *findings;
	char				*cause = NULL;

	if (path == NULL)
		return job_fail(job, EXIT_USAGE, _("'logs verify' needs the export to check"));
	o = job_data(job);
	json_set_str(o, "file", path);
	findings = json_array();
	v = archive_verify_new(verify_finding, findings);
	if ((keys != NULL && archive_verify_keys(v, keys, &cause) != 0) ||
	    archive_verify_file(v, path, &cause) != 0) {
		archive_verify_free(v);
		json_free(findings);
		return job_fail_cause(job, EXIT_USAGE, cause);
	}
	c = archive_verify_counts(v);
	json_set_int(o, "records", (int64_t)c->records);
	json_set_int(o, "piles", (int64_t)c->piles);
	json_set_int(o, "good_signatures", (int64_t)c->good_signatures);
	json_set_int(o, "bad_signatures", (int64_t)c->bad_signatures);
	json_set_int(o, "unsigned", (int64_t)c->unsigned_records);
	json_set_int(o, "money_checked", (int64_t)c->money_checked);
	json_set_int(o, "money_wrong", (int64_t)c->money_wrong);
	json_set_int(o, "money_unchecked", (int64_t)c->money_unchecked);
	json_set_int(o, "out_of_order", (int64_t)c->out_of_order);
	json_set_int(o, "missing", (int64_t)c->missing);
	json_set_int(o, "failures", (int64_t)c->failures);
	json_set(o, "findings", findings);
	if (c->failures > 0) {
		job_fail(job, EXIT_FAILED, _("'%s' failed %llu checks"), path,
		    (unsigned long long)c->failures);
		archive_verify_free(v);
		return JOB_ERROR;
	}
	archive_verify_free(v);
	return JOB_NORMAL;
}

static void
cmd_logs_verify_render(const struct result *r, FILE *f)
{
	const struct json	*o = r->data, *fs = json_get(o, "findings");
	size_t			 i;

	for (i = 0; i < json_len(fs); i++) {
		fputs(text_show(json_get_str(json_at(fs, i), "text")), f);
		fputc('\n', f);
	}
	fprintf(f, _("%s: %lld records of %lld piles; signatures: %lld good, %lld bad, "
	    "%lld unsigned; money: %lld right, %lld wrong, %lld unchecked (no prices); "
	    "%lld out of order, %lld missing; %lld failures\n"), json_get_str(o, "file"),
	    (long long)json_get_int(o, "records", 0), (long long)json_get_int(o, "piles", 0),
	    (long long)json_get_int(o, "good_signatures", 0),
	    (long long)json_get_int(o, "bad_signatures", 0),
	    (long long)json_get_int(o, "unsigned", 0),
	    (long long)json_get_int(o, "money_checked", 0),
	    (long long)json_get_int(o, "money_wrong", 0),
	    (long long)json_get_int(o, "money_unchecked", 0),
	    (long long)json_get_int(o, "out_of_order", 0),
	    (long long)json_get_int(o, "missing", 0),
	    (long long)json_get_int(o, "failures", 0));
}
