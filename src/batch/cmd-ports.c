/* cmd-ports.c - `pilecon ports`: the serial ports of this laptop, so a
 * technician can tell the RS-485 adapter from the pile's own USB port. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "common.h"
#include "json.h"
#include "batch/batch.h"
#include "batch/job.h"

static enum job_return	cmd_ports_step(struct job *);
static void		cmd_ports_render(const struct result *, FILE *);

const struct cmd_entry cmd_ports_entry = {
	.name = "ports",
	.flags = CMD_LOCAL,
	.args = "--json",
	.usage = "[--json]",
	.help = N_("list the serial ports of this machine: USB adapters with VID:PID, their "
	    "stable /dev/serial/by-id name and latency timer"),
	.step = cmd_ports_step,
	.render = cmd_ports_render,
};

static enum job_return
cmd_ports_step(struct job *job)
{
	struct link_port_info	*ports = NULL, *p;
	struct json		*arr, *o;
	char			*cause = NULL;
	int			 n, i;

	if ((n = link_list_ports(&ports, &cause)) < 0)
		return job_fail_cause(job, EXIT_FAILED, cause);
	arr = job->result.data = json_array();
	for (i = 0; i < n; i++) {
		p = &ports[i];
		o = json_push(arr, json_object());
		json_set_str(o, "name", p->name);
		json_set_bool(o, "usb", p->usb);
		if (p->usb) {
			json_set(o, "vid", json_strf("%04x", p->vid));
			json_set(o, "pid", json_strf("%04x", p->pid));
		}
		json_set_str(o, "manufacturer", p->manufacturer);
		json_set_str(o, "product", p->product);
		json_set_str(o, "serial", p->serial);
		json_set_str(o, "description", p->description);
		json_set_str(o, "by_id", p->by_id);
		if (p->latency_ms >= 0)
			json_set_int(o, "latency_timer_ms", p->latency_ms);
	}
	free(ports);
	if (n == 0 && !job->json)
		job_event(job, RESULT_OK, _("no serial ports found (is the USB adapter "
		    "plugged in? see 'dmesg' for ttyUSB/ttyACM)"));
	return JOB_NORMAL;
}

static void
cmd_ports_render(const struct result *r, FILE *f)
{
	const struct json	*p;
	const char		*man, *prod, *desc, *by_id;
	int64_t			 latency;
	size_t			 i;

	for (i = 0; i < json_len(r->data); i++) {
		p = json_at(r->data, i);
		/* A USB adapter's strings are its own: never raw on a
		 * terminal. */
		man = text_show(json_get_str(p, "manufacturer"));
		prod = text_show(json_get_str(p, "product"));
		desc = text_show(json_get_str(p, "description"));
		by_id = text_show(json_get_str(p, "by_id"));
		latency = json_get_int(p, "latency_timer_ms", -1);
		if (json_get_bool(p, "usb"))
			fprintf(f, "%-22s %s:%s  %s%s%s%s%s\n",
			    text_show(json_get_str(p, "name")), text_show(json_get_str(p,
			    "vid")), text_show(json_get_str(p, "pid")), man,
			    *man ? " " : "", prod, *desc ? " - " : "", desc);
		else
			fprintf(f, "%-22s %-9s  %s\n", text_show(json_get_str(p, "name")),
			    "-", desc);
		/* The name to put in the config: it survives replugging. */
		if (*by_id)
			fprintf(f, "  %s\n", by_id);
		if (latency > 1)
			fprintf(f, _("  latency timer %d ms (pilecon lowers it to 1 ms "
			    "while it runs, where it may)\n"), (int)latency);
		else if (latency >= 0)
			fprintf(f, _("  latency timer %d ms\n"), (int)latency);
	}
}
