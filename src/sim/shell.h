/* shell.h - pilesim's shell around the world (private to src/sim): the bus
 * (pseudo-terminal or serial device, Modbus RTU slave framing, pacing), the
 * line emulator and the control socket. */
#ifndef SIM_SHELL_H
#define SIM_SHELL_H

#include <poll.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/sim.h"

#define SHELL_SOCKET_NAME	"ctl.sock"

/* Monotonic clock in microseconds (CLOCK_MONOTONIC). */

/* ---- line.c: the line emulator ----------------------------------------- */

/* Faults on the wire, deterministic from the seed: the same seed and the same
 * sequence of frames give the same damage. */
struct line {
	uint64_t	 rng;		/* splitmix64 state */
	uint64_t	 seed;
	double		 ber;		/* probability that a bit flips */
	double		 drop;		/* probability that a frame is lost */
	double		 truncate;	/* probability that a reply is cut short */
	unsigned	 latency_ms;	/* before each reply (USB adapter latency) */
	uint64_t	 pulled_until_us;	/* cable pulled until then */
	uint8_t		 busy[256];	/* 1: that address answers exception 06 */
	double		 drop_broadcast;	/* a broadcast frame is lost for all */
	double		 drop_pile[256];	/* that pile misses a frame it should hear */
	int		 echo;		/* the master's adapter hears itself */

	/* What the line did, for `line show`. */
	uint64_t	 dropped_requests, dropped_replies;
	uint64_t	 truncated, corrupted_frames, flipped_bits;
	uint64_t	 pulled_frames, busy_replies;
	uint64_t	 broadcasts, dropped_broadcasts, missed[256];
};

void	line_init(struct line *, uint64_t seed);
/* Any fault or latency set: the bus then paces bytes at the baud rate. */
int	line_active(const struct line *, uint64_t now_us);
int	line_pulled(const struct line *, uint64_t now_us);
/* Draws whether the next frame is lost (counted as request or reply). */
int	line_drop_request(struct line *);
int	line_drop_reply(struct line *);
/* Draws whether a whole broadcast frame is lost, and whether pile addr
 * alone misses a frame (unicast or broadcast) the others hear. */
int	line_drop_broadcast(struct line *);
int	line_drop_at(struct line *, unsigned addr);
/* "ADDR:RATE" of --drop-pile; -1 when it is not one. */
int	line_parse_pile_rate(const char *, unsigned *addr, double *rate);
/* Bit errors on received bytes. */
void	line_corrupt(struct line *, uint8_t *buf, size_t len);
/* Truncation and bit errors on a reply; returns its new length (>= 1). */
size_t	line_damage_reply(struct line *, uint8_t *buf, size_t len);

struct bus_stats;
/* `pilesim ctl line ...`: returns the exit status (0 ok, 1 failed, 2 usage). */
int	line_ctl(struct line *, const struct bus_stats *, int npiles,
	    int argc, char **argv, FILE *out, uint64_t now_us);
/* Parses a probability in [0, 1] ("1e-4", "0.05"); -1 when it is not one. */
int	line_parse_rate(const char *, double *);

/* ---- uart.c: serial settings that differ ------------------------------ */

struct termios;

/* Baud rate and framing of one end of the line (always 8 data bits). */
struct uart_fmt {
	unsigned	baud;
	char		parity;		/* 'N', 'E', 'O' */
	unsigned	stop_bits;	/* 1 or 2 */
};

int	uart_fmt_equal(const struct uart_fmt *, const struct uart_fmt *);
/* "19200 8E1" into buf. */
const char *uart_fmt_str(const struct uart_fmt *, char *buf, size_t size);
/* What a receiver at rx makes of n characters sent at tx: up to max bytes,
 * garbled and 0x00 for framing and parity errors, as a real UART. */
size_t	uart_convert(const struct uart_fmt *tx, const struct uart_fmt *rx,
	    const uint8_t *in, size_t n, uint8_t *out, size_t max);
