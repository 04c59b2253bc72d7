/* Maps: the generic object and the ops table that each map family fills.
 *
 * A map is a handle (struct bpfvm_map, private to a process) over a region
 * (struct map_region, position-independent: everything inside is addressed by
 * offsets from the region's start, never by pointers, so that the pinning
 * issue can place a region in a shared file mapped at different addresses).
 *
 *     struct bpfvm_map (process-local)          region (anonymous or shared memory)
 *     +----------------------------+            +--------------------------------+
 *     | ops ───► family's map_ops  |            | struct map_region (header:     |
 *     | region ──────────────────────────────►  |   magic, type, sizes, flags,   |
 *     | vm, id, refcnt, usercnt    |            |   nr_cpus, family offsets)     |
 *     | private (family-local)     |            | family data: buckets, elements,|
 *     +----------------------------+            |   values, locks (process-shared)|
 *                                               +--------------------------------+
 *
 * The generic code (map.c, map_api.c) never switches on the map type: what
 * differs is in the ops (STYLE.md: one concept per file).
 */
#ifndef BPFVM_MAPS_MAP_H
#define BPFVM_MAPS_MAP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "core/error.h"

#define MAP_REGION_MAGIC 0x7370616d6d667062ull /* "bpfmmaps" */

/* The region header. Family data follows, at offsets the family records in
 * `family[]` during init. */
struct map_region {
	uint64_t magic;
	uint64_t size;	       /* bytes of the whole region */
	uint32_t type;	       /* enum bpf_map_type */
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	uint32_t nr_cpus;
	uint32_t id;	       /* map id in its runtime / namespace */
	uint32_t frozen;       /* BPF_MAP_FREEZE: user-space writes refused */
	uint64_t map_extra;
	uint32_t inner_type;   /* map-in-map template (0 otherwise) */
	uint32_t inner_key_size;
	uint32_t inner_value_size;
	uint32_t inner_max_entries;
	uint32_t inner_map_flags;
	int32_t inner_spin_lock_off;
	int32_t spin_lock_off; /* the value's bpf_spin_lock, -1: none (map_value.h) */
	uint32_t reserved;
	char name[16];
	uint64_t family[16];   /* family-specific offsets and counters */
};

/* The attributes a map is created with (BPF_MAP_CREATE's). */
struct map_attr {
	uint32_t type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	uint64_t map_extra;
	uint32_t nr_cpus;
	const struct bpfvm_map *inner_map; /* map-in-map template, else NULL */
	/* The value holds a struct bpf_spin_lock at spin_lock_off (the kernel
	 * learns it from the value's BTF): ARRAY and HASH only. */
	bool has_spin_lock;
	uint32_t spin_lock_off;
	char name[16];			   /* as the kernel keeps it (15 + NUL) */
	const char *full_name;		   /* the object's name for it, untruncated,
					    * as libbpf's bpf_map__name(); NULL: name */
};

struct bpfvm_map;

/* A map family. Functions that a family does not support are NULL and the
 * generic layer answers -ENOTSUPP (MAP_ENOTSUPP, 524) as the kernel does for
 * an operation a type lacks; a family returns -EINVAL itself where the kernel
 * does (delete on an array, ...). Keys and values are in the user-space layout unless noted.
 *
 * "bpf_" functions are the program side (helpers call them on the run path:
 * no allocation, no system call). The rest are the user-space side. */
/* Batch operations a family offers (map_ops.batch_ops), as the kernel's
 * ops table has map_lookup_batch & co. or not: the generic layer runs them
 * on top of the family's single-element ops (as generic_map_*_batch) and
 * answers -ENOTSUPP for the others. */
enum map_batch_op {
	MAP_BATCH_LOOKUP = 1u << 0,
	MAP_BATCH_LOOKUP_AND_DELETE = 1u << 1,
	MAP_BATCH_UPDATE = 1u << 2,
	MAP_BATCH_DELETE = 1u << 3,
};

/* The kernel's internal "operation not supported" errno (include/linux/
 * errno.h), distinct from EOPNOTSUPP (95): what BPF_MAP_* commands return for
 * an operation a map type lacks. User-space headers do not define it. */
#define MAP_ENOTSUPP KERNEL_ENOTSUPP

/* Whether a family's region can live in a namespace's file and be mapped
 * by several processes (docs/namespace.md): only when it holds no
 * process-local pointer and no process-local state in map->private. */
enum map_share {
	MAP_SHARE_NONE = 0, /* process-local: pinning is -EOPNOTSUPP */
	MAP_SHARE_RW,	    /* shared; even lookups take in-region locks, so
			     * every process maps it writable */
	MAP_SHARE_RO,	    /* shared; lookups only read the region, so a
			     * file the caller may only read can be mapped
			     * read-only */
};

