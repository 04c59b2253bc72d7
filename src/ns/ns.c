#define _GNU_SOURCE /* nftw's FTW_PHYS and FTW_DEPTH */
/* The namespace's directory and registry (see ns.h for the layout). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "ns/ns.h"
#include "ns/ns_hold.h"
#include "ns/ns_prog.h"
#include "ns/ns_vcpu.h"

#define NS_MAGIC 0x73726e6d76667062ull /* "bpfvmnrs" */
/* 2: the queue/stack/LPM lock, the ring and perf buffers and maps of maps
 * in their files, program tags: a namespace of version 1 is refused, not
 * misread. 3: a map of maps holds its inner maps as every hold does
 * (ns_hold.h: maps/<inner>.in.<outer>, no longer maps/<outer>.in/<inner>),
 * which version 2's runtime would not drop with the outer. */
#define NS_VERSION 3u
/* The kernel's largest NR_CPUS (x86-64): a registry claiming more vCPUs is
 * corrupt, and a runtime that took its count would size per-vCPU tables by
 * it (found by fuzz_input_ns: a 17 GB allocation). */
#define NS_CPUS_MAX 8192u

struct ns_registry {
	uint64_t magic;
	uint32_t version;
	uint32_t nr_cpus;
	uint64_t size;
	uint32_t next_id;
	/* Bumped by every write of a shared prog array's slot, so that each
	 * process sees with one load whether its slots are behind
	 * (ns_prog_array.c). */
	_Atomic uint32_t prog_array_gen;
	struct map_lock lock;
	struct ns_record records[NS_RECORDS];
};

struct ns {
	char root[PATH_MAX];
	struct ns_registry *registry;
	size_t registry_size;
	bool writable;
	struct ns_local local;
	struct ns_vcpus *vcpus; /* NULL: this user may not claim vCPUs there */
};

static size_t ns_registry_size(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (sizeof(struct ns_registry) + page - 1) / page * page;
}

/* BPFVM_ROOT; else /run/bpfvm for root; else $XDG_RUNTIME_DIR/bpfvm. */
static int ns_default_root(char *buf, size_t size)
{
	const char *env = getenv("BPFVM_ROOT");
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int len;

	if (env && *env)
		len = snprintf(buf, size, "%s", env);
	else if (geteuid() == 0)
		len = snprintf(buf, size, "/run/bpfvm");
	else if (xdg && *xdg)
		len = snprintf(buf, size, "%s/bpfvm", xdg);
	else {
		vm_error("namespace: no root: set BPFVM_ROOT (not root, and no XDG_RUNTIME_DIR)");
		return -ENOENT;
	}
	return len < 0 || (size_t)len >= size ? -ENAMETOOLONG : 0;
}

static int ns_mkdir(const char *path)
{
	if (mkdir(path, 0755) == 0 || errno == EEXIST)
		return 0;
	vm_error("namespace: cannot create '%s': %s", path, strerror(errno));
	return -errno;
}

static int ns_make_dirs(const char *root)
{
	char path[PATH_MAX + 32];
	int err = ns_mkdir(root);

	snprintf(path, sizeof(path), "%s/.bpfvm", root);
	if (!err)
		err = ns_mkdir(path);
	snprintf(path, sizeof(path), "%s/.bpfvm/maps", root);
	if (!err)
		err = ns_mkdir(path);
	snprintf(path, sizeof(path), "%s/.bpfvm/progs", root);
	if (!err)
		err = ns_mkdir(path);
	return err;
}

/* nftw callbacks of ns_old_unused(): the walk stops (returns 1) at the
 * first thing that is in use. */
static int ns_walk_pin(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)ftw;
	if (strstr(path, "/.bpfvm/") || (flag == FTW_D && strstr(path, "/.bpfvm")))
		return 0; /* the namespace's own files: below */
	return flag != FTW_D && flag != FTW_DP; /* a pin */
}

static int ns_walk_held(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	int fd, busy;

	(void)st, (void)ftw;
	if (flag != FTW_F)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	busy = flock(fd, LOCK_EX | LOCK_NB) != 0; /* a process maps it */
	close(fd);
	return busy;
}

static int ns_walk_remove(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag;
	if (ftw->level > 0)
		remove(path);
	return 0;
}

/* Whether a namespace another bpfvm version made holds nothing anyone can
 * reach: no pin under the root, no object file a process maps. Its object
 * files are then garbage a dead run left (reaped by a listing of its own
 * version) and are removed, so that the registry can be formatted anew. */
