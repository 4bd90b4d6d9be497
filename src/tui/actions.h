/* actions.h - the one list of console actions. It generates the enum, the
 * name lookup (for key bindings) and the '?' help screen; the default keys
 * live in keys.c as bindings text.
 *
 * X(ID, GROUP, NAME, LABEL, HELP): LABEL is the short word of the key bar. */
#ifndef TUI_ACTIONS_H
#define TUI_ACTIONS_H

#define TUI_ACTIONS(X) \
X(QUIT,		"global",	"quit",		N_("Quit"),	N_("leave the console, restoring the terminal")) \
X(HELP,		"global",	"help",		N_("Help"),	N_("show this list of keys")) \
X(COMMAND,	"global",	"command",	N_("Cmd"),	N_("':' line: run a batch command, e.g. status")) \
X(VIEW_BUS,	"global",	"view-bus",	N_("Bus"),	N_("the bus: one line per pile that answers")) \
X(VIEW_DASHBOARD, "global",	"view-dashboard", N_("Pile"),	N_("the dashboard of the selected pile")) \
X(VIEW_WHITELIST, "global",	"view-whitelist", N_("Cards"),	N_("the whitelist of the selected pile")) \
X(VIEW_RECORDS,	"global",	"view-records",	N_("Records"),	N_("records on the pile and in the archive")) \
X(VIEW_EVENTS,	"global",	"view-events",	N_("Events"),	N_("what happened, every error in words")) \
X(VIEW_LINE,	"global",	"view-line",	N_("Line"),	N_("per-pile line counters and the trace of frames")) \
X(VIEW_CONNECT,	"global",	"view-connect",	N_("Port"),	N_("the port, its baud rate and framing; detect them")) \
X(NEXT_PILE,	"global",	"next-pile",	N_("Next"),	N_("select the next pile on the bus")) \
X(PREV_PILE,	"global",	"prev-pile",	N_("Prev"),	N_("select the previous pile on the bus")) \
X(REDRAW,	"global",	"redraw",	N_("Redraw"),	N_("redraw the whole screen")) \
X(CANCEL,	"global",	"cancel",	N_("Stop"),	N_("stop the job in front at its next safe point")) \
X(UP,		"movement",	"move-up",	N_("Up"),	N_("move the selection up one line")) \
X(DOWN,		"movement",	"move-down",	N_("Down"),	N_("move the selection down one line")) \
X(PAGE_UP,	"movement",	"page-up",	N_("PgUp"),	N_("move up one screen")) \
X(PAGE_DOWN,	"movement",	"page-down",	N_("PgDn"),	N_("move down one screen")) \
X(TOP,		"movement",	"move-top",	N_("Top"),	N_("go to the first line")) \
X(BOTTOM,	"movement",	"move-bottom",	N_("End"),	N_("go to the last line")) \
X(OPEN,		"movement",	"open",		N_("Open"),	N_("open the selected pile's dashboard")) \
X(SEARCH,	"movement",	"search",	N_("Search"),	N_("search the list (UID, holder)")) \
X(SEARCH_NEXT,	"movement",	"search-next",	N_("Next"),	N_("go to the next match of the search")) \
X(FORCE_OFFLINE, "pile",	"force-offline", N_("Offline"),	N_("force the pile offline for a while (confirms)")) \
X(END_OFFLINE,	"pile",		"end-offline",	N_("Online"),	N_("end forced offline now (confirms)")) \
X(RESYNC,	"pile",		"resync",	N_("Resync"),	N_("upload the unsynced records to the back-end")) \
X(CUSTODY,	"pile",		"custody",	N_("Custody"),	N_("pull records and hand them into custody")) \
X(WL_ADD,	"whitelist",	"card-add",	N_("Add"),	N_("add or update a card: UID, holder, expiry")) \
X(WL_BLOCK,	"whitelist",	"card-block",	N_("Block"),	N_("block or unblock the selected card (confirms)")) \
X(WL_REMOVE,	"whitelist",	"card-remove",	N_("Remove"),	N_("remove the selected card (confirms)")) \
X(WL_EXPIRY,	"whitelist",	"card-expiry",	N_("Expiry"),	N_("set the selected card's expiry (confirms)")) \
X(WL_IMPORT,	"whitelist",	"card-import",	N_("Import"),	N_("import cards from a CSV file (confirms)")) \
X(RELOAD,	"whitelist",	"reload",	N_("Reload"),	N_("read the list again from the pile or archive")) \
X(PULL,		"records",	"pull",		N_("Pull"),	N_("pull new records from the pile to the archive")) \
X(EXPORT,	"records",	"export",	N_("Export"),	N_("export archived records to CSV or JSON Lines")) \
X(TRACE,	"line",		"trace",	N_("Trace"),	N_("show every frame on the line, timed (again: stop)")) \
X(BAUD,		"line",		"baud",		N_("Baud"),	N_("the next baud rate for the port (Enter opens it)")) \
X(FRAMING,	"line",		"framing",	N_("Framing"),	N_("the next framing: 8E1, 8N1, 8N2, 8O1 (Enter opens it)")) \
X(DETECT,	"line",		"detect",	N_("Detect"),	N_("find the baud rate and framing (scan --detect)"))

#define TUI_X_ENUM(id, group, name, label, help) TUI_A_##id,
enum tui_action { TUI_A_NONE = 0, TUI_ACTIONS(TUI_X_ENUM) TUI_A_COUNT };
#undef TUI_X_ENUM

struct tui_action_info {
	enum tui_action	 action;
	const char	*group, *name, *label, *help;
};
extern const struct tui_action_info tui_actions[];
extern const int tui_nactions;

enum tui_action	tui_action_find(const char *name);
const struct tui_action_info *tui_action_info(enum tui_action);

#endif
