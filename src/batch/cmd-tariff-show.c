/* cmd-tariff-show.c - `pilecon tariff show`: the tariff the pile settles
 * offline sessions at: prices per period and the half-hour map. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/cmd-util.h"

static int	cmd_tariff_show_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_tariff_show_entry = {
	"tariff show", NULL, "--json", "[--json]", cmd_tariff_show_exec,
	N_("show the pile's tariff: version, energy and service price per period, time map")
};

static int
cmd_tariff_show_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct proto_tariff	 t;
	struct pile		*pile;
	char			*cause = NULL, a[32], b[32];
	int			 rc, p, s, e;

	if ((pile = cmd_pile(ctx)) == NULL)
		return cmd_exit_code(ctx->pile_rc);
	if ((rc = pile_tariff_read(pile, &t, &cause)) != 0)
		return cmd_fail(ctx, rc, cause);
	if (ctx->opts.json) {
		fprintf(ctx->out, "{\"serial\":");
		batch_json_str(ctx->out, ctx->identity.serial);
		fprintf(ctx->out, ",\"version\":%u,\"periods\":[", t.version);
		for (p = 0; p < PROTO_PERIODS; p++) {
			fmt_price(a, sizeof a, t.energy_price[p]);
			fmt_price(b, sizeof b, t.service_price[p]);
			fprintf(ctx->out, "%s{\"name\":\"%s\",\"energy_price\":\"%s\","
			    "\"service_price\":\"%s\",\"energy_price_e5\":%u,"
			    "\"service_price_e5\":%u}", p ? "," : "", proto_period_str((unsigned)p),
			    a, b, t.energy_price[p], t.service_price[p]);
		}
		fprintf(ctx->out, "],\"slots\":[");
		for (s = 0; s < PROTO_SLOTS; s++)
			fprintf(ctx->out, "%s%u", s ? "," : "", t.slot_period[s]);
		fprintf(ctx->out, "]}\n");
		return EXIT_OK;
	}
	fprintf(ctx->out, _("tariff of %s: version %u (prices per kWh)\n"), ctx->identity.serial,
	    t.version);
	fputs("  ", ctx->out);
	put_cell(ctx->out, _("period"), 8);
	put_cell_right(ctx->out, _("energy"), 13);
	put_cell_right(ctx->out, _("service"), 13);
	fputc('\n', ctx->out);
	for (p = 0; p < PROTO_PERIODS; p++) {
		fmt_price(a, sizeof a, t.energy_price[p]);
		fmt_price(b, sizeof b, t.service_price[p]);
		fputs("  ", ctx->out);
		put_cell(ctx->out, _(proto_period_str((unsigned)p)), 8);
		put_cell_right(ctx->out, a, 13);
		put_cell_right(ctx->out, b, 13);
		fputc('\n', ctx->out);
	}
	/* Runs of equal slots: "07:00-10:00 peak" reads better than 48 cells. */
	fprintf(ctx->out, _("time of day (UTC, the pile's clock):\n"));
	for (s = 0; s < PROTO_SLOTS; s = e) {
		for (e = s + 1; e < PROTO_SLOTS && t.slot_period[e] == t.slot_period[s]; e++)
			;
		fprintf(ctx->out, "  %02d:%02d-%02d:%02d  %s\n", s / 2, s % 2 * 30, e / 2,
		    e % 2 * 30, _(proto_period_str(t.slot_period[s])));
	}
	return EXIT_OK;
}
