/* view-connect.c - the connect view: which port, at which baud rate and
 * framing (8E1, the Modbus default, 8N1, 8N2, 8O1). Enter reopens the
 * chosen port at the chosen settings (a tcp: port without waiting for its
 * name's lookup or its server: reconnect.c); d lends the port to the same search
 * as `pilecon scan --detect`, run as a job, and opens it at what it found. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch/batch.h"
#include "batch/job.h"
#include "common.h"
#include "tui.h"

static const unsigned conn_bauds[] = { 9600, 19200, 38400, 57600, 115200 };
static const struct {
	char		parity;
	unsigned	stop_bits;
} conn_framings[] = { { 'E', 1 }, { 'N', 1 }, { 'N', 2 }, { 'O', 1 } };

struct conn_view {
	struct tui_list		 list;		/* row 0: the port in use */
	struct link_port_info	*ports;
	int			 nports;
	struct link_params	 lp;		/* the settings chosen */
	struct cmd_ctx		*dctx;		/* the detection's own connection */
	struct link_params	 before;	/* the settings it started from */
	int			 found;		/* it found a setting: lp_found */
	struct link_params	 lp_found;
	char			*errbuf;	/* its ctx->err, a memstream */
	size_t			 errlen;
};

static void
conn_dctx_free(struct conn_view *cv)
{
	if (cv->dctx == NULL)
		return;
	cmd_ctx_close(cv->dctx);
	pilecon_opts_free(&cv->dctx->opts);
	if (cv->dctx->err != NULL)
		fclose(cv->dctx->err);
	free(cv->errbuf);
	cv->errbuf = NULL;
	free(cv->dctx);
	cv->dctx = NULL;
}

static const enum tui_action conn_bar[] = {
	TUI_A_OPEN, TUI_A_BAUD, TUI_A_FRAMING, TUI_A_DETECT, TUI_A_VIEW_LINE, TUI_A_NONE
};

static void
conn_init(struct tui *t)
{
	t->connect = xcalloc(1, sizeof *t->connect);
}

static void
conn_free(struct tui *t)
{
	struct conn_view	*cv = t->connect;

	if (cv == NULL)
		return;
	conn_dctx_free(cv);
	free(cv->ports);
	free(cv);
	t->connect = NULL;
}

static void
conn_enter(struct tui *t)
{
	struct conn_view	*cv = t->connect;
	char			*cause = NULL;
	int			 n;

	cv->lp = *link_params(pile_bus_link(t->bus));
	free(cv->ports);
	cv->ports = NULL;
	cv->nports = 0;
	if ((n = link_list_ports(&cv->ports, &cause)) < 0) {
		tui_event(t, TUI_WARN, "%s", cause);
		free(cause);
	} else
		cv->nports = n;
	cv->list.n = 1 + cv->nports;
}

/* The port of row i: the one in use, or one of this machine's (by its
 * by-id name when it has one). */
static const char *
conn_port(struct tui *t, int i)
{
	struct conn_view	*cv = t->connect;

	if (i <= 0 || i > cv->nports)
		return (t->link_spec);
	if (cv->ports[i - 1].by_id[0] != '\0')
		return (cv->ports[i - 1].by_id);
	return (cv->ports[i - 1].name);
}

