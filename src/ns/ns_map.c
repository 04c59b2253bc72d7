/* Shared maps: a region in a file of the namespace (ns.h, ns_map.h).
 *
 * Every map of a namespaced runtime whose family can be shared is made in
 * its file from the start, never moved there on pin: programs and the JIT
 * hold raw addresses into a region (inlined array lookups), so a region
 * must stay where it was mapped for the map's whole life in the process.
 * A file opened by another process is checked before it is trusted: magic,
 * size, type, attributes, the layout its attributes give, CPU count.
 */
#define _GNU_SOURCE /* F_OFD_SETLK */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/runtime.h"
#include "maps/map_in_map.h"
#include "ns/ns_hold.h"
#include "ns/ns_map.h"

static void ns_map_record_fill(struct ns_record *record, const struct map_attr *attr)
{
	memset(record, 0, sizeof(*record));
	record->kind = NS_KIND_MAP;
	record->type = attr->type;
	record->key_size = attr->key_size;
	record->value_size = attr->value_size;
	record->max_entries = attr->max_entries;
	record->map_flags = attr->map_flags;
	memcpy(record->name, attr->name, sizeof(record->name) - 1);
}

/* The file of a new map, sized and mapped, with our shared flock taken
 * before the registry lock is dropped (a sweeper takes it exclusively). */
static int ns_map_file_create(struct bpfvm_map *map, uint32_t id, size_t size)
{
	char path[PATH_MAX + 64];
	void *region;
	int fd;

	ns_map_file(map->vm->ns, id, path, sizeof(path));
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_SH) || ftruncate(fd, (off_t)size)) {
		int err = -errno;

		vm_error("map: cannot create '%s': %s", path, strerror(errno));
		if (fd >= 0) {
			unlink(path);
			close(fd);
		}
		return err;
	}
	region = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (region == MAP_FAILED) {
		vm_error("map: cannot map '%s': %s", path, strerror(errno));
		unlink(path);
		close(fd);
		return -ENOMEM;
	}
	map->region = region;
	map->region_size = size;
	map->shared = true;
	map->shared_fd = fd;
	return 0;
}

int ns_map_region_create(struct bpfvm_map *map, const struct map_attr *attr, size_t size)
{
	struct ns *ns = map->vm->ns;
	struct ns_record record;
	int err;

	ns_map_record_fill(&record, attr);
	err = ns_lock(ns);
	if (err)
		return err;
	err = ns_record_add(ns, &record);
	if (!err) {
		err = ns_map_file_create(map, record.id, size);
		if (err)
			ns_record_remove_locked(ns, record.id);
		else
			map->region->id = record.id;
	}
	ns_unlock(ns);
	if (!err)
		ns_map_user_hold(map);
	return err;
}

int ns_map_record_local(struct bpfvm_map *map)
{
	const struct map_region *region = map->region;
	struct ns *ns = map->vm->ns;
	struct ns_record record = {
		.kind = NS_KIND_MAP,
		.type = region->type,
		.key_size = region->key_size,
		.value_size = region->value_size,
		.max_entries = region->max_entries,
		.map_flags = region->map_flags,
		.local_pid = getpid(),
	};
	int err;

	memcpy(record.name, region->name, sizeof(record.name) - 1);
	err = ns_lock(ns);
	if (err)
		return err;
	err = ns_record_add(ns, &record);
	ns_unlock(ns);
	if (!err)
		map->region->id = record.id;
	return err;
}

void ns_map_region_release(struct bpfvm_map *map)
{
	struct ns *ns = map->vm->ns;
	uint32_t id = map->region->id;

	munmap(map->region, map->region_size);
	map->region = NULL;
	if (ns_lock(ns) == 0) {
		ns_map_file_reap(ns, id, map->shared_fd);
		ns_unlock(ns);
	}
	close(map->shared_fd);
}

/* ---- Opening ------------------------------------------------------------ */

struct ns_map_file {
	int fd;
	bool writable; /* the file could be opened for writing */
	uint64_t size;
};

