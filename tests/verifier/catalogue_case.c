/* Reading a catalogue case: its header of "key: value" comment lines (in
 * "# " for assembler cases, "// " for C cases) and its text. */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "bpfvm/bpfvm.h"
#include "catalogue_case.h"

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t size = 0;
	ssize_t n;

	if (!f)
		return NULL;
	/* getdelim with NUL reads the whole text file at once. */
	n = getdelim(&text, &size, 0, f);
	fclose(f);
	if (n < 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* The enum value whose libbpf name is `name`, or -1 (libbpf names every
 * type it knows, and NULL past them: 256 bounds the search). */
static int by_libbpf_name(const char *name, const char *(*to_str)(int), int max)
{
	for (int i = 0; i < max; i++) {
		const char *s = to_str(i);

		if (s && strcmp(s, name) == 0)
			return i;
	}
	return -1;
}

static const char *prog_type_str(int t)
{
	return libbpf_bpf_prog_type_str((enum bpf_prog_type)t);
}

static const char *map_type_str(int t)
{
	return libbpf_bpf_map_type_str((enum bpf_map_type)t);
}

static const char *attach_type_str(int t)
{
	return libbpf_bpf_attach_type_str((enum bpf_attach_type)t);
}

/* "key=value" words after the first: value parsed with strtoull base 0. */
static int parse_field(const char *word, const char *key, uint64_t *value)
{
	size_t len = strlen(key);
	char *end;

	if (strncmp(word, key, len) != 0 || word[len] != '=')
		return 0;
	*value = strtoull(word + len + 1, &end, 0);
	return *end ? -1 : 1;
}

static int parse_map(struct catalogue_case *c, char *value)
{
	struct catalogue_map *m;
	char *save = NULL, *word = strtok_r(value, " \t", &save);
	int type;

	if (c->map_cnt == CATALOGUE_MAPS_MAX || !word)
		return -1;
	type = by_libbpf_name(word, map_type_str, 256);
	if (type < 0)
		return -1;
	m = &c->maps[c->map_cnt++];
	m->type = (enum bpf_map_type)type;
	while ((word = strtok_r(NULL, " \t", &save))) {
		uint64_t v;
		int r;

		if ((r = parse_field(word, "key", &v)) > 0)
			m->key_size = (uint32_t)v;
		else if (!r && (r = parse_field(word, "value", &v)) > 0)
			m->value_size = (uint32_t)v;
		else if (!r && (r = parse_field(word, "entries", &v)) > 0)
			m->max_entries = (uint32_t)v;
		else if (!r && (r = parse_field(word, "flags", &v)) > 0)
			m->flags = (uint32_t)v;
		if (r <= 0)
			return -1;
	}
	return 0;
}

/* "IDX code=0xff dst=0 src=0 off=0 imm=0" */
static int parse_patch(struct catalogue_case *c, char *value)
{
	struct catalogue_patch *p;
	char *save = NULL, *word = strtok_r(value, " \t", &save);

	if (c->patch_cnt == CATALOGUE_PATCHES_MAX || !word)
		return -1;
	p = &c->patches[c->patch_cnt++];
	memset(p, 0, sizeof(*p));
	p->idx = (uint32_t)strtoul(word, NULL, 0);
	while ((word = strtok_r(NULL, " \t", &save))) {
		uint64_t v;

		if (parse_field(word, "code", &v) > 0)
			p->insn.code = (uint8_t)v;
		else if (parse_field(word, "dst", &v) > 0)
			p->insn.dst_reg = (uint8_t)v & 0xf;
		else if (parse_field(word, "src", &v) > 0)
			p->insn.src_reg = (uint8_t)v & 0xf;
		else if (parse_field(word, "off", &v) > 0)
			p->insn.off = (int16_t)v;
		else if (parse_field(word, "imm", &v) > 0)
			p->insn.imm = (int32_t)v;
		else
			return -1;
	}
	return 0;
}

static int parse_key(struct catalogue_case *c, const char *key, char *value)
{
	int t;

	if (strcmp(key, "prog") == 0) {
		t = by_libbpf_name(value, prog_type_str, 256);
		c->prog_type = (enum bpf_prog_type)t;
		return t < 0 ? -1 : 0;
	}
	if (strcmp(key, "attach") == 0) {
		t = by_libbpf_name(value, attach_type_str, 256);
		c->attach_type = (enum bpf_attach_type)t;
		return t < 0 ? -1 : 0;
	}
	if (strcmp(key, "expect") == 0) {
		c->expect_accept = strcmp(value, "accept") == 0;
		return c->expect_accept || strcmp(value, "reject") == 0 ? 0 : -1;
	}
	if (strcmp(key, "reason") == 0) {
		snprintf(c->reason, sizeof(c->reason), "%s", value);
		return 0;
	}
	if (strcmp(key, "bpfvm") == 0) {
		snprintf(c->bpfvm_differs, sizeof(c->bpfvm_differs), "%s", value);
		return 0;
	}
	if (strcmp(key, "part") == 0) {
		snprintf(c->part, sizeof(c->part), "%s", value);
		return 0;
	}
	if (strcmp(key, "map") == 0)
		return parse_map(c, value);
	if (strcmp(key, "patch") == 0)
		return parse_patch(c, value);
	return 1; /* not a header key: free text */
}

/* One comment line "PREFIX key: value"; free text is allowed. */
static int parse_line(struct catalogue_case *c, const char *line, size_t len,
		      const char *prefix, bool *has_expect)
{
	size_t plen = strlen(prefix);
	char buf[1024], *colon, *value;
	int r;

	if (len < plen || strncmp(line, prefix, plen) != 0 || len - plen >= sizeof(buf))
		return 0;
	memcpy(buf, line + plen, len - plen);
	buf[len - plen] = 0;
	colon = strstr(buf, ": ");
	if (!colon || strchr(buf, ' ') < colon)
		return 0;
	*colon = 0;
	value = colon + 2;
	while (*value == ' ')
		value++;
	if (strcmp(buf, "expect") == 0)
		*has_expect = true;
	r = parse_key(c, buf, value);
	if (r < 0)
		fprintf(stderr, "%s: bad header line: %.*s\n", c->name, (int)len, line);
	return r < 0 ? -1 : 0;
}

static int parse_header(struct catalogue_case *c, const char *prefix)
{
	bool has_expect = false;
	const char *line = c->text;

	while (*line) {
		size_t len = strcspn(line, "\n");

		if (parse_line(c, line, len, prefix, &has_expect))
			return -1;
		line += len + (line[len] == '\n');
	}
	if (!has_expect || (!c->expect_accept && !c->reason[0])) {
		fprintf(stderr, "%s: needs \"expect: accept\" or \"expect: reject\" and a reason\n",
			c->name);
		return -1;
	}
	return 0;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t len = strlen(s), slen = strlen(suffix);

	return len >= slen && strcmp(s + len - slen, suffix) == 0;
}

int catalogue_case_read(struct catalogue_case *c, const char *path, const char *objdir)
{
	char *copy = strdup(path), *base;
	int err = 0;

	memset(c, 0, sizeof(*c));
	if (!copy)
		return -1;
	base = basename(copy);
	c->kind = has_suffix(base, ".bpf.c") ? CATALOGUE_OBJ : CATALOGUE_ASM;
	base[strlen(base) - (c->kind == CATALOGUE_OBJ ? 6 : 2)] = 0;
	snprintf(c->name, sizeof(c->name), "%s", base);
	c->text = read_file(path);
	if (!c->text) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		err = -1;
	}
	if (!err && c->kind == CATALOGUE_OBJ &&
	    asprintf(&c->object_path, "%s/%s.bpf.o", objdir, c->name) < 0) {
		c->object_path = NULL;
		err = -1;
	}
	if (!err)
		err = parse_header(c, c->kind == CATALOGUE_OBJ ? "// " : "# ");
	free(copy);
	return err;
}

