/* util.c - what the batch commands share: money and energy in decimals
 * (integer arithmetic only), whitelist reads, table cells. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/cmd-util.h"

int
wl_read_all(struct pile *pile, struct proto_wl_entry **out, size_t *n, uint32_t *version,
    char **cause)
{
	struct pile_wl_status	 before, after;
	struct proto_wl_entry	*all = NULL;
	size_t			 have = 0, cap = 0;
	int			 rc, got, attempt;

	for (attempt = 0; attempt < 3; attempt++) {
		if ((rc = pile_wl_status(pile, &before, cause)) != 0)
			goto fail;
		have = 0;
		for (;;) {
			if (have + PROTO_WL_WINDOW_ENTRIES > cap) {
				cap = cap ? cap * 2 : 64;
				all = xrealloc(all, cap * sizeof *all);
			}
			got = pile_wl_read(pile, (uint32_t)have, all + have, cause);
			if (got < 0) {
				rc = got;
				goto fail;
			}
			have += (size_t)got;
			if (got < PROTO_WL_WINDOW_ENTRIES)
				break;
		}
		if ((rc = pile_wl_status(pile, &after, cause)) != 0)
			goto fail;
		/* Someone (the console, another laptop, the cloud) edited the
		 * list while we read it: read again rather than mix versions. */
		if (after.version == before.version) {
			*out = all;
			*n = have;
			*version = after.version;
			return 0;
		}
	}
	rc = set_cause(cause, PILE_E_PROTOCOL, _("the whitelist kept changing while it was "
	    "read (3 tries); try again when nobody else edits it"));
fail:
	free(all);
	return rc;
}

static void
put_spaces(FILE *f, int n)
{
	while (n-- > 0)
		fputc(' ', f);
}

/* Every cell goes through text_safe: a holder or serial from the pile
 * cannot move the cursor or break the table's lines. */
void
put_cell(FILE *f, const char *s, int width)
{
	char	*safe = text_safe(s, 0);

	fputs(safe, f);
	put_spaces(f, width - utf8_width(safe));
	free(safe);
}

void
put_cell_right(FILE *f, const char *s, int width)
{
	char	*safe = text_safe(s, 0);

	put_spaces(f, width - utf8_width(safe));
	fputs(safe, f);
	free(safe);
}

const char *
vocab_text(enum proto_enum_id id, const char *key)
{
	unsigned	v;

	if (key == NULL)
		return "";
	if (proto_enum_find(id, key, &v) != 0)
		return key;
	return _(proto_enum_str(id, v));
}
