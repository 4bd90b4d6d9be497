/* unit-link-open.c - ports by spec: pseudo-terminals through termios, the
 * messages for missing, busy and vanished ports, tcp:HOST:PORT, port
 * listing and Modbus timing per baud rate. */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "common.h"
#include "link/link.h"
#include "tap.h"

static const struct link_params params = { .baud = 115200, .parity = 'N', .stop_bits = 1 };

/* Reads from l until len bytes came or 2 s passed. */
static int
read_some(struct link *l, uint8_t *buf, size_t len, char **cause)
{
	struct pollfd	pfd;
	size_t		got = 0;
	int		n, i;

	for (i = 0; i < 200 && got < len; i++) {
		pfd.fd = link_fd(l);
		pfd.events = POLLIN;
		poll(&pfd, 1, 10);
		n = link_read_now(l, buf + got, len - got, cause);
		if (n < 0)
			return -1;
		got += (size_t)n;
	}
	return (int)got;
}

static void
test_missing_port(void)
{
	struct link	*l;
	char		*cause = NULL;

	l = link_open("/dev/ttyUSB-pilecon-test9", &params, &cause);
	ok(l == NULL, "missing_port_fails_to_open");
	is_str(cause, "cannot open '/dev/ttyUSB-pilecon-test9': no such port "
	    "(is the adapter plugged in? 'pilecon ports' lists serial ports)",
	    "missing_port_message_says_what_to_check");
	free(cause);
}

static void
test_not_a_port(void)
{
	struct link	*l;
	char		*cause = NULL;

	l = link_open("/dev/null", &params, &cause);
	ok(l == NULL, "dev_null_is_not_a_port");
	is_str(cause, "cannot use '/dev/null': not a serial port or "
	    "pseudo-terminal", "not_a_port_message");
	free(cause);
	cause = NULL;
	l = link_open("", &params, &cause);
	ok(l == NULL && cause != NULL && strstr(cause, "no port given") != NULL,
	    "empty_spec_asks_for_a_port");
	free(cause);
}

static void
test_pty(void)
{
	struct termios	 tio;
	struct link	*l, *l2;
	struct link_params odd = { .baud = 9600, .parity = 'N', .stop_bits = 2 }, bad = { .baud = 12345, .parity = 'N', .stop_bits = 1 };
	char		 path[64], linkpath[] = "/tmp/pilecon-link-XXXXXX";
	char		 sym[128], *cause = NULL, *want;
	uint8_t		 buf[16];
	int		 master, slave, n;

	memset(&tio, 0, sizeof tio);
	cfmakeraw(&tio);
	if (openpty(&master, &slave, NULL, &tio, NULL) != 0 ||
	    ttyname_r(slave, path, sizeof path) != 0) {
		ok(0, "openpty");
		return;
	}
	l = link_open(path, &params, &cause);
	ok(l != NULL, "pty_opens_through_termios: %s", cause ? cause : "");
	if (l == NULL)
		return;
	is_str(link_name(l), path, "link_name_is_the_spec");
	is_int(link_params(l)->baud, 115200, "link_params_kept");
	is_int(link_read_now(l, buf, sizeof buf, &cause), 0,
	    "nothing_to_read_returns_0");

	/* Two programs on one port garble each other's frames. */
	l2 = link_open(path, &params, &cause);
	ok(l2 == NULL, "second_open_of_a_port_is_refused");
	want = xasprintf("port '%s' is busy: another program has it open "
	    "(check with 'fuser %s')", path, path);
	is_str(cause, want, "busy_port_message_names_fuser");
	free(want);
	free(cause);
	cause = NULL;

	ok(link_write(l, (const uint8_t *)"hello", 5, 1000, &cause) == 0,
	    "write_to_pty");
	n = (int)read(master, buf, sizeof buf);
	ok(n == 5 && memcmp(buf, "hello", 5) == 0, "bytes_arrive_raw");
	ok(write(master, "\r\nab\x11\x03", 6) == 6, "peer_writes");
	n = read_some(l, buf, 6, &cause);
	ok(n == 6 && memcmp(buf, "\r\nab\x11\x03", 6) == 0,
	    "control_bytes_pass_untouched_in_raw_mode");

	ok(write(master, "stale", 5) == 5, "peer_writes_stale_bytes");
	usleep(20000);
	link_flush_input(l);
	is_int(link_read_now(l, buf, sizeof buf, &cause), 0,
	    "flush_input_drops_stale_bytes");

	/* The peer (pilesim, a USB adapter) goes away. */
	close(master);
	n = link_read_now(l, buf, sizeof buf, &cause);
	is_int(n, -1, "read_after_peer_closed_fails");
	want = xasprintf("port '%s' went away: check the cable / adapter",
	    path);
	is_str(cause, want, "went_away_message");
	free(want);
	free(cause);
	cause = NULL;
	link_close(l);
	close(slave);

	/* A symlink (pilesim --link PATH) leads to the pty behind it. */
	if (openpty(&master, &slave, NULL, &tio, NULL) != 0 ||
	    ttyname_r(slave, path, sizeof path) != 0 ||
	    mkdtemp(linkpath) == NULL) {
		ok(0, "openpty");
		return;
	}
	snprintf(sym, sizeof sym, "%s/bus", linkpath);
	ok(symlink(path, sym) == 0, "symlink");
	l = link_open(sym, &odd, &cause);
	ok(l != NULL, "symlink_to_pty_opens: %s", cause ? cause : "");
	if (l != NULL) {
		is_str(link_name(l), sym, "symlinked_link_keeps_the_given_name");
		/* Linux ptys drop PARENB, so parity cannot be seen here. */
		ok(tcgetattr(slave, &tio) == 0 && (tio.c_cflag & CSTOPB) &&
		    (tio.c_cflag & CSIZE) == CS8 && cfgetospeed(&tio) == B9600 &&
		    tio.c_cc[VMIN] == 0 && tio.c_cc[VTIME] == 0 &&
		    !(tio.c_lflag & (ICANON | ECHO)) && !(tio.c_oflag & OPOST),
		    "termios_set_to_9600_8N2_raw_nonblocking");
		link_close(l);
	}
	l = link_open(sym, &bad, &cause);
	ok(l == NULL && cause != NULL &&
	    strstr(cause, "not a standard rate") != NULL,
	    "odd_baud_rate_is_refused_with_a_hint");
	free(cause);
	cause = NULL;
	unlink(sym);
	rmdir(linkpath);
	close(master);
	close(slave);
}

