/* serial.c - opening serial ports: real ones through libserialport,
 * pseudo-terminals (which libserialport 0.1.1 cannot open) and anything it
 * refuses through plain termios. The one place that talks to libserialport's
 * error reporting. */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <libserialport.h>

#include "common.h"
#include "link-int.h"

/*
 * libserialport reports SP_ERR_FAIL with the OS error in thread-local state
 * that the next call overwrites: take code and message at once, as its
 * examples/handle_errors.c does. Returns the errno behind the failure (0 if
 * the failure was not the OS's) and sets *cause: "cannot open" when opening,
 * "cannot configure" after.
 */
static int
link_sp_error(enum sp_return rc, int opening, const char *name, char **cause)
{
	char	*msg = NULL, *detail;
	int	 error = 0;

	switch (rc) {
	case SP_ERR_FAIL:
		error = sp_last_error_code();
		msg = sp_last_error_message();
		detail = xstrdup(msg != NULL ? msg : strerror(error));
		sp_free_error_message(msg);
		break;
	case SP_ERR_ARG:
		detail = xstrdup(_("the port refuses these settings"));
		break;
	case SP_ERR_SUPP:
		detail = xstrdup(_("not supported by this port or system"));
		break;
	case SP_ERR_MEM:
		detail = xstrdup(_("out of memory"));
		break;
	default:
		detail = xasprintf(_("libserialport error %d"), (int)rc);
		break;
	}
	if (opening)
		set_cause(cause, -1, _("cannot open '%s': %s"), name, detail);
	else
		set_cause(cause, -1, _("cannot configure '%s': %s"), name,
		    detail);
	free(detail);
	return error;
}

static speed_t
link_speed(unsigned baud)
{
	static const struct {
		unsigned	baud;
		speed_t		speed;
	} table[] = {
		{ 1200, B1200 }, { 2400, B2400 }, { 4800, B4800 },
		{ 9600, B9600 }, { 19200, B19200 }, { 38400, B38400 },
		{ 57600, B57600 }, { 115200, B115200 }, { 230400, B230400 },
#ifdef B460800
		{ 460800, B460800 },
#endif
#ifdef B921600
		{ 921600, B921600 },
#endif
	};
	size_t	i;

	for (i = 0; i < nitems(table); i++)
		if (table[i].baud == baud)
			return table[i].speed;
	return (speed_t)-1;
}

