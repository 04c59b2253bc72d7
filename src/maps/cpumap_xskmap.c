/* BPF_MAP_TYPE_CPUMAP and BPF_MAP_TYPE_XSKMAP (kernel/bpf/cpumap.c,
 * net/xdp/xskmap.c): the other targets of an XDP program's
 * bpf_redirect_map, beside the device maps (devmap.c). bpfvm moves no
 * packets to another CPU's queue or to an AF_XDP ring: the maps hold what
 * the kernel's say about their slots, so that a redirect finds its target
 * (XDP_REDIRECT) or misses (the action in its flags) as in the kernel, and
 * user space reads back what the kernel would give it.
 *
 * One 8-byte word per key, changed by one atomic store (no lock), a
 * program's lookup one load, as devmap.c's DEVMAP:
 *   CPUMAP  struct bpf_cpumap_val: the queue size (0: an empty slot) and
 *           the id of a program to run on the CPU, always 0 here
 *   XSKMAP  the socket's queue id in the low half (struct bpf_xdp_sock, all
 *           a program may read of it: 0, bpfvm binds no socket) and 1 in
 *           the high half for a socket present
 *
 * The kernel's rules, errno for errno (Linux 6.18, checked with bpf()):
 * CPUMAP: key_size 4, value_size 4 or 8, no flags but BPF_F_NUMA_NODE,
 * max_entries at most NR_CPUS (-E2BIG); an update checks its flags, the key
 * (-E2BIG), BPF_NOEXIST (-EEXIST), a qsize above 16384 (-EOVERFLOW), the CPU
 * (-ENODEV past the runtime's virtual CPUs, the kernel's possible ones); a
 * lookup of an empty slot is -ENOENT, a delete past the end -EINVAL.
 * XSKMAP: value_size 4 (a socket fd), flags NUMA_NODE, RDONLY, WRONLY; an
 * update needs an AF_XDP socket (-EBADF, -ENOTSOCK, -EOPNOTSUPP otherwise),
 * a user-space lookup is always -EOPNOTSUPP.
 * Differences: a program fd in a CPUMAP value (bpf_prog.fd > 0) is refused
 * with -ENOMEM, the kernel's answer to an fd that is not an XDP program,
 * since bpfvm runs no program on a CPU's queue; NR_CPUS is 8192 (the
 * kernel's is its build's).
 *
 * Shared in a namespace (docs/namespace.md): a CPUMAP slot is a queue size
 * for one of the namespace's vCPUs, the same to every process. An XSKMAP
 * slot says a socket is there; the socket is its writer's, and the kernel
 * removes it from the map when it closes (xsk_delete_from_maps): bpfvm,
 * which does not see another process's sockets close, keeps the slot until
 * it is deleted or replaced, in a shared map as in a private one. One word
 * per slot, stored whole: a writer killed mid-update leaves the old word
 * or the new. */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "core/error.h"
#include "maps/array.h"
#include "maps/map.h"

#define CPUMAP_NR_CPUS 8192u	  /* the kernel's NR_CPUS: max_entries at most this */
#define CPUMAP_QSIZE_MAX 16384u	  /* cpu_map_update_elem's limit */
#define REDIRECT_SLOTS_OFFSET MAP_FAMILY_DATA_OFFSET
#define XSK_PRESENT (1ull << 32)

#ifndef AF_XDP
#define AF_XDP 44
#endif

static bool is_xskmap(const struct bpfvm_map *map)
{
	return map_type(map) == BPF_MAP_TYPE_XSKMAP;
}

static _Atomic uint64_t *slot_at(const struct bpfvm_map *map, uint32_t index)
{
	return (_Atomic uint64_t *)map_at(map, map->region->family[0]) + index;
}

static uint64_t slot_load(const struct bpfvm_map *map, uint32_t index)
{
	return atomic_load_explicit(slot_at(map, index), memory_order_acquire);
}

/* A CPUMAP slot holds a CPU when its queue size is set (the low half). */
static bool slot_used(const struct bpfvm_map *map, uint64_t word)
{
	return is_xskmap(map) ? word != 0 : (uint32_t)word != 0;
}

static int redirect_map_check_attr(const struct map_attr *attr)
{
	bool xsk = attr->type == BPF_MAP_TYPE_XSKMAP;
	uint32_t flags_ok = xsk ? BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY : BPF_F_NUMA_NODE;

	if (attr->max_entries == 0 || attr->key_size != 4 ||
	    (attr->value_size != 4 && (xsk || attr->value_size != 8)) ||
	    (attr->map_flags & ~flags_ok)) {
		vm_error("map '%.16s': %s needs key_size 4 (got %u), value_size %s (got %u), "
			 "max_entries > 0 (got %u) and no flags but 0x%x (got 0x%x)", attr->name,
			 xsk ? "XSKMAP" : "CPUMAP", attr->key_size, xsk ? "4" : "4 or 8",
			 attr->value_size, attr->max_entries, flags_ok, attr->map_flags);
		return -EINVAL;
	}
	if (!xsk && attr->max_entries > CPUMAP_NR_CPUS) {
		vm_error("map '%.16s': max_entries %u is more than NR_CPUS (%u)", attr->name,
			 attr->max_entries, CPUMAP_NR_CPUS);
		return -E2BIG;
	}
	return 0;
}

