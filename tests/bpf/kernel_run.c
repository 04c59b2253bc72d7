/* The kernel's half of a case: libbpf opens and loads the object, the
 * program runs with BPF_PROG_TEST_RUN on CPU 0, and every map is read back
 * through bpf(2) (corpus_run.h says how a result is written). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "corpus_run.h"

#define PERF_PAGES 8

static char libbpf_log[8192];

/* Keeps libbpf's messages (the verifier log on a failed load) to show them
 * when a load fails, instead of printing them for every case. */
static int keep_libbpf_message(enum libbpf_print_level level, const char *fmt, va_list args)
{
	size_t used = strlen(libbpf_log);

	if (level == LIBBPF_DEBUG)
		return 0;
	if (used > sizeof(libbpf_log) - 512) {
		memmove(libbpf_log, libbpf_log + used / 2, used - used / 2 + 1);
		used = strlen(libbpf_log);
	}
	return vsnprintf(libbpf_log + used, sizeof(libbpf_log) - used, fmt, args);
}

bool kernel_bpf_usable(char *why, size_t size)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd;

	libbpf_set_print(keep_libbpf_message);
	fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "probe", "GPL", insns, 2, NULL);
	if (fd < 0) {
		snprintf(why, size, "bpf(BPF_PROG_LOAD) failed: %s", strerror(errno));
		return false;
	}
	close(fd);
	return true;
}

/* ---- reading maps back ----------------------------------------------- */

struct map_view {
	int fd;
	struct bpf_map_info info;
	const char *name; /* canonical */
	int nr_cpus;
};

static char *inner_map_name(uint32_t id)
{
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info);
	int fd = bpf_map_get_fd_by_id(id);
	char *name;

	if (fd < 0)
		return strdup("<no map>");
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		name = strdup("<no info>");
	else
		name = strdup(canonical_map_name(info.name));
	close(fd);
	return name;
}

/* A prog array's value: the program's name, as the kernel keeps it (15
 * characters), since ids differ between the kernel and bpfvm. */
static char *slot_prog_name(uint32_t id)
{
	struct bpf_prog_info info = { 0 };
	uint32_t len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);
	char *name;

	if (fd < 0)
		return strdup("<no program>");
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		name = strdup("<no info>");
	else
		name = strndup(info.name, BPF_OBJ_NAME_LEN - 1);
	close(fd);
	return name;
}

static char *format_kernel_value(const struct map_view *map, const uint8_t *value)
{
	uint32_t type = map->info.type;

	if (type == BPF_MAP_TYPE_PROG_ARRAY) {
		uint32_t id;

		memcpy(&id, value, sizeof(id));
		return slot_prog_name(id);
	}

	if (type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS) {
		uint32_t id;

		memcpy(&id, value, sizeof(id));
		return inner_map_name(id);
	}
	return format_value(value, map->info.value_size, (uint32_t)map->nr_cpus,
			    map_type_is_percpu(type));
}

static void dump_keyed(struct run_result *result, const struct map_view *map)
{
	uint32_t key_size = map->info.key_size;
	size_t value_len = (size_t)((map->info.value_size + 7) & ~7u) * (size_t)map->nr_cpus;
	uint8_t *key = calloc(1, key_size), *next = calloc(1, key_size);
	uint8_t *value = calloc(1, value_len + 8);
	struct map_entry_line *lines = NULL;
	size_t count = 0;
	bool first = true;

	while (bpf_map_get_next_key(map->fd, first ? NULL : key, next) == 0) {
		first = false;
		memcpy(key, next, key_size);
		if (bpf_map_lookup_elem(map->fd, key, value))
			continue;
		char *key_hex = format_hex(key, key_size), *value_text = format_kernel_value(map, value);

		lines = realloc(lines, (count + 1) * sizeof(*lines));
		lines[count].key = malloc(key_size);
		memcpy(lines[count].key, key, key_size);
		lines[count].key_size = key_size;
		if (asprintf(&lines[count].text, "  %s: %s", key_hex, value_text) < 0)
			abort();
		count++;
		free(key_hex);
		free(value_text);
	}
	result_add_sorted_entries(result, lines, count);
	free(lines);
	free(key);
	free(next);
	free(value);
}

