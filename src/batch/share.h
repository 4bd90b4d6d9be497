/* share.h - port sharing: while the console holds a port, `pilecon -p PORT
 * COMMAND` from another terminal runs its job through the console instead
 * of failing on the port's lock.
 *
 * Where: one UNIX stream socket per port, named after the port's canonical
 * path (realpath; a tcp:HOST:PORT spec as written), in a folder only its
 * owner can enter: $XDG_RUNTIME_DIR/pilecon/, or /tmp/pilecon-UID/ (mode
 * 0700, ours, not a symlink) without it. Both ends check the other's user
 * with SO_PEERCRED: only the same user (or root) is served or believed.
 *
 * The wire: frames of one type byte, a 4-byte big-endian payload length
 * (at most SHARE_FRAME_MAX) and the payload.
 *
 *   client -> console, once, in this order:
 *     'V' "1"            the protocol version
 *     'o' "NAME=VALUE"   a global option the job runs with, 0 or more:
 *                        addr, json (0/1), keys (absolute path),
 *                        archive (absolute path), progress (0/1: the
 *                        client's stderr is a terminal)
 *     'a' WORD           the command line, one frame per word, 1 or more
 *                        ("logs", "pull", "--json")
 *     'g' ""             go: the request is complete
 *   console -> client, until it closes the connection:
 *     'O' BYTES          for the client's stdout, as batch mode prints it
 *     'E' BYTES          for its stderr (messages, events as they happen)
 *     'X' "N"            the exit code (pilecon(1)); always the last frame
 *
 * The client that closes its end cancels the job (Ctrl-C in the script's
 * terminal); the job stops at a transaction boundary, as Esc in the console
 * does. */
#ifndef SHARE_H
#define SHARE_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define SHARE_VERSION		"1"
#define SHARE_FRAME_MAX		(1024 * 1024)

/* The socket path for port spec; malloc'ed, or NULL with *cause. mkdir
 * makes the folder (0700) when missing and checks who owns it. */
char	*share_path(const char *port, int mkdir, char **cause);

/* 1 when the peer on the connected UNIX socket fd is this user (or
 * root), 0 when not, -1 when it cannot be told. */
int	share_peer_ok(int fd);

/* A growing byte buffer for frames in and out. */
struct share_buf {
	uint8_t	*data;
	size_t	 len, size, off;	/* off: consumed (in) or sent (out) */
};
void	share_buf_free(struct share_buf *);
/* Appends one frame. */
void	share_frame_put(struct share_buf *, int type, const void *p, size_t len);
/* The next complete frame in b: 1 with *type, *p (inside b) and *len, and
 * b->off moved past it; 0 when more bytes are needed; -1 when the frame
 * is too long. */
int	share_frame_get(struct share_buf *, int *type, const uint8_t **p, size_t *len);
/* Reads what fd has into b (non-blocking); bytes read, 0 at end, -1 on
 * error (errno EAGAIN when nothing is there yet). */
ssize_t	share_buf_read(struct share_buf *, int fd);
/* Writes what b holds from b->off; 1 when all is sent, 0 when some is
 * left, -1 on error. */
int	share_buf_write(struct share_buf *, int fd);

struct cmd_ctx;
/* Batch side: when a console holds ctx->opts.port, runs the command line
 * through it and returns its exit code with its output relayed on
 * ctx->out and ctx->err. -1 when no console shares the port (run the
 * command here). */
int	share_client_run(struct cmd_ctx *, int argc, char **argv);

#endif
