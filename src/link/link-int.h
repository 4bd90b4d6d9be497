/* link-int.h - what the files of src/link share and nobody else sees: the
 * link itself and the open functions of each backend. */
#ifndef LINK_INT_H
#define LINK_INT_H

#include <linux/serial.h>
#include <netdb.h>

#include "link/link.h"

struct sp_port;

enum link_kind {
	LINK_TERMIOS,		/* pseudo-terminals, ports libserialport refuses */
	LINK_SERIALPORT,	/* real serial ports */
	LINK_TCP		/* tcp:HOST:PORT */
};

struct link {
	enum link_kind		 kind;
	char			*name;		/* the spec as given, for messages */
	int			 fd;
	struct sp_port		*sp;		/* LINK_SERIALPORT only */
	struct link_params	 params;

	/* tune.c: what was changed at open, to restore at close */
	int			 rs485_set;
	struct serial_rs485	 rs485_saved;
	int			 serial_set;
	int			 serial_saved_flags;
	char			*latency_path;	/* sysfs latency_timer we wrote */
	int			 latency_saved_ms;
	int			 latency_ms;	/* -1 unknown */
	char			*notes;

	/* tcp.c: a connect in progress (link_reopen_start): the name being
	 * looked up (cresolve), then the addresses tried in turn (cfd) */
	struct link_resolve	*cresolve;	/* NULL when none */
	char			*chost;		/* the name, for messages */
	int			 cfd;		/* -1 when none */
	struct addrinfo		*cres, *cai;	/* the name's addresses, the one tried */
	int			 cerror;	/* the last address's error */
};

/* Each fills l->fd (and l->sp) or returns -1 with *cause. */
int	link_open_serial(struct link *, const char *path, char **cause);
int	link_open_tcp(struct link *, const char *hostport, char **cause);
int	link_check_tcp(const char *name, const char *hostport, char **cause);
/* The same without waiting: 1 with l->cfd connecting (link_tcp_finish
 * when it is writable or the time is up), 0 open, -1 with *cause. */
int	link_tcp_start(struct link *, const char *hostport, char **cause);
int	link_tcp_finish(struct link *, int timed_out, char **cause);
/* After link_tcp_start returned 1: waits for the end, up to
 * LINK_CONNECT_TIMEOUT_MS (the blocking open and reopen). */
int	link_tcp_wait(struct link *, char **cause);
void	link_tcp_abort(struct link *);

/* resolve.c: host and port looked up on a thread of its own. NULL with
 * *cause when the thread cannot start. */
struct link_resolve;
struct link_resolve *link_resolve_start(const char *host, const char *port,
	    char **cause);
/* Readable once the lookup is done. */
int	link_resolve_fd(const struct link_resolve *);
/* 1 not done yet; else done and freed: 0 with *res (freeaddrinfo), -1 with
 * getaddrinfo's error in *gai_rc. */
int	link_resolve_done(struct link_resolve *, struct addrinfo **res, int *gai_rc);
/* The caller no longer waits: the lookup ends and frees itself. */
void	link_resolve_abandon(struct link_resolve *);
void	link_close_serial(struct link *);

/* Takes an exclusive advisory lock so that two programs cannot share a port
 * by mistake; -1 with the "busy" message. */
int	link_lock(struct link *, char **cause);
/* tune.c: RS-485 mode and low latency for a serial port opened at path
 * (real_tty 0: a pty, which gets no latency settings); -1 with *cause when
 * --rs485 was asked and refused. link_untune restores what it changed. */
int	link_tune(struct link *, const char *path, int real_tty, char **cause);
void	link_untune(struct link *);
/* <root>/class/tty/NAME/device/FILE for a port; malloc'ed. */
char	*link_sysfs_path(const char *port, const char *file);
int	 link_sysfs_read_int(const char *path);

/* The messages every backend gives for a failed open(2). */
int	link_open_error(const char *name, int error, char **cause);

#endif
