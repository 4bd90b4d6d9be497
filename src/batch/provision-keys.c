/* provision-keys.c - `public_key:` in a provisioning file: the key a pile
 * signs its records with, pinned in the archive for its serial (the pin a
 * first pull makes by trust on first use, given by the operator instead).
 * A key that differs from one pinned already is refused unless the run
 * says --replace-keys: a pin is never overwritten silently. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "archive/archive.h"
#include "batch/batch.h"
#include "batch/provision.h"

static void
prov_key_error(char ***errors, size_t *nerrors, char *msg)
{
	*errors = xrealloc(*errors, (*nerrors + 1) * sizeof **errors);
	(*errors)[(*nerrors)++] = msg;
}

int
prov_keys_check(struct archive *ar, struct prov_file *pf, int replace, char ***errors,
    size_t *nerrors, char **cause)
{
	struct prov_pile	*pl;
	uint8_t			 pinned[PROTO_PUBKEY_BYTES];
	char			 source[16];
	size_t			 i;
	int			 rc;

	*errors = NULL;
	*nerrors = 0;
	for (i = 0; i < pf->npiles; i++) {
		pl = &pf->piles[i];
		pl->key = PROV_KEY_NONE;
		if (!pl->has_pubkey)
			continue;
		if ((rc = archive_key_get(ar, pl->serial, pinned, source, cause)) < 0)
			return -2;
		if (rc == 0)
			pl->key = PROV_KEY_NEW;
		else if (memcmp(pinned, pl->pubkey, sizeof pinned) == 0)
			pl->key = PROV_KEY_SAME;
		else if (replace)
			pl->key = PROV_KEY_REPLACE;
		else
			prov_key_error(errors, nerrors, xasprintf(_("%s:%lu:%lu: the public "
			    "key given for '%s' is not the one the archive has pinned for it "
			    "(%s): nothing was changed; if the pile's key was really "
			    "replaced, run again with --replace-keys"), pf->path,
			    pl->key_line, pl->key_col, pl->serial,
			    strcmp(source, "provisioned") == 0 ? _("given by an earlier "
			    "provisioning") : _("seen on its first pull")));
	}
	return *nerrors == 0 ? 0 : -1;
}

int
prov_key_pile_wanted(struct prov_item *it)
{
	it->key_pile = PROV_KEY_PILE_UNREAD;
	if (it->failed || !it->have_id || !it->want->has_pubkey)
		return 0;
	if (!pile_signs(&it->id)) {
		it->key_pile = PROV_KEY_PILE_UNSIGNED;
		return 0;
	}
	return 1;
}

void
prov_key_pile_parse(struct prov_item *it, const struct pile_xfer *x)
{
	uint8_t	 shown[PROTO_PUBKEY_BYTES];
	char	*cause = NULL;

	/* A failed read leaves it unread: the pull checks the key anyway. */
	if (pile_public_key_parse(x, shown, &cause) != 0) {
		free(cause);
		return;
	}
	it->key_pile = memcmp(shown, it->want->pubkey, sizeof shown) == 0 ?
	    PROV_KEY_PILE_SAME : PROV_KEY_PILE_DIFFERS;
}

int
prov_keys_pin(struct archive *ar, const struct prov_run *run, char **cause)
{
	const struct prov_pile	*pl;
	size_t			 i;

	for (i = 0; i < run->nitems; i++) {
		pl = run->items[i].want;
		if (pl->key != PROV_KEY_NEW && pl->key != PROV_KEY_REPLACE)
			continue;
		if (archive_key_provision(ar, pl->serial, pl->pubkey, cause) != 0)
			return -1;
	}
	return 0;
}

const char *
prov_key_token(enum prov_key k)
{
	switch (k) {
	case PROV_KEY_NONE:
		break;
	case PROV_KEY_NEW:
		return "pin";
	case PROV_KEY_SAME:
		return "pinned";
	case PROV_KEY_REPLACE:
		return "replace";
	}
	return "none";
}

const char *
prov_key_pile_token(enum prov_key_pile k)
{
	switch (k) {
	case PROV_KEY_PILE_UNREAD:
		break;
	case PROV_KEY_PILE_SAME:
		return "same";
	case PROV_KEY_PILE_DIFFERS:
		return "differs";
	case PROV_KEY_PILE_UNSIGNED:
		return "unsigned";
	}
	return "unread";
}
