/* keys.c - key bindings. The defaults are written as bindings text and go
 * through the same parser as the user's $XDG_CONFIG_HOME/pilecon/keys.conf
 * (tmux key-bindings.c, tig's built-in tigrc). */
#include "config.h"

#include <ctype.h>
#include <curses.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "common.h"
#include "tui.h"

#define TUI_X_INFO(id, group, name, label, help) \
	{ TUI_A_##id, group, name, label, help },
const struct tui_action_info tui_actions[] = { TUI_ACTIONS(TUI_X_INFO) };
#undef TUI_X_INFO
const int tui_nactions = nitems(tui_actions);

static const char tui_default_keys[] =
	"# pilecon console default keys: 'bind KEY ACTION', 'unbind KEY'.\n"
	"# Put your own in $XDG_CONFIG_HOME/pilecon/keys.conf.\n"
	"bind q quit\n"
	"bind ? help\n"
	"bind F1 help\n"
	"bind : command\n"
	"bind 1 view-bus\n"
	"bind 2 view-dashboard\n"
	"bind 3 view-whitelist\n"
	"bind 4 view-records\n"
	"bind 5 view-events\n"
	"bind 6 view-line\n"
	"bind 7 view-connect\n"
	"bind ] next-pile\n"
	"bind [ prev-pile\n"
	"bind C-l redraw\n"
	"bind Esc cancel\n"
	"bind Up move-up\n"
	"bind k move-up\n"
	"bind Down move-down\n"
	"bind j move-down\n"
	"bind PageUp page-up\n"
	"bind PageDown page-down\n"
	"bind Home move-top\n"
	"bind g move-top\n"
	"bind End move-bottom\n"
	"bind G move-bottom\n"
	"bind Enter open\n"
	"bind / search\n"
	"bind n search-next\n"
	"bind o force-offline\n"
	"bind O end-offline\n"
	"bind s resync\n"
	"bind c custody\n"
	"bind a card-add\n"
	"bind b card-block\n"
	"bind Delete card-remove\n"
	"bind x card-remove\n"
	"bind e card-expiry\n"
	"bind i card-import\n"
	"bind R reload\n"
	"bind p pull\n"
	"bind E export\n"
	"bind v trace\n"
	"bind r baud\n"
	"bind f framing\n"
	"bind d detect\n";

struct tui_binding {
	int		key;
	enum tui_action	action;
};
static struct tui_binding	*tui_bindings;
static int			 tui_nbindings;

static const struct {
	const char	*name;
	int		 key;
} tui_key_names[] = {
	{ "Enter", '\n' }, { "Tab", '\t' }, { "Esc", 27 }, { "Space", ' ' },
	{ "BTab", TUI_KEY_FN | KEY_BTAB },
	{ "Up", TUI_KEY_FN | KEY_UP }, { "Down", TUI_KEY_FN | KEY_DOWN },
	{ "Left", TUI_KEY_FN | KEY_LEFT }, { "Right", TUI_KEY_FN | KEY_RIGHT },
	{ "PageUp", TUI_KEY_FN | KEY_PPAGE }, { "PageDown", TUI_KEY_FN | KEY_NPAGE },
	{ "Home", TUI_KEY_FN | KEY_HOME }, { "End", TUI_KEY_FN | KEY_END },
	{ "Delete", TUI_KEY_FN | KEY_DC }, { "Insert", TUI_KEY_FN | KEY_IC },
	{ "Backspace", TUI_KEY_FN | KEY_BACKSPACE },
};

enum tui_action
tui_action_find(const char *name)
{
	int	i;

	for (i = 0; i < tui_nactions; i++) {
		if (strcmp(tui_actions[i].name, name) == 0)
			return (tui_actions[i].action);
	}
	return (TUI_A_NONE);
}

const struct tui_action_info *
tui_action_info(enum tui_action a)
{
	if (a <= TUI_A_NONE || a >= TUI_A_COUNT)
		return (NULL);
	return (&tui_actions[a - 1]);
}

/* "q", "C-l", "F1", "PageUp", "é": the key code, or -1. */
static int
tui_key_parse(const char *s)
{
	wchar_t		wc;
	size_t		i;
	int		n;

	for (i = 0; i < nitems(tui_key_names); i++) {
		if (strcasecmp(tui_key_names[i].name, s) == 0)
			return (tui_key_names[i].key);
	}
	if ((s[0] == 'F' || s[0] == 'f') && isdigit((unsigned char)s[1])) {
		n = atoi(s + 1);
		if (n >= 1 && n <= 12)
			return (TUI_KEY_FN | KEY_F(n));
		return (-1);
	}
	if (s[0] == 'C' && s[1] == '-' && s[2] != '\0' && s[3] == '\0') {
		if (isalpha((unsigned char)s[2]))
			return (tolower((unsigned char)s[2]) - 'a' + 1);
		return (-1);
	}
	n = mbtowc(&wc, s, strlen(s));
	if (n <= 0 || s[n] != '\0' || wc < 0x21)
		return (-1);
	return ((int)wc);
}

void
tui_key_name(int key, char *buf, size_t len)
{
	char	mb[MB_LEN_MAX + 1];
	size_t	i;
	int	n;

	for (i = 0; i < nitems(tui_key_names); i++) {
		if (tui_key_names[i].key == key) {
			snprintf(buf, len, "%s", tui_key_names[i].name);
			return;
		}
	}
	if (key & TUI_KEY_FN) {
		n = key & ~TUI_KEY_FN;
		if (n >= KEY_F(1) && n <= KEY_F(12))
			snprintf(buf, len, "F%d", n - KEY_F0);
		else
			snprintf(buf, len, "key%d", n);
		return;
	}
	if (key >= 1 && key <= 26) {
		snprintf(buf, len, "C-%c", 'a' + key - 1);
		return;
	}
	n = wctomb(mb, (wchar_t)key);
	if (n <= 0)
		n = snprintf(mb, sizeof mb, "?");
	mb[n] = '\0';
	snprintf(buf, len, "%s", mb);
}

static void
tui_bind(int key, enum tui_action a)
{
	int	i;

	for (i = 0; i < tui_nbindings; i++) {
		if (tui_bindings[i].key == key) {
			if (a == TUI_A_NONE) {
				tui_bindings[i] = tui_bindings[--tui_nbindings];
				return;
			}
			tui_bindings[i].action = a;
			return;
		}
	}
	if (a == TUI_A_NONE)
		return;
	tui_bindings = xrealloc(tui_bindings, (tui_nbindings + 1) * sizeof *tui_bindings);
	tui_bindings[tui_nbindings].key = key;
	tui_bindings[tui_nbindings].action = a;
	tui_nbindings++;
}

/* Parses all of text before binding anything, so a bad file changes
 * nothing; the message says file:line and what is wrong. */
int
tui_keys_parse(const char *text, const char *file, char **cause)
{
	struct tui_binding	*tmp = NULL;
	char			*copy, *line, *next, *w[4], *save;
	int			 ntmp = 0, lineno = 0, nw, key, i;
	enum tui_action		 a;

	copy = xstrdup(text);
	for (line = copy; line != NULL; line = next) {
		lineno++;
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		nw = 0;
		for (w[nw] = strtok_r(line, " \t\r", &save); w[nw] != NULL && nw < 3;
		    w[nw] = strtok_r(NULL, " \t\r", &save))
			nw++;
		if (nw == 0 || w[0][0] == '#')
			continue;
		if (strcmp(w[0], "bind") == 0 && nw == 3) {
			if ((a = tui_action_find(w[2])) == TUI_A_NONE) {
				set_cause(cause, -1, _("unknown action '%s' at %s:%d (the help screen '?' lists them)"),
				    w[2], file, lineno);
				goto fail;
			}
		} else if (strcmp(w[0], "unbind") == 0 && nw == 2)
			a = TUI_A_NONE;
		else {
			set_cause(cause, -1, _("cannot read '%s' at %s:%d: expected 'bind KEY ACTION' or 'unbind KEY'"),
			    line, file, lineno);
			goto fail;
		}
		if ((key = tui_key_parse(w[1])) < 0) {
			set_cause(cause, -1, _("unknown key '%s' at %s:%d (keys look like q, C-l, F1, PageUp, Enter)"),
			    w[1], file, lineno);
			goto fail;
		}
		tmp = xrealloc(tmp, (ntmp + 1) * sizeof *tmp);
		tmp[ntmp].key = key;
		tmp[ntmp].action = a;
		ntmp++;
	}
	for (i = 0; i < ntmp; i++)
		tui_bind(tmp[i].key, tmp[i].action);
	free(tmp);
	free(copy);
	return (0);
fail:
	free(tmp);
	free(copy);
	return (-1);
}

static char *
tui_keys_path(void)
{
	const char	*x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (x != NULL && *x == '/')
		return (xasprintf("%s/pilecon/keys.conf", x));
	if (home != NULL && *home != '\0')
		return (xasprintf("%s/.config/pilecon/keys.conf", home));
	return (NULL);
}

int
tui_keys_init(char **cause)
{
	char	*path, *text = NULL;
	FILE	*f;
	size_t	 len = 0, n;
	char	 buf[4096];
	int	 rc = 0;

	if (tui_keys_parse(tui_default_keys, "default keys", cause) != 0)
		return (-1);
	/* KEY_ENTER from a keypad and '\r' both mean Enter. */
	tui_bind('\r', TUI_A_OPEN);
	tui_bind(TUI_KEY_FN | KEY_ENTER, TUI_A_OPEN);
	if ((path = tui_keys_path()) == NULL)
		return (0);
	if ((f = fopen(path, "r")) == NULL) {
		if (errno != ENOENT)
			rc = set_cause(cause, -1, _("cannot read '%s': %s"), path, strerror(errno));
		free(path);
		return (rc);
	}
	while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
		text = xrealloc(text, len + n + 1);
		memcpy(text + len, buf, n);
		len += n;
	}
	fclose(f);
	if (text != NULL) {
		text[len] = '\0';
		rc = tui_keys_parse(text, path, cause);
	}
	free(text);
	free(path);
	return (rc);
}

void
tui_keys_free(void)
{
	free(tui_bindings);
	tui_bindings = NULL;
	tui_nbindings = 0;
}

enum tui_action
tui_key_action(int key)
{
	int	i;

	for (i = 0; i < tui_nbindings; i++) {
		if (tui_bindings[i].key == key)
			return (tui_bindings[i].action);
	}
	return (TUI_A_NONE);
}

/* In the order of the default text, so the help screen and the key bar
 * show the key a person reads first. */
void
tui_action_keys(enum tui_action a, char *buf, size_t len, int first_only)
{
	char	name[32];
	size_t	off = 0;
	int	i;

	buf[0] = '\0';
	for (i = 0; i < tui_nbindings; i++) {
		if (tui_bindings[i].action != a)
			continue;
		if (tui_bindings[i].key == '\r' ||
		    tui_bindings[i].key == (TUI_KEY_FN | KEY_ENTER))
			continue;
		tui_key_name(tui_bindings[i].key, name, sizeof name);
		if (off > 0) {
			if (first_only)
				break;
			off += snprintf(buf + off, len - off, ", ");
		}
		if (off < len)
			off += snprintf(buf + off, len - off, "%s", name);
		if (off >= len) {
			buf[len - 1] = '\0';
			break;
		}
	}
}
