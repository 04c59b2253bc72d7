/* Maps keyed by kernel objects that bpfvm has none of: STACK_TRACE (kernel
 * and user stacks of the kernel's sampling), and the local storages of
 * sockets, inodes and tasks (SK_STORAGE, INODE_STORAGE, TASK_STORAGE).
 *
 * Tracing, LSM and sock_ops objects declare them beside maps they really
 * use; so that such objects load and verify here as in the kernel, these
 * maps are created with the kernel's attribute checks
 * (stack_map_alloc_check, bpf_local_storage_map_alloc_check) and nothing
 * in them: a program's bpf_get_stackid finds no stack to record and its
 * bpf_*_storage_get no owner to store for (helpers_storage.c), and user
 * space finds no element. The region is the header alone.
 *
 * Shared in a namespace (docs/namespace.md) as any other map: with nothing
 * stored, every process sees the same empty map, and a program of another
 * process that uses one loads and gets the same answers (-EFAULT from
 * get_stackid, NULL from a storage get). Nothing in the region can be left
 * half-written by a dead process. */
#include <errno.h>
#include <linux/bpf.h>

#include "core/error.h"
#include "maps/array.h"
#include "maps/map.h"

#define STACK_CREATE_FLAG_MASK                                                                 \
	(BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_STACK_BUILD_ID)
#define STACK_MAX_DEPTH 127u		    /* sysctl_perf_event_max_stack */
#define STACK_BUILD_ID_SIZE 32u		    /* sizeof(struct bpf_stack_build_id) */
#define STACK_MAX_ENTRIES (1u << 31)
#define STACK_BUCKET_HEADER 16u		    /* sizeof(struct stack_map_bucket) */
#define STORAGE_CREATE_FLAG_MASK (BPF_F_NO_PREALLOC | BPF_F_CLONE)
#define STORAGE_MAX_VALUE_SIZE (65535u - 64u) /* about BPF_LOCAL_STORAGE_MAX_VALUE_SIZE */

static int stack_trace_check_attr(const struct map_attr *attr)
{
	uint32_t entry = attr->map_flags & BPF_F_STACK_BUILD_ID ? STACK_BUILD_ID_SIZE : 8;

	if (attr->map_flags & ~STACK_CREATE_FLAG_MASK || attr->key_size != 4 ||
	    attr->value_size < 8 || attr->value_size % entry || attr->max_entries == 0) {
		vm_error("map '%.16s': a stack trace map needs key_size 4, value_size a multiple "
			 "of %u and max_entries > 0", attr->name, entry);
		return -EINVAL;
	}
	if (attr->value_size / entry > STACK_MAX_DEPTH) {
		vm_error("map '%.16s': value_size %u holds more than %u frames", attr->name,
			 attr->value_size, STACK_MAX_DEPTH);
		return -EINVAL;
	}
	/* stack_map_alloc: the buckets are a power of 2 of them. */
	if (attr->max_entries > STACK_MAX_ENTRIES) {
		vm_error("map '%.16s': max_entries %u is more than %u", attr->name,
			 attr->max_entries, STACK_MAX_ENTRIES);
		return -E2BIG;
	}
	return 0;
}

/* What stack_map_alloc asks for, though bpfvm records no stack: the
 * buckets' pointers, then every element (a bucket header and the value)
 * preallocated at once. */
static uint64_t stack_trace_kernel_area_size(const struct map_attr *attr)
{
	uint64_t buckets = map_roundup_pow_of_two(attr->max_entries) * sizeof(void *);
	uint64_t elems = (uint64_t)attr->max_entries * (STACK_BUCKET_HEADER + attr->value_size);

	return buckets > elems ? buckets : elems;
}

static int storage_check_attr(const struct map_attr *attr)
{
	if (attr->map_flags & ~STORAGE_CREATE_FLAG_MASK ||
	    !(attr->map_flags & BPF_F_NO_PREALLOC) || attr->max_entries ||
	    attr->key_size != sizeof(int) || attr->value_size == 0) {
		vm_error("map '%.16s': a local storage needs BPF_F_NO_PREALLOC, max_entries 0, "
			 "key_size 4 and value_size > 0", attr->name);
		return -EINVAL;
	}
	if (attr->value_size > STORAGE_MAX_VALUE_SIZE) {
		vm_error("map '%.16s': value_size %u is too large", attr->name, attr->value_size);
		return -E2BIG;
	}
	return 0;
}

static size_t header_only_size(const struct map_attr *attr)
{
	(void)attr;
	return MAP_FAMILY_DATA_OFFSET;
}

static int nothing_to_format(struct bpfvm_map *map)
{
	(void)map;
	return 0;
}

static int no_element(struct bpfvm_map *map, const void *key, void *value, uint64_t flags)
{
	(void)map, (void)key, (void)value, (void)flags;
	return -ENOENT;
}

static int no_key(struct bpfvm_map *map, const void *key, void *next_key)
{
	(void)map, (void)key, (void)next_key;
	return -ENOENT;
}

static int no_delete(struct bpfvm_map *map, const void *key)
{
	(void)map, (void)key;
	return -ENOENT;
}

/* The kernel's stack map takes no update from user space; a storage takes
 * the fd of a socket, pidfd or file, whose kernel object bpfvm has not. */
static int no_update(struct bpfvm_map *map, const void *key, const void *value, uint64_t flags)
{
	(void)key, (void)value, (void)flags;
	if (map_type(map) == BPF_MAP_TYPE_STACK_TRACE)
		return -EINVAL;
	vm_error("local storage: bpfvm has no socket, inode or task to store for");
	return -EOPNOTSUPP;
}

const struct map_ops stack_trace_map_ops = {
	.share = MAP_SHARE_RO, /* the header alone: nothing to lock */
	.check_attr = stack_trace_check_attr,
	.region_size = header_only_size,
	.kernel_area_size = stack_trace_kernel_area_size,
	.init = nothing_to_format,
	.lookup = no_element,
	.update = no_update,
	.delete = no_delete,
	.get_next_key = no_key,
};

const struct map_ops local_storage_map_ops = {
	.share = MAP_SHARE_RO,
	.check_attr = storage_check_attr,
	.region_size = header_only_size,
	.init = nothing_to_format,
	.lookup = no_element,
	.update = no_update,
	.delete = no_delete,
	.get_next_key = no_key,
};
