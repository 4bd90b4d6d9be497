/* yaml-load.h - the one way pilecon loads a YAML file (the config, a
 * provisioning file): errors name FILE:LINE:COLUMN where they are. */
#ifndef YAML_LOAD_H
#define YAML_LOAD_H

#include <stdio.h>

#include <yaml.h>

/* Loads the one document of f (opened from path): 0 with *doc (the caller
 * deletes it), or -1 with *cause: a folder or unreadable file said so; a
 * libyaml error at its true line and column, including bad encoding (which
 * libyaml only gives as a byte offset); a second document ('---') refused
 * at its start rather than silently dropped. */
int	batch_yaml_load(FILE *f, const char *path, yaml_document_t *doc, char **cause);

#endif