static bool ns_old_unused(const char *root)
{
	char path[PATH_MAX + 32];

	if (nftw(root, ns_walk_pin, 16, FTW_PHYS) != 0)
		return false;
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/.bpfvm/%s", root, i ? "progs" : "maps");
		if (nftw(path, ns_walk_held, 16, FTW_PHYS) != 0)
			return false;
	}
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/.bpfvm/%s", root, i ? "progs" : "maps");
		nftw(path, ns_walk_remove, 16, FTW_PHYS | FTW_DEPTH);
	}
	return true;
}

/* A registry of another version (an upgrade of bpfvm met a namespace left
 * from before): emptied for formatting when the namespace is unused, else
 * left to ns_registry_check's refusal. Called under the exclusive flock. */
static void ns_registry_upgrade(int fd, const char *root, struct stat *st)
{
	size_t header = offsetof(struct ns_registry, prog_array_gen);
	struct ns_registry *registry;
	bool old;

	if (st->st_size < (off_t)header)
		return;
	registry = mmap(NULL, header, PROT_READ, MAP_SHARED, fd, 0);
	if (registry == MAP_FAILED)
		return;
	old = registry->magic == NS_MAGIC && registry->version != NS_VERSION;
	munmap(registry, header);
	if (old && ns_old_unused(root) && ftruncate(fd, 0) == 0)
		st->st_size = 0;
}

/* Formats a new registry: under an exclusive flock, so that two processes
 * creating the namespace at once format it once. */
static int ns_registry_format(int fd, const char *root, size_t size, uint32_t nr_cpus)
{
	struct ns_registry *registry;
	struct stat st;
	int err = 0;

	if (flock(fd, LOCK_EX) || fstat(fd, &st))
		return -errno;
	ns_registry_upgrade(fd, root, &st);
	if (st.st_size == 0) {
		registry = MAP_FAILED;
		if (ftruncate(fd, (off_t)size) == 0)
			registry = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (registry == MAP_FAILED) {
			err = -errno;
		} else {
			registry->version = NS_VERSION;
			registry->size = size;
			registry->nr_cpus = nr_cpus;
			registry->next_id = 1;
			err = map_lock_init(&registry->lock);
			__atomic_store_n(&registry->magic, NS_MAGIC, __ATOMIC_RELEASE);
			munmap(registry, size);
		}
	}
	flock(fd, LOCK_UN);
	return err;
}

static int ns_registry_check(const struct ns *ns, const char *path)
{
	const struct ns_registry *registry = ns->registry;

	if (__atomic_load_n(&registry->magic, __ATOMIC_ACQUIRE) != NS_MAGIC ||
	    registry->version != NS_VERSION || registry->size != ns->registry_size ||
	    !registry->nr_cpus || registry->nr_cpus > NS_CPUS_MAX || registry->next_id == 0 ||
	    registry->next_id > NS_ID_MAX) {
		vm_error("namespace: '%s' is not a bpfvm registry of version %u (bad magic, "
			 "version, size, CPU count or next id): refused (one of another version "
			 "is formatted anew once no pin and no process uses it)", path, NS_VERSION);
		return -EINVAL;
	}
	return 0;
}

static int ns_registry_open(struct ns *ns, uint32_t nr_cpus)
{
	char path[PATH_MAX + 32];
	struct stat st;
	int fd, err;

	snprintf(path, sizeof(path), "%s/.bpfvm/registry", ns->root);
	ns->writable = true;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EACCES) {
		ns->writable = false;
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		vm_error("namespace: cannot open '%s': %s", path, strerror(errno));
		return -errno;
	}
	ns->registry_size = ns_registry_size();
	err = ns->writable ? ns_registry_format(fd, ns->root, ns->registry_size, nr_cpus) : 0;
	if (!err && fstat(fd, &st))
		err = -errno;
	if (!err && (size_t)st.st_size != ns->registry_size) {
		vm_error("namespace: '%s' has %lld bytes, a registry has %zu: refused", path,
			 (long long)st.st_size, ns->registry_size);
		err = -EINVAL;
	}
	if (!err) {
		ns->registry = mmap(NULL, ns->registry_size,
				    PROT_READ | (ns->writable ? PROT_WRITE : 0), MAP_SHARED, fd, 0);
		if (ns->registry == MAP_FAILED) {
			ns->registry = NULL;
			err = -errno;
		}
	}
	close(fd);
	if (!err)
		err = ns_registry_check(ns, path);
	return err;
}

