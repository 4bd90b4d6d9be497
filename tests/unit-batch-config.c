/* unit-batch-config.c - config.yaml and the keys file: what is accepted,
 * and that every error names file:line:column; the precedence of command
 * line, PILECON_PORT and config; the command table's argument parsing. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "batch/batch.h"
#include "tap.h"

static char	dir[] = "/tmp/unit-batch-XXXXXX";

static char *
write_file(const char *name, const char *text)
{
	char	*path = xasprintf("%s/%s", dir, name);
	FILE	*f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	return path;
}

/* Loads text as a config; returns the cause (malloc'ed) or NULL. */
static char *
load(const char *text, struct pilecon_opts *o)
{
	char	*path = write_file("config.yaml", text), *cause = NULL;

	pilecon_opts_init(o);
	if (pilecon_config_load(o, path, 1, &cause) == 0)
		cause = NULL;
	free(path);
	return cause;
}

static void
cause_has(char *cause, const char *want, const char *name)
{
	int	pass = cause != NULL && strstr(cause, want) != NULL;

	ok(pass, "%s", name);
	if (!pass)
		printf("#   cause: %s\n#   wanted: %s\n", cause ? cause : "(none)", want);
	free(cause);
}

int
main(void)
{
	struct pilecon_opts	 o;
	struct cmd_args		 a;
	const struct cmd_entry	*ce;
	uint8_t			 key[PROTO_KEY_BYTES], want[PROTO_KEY_BYTES];
	char			*c, *path, *keys, *argv[16], want_path[512];
	int			 i, used, first;

	if (mkdtemp(dir) == NULL)
		return 1;
	setenv("HOME", dir, 1);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("PILECON_PORT");

	/* ---- config.yaml ---- */
	c = load("port: /dev/ttyUSB0\nbaud: 9600\naddress: 7\nkeys: keys.yaml\n"
	    "archive: ~/a.db\ntimeout_ms: 300\nretries: 0\n", &o);
	ok(c == NULL, "good_config_loads");
	is_str(o.port, "/dev/ttyUSB0", "config_port");
	is_int(o.baud, 9600, "config_baud");
	is_int(o.addr, 7, "config_address");
	snprintf(want_path, sizeof want_path, "%s/keys.yaml", dir);
	is_str(o.keys_file, want_path, "config_relative_keys_path_is_from_the_config_folder");
	snprintf(want_path, sizeof want_path, "%s/a.db", dir);
	is_str(o.archive_path, want_path, "config_tilde_is_home");
	is_int(o.timeout_ms, 300, "config_timeout_ms");
	is_int(o.retries, 0, "config_retries_zero_is_kept");
	pilecon_opts_free(&o);
	free(c);

	c = load("", &o);
	ok(c == NULL && o.port == NULL && o.addr == -1, "empty_config_sets_nothing");
	pilecon_opts_free(&o);
	free(c);

	c = load("# comment\nport: /dev/ttyUSB0\n  \nbuad: 9600\n", &o);
	cause_has(c, "config.yaml:4:1: unknown key 'buad'", "unknown_key_names_file_line_column");
	pilecon_opts_free(&o);
	c = load("port: x\nbaud: 9600\n", &o);
	ok(c == NULL, "baud_9600_ok");
	pilecon_opts_free(&o);
	free(c);
	c = load("address: 300\n", &o);
	cause_has(c, "config.yaml:1:10: bad value '300' for 'address'", "address_out_of_range_names_position");
	pilecon_opts_free(&o);
	c = load("baud: fast\n", &o);
	cause_has(c, ":1:7: bad value 'fast' for 'baud'", "non_number_baud_refused");
	pilecon_opts_free(&o);
	c = load("port: a\nport: b\n", &o);
	cause_has(c, ":2:1: key 'port' is given twice", "duplicate_key_refused");
	pilecon_opts_free(&o);
	c = load("port: [a, b]\n", &o);
	cause_has(c, ":1:7: 'port' needs a single value", "list_value_refused");
	pilecon_opts_free(&o);
	c = load("port: \"unterminated\n", &o);
	cause_has(c, "config.yaml:", "bad_yaml_names_file");
	pilecon_opts_free(&o);
	c = load("- port\n", &o);
	cause_has(c, ":1:1: the config must be a mapping", "list_at_top_refused");
	pilecon_opts_free(&o);

	pilecon_opts_init(&o);
	c = NULL;
	is_int(pilecon_config_load(&o, "/nonexistent/config.yaml", 0, &c), 0,
	    "missing_default_config_is_no_error");
	is_int(pilecon_config_load(&o, "/nonexistent/config.yaml", 1, &c), -1,
	    "missing_named_config_is_an_error");
	cause_has(c, "cannot open config file '/nonexistent/config.yaml'", "missing_config_named");

	/* ---- precedence: command line > PILECON_PORT > config > defaults ---- */
	path = write_file("c2.yaml", "port: /dev/cfg\naddress: 5\nbaud: 19200\n");
	argv[0] = "pilecon"; argv[1] = "--config"; argv[2] = path; argv[3] = "-a"; argv[4] = "9";
	argv[5] = "status"; argv[6] = "--json"; argv[7] = NULL;
	first = pilecon_opts_parse(&o, 7, argv, stderr);
	is_int(first, 5, "opts_stop_at_the_command");
	is_str(o.port, "/dev/cfg", "port_from_config");
	is_int(o.addr, 9, "command_line_address_beats_config");
	is_int(o.baud, 19200, "config_baud_beats_default");
	is_int(o.retries, 2, "default_retries");
	is_int(o.json, 0, "command_json_is_not_a_global_option");
	pilecon_opts_free(&o);
	setenv("PILECON_PORT", "/dev/env", 1);
	first = pilecon_opts_parse(&o, 7, argv, stderr);
	is_str(o.port, "/dev/env", "pilecon_port_beats_config");
	pilecon_opts_free(&o);
	argv[3] = "-p"; argv[4] = "/dev/cli";
	first = pilecon_opts_parse(&o, 7, argv, stderr);
	is_str(o.port, "/dev/cli", "command_line_port_beats_pilecon_port");
	is_int(o.addr, 5, "address_from_config");
	pilecon_opts_free(&o);
	unsetenv("PILECON_PORT");
	argv[3] = "-a"; argv[4] = "0";
	is_int(pilecon_opts_parse(&o, 7, argv, stderr), -1, "address_0_refused");
	argv[3] = "--bogus";
	is_int(pilecon_opts_parse(&o, 7, argv, stderr), -1, "unknown_global_option_refused");
	free(path);

	/* ---- keys file ---- */
	for (i = 0; i < PROTO_KEY_BYTES; i++)
		want[i] = (uint8_t)(i * 7 + 1);
	keys = write_file("keys.yaml",
	    "# pilesim keys\nkeys:\n"
	    "  - serial: \"SIM-0001\"\n"
	    "    key: \"01080f161d242b323940474e555c636a71787f868d949ba2a9b0b7bec5ccd3da\"\n"
	    "  - serial: \"SIM-0002\"\n"
	    "    key: \"0108\"\n"
	    "  - serial: \"SIM-0003\"\n"
	    "    key: \"zz080f161d242b323940474e555c636a71787f868d949ba2a9b0b7bec5ccd3da\"\n");
	c = NULL;
	is_int(keys_lookup(keys, "SIM-0001", key, &c), 0, "key_found_by_serial");
	is_mem(key, want, sizeof key, "key_decoded_from_hex");
	is_int(keys_lookup(keys, "SIM-0009", key, &c), -1, "unknown_serial_has_no_key");
	cause_has(c, "no key for pile 'SIM-0009'", "missing_key_names_the_serial");
	is_int(keys_lookup(keys, "SIM-0002", key, &c), -1, "short_key_refused");
	ok(c != NULL && strstr(c, "0108") == NULL, "bad_key_is_not_echoed");
	cause_has(c, "keys.yaml:6:10: the key of 'SIM-0002' must be 64 hex", "short_key_names_position");
	is_int(keys_lookup(keys, "SIM-0003", key, &c), -1, "non_hex_key_refused");
	cause_has(c, ":8:10: the key of 'SIM-0003' is not hex", "non_hex_key_names_position");
	chmod(keys, 0600);
	is_int(keys_check_private(keys, &c), 0, "keys_file_0600_is_private");
	chmod(keys, 0644);
	is_int(keys_check_private(keys, &c), 1, "keys_file_0644_is_not_private");
	cause_has(c, "chmod 600", "warning_says_what_to_do");
	unlink(keys);
	free(keys);

	/* ---- the command table ---- */
	argv[0] = "whitelist"; argv[1] = "add"; argv[2] = "04A1B2C3";
	argv[3] = "--expires=2027-01-01"; argv[4] = "--holder"; argv[5] = "张三";
	ce = cmd_find(6, argv, &used);
	ok(ce != NULL && strcmp(ce->name, "whitelist add") == 0 && used == 2,
	    "multi_word_command_found");
	c = NULL;
	is_int(cmd_args_parse(ce, 4, argv + 2, &a, &c), 0, "options_with_and_without_equals");
	is_str(cmd_args_get(&a, "expires"), "2027-01-01", "option_value_after_equals");
	is_str(cmd_args_get(&a, "holder"), "张三", "option_value_in_next_word");
	is_str(a.pos[0], "04A1B2C3", "positional_kept");
	is_int(cmd_args_parse(ce, 0, argv + 2, &a, &c), -1, "missing_uid_refused");
	cause_has(c, "needs 1 argument", "missing_argument_message");
	argv[6] = "--for";
	is_int(cmd_args_parse(ce, 5, argv + 2, &a, &c), -1, "option_of_another_command_refused");
	cause_has(c, "unknown option '--for' for 'whitelist add'", "unknown_option_named");
	argv[0] = "whitelist"; argv[1] = "rm";
	ce = cmd_find(2, argv, &used);
	ok(ce != NULL && strcmp(ce->name, "whitelist remove") == 0, "alias_found");
	argv[0] = "whitelist"; argv[1] = "frob";
	ok(cmd_find(2, argv, &used) == NULL, "unknown_subcommand_not_found");

	/* ---- the console's bus: bus_range, bus_known, written back ---- */
	{
		uint8_t		 set[PILECON_ADDRS];
		const char	*k[] = { "bus_range", "bus_known" };
		const char	*v[] = { "1-40", "1-8,12" };
		char		*text = NULL, *s;
		size_t		 len = 0;
		FILE		*f;

		is_int(pilecon_parse_addrs("1-3,7,9-10", set, &c), 0, "address_list_parses");
		ok(set[1] && set[3] && !set[4] && set[7] && set[10] && !set[11],
		    "address_list_holds_each_address");
		s = pilecon_format_addrs(set);
		is_str(s, "1-3,7,9-10", "address_list_formats_back_as_ranges");
		free(s);
		is_int(pilecon_parse_addrs("0-3", set, &c), -1, "address_0_refused");
		cause_has(c, "bad address list '0-3'", "bad_address_list_named");
		c = load("bus_range: 1-300\n", &o);
		cause_has(c, "config.yaml:1:12: bad value '1-300' for --bus-range", "bad_bus_range_names_file_line_column");
		pilecon_opts_free(&o);
		c = load("bus_range: 1-32\nbus_known: \"1-8,12\"\n", &o);
		ok(c == NULL && o.bus_first == 1 && o.bus_last == 32 &&
		    strcmp(o.bus_known, "1-8,12") == 0, "bus_keys_load");
		free(c);
		pilecon_opts_free(&o);
		path = write_file("config.yaml", "# mine\nport: /dev/ttyUSB0\nbus_range: \"1-247\"\nbaud: 9600\n");
		c = NULL;
		is_int(pilecon_config_set(path, 2, k, v, &c), 0, "config_set_writes");
		f = fopen(path, "r");
		if (f != NULL && getdelim(&text, &len, '\0', f) < 0) {
			free(text);
			text = NULL;
		}
		if (f != NULL)
			fclose(f);
		is_str(text, "# mine\nport: /dev/ttyUSB0\nbus_range: \"1-40\"\nbaud: 9600\n"
		    "bus_known: \"1-8,12\"\n", "config_set_replaces_and_appends_keeping_every_other_line");
		free(text);
		c = load("# mine\nport: /dev/ttyUSB0\nbus_range: \"1-40\"\nbaud: 9600\nbus_known: \"1-8,12\"\n", &o);
		ok(c == NULL && o.bus_last == 40, "config_set_output_loads");
		free(c);
		pilecon_opts_free(&o);
		unlink(path);
		free(path);
	}

	/* ---- hostile values written back: each one loads as it was ---- */
	{
		static const char *const hostile[] = {
			"/tmp/a\"b",			/* a quote ends a "%s" scalar */
			"/tmp/back\\slash\\",	/* a backslash escapes the quote */
			"/tmp/two\nport: /dev/evil",	/* a newline makes a new key */
			"/tmp/colon: space",		/* a plain scalar's key split */
			"/tmp/hash #comment",		/* the rest becomes a comment */
			"/tmp/ctl\x01\x1b[2J\x7f\t\r",	/* C0, ESC, DEL, tab, CR */
			"/tmp/c1\xc2\x85\xc2\x9b\xe2\x80\xa8\xe2\x80\xa9\xef\xbb\xbf",
			"/tmp/\xe5\xad\x98\xe6\xa1\xa3 'single' \"double\"",
			"/tmp/\xef\xbf\xbe\xf0\x9f\x94\x8c",	/* U+FFFE, U+1F50C */
		};
		const char	*k[] = { "archive" }, *v[1];
		char		*text = NULL;
		size_t		 len = 0, hi;
		FILE		*f;

		for (hi = 0; hi < sizeof hostile / sizeof hostile[0]; hi++) {
			path = write_file("config.yaml", "# keep me\n"
			    "archive: \"/old\n  continued\"\nbaud: 9600\n");
			v[0] = hostile[hi];
			c = NULL;
			is_int(pilecon_config_set(path, 1, k, v, &c), 0,
			    "config_set_writes_hostile_value_%zu", hi);
			free(c);
			pilecon_opts_init(&o);
			c = NULL;
			is_int(pilecon_config_load(&o, path, 1, &c), 0,
			    "config_with_hostile_value_%zu_loads", hi);
			if (c != NULL)
				printf("#   cause: %s\n", c);
			free(c);
			is_str(o.archive_path, hostile[hi],
			    "hostile_value_%zu_round_trips_byte_for_byte", hi);
			ok(o.baud == 9600 && o.port == NULL,
			    "hostile_value_%zu_leaves_the_other_keys_as_they_were", hi);
			pilecon_opts_free(&o);
			f = fopen(path, "r");
			if (f != NULL && getdelim(&text, &len, '\0', f) > 0)
				ok(strncmp(text, "# keep me\narchive: \"", 20) == 0 &&
				    strchr(text + 20, '\n') != NULL &&
				    strcmp(strchr(text + 20, '\n'), "\nbaud: 9600\n") == 0,
				    "hostile_value_%zu_is_one_line_in_place_of_the_old_value", hi);
			else
				ok(0, "hostile_value_%zu_file_read_back", hi);
			if (f != NULL)
				fclose(f);
			unlink(path);
			free(path);
		}
		free(text);

		/* Not UTF-8: refused, named, and the file not touched. */
		path = write_file("config.yaml", "archive: /kept\n");
		v[0] = "/tmp/latin1-\xe9t\xe9";
		c = NULL;
		is_int(pilecon_config_set(path, 1, k, v, &c), -1, "non_utf8_value_refused");
		cause_has(c, "cannot write 'archive' to config file", "non_utf8_refusal_names_the_key");
		v[0] = "/tmp/cut-\xe5\xad";
		c = NULL;
		is_int(pilecon_config_set(path, 1, k, v, &c), -1, "truncated_utf8_value_refused");
		cause_has(c, "not UTF-8 (byte 10 is 0xE5)", "non_utf8_refusal_names_the_byte");
		v[0] = "/tmp/surrogate-\xed\xa0\x80";
		c = NULL;
		is_int(pilecon_config_set(path, 1, k, v, &c), -1, "surrogate_value_refused");
		free(c);
		pilecon_opts_init(&o);
		c = NULL;
		ok(pilecon_config_load(&o, path, 1, &c) == 0 &&
		    o.archive_path != NULL && strcmp(o.archive_path, "/kept") == 0,
		    "refused_value_leaves_the_config_as_it_was");
		free(c);
		pilecon_opts_free(&o);
		unlink(path);
		free(path);
	}

	rmdir(dir);
	return done_testing();
}
