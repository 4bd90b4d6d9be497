/* custody.c - hands pulled records into pilecon's custody: the range the
 * pile still holds past its custody mark, as far as the archive holds it. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

#include "common.h"
#include "batch/custody.h"
#include "batch/job.h"

int
custody_hand_over(struct pile *pile, struct archive *ar, const char *serial,
    uint32_t store_id, struct custody_done *done, char **cause)
{
	struct proto_live	live;
	uint8_t			sha[PROTO_SHA256_BYTES];
	uint32_t		first, last;
	int			rc;

	memset(done, 0, sizeof *done);
	if (!(pile_caps(pile) & PROTO_CAP_CUSTODY))
		return set_cause(cause, PILE_E_REFUSED, _("pile '%s' cannot take records "
		    "into custody (its protocol has no custody: it keeps every record "
		    "until its cloud acknowledges it)"), serial);
	if ((rc = pile_live(pile, &live, cause)) < 0)
		return rc;
	if (live.last_seq == 0)
		return 0;
	first = live.custody_last_seq + 1;
	if (first < live.first_seq)
		first = live.first_seq;
	if (first > live.last_seq)
		return 0;
	if (archive_held_through(ar, serial, store_id, first, &last, cause) != 0)
		return PILE_E_PROTOCOL;
	if (last > live.last_seq)
		last = live.last_seq;
	if (last < first)
		return 0;
	if (archive_custody_digest(ar, serial, store_id, first, last, sha, cause) != 0)
		return PILE_E_PROTOCOL;
	if ((rc = pile_custody(pile, first, last, sha, NULL, cause)) < 0)
		return rc;
	done->first = first;
	done->last = last;
	done->count = last - first + 1;
	return 0;
}

/*
 * `logs pull --custody` on pile, run to its end in a runner of its own:
 * for a step that may block (provisioning applies pile by pile), so the
 * one pull there is (resume, signatures, quarantine, exactly once) also
 * serves provisioning. The outer job holds no transaction meanwhile.
 */
struct job *
custody_pull_run(struct cmd_ctx *ctx, struct pile *pile, const struct proto_identity *id,
    int *exit_code, char **cause)
{
	static char		*argv[] = { "logs", "pull", "--custody" };
	struct job_runner	*r;
	struct job		*job;
	struct pollfd		 pfd[4];
	int			 n, timeout;

	if ((job = job_new(ctx, 3, argv, pile, id, exit_code, cause)) == NULL)
		return NULL;
	r = job_runner_new();
	job_runner_add(r, job);
	job_runner_step(r);
	while (job_runner_running(r) > 0) {
		n = job_runner_pollfds(r, pfd, (int)nitems(pfd), &timeout);
		if (poll(pfd, (nfds_t)n, timeout) < 0 && errno != EINTR)
			continue;
		job_runner_step(r);
	}
	job_runner_take_done(r);
	job_runner_free(r);
	return job;
}