static size_t redirect_map_region_size(const struct map_attr *attr)
{
	return REDIRECT_SLOTS_OFFSET + (size_t)attr->max_entries * sizeof(uint64_t);
}

static int redirect_map_init(struct bpfvm_map *map)
{
	map->region->family[0] = REDIRECT_SLOTS_OFFSET;
	return 0;
}

static int redirect_map_check_region(const struct map_region *region, const char **why)
{
	if (region->family[0] != REDIRECT_SLOTS_OFFSET) {
		*why = "its slots' offset is not the one of its type";
		return -EINVAL;
	}
	return 0;
}

/* What bpf_redirect_map (and an XSKMAP lookup) sees: the slot, or NULL. */
static void *redirect_map_bpf_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	uint32_t index = map_key_index(key);

	(void)cpu;
	if (index >= map_max_entries(map) || !slot_used(map, slot_load(map, index)))
		return NULL;
	return (void *)slot_at(map, index);
}

static int redirect_map_lookup(struct bpfvm_map *map, const void *key, void *value,
			       uint64_t flags)
{
	uint32_t index = map_key_index(key);
	uint64_t word;

	(void)flags;
	if (is_xskmap(map))
		return -EOPNOTSUPP; /* xsk_map_lookup_elem_sys_only */
	if (index >= map_max_entries(map))
		return -ENOENT;
	word = slot_load(map, index);
	if (!slot_used(map, word))
		return -ENOENT;
	memcpy(value, &word, map_value_size(map));
	return 0;
}

/* cpu_map_update_elem's checks after the key's, in its order. */
static int cpumap_value(const struct bpfvm_map *map, uint32_t cpu, const void *value,
			uint64_t *out)
{
	struct bpf_cpumap_val val = { 0 };

	memcpy(&val, value, map_value_size(map));
	if (val.qsize > CPUMAP_QSIZE_MAX)
		return -EOVERFLOW;
	if (cpu >= map_nr_cpus(map))
		return -ENODEV;
	if (val.qsize && map_value_size(map) == 8 && val.bpf_prog.fd > 0)
		return -ENOMEM; /* no program runs on a bpfvm CPU's queue */
	val.bpf_prog.id = 0;
	*out = 0;
	if (val.qsize)
		memcpy(out, &val, map_value_size(map));
	return 0;
}

/* xsk_map_update_elem: the fd must be an AF_XDP socket. */
static int xskmap_value(const void *value, uint64_t *out)
{
	int fd, domain;
	socklen_t len = sizeof(domain);
	struct stat st;

	memcpy(&fd, value, sizeof(fd));
	if (fd < 0 || fstat(fd, &st))
		return -EBADF;
	if (!S_ISSOCK(st.st_mode))
		return -ENOTSOCK;
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) || domain != AF_XDP)
		return -EOPNOTSUPP;
	*out = XSK_PRESENT;
	return 0;
}

static int redirect_map_update(struct bpfvm_map *map, const void *key, const void *value,
			       uint64_t flags)
{
	uint32_t index = map_key_index(key);
	uint64_t stored;
	int err;

	if (flags > BPF_EXIST)
		return -EINVAL;
	if (index >= map_max_entries(map))
		return -E2BIG;
	if (is_xskmap(map)) {
		err = xskmap_value(value, &stored);
	} else {
		if (flags == BPF_NOEXIST)
			return -EEXIST;
		err = cpumap_value(map, index, value, &stored);
	}
	if (!err)
		atomic_store_explicit(slot_at(map, index), stored, memory_order_release);
	return err;
}

static int redirect_map_delete(struct bpfvm_map *map, const void *key)
{
	uint32_t index = map_key_index(key);

	if (index >= map_max_entries(map))
		return -EINVAL;
	atomic_store_explicit(slot_at(map, index), 0, memory_order_release);
	return 0;
}

const struct map_ops redirect_map_ops = {
	.share = MAP_SHARE_RO, /* lookups load one word */
	.check_region = redirect_map_check_region,
	.check_attr = redirect_map_check_attr,
	.region_size = redirect_map_region_size,
	.init = redirect_map_init,
	.bpf_lookup = redirect_map_bpf_lookup,
	.lookup = redirect_map_lookup,
	.update = redirect_map_update,
	.delete = redirect_map_delete,
	.get_next_key = array_get_next_key,
};
