/* Helpers of the example host programs (example.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "example.h"

#define TRACE_MARK "bpf_trace_printk: "

void example_fail(const char *what, int err)
{
	fprintf(stderr, "%s: %s (%s)\n", what, bpfvm_errmsg(), strerror(err < 0 ? -err : err));
	exit(1);
}

struct bpfvm_object *example_load_object(struct bpfvm *vm, const char *path)
{
	struct bpfvm_object *obj;
	int err = bpfvm_object_open(vm, path, NULL, &obj);

	if (err)
		example_fail(path, err);
	err = bpfvm_object_load(obj);
	if (err)
		example_fail(path, err);
	return obj;
}

struct bpfvm_prog *example_prog(struct bpfvm_object *obj, const char *name)
{
	struct bpfvm_prog *prog = bpfvm_object_find_prog(obj, name);

	if (!prog)
		example_fail(name, ENOENT);
	return prog;
}

struct bpfvm_map *example_map(struct bpfvm_object *obj, const char *name)
{
	struct bpfvm_map *map = bpfvm_object_find_map(obj, name);

	if (!map)
		example_fail(name, ENOENT);
	return map;
}

size_t example_read_packet(const char *dir, const char *name, void *buf, size_t size)
{
	char path[1024];
	FILE *file;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s.bin", dir, name);
	file = fopen(path, "rb");
	if (!file) {
		perror(path);
		exit(1);
	}
	len = fread(buf, 1, size, file);
	fclose(file);
	return len;
}

static void print_messages(char *text, const char *indent)
{
	char *line, *next;

	for (line = text; *line; line = next) {
		char *message = strstr(line, TRACE_MARK);

		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		if (message && message < next) {
			message += strlen(TRACE_MARK);
			printf("%s%.*s\n", indent, (int)(next - message - (next[-1] == '\n')),
			       message);
		}
	}
}

void example_print_trace(struct bpfvm *vm, const char *indent)
{
	char text[16384];

	while (bpfvm_trace_pipe_read(vm, text, sizeof(text)) > 0)
		print_messages(text, indent);
}
