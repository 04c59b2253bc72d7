/* Programs in a namespace: their files, and this process's instances of
 * them (ns_prog.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/runtime.h"
#include "engine/prog.h"
#include "isa/isa.h"
#include "maps/map.h"
#include "ns/ns.h"
#include "ns/ns_hold.h"
#include "ns/ns_map.h"
#include "ns/ns_prog.h"

#define NS_PROG_MAGIC 0x4750524d56465042ull /* "BPFVMPRG" */
#define NS_PROG_VERSION 2u
#define NS_PROG_NAME_MAX 128u

struct ns_prog_hdr {
	uint64_t magic;
	uint32_t version;
	uint32_t id;
	uint64_t size;
	uint32_t type;
	uint32_t expected_attach_type;
	uint32_t prog_flags;
	uint32_t gpl_compatible;
	uint32_t insn_cnt;
	uint32_t map_cnt;
	uint64_t insn_budget;
	uint32_t raw_ctx_size;
	uint32_t reserved;
	uint8_t tag[BPF_TAG_SIZE]; /* the kernel's tag (engine/prog_tag.h) */
	char name[NS_PROG_NAME_MAX];
	char section[NS_PROG_NAME_MAX];
};

/* map_ids[] then the instructions, 8-aligned. */
static size_t ns_prog_insns_offset(uint32_t map_cnt)
{
	return (sizeof(struct ns_prog_hdr) + (size_t)map_cnt * sizeof(uint32_t) + 7) & ~(size_t)7;
}

static size_t ns_prog_file_size(uint32_t map_cnt, uint32_t insn_cnt)
{
	return ns_prog_insns_offset(map_cnt) + (size_t)insn_cnt * sizeof(struct bpf_insn);
}

/* ---- Publishing (the loading process) ------------------------------------ */

static void ns_prog_hdr_fill(const struct bpfvm_prog *prog, uint32_t id, uint32_t insn_cnt,
			     struct ns_prog_hdr *hdr)
{
	memset(hdr, 0, sizeof(*hdr));
	hdr->version = NS_PROG_VERSION;
	hdr->id = id;
	hdr->size = ns_prog_file_size(prog->map_cnt, insn_cnt);
	hdr->type = (uint32_t)prog->type;
	hdr->expected_attach_type = (uint32_t)prog->expected_attach_type;
	hdr->prog_flags = prog->prog_flags;
	hdr->gpl_compatible = prog->gpl_compatible;
	hdr->insn_cnt = insn_cnt;
	hdr->map_cnt = prog->map_cnt;
	hdr->insn_budget = prog->insn_budget;
	hdr->raw_ctx_size = prog->raw_ctx_size;
	memcpy(hdr->tag, prog->tag, sizeof(hdr->tag));
	snprintf(hdr->name, sizeof(hdr->name), "%s", prog->name);
	snprintf(hdr->section, sizeof(hdr->section), "%s", prog->section);
}

/* The whole file in one buffer, magic last (an opener refuses a file
 * without it: one still being written, or its writer's leftovers). */
static int ns_prog_write(int fd, const struct bpfvm_prog *prog, uint32_t id,
			 const struct bpf_insn *loaded, uint32_t loaded_cnt)
{
	struct ns_prog_hdr hdr;
	uint64_t magic = NS_PROG_MAGIC;
	uint8_t *buf;
	int err = 0;

	ns_prog_hdr_fill(prog, id, loaded_cnt, &hdr);
	buf = calloc(1, hdr.size);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, &hdr, sizeof(hdr));
	for (uint32_t i = 0; i < prog->map_cnt; i++) {
		uint32_t map_id = prog->maps[i]->region->id;

		memcpy(buf + sizeof(hdr) + i * sizeof(uint32_t), &map_id, sizeof(map_id));
	}
	memcpy(buf + ns_prog_insns_offset(prog->map_cnt), loaded,
	       (size_t)loaded_cnt * sizeof(*loaded));
	if (pwrite(fd, buf, hdr.size, 0) != (ssize_t)hdr.size ||
	    pwrite(fd, &magic, sizeof(magic), 0) != (ssize_t)sizeof(magic))
		err = errno ? -errno : -EIO;
	free(buf);
	return err;
}

