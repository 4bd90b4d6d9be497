/* line.c - the line emulator of pilesim: bit errors, lost and truncated
 * frames, latency, a pulled cable and busy piles, reproducible from a seed. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "sim/shell.h"

#define LINE_LATENCY_MAX_MS	60000
#define LINE_PULL_MAX_S		86400

/* splitmix64 (Steele, Lea, Flood 2014): tiny, and every seed is a good one. */
static uint64_t
line_next(struct line *l)
{
	uint64_t	z = (l->rng += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double
line_uniform(struct line *l)
{
	return (double)(line_next(l) >> 11) * 0x1.0p-53;
}

static int
line_chance(struct line *l, double p)
{
	if (p <= 0)
		return 0;
	return line_uniform(l) < p;
}

void
line_init(struct line *l, uint64_t seed)
{
	memset(l, 0, sizeof *l);
	l->seed = seed;
	l->rng = seed;
}

int
line_pulled(const struct line *l, uint64_t now_us)
{
	return now_us < l->pulled_until_us;
}

int
line_active(const struct line *l, uint64_t now_us)
{
	size_t	i;

	if (l->ber > 0 || l->drop > 0 || l->truncate > 0 || l->latency_ms > 0)
		return 1;
	if (line_pulled(l, now_us))
		return 1;
	for (i = 0; i < nitems(l->busy); i++) {
		if (l->busy[i])
			return 1;
	}
	return 0;
}

int
line_drop_request(struct line *l)
{
	if (!line_chance(l, l->drop))
		return 0;
	l->dropped_requests++;
	return 1;
}

int
line_drop_reply(struct line *l)
{
	if (!line_chance(l, l->drop))
		return 0;
	l->dropped_replies++;
	return 1;
}

int
line_drop_broadcast(struct line *l)
{
	l->broadcasts++;
	if (!line_chance(l, l->drop_broadcast))
		return 0;
	l->dropped_broadcasts++;
	return 1;
}

int
line_drop_at(struct line *l, unsigned addr)
{
	if (addr >= nitems(l->drop_pile) || !line_chance(l, l->drop_pile[addr]))
		return 0;
	l->missed[addr]++;
	return 1;
}

/* Flips each bit with probability ber. One draw per bit, so the damage
 * does not depend on how the terminal split the bytes into reads. */
static unsigned
line_flip_bits(struct line *l, uint8_t *buf, size_t len)
{
	size_t		i;
	unsigned	bit, flipped = 0;

	if (l->ber <= 0)
		return 0;
	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit++) {
			if (line_uniform(l) < l->ber) {
				buf[i] ^= (uint8_t)(1u << bit);
				flipped++;
			}
		}
	}
	return flipped;
}

void
line_corrupt(struct line *l, uint8_t *buf, size_t len)
{
	unsigned	n = line_flip_bits(l, buf, len);

	if (n > 0) {
		l->flipped_bits += n;
		l->corrupted_frames++;
	}
}

size_t
line_damage_reply(struct line *l, uint8_t *buf, size_t len)
{
	if (len > 1 && line_chance(l, l->truncate)) {
		len = 1 + (size_t)(line_next(l) % (len - 1));
		l->truncated++;
	}
	line_corrupt(l, buf, len);
	return len;
}

int
line_parse_rate(const char *s, double *out)
{
	char	*end;
	double	 v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= 0 && v <= 1))
		return -1;
	*out = v;
	return 0;
}