static void
conn_draw(struct tui *t, int y0, int rows)
{
	struct conn_view	*cv = t->connect;
	struct link		*l = pile_bus_link(t->bus);
	struct link_port_info	*pi;
	char			 now[32], want[32], keys[32];
	int			 y = y0, i, r, attr, lw = 10;

	tui_cell(y, 1, lw, tui_attr(TUI_R_LABEL), 0, _("port"));
	tui_putf(y++, lw + 2, COLS - lw - 3, TUI_PLAIN, "%s (%s%s)", link_name(l),
	    t->link_down ? _("closed, ") : "", link_params_str(link_params(l), now, sizeof now));
	tui_cell(y, 1, lw, tui_attr(TUI_R_LABEL), 0, _("settings"));
	link_params_str(&cv->lp, want, sizeof want);
	tui_putf(y++, lw + 2, COLS - lw - 3, strcmp(now, want) != 0 ? tui_attr(TUI_R_CHANGED) :
	    TUI_PLAIN, "%s", want);
	tui_action_keys(TUI_A_OPEN, keys, sizeof keys, 1);
	tui_putf(y++, lw + 2, COLS - lw - 3, tui_attr(TUI_R_DIM),
	    _("%s opens the selected port at these settings (Modbus default: 8E1)"), keys);
	y++;
	tui_put(y++, 1, COLS - 2, tui_attr(TUI_R_HEADER), _("serial ports on this machine"));
	cv->list.n = 1 + cv->nports;
	tui_list_fit(&cv->list, rows - (y - y0));
	for (r = 0; y < y0 + rows && cv->list.top + r < cv->list.n; r++, y++) {
		i = cv->list.top + r;
		attr = i == cv->list.sel ? tui_attr(TUI_R_SELECTED) : TUI_PLAIN;
		if (i == cv->list.sel)
			tui_fill(y, attr);
		if (i == 0) {
			tui_putf(y, 1, COLS - 2, attr, _("%s (in use)"), t->link_spec);
			continue;
		}
		pi = &cv->ports[i - 1];
		if (pi->usb)
			tui_putf(y, 1, COLS - 2, attr, "%s  %04x:%04x %s %s  %s", pi->name,
			    pi->vid, pi->pid, pi->manufacturer, pi->product, pi->by_id);
		else
			tui_putf(y, 1, COLS - 2, attr, "%s  %s", pi->name, pi->description);
	}
}

static void
conn_cycle_baud(struct conn_view *cv)
{
	size_t	i;

	for (i = 0; i < nitems(conn_bauds) && conn_bauds[i] <= cv->lp.baud; i++)
		;
	cv->lp.baud = conn_bauds[i % nitems(conn_bauds)];
}

static void
conn_cycle_framing(struct conn_view *cv)
{
	size_t	i;

	for (i = 0; i < nitems(conn_framings); i++) {
		if (conn_framings[i].parity == cv->lp.parity &&
		    conn_framings[i].stop_bits == cv->lp.stop_bits)
			break;
	}
	i = (i + 1) % nitems(conn_framings);
	cv->lp.parity = conn_framings[i].parity;
	cv->lp.stop_bits = conn_framings[i].stop_bits;
}

static void
conn_apply(struct tui *t)
{
	struct conn_view	*cv = t->connect;
	char			*cause = NULL, *spec;

	if (t->detecting)
		return;
	spec = xstrdup(conn_port(t, cv->list.sel));
	if (tui_link_switch(t, spec, &cv->lp, &cause) < 0) {
		tui_event(t, TUI_ERROR, "%s", cause);
		free(cause);
	}
	free(spec);
	cv->list.sel = 0;
	conn_enter(t);
}

/* ---- auto-detect: scan --detect as a job on a connection of its own ------ */

/* scan --detect counts addresses only once a setting answered: the
 * setting is then its port's, and the console's own search takes the bus
 * from there, so the job stops at once rather than scan every address. */
static void
conn_detect_notify(struct job *job, enum job_notify what, void *arg)
{
	struct conn_view	*cv = arg;

	if (what != JOB_NOTIFY_PROGRESS || cv->found || job->result.progress.what == NULL ||
	    cv->dctx == NULL || cv->dctx->link == NULL)
		return;
	cv->found = 1;
	cv->lp_found = *link_params(cv->dctx->link);
	job_cancel(job);
}

