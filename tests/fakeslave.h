/* fakeslave.h - a small Modbus slave for the link and pile unit tests: a
 * forked child behind a pseudo-terminal that answers with the proto encoders
 * as pile address 1 ('SIM-0001') and misbehaves on command. Its control
 * registers act as a pile's: control.clock sets live.clock,
 * control.force_offline_until the link state, and with FS_ONLINE
 * control.resync starts a resync that never ends (resync_state running). */
#ifndef FAKESLAVE_H
#define FAKESLAVE_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "pile/pile.h"

#define FS_SILENT		0x0001	/* never answers */
#define FS_CORRUPT_FIRST	0x0002	/* the first reply has a bad CRC-16 */
#define FS_EXCEPTION		0x0004	/* every request: exception 02 */
#define FS_CLOSE		0x0008	/* closes the port on the first request */
#define FS_NO_FC23		0x0010	/* FC 23: exception 01 (illegal function) */
#define FS_BAD_RECORD		0x0020	/* record FS_BAD_SEQ fails its CRC-32 */
#define FS_SESSION_EXPIRES	0x0040	/* a session lasts one write */
#define FS_WL_FULL		0x0080	/* whitelist command: result "full" */
#define FS_WL_EXCEPTION		0x0100	/* whitelist command: exception 03,
					 * result "bad entry" */
#define FS_GARBLE_ALL		0x0200	/* every reply has a bad CRC-16 */
#define FS_AUTH_EXCEPTION	0x0400	/* wrong auth.response: exception 03,
					 * last_error 2 (as pilesim does) */
#define FS_SIGNED		0x0800	/* a 1.1 pile with cap SIGNED: public key,
					 * a signed window, each record signed */
#define FS_FORGED_SIG		0x1000	/* with FS_SIGNED: record FS_FORGED_SEQ is
					 * signed with another key, the next one
					 * carries a signature with r changed */
#define FS_CUSTODY		0x2000	/* a 1.1 pile with caps STORE and CUSTODY:
					 * custody writes checked against its
					 * records' SHA-256 (pilecon-protocol(7),
					 * CUSTODY) */
#define FS_ONLINE		0x4000	/* online with its back-end (not forced
					 * offline): a resync runs until the end */
#define FS_RESYNC_QUICK		0x8000	/* with FS_ONLINE: a resync is over as
					 * soon as it is asked for (done, every
					 * record acknowledged) */

#define FS_UNIT		1
#define FS_SERIAL	"SIM-0001"
#define FS_RECORDS	100	/* records 1..100 */
#define FS_BAD_SEQ	57
#define FS_FORGED_SEQ	41

struct fakeslave {
	pid_t	pid;
	char	path[64];	/* the pty the master opens */
	int	slave_fd;	/* keeps the pty alive between opens */
	int	log_fd;	/* a line per request seen: "FC ADDR LEN UNIT" in hex,
			 * hex, decimal, decimal; ADDR is the write address
			 * for writes and FC 23, else the read address */
};

/* Starts the child; key is the pile key (32 bytes). 0 or -1. */
int	fakeslave_start(struct fakeslave *, unsigned mode, const uint8_t *key);
/* Stops the child and returns what it logged (malloc'ed, maybe ""). */
char	*fakeslave_stop(struct fakeslave *);
/* Number of lines in a log that start with prefix ("17 1000 17"). */
int	fakeslave_count(const char *log, const char *prefix);

/* The rig of the pile tests: a fake slave and our master on its pty (8E1,
 * 115200 baud), one pile at addr on it. */
struct fakeslave_rig {
	struct fakeslave	 fs;
	struct link		*link;
	struct pile_bus		*bus;
	struct pile		*pile;
	char			*log;	/* the slave's, after fakeslave_rig_stop */
};

/* Starts both ends (key as for fakeslave_start); 0, or -1 with why printed
 * as a TAP comment. */
int	fakeslave_rig_start(struct fakeslave_rig *, unsigned mode,
	    const uint8_t *key, uint8_t addr, const struct pile_bus_opts *);
/* Frees the master's end, stops the slave and keeps its log in ->log. */
void	fakeslave_rig_stop(struct fakeslave_rig *);

#endif
