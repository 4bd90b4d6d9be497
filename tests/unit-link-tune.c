/* unit-link-tune.c - --rs485 and low latency through a fake kernel: an
 * injected ioctl that plays a native UART, a USB adapter or a pty, and a
 * fake sysfs root (PILECON_SYSFS_ROOT) with an FTDI latency_timer. What the
 * link changes at open it restores at close; what it cannot do it says. */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/stat.h>

#include <linux/serial.h>

#include <errno.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "link/link-int.h"
#include "tap.h"

enum fake_kind { FAKE_UART, FAKE_USB, FAKE_PTY };

static struct {
	enum fake_kind		kind;
	struct serial_rs485	rs485;		/* what the "driver" holds */
	int			rs485_sets;
	int			serial_flags;
	int			serial_sets;
} fake;

static int
fake_ioctl(int fd, unsigned long request, void *arg)
{
	(void)fd;
	switch (request) {
	case TIOCGRS485:
	case TIOCSRS485:
		if (fake.kind != FAKE_UART) {
			errno = ENOTTY;
			return -1;
		}
		if (request == TIOCGRS485)
			*(struct serial_rs485 *)arg = fake.rs485;
		else {
			fake.rs485 = *(struct serial_rs485 *)arg;
			fake.rs485_sets++;
		}
		return 0;
	case TIOCGSERIAL:
	case TIOCSSERIAL:
		if (fake.kind == FAKE_PTY) {
			errno = ENOTTY;
			return -1;
		}
		if (request == TIOCGSERIAL) {
			memset(arg, 0, sizeof(struct serial_struct));
			((struct serial_struct *)arg)->flags = fake.serial_flags;
		} else {
			fake.serial_flags = ((struct serial_struct *)arg)->flags;
			fake.serial_sets++;
		}
		return 0;
	}
	errno = ENOTTY;
	return -1;
}

static char	root[] = "/tmp/pilecon-sysfs-XXXXXX";