/* The settings a master set on the pty, read back on its master side
 * (parity from PARODD / INPCK, since a pty clears PARENB); -1 for a baud
 * rate it does not know. */
int	uart_fmt_from_termios(const struct termios *, struct uart_fmt *);
/* Sets CS8, parity (with INPCK) and stop bits in tio. */
void	uart_fmt_to_termios(const struct uart_fmt *, struct termios *);

/* ---- bus.c: the emulated RS-485 bus ------------------------------------ */

struct bus_stats {
	uint64_t	requests;	/* valid requests taken off the wire */
	uint64_t	replies;	/* replies written to the wire */
	uint64_t	unanswered;	/* no pile at that address, or broadcast */
	uint64_t	crc_errors;
	uint64_t	frame_errors;
	uint64_t	partial;	/* incomplete frames dropped after a silence */
	uint64_t	bad_function;	/* unknown function codes (exception 01) */
	uint64_t	mismatched;	/* reads garbled: the master's settings differ */
};

struct bus_config {
	const char	*link;		/* symlink to the pty slave (NULL with device) */
	const char	*device;	/* real serial device instead of a pty */
	unsigned	 baud;
	char		 parity;	/* 'N', 'E', 'O' (default 'E': Modbus 8E1) */
	unsigned	 stop_bits;	/* 1 or 2 */
	int		 pace;		/* pace bytes at the baud rate */
	const char	*frames;	/* append every request frame here, in hex */
};

struct bus;

struct bus	*bus_open(const struct bus_config *, struct sim_world *, struct line *,
		    char **cause);
/* Removes the symlink (when it is still ours) and closes the terminal. */
void		 bus_close(struct bus *);
const char	*bus_tty_name(const struct bus *);	/* /dev/pts/K or the device */
const struct bus_stats *bus_stats(const struct bus *);
/* Fills one pollfd for the bus. */
void		 bus_pollfd(const struct bus *, struct pollfd *);
/* Reads what arrived (when revents says so), answers complete requests whose
 * time has come and writes the reply bytes that are due. */
void		 bus_service(struct bus *, short revents, uint64_t now_us);
/* When the bus next needs bus_service() without input: absolute µs, or
 * UINT64_MAX for never. */
uint64_t	 bus_next_us(const struct bus *);
/* Why the terminal stopped working (the device went away), or NULL. */
const char	*bus_error(const struct bus *);
/* The pile's serial settings, and the master's as last read from the pty
 * (0 when there is none to read: a real device, or nothing read yet). */
const struct uart_fmt *bus_fmt(const struct bus *);
int		 bus_peer_fmt(const struct bus *, struct uart_fmt *);
/* Accepts a baud rate the terminal can be set to; -1 otherwise. */
int		 bus_baud_valid(unsigned);

/* ---- ctlsock.c: the control socket ------------------------------------- */

/* Runs one command and writes its answer to out; returns the exit status. */
typedef int (*ctlsock_run_fn)(void *arg, int argc, char **argv, FILE *out);

#define CTLSOCK_MAX_CLIENTS	16
#define CTLSOCK_MAGIC		"PSC1"
#define CTLSOCK_MAX_REQUEST	(256 * 1024)
#define CTLSOCK_MAX_ARGS	1024

struct ctlsock;

/* Listens on path (mode 0600); a stale socket is replaced, a live one (another
 * pilesim on the same data folder) is an error. */
struct ctlsock	*ctlsock_open(const char *path, ctlsock_run_fn, void *arg, char **cause);
void		 ctlsock_close(struct ctlsock *);	/* also removes the socket */
/* Fills up to max pollfds (listener and clients); returns how many. */
int		 ctlsock_pollfds(const struct ctlsock *, struct pollfd *, int max);
void		 ctlsock_service(struct ctlsock *, const struct pollfd *, int n,
		    uint64_t now_us);
uint64_t	 ctlsock_next_us(const struct ctlsock *);

/* ---- ctl-client.c: `pilesim ctl` --------------------------------------- */

int	ctl_client_main(int argc, char **argv);

#endif
