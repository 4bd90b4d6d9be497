/* cmd-whitelist-list.c - `pilecon whitelist list`: every entry of the pile's
 * local card list with its version, read in windows of 4. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/cmd-util.h"
#include "batch/job.h"

static enum job_return	cmd_whitelist_list_step(struct job *);
static void		cmd_whitelist_list_render(const struct result *, FILE *);

const struct cmd_entry cmd_whitelist_list_entry = {
	.name = "whitelist list",
	.alias = "whitelist ls",
	.args = "--json",
	.usage = "[--json]",
	.help = N_("list the pile's card whitelist with its version"),
	.step = cmd_whitelist_list_step,
	.render = cmd_whitelist_list_render,
	.flags = CMD_PILE,
};

/* The whitelist as a result: what list, export and the console show. */
struct json *
wl_entries_data(const char *serial, uint32_t version, const struct proto_wl_entry *e,
    size_t n)
{
	struct json	*o = json_object(), *a, *row;
	size_t		 i;

	json_set_str(o, "serial", serial);
	json_set_int(o, "version", version);
	json_set_int(o, "count", (int64_t)n);
	a = json_set(o, "entries", json_array());
	for (i = 0; i < n; i++) {
		row = json_push(a, json_object());
		json_set_str(row, "uid", e[i].uid);
		json_set_str(row, "status", proto_enum_key(PROTO_ENUM_WL_STATUS, e[i].status));
		json_set_int(row, "expiry", e[i].expiry);
		json_set_str(row, "holder", e[i].holder);
	}
	return o;
}

static void
wl_reader_free_data(void *p)
{
	wl_reader_free(p);
	free(p);
}

static enum job_return
cmd_whitelist_list_step(struct job *job)
{
	struct wl_reader	*rd = job->data;
	enum job_return		 rc;

	if (rd == NULL) {
		job->data = rd = xcalloc(1, sizeof *rd);
		job->free_data = wl_reader_free_data;
		rd->progress = 1;
	}
	if ((rc = wl_reader_step(job, rd)) != JOB_NORMAL)
		return rc;
	job->result.data = wl_entries_data(job->identity.serial, rd->version, rd->all,
	    rd->have);
	return JOB_NORMAL;
}

/* One row of the list, padded by display width (Chinese labels). */
static void
wl_row(FILE *f, const char *uid, const char *status, const char *expires, const char *holder)
{
	put_cell(f, uid, 20);
	fputs("  ", f);
	put_cell(f, status, 8);
	fputs("  ", f);
	put_cell(f, expires, 19);
	fprintf(f, "  %s\n", text_show(holder));
}

static void
cmd_whitelist_list_render(const struct result *r, FILE *f)
{
	const struct json	*entries = json_get(r->data, "entries"), *e;
	size_t			 i, n = json_len(entries);

	fprintf(f, _("whitelist of %s: version %u, %zu entries\n"),
	    text_show(json_get_str(r->data, "serial")), (unsigned)json_get_int(r->data, "version", 0), n);
	if (n > 0)
		wl_row(f, _("UID"), _("status"), _("expires"), _("holder"));
	for (i = 0; i < n; i++) {
		e = json_at(entries, i);
		wl_row(f, json_get_str(e, "uid"),
		    vocab_text(PROTO_ENUM_WL_STATUS, json_get_str(e, "status")),
		    json_get_int(e, "expiry", 0) ? batch_format_time(json_get_int(e,
		    "expiry", 0)) : _("never"), json_get_str(e, "holder"));
	}
}