static int
link_termios_setup(struct link *l, int real_tty, char **cause)
{
	struct termios	tio;
	speed_t		speed = link_speed(l->params.baud);

	if (speed == (speed_t)-1)
		return set_cause(cause, -1, _("cannot set port '%s' to %u "
		    "baud: not a standard rate (try 9600, 19200, 38400, 57600 "
		    "or 115200)"), l->name, l->params.baud);
	if (tcgetattr(l->fd, &tio) != 0)
		return set_cause(cause, -1, _("cannot use '%s': not a serial "
		    "port (%s)"), l->name, strerror(errno));
	cfmakeraw(&tio);
	cfsetspeed(&tio, speed);
	tio.c_cflag &= ~(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
	tio.c_cflag |= CS8 | CLOCAL | CREAD;
	/* With parity, check it on input (INPCK), as libmodbus does: a
	 * character with a parity error then reads as 0x00 and spoils the
	 * frame's CRC instead of passing for good data. */
	tio.c_iflag &= ~(INPCK | IGNPAR | PARMRK | ISTRIP);
	if (l->params.parity != 'N') {
		tio.c_cflag |= PARENB;
		tio.c_iflag |= INPCK;
	}
	/* A pseudo-terminal keeps no PARENB (Linux's pty_set_termios clears
	 * it, and glibc then calls the whole tcsetattr invalid); INPCK and
	 * PARODD still tell the other end which parity we meant. */
	if (!real_tty)
		tio.c_cflag &= ~PARENB;
	if (l->params.parity == 'O')
		tio.c_cflag |= PARODD;
	if (l->params.stop_bits == 2)
		tio.c_cflag |= CSTOPB;
	tio.c_iflag &= ~(IXON | IXOFF | IXANY);
	tio.c_cc[VMIN] = 0;
	tio.c_cc[VTIME] = 0;
	if (tcsetattr(l->fd, TCSANOW, &tio) != 0)
		return set_cause(cause, -1, _("cannot set port '%s' to %u "
		    "baud: %s"), l->name, l->params.baud, strerror(errno));
	tcflush(l->fd, TCIOFLUSH);
	return 0;
}

static int
link_open_termios(struct link *l, const char *path, int real_tty,
    char **cause)
{
	l->kind = LINK_TERMIOS;
	l->fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (l->fd == -1)
		return link_open_error(l->name, errno, cause);
	if (!isatty(l->fd)) {
		close(l->fd);
		l->fd = -1;
		return set_cause(cause, -1, _("cannot use '%s': not a serial "
		    "port or pseudo-terminal"), l->name);
	}
	if (link_lock(l, cause) != 0)
		goto fail;
	/* Real ttys also refuse other openers (TIOCEXCL); a pty's other end
	 * belongs to the program that made it. */
	if (real_tty && ioctl(l->fd, TIOCEXCL) != 0 && errno != ENOTTY) {
		set_cause(cause, -1, _("cannot open '%s': %s"), l->name,
		    strerror(errno));
		goto fail;
	}
	if (link_termios_setup(l, real_tty, cause) != 0)
		goto fail;
	if (link_tune(l, path, real_tty, cause) != 0)
		goto fail;
	return 0;

fail:
	close(l->fd);
	l->fd = -1;
	return -1;
}

/* Returns 1 when libserialport opened it, 0 when it refuses a port that
 * termios may still handle, -1 with *cause on an error worth reporting. */
static int
link_open_sp(struct link *l, const char *path, char **cause)
{
	struct sp_port	*sp;
	struct termios	 tio;
	enum sp_return	 rc;
	char		*msg = NULL;
	int		 error, fd, flags;

	if ((rc = sp_get_port_by_name(path, &sp)) != SP_OK) {
		/* Consume the error state; termios gets the next try. */
		link_sp_error(rc, 1, l->name, &msg);
		free(msg);
		return 0;
	}
	if ((rc = sp_open(sp, SP_MODE_READ_WRITE)) != SP_OK) {
		error = link_sp_error(rc, 1, l->name, &msg);
		free(msg);
		sp_free_port(sp);
		if (error == ENOENT || error == EACCES || error == EPERM ||
		    error == EBUSY || error == ENODEV || error == ENXIO)
			return link_open_error(l->name, error, cause);
		return 0;
	}
	l->kind = LINK_SERIALPORT;
	l->sp = sp;

	if ((rc = sp_set_baudrate(sp, (int)l->params.baud)) != SP_OK ||
	    (rc = sp_set_bits(sp, 8)) != SP_OK ||
	    (rc = sp_set_parity(sp, l->params.parity == 'E' ? SP_PARITY_EVEN :
	    l->params.parity == 'O' ? SP_PARITY_ODD : SP_PARITY_NONE)) != SP_OK ||
	    (rc = sp_set_stopbits(sp, (int)l->params.stop_bits)) != SP_OK ||
	    (rc = sp_set_flowcontrol(sp, SP_FLOWCONTROL_NONE)) != SP_OK ||
	    (rc = sp_get_port_handle(sp, &fd)) != SP_OK) {
		link_sp_error(rc, 0, l->name, cause);
		goto fail;
	}
	l->fd = fd;
	/* We read and write the fd ourselves and never block: waiting is
	 * the event loop's job. */
	flags = fcntl(fd, F_GETFL);
	if (flags != -1)
		fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (link_lock(l, cause) != 0)
		goto fail;
	if (ioctl(fd, TIOCEXCL) != 0 && errno != ENOTTY) {
		set_cause(cause, -1, _("cannot open '%s': %s"), l->name,
		    strerror(errno));
		goto fail;
	}
	/* Reads must return at once, whatever VMIN/VTIME were before. */
	if (tcgetattr(fd, &tio) == 0) {
		tio.c_cc[VMIN] = 0;
		tio.c_cc[VTIME] = 0;
		tcsetattr(fd, TCSANOW, &tio);
	}
	sp_flush(sp, SP_BUF_BOTH);
	if (link_tune(l, path, 1, cause) != 0)
		goto fail;
	return 1;

fail:
	link_close_serial(l);
	return -1;
}

/* UNIX 98 pty slaves are char majors 136..143 (Documentation/admin-guide/
 * devices.txt); the path test catches a devpts mounted elsewhere. */
static int
link_is_pty(const char *path, const struct stat *sb)
{
	unsigned	maj = major(sb->st_rdev);

	if (strncmp(path, "/dev/pts/", 9) == 0)
		return 1;
	return S_ISCHR(sb->st_mode) && maj >= 136 && maj <= 143;
}

int
link_open_serial(struct link *l, const char *spec, char **cause)
{
	char		path[PATH_MAX];
	struct stat	sb;
	int		rc;

	if (realpath(spec, path) == NULL || stat(path, &sb) != 0)
		return link_open_error(l->name, errno, cause);
	if (!S_ISCHR(sb.st_mode))
		return set_cause(cause, -1, _("cannot use '%s': not a serial "
		    "port or pseudo-terminal"), l->name);
	if (link_is_pty(path, &sb))
		return link_open_termios(l, path, 0, cause);

	rc = link_open_sp(l, path, cause);
	if (rc == 1)
		return 0;
	if (rc == -1)
		return -1;
	return link_open_termios(l, path, 1, cause);
}

void
link_close_serial(struct link *l)
{
	link_untune(l);
	/* sp_close owns the fd it opened. */
	if (l->sp != NULL) {
		sp_close(l->sp);
		sp_free_port(l->sp);
		l->sp = NULL;
	} else if (l->fd != -1)
		close(l->fd);
	l->fd = -1;
}