static int ns_map_open_fd(const char *path, bool want_write, struct ns_map_file *file)
{
	struct stat st;

	file->writable = want_write;
	file->fd = open(path, (want_write ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (file->fd < 0 && want_write && errno == EACCES) {
		/* A file the caller may only read: a read-only view. */
		file->writable = false;
		file->fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (file->fd < 0) {
		vm_error("cannot open '%s': %s", path, strerror(errno));
		return -errno;
	}
	if (flock(file->fd, LOCK_SH) || fstat(file->fd, &st)) {
		int err = -errno;

		close(file->fd);
		return err;
	}
	if (!S_ISREG(st.st_mode) || st.st_nlink == 0) {
		close(file->fd);
		vm_error("'%s': %s", path, S_ISREG(st.st_mode) ? "the map is gone" :
					    "not a bpfvm object");
		return S_ISREG(st.st_mode) ? -ENOENT : -EINVAL;
	}
	file->size = (uint64_t)st.st_size;
	return 0;
}

static int ns_map_refuse(const char *path, const char *why)
{
	vm_error("'%s': not a usable bpfvm map file: %s", path, why);
	return -EINVAL;
}

/* Everything the generic layer and the family read from the header is
 * checked before the region is used: a truncated or corrupted file is
 * refused, never trusted. */
static int ns_map_check_region(const struct bpfvm *vm, const struct map_region *region,
			       uint64_t file_size, const char *path,
			       const struct map_ops **ops_out)
{
	struct map_region template_region;
	struct bpfvm_map template;
	const struct map_ops *ops;
	struct map_attr attr;
	const char *why;

	if (__atomic_load_n(&region->magic, __ATOMIC_ACQUIRE) != MAP_REGION_MAGIC)
		return ns_map_refuse(path, "bad magic (not a map, or one still being made)");
	if (region->size != file_size)
		return ns_map_refuse(path, "the header's size is not the file's (truncated?)");
	ops = map_ops_for_type(region->type);
	if (!ops || ops->share == MAP_SHARE_NONE)
		return ns_map_refuse(path, "a map type that is never shared");
	if (region->nr_cpus != vm->nr_cpus)
		return ns_map_refuse(path, "made for another number of CPUs");
	if (!region->id || region->id >= NS_ID_MAX)
		return ns_map_refuse(path, "bad id");
	if (memchr(region->name, '\0', sizeof(region->name)) == NULL)
		return ns_map_refuse(path, "bad name");
	memset(&attr, 0, sizeof(attr));
	attr.type = region->type;
	attr.key_size = region->key_size;
	attr.value_size = region->value_size;
	attr.max_entries = region->max_entries;
	attr.map_flags = region->map_flags & ~ops->init_flags;
	attr.map_extra = region->map_extra;
	attr.nr_cpus = region->nr_cpus;
	memcpy(attr.name, region->name, sizeof(attr.name));
	attr.inner_map = map_in_map_template_stub(region, &template_region, &template);
	if (ops->check_attr(&attr))
		return ns_map_refuse(path, "attributes its type refuses");
	if (ops->region_size(&attr) != file_size)
		return ns_map_refuse(path, "its size does not match its attributes");
	if (region->spin_lock_off >= 0 &&
	    (uint64_t)region->spin_lock_off + 4 > region->value_size)
		return ns_map_refuse(path, "bad bpf_spin_lock offset");
	if (ops->check_region && ops->check_region(region, &why))
		return ns_map_refuse(path, why);
	*ops_out = ops;
	return 0;
}

static void ns_map_user_hold_first(struct bpfvm_map *map);

static bool ns_map_try_get_user(void *map)
{
	return map_try_get_user(map);
}

/* The handle for a checked, mapped region: the process's own if it has
 * one for this id (the mapping is then dropped), else a new one. */
static int ns_map_handle(struct bpfvm *vm, const struct map_ops *ops, struct map_region *region,
			 const struct ns_map_file *file, bool view, struct bpfvm_map **map_out)
{
	struct bpfvm_map *map;
	int err;

	for (int attempt = 0; attempt < 2; attempt++) {
		map = view ? NULL : id_table_get(&vm->map_ids, region->id, ns_map_try_get_user);
		if (map) {
			munmap(region, file->size);
			close(file->fd);
			ns_map_user_hold(map);
			*map_out = map;
			return 0;
		}
		map = map_handle_new(vm, ops, region, file->size);
		if (!map)
			break;
		map->shared = true;
		map->shared_fd = file->fd;
		map->view = view;
		map->user_rdonly = view;
		map->region_rdonly = !file->writable;
		if (view && !ops->release_user) {
			*map_out = map;
			return 0;
		}
		err = ops->open ? ops->open(map) : 0;
		if (err) {
			map_handle_free(map);
			return err;
		}
		if (view) {
			ns_map_user_hold_first(map);
			*map_out = map;
			return 0;
		}
		err = map_publish(map);
		if (!err) {
			ns_map_user_hold_first(map);
			*map_out = map;
			return 0;
		}
		if (ops->release)
			ops->release(map);
		map->private = NULL;
		if (err != -EEXIST)
			break;
		/* Another thread published it meanwhile: map again, use its. */
		map->region = NULL;
		map->shared = false;
		free(map);
	}
	munmap(region, file->size);
	close(file->fd);
	return -ENOMEM;
}

static int ns_map_open_file(struct bpfvm *vm, const char *path, uint32_t id, bool rdonly,
			    struct bpfvm_map **map_out, struct ns_map_file *file)
{
	const struct map_ops *ops = NULL;
	struct map_region *region;
	bool view;
	int err;

	if (file->size < sizeof(struct map_region) || file->size > SIZE_MAX) {
		close(file->fd);
		return ns_map_refuse(path, "too short for a map header (truncated?)");
	}
	region = mmap(NULL, file->size, PROT_READ | (file->writable ? PROT_WRITE : 0), MAP_SHARED,
		      file->fd, 0);
	if (region == MAP_FAILED) {
		close(file->fd);
		vm_error("'%s': cannot map: %s", path, strerror(errno));
		return -ENOMEM;
	}
	err = ns_map_check_region(vm, region, file->size, path, &ops);
	if (!err && id && region->id != id)
		err = ns_map_refuse(path, "its id is not its file's");
	if (!err && rdonly && file->writable && ops->share == MAP_SHARE_RO &&
	    mprotect(region, file->size, PROT_READ) == 0)
		file->writable = false; /* a read-only view reads only: mapped so */
	if (!err && !file->writable && ops->share != MAP_SHARE_RO) {
		vm_error("'%s': map '%.16s' can only be opened by who may write its file: even its "
			 "lookups take the lock inside it", path, region->name);
		err = -EACCES;
	}
	if (err) {
		munmap(region, file->size);
		close(file->fd);
		return err;
	}
	view = rdonly || !file->writable;
	return ns_map_handle(vm, ops, region, file, view, map_out);
}

static int ns_map_open_by_id(struct bpfvm *vm, uint32_t id, bool rdonly,
			     struct ns_map_file *file, char *path, size_t path_size)
{
	struct ns *ns = vm->ns;
	struct ns_record record;
	bool locked = ns_writable(ns);
	int err = locked ? ns_lock(ns) : 0;

	if (err)
		return err;
	/* Under the lock, the file cannot be reaped between open and flock. */
	err = ns_record_find(ns, id, &record);
	if (err) {
		vm_error("no map with id %u", id);
	} else if (record.kind != NS_KIND_MAP) {
		vm_error("id %u is not a map", id);
		err = -ENOENT;
	} else if (record.local_pid) {
		vm_error("map %u ('%.16s') is private to process %d: its type is never shared", id,
			 record.name, record.local_pid);
		err = -EOPNOTSUPP;
	} else {
		ns_map_file(ns, id, path, path_size);
		err = ns_map_open_fd(path, true, file);
	}
	if (locked)
		ns_unlock(ns);
	return err;
}

int ns_map_open(struct bpfvm *vm, const char *path, uint32_t id, uint32_t flags,
		struct bpfvm_map **map_out)
{
	char file_path[PATH_MAX + 64];
	struct ns_map_file file;
	bool rdonly = flags & BPF_F_RDONLY;
	int err;

	if (!vm->ns) {
		vm_error("the runtime has no namespace (bpfvm_opts.use_ns)");
		return -EOPNOTSUPP;
	}
	if (flags & ~(uint32_t)BPF_F_RDONLY) {
		vm_error("open flags 0x%x: only BPF_F_RDONLY is known", flags);
		return -EINVAL;
	}
	if (path) {
		err = ns_pin_path(vm->ns, path, file_path, sizeof(file_path));
		if (!err)
			err = ns_map_open_fd(file_path, true, &file);
	} else {
		err = ns_map_open_by_id(vm, id, rdonly, &file, file_path, sizeof(file_path));
	}
	if (err)
		return err;
	return ns_map_open_file(vm, file_path, path ? 0 : id, rdonly, map_out, &file);
}

/* A map that only holds a reference if it is not being freed. */
static bool ns_map_try_get(void *object)
{
	struct bpfvm_map *map = object;
	uint32_t refs = atomic_load_explicit(&map->refcnt, memory_order_relaxed);

	while (refs)
		if (atomic_compare_exchange_weak(&map->refcnt, &refs, refs + 1))
			return true;
	return false;
}

int ns_map_get_for_prog(struct bpfvm *vm, uint32_t id, struct bpfvm_map **map_out)
{
	struct bpfvm_map *map = id_table_get(&vm->map_ids, id, ns_map_try_get);
	int err;

	if (map) {
		*map_out = map;
		return 0;
	}
	err = ns_map_open(vm, NULL, id, 0, &map);
	if (err)
		return err;
	/* The open gave a user reference; a program's is not one, so its
	 * going must not count as the last user's (a prog array would
	 * empty). */
	if (atomic_fetch_sub(&map->usercnt, 1) == 1)
		ns_map_user_unhold(map);
	*map_out = map;
	return 0;
}

/* ---- User references across processes ------------------------------------ */

/* A process with a user reference to a shared map holds a read lock on its
 * file's first byte (an open file description lock: the kernel drops it
 * when the process dies, and it is independent of the flock that says the
 * process maps the file). */
static int ns_map_user_lock(int fd, short type, int cmd)
{
	struct flock lock = { .l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };

	return fcntl(fd, cmd, &lock);
}

void ns_map_user_hold(struct bpfvm_map *map)
{
	if (map->shared)
		ns_map_user_lock(map->shared_fd, F_RDLCK, F_OFD_SETLK);
}

void ns_map_user_unhold(struct bpfvm_map *map)
{
	if (map->shared)
		ns_map_user_lock(map->shared_fd, F_UNLCK, F_OFD_SETLK);
}

bool ns_map_user_release(struct bpfvm_map *map)
{
	struct stat st;
	bool last;

	ns_map_user_unhold(map);
	/* A process that may only read the file cannot clear it: the next
	 * process that opens it does (ns_map_user_hold_first). */
	if (map->region_rdonly)
		return false;
	/* Nobody else holds it if the write lock can be had; the pins count
	 * as user references (bpffs's pins hold one), the programs' holds
	 * do not (ns_hold.h: the kernel's program holds no uref). */
	if (ns_map_user_lock(map->shared_fd, F_WRLCK, F_OFD_SETLK))
		return false;
	last = fstat(map->shared_fd, &st) == 0 &&
	       st.st_nlink <= 1 + ns_hold_count(map->vm->ns, NS_KIND_MAP, map->region->id);
	ns_map_user_lock(map->shared_fd, F_UNLCK, F_OFD_SETLK);
	return last;
}

/* The first user reference of this process to a map it just opened. A
 * prog array whose last user reference went with a dead process (killed:
 * nothing of it ran then) still holds its slots; the kernel emptied them
 * when that process's descriptor closed. So the opener, before it holds
 * the array, empties it if nobody holds it and no pin is left: what the
 * dead process's release would have done (the release_user of a process
 * with no reference is exactly that check). Every open by id or pin comes
 * here, the listing's sweep too (ns_map_sweep_users). */
static void ns_map_user_hold_first(struct bpfvm_map *map)
{
	if (map->ops->release_user && !map->region_rdonly)
		map->ops->release_user(map);
	ns_map_user_hold(map);
}

void ns_map_sweep_users(struct bpfvm *vm, uint32_t id, uint32_t type)
{
	const struct map_ops *ops = map_ops_for_type(type);
	struct bpfvm_map *map;

	/* Opening runs the check (ns_map_user_hold_first); the handle made for
	 * it goes at once. */
	if (ops && ops->release_user && ns_map_open(vm, NULL, id, 0, &map) == 0)
		map_put_user(map);
}
