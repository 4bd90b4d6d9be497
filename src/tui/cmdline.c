/* cmdline.c - the one-line editor at the foot of the screen: the ':' line
 * (libedit history(3) and tokenizer(3), completion from cmd_table, running
 * the same commands as batch mode), prompts and y/n confirmations. */
#include "config.h"

#include <sys/stat.h>

#include <curses.h>
#include <errno.h>
#include <histedit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "batch/batch.h"
#include "common.h"
#include "tui.h"

static History	*tui_hist;
static char	*tui_hist_path;
static wchar_t	 tui_hist_saved[TUI_LINE_MAX];	/* the line before browsing */
static size_t	 tui_hist_saved_len;

/* Console-only commands, next to the batch ones. */
static const char *const tui_console_cmds[] = { "open", "quit", "help", "stats", NULL };

static int
tui_mkdirs(char *path)
{
	char	*p;

	for (p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			*p = '/';
			return (-1);
		}
		*p = '/';
	}
	return (0);
}

void
tui_history_open(void)
{
	const char	*x = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	HistEvent	 ev;

	if ((tui_hist = history_init()) == NULL)
		return;
	history(tui_hist, &ev, H_SETSIZE, 500);
	history(tui_hist, &ev, H_SETUNIQUE, 1);
	if (x != NULL && *x == '/')
		tui_hist_path = xasprintf("%s/pilecon/history", x);
	else if (home != NULL && *home != '\0')
		tui_hist_path = xasprintf("%s/.local/state/pilecon/history", home);
	if (tui_hist_path != NULL)
		history(tui_hist, &ev, H_LOAD, tui_hist_path);
}

static void
tui_history_save(void)
{
	HistEvent	ev;

	if (tui_hist == NULL || tui_hist_path == NULL)
		return;
	if (tui_mkdirs(tui_hist_path) == 0)
		history(tui_hist, &ev, H_SAVE, tui_hist_path);
}

void
tui_history_close(void)
{
	if (tui_hist == NULL)
		return;
	tui_history_save();
	history_end(tui_hist);
	tui_hist = NULL;
	free(tui_hist_path);
	tui_hist_path = NULL;
}

/* ---- the editor ------------------------------------------------------------ */

static void
tui_line_set(struct tui_line *l, const char *s)
{
	mbstate_t	mbs;
	const char	*p = s;
	size_t		n;

	memset(&mbs, 0, sizeof mbs);
	n = mbsrtowcs(l->buf, &p, TUI_LINE_MAX - 1, &mbs);
	if (n == (size_t)-1)
		n = 0;
	l->buf[n] = L'\0';
	l->len = l->pos = n;
}

static char *
tui_line_text(const struct tui_line *l, size_t upto)
{
	wchar_t		 tmp[TUI_LINE_MAX];
	const wchar_t	*p = tmp;
	mbstate_t	 mbs;
	size_t		 n;
	char		*s;

	wmemcpy(tmp, l->buf, upto);
	tmp[upto] = L'\0';
	s = xmalloc(upto * MB_CUR_MAX + 1);
	memset(&mbs, 0, sizeof mbs);
	n = wcsrtombs(s, &p, upto * MB_CUR_MAX + 1, &mbs);
	if (n == (size_t)-1)
		n = 0;
	s[n] = '\0';
	return (s);
}

static void
tui_line_open(struct tui *t, const char *prompt, const char *initial)
{
	struct tui_line	*l = &t->line;

	memset(l, 0, sizeof *l);
	l->active = 1;
	snprintf(l->prompt, sizeof l->prompt, "%s", prompt);
	tui_line_set(l, initial != NULL ? initial : "");
	t->dirty = 1;
}

void
tui_ask(struct tui *t, const char *prompt, const char *initial, tui_answer_cb cb, void *arg)
{
	tui_line_open(t, prompt, initial);
	t->line.answer = cb;
	t->line.arg = arg;
}

void
tui_confirm(struct tui *t, const char *question, tui_confirm_cb cb, void *arg)
{
	char	*p = xasprintf("%s %s ", question, _("y/n"));

	tui_line_open(t, p, "");
	free(p);
	t->line.confirm = 1;
	t->line.yes = cb;
	t->line.arg = arg;
}

void
tui_command_open(struct tui *t)
{
	tui_line_open(t, ":", "");
	t->line.command = 1;
}

