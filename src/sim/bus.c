/* bus.c - pilesim's emulated RS-485 bus: a pseudo-terminal (or a real serial
 * device), Modbus RTU slave framing, and pacing of bytes at the baud rate. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "sim/shell.h"

/*
 * The wire carries characters of start, 8 data, parity if any and stop bits
 * (11 bits at the Modbus default 8E1, 10 at 8N1), so a frame of n bytes
 * occupies the line n * bits / baud s. A pseudo-terminal
 * delivers a request at once; with pacing on, the pile acts on it only when
 * its last byte would have arrived, waits t3.5 (Modbus over serial line
 * V1.02 §2.5.1.1) plus the adapter latency, and writes the reply a few bytes
 * at a time as the line would carry them.
 */

#define BUS_TXQ		8	/* replies waiting for the line */
#define BUS_RX_MAX	(16 * PROTO_ADU_MAX)	/* broadcasts come back to back */
#define BUS_CHUNK_US	1000	/* write paced bytes at most every 1 ms */
/* A pseudo-terminal delivers bytes in bursts as the writer's scheduler
 * allows, so silence is judged at twice t3.5 and never under 5 ms; a USB
 * serial adapter holds bytes for its latency timer (16 ms by default). */
#define BUS_GAP_PTY_MIN_US	5000
#define BUS_GAP_DEVICE_MIN_US	20000

struct bus_tx {
	uint8_t		buf[PROTO_ADU_MAX];
	size_t		len;
	size_t		sent;
	uint64_t	start_us;	/* first byte goes on the line */
};

struct bus {
	struct sim_world	*world;
	struct line		*line;
	int			 npiles;
	int			 fd;		/* pty master or the device */
	int			 slave_fd;	/* held open: no EIO when a client closes */
	char			*link;		/* our symlink, or NULL */
	char			*tty;		/* /dev/pts/K or the device */
	unsigned		 baud;
	struct uart_fmt		 fmt;		/* the pile's settings */
	unsigned		 char_bits;	/* bits a character at fmt */
	struct uart_fmt		 peer;		/* the master's, read off the pty */
	int			 have_peer;
	int			 pace;
	uint64_t		 t35_us;
	uint64_t		 gap_us;	/* silence that ends a frame */

	uint8_t			 rx[BUS_RX_MAX];
	size_t			 rx_len;
	uint64_t		 rx_first_us;	/* first byte of the frame in rx */
	uint64_t		 rx_last_us;	/* last byte received */
	int			 rx_discard;	/* drop input until a silence */

	struct bus_tx		 txq[BUS_TXQ];
	int			 tx_head, tx_count;
	uint64_t		 tx_free_us;	/* the line is free again */
	int			 want_write;	/* the terminal's buffer was full */

	uint64_t		 next_us;
	struct bus_stats	 stats;
	char			*error;		/* the terminal failed */
	FILE			*frames;	/* --frames: requests as hex lines */
};

static const struct {
	unsigned	baud;
	speed_t		speed;
} bus_speeds[] = {
	{ 1200, B1200 }, { 2400, B2400 }, { 4800, B4800 }, { 9600, B9600 },
	{ 19200, B19200 }, { 38400, B38400 }, { 57600, B57600 },
	{ 115200, B115200 }, { 230400, B230400 }, { 460800, B460800 },
	{ 500000, B500000 }, { 576000, B576000 }, { 921600, B921600 },
	{ 1000000, B1000000 }, { 1500000, B1500000 }, { 2000000, B2000000 },
};

int
bus_baud_valid(unsigned baud)
{
	size_t	i;

	for (i = 0; i < nitems(bus_speeds); i++) {
		if (bus_speeds[i].baud == baud)
			return 0;
	}
	return -1;
}

static speed_t
bus_speed(unsigned baud)
{
	size_t	i;

	for (i = 0; i < nitems(bus_speeds); i++) {
		if (bus_speeds[i].baud == baud)
			return bus_speeds[i].speed;
	}
	return B115200;
}

