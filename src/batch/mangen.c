/* mangen.c - writes man/pilecon.1 from the command and option tables, so
 * the manual cannot drift from what the program takes. A test regenerates
 * and compares; `make check TESTS=tests/batch-manpage.sh GENERATE=1`
 * refreshes the committed copy. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "batch/batch.h"

/* roff: the text made safe (text_safe: no newline to start a request), a
 * backslash and a minus need escapes; a line must not start with a control
 * character. */
static void
roff(FILE *f, const char *str)
{
	char		*safe = text_safe(str, 0);
	const char	*s = safe;

	if (*s == '.' || *s == '\'')
		fputs("\\&", f);
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-')
			fputs("\\-", f);
		else
			fputc(*s, f);
	}
	free(safe);
}

static void
text(FILE *f, const char *const *lines)
{
	for (; *lines != NULL; lines++)
		fprintf(f, "%s\n", *lines);
}

static const char *const description[] = {
	".SH DESCRIPTION",
	".B pilecon",
	"is a tool for charging\\-pile technicians. It talks to a pile over RS\\-485",
	"(a USB adapter) or the pile's USB port, both a serial port, with Modbus RTU.",
	"With no command, on a terminal, it opens the console. With a command it runs",
	"that command and exits: output is for people by default and JSON with",
	".BR \\-\\-json ;",
	"progress goes to standard error, and only when that is a terminal.",
	".PP",
	"Reads need no key. Every write (forcing offline, whitelist edits, resync,",
	"setting the clock) opens an authenticated session with the pile's key from",
	"the keys file; without one the pile refuses the write.",
	NULL
};

