/* ctl-client.c - `pilesim ctl --data DIR COMMAND...`: sends one command to a
 * running pilesim over DIR/ctl.sock, prints its answer, exits with its status.
 * The output goes to stdout when the command succeeded, to stderr when it
 * failed. The wire format is described in ctlsock.c. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common.h"
#include "sim/shell.h"

#define CTL_TIMEOUT_MS	120000	/* `advance 604800` meters a week */

static void
ctl_usage(FILE *f)
{
	fprintf(f, "%s", _("usage: pilesim ctl --data DIR COMMAND [ARG...]\n"
	    "Sends COMMAND to the pilesim running with data folder DIR.\n"
	    "`pilesim ctl --data DIR help` lists the commands.\n"));
}

static void
put_u32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static int
write_all(int fd, const uint8_t *buf, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static uint8_t *
ctl_request(int argc, char **argv, size_t *lenp)
{
	uint8_t	*buf, *p;
	size_t	 len = 8;
	int	 i;

	for (i = 0; i < argc; i++)
		len += 4 + strlen(argv[i]);
	buf = p = xmalloc(len);
	memcpy(p, CTLSOCK_MAGIC, 4);
	put_u32(p + 4, (uint32_t)argc);
	p += 8;
	for (i = 0; i < argc; i++) {
		size_t	n = strlen(argv[i]);

		put_u32(p, (uint32_t)n);
		memcpy(p + 4, argv[i], n);
		p += 4 + n;
	}
	*lenp = len;
	return buf;
}

/* Reads the whole reply (until the server closes); NULL on timeout/error. */
static uint8_t *
ctl_read_reply(int fd, size_t *lenp, const char *path)
{
	struct pollfd	 pfd = { .fd = fd, .events = POLLIN };
	uint8_t		*buf = NULL;
	size_t		 len = 0, size = 0;
	ssize_t		 n;
	int		 r;

	for (;;) {
		r = poll(&pfd, 1, CTL_TIMEOUT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr, _("pilesim ctl: no answer on '%s' within "
			    "%d s\n"), path, CTL_TIMEOUT_MS / 1000);
			free(buf);
			return NULL;
		}
		if (len == size) {
			size = size == 0 ? 4096 : size * 2;
			buf = xrealloc(buf, size);
		}
		n = read(fd, buf + len, size - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, _("pilesim ctl: cannot read from '%s': %s\n"),
			    path, strerror(errno));
			free(buf);
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*lenp = len;
	return buf;
}

int
ctl_client_main(int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct sockaddr_un		 sun;
	const char			*dir = NULL;
	char				*path;
	uint8_t				*req, *reply;
	size_t				 req_len, reply_len, out_len;
	int				 c, fd, status;

	/* "+": stop at the command, so `ctl --data D cloud records --json`
	 * leaves --json to the command. */
	optind = 1;
	while ((c = getopt_long(argc, argv, "+d:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'h':
			ctl_usage(stdout);
			return 0;
		default:
			ctl_usage(stderr);
			return 2;
		}
	}
	if (dir == NULL || optind >= argc) {
		if (dir == NULL)
			fprintf(stderr, "%s", _("pilesim ctl: missing --data DIR\n"));
		else
			fprintf(stderr, "%s", _("pilesim ctl: missing command\n"));
		ctl_usage(stderr);
		return 2;
	}

	path = xasprintf("%s/%s", dir, SHELL_SOCKET_NAME);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	fd = -1;
	if (strlen(path) < sizeof sun.sun_path) {
		memcpy(sun.sun_path, path, strlen(path));
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0) {
		fprintf(stderr, _("no pilesim running with data folder '%s' "
		    "(cannot connect to '%s')\n"), dir, path);
		free(path);
		return 1;
	}

	/* `cloud import FILE`: the running pilesim opens the file, from its
	 * own folder; a relative name means the caller's. */
	if (argc - optind >= 3 && strcmp(argv[optind], "cloud") == 0 &&
	    strcmp(argv[optind + 1], "import") == 0 && argv[optind + 2][0] != '/') {
		static char	*abs_path;	/* lives until exit */
		char		*cwd = getcwd(NULL, 0);

		if (cwd != NULL) {
			abs_path = xasprintf("%s/%s", cwd, argv[optind + 2]);
			argv[optind + 2] = abs_path;
			free(cwd);
		}
	}
	req = ctl_request(argc - optind, argv + optind, &req_len);
	if (write_all(fd, req, req_len) != 0) {
		fprintf(stderr, _("pilesim ctl: cannot send to '%s': %s\n"), path,
		    strerror(errno));
		free(req);
		free(path);
		close(fd);
		return 1;
	}
	free(req);
	(void)shutdown(fd, SHUT_WR);

	reply = ctl_read_reply(fd, &reply_len, path);
	close(fd);
	if (reply == NULL) {
		free(path);
		return 1;
	}
	out_len = reply_len >= 8 ? (size_t)reply[4] << 24 | (size_t)reply[5] << 16 |
	    (size_t)reply[6] << 8 | reply[7] : 0;
	if (reply_len < 8 || reply_len - 8 != out_len) {
		fprintf(stderr, _("pilesim ctl: pilesim on '%s' closed the "
		    "connection before its whole answer (did it stop?)\n"), path);
		free(reply);
		free(path);
		return 1;
	}
	status = (int)((uint32_t)reply[0] << 24 | (uint32_t)reply[1] << 16 |
	    (uint32_t)reply[2] << 8 | reply[3]);
	/* One stream comes back: a failed command's output is its complaint. */
	fwrite(reply + 8, 1, out_len, status == 0 ? stdout : stderr);
	if (fflush(stdout) != 0) {
		fprintf(stderr, _("pilesim ctl: cannot write the answer: %s\n"),
		    strerror(errno));
		status = 1;
	}
	free(reply);
	free(path);
	return status > 255 ? 1 : status;
}
