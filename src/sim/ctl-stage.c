/* ctl-stage.c - control commands of protocol 1.1's broadcast staging: a
 * pile's mains power (cut mid-transfer) and what its staging area holds. */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "common.h"
#include "json.h"
#include "ctl.h"

int
sim_ctl_mains(struct sim_world *w, int argc, char **argv, FILE *out, uint64_t now_ms)
{
	struct sim_pile	*p;
	int		 on;

	(void)now_ms;
	if (argc != 3)
		return sim_ctl_usage(out);
	if (strcmp(argv[2], "on") == 0)
		on = 1;
	else if (strcmp(argv[2], "off") == 0)
		on = 0;
	else
		return sim_ctl_usage(out);
	if ((p = sim_ctl_pile(w, argv[1], out)) == NULL)
		return CTL_FAILED;
	sim_stage_mains(p, on);
	fprintf(out, on ? _("pile %d: mains on\n") : _("pile %d: mains off (staging "
	    "area lost, whitelist kept)\n"), p->addr);
	return CTL_OK;
}

int
sim_ctl_stage(struct sim_world *w, int argc, char **argv, FILE *out, uint64_t now_ms)
{
	struct sim_pile		*p;
	struct sim_stage	*s;
	int			 json = 0;

	(void)now_ms;
	if (argc < 2)
		return sim_ctl_usage(out);
	if (sim_ctl_json_flag(argc, argv, 2, out, &json) != 0)
		return CTL_USAGE;
	if ((p = sim_ctl_pile(w, argv[1], out)) == NULL)
		return CTL_FAILED;
	s = &p->stage;
	if (json) {
		fprintf(out, "{\"address\":%d,\"mains\":", p->addr);
		json_write_str(out, p->mains_off ? "off" : "on");
		fprintf(out, ",\"transfer\":%u,\"chunks\":%u,\"received\":%u,"
		    "\"commit_result\":%u,\"whitelist_version\":%" PRIu32
		    ",\"whitelist_count\":%" PRIu32 "}\n", s->transfer, s->total,
		    s->received, s->commit_result, p->wl.version, p->wl.n);
	} else
		fprintf(out, _("pile %d: mains %s, transfer %u, %u of %u chunks, last "
		    "commit: %s; whitelist version %" PRIu32 ", %" PRIu32 " entries\n"),
		    p->addr, p->mains_off ? _("off") : _("on"), s->transfer,
		    s->received, s->total, s->commit[0] == 0 ? _("none") :
		    _(proto_enum_str(PROTO_ENUM_COMMIT_RESULT, s->commit_result)),
		    p->wl.version, p->wl.n);
	return CTL_OK;
}
