/* lf-stubs.c - libFuzzer builds only: the config harness links options.c
 * for its option table; its usage text walks the command table and its
 * option parser asks the archive for a default path. Both would pull in
 * every command, SQLite and the ports, none of which the config and keys
 * loaders reach. */
#include "config.h"

#include <stddef.h>

#include "batch/batch.h"

const struct cmd_entry	*cmd_table[] = { NULL };

char *
archive_default_path(void)
{
	return NULL;
}
