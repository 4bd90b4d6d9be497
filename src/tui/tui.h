/* tui.h - private to src/tui: the console's state shared by the main loop,
 * its views, the key table and the ':' line. */
#ifndef TUI_H
#define TUI_H

#include <stdarg.h>
#include <poll.h>
#include <stdint.h>
#include <time.h>
#include <wchar.h>

#include "batch/job.h"
#include "pile/pile.h"
#include "actions.h"

struct cmd_ctx;
struct tui;
struct tui_resume;
struct tui_discover;

/* ---- piles on the bus ---------------------------------------------------- */

struct tui_pile {
	uint8_t			 addr;
	struct pile		*pile;
	int			 own;		/* ours to free (not ctx->pile) */
	int			 scanned;	/* from the start-up scan: forgotten if silent */
	int			 have_id, have_live, have_prev;
	struct proto_identity	 id;
	struct proto_live	 live, prev;	/* this refresh and the one before */
	time_t			 live_at;	/* laptop clock when live was read */
	uint64_t		 due_ms;	/* next live read */
	uint64_t		 silent_since_ms; /* first unanswered try; 0 when it answers */
	char			*error;		/* last error in words; NULL when fine */
	unsigned long		 refreshes;
	/* what the archive was last reconciled to (view-records.c) */
	int			 reconciled;
	uint32_t		 reconciled_store, reconciled_through;
};

/* ---- views --------------------------------------------------------------- */

struct tui_list {
	int	n, sel, top;
};

/* A view draws one part of the console and answers its keys. Each view
 * keeps its state in its own struct, private to its file (view-*.c):
 * init makes it and hangs it on struct tui, free undoes that. */
struct tui_view {
	const char	*name;		/* N_() */
	void		(*init)(struct tui *);
	void		(*free)(struct tui *);
	void		(*enter)(struct tui *);
	void		(*draw)(struct tui *, int y0, int rows);
	int		(*action)(struct tui *, enum tui_action);	/* 1: handled */
	const enum tui_action *bar;	/* key bar, ends with TUI_A_NONE */
};
extern const struct tui_view tui_view_bus, tui_view_dashboard, tui_view_whitelist,
    tui_view_records, tui_view_events, tui_view_help, tui_view_line, tui_view_connect;
struct bus_view;
struct dash_view;
struct wl_view;
struct rec_view;
struct ev_view;
struct help_view;
struct line_view;
struct conn_view;

/* ---- the ':' line and prompts ------------------------------------------ */

#define TUI_LINE_MAX	512
typedef void	(*tui_answer_cb)(struct tui *, const char *answer, void *arg);
typedef void	(*tui_confirm_cb)(struct tui *, void *arg);

struct tui_line {
	int		 active;
	int		 command;	/* the ':' line (history, completion) */
	int		 confirm;	/* y/n question */
	char		 prompt[256];
	wchar_t		 buf[TUI_LINE_MAX];
	size_t		 len, pos;
	int		 hist_pos;	/* browsing history: steps back */
	tui_answer_cb	 answer;
	tui_confirm_cb	 yes;
	void		*arg;
};

/* ---- events -------------------------------------------------------------- */

enum tui_level { TUI_INFO, TUI_OK, TUI_WARN, TUI_ERROR };
#define TUI_EVENTS_MAX	2000

/* ---- jobs (jobs.c) -------------------------------------------------------- */

enum tui_job_origin {
	TUI_JOB_KEY,		/* a key in a view: p, s, o, a card edit */
	TUI_JOB_CMDLINE,	/* the ':' line */
	TUI_JOB_SHARED		/* another terminal, through the port's socket */
};

struct tui_job {
	struct tui		*t;
	struct job		*job;
	enum tui_job_origin	 origin;
	uint8_t			 addr;		/* its pile; 0 for none */
	char			*words;		/* "logs pull" */
	char			*title;		/* "logs pull (SIM-0001)" */
	uint64_t		 started_ms;
	int			 cancelling;
	int			 quiet;		/* its result is for a view, not the events */
	int			 told;		/* done says how it ended: no output, no outcome */
	size_t			 events_shown;
	/* the view that started it, told at the end */
	void			(*done)(struct tui *, struct tui_job *);
	void			*arg;
	/* another terminal's job: batch mode's notifier, on its connection */
	void			(*chain)(struct job *, enum job_notify, void *);
	void			*chain_arg;
	struct tui_job		*next;
};

/* ---- the console --------------------------------------------------------- */

enum tui_xfer_kind { TUI_X_NONE, TUI_X_IDENTITY, TUI_X_LIVE };

struct tui {
	struct cmd_ctx		*ctx;
	struct pile_bus		*bus;
	struct pile_bus		*scan_bus;	/* same link, short timeout, one try */
	uint64_t		 quiet_us;	/* t3.5 after the last transaction */
	unsigned long		 identity_reads;	/* on bus, for ':stats' */
	int			 quit;
	int			 dirty;		/* redraw on the next turn */
	int			 touched;	/* a key was pressed */