static void dump_popped(struct run_result *result, const struct map_view *map)
{
	uint8_t *value = calloc(1, map->info.value_size);

	while (bpf_map_lookup_and_delete_elem(map->fd, NULL, value) == 0) {
		result_printf(result, "  pop ");
		result_hex(result, value, map->info.value_size);
		result_printf(result, "\n");
	}
	free(value);
}

static int ring_record(void *ctx, void *data, size_t size)
{
	struct run_result *result = ctx;

	result_printf(result, "  record %zu: ", size);
	result_hex(result, data, size);
	result_printf(result, "\n");
	return 0;
}

static void dump_ring(struct run_result *result, const struct map_view *map)
{
	struct ring_buffer *ring = ring_buffer__new(map->fd, ring_record, result, NULL);

	if (!ring) {
		result_printf(result, "  ring_buffer__new failed: %d\n", -errno);
		return;
	}
	ring_buffer__consume(ring);
	ring_buffer__free(ring);
}

/* Perf event arrays are read through perf buffers opened before the run. */
struct perf_reader {
	struct perf_buffer *buffer;
	char name[32];
	struct run_result records;
};

static void perf_record(void *ctx, int cpu, void *data, __u32 size)
{
	struct perf_reader *reader = ctx;

	result_printf(&reader->records, "  cpu %d record %u: ", cpu, size);
	result_hex(&reader->records, data, size);
	result_printf(&reader->records, "\n");
}

static void perf_lost(void *ctx, int cpu, __u64 lost)
{
	struct perf_reader *reader = ctx;

	result_printf(&reader->records, "  cpu %d lost %llu\n", cpu, (unsigned long long)lost);
}

static void dump_map(struct run_result *result, struct bpf_map *map,
		     struct perf_reader *readers, size_t reader_cnt)
{
	struct map_view view = { .fd = bpf_map__fd(map), .nr_cpus = libbpf_num_possible_cpus() };
	uint32_t len = sizeof(view.info);

	if (bpf_obj_get_info_by_fd(view.fd, &view.info, &len)) {
		result_printf(result, "map %s: no info: %d\n", bpf_map__name(map), -errno);
		return;
	}
	view.name = canonical_map_name(bpf_map__name(map));
	result_printf(result, "map %s %s key %u value %u max %u flags 0x%x\n", view.name,
		      map_type_name(view.info.type), view.info.key_size, view.info.value_size,
		      view.info.max_entries, view.info.map_flags);
	switch (view.info.type) {
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
		dump_popped(result, &view);
		break;
	case BPF_MAP_TYPE_RINGBUF:
		dump_ring(result, &view);
		break;
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		for (size_t i = 0; i < reader_cnt; i++)
			if (strcmp(readers[i].name, bpf_map__name(map)) == 0 && readers[i].records.text)
				result_printf(result, "%s", readers[i].records.text);
		break;
	default:
		dump_keyed(result, &view);
	}
}

static int compare_map_names(const void *a, const void *b)
{
	const struct bpf_map *const *left = a, *const *right = b;

	return strcmp(canonical_map_name(bpf_map__name(*left)),
		      canonical_map_name(bpf_map__name(*right)));
}

static void dump_maps(struct run_result *result, struct bpf_object *obj,
		      struct perf_reader *readers, size_t reader_cnt)
{
	struct bpf_map *maps[64], *map;
	size_t count = 0;

	bpf_object__for_each_map(map, obj)
		if (count < 64)
			maps[count++] = map;
	qsort(maps, count, sizeof(maps[0]), compare_map_names);
	for (size_t i = 0; i < count; i++)
		dump_map(result, maps[i], readers, reader_cnt);
}

/* ---- the run --------------------------------------------------------- */