static void
test_tcp(void)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof sin;
	struct link		*l;
	char			 spec[64], *cause = NULL, *want;
	uint8_t			 buf[16];
	int			 ls, cs, n;

	ls = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(ls, (struct sockaddr *)&sin, sizeof sin) != 0 ||
	    listen(ls, 1) != 0 ||
	    getsockname(ls, (struct sockaddr *)&sin, &len) != 0) {
		ok(0, "listen");
		return;
	}
	snprintf(spec, sizeof spec, "tcp:127.0.0.1:%u", ntohs(sin.sin_port));
	l = link_open(spec, &params, &cause);
	ok(l != NULL, "tcp_spec_connects: %s", cause ? cause : "");
	if (l == NULL)
		return;
	cs = accept(ls, NULL, NULL);
	ok(link_write(l, (const uint8_t *)"\x01\x03", 2, 1000, &cause) == 0,
	    "tcp_write");
	n = (int)read(cs, buf, sizeof buf);
	ok(n == 2 && buf[0] == 1 && buf[1] == 3, "tcp_bytes_arrive");
	is_int(link_read_now(l, buf, sizeof buf, &cause), 0,
	    "tcp_nothing_to_read_returns_0");
	ok(write(cs, "\x01\x83\x02", 3) == 3, "server_answers");
	n = read_some(l, buf, 3, &cause);
	ok(n == 3 && buf[1] == 0x83, "tcp_reply_read");
	close(cs);
	n = read_some(l, buf, sizeof buf, &cause);
	is_int(n, -1, "tcp_close_by_server_is_seen");
	want = xasprintf("port '%s' went away: the server closed the "
	    "connection (check the RS-485 server and the network)", spec);
	is_str(cause, want, "tcp_went_away_message");
	free(want);
	free(cause);
	cause = NULL;
	link_close(l);

	/* Nobody listens on a port we just closed. */
	close(ls);
	l = link_open(spec, &params, &cause);
	ok(l == NULL && cause != NULL &&
	    strstr(cause, "connection refused") != NULL,
	    "tcp_refused_says_so: %s", cause ? cause : "");
	free(cause);
	cause = NULL;

	l = link_open("tcp:no-port-here", &params, &cause);
	ok(l == NULL && cause != NULL && strstr(cause, "tcp:HOST:PORT") != NULL,
	    "malformed_tcp_spec_shows_the_form");
	free(cause);
}

