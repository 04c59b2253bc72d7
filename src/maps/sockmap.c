/* BPF_MAP_TYPE_SOCKMAP and BPF_MAP_TYPE_SOCKHASH (net/core/sock_map.c), as
 * far as user space sees them: bpfvm has no socket layer to redirect in,
 * but the maps are created, filled from user space with the process's own
 * sockets under the kernel's rules, and read back as the kernel answers
 * (the socket's cookie, SO_COOKIE), so that objects using them load and
 * their user-space side runs. Programs may reference them where the
 * verifier's pairing rules allow (helper_maps.c), except to look a socket
 * up or store one (bpfvm has none); the helpers that act on sockets
 * (sk_redirect_map, msg_redirect_map, sock_map_update, ...) are not
 * provided.
 *
 *   +---------------------------+ MAP_FAMILY_DATA_OFFSET
 *   | struct sockmap_hdr: lock, |
 *   |   items                   |
 *   +---------------------------+ family[0]
 *   | slot[0 .. max_entries)    |  SOCKMAP: slot[key];
 *   |   present, cookie, key    |  SOCKHASH: any free slot (the kernel's
 *   |   (key_size bytes)        |  iteration order is random: jhash with a
 *   +---------------------------+  random seed)
 *
 * An update takes a socket fd (value_size 4 or 8): a bad fd is -EBADF, a
 * file that is not a socket -ENOTSOCK, a socket sock_map cannot hold
 * (sock_map_sk_is_suitable / sock_map_sk_state_allowed: TCP neither
 * established nor listening, UDP not bound, a unix stream socket not
 * connected, a raw socket, ...) -EOPNOTSUPP. Difference: the kernel drops a socket from its
 * maps when it closes; bpfvm keeps its cookie until deleted. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "core/error.h"
#include "maps/array.h"
#include "maps/map.h"
#include "maps/map_lock.h"

#define SOCKMAP_CREATE_FLAG_MASK (BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY)
#define SOCKMAP_KEY_MAX 512u /* MAX_BPF_STACK */

struct sockmap_hdr {
	struct map_lock lock;
	uint32_t items;
};

struct sockmap_slot {
	uint32_t present;
	uint32_t pad;
	uint64_t cookie;
	uint8_t key[]; /* key_size bytes, rounded up to 8 */
};

#define SOCKMAP_SLOTS_OFFSET \
	(MAP_FAMILY_DATA_OFFSET + ((sizeof(struct sockmap_hdr) + 63) / 64) * 64)

static bool is_hash(const struct bpfvm_map *map)
{
	return map_type(map) == BPF_MAP_TYPE_SOCKHASH;
}

static size_t slot_size(uint32_t key_size)
{
	return sizeof(struct sockmap_slot) + ((key_size + 7u) & ~7u);
}

static struct sockmap_hdr *sockmap_hdr(const struct bpfvm_map *map)
{
	return map_at(map, MAP_FAMILY_DATA_OFFSET);
}

static struct sockmap_slot *sockmap_slot(const struct bpfvm_map *map, uint32_t index)
{
	return map_at(map, map->region->family[0] + index * slot_size(map_key_size(map)));
}

static int sockmap_check_attr(const struct map_attr *attr)
{
	bool hash = attr->type == BPF_MAP_TYPE_SOCKHASH;

	if (attr->max_entries == 0 || (hash ? attr->key_size == 0 : attr->key_size != 4) ||
	    (attr->value_size != 4 && attr->value_size != 8) ||
	    (attr->map_flags & ~SOCKMAP_CREATE_FLAG_MASK)) {
		vm_error("map '%.16s': a socket map needs key_size %s (got %u), value_size 4 or 8 "
			 "(got %u), max_entries > 0 (got %u) and no flags but NUMA_NODE, RDONLY, "
			 "WRONLY (got 0x%x)", attr->name, hash ? "> 0" : "4", attr->key_size,
			 attr->value_size, attr->max_entries, attr->map_flags);
		return -EINVAL;
	}
	if (attr->key_size > SOCKMAP_KEY_MAX) {
		vm_error("map '%.16s': key_size %u is too large", attr->name, attr->key_size);
		return -E2BIG;
	}
	return 0;
}

