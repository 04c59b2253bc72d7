/* BPF_MAP_TYPE_REUSEPORT_SOCKARRAY (kernel/bpf/reuseport_array.c): the
 * sockets of an SO_REUSEPORT group, by index, for bpf_sk_select_reuseport
 * in an sk_reuseport program. bpfvm has no reuseport groups and no
 * sk_reuseport hook to run such a program in: the map is created with the
 * kernel's attribute rules so that the objects declaring one load and
 * their programs are verified, and it stays empty. Every slot reads as
 * the kernel's empty one; an update checks what the kernel checks before
 * the socket's own state (flags, index, the fd) and then refuses the
 * socket, -ENOTSUPP (524), the kernel's answer to a socket it cannot hold
 * (docs/differences.md). Nothing in the region but the header: shared in
 * a namespace as it is.
 *
 * The kernel's rules (Linux 6.18): value_size 4 or 8 (the fd the update
 * takes; a lookup answers the socket's cookie, so only with 8: -ENOSPC
 * otherwise), then an array's attributes; a lookup of an empty slot is
 * -ENOENT, a delete past the end -E2BIG, of an empty slot -ENOENT; keys
 * are walked as an array's. A program can pass the map to
 * bpf_sk_select_reuseport only (verifier/helper_maps.c). */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"
#include "maps/array.h"
#include "maps/map.h"

static int reuseport_array_check_attr(const struct map_attr *attr)
{
	if (attr->value_size != 4 && attr->value_size != 8) {
		vm_error("map '%.16s': a reuseport array holds socket fds: value_size 4 or 8 (got "
			 "%u)", attr->name, attr->value_size);
		return -EINVAL;
	}
	return array_check_attr(attr);
}

static size_t reuseport_array_region_size(const struct map_attr *attr)
{
	return MAP_FAMILY_DATA_OFFSET;
}

static int reuseport_array_init(struct bpfvm_map *map)
{
	return 0;
}

static int reuseport_array_lookup(struct bpfvm_map *map, const void *key, void *value,
				  uint64_t flags)
{
	if (map_value_size(map) != sizeof(uint64_t))
		return -ENOSPC;
	return -ENOENT;
}

static int reuseport_array_update(struct bpfvm_map *map, const void *key, const void *value,
				  uint64_t flags)
{
	uint64_t fd64;
	struct stat st;
	int32_t fd;

	if (flags > BPF_EXIST)
		return -EINVAL;
	if (map_key_index(key) >= map_max_entries(map))
		return -E2BIG;
	if (map_value_size(map) == sizeof(fd64)) {
		memcpy(&fd64, value, sizeof(fd64));
		if (fd64 > INT32_MAX)
			return -EINVAL;
		fd = (int32_t)fd64;
	} else {
		memcpy(&fd, value, sizeof(fd));
	}
	if (fd < 0 || fstat(fd, &st))
		return -EBADF;
	if (!S_ISSOCK(st.st_mode))
		return -ENOTSOCK;
	vm_error("a reuseport array: bpfvm has no SO_REUSEPORT groups to hold sockets of");
	return -MAP_ENOTSUPP;
}

static int reuseport_array_delete(struct bpfvm_map *map, const void *key)
{
	return map_key_index(key) >= map_max_entries(map) ? -E2BIG : -ENOENT;
}

const struct map_ops reuseport_array_map_ops = {
	.share = MAP_SHARE_RO,
	.check_attr = reuseport_array_check_attr,
	.region_size = reuseport_array_region_size,
	.init = reuseport_array_init,
	.lookup = reuseport_array_lookup,
	.update = reuseport_array_update,
	.delete = reuseport_array_delete,
	.get_next_key = array_get_next_key,
};
