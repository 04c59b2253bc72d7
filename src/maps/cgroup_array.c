/* BPF_MAP_TYPE_CGROUP_ARRAY (kernel/bpf/arraymap.c, cgroup_array_map_ops):
 * an fd array whose slots hold cgroups, for bpf_current_task_under_cgroup
 * and bpf_skb_under_cgroup. User space writes the fd of a cgroup v2
 * directory; the slot keeps the cgroup's id, the directory's inode number
 * (what the kernel's cgroup id is: its kernfs node id), which the helper
 * compares with the directories of the calling thread's cgroup and its
 * ancestors. One 8-byte word per slot, 0 when empty, stored and loaded
 * whole: shared in a namespace as it is (a cgroup id means the same to
 * every process of the machine).
 *
 * The kernel's rules (Linux 6.18, checked with bpf() by
 * tests/corpus/test_cgroup_array.c): the fd array's attributes (value_size
 * 4, no BPF_F_RDONLY_PROG / WRONLY_PROG); an update with flags other than
 * BPF_ANY is -EINVAL, past the end -E2BIG, an fd that is not a cgroup v2
 * directory -EBADF; a user-space lookup is -ENOTSUPP (524: the kernel has
 * no map_fd_sys_lookup_elem for it); a delete past the end -E2BIG, of an
 * empty slot -ENOENT. A program can only pass the map to the two helpers
 * (verifier/helper_maps.c). */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "core/error.h"
#include "maps/array.h"
#include "maps/cgroup_array.h"
#include "maps/fd_array.h"

#define CGROUP_SLOTS_OFFSET MAP_FAMILY_DATA_OFFSET
#define CGROUP2_SUPER_MAGIC_ 0x63677270 /* linux/magic.h: CGROUP2_SUPER_MAGIC */

static _Atomic uint64_t *slot_at(const struct bpfvm_map *map, uint32_t index)
{
	return (_Atomic uint64_t *)map_at(map, map->region->family[0]) + index;
}

uint64_t cgroup_array_id(const struct bpfvm_map *map, uint32_t index)
{
	return atomic_load_explicit(slot_at(map, index), memory_order_acquire);
}

static size_t cgroup_array_region_size(const struct map_attr *attr)
{
	return CGROUP_SLOTS_OFFSET + (size_t)attr->max_entries * sizeof(uint64_t);
}

static int cgroup_array_init(struct bpfvm_map *map)
{
	map->region->family[0] = CGROUP_SLOTS_OFFSET;
	return 0;
}

static int cgroup_array_check_region(const struct map_region *region, const char **why)
{
	if (region->family[0] != CGROUP_SLOTS_OFFSET) {
		*why = "its slots' offset is not the one of its type";
		return -EINVAL;
	}
	return 0;
}

static int cgroup_array_lookup(struct bpfvm_map *map, const void *key, void *value,
			       uint64_t flags)
{
	return -MAP_ENOTSUPP;
}

/* cgroup_get_from_fd: a directory of the cgroup v2 hierarchy. */
static int cgroup_id_of_fd(int fd, uint64_t *id)
{
	struct statfs fs;
	struct stat st;

	if (fd < 0 || fstat(fd, &st) || fstatfs(fd, &fs))
		return -EBADF;
	if (!S_ISDIR(st.st_mode) || fs.f_type != CGROUP2_SUPER_MAGIC_)
		return -EBADF;
	*id = (uint64_t)st.st_ino;
	return 0;
}

static int cgroup_array_update(struct bpfvm_map *map, const void *key, const void *value,
			       uint64_t flags)
{
	uint32_t index = map_key_index(key);
	uint64_t id;
	int fd, err;

	if (flags != BPF_ANY)
		return -EINVAL;
	if (index >= map_max_entries(map))
		return -E2BIG;
	memcpy(&fd, value, sizeof(fd));
	err = cgroup_id_of_fd(fd, &id);
	if (err)
		return err;
	atomic_store_explicit(slot_at(map, index), id, memory_order_release);
	return 0;
}

static int cgroup_array_delete(struct bpfvm_map *map, const void *key)
{
	uint32_t index = map_key_index(key);

	if (index >= map_max_entries(map))
		return -E2BIG;
	if (!atomic_exchange_explicit(slot_at(map, index), 0, memory_order_acq_rel))
		return -ENOENT;
	return 0;
}

const struct map_ops cgroup_array_map_ops = {
	.share = MAP_SHARE_RO, /* the helper loads one word */
	.check_region = cgroup_array_check_region,
	.check_attr = fd_array_check_attr,
	.region_size = cgroup_array_region_size,
	.init = cgroup_array_init,
	.lookup = cgroup_array_lookup,
	.update = cgroup_array_update,
	.delete = cgroup_array_delete,
	.get_next_key = array_get_next_key,
};