struct map_ops {
	/* User-side values are nr_cpus * round_up(value_size, 8) bytes. */
	bool percpu;
	enum map_share share;
	/* Why a MAP_SHARE_NONE family cannot be shared, for the message. */
	const char *share_refusal;
	/* MAP_BATCH_* bits. */
	uint32_t batch_ops;
	/* Flags init() adds to the region's (DEVMAP: BPF_F_RDONLY_PROG, as
	 * dev_map_init_map), which a creation may not ask for: a region's
	 * attributes are checked and compared without them (libbpf's reuse
	 * check ignores that flag of a device map too). */
	uint32_t init_flags;

	/* Checks attributes (sizes, flags, max_entries) as the kernel's
	 * map_alloc_check does: -EINVAL / -E2BIG with a message. */
	int (*check_attr)(const struct map_attr *attr);
	/* Bytes of region the map needs, header included. */
	size_t (*region_size)(const struct map_attr *attr);
	/* Bytes the family allocates in each process besides the region
	 * (fd_array's slots). NULL: none. */
	size_t (*local_size)(const struct map_attr *attr);
	/* Bytes of the largest area the kernel's map_alloc asks for at once,
	 * where that is more than the region: the kernel's vmalloc refuses an
	 * area larger than the machine's memory (-ENOMEM), whichever map it
	 * is for. NULL: the region is as large. */
	uint64_t (*kernel_area_size)(const struct map_attr *attr);
	/* Formats a zeroed region (header already filled). */
	int (*init)(struct bpfvm_map *map);
	/* Makes the process-local state (map->private) of a shared region
	 * that another process formatted, opened from its file. May be NULL
	 * (nothing process-local). */
	int (*open)(struct bpfvm_map *map);
	/* For a shared family: whether a region another process formatted (a
	 * namespace's file, already checked: magic, attributes, size) has the
	 * offsets and sizes in its family header that its attributes give, and
	 * indices in range, so that nothing read from there points outside the
	 * region. A crafted file is refused, never trusted. Reasons go to
	 * *why. NULL: the family keeps nothing in its header to check. */
	int (*check_region)(const struct map_region *region, const char **why);
	/* Releases process-local state (map->private); the region is freed by
	 * the generic layer. May be NULL. */
	void (*release)(struct bpfvm_map *map);
	/* The last user reference went (the kernel's map_release_uref): a
	 * prog array empties its slots. May be NULL. */
	void (*release_user)(struct bpfvm_map *map);

	/* Program side. bpf_lookup returns a pointer to this CPU's value, or
	 * NULL. For map-in-map it returns the inner struct bpfvm_map *. */
	void *(*bpf_lookup)(struct bpfvm_map *map, const void *key, uint32_t cpu);
	long (*bpf_update)(struct bpfvm_map *map, const void *key, const void *value,
			   uint64_t flags, uint32_t cpu);
	long (*bpf_delete)(struct bpfvm_map *map, const void *key, uint32_t cpu);
	long (*bpf_push)(struct bpfvm_map *map, const void *value, uint64_t flags);
	long (*bpf_pop)(struct bpfvm_map *map, void *value);
	long (*bpf_peek)(struct bpfvm_map *map, void *value);
	/* bpf_map_lookup_percpu_elem: another CPU's value. */
	void *(*bpf_lookup_percpu)(struct bpfvm_map *map, const void *key, uint32_t cpu);
	/* for_each_map_elem: calls cb(map, key, value, ctx) for each element
	 * (this CPU's value for per-CPU maps) until it returns non-zero;
	 * returns the number of elements visited. */
	long (*bpf_for_each)(struct bpfvm_map *map, uint32_t cpu,
			     long (*cb)(struct bpfvm_map *map, void *key, void *value,
					void *cb_ctx),
			     void *cb_ctx);
	/* Address of the value at `off` inside the single value an lddw
	 * BPF_PSEUDO_MAP_VALUE refers to (ARRAY maps, global data). */
	int (*direct_value_addr)(struct bpfvm_map *map, uint32_t off, void **addr);

	/* User side. Per-CPU values are nr_cpus * round_up(value_size, 8). */
	int (*lookup)(struct bpfvm_map *map, const void *key, void *value, uint64_t flags);
	int (*update)(struct bpfvm_map *map, const void *key, const void *value,
		      uint64_t flags);
	int (*delete)(struct bpfvm_map *map, const void *key);
	int (*get_next_key)(struct bpfvm_map *map, const void *key, void *next_key);
	int (*lookup_and_delete)(struct bpfvm_map *map, const void *key, void *value,
				 uint64_t flags);
};