void catalogue_case_release(struct catalogue_case *c)
{
	free(c->text);
	free(c->object_path);
	c->text = c->object_path = NULL;
}

int catalogue_case_insns(const struct catalogue_case *c, struct bpf_insn **insns, size_t *cnt)
{
	if (bpfvm_asm_parse(c->text, insns, cnt)) {
		fprintf(stderr, "%s: assembler: %s\n", c->name, bpfvm_errmsg());
		return -1;
	}
	for (unsigned i = 0; i < c->patch_cnt; i++) {
		if (c->patches[i].idx >= *cnt) {
			fprintf(stderr, "%s: patch of insn %u past the end\n", c->name,
				c->patches[i].idx);
			free(*insns);
			return -1;
		}
		(*insns)[c->patches[i].idx] = c->patches[i].insn;
	}
	return 0;
}

void catalogue_log_reason(const char *log, char *reason, size_t size)
{
	const char *end = strstr(log, "processed "), *start;

	/* "processed N insns" ends the log, on a line of its own or glued to
	 * the reason ("expected prog array map for tail callprocessed 3 insns"). */
	while (end && !(end[10] >= '0' && end[10] <= '9'))
		end = strstr(end + 1, "processed ");
	if (!end)
		end = log + strlen(log);
	for (;;) {
		while (end > log && end[-1] == '\n')
			end--;
		start = end;
		while (start > log && start[-1] != '\n')
			start--;
		/* "infinite loop detected at insn 1" comes before two states. */
		if (strncmp(start, "cur state:", 10) && strncmp(start, "old state:", 10))
			break;
		end = start;
	}
	snprintf(reason, size, "%.*s", (int)(end - start), start);
}
