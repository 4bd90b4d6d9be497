/* cmd-ports.c - `pilecon ports`: the serial ports of this laptop, so a
 * technician can tell the RS-485 adapter from the pile's own USB port. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "common.h"
#include "json.h"
#include "batch/batch.h"

static int	cmd_ports_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_ports_entry = {
	.name = "ports",
	.flags = CMD_LOCAL,
	.args = "--json",
	.usage = "[--json]",
	.exec = cmd_ports_exec,
	.help = N_("list the serial ports of this machine: USB adapters with VID:PID, their "
	    "stable /dev/serial/by-id name and latency timer"),
};

static int
cmd_ports_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct link_port_info	*ports = NULL, *p;
	char			*cause = NULL;
	int			 n, i;

	if ((n = link_list_ports(&ports, &cause)) < 0)
		return cmd_fail(ctx, EXIT_FAILED, cause);
	if (ctx->opts.json) {
		fputc('[', ctx->out);
		for (i = 0; i < n; i++) {
			p = &ports[i];
			fprintf(ctx->out, "%s{\"name\":", i ? "," : "");
			json_write_str(ctx->out, p->name);
			fprintf(ctx->out, ",\"usb\":%s", p->usb ? "true" : "false");
			if (p->usb)
				fprintf(ctx->out, ",\"vid\":\"%04x\",\"pid\":\"%04x\"", p->vid, p->pid);
			fprintf(ctx->out, ",\"manufacturer\":");
			json_write_str(ctx->out, p->manufacturer);
			fprintf(ctx->out, ",\"product\":");
			json_write_str(ctx->out, p->product);
			fprintf(ctx->out, ",\"serial\":");
			json_write_str(ctx->out, p->serial);
			fprintf(ctx->out, ",\"description\":");
			json_write_str(ctx->out, p->description);
			fprintf(ctx->out, ",\"by_id\":");
			json_write_str(ctx->out, p->by_id);
			if (p->latency_ms >= 0)
				fprintf(ctx->out, ",\"latency_timer_ms\":%d", p->latency_ms);
			fputc('}', ctx->out);
		}
		fputs("]\n", ctx->out);
	} else if (n == 0)
		fprintf(ctx->err, _("no serial ports found (is the USB adapter plugged in? "
		    "see 'dmesg' for ttyUSB/ttyACM)\n"));
	else {
		for (i = 0; i < n; i++) {
			p = &ports[i];
			if (p->usb)
				fprintf(ctx->out, "%-22s %04x:%04x  %s%s%s%s%s\n", p->name, p->vid,
				    p->pid, p->manufacturer, *p->manufacturer ? " " : "",
				    p->product, *p->description ? " - " : "", p->description);
			else
				fprintf(ctx->out, "%-22s %-9s  %s\n", p->name, "-", p->description);
			/* The name to put in the config: it survives replugging. */
			if (*p->by_id)
				fprintf(ctx->out, "  %s\n", p->by_id);
			if (p->latency_ms > 1)
				fprintf(ctx->out, _("  latency timer %d ms (pilecon lowers it "
				    "to 1 ms while it runs, where it may)\n"), p->latency_ms);
			else if (p->latency_ms >= 0)
				fprintf(ctx->out, _("  latency timer %d ms\n"), p->latency_ms);
		}
	}
	free(ports);
	return EXIT_OK;
}
