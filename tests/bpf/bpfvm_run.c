/* bpfvm's half of a case, through the public API only, written exactly as
 * kernel_run.c writes the kernel's (corpus_run.h). The runtime has as many
 * virtual CPUs as the machine has possible CPUs, so per-CPU values and
 * perf event arrays have the kernel's shapes; runs use virtual CPU 0. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "bpfvm/bpfvm.h"
#include "corpus_run.h"

static char *inner_map_name(struct bpfvm *vm, uint32_t id)
{
	struct bpfvm_map *inner;
	char *name;

	if (bpfvm_map_get_by_id(vm, id, &inner))
		return strdup("<no map>");
	name = strdup(canonical_map_name(bpfvm_map_name(inner)));
	bpfvm_map_close(inner);
	return name;
}

struct map_view {
	struct bpfvm *vm;
	struct bpfvm_map *map;
	struct bpfvm_map_info info;
	const char *name; /* full name, as libbpf's bpf_map__name() */
	uint32_t nr_cpus;
};

/* A prog array's value: the program's name cut as the kernel keeps it. */
static char *slot_prog_name(struct bpfvm *vm, uint32_t id)
{
	struct bpfvm_prog *prog;
	char *name;

	if (bpfvm_prog_get_by_id(vm, id, &prog))
		return strdup("<no program>");
	name = strndup(bpfvm_prog_name(prog), BPF_OBJ_NAME_LEN - 1);
	bpfvm_prog_close(prog);
	return name;
}

static char *format_bpfvm_value(const struct map_view *view, const uint8_t *value)
{
	uint32_t type = view->info.type;

	if (type == BPF_MAP_TYPE_PROG_ARRAY) {
		uint32_t id;

		memcpy(&id, value, sizeof(id));
		return slot_prog_name(view->vm, id);
	}

	if (type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS) {
		uint32_t id;

		memcpy(&id, value, sizeof(id));
		return inner_map_name(view->vm, id);
	}
	return format_value(value, view->info.value_size, view->nr_cpus, map_type_is_percpu(type));
}

