/* The generic map layer: creation from attributes, ids, references, and
 * destruction. Everything type-specific is in the family's ops. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/error.h"
#include "core/runtime.h"
#include "engine/vcpu.h"
#include "maps/map.h"
#include "ns/ns_map.h"

/* Regions are anonymous shared-capable mappings: page-aligned, zeroed, and
 * the same kind of memory a pinned map's file mapping will be. */
static struct map_region *map_region_alloc(size_t size)
{
	void *region = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return region == MAP_FAILED ? NULL : region;
}

static void map_region_fill_header(struct map_region *region, size_t size,
				   const struct map_attr *attr)
{
	/* The magic is written last, by map_create (ns/ns_map.h). */
	region->size = size;
	region->type = attr->type;
	region->key_size = attr->key_size;
	region->value_size = attr->value_size;
	region->max_entries = attr->max_entries;
	region->map_flags = attr->map_flags;
	region->nr_cpus = attr->nr_cpus;
	region->map_extra = attr->map_extra;
	region->spin_lock_off = attr->has_spin_lock ? (int32_t)attr->spin_lock_off : -1;
	region->inner_spin_lock_off = -1;
	memcpy(region->name, attr->name, sizeof(region->name));
	region->name[sizeof(region->name) - 1] = '\0';
	if (attr->inner_map) {
		const struct map_region *inner = attr->inner_map->region;

		region->inner_type = inner->type;
		region->inner_key_size = inner->key_size;
		region->inner_value_size = inner->value_size;
		region->inner_max_entries = inner->max_entries;
		region->inner_map_flags = inner->map_flags;
		region->inner_spin_lock_off = inner->spin_lock_off;
	}
}

/* Removes the map's id from the runtime (and, for a process-local map of a
 * namespace, its record) if this handle holds it: a read-only view of a
 * shared map has the id of the process's handle without owning it. */
static void map_unpublish(struct bpfvm_map *map, uint32_t id)
{
	if (!id || id_table_find(&map->vm->map_ids, id) != map)
		return;
	id_table_remove(&map->vm->map_ids, id);
	if (map->vm->ns && !map->shared)
		ns_record_remove(map->vm->ns, id);
}

static void map_destroy(struct bpfvm_map *map)
{
	if (map->charged)
		atomic_fetch_sub(&map->vm->map_memory, map->charged);
	if (map->region)
		map_unpublish(map, map->region->id);
	if (map->ops->release)
		map->ops->release(map);
	if (map->shared)
		ns_map_region_release(map);
	else if (map->region)
		munmap(map->region, map->region_size);
	free(map->name);
	free(map);
}

static int map_check_name(const struct map_attr *attr)
{
	for (size_t i = 0; i < sizeof(attr->name) && attr->name[i]; i++) {
		char c = attr->name[i];

		/* The kernel's bpf_obj_name_cpy: alphanumerics, '_' and '.'. */
		if (!(c == '_' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z'))) {
			vm_error("map '%.16s': invalid character '%c' in name", attr->name, c);
			return -EINVAL;
		}
	}
	return 0;
}

/* Bytes of memory this machine has, as the kernel's totalram_pages(). */
static uint64_t map_machine_memory(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);

	return pages > 0 && page_size > 0 ? (uint64_t)pages * (uint64_t)page_size : UINT64_MAX;
}

/* Sizes refused before anything is allocated. The kernel's only bound on
 * a map's total size is memory: its vmalloc refuses an area larger than
 * the machine's memory (-ENOMEM) without trying. bpfvm refuses the same
 * areas, and a map whose own region and process-local arrays would be as
 * large, so that absurd sizes never reach an allocator (docs/reliability.md:
 * a 10^9-slot PROG_ARRAY). */
static int map_check_size(const struct map_ops *ops, const struct map_attr *attr)
{
	uint64_t memory = map_machine_memory();
	uint64_t kernel_area = ops->kernel_area_size ? ops->kernel_area_size(attr) : 0;
	uint64_t region = ops->region_size(attr);
	uint64_t local = ops->local_size ? ops->local_size(attr) : 0;

	if (region < sizeof(struct map_region)) {
		vm_error("map '%.16s': too large", attr->name);
		return -E2BIG;
	}
	if (kernel_area > memory) {
		vm_error("map '%.16s': the kernel would allocate %llu bytes at once for these "
			 "sizes, more than the %llu bytes of memory of this machine", attr->name,
			 (unsigned long long)kernel_area, (unsigned long long)memory);
		return -ENOMEM;
	}
	if (region > memory || local > memory - region) {
		vm_error("map '%.16s': needs %llu bytes (region %llu, per process %llu), more "
			 "than the %llu bytes of memory of this machine", attr->name,
			 (unsigned long long)(region > memory ? region : region + local),
			 (unsigned long long)region, (unsigned long long)local,
			 (unsigned long long)memory);
		return -ENOMEM;
	}
	return 0;
}

