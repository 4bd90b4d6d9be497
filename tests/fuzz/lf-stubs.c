/* lf-stubs.c - libFuzzer builds only: the config harness links options.c
 * for its option table; its usage text walks the command table and its
 * option parser asks the archive for a default path. Both would pull in
 * every command, SQLite and the ports, none of which the config and keys
 * loaders reach. Weak: should a loader ever call into cmd.c or the
 * archive, the real definitions are linked instead and nothing clashes. */
#include "config.h"

#include <stddef.h>

#include "batch/batch.h"

__attribute__((weak)) const struct cmd_entry	*cmd_table[] = { NULL };

__attribute__((weak)) char *
archive_default_path(void)
{
	return NULL;
}
