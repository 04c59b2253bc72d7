/* The namespace: what plays bpffs's role for bpfvm (docs/namespace.md).
 *
 * A directory shared by the processes that use it:
 *
 *     <root>/                      pins: any path the user chooses under the root
 *     <root>/.bpfvm/registry       the registry (below), mapped by every process
 *     <root>/.bpfvm/maps/<id>      one file per shared map: its region
 *     <root>/.bpfvm/progs/<id>     one file per program: its instructions as
 *                                  loaded, its metadata (ns_prog.h)
 *     <root>/.bpfvm/vcpus          which thread holds each vCPU (ns_vcpu.h)
 *
 * A pin is a hard link to an object's file, so the file has st_nlink - 1 pins.
 * Every process that maps a map's file holds a shared flock(2) on it; the
 * kernel drops it when the process dies, however it dies. Whoever finds the
 * file unpinned and can take the flock exclusively knows that nobody maps it
 * and removes it with its record: that is a map's lifetime ("while pinned or
 * mapped by someone"), without counters that a kill -9 would leave wrong.
 *
 *     registry (one page-aligned file)
 *     +-------------------------------------------------------------+
 *     | magic, version, size, nr_cpus, next_id                      |
 *     | lock: process-shared robust mutex (maps/map_lock.h)         |
 *     | records[NS_RECORDS]: id (0: free), kind, type, sizes, flags, |
 *     |   name, creator pid (process-local objects only)            |
 *     +-------------------------------------------------------------+
 *
 * Ids are allocated from next_id under the lock and never reused while the
 * namespace exists (the kernel's ids are cyclic; bpfvm's run up to
 * NS_ID_MAX). A record is written whole before its id is set, so a writer
 * killed in the middle leaves a free slot, never half a record.
 */
#ifndef BPFVM_NS_NS_H
#define BPFVM_NS_NS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "bpfvm/bpfvm.h"
#include "maps/map_lock.h"

#define NS_RECORDS 4096u
#define NS_ID_MAX (4u << 20) /* core/id_table.h holds ids below this */

/* What a record names (the CLI lists them). */
enum ns_kind {
	NS_KIND_MAP = 1,
	NS_KIND_PROG = 2, /* type: the program type; key_size: expected attach type */
};

struct ns_record {
	uint32_t id; /* 0: the slot is free */
	uint32_t kind;
	uint32_t type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	/* A process-local object (a map type that cannot be shared): the pid
	 * of its process; 0 for an object with a file in the namespace. */
	int32_t local_pid;
	char name[16];
};

struct ns;
struct ns_vcpus;
struct bpfvm_map;

/* This process's side of the shared prog arrays (ns_prog_array.c): the
 * handles whose slots follow their regions', and the registry's
 * prog_array_gen they were last brought up to. */
struct ns_local {
	pthread_mutex_t lock;
	struct bpfvm_map **arrays;
	uint32_t array_cnt;
	uint32_t array_cap;
	_Atomic uint32_t seen_gen;
};

/* Opens (creating if needed) the namespace at `root`, or the default one
 * when root is NULL (BPFVM_ROOT; /run/bpfvm for root; $XDG_RUNTIME_DIR/bpfvm).
 * nr_cpus 0 takes the namespace's; another count than the namespace's is
 * -EINVAL (per-CPU regions are laid out for one count); a new namespace
 * gets nr_cpus, or default_cpus when nr_cpus is 0. A registry the
 * caller may only read gives a namespace where objects can only be opened
 * read-only. Returns 0 or -errno with a message. */
int ns_open(const char *root, uint32_t nr_cpus, uint32_t default_cpus, struct ns **ns_out);
void ns_close(struct ns *ns);

const char *ns_root(const struct ns *ns);
uint32_t ns_nr_cpus(const struct ns *ns);
bool ns_writable(const struct ns *ns);
/* The vCPU ownership table (ns_vcpu.h), or NULL when this user may not
 * write it: that process's runs then hold vCPUs in its runtime only. */
struct ns_vcpus *ns_vcpus(struct ns *ns);

/* Takes an id and writes `record` with it (record->id is set). With the
 * registry lock held (ns_lock), as ns_record_remove_locked. */
int ns_record_add(struct ns *ns, struct ns_record *record);
void ns_record_remove_locked(struct ns *ns, uint32_t id);
/* Frees the record of `id` (no-op if absent), taking the lock. */
void ns_record_remove(struct ns *ns, uint32_t id);
/* Copies the record of `id`: 0 or -ENOENT. */
int ns_record_find(struct ns *ns, uint32_t id, struct ns_record *record);
/* Calls fn for each record of a live object, in id order of the slots,
 * after removing those whose object is gone. fn's non-zero return stops
 * the walk and is returned. */
int ns_record_walk(struct ns *ns, int (*fn)(void *ctx, const struct ns_record *record),
		   void *ctx);

/* The registry's lock, for the steps that must not interleave between
 * processes (a map file's removal and its opening by id): 0 or -errno. */
int ns_lock(struct ns *ns);
void ns_unlock(struct ns *ns);

/* "<root>/.bpfvm/maps/<id>" (NS_KIND_MAP) or "<root>/.bpfvm/progs/<id>"
 * (NS_KIND_PROG) into buf; ns_map_file is the first. */
void ns_object_file(const struct ns *ns, uint32_t kind, uint32_t id, char *buf, size_t size);
void ns_map_file(const struct ns *ns, uint32_t id, char *buf, size_t size);

/* The registry's count of shared prog array slot writes, and this
 * process's state that follows it (ns_prog_array.h). */
_Atomic uint32_t *ns_prog_array_gen(struct ns *ns);
struct ns_local *ns_local(struct ns *ns);

/* Resolves a pin path: absolute and under the root, or relative to the
 * root. -EPERM outside the root (as bpf_obj_pin outside bpffs), -EINVAL
 * for paths into the registry's own directory, -ENAMETOOLONG. */
int ns_pin_path(const struct ns *ns, const char *path, char *buf, size_t size);

/* Removes a map's file and record when it is unpinned and no process maps
 * it. Called with the registry lock held, `fd` open on the file (any mode). */
void ns_map_file_reap(struct ns *ns, uint32_t id, int fd);
void ns_object_file_reap(struct ns *ns, uint32_t kind, uint32_t id, int fd);

#endif
