/* ports.c - the serial ports of this machine, for 'pilecon ports': USB
 * adapters with VID:PID, maker and serial number, from libserialport; their
 * stable /dev/serial/by-id names and FTDI-style latency timers, from /dev
 * and sysfs. With PILECON_SYSFS_ROOT set (tests), the ports are those of
 * that fake sysfs, and PILECON_DEV_ROOT stands for /dev. */
#include "config.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libserialport.h>

#include "common.h"
#include "link-int.h"

static void
link_copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src != NULL ? src : "");
}

static int
link_port_cmp(const void *a, const void *b)
{
	const struct link_port_info	*pa = a, *pb = b;

	return strcmp(pa->name, pb->name);
}

static const char *
link_dev_root(void)
{
	const char	*root = getenv("PILECON_DEV_ROOT");

	return root != NULL && *root != '\0' ? root : "/dev";
}

static const char *
link_basename(const char *path)
{
	const char	*s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

/* The /dev/serial/by-id link that points at this port (udev names it after
 * the adapter's maker, model and serial: the name that survives replugging
 * into another USB socket). */
static void
link_find_by_id(struct link_port_info *p)
{
	char		 target[PATH_MAX], *dir, *path;
	struct dirent	*de;
	DIR		*d;
	ssize_t		 n;

	dir = xasprintf("%s/serial/by-id", link_dev_root());
	if ((d = opendir(dir)) == NULL) {
		free(dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		n = readlink(path, target, sizeof target - 1);
		if (n >= 0) {
			target[n] = '\0';
			if (strcmp(link_basename(target),
			    link_basename(p->name)) == 0) {
				link_copy(p->by_id, sizeof p->by_id, path);
				free(path);
				break;
			}
		}
		free(path);
	}
	closedir(d);
	free(dir);
}

char *
link_by_id(const char *path)
{
	char		 real[PATH_MAX], target[PATH_MAX], *dir, *p, *found = NULL;
	struct dirent	*de;
	DIR		*d;

	if (strncmp(path, "tcp:", 4) == 0 || realpath(path, real) == NULL)
		return NULL;
	dir = xasprintf("%s/serial/by-id", link_dev_root());
	if (strncmp(path, dir, strlen(dir)) == 0 || (d = opendir(dir)) == NULL) {
		free(dir);
		return NULL;
	}
	while (found == NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		if (realpath(p, target) != NULL && strcmp(target, real) == 0)
			found = p;
		else
			free(p);
	}
	closedir(d);
	free(dir);
	return found;
}

/* The first line of DIR/NAME/device/UP/FILE into buf ("" when none). */
static void
link_read_attr(const char *dir, const char *name, const char *up,
    const char *file, char *buf, size_t size)
{
	char	*path = xasprintf("%s/%s/device/%s/%s", dir, name, up, file);
	FILE	*f = fopen(path, "r");

	free(path);
	buf[0] = '\0';
	if (f == NULL)
		return;
	if (fgets(buf, (int)size, f) == NULL)
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* The ports of a (fake) sysfs: every class/tty/NAME with a device, USB
 * ones with the idVendor/idProduct of their USB device (two levels up for
 * a usb-serial port such as ttyUSB0, one for a CDC-ACM interface). */
static int
link_list_sysfs(struct link_port_info **out)
{
	static const char *const ups[] = { "..", "../.." };
	struct link_port_info	*ports = NULL, *p;
	char			 buf[64], *dir, *path;
	struct dirent		*de;
	DIR			*d;
	int			 n = 0, ok;
	size_t			 u;

	dir = xasprintf("%s/class/tty", link_sysfs_root());
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			path = xasprintf("%s/%s/device", dir, de->d_name);
			ok = access(path, F_OK) == 0;
			free(path);
			if (!ok)
				continue;
			ports = xrealloc(ports, ((size_t)n + 1) * sizeof *ports);
			p = &ports[n++];
			memset(p, 0, sizeof *p);
			path = xasprintf("%s/%s", link_dev_root(), de->d_name);
			link_copy(p->name, sizeof p->name, path);
			free(path);
			for (u = 0; u < nitems(ups) && !p->usb; u++) {
				link_read_attr(dir, de->d_name, ups[u], "idVendor",
				    buf, sizeof buf);
				if (buf[0] == '\0')
					continue;
				p->usb = 1;
				p->vid = (unsigned)strtoul(buf, NULL, 16);
				link_read_attr(dir, de->d_name, ups[u], "idProduct",
				    buf, sizeof buf);
				p->pid = (unsigned)strtoul(buf, NULL, 16);
				link_read_attr(dir, de->d_name, ups[u], "product",
				    p->product, sizeof p->product);
				link_read_attr(dir, de->d_name, ups[u],
				    "manufacturer", p->manufacturer,
				    sizeof p->manufacturer);
			}
		}
		closedir(d);
	}
	free(dir);
	*out = ports != NULL ? ports : xcalloc(1, sizeof *ports);
	return n;
}

/* What /dev and sysfs add to a listed port. */
static void
link_port_extras(struct link_port_info *p)
{
	char	*lt;

	link_find_by_id(p);
	lt = link_sysfs_path(p->name, "latency_timer");
	/* Only the file itself: the path may not exist outside sysfs. */
	p->latency_ms = link_sysfs_read_int(lt);
	free(lt);
}

int
link_list_ports(struct link_port_info **out, char **cause)
{
	struct sp_port		**list;
	struct link_port_info	 *ports;
	enum sp_return		  rc;
	char			 *msg;
	size_t			  n, i;
	int			  vid, pid;

	*out = NULL;
	if (getenv("PILECON_SYSFS_ROOT") != NULL) {
		n = (size_t)link_list_sysfs(&ports);
		for (i = 0; i < n; i++)
			link_port_extras(&ports[i]);
		qsort(ports, n, sizeof *ports, link_port_cmp);
		*out = ports;
		return (int)n;
	}
	rc = sp_list_ports(&list);
	if (rc != SP_OK) {
		if (rc == SP_ERR_FAIL) {
			msg = sp_last_error_message();
			set_cause(cause, -1, _("cannot list serial ports: %s"),
			    msg != NULL ? msg : "unknown error");
			sp_free_error_message(msg);
			return -1;
		}
		return set_cause(cause, -1,
		    _("cannot list serial ports: libserialport error %d"),
		    (int)rc);
	}
	for (n = 0; list[n] != NULL; n++)
		/* nothing */;
	ports = xcalloc(n + 1, sizeof *ports);
	for (i = 0; i < n; i++) {
		struct sp_port		*sp = list[i];
		struct link_port_info	*p = &ports[i];

		link_copy(p->name, sizeof p->name, sp_get_port_name(sp));
		link_copy(p->description, sizeof p->description,
		    sp_get_port_description(sp));
		if (sp_get_port_transport(sp) != SP_TRANSPORT_USB)
			continue;
		p->usb = 1;
		if (sp_get_port_usb_vid_pid(sp, &vid, &pid) == SP_OK) {
			p->vid = (unsigned)vid;
			p->pid = (unsigned)pid;
		}
		link_copy(p->manufacturer, sizeof p->manufacturer,
		    sp_get_port_usb_manufacturer(sp));
		link_copy(p->product, sizeof p->product,
		    sp_get_port_usb_product(sp));
		link_copy(p->serial, sizeof p->serial,
		    sp_get_port_usb_serial(sp));
	}
	sp_free_port_list(list);
	for (i = 0; i < n; i++)
		link_port_extras(&ports[i]);
	qsort(ports, n, sizeof *ports, link_port_cmp);
	*out = ports;
	return (int)n;
}
