/* cmd-util.h - helpers the batch commands share (private to src/batch). */
#ifndef CMD_UTIL_H
#define CMD_UTIL_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "batch/batch.h"

/* The words for people (translated) of a machine name of proto_enum_key:
 * "forced_offline" -> "forced offline"; the key itself when unknown. */
const char *vocab_text(enum proto_enum_id, const char *key);
/* Columns of text for people: s padded with spaces to width display
 * columns (a Chinese character takes two), on the left or the right. */
void	put_cell(FILE *f, const char *s, int width);
void	put_cell_right(FILE *f, const char *s, int width);

/*
 * The pile's whole whitelist (job-wl.c): whitelist status, the windows of
 * 4 entries from 0, the status again; read again (3 tries in all) when the
 * version changed meanwhile, so what is read is one version's list. A
 * transaction at a time, for any event loop (as pile_write_next):
 *
 *   struct wl_reader rd = { 0 };
 *   while ((rc = wl_reader_next(p, &rd, &x, &cause)) == PILE_XFER_PENDING)
 *           run x on the bus, call again;
 *
 * It ends with 0: all[0 .. have) in UID order as the pile sent them,
 * version, and after (the status read after the last window, whose
 * version is version); or PILE_E_* with *cause naming the step that
 * failed. A list that kept changing is PILE_E_PROTOCOL. Stopping between
 * two calls is safe (reads only). wl_reader_free frees the entries.
 */
struct wl_reader {
	int			 phase, attempt;
	int			 progress;	/* wl_reader_step: show it */
	uint32_t		 before, version, total;
	struct pile_wl_status	 after;
	struct proto_wl_entry	*all;
	size_t			 have, cap;
};
int	wl_reader_next(struct pile *, struct wl_reader *, struct pile_xfer *x,
	    char **cause);
/* Starts rd (zeroed or freed) from a whitelist status just read, saving
 * that transaction: x gets the first window's request; then call
 * wl_reader_next as above. */
void	wl_reader_start(struct pile *, struct wl_reader *,
	    const struct pile_wl_status *before, struct pile_xfer *x);
void	wl_reader_free(struct wl_reader *);
/* The reader run to its end, blocking (tests, tools): 0 with *out
 * (malloc'ed), *n, *version. */
int	wl_read_all(struct pile *, struct proto_wl_entry **out, size_t *n,
	    uint32_t *version, char **cause);
struct job;
struct json;
/* The reader inside a job, a transaction a turn: call it from a step until
 * it returns JOB_NORMAL (all, have, version filled) or JOB_ERROR; pass its
 * JOB_WAIT on. With progress set it shows cards read of the count. */
enum job_return	wl_reader_step(struct job *, struct wl_reader *);
/* One whitelist command inside a job (job-wl.c), a transaction a turn:
 * wl_cmd_send starts it (the session opened first when needed) and
 * returns what the step returns; at the step's next resume wl_cmd_done
 * gives WL_CMD_PENDING while the result register is read (the step
 * returns JOB_WAIT), else the command's outcome (0 or PILE_E_* with
 * *cause), as pile_wl_command. */
#define WL_CMD_PENDING	1
struct wl_cmd {
	unsigned	 cmd;
	int		 reading;
	int		 wrc;
	char		*werr;
};
enum job_return	wl_cmd_send(struct job *, struct wl_cmd *, unsigned cmd,
		    uint32_t new_version, const struct proto_wl_entry *, int n);
int		wl_cmd_done(struct job *, struct wl_cmd *, char **cause);
/* A sync plan's next step on the job's pile (whitelist sync,
 * provisioning): the whitelist status read that verifies the plan once
 * every command was taken, else the write session opened in a turn of its
 * own when it must be, else the plan's next command (wl_cmd_send). *what
 * says which, so the step knows what its next resume reads:
 * pile_wl_status_parse, job_write_status or wl_cmd_done. Returns what the
 * step returns. */
enum wl_plan_step { WL_PLAN_VERIFY, WL_PLAN_AUTH, WL_PLAN_COMMAND };
struct wlsync_plan;
enum job_return	wl_plan_next(struct job *, const struct wlsync_plan *, struct wl_cmd *,
		    enum wl_plan_step *what);
/* --pile SERIAL that the archive does not hold fails the job, saying so:
 * 1 when held or serial NULL (cmd-logs-export.c). */
struct archive;
int		logs_pile_held(struct job *, struct archive *, const char *serial);
/* One archived record as a result row (logs list, the console). */
struct archive_row;
struct json	*record_data(const struct archive_row *);
/* {serial, version, count, entries: [{uid, status, expiry, holder}]} */
struct json	*wl_entries_data(const char *serial, uint32_t version,
		    const struct proto_wl_entry *, size_t n);

#endif