int ns_open(const char *root, uint32_t nr_cpus, uint32_t default_cpus, struct ns **ns_out)
{
	struct ns *ns = calloc(1, sizeof(*ns));
	int err;

	if (!ns) {
		vm_error("namespace: out of memory");
		return -ENOMEM;
	}
	pthread_mutexattr_t attr;

	/* Recursive: bringing prog arrays up to date may open another one,
	 * which joins the list (ns_prog_array.c). */
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&ns->local.lock, &attr);
	pthread_mutexattr_destroy(&attr);
	if (root) {
		err = strlen(root) < sizeof(ns->root) - 64 ? 0 : -ENAMETOOLONG;
		if (!err)
			snprintf(ns->root, sizeof(ns->root), "%s", root);
	} else {
		err = ns_default_root(ns->root, sizeof(ns->root) - 64);
	}
	if (err == -ENAMETOOLONG)
		vm_error("namespace: root path too long");
	if (!err)
		err = ns_make_dirs(ns->root);
	if (!err)
		err = ns_registry_open(ns, nr_cpus ? nr_cpus : default_cpus);
	if (!err && nr_cpus && nr_cpus != ns->registry->nr_cpus) {
		vm_error("namespace '%s' has %u CPUs, the runtime asks for %u", ns->root,
			 ns->registry->nr_cpus, nr_cpus);
		err = -EINVAL;
	}
	if (!err)
		err = ns_vcpus_map(ns->root, ns->registry->nr_cpus, &ns->vcpus);
	if (err == -EACCES)
		err = 0; /* its runs claim vCPUs in its own runtime only */
	if (err) {
		ns_close(ns);
		return err;
	}
	*ns_out = ns;
	return 0;
}

void ns_close(struct ns *ns)
{
	if (!ns)
		return;
	if (ns->registry)
		munmap(ns->registry, ns->registry_size);
	ns_vcpus_unmap(ns->vcpus);
	free(ns->local.arrays);
	pthread_mutex_destroy(&ns->local.lock);
	free(ns);
}

const char *ns_root(const struct ns *ns)
{
	return ns->root;
}

uint32_t ns_nr_cpus(const struct ns *ns)
{
	return ns->registry->nr_cpus;
}

struct ns_vcpus *ns_vcpus(struct ns *ns)
{
	return ns->vcpus;
}

bool ns_writable(const struct ns *ns)
{
	return ns->writable;
}

int ns_lock(struct ns *ns)
{
	int rc;

	if (!ns->writable) {
		vm_error("namespace '%s': the registry is read-only to this user", ns->root);
		return -EACCES;
	}
	/* A holder that died left at worst a record without its id (ns.h):
	 * nothing to repair. */
	rc = map_lock_acquire(&ns->registry->lock);
	return rc < 0 ? rc : 0;
}

void ns_unlock(struct ns *ns)
{
	map_lock_release(&ns->registry->lock);
}

int ns_record_add(struct ns *ns, struct ns_record *record)
{
	struct ns_registry *registry = ns->registry;
	int err = -ENOSPC;

	for (uint32_t i = 0; i < NS_RECORDS && registry->next_id < NS_ID_MAX; i++) {
		struct ns_record *slot = &registry->records[i];

		if (slot->id)
			continue;
		record->id = registry->next_id++;
		*slot = *record;
		slot->id = 0;
		__atomic_store_n(&slot->id, record->id, __ATOMIC_RELEASE);
		err = 0;
		break;
	}
	if (err)
		vm_error("namespace '%s': no free id (%u records at most)", ns->root, NS_RECORDS);
	return err;
}

static struct ns_record *ns_record_slot(struct ns *ns, uint32_t id)
{
	for (uint32_t i = 0; id && i < NS_RECORDS; i++)
		if (__atomic_load_n(&ns->registry->records[i].id, __ATOMIC_ACQUIRE) == id)
			return &ns->registry->records[i];
	return NULL;
}

void ns_record_remove_locked(struct ns *ns, uint32_t id)
{
	struct ns_record *slot = ns_record_slot(ns, id);

	if (slot)
		__atomic_store_n(&slot->id, 0, __ATOMIC_RELEASE);
}

void ns_record_remove(struct ns *ns, uint32_t id)
{
	if (ns_lock(ns))
		return;
	ns_record_remove_locked(ns, id);
	ns_unlock(ns);
}

int ns_record_find(struct ns *ns, uint32_t id, struct ns_record *record)
{
	struct ns_record *slot = ns_record_slot(ns, id);

	if (!slot)
		return -ENOENT;
	*record = *slot;
	return record->id == id ? 0 : -ENOENT;
}