	struct tui_pile		*piles;		/* in address order */
	int			 npiles, cur;	/* cur: index of the selected pile, -1 none */
	int			 scanning;	/* the start-up scan is not over */
	struct tui_discover	*discover;	/* the background search (discover.c) */

	/* the one transaction in flight */
	struct pile_xfer	 xfer;
	enum tui_xfer_kind	 xkind;
	int			 xpile;		/* index into piles */
	struct pile_bus		*xbus;		/* the bus it runs on */
	uint64_t		 xstarted_ms;

	/* jobs: the engine's runner, ours newest first, the one Esc stops */
	struct job_runner	*runner;
	struct tui_job		*jobs;
	struct tui_job		*fg;
	struct tui_share	*share;		/* the port's socket (share.c) */

	const struct tui_view	*view, *back;	/* back: where help returns */
	/* each view's own state (view-*.c) */
	struct bus_view		*bus_view;
	struct dash_view	*dashboard;
	struct wl_view		*whitelist;
	struct rec_view		*records;
	struct ev_view		*events;
	struct help_view	*help;
	struct line_view	*lineview;
	struct conn_view	*connect;

	/* reconnect.c: the port went away and comes back */
	int			 link_down;
	int			 detecting;	/* the port lent to scan --detect */
	uint64_t		 link_down_ms, link_retry_ms;
	int			 link_connecting;	/* a tcp: reopen in progress */
	/* the connect view's switch to another port, in progress: the
	 * port it opens (link_spec stays the one it came from) */
	char			*link_switch_spec;
	struct link_params	 link_switch_from;	/* the settings to go back to */
	uint64_t		 link_connect_end_ms;	/* when it gives up */
	unsigned		 link_tries;
	char			*link_spec;	/* the name it reopens by */
	char			*link_cause;	/* why the last try failed */
	struct tui_resume	*resume;	/* jobs to start again */

	char			*message;	/* the message line */
	enum tui_level		 message_level;
	time_t			 message_at;

	struct tui_line		 line;
	int			 colour;
};

#define TUI_PLAIN	0	/* A_NORMAL as an int, for ?: with attributes */

/* tui.c: the loop */
uint64_t	tui_now_ms(void);
void	tui_show_view(struct tui *, const struct tui_view *);

/* piles.c: the piles on the bus, their refresh, the transaction in flight */
struct tui_pile *tui_cur(struct tui *);
struct tui_pile *tui_pile_add(struct tui *, uint8_t addr, int scanned);
const char	*tui_pile_name(const struct tui_pile *, char *buf, size_t);
/* Pile clock now, from the last live read and the laptop clock since. */
uint32_t	tui_pile_clock(const struct tui_pile *);
void	tui_select_pile(struct tui *, int step);
/* The start-up scan (discover.c: addr first, then the known addresses or
 * 1..8); _check ends it once every address answered or stayed silent. */
void	tui_piles_scan_check(struct tui *);

/* discover.c: the whole bus, found in the background by a scan job */
void	tui_piles_scan(struct tui *, int addr);
void	tui_discover_free(struct tui *);
/* Starts the search's job when it is due (each turn). */
void	tui_discover_next(struct tui *);
void	tui_discover_end(struct tui *);
void	tui_discover_restart(struct tui *);
int	tui_discover_busy(struct tui *);
void	tui_piles_free(struct tui *);
/* Starts the next transaction when the bus is free; advances the one in
 * flight; how long the loop may sleep. */
void	tui_schedule(struct tui *);
void	tui_xfer_step(struct tui *);
int	tui_timeout_ms(struct tui *);
/* Finishes the transaction in flight so a blocking pile_* call may run. */
void	tui_bus_drain(struct tui *);
/* The runner may start a transaction or a step now (its gate): not while
 * ours runs, nor when a refresh of the screen is due. */
int	tui_bus_gate(void *tui, struct pile_bus *);

/* jobs.c */
void	tui_jobs_init(struct tui *);
/* Starts argv (command words first) on pile p (NULL: none) with ctx (NULL:
 * the console's); NULL with *cause for an unknown command or bad options. */
struct tui_job *tui_job_start(struct tui *, struct tui_pile *p, enum tui_job_origin,
	    int argc, const char **argv, struct cmd_ctx *ctx, char **cause);
/* The same on any pile object (id NULL: the runner identifies it first). */
struct tui_job *tui_job_new(struct tui *, enum tui_job_origin, int argc, const char **argv,
	    struct cmd_ctx *, struct pile *, const struct proto_identity *id, uint8_t addr,
	    const char *pile_name, char **cause);
/* The running job of command words on the pile at addr, or NULL. */
struct tui_job *tui_job_find(struct tui *, uint8_t addr, const char *words);
int	tui_jobs_running(struct tui *);
void	tui_jobs_summary(struct tui *, char *buf, size_t);
void	tui_job_cancel(struct tui *);	/* the foreground one */
void	tui_jobs_step(struct tui *);
int	tui_jobs_pollfds(struct tui *, struct pollfd *, int max, int *timeout_ms);
void	tui_jobs_stop_all(struct tui *, int limit_ms);
void	tui_jobs_free(struct tui *);