static void
write_file(const char *path, const char *text)
{
	FILE	*f = fopen(path, "w");

	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static char *
read_file(const char *path)
{
	char	buf[64] = "";
	FILE	*f = fopen(path, "r");

	if (f != NULL) {
		if (fgets(buf, sizeof buf, f) == NULL)
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
	return xstrdup(buf);
}

/* A link on a pty fd, as link_open leaves it before tuning. */
static struct link *
fake_link(const char *name, const struct link_params *p, int fd)
{
	struct link	*l = xcalloc(1, sizeof *l);

	l->name = xstrdup(name);
	l->fd = fd;
	l->params = *p;
	l->latency_ms = -1;
	return l;
}

static void
free_link(struct link *l)
{
	free(l->notes);
	free(l->name);
	free(l);
}

static void
test_rs485(int fd)
{
	struct link_params	 p = { .baud = 115200, .parity = 'E', .stop_bits = 1,
	    .rs485 = 1, .rts_delay_before_ms = 2, .rts_delay_after_ms = 3 };
	struct link		*l;
	char			*cause = NULL;

	memset(&fake, 0, sizeof fake);
	fake.kind = FAKE_UART;
	fake.rs485.flags = SER_RS485_RTS_AFTER_SEND;	/* as the board left it */
	l = fake_link("/dev/ttyS1", &p, fd);
	is_int(link_tune(l, "/dev/ttyS1", 1, &cause), 0,
	    "rs485_mode_is_set_on_a_native_uart %s", cause ? cause : "");
	ok((fake.rs485.flags & SER_RS485_ENABLED) &&
	    (fake.rs485.flags & SER_RS485_RTS_ON_SEND) &&
	    !(fake.rs485.flags & SER_RS485_RTS_AFTER_SEND),
	    "rs485_enabled_with_rts_on_send");
	is_int(fake.rs485.delay_rts_before_send, 2, "delay_before_send_is_set");
	is_int(fake.rs485.delay_rts_after_send, 3, "delay_after_send_is_set");
	link_untune(l);
	is_int(fake.rs485.flags, SER_RS485_RTS_AFTER_SEND,
	    "close_restores_the_rs485_settings_found");
	is_int(fake.rs485_sets, 2, "one_set_at_open_one_at_close");
	free_link(l);

	memset(&fake, 0, sizeof fake);
	fake.kind = FAKE_USB;
	l = fake_link("/dev/ttyUSB0", &p, fd);
	is_int(link_tune(l, "/dev/ttyUSB0", 1, &cause), -1,
	    "rs485_refused_by_a_usb_adapter_fails_the_open");
	ok(cause != NULL && strstr(cause, "cannot set RS-485 mode on "
	    "'/dev/ttyUSB0': its driver has no RS-485 mode") != NULL,
	    "refusal_says_so: %s", cause ? cause : "");
	ok(cause != NULL && strstr(cause, "leave out --rs485, and add --echo") != NULL,
	    "refusal_says_what_to_use_instead");
	free(cause);
	cause = NULL;
	free_link(l);
}

static void
test_latency(int fd)
{
	struct link_params	 p = { .baud = 115200, .parity = 'E', .stop_bits = 1,
	    .low_latency = 1 };
	struct link		*l;
	char			*dir, *lt, *cause = NULL, *s, *cmd;

	dir = xasprintf("%s/class/tty/ttyUSB0/device", root);
	lt = xasprintf("%s/latency_timer", dir);
	cmd = xasprintf("mkdir -p '%s'", dir);
	if (system(cmd) != 0)
		ok(0, "fake sysfs");
	free(cmd);
	write_file(lt, "16\n");

	memset(&fake, 0, sizeof fake);
	fake.kind = FAKE_USB;
	fake.serial_flags = ASYNC_SKIP_TEST;
	l = fake_link("/dev/ttyUSB0", &p, fd);
	is_int(link_tune(l, "/dev/ttyUSB0", 1, &cause), 0, "low_latency_open");
	ok(fake.serial_flags & ASYNC_LOW_LATENCY, "asks_the_driver_for_low_latency");
	is_str((s = read_file(lt)), "1", "latency_timer_lowered_to_1_ms");
	free(s);
	is_int(link_latency_ms(l), 1, "link_reports_1_ms");
	ok(link_notes(l) == NULL, "nothing_to_say_when_it_worked");
	link_untune(l);
	is_str((s = read_file(lt)), "16", "close_restores_the_latency_timer");
	free(s);
	is_int(fake.serial_flags, ASYNC_SKIP_TEST, "close_restores_the_serial_flags");
	free_link(l);

	/* A latency_timer nobody may write (here: one whose writes fail
	 * even for root), and a driver without ASYNC_LOW_LATENCY. */
	unlink(lt);
	if (symlink("/proc/uptime", lt) != 0)
		ok(0, "symlink");
	memset(&fake, 0, sizeof fake);
	fake.kind = FAKE_PTY;
	l = fake_link("/dev/ttyUSB0", &p, fd);
	is_int(link_tune(l, "/dev/ttyUSB0", 1, &cause), 0,
	    "open_works_without_low_latency");
	ok(link_notes(l) != NULL && strstr(link_notes(l), "cannot lower the "
	    "latency timer of '/dev/ttyUSB0'") != NULL &&
	    strstr(link_notes(l), "is not writable") != NULL,
	    "says_when_it_cannot_lower_the_latency: %s",
	    link_notes(l) ? link_notes(l) : "(nothing)");
	free_link(l);

	/* A pseudo-terminal gets no latency settings at all. */
	memset(&fake, 0, sizeof fake);
	fake.kind = FAKE_USB;
	l = fake_link("/dev/pts/9", &p, fd);
	is_int(link_tune(l, "/dev/pts/9", 0, &cause), 0, "pty_open");
	is_int(fake.serial_sets, 0, "pty_gets_no_serial_flags");
	ok(link_notes(l) == NULL, "pty_gets_no_note");
	free_link(l);
	free(lt);
	free(dir);
}

int
main(void)
{
	int	master, slave;
	char	*cmd;

	if (mkdtemp(root) == NULL || openpty(&master, &slave, NULL, NULL, NULL) != 0) {
		printf("Bail out! no temp folder or pty\n");
		return 1;
	}
	setenv("PILECON_SYSFS_ROOT", root, 1);
	is_str(link_sysfs_root(), root, "sysfs_root_comes_from_the_environment");
	link_set_ioctl(fake_ioctl);
	test_rs485(slave);
	test_latency(slave);
	link_set_ioctl(NULL);
	close(master);
	close(slave);
	cmd = xasprintf("rm -rf '%s'", root);
	if (system(cmd) != 0)
		ok(0, "cleanup");
	free(cmd);
	return done_testing();
}