/* The runtime's limit on its maps' memory (bpfvm_opts.map_memory_max), as a
 * memory cgroup's on the kernel's: what the map will hold is counted before
 * it is allocated, and given back when the map goes (map_destroy). */
static int map_charge(struct bpfvm_map *map, const struct map_attr *attr)
{
	struct bpfvm *vm = map->vm;
	uint64_t bytes = map->ops->region_size(attr) +
			 (map->ops->local_size ? map->ops->local_size(attr) : 0);
	uint64_t before;

	if (!vm->map_memory_max)
		return 0;
	/* A compare-and-swap, not add-then-undo: two creates near the limit
	 * must not both see the other's bytes and both fail. */
	before = atomic_load(&vm->map_memory);
	while (bytes <= vm->map_memory_max && before <= vm->map_memory_max - bytes) {
		if (atomic_compare_exchange_weak(&vm->map_memory, &before, before + bytes)) {
			map->charged = bytes;
			return 0;
		}
	}
	vm_error("map '%.16s': needs %llu bytes, but the runtime's maps hold %llu of the %llu "
		 "they may (map_memory_max)", attr->name, (unsigned long long)bytes,
		 (unsigned long long)before, (unsigned long long)vm->map_memory_max);
	return -ENOMEM;
}

static int map_alloc_region(struct bpfvm_map *map, const struct map_attr *attr)
{
	size_t size = map->ops->region_size(attr);

	if (map->vm->ns && map->ops->share != MAP_SHARE_NONE) {
		int err = ns_map_region_create(map, attr, size);

		if (err)
			return err;
		map_region_fill_header(map->region, size, attr);
		return 0;
	}
	map->region = map_region_alloc(size);
	if (!map->region) {
		vm_error("map '%.16s': cannot allocate %zu bytes", attr->name, size);
		return -ENOMEM;
	}
	map->region_size = size;
	map_region_fill_header(map->region, size, attr);
	return 0;
}

/* BPF_MAP_TYPE_ARENA (Linux 6.9), newer than some installed headers. */
#define MAP_TYPE_ARENA 33u

/* The kernel's map_create checks that hold for every type: map_extra only
 * for the types that use it, not read-only and write-only at once (for user
 * space: bpf_get_file_flag; for programs: bpf_map_flags_access_ok). */
static int map_check_common(const struct map_attr *attr)
{
	if (attr->map_extra && attr->type != BPF_MAP_TYPE_BLOOM_FILTER &&
	    attr->type != MAP_TYPE_ARENA) {
		vm_error("map '%.16s': map_extra is only for bloom filters and arenas", attr->name);
		return -EINVAL;
	}
	if ((attr->map_flags & BPF_F_RDONLY) && (attr->map_flags & BPF_F_WRONLY)) {
		vm_error("map '%.16s': BPF_F_RDONLY and BPF_F_WRONLY together", attr->name);
		return -EINVAL;
	}
	if ((attr->map_flags & BPF_F_RDONLY_PROG) && (attr->map_flags & BPF_F_WRONLY_PROG)) {
		vm_error("map '%.16s': BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG together",
			 attr->name);
		return -EINVAL;
	}
	return 0;
}

/* map_check_btf, for the one special field bpfvm knows: a bpf_spin_lock
 * inside the value, 4-byte aligned; only ARRAY and HASH values may hold
 * one (-EOPNOTSUPP), and not in maps read-only or write-only to programs
 * (-EACCES). */
static int map_check_spin_lock(const struct map_attr *attr)
{
	if (!attr->has_spin_lock)
		return 0;
	if (attr->spin_lock_off % 4 || attr->spin_lock_off > INT32_MAX ||
	    (uint64_t)attr->spin_lock_off + 4 > attr->value_size) {
		vm_error("map '%.16s': bpf_spin_lock at offset %u does not fit a %u-byte value",
			 attr->name, attr->spin_lock_off, attr->value_size);
		return -EINVAL;
	}
	if (attr->type != BPF_MAP_TYPE_ARRAY && attr->type != BPF_MAP_TYPE_HASH) {
		vm_error("map '%.16s': only array and hash values may hold a bpf_spin_lock",
			 attr->name);
		return -EOPNOTSUPP;
	}
	if (attr->map_flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) {
		vm_error("map '%.16s': a value with a bpf_spin_lock must be readable and writable "
			 "by programs", attr->name);
		return -EACCES;
	}
	return 0;
}

