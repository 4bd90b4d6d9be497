/* tune.c - what Linux offers beyond termios for an RS-485 line, set at open
 * and restored at close: the kernel's RS-485 mode on native UARTs
 * (TIOCSRS485: the driver raises RTS to transmit), and low latency on USB
 * adapters (ASYNC_LOW_LATENCY through TIOCSSERIAL, or the sysfs
 * latency_timer of FTDI-style chips, 16 ms by default). Tests replace the
 * ioctl (link_set_ioctl) and the sysfs root (PILECON_SYSFS_ROOT). */
#include "config.h"

#include <sys/ioctl.h>

#include <linux/serial.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "link-int.h"

static int
link_real_ioctl(int fd, unsigned long request, void *arg)
{
	return ioctl(fd, request, arg);
}

static link_ioctl_fn	*link_ioctl = link_real_ioctl;

void
link_set_ioctl(link_ioctl_fn *fn)
{
	link_ioctl = fn != NULL ? fn : link_real_ioctl;
}

const char *
link_sysfs_root(void)
{
	const char	*root = getenv("PILECON_SYSFS_ROOT");

	return root != NULL && *root != '\0' ? root : "/sys";
}

/* <root>/class/tty/ttyUSB0/device/FILE for /dev/ttyUSB0 (or a link to it). */
char *
link_sysfs_path(const char *port, const char *file)
{
	char		 real[PATH_MAX];
	const char	*base;

	if (realpath(port, real) == NULL)
		snprintf(real, sizeof real, "%s", port);
	base = strrchr(real, '/') != NULL ? strrchr(real, '/') + 1 : real;
	return xasprintf("%s/class/tty/%s/device/%s", link_sysfs_root(), base,
	    file);
}

/* A small decimal from a sysfs file; -1 when there is none. */
int
link_sysfs_read_int(const char *path)
{
	char	buf[32];
	FILE	*f;
	int	 v = -1;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fgets(buf, sizeof buf, f) != NULL)
		v = atoi(buf);
	fclose(f);
	return v;
}

static int
link_sysfs_write_int(const char *path, int v)
{
	FILE	*f;
	int	 rc;

	if ((f = fopen(path, "w")) == NULL)
		return -1;
	rc = fprintf(f, "%d\n", v) > 0 ? 0 : -1;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

static void
link_note(struct link *l, char *note)
{
	char	*s;

	if (l->notes == NULL) {
		l->notes = note;
		return;
	}
	s = xasprintf("%s\n%s", l->notes, note);
	free(l->notes);
	free(note);
	l->notes = s;
}

static int
link_rs485_on(struct link *l, char **cause)
{
	struct serial_rs485	rs;
	const char		*why;

	memset(&rs, 0, sizeof rs);
	if (link_ioctl(l->fd, TIOCGRS485, &rs) == 0) {
		l->rs485_saved = rs;
		rs.flags |= SER_RS485_ENABLED | SER_RS485_RTS_ON_SEND;
		rs.flags &= ~(unsigned)SER_RS485_RTS_AFTER_SEND;
		rs.delay_rts_before_send = l->params.rts_delay_before_ms;
		rs.delay_rts_after_send = l->params.rts_delay_after_ms;
		if (link_ioctl(l->fd, TIOCSRS485, &rs) == 0) {
			l->rs485_set = 1;
			return 0;
		}
	}
	why = errno == ENOTTY || errno == EINVAL ||
	    errno == EOPNOTSUPP ? _("its driver has no RS-485 mode") :
	    strerror(errno);
	return set_cause(cause, -1, _("cannot set RS-485 mode on '%s': %s "
	    "(TIOCSRS485 is for native UARTs with a driver-enable line; a USB "
	    "RS-485 adapter or a pseudo-terminal switches direction by itself: "
	    "leave out --rs485, and add --echo if the adapter echoes what it "
	    "sends)"), l->name, why);
}

/*
 * Low latency: ASYNC_LOW_LATENCY first (ftdi_sio turns it into a 1 ms
 * latency timer, and any user may set it), then the sysfs latency_timer
 * where it is writable. Failing both is no error: pilecon works, only
 * slower; the note says what it costs and how to fix it.
 */
static void
link_low_latency_on(struct link *l, const char *path)
{
	struct serial_struct	ss;
	char			*lt;
	int			 ms, serial_ok = 0;

	memset(&ss, 0, sizeof ss);
	if (link_ioctl(l->fd, TIOCGSERIAL, &ss) == 0) {
		l->serial_saved_flags = ss.flags;
		if (ss.flags & ASYNC_LOW_LATENCY)
			serial_ok = 1;
		else {
			ss.flags |= ASYNC_LOW_LATENCY;
			if (link_ioctl(l->fd, TIOCSSERIAL, &ss) == 0) {
				l->serial_set = 1;
				serial_ok = 1;
			}
		}
	}
	lt = link_sysfs_path(path, "latency_timer");
	ms = link_sysfs_read_int(lt);
	l->latency_ms = ms;
	if (ms > 1) {
		if (link_sysfs_write_int(lt, 1) == 0 &&
		    link_sysfs_read_int(lt) == 1) {
			l->latency_saved_ms = ms;
			l->latency_path = lt;
			l->latency_ms = 1;
			return;
		}
		link_note(l, xasprintf(_("cannot lower the latency timer of '%s' "
		    "from %d ms to 1 ms: %s is not writable (replies wait up to "
		    "%d ms in the adapter; as root: echo 1 > %s, or a udev rule "
		    "ATTR{latency_timer}=\"1\")"), l->name, ms, lt, ms, lt));
	} else if (ms < 0 && !serial_ok)
		link_note(l, xasprintf(_("cannot ask '%s' for low latency: its "
		    "driver takes neither ASYNC_LOW_LATENCY nor a latency_timer "
		    "(a USB adapter may then hold replies for several ms)"),
		    l->name));
	free(lt);
}

int
link_tune(struct link *l, const char *path, int real_tty, char **cause)
{
	if (l->params.rs485 && link_rs485_on(l, cause) != 0)
		return -1;
	if (real_tty && l->params.low_latency)
		link_low_latency_on(l, path);
	return 0;
}

void
link_untune(struct link *l)
{
	struct serial_struct	ss;

	if (l->fd == -1)
		return;
	if (l->rs485_set) {
		link_ioctl(l->fd, TIOCSRS485, &l->rs485_saved);
		l->rs485_set = 0;
	}
	if (l->serial_set) {
		memset(&ss, 0, sizeof ss);
		if (link_ioctl(l->fd, TIOCGSERIAL, &ss) == 0) {
			ss.flags = l->serial_saved_flags;
			link_ioctl(l->fd, TIOCSSERIAL, &ss);
		}
		l->serial_set = 0;
	}
	if (l->latency_path != NULL) {
		link_sysfs_write_int(l->latency_path, l->latency_saved_ms);
		free(l->latency_path);
		l->latency_path = NULL;
	}
}

const char *
link_notes(const struct link *l)
{
	return l->notes;
}

int
link_latency_ms(const struct link *l)
{
	return l->latency_ms;
}
