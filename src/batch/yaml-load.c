/* yaml-load.c - loading one YAML document with true error positions. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "common.h"
#include "batch/yaml-load.h"

/* Line and column (1-based, in characters) of byte offset in f. */
static void
yaml_offset_position(FILE *f, size_t offset, unsigned long *line, unsigned long *col)
{
	size_t	i;
	int	c;

	*line = *col = 1;
	if (fseek(f, 0, SEEK_SET) != 0)
		return;
	for (i = 0; i < offset && (c = getc(f)) != EOF; i++) {
		if (c == '\n') {
			(*line)++;
			*col = 1;
		} else if ((c & 0xc0) != 0x80)	/* not a UTF-8 continuation */
			(*col)++;
	}
}

static int
yaml_parser_cause(yaml_parser_t *parser, FILE *f, const char *path, char **cause)
{
	unsigned long	line, col;

	if (parser->error == YAML_READER_ERROR) {
		/* libyaml gives no mark for bad bytes, only their offset. */
		yaml_offset_position(f, parser->problem_offset, &line, &col);
		if (parser->problem_value != -1)
			return set_cause(cause, -1, _("%s:%lu:%lu: %s (byte 0x%02X): the file "
			    "must be UTF-8 text"), path, line, col,
			    parser->problem ? parser->problem : _("bad YAML"),
			    (unsigned)parser->problem_value & 0xff);
		return set_cause(cause, -1, _("%s:%lu:%lu: %s: the file must be UTF-8 text"),
		    path, line, col, parser->problem ? parser->problem : _("bad YAML"));
	}
	return set_cause(cause, -1, _("%s:%lu:%lu: %s%s%s"), path,
	    (unsigned long)parser->problem_mark.line + 1,
	    (unsigned long)parser->problem_mark.column + 1,
	    parser->problem ? parser->problem : _("bad YAML"),
	    parser->context ? " " : "", parser->context ? parser->context : "");
}

int
batch_yaml_load(FILE *f, const char *path, yaml_document_t *doc, char **cause)
{
	yaml_parser_t	parser;
	yaml_document_t	next;
	struct stat	sb;
	int		rc = -1;

	if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode))
		return set_cause(cause, -1, _("cannot read '%s': it is a folder; give the "
		    "path of a YAML file"), path);
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, doc)) {
		yaml_parser_cause(&parser, f, path, cause);
		yaml_parser_delete(&parser);
		return -1;
	}
	/* Every document is handled or refused: a second one is refused. */
	if (!yaml_parser_load(&parser, &next)) {
		yaml_parser_cause(&parser, f, path, cause);
		yaml_document_delete(doc);
	} else if (yaml_document_get_root_node(&next) != NULL) {
		set_cause(cause, -1, _("%s:%lu:%lu: a second YAML document: the file must "
		    "hold one (remove this '---' line or put the two in one mapping)"), path,
		    (unsigned long)next.start_mark.line + 1,
		    (unsigned long)next.start_mark.column + 1);
		yaml_document_delete(&next);
		yaml_document_delete(doc);
	} else {
		yaml_document_delete(&next);
		rc = 0;
	}
	yaml_parser_delete(&parser);
	return rc;
}