static void
tui_history_move(struct tui_line *l, int step)
{
	HistEvent	ev;
	int		want = l->hist_pos + step, i;

	if (tui_hist == NULL || want < 0)
		return;
	if (want == 0) {
		wmemcpy(l->buf, tui_hist_saved, tui_hist_saved_len);
		l->len = l->pos = tui_hist_saved_len;
		l->buf[l->len] = L'\0';
		l->hist_pos = 0;
		return;
	}
	/* libedit keeps the newest entry first: H_FIRST, then H_NEXT goes
	 * back in time. */
	if (history(tui_hist, &ev, H_FIRST) < 0)
		return;
	for (i = 1; i < want; i++) {
		if (history(tui_hist, &ev, H_NEXT) < 0)
			return;
	}
	if (l->hist_pos == 0) {
		wmemcpy(tui_hist_saved, l->buf, l->len);
		tui_hist_saved_len = l->len;
	}
	l->hist_pos = want;
	tui_line_set(l, ev.str);
	if (l->len > 0 && l->buf[l->len - 1] == L'\n')
		l->buf[--l->len] = L'\0';
	l->pos = l->len;
}

static void
tui_line_insert(struct tui_line *l, const wchar_t *s, size_t n)
{
	if (l->len + n >= TUI_LINE_MAX)
		return;
	wmemmove(l->buf + l->pos + n, l->buf + l->pos, l->len - l->pos);
	wmemcpy(l->buf + l->pos, s, n);
	l->len += n;
	l->pos += n;
	l->buf[l->len] = L'\0';
}

static void
tui_line_delete(struct tui_line *l, size_t from, size_t to)
{
	if (to > l->len)
		to = l->len;
	if (from >= to)
		return;
	wmemmove(l->buf + from, l->buf + to, l->len - to);
	l->len -= to - from;
	l->pos = from;
	l->buf[l->len] = L'\0';
}

/* ---- completion -------------------------------------------------------------- */

static int
tui_words_match(const char *name, int argc, const char **argv, const char **next)
{
	const char	*p = name;
	size_t		 n;
	int		 i;

	for (i = 0; i < argc; i++) {
		n = strlen(argv[i]);
		if (strncmp(p, argv[i], n) != 0 || (p[n] != ' ' && p[n] != '\0'))
			return (0);
		p += n;
		if (*p == '\0')
			return (0);
		p++;
	}
	*next = p;
	return (1);
}

/* Does the word w (its length n) appear in cands? */
static int
tui_cand_has(const char **cands, int ncand, const char *w, size_t n)
{
	int	k;

	for (k = 0; k < ncand; k++) {
		if (strcspn(cands[k], " ") == n && strncmp(cands[k], w, n) == 0)
			return (1);
	}
	return (0);
}

/* Tab: completes the word under the cursor from the command table (words
 * of "logs pull" one at a time) and the console's own commands. */
static void
tui_complete(struct tui *t)
{
	struct tui_line	 *l = &t->line;
	Tokenizer	 *tok;
	const char	**argv, *next, *cands[64], *word, *p;
	char		 *text, *list = NULL, *tmp;
	wchar_t		  wbuf[TUI_LINE_MAX];
	mbstate_t	  mbs;
	size_t		  common = 0, wl, j, wlen;
	int		  argc, done, ncand = 0, i, k;

	text = tui_line_text(l, l->pos);
	if ((tok = tok_init(NULL)) == NULL) {
		free(text);
		return;
	}
	if (tok_str(tok, text, &argc, &argv) != 0) {
		tok_end(tok);
		free(text);
		return;
	}
	done = argc;
	word = "";
	if (argc > 0 && text[0] != '\0' && text[strlen(text) - 1] != ' ') {
		done = argc - 1;
		word = argv[argc - 1];
	}
	wl = strlen(word);
	for (i = 0; cmd_table[i] != NULL; i++) {
		if (!tui_words_match(cmd_table[i]->name, done, argv, &next))
			continue;
		if (strncmp(next, word, wl) != 0)
			continue;
		if (!tui_cand_has(cands, ncand, next, strcspn(next, " ")) &&
		    ncand < (int)nitems(cands))
			cands[ncand++] = next;
	}
	for (i = 0; done == 0 && tui_console_cmds[i] != NULL; i++) {
		if (strncmp(tui_console_cmds[i], word, wl) == 0 &&
		    !tui_cand_has(cands, ncand, tui_console_cmds[i], strlen(tui_console_cmds[i])) &&
		    ncand < (int)nitems(cands))
			cands[ncand++] = tui_console_cmds[i];
	}
	if (ncand > 0) {
		common = strcspn(cands[0], " ");
		for (k = 1; k < ncand; k++) {
			for (j = 0; j < common && cands[k][j] == cands[0][j]; j++)
				;
			common = j;
		}
	}
	if (ncand == 1 || (ncand > 1 && common > wl)) {
		tmp = xasprintf("%.*s%s", (int)(common - wl), cands[0] + wl, ncand == 1 ? " " : "");
		p = tmp;
		memset(&mbs, 0, sizeof mbs);
		wlen = mbsrtowcs(wbuf, &p, TUI_LINE_MAX - 1, &mbs);
		if (wlen != (size_t)-1)
			tui_line_insert(l, wbuf, wlen);
		free(tmp);
	}
	if (ncand > 1) {
		for (k = 0; k < ncand; k++) {
			tmp = xasprintf("%s%s%.*s", list != NULL ? list : "", k > 0 ? "  " : "",
			    (int)strcspn(cands[k], " "), cands[k]);
			free(list);
			list = tmp;
		}
		free(t->message);
		t->message = list;
		t->message_level = TUI_INFO;
		t->message_at = time(NULL);
	} else if (ncand == 0)
		beep();
	tok_end(tok);
	free(text);
}