int map_create(struct bpfvm *vm, const struct map_attr *attr, struct bpfvm_map **map_out)
{
	const struct map_ops *ops = map_ops_for_type(attr->type);
	struct bpfvm_map *map;
	int64_t id;
	int err;

	if (!ops) {
		vm_error("map '%.16s': map type %u is not supported by bpfvm", attr->name, attr->type);
		return -EINVAL;
	}
	err = map_check_name(attr);
	if (!err)
		err = map_check_common(attr);
	if (err)
		return err;
	err = ops->check_attr(attr);
	if (!err)
		err = map_check_spin_lock(attr);
	if (!err)
		err = map_check_size(ops, attr);
	if (err)
		return err;
	map = calloc(1, sizeof(*map));
	if (!map) {
		vm_error("map '%.16s': out of memory", attr->name);
		return -ENOMEM;
	}
	map->ops = ops;
	map->vm = vm;
	if (attr->full_name && !(map->name = strdup(attr->full_name))) {
		free(map);
		vm_error("map '%.16s': out of memory", attr->name);
		return -ENOMEM;
	}
	atomic_init(&map->refcnt, 1);
	atomic_init(&map->usercnt, 1);
	err = map_charge(map, attr);
	if (!err)
		err = map_alloc_region(map, attr);
	if (!err)
		err = ops->init(map);
	if (!err && vm->ns) {
		err = map->shared ? 0 : ns_map_record_local(map);
		if (!err)
			err = map_publish(map);
	} else if (!err) {
		id = id_table_add(&vm->map_ids, map);
		err = id < 0 ? (int)id : 0;
		if (!err)
			map->region->id = (uint32_t)id;
	}
	if (!err)
		__atomic_store_n(&map->region->magic, MAP_REGION_MAGIC, __ATOMIC_RELEASE);
	if (err) {
		map_destroy(map);
		return err;
	}
	*map_out = map;
	return 0;
}

struct bpfvm_map *map_handle_new(struct bpfvm *vm, const struct map_ops *ops,
				 struct map_region *region, size_t region_size)
{
	struct bpfvm_map *map = calloc(1, sizeof(*map));

	if (!map) {
		vm_error("map '%.16s': out of memory", region->name);
		return NULL;
	}
	map->ops = ops;
	map->vm = vm;
	map->region = region;
	map->region_size = region_size;
	atomic_init(&map->refcnt, 1);
	atomic_init(&map->usercnt, 1);
	return map;
}

int map_publish(struct bpfvm_map *map)
{
	int err = id_table_add_at(&map->vm->map_ids, map->region->id, map);

	if (err == -ERANGE)
		vm_error("map '%.16s': id %u out of range", map->region->name, map->region->id);
	return err;
}

/* Frees a handle that map_handle_new made and nothing else references. */
void map_handle_free(struct bpfvm_map *map)
{
	map_destroy(map);
}

void map_get(struct bpfvm_map *map)
{
	atomic_fetch_add(&map->refcnt, 1);
}

static void map_destroy_deferred(void *map)
{
	map_destroy(map);
}

void map_put(struct bpfvm_map *map)
{
	uint32_t id;

	if (!map || atomic_fetch_sub(&map->refcnt, 1) != 1)
		return;
	id = map->region->id;
	/* A shared region keeps its id: other processes use it. */
	if (!map->shared)
		map->region->id = 0;
	map_unpublish(map, id);
	vcpu_free_after_grace(map->vm, map_destroy_deferred, map);
}

void map_get_user(struct bpfvm_map *map)
{
	atomic_fetch_add(&map->usercnt, 1);
	map_get(map);
}

bool map_try_get_user(struct bpfvm_map *map)
{
	uint32_t refs = atomic_load_explicit(&map->refcnt, memory_order_relaxed);

	while (refs) {
		if (atomic_compare_exchange_weak(&map->refcnt, &refs, refs + 1)) {
			atomic_fetch_add(&map->usercnt, 1);
			return true;
		}
	}
	return false;
}

void map_put_user(struct bpfvm_map *map)
{
	if (!map)
		return;
	/* SEMANTICS.md, PROG_ARRAY maps: when the last user reference goes,
	 * a prog array drops its programs, even if programs still use it. */
	if (atomic_fetch_sub(&map->usercnt, 1) == 1 && map->ops->release_user)
		map->ops->release_user(map);
	map_put(map);
}

bool map_attr_matches(const struct bpfvm_map *map, const struct map_attr *attr,
		      const char **mismatch)
{
	const struct map_region *r = map->region;

	*mismatch = r->type != attr->type		? "type"
		    : r->key_size != attr->key_size	? "key_size"
		    : r->value_size != attr->value_size ? "value_size"
		    : r->max_entries != attr->max_entries ? "max_entries"
		    : (r->map_flags & ~map->ops->init_flags) != attr->map_flags ? "map_flags"
							: NULL;
	return *mismatch == NULL;
}