/* Waits up to 2 s for a connect in progress to end; what finish said. */
static int
reopen_wait(struct link *l, int timed_out, char **cause)
{
	struct pollfd	pfd;
	int		rc = 1, i;

	for (i = 0; i < 200 && rc == 1; i++) {
		pfd.fd = link_connect_fd(l, &pfd.events);
		poll(&pfd, 1, 10);
		rc = link_reopen_finish(l, timed_out, cause);
	}
	return rc;
}

/* The console's reopen of a tcp: port never waits for the server: the
 * connect is started, polled for, and finished or given up. */
static void
test_tcp_reopen_without_waiting(void)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof sin;
	struct link		*l;
	char			 spec[64], *cause = NULL;
	uint8_t			 buf[4];
	int			 ls, cs, fill[2], rc, i;
	short			 ev;

	ls = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(ls, (struct sockaddr *)&sin, sizeof sin) != 0 ||
	    listen(ls, 0) != 0 ||
	    getsockname(ls, (struct sockaddr *)&sin, &len) != 0) {
		ok(0, "listen");
		return;
	}
	snprintf(spec, sizeof spec, "tcp:127.0.0.1:%u", ntohs(sin.sin_port));
	if ((l = link_open(spec, &params, &cause)) == NULL) {
		ok(0, "tcp_open: %s", cause);
		free(cause);
		close(ls);
		return;
	}
	close(accept(ls, NULL, NULL));
	link_suspend(l);

	/* The server back: the reopen connects, through the loop's poll. */
	rc = link_reopen_start(l, NULL, NULL, &cause);
	ok(rc == 0 || (rc == 1 && link_connect_fd(l, &ev) != -1 && link_fd(l) == -1),
	    "reopen_start_returns_at_once_with_the_connect_to_poll");
	if (rc == 1)
		rc = reopen_wait(l, 0, &cause);
	is_int(rc, 0, "reopen_finish_opens_the_port");
	ok(link_fd(l) != -1 && link_connect_fd(l, &ev) == -1, "the_open_socket_is_the_links");
	cs = accept(ls, NULL, NULL);
	ok(link_write(l, (const uint8_t *)"\x01", 1, 1000, &cause) == 0 &&
	    read(cs, buf, 1) == 1 && buf[0] == 1, "the_reopened_port_carries_bytes");
	close(cs);
	link_suspend(l);

	/* A server that takes no connection (its queue full: our SYN is
	 * dropped): the connect hangs; start does not wait for it, finish
	 * says "not yet" until the caller's time is up, then gives up. */
	for (i = 0; i < 2; i++) {
		fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(fill[i], (struct sockaddr *)&sin, sizeof sin);
	}
	usleep(100000);
	rc = link_reopen_start(l, NULL, NULL, &cause);
	is_int(rc, 1, "reopen_start_does_not_wait_for_a_server_that_does_not_answer");
	is_int(link_reopen_finish(l, 0, &cause), 1, "finish_says_not_yet_before_the_timeout");
	rc = link_reopen_finish(l, 1, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "no answer within 3000 ms") != NULL,
	    "finish_after_the_timeout_gives_up_and_says_so: %s", cause ? cause : "");
	ok(link_connect_fd(l, &ev) == -1 && link_fd(l) == -1, "a_given_up_connect_leaves_nothing_open");
	free(cause);
	cause = NULL;
	for (i = 0; i < 2; i++)
		close(fill[i]);

	/* Nobody listens: refused, said as a blocking open says it. */
	close(ls);
	rc = link_reopen_start(l, NULL, NULL, &cause);
	if (rc == 1)
		rc = reopen_wait(l, 0, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "connection refused") != NULL,
	    "reopen_of_a_closed_port_says_refused: %s", cause ? cause : "");
	free(cause);
	link_close(l);
}

static void
test_list_ports(void)
{
	struct link_port_info	*ports = NULL;
	char			*cause = NULL;
	int			 n, i, named = 1;

	n = link_list_ports(&ports, &cause);
	ok(n >= 0, "list_ports_succeeds (%d ports) %s", n, cause ? cause : "");
	for (i = 0; i < n; i++)
		if (ports[i].name[0] == '\0')
			named = 0;
	ok(named, "every_listed_port_has_a_name");
	free(ports);
	free(cause);
}

