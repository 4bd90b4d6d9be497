/* wlcsv.h - the whitelist CSV format of `pilecon whitelist import|export|sync`:
 *
 *   uid,status,expires,holder
 *   04A2B3C4,accepted,2027-12-31,张三
 *
 * uid: any form proto_uid_normalize accepts; status accepted|blocked (empty:
 * accepted); expires empty (never), YYYY-MM-DD (end of that day, 23:59:59
 * UTC) or YYYY-MM-DDTHH:MM:SSZ; holder UTF-8, at most 32 bytes. RFC 4180
 * quoting; '#' comment lines, blank lines and a UTF-8 BOM are skipped. */
#ifndef WLCSV_H
#define WLCSV_H

#include <stddef.h>
#include <stdio.h>

#include "proto.h"

#define WLCSV_HEADER	"uid,status,expires,holder"

/* All or nothing: 0 with a malloc'ed array (NULL when n is 0), or -1 with
 * *cause naming FILE:LINE[:COL] of the first bad line and nothing returned. */
int	wlcsv_parse(FILE *, const char *filename, struct proto_wl_entry **entries,
	    size_t *n, char **cause);
/* Writes the header and the entries; what it writes, wlcsv_parse reads back
 * to the same entries. 0, or -1 with *cause (write error, bad entry). */
int	wlcsv_write(FILE *, const struct proto_wl_entry *, size_t n, char **cause);

#endif