static int ns_prog_file_create(struct bpfvm_prog *prog, uint32_t id,
			       const struct bpf_insn *loaded, uint32_t loaded_cnt)
{
	char path[PATH_MAX + 64];
	int fd, err;

	ns_object_file(prog->vm->ns, NS_KIND_PROG, id, path, sizeof(path));
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_SH)) {
		err = -errno;
		vm_error("%s: cannot create '%s': %s", prog->name, path, strerror(errno));
		if (fd >= 0) {
			unlink(path);
			close(fd);
		}
		return err;
	}
	err = ns_prog_write(fd, prog, id, loaded, loaded_cnt);
	if (err) {
		vm_error("%s: cannot write '%s': %s", prog->name, path, strerror(-err));
		unlink(path);
		close(fd);
		return err;
	}
	prog->ns_fd = fd;
	return 0;
}

/* "prog.<id>": the name of program id's hold on a map (ns_hold.h). */
static void ns_prog_holder(uint32_t id, char *buf, size_t size)
{
	snprintf(buf, size, "prog.%u", id);
}

/* The program holds the shared maps it uses for as long as its file lives,
 * as the kernel's program holds references on its used maps: a program
 * pinned by a process that then exits keeps its .data, .rodata and other
 * unpinned maps for the next process that opens it. With the registry
 * lock held, after its file is written (the file lists the maps whose holds
 * ns_prog_file_removed drops, so it must exist before any is taken). */
static int ns_prog_hold_maps(struct bpfvm_prog *prog, uint32_t id)
{
	char holder[32];
	int err = 0;

	ns_prog_holder(id, holder, sizeof(holder));
	for (uint32_t i = 0; i < prog->map_cnt && !err; i++) {
		struct bpfvm_map *map = prog->maps[i];

		if (!map->shared)
			continue; /* process-local: no file to hold */
		err = ns_hold_take(prog->vm->ns, NS_KIND_MAP, map->region->id, holder);
		if (err)
			vm_error("%s: cannot hold map '%.16s' (id %u): %s", prog->name,
				 map->region->name, map->region->id, strerror(-err));
	}
	return err;
}

void ns_prog_file_removed(struct ns *ns, uint32_t id, int fd)
{
	struct ns_prog_hdr hdr;
	char holder[32];

	if (pread(fd, &hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr) ||
	    hdr.magic != NS_PROG_MAGIC || hdr.map_cnt > ISA_MAX_INSNS)
		return;
	ns_prog_holder(id, holder, sizeof(holder));
	for (uint32_t i = 0; i < hdr.map_cnt; i++) {
		uint32_t map_id;

		if (pread(fd, &map_id, sizeof(map_id), (off_t)(sizeof(hdr) + i * sizeof(map_id))) !=
		    (ssize_t)sizeof(map_id))
			return;
		if (map_id && map_id < NS_ID_MAX)
			ns_hold_drop_locked(ns, NS_KIND_MAP, map_id, holder);
	}
}

/* A publish that failed after its file was made: the file, its holds and
 * its record go. With the registry lock held. */
static void ns_prog_unpublish_locked(struct bpfvm_prog *prog, uint32_t id)
{
	char path[PATH_MAX + 64];

	ns_object_file(prog->vm->ns, NS_KIND_PROG, id, path, sizeof(path));
	unlink(path);
	ns_prog_file_removed(prog->vm->ns, id, prog->ns_fd);
	close(prog->ns_fd);
	prog->ns_fd = -1;
}

int ns_prog_publish(struct bpfvm_prog *prog, const struct bpf_insn *loaded, uint32_t loaded_cnt)
{
	struct ns *ns = prog->vm->ns;
	struct ns_record record = {
		.kind = NS_KIND_PROG,
		.type = (uint32_t)prog->type,
		.key_size = (uint32_t)prog->expected_attach_type,
	};
	int err;

	snprintf(record.name, sizeof(record.name), "%s", prog->name);
	err = ns_lock(ns);
	if (err)
		return err;
	err = ns_record_add(ns, &record);
	if (!err) {
		err = ns_prog_file_create(prog, record.id, loaded, loaded_cnt);
		if (!err && (err = ns_prog_hold_maps(prog, record.id)))
			ns_prog_unpublish_locked(prog, record.id);
		if (err)
			ns_record_remove_locked(ns, record.id);
		else
			prog->ns_id = record.id;
	}
	ns_unlock(ns);
	return err;
}