static void dump_keyed(struct run_result *result, const struct map_view *view)
{
	uint32_t key_size = view->info.key_size;
	size_t value_len = bpfvm_map_value_size_user(view->map);
	uint8_t *key = calloc(1, key_size + 1), *next = calloc(1, key_size + 1);
	uint8_t *value = calloc(1, value_len + 8);
	struct map_entry_line *lines = NULL;
	size_t count = 0;
	bool first = true;

	while (bpfvm_map_get_next_key(view->map, first ? NULL : key, next) == 0) {
		first = false;
		memcpy(key, next, key_size);
		if (bpfvm_map_lookup(view->map, key, value))
			continue;
		char *key_hex = format_hex(key, key_size), *value_text = format_bpfvm_value(view, value);

		lines = realloc(lines, (count + 1) * sizeof(*lines));
		lines[count].key = malloc(key_size + 1);
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

static void dump_popped(struct run_result *result, const struct map_view *view)
{
	uint8_t *value = calloc(1, view->info.value_size + 1);

	while (bpfvm_map_lookup_and_delete(view->map, NULL, value) == 0) {
		result_printf(result, "  pop ");
		result_hex(result, value, view->info.value_size);
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

static void perf_record(void *ctx, int cpu, void *data, uint32_t size)
{
	struct run_result *result = ctx;

	result_printf(result, "  cpu %d record %u: ", cpu, size);
	result_hex(result, data, size);
	result_printf(result, "\n");
}

static void perf_lost(void *ctx, int cpu, uint64_t lost)
{
	result_printf(ctx, "  cpu %d lost %llu\n", cpu, (unsigned long long)lost);
}

static void dump_map(struct run_result *result, struct map_view *view)
{
	int err;

	result_printf(result, "map %s %s key %u value %u max %u flags 0x%x\n",
		      view->name, map_type_name(view->info.type),
		      view->info.key_size, view->info.value_size, view->info.max_entries,
		      view->info.map_flags);
	switch (view->info.type) {
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
		dump_popped(result, view);
		break;
	case BPF_MAP_TYPE_RINGBUF:
		err = bpfvm_ringbuf_consume(view->map, ring_record, result);
		if (err < 0)
			result_printf(result, "  consume failed: %d\n", err);
		break;
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		err = bpfvm_perf_buffer_consume(view->map, perf_record, perf_lost, result);
		if (err < 0)
			result_printf(result, "  consume failed: %d\n", err);
		break;
	default:
		dump_keyed(result, view);
	}
}

static int compare_views(const void *a, const void *b)
{
	const struct map_view *left = a, *right = b;

	return strcmp(left->name, right->name);
}

/* The full name, not the 16-byte info name, which cuts "<obj>.rodata". */
static void dump_maps(struct run_result *result, struct bpfvm *vm, struct bpfvm_object *obj)
{
	size_t count = bpfvm_object_map_cnt(obj);
	struct map_view *views = calloc(count + 1, sizeof(*views));

	for (size_t i = 0; i < count; i++) {
		views[i].vm = vm;
		views[i].map = bpfvm_object_map(obj, i);
		views[i].nr_cpus = bpfvm_nr_cpus(vm);
		if (views[i].map)
			bpfvm_map_get_info(views[i].map, &views[i].info);
		views[i].name = canonical_map_name(views[i].map ? bpfvm_map_name(views[i].map) : "");
	}
	qsort(views, count, sizeof(*views), compare_views);
	for (size_t i = 0; i < count; i++) {
		if (views[i].map)
			dump_map(result, &views[i]);
		else
			result_printf(result, "map #%zu missing\n", i);
	}
	free(views);
}

static void record_run_output(struct run_result *result, const struct bpfvm_test_run_opts *opts)
{
	result_printf(result, "retval %u\n", opts->retval);
	if (opts->data_out) {
		result_printf(result, "data_out %u: ", opts->data_size_out);
		result_hex(result, opts->data_out, opts->data_size_out);
		result_printf(result, "\n");
	}
	if (opts->ctx_out) {
		result_printf(result, "ctx_out %u: ", opts->ctx_size_out);
		result_hex(result, opts->ctx_out, opts->ctx_size_out);
		result_printf(result, "\n");
	}
}

/* As kernel_run.c opens a perf buffer on every perf event array before the
 * run, so that bpf_perf_event_output has a reader. */
static void open_perf_readers(struct bpfvm_object *obj, struct run_result *result)
{
	for (size_t i = 0; i < bpfvm_object_map_cnt(obj); i++) {
		struct bpfvm_map *map = bpfvm_object_map(obj, i);
		struct bpfvm_map_info info;
		int err;

		if (!map || bpfvm_map_get_info(map, &info) ||
		    info.type != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
			continue;
		err = bpfvm_perf_buffer_open(map);
		if (err)
			result_printf(result, "  perf buffer open failed: %d\n", err);
	}
}

static void run_loaded(struct bpfvm *vm, struct bpfvm_object *obj, struct bpfvm_prog *prog,
		       int repeat, const struct case_input *input, struct run_result *result)
{
	struct bpfvm_test_run_opts opts = { .sz = sizeof(opts) };
	uint8_t *data_out = NULL, *ctx_out = NULL;
	int err;

	opts.flags = BPF_F_TEST_RUN_ON_CPU;
	opts.cpu = 0;
	if (bpfvm_prog_type(prog) != BPF_PROG_TYPE_RAW_TRACEPOINT) {
		/* The kernel refuses the flag for packet programs; runs there
		 * happen on the calling thread's CPU, which the test pins to 0. */
		opts.flags = 0;
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
	open_perf_readers(obj, result);
	err = bpfvm_prog_test_run(prog, &opts);
	if (err) {
		result_printf(result, "run failed: %d\n", err);
		printf("    bpfvm: %s\n", bpfvm_errmsg());
		result->failed = true;
	} else {
		record_run_output(result, &opts);
	}
	dump_maps(result, vm, obj);
	free(data_out);
	free(ctx_out);
}

void bpfvm_run_case(const struct corpus_case *c, const char *obj_dir,
		    const struct case_input *input, struct run_result *result)
{
	struct bpfvm_opts vm_opts = { .sz = sizeof(vm_opts) };
	struct bpfvm_object *obj = NULL;
	struct bpfvm_prog *prog;
	struct bpfvm *vm = NULL;
	char path[512];
	int err;

	vm_opts.nr_cpus = (uint32_t)libbpf_num_possible_cpus();
	err = bpfvm_create(&vm_opts, &vm);
	if (err) {
		result_printf(result, "create failed: %d\n", err);
		printf("    bpfvm: %s\n", bpfvm_errmsg());
		result->failed = true;
		return;
	}
	snprintf(path, sizeof(path), "%s/%s.bpf.o", obj_dir, c->obj);
	err = bpfvm_object_open(vm, path, NULL, &obj);
	if (err) {
		result_printf(result, "open failed: %d\n", err);
		printf("    bpfvm: %s\n", bpfvm_errmsg());
		result->failed = true;
	} else if (!(prog = bpfvm_object_find_prog(obj, c->prog))) {
		result_printf(result, "no program %s\n", c->prog);
		result->failed = true;
	} else if ((err = bpfvm_object_load(obj))) {
		result_printf(result, "load failed: %d\n", err);
		printf("    bpfvm: %s\n", bpfvm_errmsg());
		result->failed = true;
	} else {
		run_loaded(vm, obj, prog, c->repeat, input, result);
	}
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
}