struct bpfvm_map {
	const struct map_ops *ops;
	struct map_region *region;
	size_t region_size;
	struct bpfvm *vm;
	_Atomic uint32_t refcnt;  /* every reference: user, object, program */
	_Atomic uint32_t usercnt; /* user references (as the kernel's fd count) */
	void *private;		  /* family-local, process-local state */
	char *name;		  /* full name (map_attr.full_name), or NULL */
	/* PROG_ARRAY owner (SEMANTICS.md: owner rule), set by the first
	 * program that references or enters the array: this process's copy
	 * of the one in the region (maps/fd_array.h), for messages. */
	_Atomic uint32_t owner_set;
	uint32_t owner_prog_type;
	uint32_t owner_attach_type;
	bool owner_xdp_has_frags;	/* the kernel's owner.xdp_has_frags */
	bool owner_jited;		/* the kernel's owner.jited: the engine */
	/* A region in a namespace's file (ns/ns_map.h): the open file, on
	 * which this process holds a shared flock while it maps it. */
	bool shared;
	int shared_fd;
	/* A read-only handle of a shared map (BPF_F_RDONLY, or a file the
	 * caller may only read): user updates are -EPERM; not the process's
	 * handle of the id, and programs may not use it. */
	bool view;
	bool user_rdonly;
	uint64_t charged; /* bytes counted against the runtime's map_memory_max */
	bool region_rdonly; /* mapped PROT_READ: nothing may write or lock in it */
};

/* The family for a map type, or NULL if bpfvm has none. */
const struct map_ops *map_ops_for_type(uint32_t type);

/* Convenience accessors. */
/* The kernel's roundup_pow_of_two() of a size or a count (a hash's buckets, a
 * stack map's); 1 for 0, as the kernel's allocators see it. */
static inline uint64_t map_roundup_pow_of_two(uint64_t n)
{
	uint64_t pow2 = 1;

	while (pow2 < n)
		pow2 <<= 1;
	return pow2;
}

static inline uint32_t map_type(const struct bpfvm_map *map) { return map->region->type; }
static inline uint32_t map_key_size(const struct bpfvm_map *map) { return map->region->key_size; }
static inline uint32_t map_value_size(const struct bpfvm_map *map) { return map->region->value_size; }
static inline uint32_t map_max_entries(const struct bpfvm_map *map) { return map->region->max_entries; }
static inline uint32_t map_flags(const struct bpfvm_map *map) { return map->region->map_flags; }
static inline uint32_t map_nr_cpus(const struct bpfvm_map *map) { return map->region->nr_cpus; }
static inline void *map_at(const struct bpfvm_map *map, uint64_t offset)
{
	return (uint8_t *)map->region + offset;
}
/* The u32 index an array-like map's key holds. A program may pass a key at
 * any stack offset (the verifier does not align helper memory), so it is
 * read unaligned. */
static inline uint32_t map_key_index(const void *key)
{
	uint32_t index;

	memcpy(&index, key, sizeof(index));
	return index;
}
/* round_up(value_size, 8): the stride of per-CPU values. */
static inline uint32_t map_percpu_stride(const struct bpfvm_map *map)
{
	return (map->region->value_size + 7u) & ~7u;
}

/* Creates a map from attributes (allocates and formats its region, assigns
 * an id in the runtime). Returns 0 with one user reference, or -errno with a
 * message naming the map. */
int map_create(struct bpfvm *vm, const struct map_attr *attr, struct bpfvm_map **map_out);

/* References. map_get/map_put: program and object references;
 * map_get_user/map_put_user: user references (both counters). The last
 * map_put removes the id at once and frees the map after a grace period
 * (engine/vcpu.h): a run may still use it (an inner map found by id). The
 * last map_put_user calls ops->release_user. map_try_get_user fails on a
 * map whose last reference is going. */
void map_get(struct bpfvm_map *map);
void map_put(struct bpfvm_map *map);
void map_get_user(struct bpfvm_map *map);
bool map_try_get_user(struct bpfvm_map *map);
void map_put_user(struct bpfvm_map *map);

/* A handle over a region made elsewhere (a shared map opened from its
 * file): one user reference, no id published. */
struct bpfvm_map *map_handle_new(struct bpfvm *vm, const struct map_ops *ops,
				 struct map_region *region, size_t region_size);
/* Frees a handle of map_handle_new() that was never published or used:
 * unmaps its region (shared: ns_map_region_release). */
void map_handle_free(struct bpfvm_map *map);
/* Publishes the handle under region->id in the runtime: 0 or -EEXIST
 * (another handle of this process has it). */
int map_publish(struct bpfvm_map *map);

/* Whether two maps have compatible attributes (type, key_size,
 * value_size, max_entries, map_flags); on mismatch names the field. */
bool map_attr_matches(const struct bpfvm_map *map, const struct map_attr *attr,
		      const char **mismatch);

#endif