void ns_prog_release(struct bpfvm_prog *prog)
{
	struct ns *ns = prog->vm->ns;

	if (!prog->ns_id)
		return;
	if (ns_lock(ns) == 0) {
		ns_object_file_reap(ns, NS_KIND_PROG, prog->ns_id, prog->ns_fd);
		ns_unlock(ns);
	}
	close(prog->ns_fd);
	prog->ns_id = 0;
}

/* ---- Opening (any process) ---------------------------------------------- */

static int ns_prog_refuse(const char *path, const char *why)
{
	vm_error("'%s': not a usable bpfvm program file: %s", path, why);
	return -EINVAL;
}

/* The file at `fd` read whole and checked: the header's sizes against the
 * file's, the id against the one asked for (0: any), the strings ended. */
static int ns_prog_read(int fd, const char *path, uint32_t id, uint8_t **buf_out)
{
	struct ns_prog_hdr hdr;
	struct stat st;
	uint8_t *buf;

	if (fstat(fd, &st) || pread(fd, &hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr))
		return ns_prog_refuse(path, "too short");
	if (hdr.magic != NS_PROG_MAGIC || hdr.version != NS_PROG_VERSION)
		return ns_prog_refuse(path, "bad magic (not a program, or one still being made)");
	if (hdr.insn_cnt == 0 || hdr.insn_cnt > ISA_MAX_INSNS || hdr.map_cnt > ISA_MAX_INSNS ||
	    hdr.size != ns_prog_file_size(hdr.map_cnt, hdr.insn_cnt) ||
	    hdr.size != (uint64_t)st.st_size)
		return ns_prog_refuse(path, "its sizes do not match the file's");
	if (!hdr.id || hdr.id >= NS_ID_MAX || (id && hdr.id != id))
		return ns_prog_refuse(path, "bad id");
	if (!memchr(hdr.name, '\0', sizeof(hdr.name)) ||
	    !memchr(hdr.section, '\0', sizeof(hdr.section)))
		return ns_prog_refuse(path, "bad name");
	buf = malloc(hdr.size);
	if (!buf)
		return -ENOMEM;
	if (pread(fd, buf, hdr.size, 0) != (ssize_t)hdr.size) {
		free(buf);
		return ns_prog_refuse(path, "short read");
	}
	*buf_out = buf;
	return 0;
}

bool ns_prog_is_file(const struct ns *ns, int fd, uint32_t *id)
{
	struct ns_prog_hdr hdr;
	char file[PATH_MAX + 64];
	struct stat st, file_st;

	if (pread(fd, &hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr) ||
	    hdr.magic != NS_PROG_MAGIC || fstat(fd, &st))
		return false;
	ns_object_file(ns, NS_KIND_PROG, hdr.id, file, sizeof(file));
	*id = hdr.id;
	return stat(file, &file_st) == 0 && file_st.st_ino == st.st_ino &&
	       file_st.st_dev == st.st_dev;
}

int ns_prog_file_tag(const struct ns *ns, uint32_t id, uint8_t tag[BPF_TAG_SIZE])
{
	char file[PATH_MAX + 64];
	struct ns_prog_hdr hdr;
	int fd, err = 0;

	ns_object_file(ns, NS_KIND_PROG, id, file, sizeof(file));
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (pread(fd, &hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr) ||
	    hdr.magic != NS_PROG_MAGIC || hdr.version != NS_PROG_VERSION)
		err = -EINVAL;
	else
		memcpy(tag, hdr.tag, BPF_TAG_SIZE);
	close(fd);
	return err;
}

/* The file opened with this process's shared flock; under the registry
 * lock when by id, so that it cannot be reaped in between (ns.h). */
static int ns_prog_open_fd(struct ns *ns, const char *path, uint32_t id, int *fd_out)
{
	char file[PATH_MAX + 64];
	struct ns_record record;
	struct stat st;
	int fd, err = 0;

	if (!path) {
		err = ns_lock(ns);
		if (err)
			return err;
		if (ns_record_find(ns, id, &record) || record.kind != NS_KIND_PROG) {
			ns_unlock(ns);
			vm_error("no program with id %u", id);
			return -ENOENT;
		}
		ns_object_file(ns, NS_KIND_PROG, id, file, sizeof(file));
		path = file;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || flock(fd, LOCK_SH) || fstat(fd, &st)) {
		err = -errno;
		vm_error("cannot open '%s': %s", path, strerror(errno));
	} else if (st.st_nlink == 0) {
		vm_error("'%s': the program is gone", path);
		err = -ENOENT;
	} else if (!ns_prog_is_file(ns, fd, &id)) {
		vm_error("'%s': not a bpfvm program of this namespace", path);
		err = -EINVAL;
	}
	if (file == path)
		ns_unlock(ns);
	if (err && fd >= 0)
		close(fd);
	*fd_out = fd;
	return err;
}