static void
conn_detect_end(struct tui *t, struct tui_job *tj)
{
	struct conn_view	*cv = t->connect;
	const struct json	*data = tj->job->result.data, *hit;
	struct link_params	 lp = cv->before;
	const char		*framing;
	char			*cause = NULL, line[32];
	int			 found = 0;

	if (cv->found) {
		lp.baud = cv->lp_found.baud;
		lp.parity = cv->lp_found.parity;
		lp.stop_bits = cv->lp_found.stop_bits;
		found = 1;
	} else if (data != NULL && data->type == JSON_ARRAY && json_len(data) > 0) {
		hit = json_at(data, 0);
		framing = json_get_str(hit, "framing");
		lp.baud = (unsigned)json_get_int(hit, "baud", (int64_t)lp.baud);
		if (framing != NULL && strlen(framing) == 3) {
			lp.parity = framing[1];
			lp.stop_bits = (unsigned)(framing[2] - '0');
		}
		found = 1;
	}
	/* Its connection goes first: the port is ours again. */
	conn_dctx_free(cv);
	t->detecting = 0;
	if (found)
		tui_event(t, TUI_OK, _("piles answer at %s: opening the port at it"),
		    link_params_str(&lp, line, sizeof line));
	else
		tui_event(t, TUI_WARN, _("no setting found: the port stays at %s"),
		    link_params_str(&lp, line, sizeof line));
	cv->lp = lp;
	if (tui_link_switch(t, t->link_spec, &lp, &cause) < 0) {
		tui_event(t, TUI_ERROR, "%s", cause);
		free(cause);
	}
}

static void
conn_detect(struct tui *t)
{
	static const char	*argv[] = { "scan", "--detect" };
	struct conn_view	*cv = t->connect;
	struct cmd_ctx		*d;
	struct tui_job		*tj;
	char			*cause = NULL;

	if (t->detecting)
		return;
	if (tui_jobs_running(t) - tui_discover_busy(t) > 0) {
		tui_event(t, TUI_WARN, _("jobs are running on the port: detect once they are over (Esc stops one)"));
		return;
	}
	/* The search for piles stops; it starts over at what is found. */
	tui_discover_restart(t);
	tui_bus_drain(t);
	cv->before = *link_params(pile_bus_link(t->bus));
	d = cv->dctx = xcalloc(1, sizeof *d);
	pilecon_opts_init(&d->opts);
	d->opts.port = xstrdup(t->link_spec);
	d->opts.baud = cv->before.baud;
	d->opts.parity = cv->before.parity;
	d->opts.stop_bits = cv->before.stop_bits;
	d->opts.addr = 1;
	d->opts.timeout_ms = t->ctx->opts.timeout_ms;
	d->opts.retries = t->ctx->opts.retries;
	d->opts.no_low_latency = t->ctx->opts.no_low_latency;
	d->opts.rs485 = t->ctx->opts.rs485;
	d->opts.echo = t->ctx->opts.echo;
	d->err = open_memstream(&cv->errbuf, &cv->errlen);	/* its words come as events */
	/* The port is the detection's while it runs: it opens it at each
	 * setting it tries. */
	link_suspend(pile_bus_link(t->bus));
	t->link_down = 1;
	t->detecting = 1;
	t->link_down_ms = tui_now_ms();
	if ((tj = tui_job_new(t, TUI_JOB_KEY, 2, argv, d, NULL, NULL, 0, NULL, &cause)) == NULL) {
		tui_event(t, TUI_ERROR, _("cannot detect: %s"), cause);
		free(cause);
		t->detecting = 0;
		conn_dctx_free(cv);
		if (tui_link_switch(t, t->link_spec, &cv->before, &cause) < 0) {
			tui_event(t, TUI_ERROR, "%s", cause);
			free(cause);
		}
		return;
	}
	cv->found = 0;
	tj->quiet = 1;		/* what it found shows here, not as its table */
	tj->done = conn_detect_end;
	tj->chain = conn_detect_notify;
	tj->chain_arg = cv;
	tui_event(t, TUI_INFO, _("finding the baud rate and framing of the bus on '%s'"),
	    t->link_spec);
}

static int
conn_action(struct tui *t, enum tui_action a)
{
	struct conn_view	*cv = t->connect;

	if (tui_list_action(&cv->list, a, LINES - 10))
		return (1);
	switch (a) {
	case TUI_A_OPEN:
		conn_apply(t);
		return (1);
	case TUI_A_BAUD:
		conn_cycle_baud(cv);
		return (1);
	case TUI_A_FRAMING:
		conn_cycle_framing(cv);
		return (1);
	case TUI_A_DETECT:
		conn_detect(t);
		return (1);
	default:
		return (0);
	}
}

const struct tui_view tui_view_connect = {
	N_("connect"), conn_init, conn_free, conn_enter, conn_draw, conn_action, conn_bar
};
