/* unit-keys-serial.c - a pile serial of any bytes pilesim takes (1 to 16,
 * no NUL) written to DIR/keys.yaml by pilesim (sim_keys_write) is found by
 * pilecon's keys loader (keys_lookup) byte for byte, with its own key:
 * '"', '\\', C0 and DEL, C1 and line separators as UTF-8, and bytes that
 * are not UTF-8 at all. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "proto.h"
#include "batch/batch.h"
#include "sim/world.h"
#include "tap.h"

static const char *const serials[] = {
	"a\"b\\c",			/* quote and backslash */
	"\x01\x1b[2J\x7f\t\r\n#x",	/* C0, ESC, DEL, line breaks, comment */
	"c1\xc2\x85\xc2\x9b\xe2\x80\xa8\xef\xbb\xbf",	/* NEL, CSI, U+2028, BOM */
	"raw\x80\x9f\xff\xc3",		/* C1 bytes, 0xFF, a cut sequence */
	"ok-\xe5\xad\x98: - [x]",	/* Chinese, YAML punctuation */
	"\xfe\"\\\n",			/* not UTF-8 with a quote and a break */
};

int
main(void)
{
	char		 dir[] = "/tmp/unit-keys-serial-XXXXXX", *path, *c;
	struct sim_world w;
	uint8_t		 key[PROTO_KEY_BYTES];
	size_t		 i, n = sizeof serials / sizeof serials[0];

	if (mkdtemp(dir) == NULL)
		return 1;
	memset(&w, 0, sizeof w);
	w.dir = dir;
	w.npiles = (int)n;
	w.piles = xcalloc(n, sizeof *w.piles);
	for (i = 0; i < n; i++) {
		snprintf(w.piles[i].serial, sizeof w.piles[i].serial, "%s", serials[i]);
		memset(w.piles[i].key, (int)(0x11 * (i + 1)), PROTO_KEY_BYTES);
	}
	c = NULL;
	is_int(sim_keys_write(&w, &c), 0, "pilesim_writes_keys_yaml");
	free(c);
	path = xasprintf("%s/keys.yaml", dir);
	for (i = 0; i < n; i++) {
		c = NULL;
		memset(key, 0, sizeof key);
		is_int(keys_lookup(path, serials[i], key, &c), 0,
		    "hostile_serial_%zu_is_found", i);
		if (c != NULL)
			printf("#   cause: %s\n", c);
		free(c);
		ok(memcmp(key, w.piles[i].key, sizeof key) == 0,
		    "hostile_serial_%zu_gets_its_own_key", i);
	}
	/* Byte for byte: what json_quote made of the bytes that are not
	 * UTF-8 (U+FFFD) is another serial. */
	c = NULL;
	is_int(keys_lookup(path, "raw\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", key,
	    &c), -1, "a_serial_that_only_looks_alike_has_no_key");
	free(c);
	c = NULL;
	is_int(keys_lookup(path, "raw\x80\x9f\xff", key, &c), -1,
	    "a_prefix_of_a_binary_serial_has_no_key");
	free(c);
	unlink(path);
	free(path);
	rmdir(dir);
	free(w.piles);
	done_testing();
}