/* ---- running a command --------------------------------------------------------- */

static int
tui_console_command(struct tui *t, int argc, const char **argv)
{
	char	*end;
	long	 a;
	int	 i;

	if (strcmp(argv[0], "quit") == 0 || strcmp(argv[0], "q") == 0) {
		t->quit = 1;
		return (1);
	}
	/* "help" alone is the keys; "help whitelist" the commands' usage
	 * (the batch command, a job like the others). */
	if (strcmp(argv[0], "help") == 0 && argc == 1) {
		tui_show_view(t, &tui_view_help);
		return (1);
	}
	if (strcmp(argv[0], "stats") == 0) {
		tui_stats(t);
		return (1);
	}
	if (strcmp(argv[0], "open") != 0)
		return (0);
	if (argc != 2 || (a = strtol(argv[1], &end, 10)) < 1 || a > 247 || *end != '\0') {
		tui_event(t, TUI_ERROR, _("usage: open ADDRESS (a Modbus address, 1-247)"));
		return (1);
	}
	tui_pile_add(t, (uint8_t)a, 0);
	for (i = 0; i < t->npiles; i++) {
		if (t->piles[i].addr == a)
			t->cur = i;
	}
	tui_event(t, TUI_INFO, _("watching address %ld"), a);
	tui_show_view(t, &tui_view_dashboard);
	return (1);
}

/* Runs a ':' line: a console command, or a batch command as a job on the
 * selected pile; its output and outcome land in the events view, a failure
 * on the message line too. */
int
tui_run_command(struct tui *t, const char *line)
{
	struct tui_pile	*p = tui_cur(t);
	struct tui_job	*tj;
	Tokenizer	*tok;
	const char	**argv;
	char		*cause = NULL;
	int		 argc, rc = 0;
	HistEvent	 ev;

	if (tui_hist != NULL && line[strspn(line, " ")] != '\0') {
		history(tui_hist, &ev, H_ENTER, line);
		tui_history_save();
	}
	if ((tok = tok_init(NULL)) == NULL)
		return (-1);
	if (tok_str(tok, line, &argc, &argv) != 0) {
		tui_event(t, TUI_ERROR, _("unmatched quote in '%s'"), line);
		tok_end(tok);
		return (-1);
	}
	if (argc == 0 || tui_console_command(t, argc, argv)) {
		tok_end(tok);
		return (0);
	}
	tui_event(t, TUI_INFO, ":%s", line);
	tj = tui_job_start(t, p != NULL && p->have_id ? p : NULL, TUI_JOB_CMDLINE, argc, argv,
	    NULL, &cause);
	if (tj == NULL) {
		tui_event(t, TUI_ERROR, _("':%s' failed: %s (Tab completes; 'help' lists the keys)"),
		    line, cause);
		free(cause);
		rc = -1;
	} else
		tui_show_view(t, &tui_view_events);
	tok_end(tok);
	return (rc);
}

/* ---- keys on the line ------------------------------------------------------------- */

static void
tui_line_finish(struct tui *t)
{
	struct tui_line	 l = t->line;
	char		*text = tui_line_text(&l, l.len);

	/* Off first: the callback may ask the next question. */
	t->line.active = 0;
	if (l.command)
		tui_run_command(t, text);
	else if (l.answer != NULL)
		l.answer(t, text, l.arg);
	free(text);
}

