/* util.c - what the batch commands share: money and energy in decimals
 * (integer arithmetic only), table cells. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/cmd-util.h"

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