static void
test_timing(void)
{
	struct link_params	p115 = { .baud = 115200, .parity = 'E', .stop_bits = 1 }, p96 = { .baud = 9600, .parity = 'N', .stop_bits = 1 };
	struct link_params	p96e = { .baud = 9600, .parity = 'E', .stop_bits = 1 }, p192 = { .baud = 19200, .parity = 'E', .stop_bits = 1 };

	is_int(link_t35_us(&p115), 1750, "t35_fixed_above_19200_baud");
	ok(link_t35_us(&p96e) >= 4010 && link_t35_us(&p96e) <= 4011,
	    "t35_at_9600_is_3.5_chars_of_11_bits");
	ok(link_t35_us(&p192) >= 2005 && link_t35_us(&p192) <= 2006,
	    "t35_at_19200_is_still_computed");
	is_int(link_frame_us(&p115, 255), 24349, "255_bytes_8E1_at_115200");
	is_int(link_frame_us(&p96, 10), 10417, "10_bytes_8N1_at_9600");
	is_int(link_frame_us(&p115, 0), 0, "empty_frame_takes_no_time");
}

/* The port goes away and comes back under another /dev name; its by-id
 * name follows it, and the link reopens by that name. */
static void
test_reopen(void)
{
	struct link_params	 n1 = { .baud = 19200, .parity = 'N', .stop_bits = 1 };
	struct termios		 tio;
	struct link		*l;
	char			 dir[] = "/tmp/pilecon-byid-XXXXXX", path[64], path2[64];
	char			*byid, *found, *cause = NULL, *sub;
	uint8_t			 buf[8];
	int			 master, slave, master2, slave2;

	memset(&tio, 0, sizeof tio);
	cfmakeraw(&tio);
	if (mkdtemp(dir) == NULL || openpty(&master, &slave, NULL, &tio, NULL) != 0 ||
	    ttyname_r(slave, path, sizeof path) != 0) {
		ok(0, "openpty");
		return;
	}
	sub = xasprintf("%s/serial", dir);
	mkdir(sub, 0700);
	free(sub);
	sub = xasprintf("%s/serial/by-id", dir);
	mkdir(sub, 0700);
	byid = xasprintf("%s/usb-FTDI_FT232R_A10K1234-if00-port0", sub);
	ok(symlink(path, byid) == 0, "fake_by_id_link");
	setenv("PILECON_DEV_ROOT", dir, 1);
	found = link_by_id(path);
	is_str(found, byid, "link_by_id_finds_the_stable_name_of_a_port");
	free(found);
	ok(link_by_id(byid) == NULL, "a_by_id_name_is_its_own_stable_name");
	ok(link_by_id("/dev/null") == NULL, "a_port_without_a_by_id_name_has_none");

	l = link_open(path, &params, &cause);
	ok(l != NULL, "opened_by_its_dev_name");
	if (l == NULL)
		goto out;
	link_suspend(l);
	is_int(link_fd(l), -1, "suspended_link_has_no_fd");
	is_int(link_read_now(l, buf, sizeof buf, &cause), -1, "suspended_link_reads_fail");
	free(cause);
	cause = NULL;
	/* The adapter comes back as another tty: by-id points there now. */
	if (openpty(&master2, &slave2, NULL, &tio, NULL) != 0 ||
	    ttyname_r(slave2, path2, sizeof path2) != 0) {
		ok(0, "openpty");
		link_close(l);
		goto out;
	}
	unlink(byid);
	ok(symlink(path2, byid) == 0, "by_id_follows_the_adapter");
	is_int(link_reopen(l, byid, &n1, &cause), 0, "reopen_by_the_by_id_name");
	is_str(link_name(l), byid, "the_link_is_named_by_what_it_reopened");
	is_int(link_params(l)->baud, 19200, "reopen_takes_new_settings");
	ok(link_write(l, (const uint8_t *)"hi", 2, 1000, &cause) == 0 &&
	    read(master2, buf, sizeof buf) == 2, "bytes_reach_the_new_tty");
	link_close(l);
	close(master2);
	close(slave2);
out:
	unsetenv("PILECON_DEV_ROOT");
	unlink(byid);
	free(byid);
	rmdir(sub);
	free(sub);
	sub = xasprintf("%s/serial", dir);
	rmdir(sub);
	free(sub);
	rmdir(dir);
	close(master);
	close(slave);
}

int
main(void)
{
	test_missing_port();
	test_not_a_port();
	test_pty();
	test_tcp();
	test_tcp_reopen_without_waiting();
	test_list_ports();
	test_timing();
	test_reopen();
	return done_testing();
}