static bool ns_prog_try_get(void *prog)
{
	return prog_try_get(prog);
}

/* A new instance from the file's contents; takes `fd` on success. */
static int ns_prog_instantiate(struct bpfvm *vm, const uint8_t *buf, int fd,
			       struct bpfvm_prog **prog_out)
{
	const struct ns_prog_hdr *hdr = (const void *)buf;
	const struct bpf_insn *insns = (const void *)(buf + ns_prog_insns_offset(hdr->map_cnt));
	struct bpfvm_prog *prog = prog_alloc(vm, hdr->name, hdr->section, insns, hdr->insn_cnt);
	int err = 0;

	if (!prog || !(prog->maps = calloc(hdr->map_cnt + 1, sizeof(*prog->maps)))) {
		prog_destroy(prog);
		vm_error("%s: out of memory", hdr->name);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < hdr->map_cnt && !err; i++) {
		uint32_t map_id;

		memcpy(&map_id, buf + sizeof(*hdr) + i * sizeof(uint32_t), sizeof(map_id));
		err = ns_map_get_for_prog(vm, map_id, &prog->maps[i]);
		if (!err)
			prog->map_cnt++;
	}
	prog->type = (enum bpf_prog_type)hdr->type;
	prog->expected_attach_type = (enum bpf_attach_type)hdr->expected_attach_type;
	prog->prog_flags = hdr->prog_flags;
	prog->gpl_compatible = hdr->gpl_compatible != 0;
	prog->insn_budget = hdr->insn_budget;
	prog->raw_ctx_size = hdr->raw_ctx_size;
	prog->ns_id = hdr->id;
	prog->ns_fd = fd;
	if (!err)
		err = prog_prepare(prog);
	if (err) {
		prog->ns_id = 0; /* the file is the caller's to close */
		prog_destroy(prog);
		return err;
	}
	*prog_out = prog;
	return 0;
}

/* Instances are made one at a time, so that two threads meeting the same
 * id make one. */
static pthread_mutex_t ns_prog_instance_lock = PTHREAD_MUTEX_INITIALIZER;

int ns_prog_open(struct bpfvm *vm, const char *path, uint32_t id, struct bpfvm_prog **prog_out)
{
	struct bpfvm_prog *prog = NULL;
	uint8_t *buf = NULL;
	int fd, err;

	if (!vm->ns) {
		vm_error("the runtime has no namespace (bpfvm_opts.use_ns)");
		return -EOPNOTSUPP;
	}
	err = ns_prog_open_fd(vm->ns, path, id, &fd);
	if (err)
		return err;
	err = ns_prog_is_file(vm->ns, fd, &id) ? 0 : -EINVAL;
	pthread_mutex_lock(&ns_prog_instance_lock);
	prog = id_table_get(&vm->prog_ids, id, ns_prog_try_get);
	if (!prog) {
		err = ns_prog_read(fd, path ? path : "(by id)", id, &buf);
		if (!err)
			err = ns_prog_instantiate(vm, buf, fd, &prog);
		free(buf);
	} else {
		close(fd); /* the instance holds its own */
	}
	pthread_mutex_unlock(&ns_prog_instance_lock);
	if (err) {
		close(fd);
		return err;
	}
	*prog_out = prog;
	return 0;
}

/* ---- Prog array slots hold their programs --------------------------------- */

void ns_prog_slot_ref(struct ns *ns, uint32_t prog_id, uint32_t array_id, uint32_t index,
		      bool take)
{
	char holder[48];

	snprintf(holder, sizeof(holder), "slot.%u.%u", array_id, index);
	if (take) {
		ns_hold_take(ns, NS_KIND_PROG, prog_id, holder);
		return;
	}
	ns_hold_drop(ns, NS_KIND_PROG, prog_id, holder);
}