static size_t sockmap_region_size(const struct map_attr *attr)
{
	return SOCKMAP_SLOTS_OFFSET + (size_t)attr->max_entries * slot_size(attr->key_size);
}

static int sockmap_init(struct bpfvm_map *map)
{
	map->region->family[0] = SOCKMAP_SLOTS_OFFSET;
	return map_lock_init(&sockmap_hdr(map)->lock);
}

static int sockmap_lock(struct bpfvm_map *map)
{
	int rc = map_lock_acquire(&sockmap_hdr(map)->lock);

	return rc < 0 ? rc : 0;
}

static void sockmap_unlock(struct bpfvm_map *map)
{
	map_lock_release(&sockmap_hdr(map)->lock);
}

/* The slot of `key` (present or not for SOCKMAP; present for SOCKHASH), or
 * NULL. Under the lock. */
static struct sockmap_slot *sockmap_find(const struct bpfvm_map *map, const void *key)
{
	if (!is_hash(map)) {
		uint32_t index = map_key_index(key);

		return index < map_max_entries(map) ? sockmap_slot(map, index) : NULL;
	}
	for (uint32_t i = 0; i < map_max_entries(map); i++) {
		struct sockmap_slot *slot = sockmap_slot(map, i);

		if (slot->present && !memcmp(slot->key, key, map_key_size(map)))
			return slot;
	}
	return NULL;
}

static bool tcp_state_allowed(int fd)
{
	struct tcp_info info = { 0 };
	socklen_t len = sizeof(info);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len))
		return false;
	return info.tcpi_state == 1 /* TCP_ESTABLISHED */ || info.tcpi_state == 10 /* LISTEN */;
}

/* A UDP socket must be hashed: bound to a port. */
static bool udp_bound(int fd)
{
	struct sockaddr_storage addr;
	socklen_t len = sizeof(addr);

	if (getsockname(fd, (struct sockaddr *)&addr, &len))
		return false;
	if (addr.ss_family == AF_INET)
		return ((struct sockaddr_in *)&addr)->sin_port != 0;
	return addr.ss_family == AF_INET6 && ((struct sockaddr_in6 *)&addr)->sin6_port != 0;
}

/* sockfd_lookup, sock_map_sk_is_suitable and sock_map_sk_state_allowed on
 * the process's own fd; the socket's cookie on success. */
static int sockmap_socket(uint64_t ufd, uint64_t *cookie)
{
	int fd = (int)ufd, domain = 0, type = 0, protocol = 0;
	socklen_t len = sizeof(int);
	struct sockaddr_storage peer;
	socklen_t peer_len = sizeof(peer);
	struct stat st;

	if (ufd > INT32_MAX)
		return -EINVAL;
	if (fstat(fd, &st))
		return -EBADF;
	if (!S_ISSOCK(st.st_mode))
		return -ENOTSOCK;
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) ||
	    getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &len))
		return -EOPNOTSUPP;
	if (domain == AF_INET || domain == AF_INET6) {
		if (type == SOCK_STREAM && protocol == IPPROTO_TCP && !tcp_state_allowed(fd))
			return -EOPNOTSUPP;
		if (type == SOCK_DGRAM && !udp_bound(fd))
			return -EOPNOTSUPP;
		if (!(type == SOCK_STREAM && protocol == IPPROTO_TCP) &&
		    !(type == SOCK_DGRAM && protocol == IPPROTO_UDP))
			return -EOPNOTSUPP;
	} else if (domain == AF_UNIX) {
		if (type == SOCK_STREAM && getpeername(fd, (struct sockaddr *)&peer, &peer_len))
			return -EOPNOTSUPP;
	} else {
		return -EOPNOTSUPP;
	}
	len = sizeof(*cookie);
	return getsockopt(fd, SOL_SOCKET, SO_COOKIE, cookie, &len) ? -EOPNOTSUPP : 0;
}