/* y, or n (Esc, Enter, C-c, C-g); other keys are ignored. */
static void
tui_confirm_key(struct tui *t, int key)
{
	struct tui_line	*l = &t->line;

	if (key == 'y' || key == 'Y') {
		l->active = 0;
		l->yes(t, l->arg);
	} else if (key == 'n' || key == 'N' || key == 27 || key == 3 || key == '\r' ||
	    key == '\n' || key == 7) {
		l->active = 0;
		tui_event(t, TUI_INFO, _("cancelled: nothing was changed"));
	}
}

/* Emacs-style moves and deletions (as libedit's emacs mode); 1 when key
 * was one. */
static int
tui_line_edit_key(struct tui_line *l, int key)
{
	size_t	p;

	switch (key) {
	case TUI_KEY_FN | KEY_LEFT:
	case 2:		/* C-b */
		if (l->pos > 0)
			l->pos--;
		break;
	case TUI_KEY_FN | KEY_RIGHT:
	case 6:		/* C-f */
		if (l->pos < l->len)
			l->pos++;
		break;
	case TUI_KEY_FN | KEY_HOME:
	case 1:		/* C-a */
		l->pos = 0;
		break;
	case TUI_KEY_FN | KEY_END:
	case 5:		/* C-e */
		l->pos = l->len;
		break;
	case TUI_KEY_FN | KEY_BACKSPACE:
	case 127:
	case 8:
		if (l->pos > 0)
			tui_line_delete(l, l->pos - 1, l->pos);
		else if (l->len == 0 && l->command)
			l->active = 0;	/* backspace on an empty ':' closes it */
		break;
	case TUI_KEY_FN | KEY_DC:
	case 4:		/* C-d */
		tui_line_delete(l, l->pos, l->pos + 1);
		break;
	case 11:	/* C-k */
		tui_line_delete(l, l->pos, l->len);
		break;
	case 21:	/* C-u */
		tui_line_delete(l, 0, l->pos);
		break;
	case 23:	/* C-w: the word before the cursor */
		p = l->pos;
		while (p > 0 && l->buf[p - 1] == L' ')
			p--;
		while (p > 0 && l->buf[p - 1] != L' ')
			p--;
		tui_line_delete(l, p, l->pos);
		break;
	default:
		return (0);
	}
	return (1);
}

int
tui_line_key(struct tui *t, int key)
{
	struct tui_line	*l = &t->line;
	wchar_t		 wc;

	if (!l->active)
		return (0);
	t->dirty = 1;
	if (l->confirm) {
		tui_confirm_key(t, key);
		return (1);
	}
	if (tui_line_edit_key(l, key))
		return (1);
	switch (key) {
	case '\r':
	case '\n':
	case TUI_KEY_FN | KEY_ENTER:
		tui_line_finish(t);
		return (1);
	case 27:	/* Esc */
	case 3:		/* C-c */
	case 7:		/* C-g */
		l->active = 0;
		if (!l->command)
			tui_event(t, TUI_INFO, _("cancelled: nothing was changed"));
		return (1);
	case TUI_KEY_FN | KEY_UP:
	case 16:	/* C-p */
		if (l->command)
			tui_history_move(l, 1);
		return (1);
	case TUI_KEY_FN | KEY_DOWN:
	case 14:	/* C-n */
		if (l->command)
			tui_history_move(l, -1);
		return (1);
	case '\t':
		if (l->command)
			tui_complete(t);
		return (1);
	}
	if ((key & TUI_KEY_FN) || key < 0x20)
		return (1);
	wc = (wchar_t)key;
	tui_line_insert(l, &wc, 1);
	return (1);
}

void
tui_line_draw(struct tui *t, int y)
{
	struct tui_line	*l = &t->line;
	int		 pw, w, room, cw;
	size_t		 start, i;
	char		*text;

	tui_fill(y, TUI_PLAIN);
	pw = tui_put(y, 0, COLS, tui_attr(TUI_R_HEADER), l->prompt);
	room = COLS - pw - 1;
	if (room < 1)
		return;
	/* Scroll so the cursor stays on screen. */
	start = 0;
	for (;;) {
		for (w = 0, i = start; i < l->pos; i++) {
			cw = wcwidth(l->buf[i]);
			w += cw > 0 ? cw : 0;
		}
		if (w < room || start >= l->pos)
			break;
		start++;
	}
	{
		struct tui_line	tmp;

		tmp.len = l->len - start;
		wmemcpy(tmp.buf, l->buf + start, tmp.len);
		text = tui_line_text(&tmp, tmp.len);
	}
	tui_put(y, pw, room, TUI_PLAIN, text);
	free(text);
	move(y, pw + w);
}