static size_t open_perf_readers(struct bpf_object *obj, struct perf_reader *readers, size_t max)
{
	struct bpf_map *map;
	size_t count = 0;

	bpf_object__for_each_map(map, obj) {
		if (bpf_map__type(map) != BPF_MAP_TYPE_PERF_EVENT_ARRAY || count == max)
			continue;
		memset(&readers[count], 0, sizeof(readers[count]));
		snprintf(readers[count].name, sizeof(readers[count].name), "%s", bpf_map__name(map));
		readers[count].buffer = perf_buffer__new(bpf_map__fd(map), PERF_PAGES, perf_record,
							 perf_lost, &readers[count], NULL);
		if (!readers[count].buffer)
			result_printf(&readers[count].records, "  perf_buffer__new failed: %d\n", -errno);
		count++;
	}
	return count;
}

static void close_perf_readers(struct perf_reader *readers, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		perf_buffer__free(readers[i].buffer);
		result_release(&readers[i].records);
	}
}

static void record_run_output(struct run_result *result, const struct bpf_test_run_opts *opts,
			      const uint8_t *data_out, const uint8_t *ctx_out)
{
	result_printf(result, "retval %u\n", opts->retval);
	if (data_out) {
		result_printf(result, "data_out %u: ", opts->data_size_out);
		result_hex(result, data_out, opts->data_size_out);
		result_printf(result, "\n");
	}
	if (ctx_out) {
		result_printf(result, "ctx_out %u: ", opts->ctx_size_out);
		result_hex(result, ctx_out, opts->ctx_size_out);
		result_printf(result, "\n");
	}
}

static void run_loaded(struct bpf_object *obj, struct bpf_program *prog, int repeat,
		       const struct case_input *input, struct run_result *result)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	struct perf_reader readers[4];
	size_t reader_cnt = open_perf_readers(obj, readers, 4);
	uint8_t *data_out = NULL, *ctx_out = NULL;
	bool raw_tp = bpf_program__type(prog) == BPF_PROG_TYPE_RAW_TRACEPOINT;
	int err;

	if (raw_tp) {
		/* The kernel takes only ctx_in here (no repeat, no outputs),
		 * and runs on the CPU asked. */
		opts.flags = BPF_F_TEST_RUN_ON_CPU;
		opts.cpu = 0;
	} else {
		data_out = calloc(1, CORPUS_DATA_OUT_CAPACITY);
		opts.data_out = data_out;
		opts.data_size_out = CORPUS_DATA_OUT_CAPACITY;
		/* As bpftool: the context comes back only when one went in. */
		if (input->ctx_len) {
			ctx_out = calloc(1, CORPUS_CTX_OUT_CAPACITY);
			opts.ctx_out = ctx_out;
			opts.ctx_size_out = CORPUS_CTX_OUT_CAPACITY;
		}
		opts.repeat = repeat;
	}
	opts.data_in = input->data;
	opts.data_size_in = input->data_len;
	opts.ctx_in = input->ctx_len ? input->ctx : NULL;
	opts.ctx_size_in = input->ctx_len;
	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
	if (err) {
		result_printf(result, "run failed: %d\n", -errno);
		result->failed = true;
	} else {
		record_run_output(result, &opts, data_out, ctx_out);
	}
	for (size_t i = 0; i < reader_cnt; i++)
		if (readers[i].buffer)
			perf_buffer__consume(readers[i].buffer);
	dump_maps(result, obj, readers, reader_cnt);
	close_perf_readers(readers, reader_cnt);
	free(data_out);
	free(ctx_out);
}

void kernel_run_case(const struct corpus_case *c, const char *obj_dir,
		     const struct case_input *input, struct run_result *result)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	char path[512];

	libbpf_set_print(keep_libbpf_message);
	libbpf_log[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s.bpf.o", obj_dir, c->obj);
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		result_printf(result, "open failed: %d\n", -errno);
		result->failed = true;
		return;
	}
	prog = bpf_object__find_program_by_name(obj, c->prog);
	if (!prog) {
		result_printf(result, "no program %s\n", c->prog);
		result->failed = true;
	} else if (bpf_object__load(obj)) {
		result_printf(result, "load failed: %d\n", -errno);
		printf("    kernel: libbpf said:\n%s", libbpf_log);
		result->failed = true;
	} else {
		run_loaded(obj, prog, c->repeat, input, result);
	}
	bpf_object__close(obj);
}
