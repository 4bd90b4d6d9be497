/* hostile-files.h - what the tests of files pilecon writes share: a temp
 * folder, paths in it, a file's bytes, an archive with records. */
#ifndef HOSTILE_FILES_H
#define HOSTILE_FILES_H

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "archive/archive.h"

static char	hf_dir[] = "/tmp/pilecon-hostile.XXXXXX";

static __attribute__((unused)) char *
hf_path(const char *name)
{
	return xasprintf("%s/%s", hf_dir, name);
}

static __attribute__((unused)) char *
hf_slurp(const char *path, size_t *len)
{
	FILE	*fp = fopen(path, "rb");
	char	*buf = NULL;
	size_t	 n = 0, got;
	char	 chunk[4096];

	if (fp == NULL)
		return NULL;
	while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0) {
		buf = xrealloc(buf, n + got + 1);
		memcpy(buf + n, chunk, got);
		n += got;
	}
	fclose(fp);
	if (buf == NULL)
		buf = xstrdup("");
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

static __attribute__((unused)) void
hf_write(const char *path, const char *text)
{
	FILE	*fp = fopen(path, "wb");

	if (fp != NULL) {
		fputs(text, fp);
		fclose(fp);
	}
}

/* Names in hf_dir starting with a dot: temp files left behind. */
static __attribute__((unused)) int
hf_hidden_files(void)
{
	DIR		*d = opendir(hf_dir);
	struct dirent	*de;
	int		 n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] == '.' && strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0) {
			printf("# left behind: %s\n", de->d_name);
			n++;
		}
	closedir(d);
	return n;
}

/* An archive at name holding n records of pile SIM-0001. */
static __attribute__((unused)) struct archive *
hf_archive(const char *name, int n)
{
	char			*path = hf_path(name), *cause = NULL;
	struct archive		*a = archive_open(path, &cause);
	struct proto_record	 r;
	uint8_t			 wire[PROTO_RECORD_BYTES];
	int			 i;

	free(path);
	if (a == NULL) {
		printf("# %s\n", cause);
		free(cause);
		return NULL;
	}
	for (i = 1; i <= n; i++) {
		memset(&r, 0, sizeof r);
		r.seq = (uint32_t)i;
		r.kind = PROTO_REC_OFFLINE_CARD;
		r.flags = PROTO_REC_F_OFFLINE;
		r.stop_reason = PROTO_STOP_UNPLUGGED;
		snprintf(r.tag, sizeof r.tag, "04A2B3C4");
		snprintf(r.holder, sizeof r.holder, "张三");
		r.start = 1795593600 + (uint32_t)i * 10000;
		r.stop = r.start + 3600;
		r.energy_wh[2] = 1000;
		proto_record_encode(&r, wire);
		if (archive_put_records(a, "SIM-0001", 0, "PILE-SIM-0001", &r, 1, &cause) < 0) {
			printf("# %s\n", cause);
			free(cause);
		}
	}
	return a;
}

#endif