static int
line_parse_uint(const char *s, unsigned max, unsigned *out)
{
	char		*end;
	unsigned long	 v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int
line_parse_pile_rate(const char *s, unsigned *addr, double *rate)
{
	const char	*colon = strchr(s, ':');
	char		 num[8];

	if (colon == NULL || colon == s || (size_t)(colon - s) >= sizeof num)
		return -1;
	memcpy(num, s, (size_t)(colon - s));
	num[colon - s] = '\0';
	if (line_parse_uint(num, 247, addr) != 0 || *addr < 1)
		return -1;
	return line_parse_rate(colon + 1, rate);
}

static void
line_show(const struct line *l, const struct bus_stats *st, FILE *out,
    uint64_t now_us)
{
	size_t	i;
	int	any = 0;

	fprintf(out, "ber        %g\n", l->ber);
	fprintf(out, "drop       %g\n", l->drop);
	fprintf(out, "truncate   %g\n", l->truncate);
	fprintf(out, "latency    %u ms\n", l->latency_ms);
	if (line_pulled(l, now_us))
		fprintf(out, "cable      pulled, %.1f s left\n",
		    (double)(l->pulled_until_us - now_us) / 1e6);
	else
		fprintf(out, "cable      connected\n");
	fprintf(out, "busy      ");
	for (i = 1; i < nitems(l->busy); i++) {
		if (l->busy[i]) {
			fprintf(out, " %zu", i);
			any = 1;
		}
	}
	fprintf(out, "%s\n", any ? "" : " none");
	fprintf(out, "drop_broadcast %g\n", l->drop_broadcast);
	for (i = 1; i < nitems(l->drop_pile); i++)
		if (l->drop_pile[i] > 0 || l->missed[i] > 0)
			fprintf(out, "drop_pile  %zu %g (missed %" PRIu64 " frames)\n",
			    i, l->drop_pile[i], l->missed[i]);
	fprintf(out, "echo       %s\n", l->echo ? "on" : "off");
	fprintf(out, "seed       %" PRIu64 "\n", l->seed);
	if (st != NULL) {
		fprintf(out, "requests   %" PRIu64 "\n", st->requests);
		fprintf(out, "replies    %" PRIu64 "\n", st->replies);
		fprintf(out, "unanswered %" PRIu64 "\n", st->unanswered);
		fprintf(out, "crc_errors %" PRIu64 "\n", st->crc_errors);
		fprintf(out, "frame_errors %" PRIu64 "\n", st->frame_errors);
		fprintf(out, "partial    %" PRIu64 "\n", st->partial);
		fprintf(out, "bad_function %" PRIu64 "\n", st->bad_function);
		fprintf(out, "mismatched %" PRIu64 "\n", st->mismatched);
	}
	fprintf(out, "dropped_requests %" PRIu64 "\n", l->dropped_requests);
	fprintf(out, "dropped_replies %" PRIu64 "\n", l->dropped_replies);
	fprintf(out, "truncated  %" PRIu64 "\n", l->truncated);
	fprintf(out, "corrupted  %" PRIu64 " frames, %" PRIu64 " bits\n",
	    l->corrupted_frames, l->flipped_bits);
	fprintf(out, "pulled_frames %" PRIu64 "\n", l->pulled_frames);
	fprintf(out, "busy_replies %" PRIu64 "\n", l->busy_replies);
	fprintf(out, "broadcasts %" PRIu64 "\n", l->broadcasts);
	fprintf(out, "dropped_broadcasts %" PRIu64 "\n", l->dropped_broadcasts);
}

static int
line_usage(FILE *out)
{
	fprintf(out, "%s", _("usage: line ber RATE | drop RATE | truncate RATE | "
	    "latency MS | pull SECONDS | busy ADDR on|off | echo on|off | "
	    "drop-broadcast RATE | drop-pile ADDR RATE | off | show\n"));
	return 2;
}

int
line_ctl(struct line *l, const struct bus_stats *st, int npiles, int argc,
    char **argv, FILE *out, uint64_t now_us)
{
	const char	*what;
	double		 rate;
	unsigned	 n;

	if (argc < 2 || strcmp(argv[1], "show") == 0) {
		line_show(l, st, out, now_us);
		return 0;
	}
	what = argv[1];
	if (strcmp(what, "off") == 0 && argc == 2) {
		l->ber = l->drop = l->truncate = l->drop_broadcast = 0;
		memset(l->drop_pile, 0, sizeof l->drop_pile);
		l->latency_ms = 0;
		l->pulled_until_us = 0;
		memset(l->busy, 0, sizeof l->busy);
		l->echo = 0;
		fprintf(out, "%s", _("line clean: no faults, no added latency\n"));
		return 0;
	}
	if (strcmp(what, "drop-pile") == 0) {
		if (argc != 4)
			return line_usage(out);
		if (line_parse_uint(argv[2], 247, &n) != 0 || n < 1 ||
		    (int)n > npiles) {
			fprintf(out, _("no pile at address '%s': this bus has "
			    "addresses 1 to %d\n"), argv[2], npiles);
			return 1;
		}
		if (line_parse_rate(argv[3], &rate) != 0) {
			fprintf(out, _("invalid rate '%s' for 'line %s': give a "
			    "probability from 0 to 1 (e.g. 1e-4)\n"), argv[3], what);
			return 2;
		}
		l->drop_pile[n] = rate;
		fprintf(out, "drop-pile %u %g\n", n, rate);
		return 0;
	}
	if (argc != 3 && strcmp(what, "busy") != 0)
		return line_usage(out);
	if (strcmp(what, "drop-broadcast") == 0) {
		if (line_parse_rate(argv[2], &rate) != 0) {
			fprintf(out, _("invalid rate '%s' for 'line %s': give a "
			    "probability from 0 to 1 (e.g. 1e-4)\n"), argv[2], what);
			return 2;
		}
		l->drop_broadcast = rate;
		fprintf(out, "drop-broadcast %g\n", rate);
		return 0;
	}
	if (strcmp(what, "ber") == 0 || strcmp(what, "drop") == 0 ||
	    strcmp(what, "truncate") == 0) {
		if (line_parse_rate(argv[2], &rate) != 0) {
			fprintf(out, _("invalid rate '%s' for 'line %s': give a "
			    "probability from 0 to 1 (e.g. 1e-4)\n"), argv[2], what);
			return 2;
		}
		if (what[0] == 'b')
			l->ber = rate;
		else if (what[0] == 'd')
			l->drop = rate;
		else
			l->truncate = rate;
		fprintf(out, "%s %g\n", what, rate);
		return 0;
	}
	if (strcmp(what, "echo") == 0) {
		if (strcmp(argv[2], "on") == 0)
			l->echo = 1;
		else if (strcmp(argv[2], "off") == 0)
			l->echo = 0;
		else
			return line_usage(out);
		fprintf(out, "echo %s\n", l->echo ? "on" : "off");
		return 0;
	}
	if (strcmp(what, "latency") == 0) {
		if (line_parse_uint(argv[2], LINE_LATENCY_MAX_MS, &n) != 0) {
			fprintf(out, _("invalid latency '%s': give milliseconds "
			    "from 0 to %u\n"), argv[2], LINE_LATENCY_MAX_MS);
			return 2;
		}
		l->latency_ms = n;
		fprintf(out, "latency %u ms\n", n);
		return 0;
	}
	if (strcmp(what, "pull") == 0) {
		if (line_parse_uint(argv[2], LINE_PULL_MAX_S, &n) != 0) {
			fprintf(out, _("invalid duration '%s': give seconds from 0 "
			    "(plug back in) to %u\n"), argv[2], LINE_PULL_MAX_S);
			return 2;
		}
		l->pulled_until_us = n == 0 ? 0 : now_us + (uint64_t)n * 1000000;
		if (n == 0)
			fprintf(out, "%s", _("cable connected\n"));
		else
			fprintf(out, _("cable pulled for %u s\n"), n);
		return 0;
	}
	if (strcmp(what, "busy") == 0) {
		if (argc != 4)
			return line_usage(out);
		if (line_parse_uint(argv[2], 247, &n) != 0 || n < 1 ||
		    (int)n > npiles) {
			fprintf(out, _("no pile at address '%s': this bus has "
			    "addresses 1 to %d\n"), argv[2], npiles);
			return 1;
		}
		if (strcmp(argv[3], "on") == 0)
			l->busy[n] = 1;
		else if (strcmp(argv[3], "off") == 0)
			l->busy[n] = 0;
		else
			return line_usage(out);
		fprintf(out, "busy %u %s\n", n, l->busy[n] ? "on" : "off");
		return 0;
	}
	return line_usage(out);
}