/* share.c: the port's socket, for other pilecon runs on the same port */
struct tui_share;
void	tui_share_open(struct tui *);
void	tui_share_close(struct tui *);
int	tui_share_pollfds(struct tui *, struct pollfd *, int max);
void	tui_share_io(struct tui *, const struct pollfd *, int n);
/* ':stats': line quality and Modbus transactions per live refresh. */
void	tui_stats(struct tui *);

/* view-events.c: the event log (the events view shows it) */
void	tui_event(struct tui *, enum tui_level, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* The same without the message line. */
void	tui_log(struct tui *, enum tui_level, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/* view-line.c: the bus's trace hook (frames to the Line view and to
 * --trace FILE) */
void	tui_line_trace_attach(struct tui *, struct pile_bus *);

/* reconnect.c: the port that went away, reopened by the same name */
void	tui_link_init(struct tui *);
void	tui_link_free(struct tui *);
void	tui_link_lost(struct tui *, const char *cause);
void	tui_link_job_done(struct tui *, struct tui_job *);
void	tui_link_retry(struct tui *);
int	tui_link_timeout_ms(struct tui *);
int	tui_link_message(struct tui *, int y);
/* 0 switched, 1 connecting (without waiting: a tcp: port), -1 with
 * *cause and the port as it was (or reopening, which the reconnect
 * mends). */
int	tui_link_switch(struct tui *, const char *spec, const struct link_params *,
	    char **cause);
/* Esc while a switch connects: back to the port it came from; 1 when there
 * was one. */
int	tui_link_switch_cancel(struct tui *);

/* view-dashboard.c: force offline, end it, resync (any view with a pile) */
int	tui_pile_action(struct tui *, enum tui_action);
/* After a live read: the archive learns what the pile's cloud acknowledged
 * (batch_reconcile_live), and the records view shows it. */
void	tui_records_reconcile(struct tui *, struct tui_pile *);
/* The records view's read of the archive, a page a turn: 1 while there is
 * more to read (the loop then does not sleep). */
int	tui_records_step(struct tui *);

/* cmdline.c: the ':' line, prompts and confirmations share one editor */
void	tui_ask(struct tui *, const char *prompt, const char *initial, tui_answer_cb, void *);
void	tui_confirm(struct tui *, const char *question, tui_confirm_cb, void *);
void	tui_command_open(struct tui *);
int	tui_line_key(struct tui *, int key);	/* 1: consumed */
void	tui_line_draw(struct tui *, int y);
int	tui_run_command(struct tui *, const char *line);
void	tui_history_open(void);
void	tui_history_close(void);

/* keys.c */
#define TUI_KEY_FN	0x40000000	/* curses function keys: TUI_KEY_FN | KEY_* */
int	tui_keys_init(char **cause);
int	tui_keys_parse(const char *text, const char *file, char **cause);
enum tui_action	tui_key_action(int key);
/* The keys bound to an action, "q" or "Up, k"; "" when none. */
void	tui_action_keys(enum tui_action, char *buf, size_t, int first_only);
void	tui_key_name(int key, char *buf, size_t);
void	tui_keys_free(void);

/* draw.c: the frame, widths from one function, wide output, colours */
void	tui_draw(struct tui *);
void	tui_resize(struct tui *);
enum tui_role {
	TUI_R_NORMAL, TUI_R_TITLE, TUI_R_BAR_KEY, TUI_R_BAR, TUI_R_SELECTED,
	TUI_R_CHANGED, TUI_R_OK, TUI_R_WARN, TUI_R_ERROR, TUI_R_LABEL, TUI_R_HEADER,
	TUI_R_DIM
};
void	tui_colours_init(struct tui *);
int	tui_attr(enum tui_role);
/* Draws s at y,x in at most w columns (cut at a character); returns columns used. */
int	tui_put(int y, int x, int w, int attr, const char *s);
/* Left-aligned in exactly w columns (padded), or right-aligned when right. */
void	tui_cell(int y, int x, int w, int attr, int right, const char *s);
int	tui_putf(int y, int x, int w, int attr, const char *, ...)
	    __attribute__((format(printf, 5, 6)));
void	tui_fill(int y, int attr);
void	tui_progress(int y, int x, int w, double frac);
void	tui_list_fit(struct tui_list *, int rows);
int	tui_list_action(struct tui_list *, enum tui_action, int rows);

/* format.c: values in words, shared by the views */
const char	*tui_fmt_time(uint32_t t, char *buf, size_t);	/* "14:00:03" */
const char	*tui_fmt_date(uint32_t t, char *buf, size_t);	/* "2025-03-01" */
const char	*tui_fmt_span(long s, char *buf, size_t);	/* "2 h 5 m" */
const char	*tui_fmt_kwh(uint64_t wh, char *buf, size_t);
const char	*tui_fmt_money(uint64_t minor, char *buf, size_t);
/* "2h", "90s", "1h30m", "1d": seconds, or -1. */
/* "YYYY-MM-DD" (end of that day, UTC), "never" or "" -> 0; -1 when bad. */
long long	tui_parse_date(const char *);

#endif
