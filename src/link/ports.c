/* ports.c - the serial ports of this machine, for 'pilecon ports': USB
 * adapters with VID:PID, maker and serial number, from libserialport. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	qsort(ports, n, sizeof *ports, link_port_cmp);
	*out = ports;
	return (int)n;
}