void ns_object_file(const struct ns *ns, uint32_t kind, uint32_t id, char *buf, size_t size)
{
	snprintf(buf, size, "%s/.bpfvm/%s/%u", ns->root, kind == NS_KIND_PROG ? "progs" : "maps",
		 id);
}

void ns_map_file(const struct ns *ns, uint32_t id, char *buf, size_t size)
{
	ns_object_file(ns, NS_KIND_MAP, id, buf, size);
}

void ns_map_file_reap(struct ns *ns, uint32_t id, int fd)
{
	ns_object_file_reap(ns, NS_KIND_MAP, id, fd);
}

void ns_object_file_reap(struct ns *ns, uint32_t kind, uint32_t id, int fd)
{
	char path[PATH_MAX + 64];
	struct stat st;

	if (flock(fd, LOCK_EX | LOCK_NB))
		return; /* someone maps it */
	if (fstat(fd, &st) == 0 && st.st_nlink <= 1) {
		ns_object_file(ns, kind, id, path, sizeof(path));
		unlink(path);
		ns_record_remove_locked(ns, id);
		if (kind == NS_KIND_PROG) {
			ns_prog_file_removed(ns, id, fd); /* its holds on its maps */
		} else {
			ns_hold_drop_map_holds_locked(ns, id); /* its slots' */
		}
	}
	flock(fd, LOCK_UN);
}

/* Whether the object of `record` still exists; removes it if not. With
 * the lock held. */
static bool ns_record_alive(struct ns *ns, const struct ns_record *record)
{
	char path[PATH_MAX + 64];
	int fd;

	if (record->local_pid) {
		if (kill(record->local_pid, 0) == 0 || errno == EPERM)
			return true;
		ns_record_remove_locked(ns, record->id);
		return false;
	}
	ns_object_file(ns, record->kind, record->id, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		/* Between its record and its file: a creator holds the lock
		 * over both, so a missing file is a dead creator's. */
		ns_record_remove_locked(ns, record->id);
		return false;
	}
	ns_object_file_reap(ns, record->kind, record->id, fd);
	close(fd);
	return ns_record_slot(ns, record->id) != NULL;
}

int ns_record_walk(struct ns *ns, int (*fn)(void *ctx, const struct ns_record *record),
		   void *ctx)
{
	struct ns_record *records = malloc(sizeof(struct ns_record) * NS_RECORDS);
	uint32_t count = 0;
	int err = 0;

	if (!records) {
		vm_error("namespace: out of memory");
		return -ENOMEM;
	}
	/* A read-only registry is walked without sweeping (no lock). */
	bool locked = ns->writable && ns_lock(ns) == 0;

	for (uint32_t i = 0; i < NS_RECORDS; i++) {
		struct ns_record record = ns->registry->records[i];

		if (!record.id || record.id != ns->registry->records[i].id)
			continue;
		if (!locked || ns_record_alive(ns, &record))
			records[count++] = record;
	}
	if (locked)
		ns_unlock(ns);
	for (uint32_t i = 0; i < count && !err; i++)
		err = fn(ctx, &records[i]);
	free(records);
	return err;
}

_Atomic uint32_t *ns_prog_array_gen(struct ns *ns)
{
	return &ns->registry->prog_array_gen;
}

struct ns_local *ns_local(struct ns *ns)
{
	return &ns->local;
}

int ns_pin_path(const struct ns *ns, const char *path, char *buf, size_t size)
{
	size_t root_len = strlen(ns->root);
	const char *rest;
	int len;

	if (!path || !*path) {
		vm_error("pin path is empty");
		return -EINVAL;
	}
	if (path[0] == '/') {
		if (strncmp(path, ns->root, root_len) != 0 || path[root_len] != '/') {
			vm_error("'%s' is not under the namespace's root '%s'", path, ns->root);
			return -EPERM;
		}
		len = snprintf(buf, size, "%s", path);
		rest = path + root_len + 1;
	} else {
		len = snprintf(buf, size, "%s/%s", ns->root, path);
		rest = path;
	}
	if (len < 0 || (size_t)len >= size) {
		vm_error("pin path too long: '%s'", path);
		return -ENAMETOOLONG;
	}
	while (*rest == '/')
		rest++;
	if (strncmp(rest, ".bpfvm", 6) == 0 && (rest[6] == '/' || rest[6] == '\0')) {
		vm_error("'%s' is inside the namespace's own directory", path);
		return -EINVAL;
	}
	return 0;
}
