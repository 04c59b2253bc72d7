/* BPF_MAP_TYPE_SOCKMAP and BPF_MAP_TYPE_SOCKHASH (net/core/sock_map.c), as
 * far as user space sees them: bpfvm has no socket layer to redirect in,
 * but the maps are created, filled from user space with the process's own
 * sockets under the kernel's rules, and read back as the kernel answers
 * (the socket's cookie, SO_COOKIE), so that objects using them load and
 * their user-space side runs. Programs may reference them where the
 * verifier's pairing rules allow (helper_maps.c), except to store a socket
 * (bpfvm has none); a program's lookup finds none (no bpf_lookup: NULL,
 * verifier/types_sock.c types it a socket); the helpers that redirect through
 * them (helpers_sockmap.c) ask sockmap_holds() whether a key names one.
 *
 * SOCKMAP: one 8-byte word per key, the socket's cookie, 0 when empty
 * (the kernel's cookies start at 1). Every change is one atomic exchange or
 * compare-and-swap, so there is no lock to take, nor one that a dead holder
 * could leave half-done.
 *
 *   +---------------------------+ SOCKMAP_SLOTS_OFFSET (family[0])
 *   | slot[0 .. max_entries)    |  _Atomic u64: cookie, 0 = empty
 *   +---------------------------+
 *
 * SOCKHASH: hash.c's table (hash.h: jhash with a random seed, as the
 * kernel's sock_hash, preallocated elements, bucket locks that survive a
 * dead holder); the value stored is the cookie (its first value_size
 * bytes: a 4-byte value is never read back, see sockmap_lookup).
 *
 * An update takes a socket fd (value_size 4 or 8): a bad fd is -EBADF, a
 * file that is not a socket -ENOTSOCK, a socket sock_map cannot hold
 * (sock_map_sk_is_suitable / sock_map_sk_state_allowed: TCP neither
 * established nor listening, UDP not bound, a unix stream socket not
 * connected, a raw socket, ...) -EOPNOTSUPP. Difference: the kernel drops a socket from its
 * maps when it closes; bpfvm keeps its cookie until deleted.
 *
 * Shared in a namespace (docs/namespace.md): a cookie names one socket for
 * the kernel's whole life, whichever process asks, so the region holds
 * nothing process-local; each process puts its own sockets in. A socket
 * that closes, or whose process dies, keeps its cookie in the map until
 * the key is deleted or replaced (the difference above: the kernel's
 * sock_map_close would remove it). A writer killed mid-update leaves the
 * old cookie or the new (SOCKMAP: one word), or what hash.c's repair makes
 * whole (SOCKHASH). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "core/error.h"
#include "maps/array.h"
#include "maps/hash.h"
#include "maps/map.h"
#include "maps/sockmap.h"

#define SOCKMAP_CREATE_FLAG_MASK (BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY)
#define SOCKMAP_KEY_MAX 512u /* MAX_BPF_STACK */
#define SOCKHASH_MAX_ENTRIES (1u << 27)
#define SOCKMAP_SLOTS_OFFSET MAP_FAMILY_DATA_OFFSET

static bool is_hash(const struct bpfvm_map *map)
{
	return map_type(map) == BPF_MAP_TYPE_SOCKHASH;
}

/* SOCKMAP's slot of `key`, or NULL past the end. */
static _Atomic uint64_t *sockmap_slot(const struct bpfvm_map *map, const void *key)
{
	uint32_t index = map_key_index(key);

	if (index >= map_max_entries(map))
		return NULL;
	return (_Atomic uint64_t *)map_at(map, map->region->family[0]) + index;
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
	/* sock_hash_alloc: a power of 2 of 16-byte buckets whose total fits
	 * a u32, else -EINVAL. */
	if (hash && attr->max_entries > SOCKHASH_MAX_ENTRIES) {
		vm_error("map '%.16s': max_entries %u is more than %u", attr->name,
			 attr->max_entries, SOCKHASH_MAX_ENTRIES);
		return -EINVAL;
	}
	return 0;
}

static size_t sockmap_region_size(const struct map_attr *attr)
{
	if (attr->type == BPF_MAP_TYPE_SOCKHASH)
		return hash_region_size(attr);
	return SOCKMAP_SLOTS_OFFSET + (size_t)attr->max_entries * sizeof(uint64_t);
}