/* Raw at the baud rate and framing, reads never waiting for a byte count. */
static int
bus_set_raw(int fd, const struct uart_fmt *fmt, int pty, const char *name,
    char **cause)
{
	struct termios	tio;
	unsigned	baud = fmt->baud;

	if (tcgetattr(fd, &tio) != 0)
		return set_cause(cause, -1, _("cannot read the settings of '%s': %s"),
		    name, strerror(errno));
	cfmakeraw(&tio);
	tio.c_cflag |= CLOCAL | CREAD;
	tio.c_cflag &= ~CRTSCTS;
	uart_fmt_to_termios(fmt, &tio);
	/* A pseudo-terminal keeps no PARENB (Linux's pty_set_termios clears
	 * it, and glibc then calls the whole tcsetattr invalid); INPCK and
	 * PARODD still say which parity the pile runs. */
	if (pty)
		tio.c_cflag &= ~PARENB;
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	cfsetispeed(&tio, bus_speed(baud));
	cfsetospeed(&tio, bus_speed(baud));
	if (tcsetattr(fd, TCSANOW, &tio) != 0)
		return set_cause(cause, -1, _("cannot set '%s' to %u baud, raw: %s"),
		    name, baud, strerror(errno));
	return 0;
}

/* Points link at target, replacing an old symlink but nothing else. */
static int
bus_make_link(const char *link, const char *target, char **cause)
{
	struct stat	 st;
	char		*tmp;

	if (lstat(link, &st) == 0 && !S_ISLNK(st.st_mode))
		return set_cause(cause, -1, _("cannot link the bus at '%s': a file "
		    "that is not a symbolic link is in the way (remove it or use "
		    "--link PATH)"), link);
	/* Replace atomically: a client never sees the path missing. */
	tmp = xasprintf("%s.%ld.tmp", link, (long)getpid());
	(void)unlink(tmp);
	if (symlink(target, tmp) != 0) {
		set_cause(cause, -1, _("cannot create symbolic link '%s': %s"),
		    tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	if (rename(tmp, link) != 0) {
		set_cause(cause, -1, _("cannot create symbolic link '%s': %s"),
		    link, strerror(errno));
		(void)unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

static int
bus_open_pty(struct bus *b, const char *link, char **cause)
{
	const char	*name;

	b->fd = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (b->fd < 0)
		return set_cause(cause, -1, _("cannot create a pseudo-terminal: %s"),
		    strerror(errno));
	if (grantpt(b->fd) != 0 || unlockpt(b->fd) != 0 ||
	    (name = ptsname(b->fd)) == NULL)
		return set_cause(cause, -1, _("cannot unlock the pseudo-terminal: %s"),
		    strerror(errno));
	b->tty = xstrdup(name);
	b->slave_fd = open(b->tty, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (b->slave_fd < 0)
		return set_cause(cause, -1, _("cannot open '%s': %s"), b->tty,
		    strerror(errno));
	if (bus_set_raw(b->slave_fd, &b->fmt, 1, b->tty, cause) != 0)
		return -1;
	if (bus_make_link(link, b->tty, cause) != 0)
		return -1;
	b->link = xstrdup(link);
	return 0;
}

static int
bus_open_device(struct bus *b, const char *device, char **cause)
{
	b->tty = xstrdup(device);
	b->fd = open(device, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (b->fd < 0) {
		if (errno == EACCES)
			return set_cause(cause, -1, _("cannot open '%s': %s (add "
			    "yourself to group 'dialout')"), device, strerror(errno));
		return set_cause(cause, -1, _("cannot open '%s': %s"), device,
		    strerror(errno));
	}
	if (!isatty(b->fd))
		return set_cause(cause, -1, _("cannot use '%s': not a serial "
		    "device"), device);
	if (bus_set_raw(b->fd, &b->fmt, 0, device, cause) != 0)
		return -1;
	(void)tcflush(b->fd, TCIOFLUSH);
	return 0;
}

struct bus *
bus_open(const struct bus_config *cfg, struct sim_world *world,
    struct line *line, char **cause)
{
	struct bus	*b;
	uint64_t	 min_gap;

	b = xcalloc(1, sizeof *b);
	b->world = world;
	b->line = line;
	b->npiles = sim_world_npiles(world);
	b->fd = b->slave_fd = -1;
	b->baud = cfg->baud;
	b->fmt.baud = cfg->baud;
	b->fmt.parity = cfg->parity != 0 ? cfg->parity : 'E';
	b->fmt.stop_bits = cfg->stop_bits != 0 ? cfg->stop_bits : 1;
	b->char_bits = proto_char_bits(b->fmt.parity, b->fmt.stop_bits);
	b->pace = cfg->pace;
	b->t35_us = proto_t35_us(cfg->baud, b->char_bits);
	min_gap = cfg->device != NULL ? BUS_GAP_DEVICE_MIN_US : BUS_GAP_PTY_MIN_US;
	b->gap_us = 2 * b->t35_us > min_gap ? 2 * b->t35_us : min_gap;
	b->next_us = UINT64_MAX;
	if (cfg->frames != NULL && (b->frames = fopen(cfg->frames, "a")) == NULL) {
		set_cause(cause, -1, _("cannot open '%s': %s"), cfg->frames,
		    strerror(errno));
		bus_close(b);
		return NULL;
	}
	if ((cfg->device != NULL ? bus_open_device(b, cfg->device, cause) :
	    bus_open_pty(b, cfg->link, cause)) != 0) {
		bus_close(b);
		return NULL;
	}
	return b;
}

void
bus_close(struct bus *b)
{
	char	target[PATH_MAX];
	ssize_t	n;

	if (b == NULL)
		return;
	if (b->link != NULL) {
		/* Only our own link: a newer pilesim may have taken the path. */
		n = readlink(b->link, target, sizeof target - 1);
		if (n >= 0) {
			target[n] = '\0';
			if (strcmp(target, b->tty) == 0)
				(void)unlink(b->link);
		}
	}
	if (b->slave_fd >= 0)
		close(b->slave_fd);
	if (b->fd >= 0)
		close(b->fd);
	if (b->frames != NULL)
		fclose(b->frames);
	free(b->link);
	free(b->tty);
	free(b->error);
	free(b);
}

const char *
bus_tty_name(const struct bus *b)
{
	return b->tty;
}

const struct bus_stats *
bus_stats(const struct bus *b)
{
	return &b->stats;
}

const struct uart_fmt *
bus_fmt(const struct bus *b)
{
	return &b->fmt;
}

int
bus_peer_fmt(const struct bus *b, struct uart_fmt *f)
{
	if (!b->have_peer)
		return 0;
	*f = b->peer;
	return 1;
}

/* On a pty, reads back what the master set; 1 when it differs from the
 * pile's settings, so that the bytes between them must be garbled. */
static int
bus_mismatch(struct bus *b)
{
	struct termios	tio;

	if (b->slave_fd < 0 || tcgetattr(b->fd, &tio) != 0 ||
	    uart_fmt_from_termios(&tio, &b->peer) != 0) {
		b->have_peer = 0;
		return 0;
	}
	b->have_peer = 1;
	return !uart_fmt_equal(&b->peer, &b->fmt);
}

static int
bus_pacing(const struct bus *b, uint64_t now_us)
{
	return b->pace || line_active(b->line, now_us);
}

/* Microseconds the line needs for n characters. */
static uint64_t
bus_wire_us(const struct bus *b, size_t n)
{
	return ((uint64_t)n * b->char_bits * 1000000 + b->baud - 1) / b->baud;
}

static void
bus_next(struct bus *b, uint64_t at_us)
{
	if (at_us < b->next_us)
		b->next_us = at_us;
}

/* Puts a reply on the line's queue: it starts at start_us at the earliest,
 * and never before the previous reply has left plus t3.5. */
static void
bus_queue(struct bus *b, const uint8_t *buf, size_t len, uint64_t start_us)
{
	struct bus_tx	*tx;

	if (b->tx_count == BUS_TXQ) {
		/* A master that does not wait for its answers: the oldest
		 * reply collides with the newest on a real bus too. */
		b->tx_head = (b->tx_head + 1) % BUS_TXQ;
		b->tx_count--;
	}
	tx = &b->txq[(b->tx_head + b->tx_count) % BUS_TXQ];
	memcpy(tx->buf, buf, len);
	tx->len = len;
	tx->sent = 0;
	tx->start_us = start_us;
	b->tx_count++;
}

static void
bus_reply(struct bus *b, const uint8_t *buf, size_t len, uint64_t now_us)
{
	uint8_t		frame[PROTO_ADU_MAX];
	uint64_t	start_us = now_us;

	if (line_drop_reply(b->line))
		return;
	memcpy(frame, buf, len);
	len = line_damage_reply(b->line, frame, len);
	if (bus_mismatch(b)) {
		/* The master's UART reads our characters at its own settings. */
		uint8_t	seen[PROTO_ADU_MAX];

		len = uart_convert(&b->fmt, &b->peer, frame, len, seen,
		    sizeof seen);
		memcpy(frame, seen, len);
		b->stats.mismatched++;
		if (len == 0)
			return;
	}
	if (bus_pacing(b, now_us))
		start_us += b->t35_us + (uint64_t)b->line->latency_ms * 1000;
	bus_queue(b, frame, len, start_us);
	b->stats.replies++;
}

static void
bus_exception(struct bus *b, uint8_t unit, uint8_t fc, uint8_t ex, uint64_t now_us)
{
	uint8_t	buf[8];
	int	n;

	n = proto_exception_encode(unit, fc & 0x7F, ex, buf, sizeof buf);
	if (n > 0)
		bus_reply(b, buf, (size_t)n, now_us);
}

/* Address 0: every pile on the wire hears the frame, unless the line loses
 * it for all or a pile's own receiver misses it; nobody answers (Modbus over
 * serial line V1.02 §2.1). */
static void
bus_broadcast(struct bus *b, const struct proto_request *req, uint64_t now_us)
{
	uint8_t	hears[256];
	int	i;

	b->stats.unanswered++;
	if (line_drop_broadcast(b->line))
		return;
	memset(hears, 0, sizeof hears);
	for (i = 1; i <= b->npiles; i++)
		hears[i] = !line_drop_at(b->line, (unsigned)i);
	sim_world_broadcast(b->world, req, hears, now_us / 1000);
}

static void
bus_request(struct bus *b, const struct proto_request *req, uint64_t now_us)
{
	struct proto_response	resp;
	uint8_t			buf[PROTO_ADU_MAX];
	int			n;

	b->stats.requests++;
	if (line_pulled(b->line, now_us)) {
		b->line->pulled_frames++;
		return;
	}
	if (line_drop_request(b->line))
		return;
	if (req->unit == 0) {
		bus_broadcast(b, req, now_us);
		return;
	}
	if (line_drop_at(b->line, req->unit))
		return;
	if (b->line->busy[req->unit]) {
		b->line->busy_replies++;
		bus_exception(b, req->unit, req->fc, PROTO_EX_BUSY, now_us);
		return;
	}
	memset(&resp, 0, sizeof resp);
	if (sim_world_modbus(b->world, req, &resp, now_us / 1000) != 0) {
		b->stats.unanswered++;
		return;
	}
	n = proto_response_encode(&resp, buf, sizeof buf);
	if (n <= 0) {
		/* The world built a reply Modbus cannot carry: a bug, but the
		 * master deserves an answer rather than a timeout. */
		bus_exception(b, req->unit, req->fc, PROTO_EX_DEVICE_FAILURE, now_us);
		return;
	}
	bus_reply(b, buf, (size_t)n, now_us);
}

/* An unknown function code: its length is unknown, so the frame ends at the
 * silence; a whole frame with a good CRC gets exception 01. */
static void
bus_unknown_function(struct bus *b, uint64_t now_us)
{
	uint16_t	crc;
	uint8_t		unit;

	if (b->rx_len < 4) {
		b->stats.frame_errors++;
		return;
	}
	crc = (uint16_t)(b->rx[b->rx_len - 2] | b->rx[b->rx_len - 1] << 8);
	if (proto_crc16(b->rx, b->rx_len - 2) != crc) {
		b->stats.crc_errors++;
		return;
	}
	unit = b->rx[0];
	b->stats.requests++;
	b->stats.bad_function++;
	if (unit == 0 || unit > b->npiles) {
		b->stats.unanswered++;
		return;
	}
	if (line_pulled(b->line, now_us)) {
		b->line->pulled_frames++;
		return;
	}
	if (line_drop_request(b->line))
		return;
	bus_exception(b, unit, b->rx[1], PROTO_EX_ILLEGAL_FUNCTION, now_us);
}

/* --frames: what a tap on the line would see, for tests that replay it. */
static void
bus_log_frame(struct bus *b, size_t n)
{
	size_t	i;

	if (b->frames == NULL)
		return;
	for (i = 0; i < n; i++)
		fprintf(b->frames, "%02x", b->rx[i]);
	fputc('\n', b->frames);
	fflush(b->frames);
}

static void
bus_consume(struct bus *b, size_t n)
{
	memmove(b->rx, b->rx + n, b->rx_len - n);
	b->rx_len -= n;
}

/* Takes complete frames off the receive buffer when their time has come. */
static void
bus_parse(struct bus *b, uint64_t now_us)
{
	struct proto_request	req;
	uint64_t		ready_us;
	int			r;

	for (;;) {
		if (b->rx_discard) {
			if (now_us - b->rx_last_us < b->gap_us) {
				bus_next(b, b->rx_last_us + b->gap_us);
				return;
			}
			b->rx_discard = 0;
		}
		if (b->rx_len == 0)
			return;
		r = proto_request_decode(b->rx, b->rx_len, &req);
		if (r > 0) {
			ready_us = b->rx_first_us + bus_wire_us(b, (size_t)r);
			if (bus_pacing(b, now_us) && now_us < ready_us) {
				bus_next(b, ready_us);
				return;
			}
			bus_log_frame(b, (size_t)r);
			bus_consume(b, (size_t)r);
			/* Whatever followed at once belongs to the next frame. */
			b->rx_first_us = ready_us < now_us ? ready_us : now_us;
			bus_request(b, &req, now_us);
			continue;
		}
		switch (r) {
		case PROTO_NEED_MORE:
			if (now_us - b->rx_last_us >= b->gap_us) {
				b->stats.partial++;
				b->rx_len = 0;
				return;
			}
			bus_next(b, b->rx_last_us + b->gap_us);
			return;
		case PROTO_E_FUNCTION:
			if (now_us - b->rx_last_us < b->gap_us) {
				bus_next(b, b->rx_last_us + b->gap_us);
				return;
			}
			bus_unknown_function(b, now_us);
			b->rx_len = 0;
			return;
		case PROTO_E_CRC:
			b->stats.crc_errors++;
			break;
		default:
			b->stats.frame_errors++;
			break;
		}
		/* Resynchronise the way a slave does: at the next silence. */
		b->rx_len = 0;
		b->rx_discard = 1;
	}
}

static void
bus_read(struct bus *b, uint64_t now_us)
{
	uint8_t	buf[512], seen[1024];
	ssize_t	n;
	size_t	room;

	for (;;) {
		/* Frames written back to back (broadcasts wait for no reply)
		 * can outrun us: take the complete ones off before reading on,
		 * as a slave's receiver does, instead of overflowing. */
		if (b->rx_len + sizeof buf > sizeof b->rx)
			bus_parse(b, now_us);
		room = sizeof b->rx - b->rx_len;
		if (room == 0)
			return;		/* paced: the frames wait for their time */
		n = read(b->fd, buf, room < sizeof buf ? room : sizeof buf);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			/* A USB adapter pulled out, say: nothing more will come. */
			if (b->error == NULL)
				b->error = xasprintf(_("cannot read from '%s': %s"),
				    b->tty, n < 0 ? strerror(errno) :
				    _("end of file"));
			return;
		}
		if (b->line->echo) {
			/* A two-wire adapter without direction control
			 * hears its own request: the master reads it back
			 * first. */
			(void)!write(b->fd, buf, (size_t)n);
		}
		if (bus_mismatch(b)) {
			/* Our UART reads the master's characters at our
			 * settings: framing errors and garbage. */
			n = (ssize_t)uart_convert(&b->peer, &b->fmt, buf,
			    (size_t)n, seen, sizeof buf);
			memcpy(buf, seen, (size_t)n);
			b->stats.mismatched++;
			if (n == 0)
				continue;
		}
		line_corrupt(b->line, buf, (size_t)n);
		if (line_pulled(b->line, now_us)) {
			/* Nothing reaches the piles; the bytes still make noise. */
			b->rx_last_us = now_us;
			continue;
		}
		if (b->rx_discard) {
			b->rx_last_us = now_us;
			continue;
		}
		if (b->rx_len == 0)
			b->rx_first_us = now_us;
		b->rx_last_us = now_us;
		room = sizeof b->rx - b->rx_len;
		if ((size_t)n > room) {
			/* Longer than any frame: garbage until the silence. */
			b->stats.frame_errors++;
			b->rx_len = 0;
			b->rx_discard = 1;
			continue;
		}
		memcpy(b->rx + b->rx_len, buf, (size_t)n);
		b->rx_len += (size_t)n;
	}
}

/* Writes the reply bytes that are due. */
static void
bus_write(struct bus *b, uint64_t now_us)
{
	struct bus_tx	*tx;
	size_t		 due, step;
	ssize_t		 n;
	int		 pacing;

	b->want_write = 0;
	while (b->tx_count > 0) {
		tx = &b->txq[b->tx_head];
		pacing = bus_pacing(b, now_us);
		if (pacing && tx->sent == 0 && tx->start_us < b->tx_free_us)
			tx->start_us = b->tx_free_us;
		if (pacing && now_us < tx->start_us) {
			bus_next(b, tx->start_us);
			return;
		}
		due = tx->len;
		if (pacing) {
			/* A byte is there once its stop bit has been sent. */
			due = (size_t)((now_us - tx->start_us) * b->baud /
			    (1000000 * (uint64_t)b->char_bits));
			if (due > tx->len)
				due = tx->len;
		}
		if (due > tx->sent) {
			n = write(b->fd, tx->buf + tx->sent, due - tx->sent);
			if (n < 0) {
				if (errno == EAGAIN || errno == EINTR) {
					b->want_write = 1;
					return;
				}
				/* Device gone: the reply is lost on the wire. */
				tx->sent = tx->len;
			} else
				tx->sent += (size_t)n;
			if (tx->sent < due) {
				b->want_write = 1;
				return;
			}
		}
		if (tx->sent < tx->len) {
			step = (BUS_CHUNK_US * b->baud + b->char_bits * 1000000 -
			    1) / (b->char_bits * 1000000);
			if (step == 0)
				step = 1;
			due = tx->sent + step;
			if (due > tx->len)
				due = tx->len;
			bus_next(b, tx->start_us + bus_wire_us(b, due));
			return;
		}
		b->tx_free_us = (pacing ? tx->start_us + bus_wire_us(b, tx->len) :
		    now_us) + b->t35_us;
		b->tx_head = (b->tx_head + 1) % BUS_TXQ;
		b->tx_count--;
	}
}

void
bus_pollfd(const struct bus *b, struct pollfd *pfd)
{
	pfd->fd = b->fd;
	pfd->events = POLLIN;
	if (b->want_write)
		pfd->events |= POLLOUT;
	pfd->revents = 0;
}

void
bus_service(struct bus *b, short revents, uint64_t now_us)
{
	b->next_us = UINT64_MAX;
	if (b->error != NULL)
		return;
	if (revents & (POLLIN | POLLHUP | POLLERR))
		bus_read(b, now_us);
	bus_parse(b, now_us);
	bus_write(b, now_us);
}

uint64_t
bus_next_us(const struct bus *b)
{
	return b->next_us;
}

const char *
bus_error(const struct bus *b)
{
	return b->error;
}
