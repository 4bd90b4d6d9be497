/* unit-share.c - port sharing's pieces (src/batch/share.h): one socket per
 * port whatever the port is called, in a folder that must be the user's
 * alone; frames that survive being cut anywhere on the wire. */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "batch/share.h"
#include "tap.h"

static char	dir[] = "/tmp/unit-share.XXXXXX";

static void
socket_path_is_one_per_port_whatever_its_name(void)
{
	char	*a, *b, *c, *cause = NULL, *port, *link, *other;

	port = xasprintf("%s/ttyUSB0", dir);
	link = xasprintf("%s/by-id-adapter", dir);
	other = xasprintf("%s/ttyUSB1", dir);
	fclose(fopen(port, "w"));
	fclose(fopen(other, "w"));
	symlink(port, link);
	a = share_path(port, 1, &cause);
	b = share_path(link, 0, &cause);
	c = share_path(other, 0, &cause);
	ok(a != NULL && b != NULL && strcmp(a, b) == 0,
	    "a_symlink_to_the_port_names_the_same_socket");
	ok(a != NULL && c != NULL && strcmp(a, c) != 0, "another_port_names_another_socket");
	ok(a != NULL && strstr(a, "/run/pilecon/") != NULL && strstr(a, "ttyUSB0-") != NULL &&
	    strcmp(a + strlen(a) - 5, ".sock") == 0,
	    "the_socket_is_under_xdg_runtime_dir_and_says_which_port");
	free(a);
	free(b);
	free(c);
	a = share_path("tcp:10.0.0.7:4001", 0, &cause);
	ok(a != NULL && strstr(a, "tcp_10.0.0.7_4001-") != NULL, "a_tcp_port_is_named_as_written");
	free(a);
	free(port);
	free(link);
	free(other);
}

static void
a_folder_others_can_enter_is_refused(void)
{
	char	*run, *p, *cause = NULL;

	run = xasprintf("%s/run/pilecon", dir);
	chmod(run, 0755);
	p = share_path("/dev/ttyUSB0", 1, &cause);
	ok(p == NULL && cause != NULL && strstr(cause, "0700") != NULL,
	    "a_socket_folder_others_can_enter_is_refused");
	free(p);
	free(cause);
	chmod(run, 0700);
	free(run);
}

static void
frames_survive_any_cut(void)
{
	struct share_buf	 out, in;
	const uint8_t		*p;
	size_t			 len, cut, i;
	int			 type, got, n, good = 1;
	char			 big[3000];

	memset(&out, 0, sizeof out);
	memset(big, 'x', sizeof big);
	share_frame_put(&out, 'V', "1", 1);
	share_frame_put(&out, 'a', "logs", 4);
	share_frame_put(&out, 'a', big, sizeof big);
	share_frame_put(&out, 'g', "", 0);
	/* Fed in two pieces cut at every byte, the frames come out whole. */
	for (cut = 0; cut <= out.len; cut++) {
		memset(&in, 0, sizeof in);
		n = 0;
		for (i = 0; i < 2; i++) {
			size_t	from = i == 0 ? 0 : cut, to = i == 0 ? cut : out.len;

			in.data = xrealloc(in.data, in.len + (to - from) + 1);
			memcpy(in.data + in.len, out.data + from, to - from);
			in.len += to - from;
			in.size = in.len + 1;
			while ((got = share_frame_get(&in, &type, &p, &len)) == 1) {
				if ((n == 0 && (type != 'V' || len != 1)) ||
				    (n == 2 && (type != 'a' || len != sizeof big)) ||
				    (n == 3 && (type != 'g' || len != 0)))
					good = 0;
				n++;
			}
			if (got < 0)
				good = 0;
		}
		if (n != 4)
			good = 0;
		share_buf_free(&in);
	}
	ok(good, "frames_cut_anywhere_come_out_whole_and_in_order");
	memset(&in, 0, sizeof in);
	in.data = xmalloc(5);
	memcpy(in.data, "a\x7f\xff\xff\xff", 5);
	in.len = in.size = 5;
	ok(share_frame_get(&in, &type, &p, &len) == -1, "a_frame_longer_than_the_limit_is_refused");
	share_buf_free(&in);
	share_buf_free(&out);
}

static void
peer_check_knows_its_own_user(void)
{
	int	sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
		ok(0, "socketpair");
		return;
	}
	is_int(share_peer_ok(sv[0]), 1, "a_peer_of_the_same_user_is_accepted");
	close(sv[0]);
	close(sv[1]);
	is_int(share_peer_ok(0 /* a file or a tty: no peer */) == 1, 0,
	    "a_descriptor_with_no_peer_is_not_believed");
}

int
main(void)
{
	char	*run, *cmd;

	if (mkdtemp(dir) == NULL)
		return (1);
	run = xasprintf("%s/run", dir);
	mkdir(run, 0700);
	setenv("XDG_RUNTIME_DIR", run, 1);
	socket_path_is_one_per_port_whatever_its_name();
	a_folder_others_can_enter_is_refused();
	frames_survive_any_cut();
	peer_check_knows_its_own_user();
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# cannot remove %s\n", dir);
	free(cmd);
	free(run);
	return (done_testing());
}