static int sockmap_init(struct bpfvm_map *map)
{
	if (is_hash(map))
		return hash_init(map);
	map->region->family[0] = SOCKMAP_SLOTS_OFFSET;
	return 0;
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

/* sock_map_update_common's flags on one slot: BPF_NOEXIST only into an
 * empty slot, BPF_EXIST only over a socket. */
static int sockmap_store(_Atomic uint64_t *slot, uint64_t cookie, uint64_t flags)
{
	uint64_t old = atomic_load_explicit(slot, memory_order_relaxed);

	if (flags == BPF_ANY) {
		atomic_store_explicit(slot, cookie, memory_order_release);
		return 0;
	}
	do {
		if (old && flags == BPF_NOEXIST)
			return -EEXIST;
		if (!old && flags == BPF_EXIST)
			return -ENOENT;
	} while (!atomic_compare_exchange_weak_explicit(slot, &old, cookie, memory_order_release,
							memory_order_relaxed));
	return 0;
}

static int sockmap_update(struct bpfvm_map *map, const void *key, const void *value,
			  uint64_t flags)
{
	uint64_t ufd = 0, cookie = 0;
	_Atomic uint64_t *slot;
	int err;

	memcpy(&ufd, value, map_value_size(map));
	err = sockmap_socket(ufd, &cookie);
	if (!err && flags > BPF_EXIST)
		err = -EINVAL;
	if (err)
		return err;
	if (is_hash(map))
		return hash_update_elem(map, key, &cookie, flags, 0, false, NULL, NULL);
	slot = sockmap_slot(map, key);
	return slot ? sockmap_store(slot, cookie, flags) : -E2BIG;
}

/* sock_map_lookup_sys: the cookie, which a 4-byte value cannot hold. */
static int sockmap_lookup(struct bpfvm_map *map, const void *key, void *value, uint64_t flags)
{
	_Atomic uint64_t *slot;
	uint64_t cookie;

	if (map_value_size(map) != sizeof(uint64_t))
		return -ENOSPC;
	if (is_hash(map))
		return hash_copy_value(map, key, value, 0);
	slot = sockmap_slot(map, key);
	cookie = slot ? atomic_load_explicit(slot, memory_order_acquire) : 0;
	if (!cookie)
		return -ENOENT;
	memcpy(value, &cookie, sizeof(cookie));
	return 0;
}

/* An empty SOCKMAP slot is -EINVAL (__sock_map_delete), a missing SOCKHASH
 * key -ENOENT. */
static int sockmap_delete(struct bpfvm_map *map, const void *key)
{
	_Atomic uint64_t *slot;

	if (is_hash(map))
		return hash_delete_elem(map, key, NULL, 0);
	slot = sockmap_slot(map, key);
	if (!slot || !atomic_exchange_explicit(slot, 0, memory_order_acq_rel))
		return -EINVAL;
	return 0;
}

static int sockmap_check_region(const struct map_region *region, const char **why)
{
	if (region->type == BPF_MAP_TYPE_SOCKHASH)
		return hash_check_region_as(region, false, why);
	if (region->family[0] != SOCKMAP_SLOTS_OFFSET) {
		*why = "its slots' offset is not the socket map's";
		return -EINVAL;
	}
	return 0;
}

/* SOCKHASH: jhash order with a random seed, as random as the kernel's. */
bool sockmap_holds(struct bpfvm_map *map, const void *key)
{
	uint64_t cookie = 0;
	_Atomic uint64_t *slot;

	if (is_hash(map))
		return hash_copy_value(map, key, &cookie, 0) == 0;
	slot = sockmap_slot(map, key);
	return slot && atomic_load_explicit(slot, memory_order_acquire);
}

static int sockmap_get_next_key(struct bpfvm_map *map, const void *key, void *next_key)
{
	if (is_hash(map))
		return hash_get_next_key(map, key, next_key);
	return array_get_next_key(map, key, next_key);
}

const struct map_ops sockmap_map_ops = {
	.share = MAP_SHARE_RO, /* lookups load a word or use hash.c's lock-free find */
	.check_region = sockmap_check_region,
	.check_attr = sockmap_check_attr,
	.region_size = sockmap_region_size,
	.init = sockmap_init,
	.lookup = sockmap_lookup,
	.update = sockmap_update,
	.delete = sockmap_delete,
	.get_next_key = sockmap_get_next_key,
};
