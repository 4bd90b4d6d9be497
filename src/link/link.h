/* link.h - public face of src/link: byte transports with timed I/O.
 * A port spec is a path (/dev/ttyUSB0, /dev/pts/3, a symlink to either) or
 * tcp:HOST:PORT (an RS-485-to-Ethernet server in raw TCP mode). Real serial
 * ports go through libserialport; pseudo-terminals (which libserialport 0.1.1
 * cannot open) and anything libserialport refuses go through termios. */
#ifndef LINK_H
#define LINK_H

#include <stddef.h>
#include <stdint.h>

struct link;

struct link_params {
	unsigned	baud;		/* 9600, 19200, 38400, 57600, 115200 ... */
	char		parity;		/* 'N', 'E', 'O' */
	unsigned	stop_bits;	/* 1 or 2 */
	/* Native UARTs: the kernel's RS-485 mode (TIOCSRS485, RTS high while
	 * sending, delays around it); refused with a message elsewhere. */
	int		rs485;
	unsigned	rts_delay_before_ms, rts_delay_after_ms;
	/* USB adapters: ask for low latency (ASYNC_LOW_LATENCY or the sysfs
	 * latency_timer); link_notes says when it cannot. */
	int		low_latency;
	/* A two-wire adapter without automatic direction control hears its
	 * own transmission: the bus drops that echo ahead of each reply. */
	int		echo;
};

/* NULL with *cause set (malloc'ed, caller frees) when the port cannot be
 * opened: the message names the port and what to check. */
struct link	*link_open(const char *spec, const struct link_params *, char **cause);
void		 link_close(struct link *);
/* 0 when spec and params can name a port (a TCP port is 1..65535, a baud
 * rate in range...), or -1 with *cause: bad input, before any system call. */
int		 link_check(const char *spec, const struct link_params *, char **cause);
/* After the port went away (adapter yanked, the pty's other end gone):
 * closes it but keeps the link, whose reads and writes then fail until
 * link_reopen. link_fd is -1 meanwhile. */
void		 link_suspend(struct link *);
/* Opens the port again, by spec (NULL: by the same name; a new name
 * becomes the link's name), with params (NULL: the same settings): 0, or
 * -1 with *cause (checked params that are bad change nothing). */
int		 link_reopen(struct link *, const char *spec, const struct link_params *,
		    char **cause);
/* The same without waiting for a TCP server (the console reopens in its
 * poll loop): a tcp: port whose name is being looked up or whose connect
 * is in progress returns 1; poll link_connect_fd for its events, then
 * call link_reopen_finish. Other ports open (0) or fail (-1) at once, as
 * link_reopen. */
int		 link_reopen_start(struct link *, const char *spec,
		    const struct link_params *, char **cause);
/* After link_reopen_start returned 1: 0 open, 1 still connecting (not yet
 * writable, or the next address of the name tried), -1 with *cause.
 * timed_out: the caller's LINK_CONNECT_TIMEOUT_MS passed: give up. */
int		 link_reopen_finish(struct link *, int timed_out, char **cause);
/* What to poll while a connect is in progress, -1 when none: the pipe that
 * says a host name's lookup is done (*events POLLIN; link_reopen_finish
 * then connects), then the socket (POLLOUT). */
int		 link_connect_fd(const struct link *, short *events);
/* How long connecting to a TCP server may take, the lookup of its name
 * included. A numeric address is never looked up. */
#define LINK_CONNECT_TIMEOUT_MS	3000
/* The /dev/serial/by-id name of the port at path (a name that survives
 * replugging an adapter), malloc'ed; NULL when none, or when path is one. */
char		*link_by_id(const char *path);
/* fd to poll for reading. */
int		 link_fd(const struct link *);
const char	*link_name(const struct link *);
const struct link_params *link_params(const struct link *);

/* Writes all of buf (blocking, bounded by timeout_ms); 0 or -1 with *cause. */
int	link_write(struct link *, const uint8_t *buf, size_t len, int timeout_ms, char **cause);
/* Reads what is there now, up to len bytes, without blocking: returns bytes
 * read (0 when none), -1 with *cause on error or when the port went away
 * (cable yanked, USB adapter unplugged). */
int	link_read_now(struct link *, uint8_t *buf, size_t len, char **cause);
/* Drops unread input (before a new request). */
void	link_flush_input(struct link *);

/* What the open could not do but the link works without (low latency),
 * one sentence a line; NULL when nothing. */
const char	*link_notes(const struct link *);
/* The adapter's latency timer in ms as the link left it, -1 when unknown. */
int		 link_latency_ms(const struct link *);

/* The kernel interfaces behind --rs485 and low latency, for tests: an ioctl
 * to call instead of ioctl(2) (NULL restores it), and the sysfs root
 * (PILECON_SYSFS_ROOT, default /sys). */
typedef int	 link_ioctl_fn(int fd, unsigned long request, void *arg);
void		 link_set_ioctl(link_ioctl_fn *);
/* The lookup of a tcp: port's host name, for tests: a getaddrinfo to call
 * instead (NULL restores it). It runs on the lookup's own thread. */
struct addrinfo;
typedef int	 link_getaddrinfo_fn(const char *host, const char *port,
		    const struct addrinfo *hints, struct addrinfo **res);
void		 link_set_getaddrinfo(link_getaddrinfo_fn *);
const char	*link_sysfs_root(void);

/* Serial ports present on this machine (libserialport): USB adapters with
 * VID:PID, manufacturer, product, serial. Returns count, -1 with *cause;
 * *out (sorted by name) is the caller's to free(). */
struct link_port_info {
	char		name[256];
	char		description[256];
	int		usb;		/* 1 for a USB adapter */
	unsigned	vid, pid;
	char		manufacturer[128], product[128], serial[128];
	char		by_id[256];	/* /dev/serial/by-id/... name, or "" */
	int		latency_ms;	/* sysfs latency_timer, -1 when none */
};
int	link_list_ports(struct link_port_info **out, char **cause);

/* Modbus RTU timing for these params: t3.5 silence and the time a frame of
 * n bytes takes on the wire, in microseconds. */
unsigned	link_char_bits(const struct link_params *);	/* 11 at 8E1, 10 at 8N1 */
/* "115200 8E1" into buf. */
const char	*link_params_str(const struct link_params *, char *buf, size_t size);
unsigned	link_t35_us(const struct link_params *);
unsigned	link_frame_us(const struct link_params *, size_t nbytes);

#endif