static const char *const sections[] = {
	".SH CONFIGURATION FILE",
	"Options not given on the command line are read from",
	".IR $XDG_CONFIG_HOME/pilecon/config.yaml",
	"(or",
	".IR ~/.config/pilecon/config.yaml ),",
	"or from the file named by",
	".BR \\-\\-config .",
	"It is a YAML mapping with the keys",
	".BR port ,",
	".BR baud ,",
	".BR address ,",
	".BR keys ,",
	".BR archive ,",
	".B timeout_ms",
	"and",
	".BR retries .",
	"Relative paths are taken from the folder of the config file and",
	".I ~/",
	"from",
	".BR $HOME .",
	"An unknown key, a value out of range or bad YAML is an error naming",
	"file:line:column. For example:",
	".PP",
	".RS",
	".nf",
	"port: /dev/ttyUSB0",
	"baud: 115200",
	"address: 1",
	"keys: keys.yaml",
	"archive: ~/pilecon/archive.db",
	".fi",
	".RE",
	".SH KEYS FILE",
	"One HMAC\\-SHA256 key per pile serial, 64 hex characters, in the format",
	".BR pilesim (1)",
	"writes to",
	".IR DIR/keys.yaml :",
	".PP",
	".RS",
	".nf",
	"keys:",
	"  \\- serial: \"SIM\\-0001\"",
	"    key: \"<64 hex characters>\"",
	".fi",
	".RE",
	".PP",
	"Keep it private (mode 0600):",
	".B pilecon",
	"warns loudly when group or others can read it, and never prints a key.",
	".SH WHITELIST WRITES AND INTERRUPTS",
	"An interrupted",
	".BR \"whitelist sync\" ,",
	".B \"whitelist import\"",
	"or",
	".B \"whitelist sync \\-\\-all\"",
	"(Ctrl\\-C, or Esc in the console) never leaves a pile's list half\\-changed.",
	"A whitelist command changes the list at once, so once the first command",
	"of a sync or import was taken, the rest is sent before the interrupt is",
	"honoured (progress is shown; the result says the interrupt came too late",
	"and the exit status is that of the finished change). On a protocol 1.1",
	"pile with a staging area, a change whose commands would take more than",
	"1 s of wire to finish (35 commands at 115200 baud 8E1) is sent instead",
	"as the whole new list to the staging area, which changes no list, and",
	"applied by one commit that the pile takes whole or not at all: an",
	"interrupt before the commit ends with \"interrupted: nothing was written\"",
	"(exit 1) and the list as it was; one after the commit began is finished.",
	".B \\-\\-by commands",
	"or",
	".B \\-\\-by staging",
	"overrides the choice for",
	".BR \"whitelist sync\" .",
	"An interrupted",
	".B \"whitelist sync \\-\\-all\"",
	"changes no list before its first commit; during the commits, the pile",
	"being committed or written is finished and the piles not reached keep",
	"their lists.",
	".SH EXIT STATUS",
	".TP",
	".B 0",
	"success",
	".TP",
	".B 1",
	"the command failed (archive, file, interrupted, a resync that did not finish,",
	"or at least one pile of a provisioning run)",
	".TP",
	".B 2",
	"bad command line or bad input file (a CSV line, a config key, a whitelist",
	"bigger than the pile holds); nothing was written",
	".TP",
	".B 3",
	"the pile did not answer (timeout, only garbled answers)",
	".TP",
	".B 4",
	"the pile refused: a Modbus exception, no key or a wrong key, a refused command",
	".SH CONSOLE",
	".SS Finding the piles",
	"The console first asks the pile given with \\-a and the addresses of",
	".B bus_known",
	"(1\\-8 when none), then searches the rest of",
	".B bus_range",
	"in the background as a job, as",
	".B scan \\-\\-from A \\-\\-to B",
	"does, one short probe at a time, taking turns on the wire with the",
	"screen's refresh and the other jobs. Piles show as they answer, the",
	"title shows how far it got and Esc stops it; the addresses it did not",
	"reach stay known for the next start.",
	".SS The connect view",
	"Key 7 shows the port, its settings and this machine's serial ports; r and f",
	"step through baud rates and framings, Enter opens the selected port at",
	"them, d finds a bus's baud rate and framing as",
	".B scan \\-\\-detect",
	"does. A tcp:HOST:PORT port connects without holding the screen: a host",
	"name is looked up on a thread of its own (a numeric address is never",
	"looked up), the lookup and the connect have 3 seconds together, the",
	"status line says that it connects and Esc stops it. When the port cannot",
	"be opened, or its name does not resolve, the console says why, naming the",
	"host, and goes back to the port it came from. A tcp: port that goes away",
	"is reopened the same way, once a second.",
	".SH PORT SHARING",
	"While the console holds a port, a",
	".B pilecon",
	"command on the same port from another terminal runs through the console",
	"instead of failing on the port's lock: the console runs it beside its own",
	"work, one transaction on the wire at a time, shows it in its events view",
	"and sends back what the command prints and its exit status, so a script",
	"behaves as when it runs alone, \\-\\-json included. Ctrl\\-C stops it at a",
	"safe point. The console listens on a socket",
	"only its user can reach, in",
	".I $XDG_RUNTIME_DIR/pilecon/",
	"(or",
	".IR /tmp/pilecon\\-UID/ ,",
	"mode 0700), one per port. Commands that need no port",
	"(ports, help, logs list, logs export) always run where they are typed.",
	".SH ENVIRONMENT",
	".TP",
	".B PILECON_PORT",
	"the port when",
	".B \\-p",
	"is not given; it overrides the config file.",
	".TP",
	".BR XDG_CONFIG_HOME ", " XDG_DATA_HOME",
	"where the config file and the archive are looked for.",
	".TP",
	".B XDG_RUNTIME_DIR",
	"where the console's port\\-sharing socket is (see PORT SHARING).",
	".TP",
	".BR LANG ", " LC_ALL",
	"the language of messages (English and Chinese).",
	".TP",
	".B PILECON_STATE_DIR",
	"where",
	".B whitelist sync",
	"and",
	".B provision",
	"record each pile's last synced list (default",
	".IR $XDG_STATE_HOME/pilecon ).",
	".SH FILES",
	".TP",
	".I ~/.config/pilecon/config.yaml",
	"the config file",
	".TP",
	".I ~/.local/share/pilecon/archive.db",
	"the archive of pulled records (SQLite); each record is stored once, keyed by",
	"pile serial, store id and sequence number.",
	"A pile's records come in series, one per record store: a pile whose",
	"numbering restarts (a reset store, a replaced controller, the same serial)",
	"starts a new series, and",
	".B logs pull",
	"keeps both, pulls the new one from its start and says so (in",
	".B \\-\\-json",
	"as",
	".BR new_series ).",
	"A protocol 1.1 pile names its store by",
	".BR live.store_id ;",
	"a 1.0 pile has none, so pilecon compares: numbering below the archive's,",
	"or the pile's record at the archive's last sequence number not byte for",
	"byte the archived one, is a new series (a 1.0 pile that no longer holds",
	"that record cannot be checked). Store ids are decimal, as",
	".B status",
	"shows them and the",
	".B store_id",
	"column of",
	".B logs list",
	"and of the CSV and JSON Lines exports writes them (a record is unique by",
	"its pile, store_id and seq);",
	"0 is a 1.0 pile's first series, and records archived before pilecon kept",
	"store ids until a pull proves the pile still holds them; a 1.0 pile's",
	"later series get 1, 2, ... from the archive.",
	"A record of a protocol 1.1 pile whose signature fails (or that comes",
	"unsigned, or under another key than the pinned one) goes to the quarantine",
	"instead, never exported, listed by",
	".BR \"logs list \\-\\-quarantine\" ;",
	"the pull exits 1.",
	"Every later pull reads each quarantined record again while the pile still",
	"holds it: one that now verifies (the pile serves it whole, or its new key",
	"was pinned with",
	".BR \"provision \\-\\-replace\\-keys\" )",
	"is archived and counted as",
	".B recovered",
	"(its quarantine entry stays, with the time it was archived); one that fails",
	"again stays as it is, counted as",
	".B still_quarantined",
	"with a warning.",
	".B \\-\\-custody",
	"hands over an unbroken run of archived records, so it stops before a",
	"record still in quarantine.",
	".TP",
	".I ~/.local/state/pilecon/whitelist/SERIAL.csv",
	"the list last synced to that pile, with the version and digest the pile",
	"reported after it took the list; the next sync writes only the changes when",
	"the pile still reports them, and reads the pile's list otherwise",
	".SH EXAMPLES",
	"Look at pile 2 on an RS\\-485 adapter:",
	".PP",
	".RS",
	"pilecon \\-p /dev/ttyUSB0 \\-a 2 status",
	".RE",
	".PP",
	"Force it offline for 90 minutes to test offline card charging:",
	".PP",
	".RS",
	"pilecon \\-p /dev/ttyUSB0 \\-a 2 \\-\\-keys keys.yaml offline on \\-\\-for 1h30m",
	".RE",
	".PP",
	"Load a card list, then pull and export the charging records:",
	".PP",
	".RS",
	".nf",
	"pilecon \\-\\-keys keys.yaml whitelist import cards.csv",
	"pilecon logs pull",
	"pilecon logs export \\-\\-format csv \\-o records.csv",
	".fi",
	".RE",
	".PP",
	"Find every pile on the bus:",
	".PP",
	".RS",
	"pilecon \\-p /dev/ttyUSB0 scan",
	".RE",
	".PP",
	"Make a pile's card list exactly a CSV file, writing only the changes:",
	".PP",
	".RS",
	"pilecon \\-\\-keys keys.yaml \\-a 3 whitelist sync cards.csv",
	".RE",
	".PP",
	"Provision a car park: see the plan first, then apply it:",
	".PP",
	".RS",
	".nf",
	"pilecon \\-\\-keys keys.yaml provision carpark.yaml \\-\\-dry\\-run",
	"pilecon \\-\\-keys keys.yaml provision carpark.yaml",
	".fi",
	".RE",
	".SH SEE ALSO",
	".BR pilesim (1),",
	".BR pilecon\\-provision (5),",
	".BR pilecon\\-protocol (7)",
	NULL
};

