/* ctl-sessions.c - `pilesim ctl sessions ADDR UID COUNT [--charge S] [--gap
 * S] [--json]`: COUNT card sessions in one command (swipe, plug, charge S
 * seconds, unplug, wait S seconds), the way a long outage test or benchmark
 * needs hundreds of them; each goes through the same pile logic as the
 * single commands. A refused card is counted by its reason and the time
 * still passes. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "ctl.h"
#include "json.h"

/* `advance`, without its answer: every pile meters the jump. */
static int
advance(struct sim_world *w, uint32_t secs, uint64_t now_ms, char **cause)
{
	int	i;

	if (secs == 0)
		return 0;
	sim_world_sync(w, now_ms);
	for (i = 0; i < w->npiles; i++)
		sim_pile_advance(&w->piles[i], secs, now_ms);
	w->sim_base_ms += (int64_t)secs * 1000;
	w->sim_wall_offset_ms += (int64_t)secs * 1000;
	sim_world_sync(w, now_ms);
	return sim_world_save(w, cause);
}

int
sim_ctl_sessions(struct sim_world *w, int argc, char **argv, FILE *out, uint64_t now_ms)
{
	struct sim_pile	*p;
	char		 uid[PROTO_UID_MAX + 1], *cause = NULL;
	uint32_t	 count, charge_s = 600, gap_s = 0, i, charged = 0;
	uint32_t	 refused[PROTO_AUTH_STORE_FULL + 2], nrefused = 0, unrecorded;
	unsigned	 result;
	int		 a, json = 0, rc = CTL_OK;

	if (argc < 4)
		return sim_ctl_usage(out);
	if ((p = sim_ctl_pile(w, argv[1], out)) == NULL)
		return CTL_FAILED;
	if (proto_uid_normalize(argv[2], uid) != 0)
		return sim_ctl_fail(out, _("bad card UID '%s': give 4 to 10 bytes in hex "
		    "(e.g. 04A1B2C3)"), argv[2]);
	if (sim_ctl_parse_u32(argv[3], 1000000, &count) != 0)
		return sim_ctl_fail(out, _("bad session count '%s': give a number from 0 "
		    "to 1000000"), argv[3]);
	for (a = 4; a < argc; a++) {
		if (strcmp(argv[a], "--json") == 0)
			json = 1;
		else if (a + 1 < argc && (strcmp(argv[a], "--charge") == 0 ||
		    strcmp(argv[a], "--gap") == 0)) {
			uint32_t *v = argv[a][2] == 'c' ? &charge_s : &gap_s;

			if (sim_ctl_parse_u32(argv[a + 1], 86400, v) != 0)
				return sim_ctl_fail(out, _("bad time '%s' for %s: give seconds "
				    "from 0 to 86400"), argv[a + 1], argv[a]);
			a++;
		} else
			return sim_ctl_usage(out);
	}
	if (p->sess.active)
		return sim_ctl_fail(out, _("pile %d is charging: end the session first "
		    "(unplug %d)"), p->addr, p->addr);
	memset(refused, 0, sizeof refused);
	unrecorded = p->unrecorded;
	for (i = 0; i < count && rc == CTL_OK; i++) {
		result = sim_pile_swipe(p, uid, now_ms);
		if (p->pending.active) {
			if (sim_pile_plug(p, now_ms, &cause) != 0 ||
			    advance(w, charge_s, now_ms, &cause) != 0 ||
			    sim_pile_unplug(p, now_ms, &cause) != 0)
				rc = CTL_FAILED;
			else
				charged++;
		} else {
			refused[result < nitems(refused) - 1 ? result : nitems(refused) - 1]++;
			nrefused++;
		}
		if (rc == CTL_OK && advance(w, gap_s, now_ms, &cause) != 0)
			rc = CTL_FAILED;
	}
	if (rc != CTL_OK) {
		sim_ctl_fail(out, _("session %" PRIu32 " of %" PRIu32 " on pile %d: %s"), i,
		    count, p->addr, cause != NULL ? cause : "?");
		free(cause);
		return rc;
	}
	unrecorded = p->unrecorded - unrecorded;
	if (json) {
		fprintf(out, "{\"sessions\":%" PRIu32 ",\"charged\":%" PRIu32 ",\"refused\":%"
		    PRIu32 ",\"unrecorded\":%" PRIu32 ",\"refused_by\":{", count, charged,
		    nrefused, unrecorded);
		for (a = 0, i = 0; i < nitems(refused); i++)
			if (refused[i] > 0) {
				fputs(a++ ? "," : "", out);
				json_write_str(out, i < nitems(refused) - 1 ?
				    proto_enum_key(PROTO_ENUM_AUTH, i) : "other");
				fprintf(out, ":%" PRIu32, refused[i]);
			}
		fprintf(out, "},\"last_seq\":%" PRIu32 "}\n", p->last_seq);
	} else {
		fprintf(out, _("pile %d: %" PRIu32 " sessions, %" PRIu32 " charged, %" PRIu32
		    " refused, %" PRIu32 " without a record; last record %" PRIu32 "\n"),
		    p->addr, count, charged, nrefused, unrecorded, p->last_seq);
		for (i = 0; i < nitems(refused) - 1; i++)
			if (refused[i] > 0)
				fprintf(out, "  %s: %" PRIu32 "\n",
				    proto_auth_str(i), refused[i]);
	}
	return CTL_OK;
}