static int sockmap_store(struct bpfvm_map *map, const void *key, uint64_t cookie,
			 uint64_t flags)
{
	struct sockmap_slot *slot = sockmap_find(map, key);
	uint32_t free_slot = 0;

	if (!is_hash(map) && !slot)
		return -E2BIG;
	if (slot && slot->present && flags == BPF_NOEXIST)
		return -EEXIST;
	if ((!slot || !slot->present) && flags == BPF_EXIST)
		return -ENOENT;
	if (!slot) {
		if (sockmap_hdr(map)->items >= map_max_entries(map))
			return -E2BIG;
		while (sockmap_slot(map, free_slot)->present)
			free_slot++;
		slot = sockmap_slot(map, free_slot);
		memcpy(slot->key, key, map_key_size(map));
	}
	if (!slot->present)
		sockmap_hdr(map)->items++;
	slot->cookie = cookie;
	slot->present = 1;
	return 0;
}

static int sockmap_update(struct bpfvm_map *map, const void *key, const void *value,
			  uint64_t flags)
{
	uint64_t ufd = 0, cookie = 0;
	int err;

	memcpy(&ufd, value, map_value_size(map));
	err = sockmap_socket(ufd, &cookie);
	if (!err && flags > BPF_EXIST)
		err = -EINVAL;
	if (!err)
		err = sockmap_lock(map);
	if (err)
		return err;
	err = sockmap_store(map, key, cookie, flags);
	sockmap_unlock(map);
	return err;
}

/* sock_map_lookup_sys: the cookie, which a 4-byte value cannot hold. */
static int sockmap_lookup(struct bpfvm_map *map, const void *key, void *value, uint64_t flags)
{
	struct sockmap_slot *slot;
	int err;

	if (map_value_size(map) != sizeof(uint64_t))
		return -ENOSPC;
	err = sockmap_lock(map);
	if (err)
		return err;
	slot = sockmap_find(map, key);
	if (slot && slot->present)
		memcpy(value, &slot->cookie, sizeof(slot->cookie));
	else
		err = -ENOENT;
	sockmap_unlock(map);
	return err;
}

/* An empty SOCKMAP slot is -EINVAL (__sock_map_delete), a missing SOCKHASH
 * key -ENOENT. */
static int sockmap_delete(struct bpfvm_map *map, const void *key)
{
	struct sockmap_slot *slot;
	int err = sockmap_lock(map);

	if (err)
		return err;
	slot = sockmap_find(map, key);
	if (slot && slot->present) {
		slot->present = 0;
		sockmap_hdr(map)->items--;
	} else {
		err = is_hash(map) ? -ENOENT : -EINVAL;
	}
	sockmap_unlock(map);
	return err;
}

/* SOCKHASH: slot order (the kernel's is random); a missing key starts over. */
static int sockhash_next(struct bpfvm_map *map, const void *key, void *next_key)
{
	struct sockmap_slot *slot = key ? sockmap_find(map, key) : NULL;
	uint32_t start = 0;

	if (slot)
		start = (uint32_t)(((uint8_t *)slot - (uint8_t *)sockmap_slot(map, 0)) /
				   slot_size(map_key_size(map))) + 1;
	for (uint32_t i = start; i < map_max_entries(map); i++) {
		if (sockmap_slot(map, i)->present) {
			memcpy(next_key, sockmap_slot(map, i)->key, map_key_size(map));
			return 0;
		}
	}
	return -ENOENT;
}

static int sockmap_get_next_key(struct bpfvm_map *map, const void *key, void *next_key)
{
	int err;

	if (!is_hash(map))
		return array_get_next_key(map, key, next_key);
	err = sockmap_lock(map);
	if (err)
		return err;
	err = sockhash_next(map, key, next_key);
	sockmap_unlock(map);
	return err;
}

const struct map_ops sockmap_map_ops = {
	.share_refusal = "it holds this process's sockets",
	.check_attr = sockmap_check_attr,
	.region_size = sockmap_region_size,
	.init = sockmap_init,
	.lookup = sockmap_lookup,
	.update = sockmap_update,
	.delete = sockmap_delete,
	.get_next_key = sockmap_get_next_key,
};
