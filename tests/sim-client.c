/* sim-client.c - a tiny raw Modbus RTU master for the pilesim shell tests:
 * sends one request over a serial path and prints what came back.
 *
 *   sim-client [-t MS] [-T] PATH read UNIT ADDR COUNT    FC 03: "regs V V ..."
 *   sim-client [-t MS] [-T] PATH identity UNIT           "serial S vendor V ..."
 *   sim-client [-t MS] [-T] PATH raw HEX [+crc]          "reply HEX"
 *
 * Prints "exception N" for an exception reply, "timeout" when nothing came,
 * "garbled HEX" for a reply that does not decode. -T adds a first line
 * "elapsed_us N first_byte_us M": from writing the request to the reply's
 * last and first byte. Exit status: 0 reply,
 * 3 exception, 4 timeout, 5 garbled, 1 error. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"

/* After the first byte, this much silence ends a raw reply. */
#define RAW_SILENCE_MS	100

static uint64_t
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void
usage(void)
{
	fprintf(stderr, "usage: sim-client [-t MS] [-T] PATH read UNIT ADDR COUNT\n"
	    "       sim-client [-t MS] [-T] PATH identity UNIT\n"
	    "       sim-client [-t MS] [-T] PATH raw HEX [+crc]\n");
	exit(1);
}

static int
open_port(const char *path)
{
	struct termios	tio;
	int		fd;

	fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		fprintf(stderr, "sim-client: cannot open '%s': %s\n", path,
		    strerror(errno));
		exit(1);
	}
	/* Raw, at the baud rate and framing pilesim set on its pty: a master
	 * whose settings differ would only read garbage. */
	if (tcgetattr(fd, &tio) == 0) {
		cfmakeraw(&tio);
		tio.c_cflag |= CLOCAL | CREAD;
		tcsetattr(fd, TCSANOW, &tio);
	}
	/* A late reply to an earlier client must not pass for ours. */
	tcflush(fd, TCIOFLUSH);
	return fd;
}

static void
print_hex(const char *label, const uint8_t *buf, size_t len)
{
	size_t	i;

	printf("%s", label);
	for (i = 0; i < len; i++)
		printf(" %02x", buf[i]);
	printf("\n");
}

static size_t
parse_hex(const char *s, uint8_t *out, size_t size)
{
	size_t	n = 0;
	int	hi = -1, v;

	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == ':')
			continue;
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
			v = (*s | 0x20) - 'a' + 10;
		else
			usage();
		if (hi < 0)
			hi = v;
		else {
			if (n == size)
				usage();
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0)
		usage();
	return n;
}

int
main(int argc, char **argv)
{
	struct proto_request	 req;
	struct proto_response	 resp;
	struct proto_identity	 id;
	struct pollfd		 pfd;
	uint8_t			 out[PROTO_ADU_MAX + 2], in[1024];
	size_t			 out_len = 0, in_len = 0;
	uint64_t		 t0, t1 = 0, tfirst = 0, deadline;
	const char		*path, *mode;
	int			 timeout_ms = 1000, timing = 0, raw = 0, identity = 0;
	int			 c, fd, r = PROTO_NEED_MORE, wait_ms;
	ssize_t			 n;
	uint16_t		 crc;

	while ((c = getopt(argc, argv, "t:T")) != -1) {
		switch (c) {
		case 't':
			timeout_ms = atoi(optarg);
			break;
		case 'T':
			timing = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2)
		usage();
	path = argv[0];
	mode = argv[1];
	memset(&req, 0, sizeof req);
	if (strcmp(mode, "read") == 0 && argc == 5) {
		req.unit = (uint8_t)atoi(argv[2]);
		req.fc = PROTO_FC_READ_HOLDING;
		req.read_addr = (uint16_t)strtoul(argv[3], NULL, 0);
		req.read_count = (uint16_t)strtoul(argv[4], NULL, 0);
	} else if (strcmp(mode, "identity") == 0 && argc == 3) {
		req.unit = (uint8_t)atoi(argv[2]);
		req.fc = PROTO_FC_READ_HOLDING;
		req.read_addr = PROTO_IDENTITY_ADDR;
		req.read_count = PROTO_IDENTITY_COUNT;
		identity = 1;
	} else if (strcmp(mode, "raw") == 0 && (argc == 3 || argc == 4)) {
		raw = 1;
		out_len = parse_hex(argv[2], out, PROTO_ADU_MAX);
		if (argc == 4) {
			if (strcmp(argv[3], "+crc") != 0)
				usage();
			crc = proto_crc16(out, out_len);
			out[out_len++] = crc & 0xFF;
			out[out_len++] = crc >> 8;
		}
	} else
		usage();
	if (!raw) {
		r = proto_request_encode(&req, out, sizeof out);
		if (r < 0) {
			fprintf(stderr, "sim-client: cannot encode the request\n");
			return 1;
		}
		out_len = (size_t)r;
	}

	fd = open_port(path);
	t0 = now_us();
	if (write(fd, out, out_len) != (ssize_t)out_len) {
		fprintf(stderr, "sim-client: cannot write to '%s': %s\n", path,
		    strerror(errno));
		return 1;
	}
	deadline = t0 + (uint64_t)timeout_ms * 1000;
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		uint64_t	now = now_us();

		if (now >= deadline)
			break;
		wait_ms = (int)((deadline - now + 999) / 1000);
		/* A raw reply, or one that will not decode, ends at a silence:
		 * its late bytes must not reach the next client. */
		if ((raw || r < 0) && in_len > 0 && wait_ms > RAW_SILENCE_MS)
			wait_ms = RAW_SILENCE_MS;
		if (poll(&pfd, 1, wait_ms) <= 0) {
			if ((raw || r < 0) && in_len > 0)
				break;
			continue;
		}
		n = read(fd, in + in_len, sizeof in - in_len);
		if (n <= 0)
			continue;
		t1 = now_us();
		if (in_len == 0)
			tfirst = t1;
		in_len += (size_t)n;
		if (raw || r < 0)
			continue;
		r = proto_response_decode(in, in_len, &req, &resp);
		if (r > 0)
			break;
	}
	close(fd);

	if (in_len == 0) {
		printf("timeout\n");
		return 4;
	}
	if (timing)
		printf("elapsed_us %llu first_byte_us %llu\n",
		    (unsigned long long)(t1 - t0),
		    (unsigned long long)(tfirst - t0));
	if (raw) {
		print_hex("reply", in, in_len);
		return 0;
	}
	if (r <= 0) {
		print_hex("garbled", in, in_len);
		return 5;
	}
	if (resp.exception != 0) {
		printf("exception %u\n", resp.exception);
		return 3;
	}
	if (identity && resp.nregs == PROTO_IDENTITY_COUNT) {
		proto_identity_decode(resp.regs, &id);
		printf("serial %s vendor %s model %s firmware %s device_id %s\n",
		    id.serial, id.vendor, id.model, id.firmware, id.device_id);
		return 0;
	}
	printf("regs");
	for (c = 0; c < resp.nregs; c++)
		printf(" %u", resp.regs[c]);
	printf("\n");
	return 0;
}
