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
/* Writes the header and the entries for people and other programs: each
 * holder goes through text_safe (a line break stays, inside quotes), so a
 * name from the pile cannot act on the terminal that shows the file; a
 * holder without control characters reads back the same. 0, or -1 with
 * *cause (write error, bad entry). */
int	wlcsv_write(FILE *, const struct proto_wl_entry *, size_t n, char **cause);
/* The same, byte for byte: what wlcsv_parse reads back to the same entries
 * always (pilecon's own records, never shown). */
int	wlcsv_write_exact(FILE *, const struct proto_wl_entry *, size_t n, char **cause);

#endif
