/* Stand-ins for the public functions that other rooms are still writing
 * (objects, maps, test runs, ring/perf buffers, the trace pipe), so that the
 * CLI and the corpus tests link and run today: each fails with -ENOSYS and
 * says so. They are weak and live in their own static library, linked after
 * libbpfvm: the linker takes a function from libbpfvm when it exists there
 * and from here only when it does not, and a real definition always beats a
 * weak one. Delete this file when the API is complete. */
#include <errno.h>
#include <stddef.h>

#include "bpfvm/bpfvm.h"
#include "core/error.h"

#define PENDING __attribute__((weak))
#define NOT_YET(name) (vm_error("%s: not implemented yet", name), -ENOSYS)

PENDING int bpfvm_object_open(struct bpfvm *vm, const char *path,
			      const struct bpfvm_object_opts *opts, struct bpfvm_object **obj_out)
{
	return NOT_YET("bpfvm_object_open");
}

PENDING int bpfvm_object_open_mem(struct bpfvm *vm, const void *buf, size_t size,
				  const struct bpfvm_object_opts *opts,
				  struct bpfvm_object **obj_out)
{
	return NOT_YET("bpfvm_object_open_mem");
}

PENDING int bpfvm_object_load(struct bpfvm_object *obj) { return NOT_YET("bpfvm_object_load"); }
PENDING void bpfvm_object_close(struct bpfvm_object *obj) {}
PENDING const char *bpfvm_object_name(const struct bpfvm_object *obj) { return ""; }
PENDING const char *bpfvm_object_license(const struct bpfvm_object *obj) { return ""; }
PENDING size_t bpfvm_object_prog_cnt(const struct bpfvm_object *obj) { return 0; }
PENDING size_t bpfvm_object_map_cnt(const struct bpfvm_object *obj) { return 0; }

PENDING struct bpfvm_prog *bpfvm_object_prog(const struct bpfvm_object *obj, size_t idx)
{
	return NULL;
}

PENDING struct bpfvm_prog *bpfvm_object_find_prog(const struct bpfvm_object *obj,
						  const char *name)
{
	return NULL;
}

PENDING struct bpfvm_map *bpfvm_object_map(const struct bpfvm_object *obj, size_t idx)
{
	return NULL;
}

PENDING struct bpfvm_map *bpfvm_object_find_map(const struct bpfvm_object *obj,
						const char *name)
{
	return NULL;
}

PENDING int bpfvm_prog_test_run(struct bpfvm_prog *prog, struct bpfvm_test_run_opts *opts)
{
	return NOT_YET("bpfvm_prog_test_run");
}

PENDING int bpfvm_map_create(struct bpfvm *vm, enum bpf_map_type type, const char *name,
			     uint32_t key_size, uint32_t value_size, uint32_t max_entries,
			     const struct bpfvm_map_create_opts *opts, struct bpfvm_map **map_out)
{
	return NOT_YET("bpfvm_map_create");
}

PENDING int bpfvm_map_get_by_id(struct bpfvm *vm, uint32_t id, struct bpfvm_map **map_out)
{
	return NOT_YET("bpfvm_map_get_by_id");
}

PENDING void bpfvm_map_close(struct bpfvm_map *map) {}

PENDING int bpfvm_map_get_info(const struct bpfvm_map *map, struct bpfvm_map_info *info)
{
	return NOT_YET("bpfvm_map_get_info");
}

PENDING const char *bpfvm_map_name(const struct bpfvm_map *map) { return ""; }
PENDING size_t bpfvm_map_value_size_user(const struct bpfvm_map *map) { return 0; }

PENDING int bpfvm_map_lookup(struct bpfvm_map *map, const void *key, void *value)
{
	return NOT_YET("bpfvm_map_lookup");
}

PENDING int bpfvm_map_lookup_flags(struct bpfvm_map *map, const void *key, void *value,
				   uint64_t flags)
{
	return NOT_YET("bpfvm_map_lookup_flags");
}

PENDING int bpfvm_map_update(struct bpfvm_map *map, const void *key, const void *value,
			     uint64_t flags)
{
	return NOT_YET("bpfvm_map_update");
}

PENDING int bpfvm_map_delete(struct bpfvm_map *map, const void *key)
{
	return NOT_YET("bpfvm_map_delete");
}

PENDING int bpfvm_map_get_next_key(struct bpfvm_map *map, const void *key, void *next_key)
{
	return NOT_YET("bpfvm_map_get_next_key");
}

PENDING int bpfvm_map_lookup_and_delete(struct bpfvm_map *map, const void *key, void *value)
{
	return NOT_YET("bpfvm_map_lookup_and_delete");
}

PENDING int bpfvm_map_freeze(struct bpfvm_map *map) { return NOT_YET("bpfvm_map_freeze"); }

PENDING int bpfvm_ringbuf_consume(struct bpfvm_map *map, bpfvm_ringbuf_sample_fn fn, void *ctx)
{
	return NOT_YET("bpfvm_ringbuf_consume");
}

PENDING int bpfvm_perf_buffer_consume(struct bpfvm_map *map, bpfvm_perf_sample_fn fn,
				      bpfvm_perf_lost_fn lost_fn, void *ctx)
{
	return NOT_YET("bpfvm_perf_buffer_consume");
}

PENDING long bpfvm_trace_pipe_read(struct bpfvm *vm, char *buf, size_t size)
{
	if (size)
		buf[0] = '\0';
	return 0;
}