int
main(void)
{
	const struct pilecon_option	*po;
	const struct cmd_entry		**ce;
	size_t				 i;

	printf(".\\\" Generated by src/batch/mangen.c from the command table: do not edit.\n");
	printf(".TH PILECON 1 \"\" \"pilecon %s\" \"User Commands\"\n", PACKAGE_VERSION);
	printf(".SH NAME\npilecon \\- console and batch tool for charging piles on RS\\-485 "
	    "and USB\n");
	printf(".SH SYNOPSIS\n.B pilecon\n.RI [ options ]\n.br\n.B pilecon\n"
	    ".RI [ options ] \" command \" [ arguments ]\n");
	text(stdout, description);
	printf(".SH OPTIONS\n");
	for (i = 0; i < pilecon_options_len; i++) {
		po = &pilecon_options[i];
		printf(".TP\n");
		if (po->short_name != 0)
			printf("\\fB\\-%c\\fR, ", po->short_name);
		printf("\\fB\\-\\-");
		roff(stdout, po->name);
		printf("\\fR");
		if (po->arg != NULL)
			printf(" \\fI%s\\fR", po->arg);
		printf("\n");
		roff(stdout, po->help);
		if (po->config_key != NULL)
			printf(" (config key \\fB%s\\fR)", po->config_key);
		printf(".\n");
	}
	printf(".SH COMMANDS\n");
	for (ce = cmd_table; *ce != NULL; ce++) {
		printf(".TP\n\\fBpilecon %s\\fR", (*ce)->name);
		if (*(*ce)->usage != '\0') {
			printf(" ");
			roff(stdout, (*ce)->usage);
		}
		printf("\n");
		roff(stdout, (*ce)->help);
		printf(".\n");
		if ((*ce)->alias != NULL)
			printf("Alias: \\fB%s\\fR.\n", (*ce)->alias);
	}
	text(stdout, sections);
	return ferror(stdout) ? 1 : 0;
}
