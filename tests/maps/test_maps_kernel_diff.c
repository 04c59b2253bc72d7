/* The same sequences of map operations on the running kernel (bpf() through
 * libbpf) and on bpfvm, comparing every return value and every value read
 * back. Exits 77 (skipped) when bpf() is not usable.
 *
 * Each scenario talks to a `backend`; it writes one line per operation into a
 * log ("update k=3 -> -7"); the two logs must be equal line for line. Handles
 * are map file descriptors for the kernel and indexes into a table of maps
 * for bpfvm; what user space stores in a prog array or a map of maps is a
 * file descriptor for the kernel and an id for bpfvm (ref()), and ids read
 * back are logged as "the id of handle H", so that logs compare. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "engine/prog.h"
#include "maps/map.h"
#include "maps_testutil.h"

#define MAX_HANDLES 64
#define LOG_MAX 8192

struct backend {
	const char *name;
	char **log;
	size_t log_cnt;
	struct bpfvm *vm;
	struct bpfvm_map *maps[MAX_HANDLES];
	struct bpfvm_prog *progs[MAX_HANDLES];
	int handles[MAX_HANDLES]; /* kernel fds */
	int handle_cnt;
	bool kernel;
};

static uint32_t nr_cpus;

static void logf_(struct backend *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(struct backend *b, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (b->log_cnt < LOG_MAX)
		b->log[b->log_cnt++] = strdup(line);
	if (getenv("MAPS_DIFF_LOG") && b->kernel)
		fprintf(stderr, "%s\n", line);
}

/* ---- The two backends ------------------------------------------------ */

static int b_create(struct backend *b, enum bpf_map_type type, uint32_t key_size,
		    uint32_t value_size, uint32_t max_entries, uint32_t flags, int inner)
{
	int h = b->handle_cnt;

	if (h >= MAX_HANDLES)
		return -EMFILE;
	if (b->kernel) {
		LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = flags,
			    .inner_map_fd = inner >= 0 ? (uint32_t)b->handles[inner] : 0);
		int fd = bpf_map_create(type, "m", key_size, value_size, max_entries, &opts);

		if (fd < 0)
			return -errno;
		b->handles[h] = fd;
	} else {
		struct bpfvm_map_create_opts opts = {
			.sz = sizeof(opts), .map_flags = flags,
			.inner_map = inner >= 0 ? b->maps[inner] : NULL,
		};
		int err = bpfvm_map_create(b->vm, type, "m", key_size, value_size, max_entries, &opts,
					   &b->maps[h]);

		if (err)
			return err;
	}
	b->handle_cnt++;
	return h;
}

/* Logs the outcome of a create (the handle number on success). */
static int b_create_log(struct backend *b, const char *what, enum bpf_map_type type,
			uint32_t key_size, uint32_t value_size, uint32_t max_entries,
			uint32_t flags, int inner)
{
	int h = b_create(b, type, key_size, value_size, max_entries, flags, inner);

	logf_(b, "create %s type %u k%u v%u n%u f0x%x -> %s%d", what, type, key_size, value_size,
	      max_entries, flags, h >= 0 ? "ok " : "", h);
	return h;
}

static int b_update(struct backend *b, int h, const void *key, const void *value, uint64_t flags)
{
	if (b->kernel)
		return testlib_kernel_rc(bpf_map_update_elem(b->handles[h], key, value, flags));
	return bpfvm_map_update(b->maps[h], key, value, flags);
}

static int b_lookup(struct backend *b, int h, const void *key, void *value, uint64_t flags)
{
	if (b->kernel)
		return testlib_kernel_rc(
			bpf_map_lookup_elem_flags(b->handles[h], key, value, flags));
	return bpfvm_map_lookup_flags(b->maps[h], key, value, flags);
}

static int b_delete(struct backend *b, int h, const void *key)
{
	if (b->kernel)
		return testlib_kernel_rc(bpf_map_delete_elem(b->handles[h], key));
	return bpfvm_map_delete(b->maps[h], key);
}

static int b_next(struct backend *b, int h, const void *key, void *next)
{
	if (b->kernel)
		return testlib_kernel_rc(bpf_map_get_next_key(b->handles[h], key, next));
	return bpfvm_map_get_next_key(b->maps[h], key, next);
}

static int b_lookup_and_delete(struct backend *b, int h, const void *key, void *value,
			       uint64_t flags)
{
	if (b->kernel)
		return testlib_kernel_rc(
			bpf_map_lookup_and_delete_elem_flags(b->handles[h], key, value, flags));
	return bpfvm_map_lookup_and_delete_flags(b->maps[h], key, value, flags);
}

static int b_freeze(struct backend *b, int h)
{
	if (b->kernel)
		return testlib_kernel_rc(bpf_map_freeze(b->handles[h]));
	return bpfvm_map_freeze(b->maps[h]);
}

enum batch_kind { BATCH_LOOKUP, BATCH_LOOKUP_AND_DELETE, BATCH_UPDATE, BATCH_DELETE };

static int b_batch(struct backend *b, int h, enum batch_kind kind, void *in, void *out,
		   void *keys, void *values, uint32_t *count, uint64_t elem_flags)
{
	if (b->kernel) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = elem_flags);
		int fd = b->handles[h];

		switch (kind) {
		case BATCH_LOOKUP:
			return testlib_kernel_rc(
				bpf_map_lookup_batch(fd, in, out, keys, values, count, &opts));
		case BATCH_LOOKUP_AND_DELETE:
			return testlib_kernel_rc(bpf_map_lookup_and_delete_batch(
				fd, in, out, keys, values, count, &opts));
		case BATCH_UPDATE:
			return testlib_kernel_rc(
				bpf_map_update_batch(fd, keys, values, count, &opts));
		default:
			return testlib_kernel_rc(bpf_map_delete_batch(fd, keys, count, &opts));
		}
	}
	struct bpfvm_map_batch_opts opts = { .sz = sizeof(opts), .elem_flags = elem_flags };
	struct bpfvm_map *map = b->maps[h];

	switch (kind) {
	case BATCH_LOOKUP:
		return bpfvm_map_lookup_batch(map, in, out, keys, values, count, &opts);
	case BATCH_LOOKUP_AND_DELETE:
		return bpfvm_map_lookup_and_delete_batch(map, in, out, keys, values, count, &opts);
	case BATCH_UPDATE:
		return bpfvm_map_update_batch(map, keys, values, count, &opts);
	default:
		return bpfvm_map_delete_batch(map, keys, count, &opts);
	}
}

/* What user space stores to refer to map or program handle h. */
static uint32_t b_ref_map(struct backend *b, int h)
{
	return b->kernel ? (uint32_t)b->handles[h] : b->maps[h]->region->id;
}

static uint32_t b_map_id(struct backend *b, int h)
{
	if (b->kernel) {
		struct bpf_map_info info = { 0 };
		uint32_t len = sizeof(info);

		bpf_obj_get_info_by_fd(b->handles[h], &info, &len);
		return info.id;
	}
	return b->maps[h]->region->id;
}

/* A program of `type` ("r0 = 0; exit"); returns its handle. */
static int b_prog(struct backend *b, enum bpf_prog_type type)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int h = b->handle_cnt++;

	if (b->kernel) {
		b->handles[h] = bpf_prog_load(type, "p", "GPL", insns, 2, NULL);
		return b->handles[h] < 0 ? -errno : h;
	}
	if (bpfvm_prog_load_raw(b->vm, insns, 2, NULL, &b->progs[h]))
		return -EINVAL;
	b->progs[h]->type = type; /* as if its section had said so */
	return h;
}

static uint32_t b_ref_prog(struct backend *b, int h)
{
	return b->kernel ? (uint32_t)b->handles[h] : bpfvm_prog_id(b->progs[h]);
}

static uint32_t b_prog_id(struct backend *b, int h)
{
	if (b->kernel) {
		struct bpf_prog_info info = { 0 };
		uint32_t len = sizeof(info);

		bpf_obj_get_info_by_fd(b->handles[h], &info, &len);
		return info.id;
	}
	return bpfvm_prog_id(b->progs[h]);
}

static void b_release(struct backend *b)
{
	for (int h = 0; h < b->handle_cnt; h++) {
		if (b->kernel) {
			if (b->handles[h] >= 0)
				close(b->handles[h]);
		} else {
			bpfvm_map_close(b->maps[h]);
			bpfvm_prog_free(b->progs[h]);
		}
		b->maps[h] = NULL;
		b->progs[h] = NULL;
		b->handles[h] = -1;
	}
	b->handle_cnt = 0;
}

/* ---- Scenarios ------------------------------------------------------- */

static void hex(char *out, size_t size, const void *data, size_t len)
{
	const uint8_t *bytes = data;
	size_t at = 0;

	out[0] = '\0';
	for (size_t i = 0; i < len && at + 3 < size; i++)
		at += (size_t)snprintf(out + at, size - at, "%02x", bytes[i]);
}

static void scenario_create_checks(struct backend *b)
{
	static const struct { enum bpf_map_type type; uint32_t k, v, n, f; } cases[] = {
		{ BPF_MAP_TYPE_ARRAY, 8, 4, 4, 0 },
		{ BPF_MAP_TYPE_ARRAY, 4, 0, 4, 0 },
		{ BPF_MAP_TYPE_ARRAY, 4, 4, 0, 0 },
		{ BPF_MAP_TYPE_ARRAY, 4, 4, 4, BPF_F_NO_PREALLOC },
		{ BPF_MAP_TYPE_ARRAY, 4, 4, 4, BPF_F_PRESERVE_ELEMS },
		{ BPF_MAP_TYPE_ARRAY, 4, 4, 4, BPF_F_RDONLY | BPF_F_WRONLY },
		{ BPF_MAP_TYPE_ARRAY, 4, 4, 4, BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG },
		{ BPF_MAP_TYPE_ARRAY, 4, 4, 4, BPF_F_MMAPABLE | BPF_F_INNER_MAP | BPF_F_RDONLY_PROG },
		{ BPF_MAP_TYPE_ARRAY, 4, 4, 4, BPF_F_ZERO_SEED },
		{ BPF_MAP_TYPE_ARRAY, 4, 0x80000000u, 2, 0 },
		{ BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 4, BPF_F_MMAPABLE },
		{ BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 4, BPF_F_INNER_MAP },
		{ BPF_MAP_TYPE_PERCPU_ARRAY, 4, 40000, 4, 0 },
		{ BPF_MAP_TYPE_PERCPU_ARRAY, 4, 32768, 4, 0 },
		{ BPF_MAP_TYPE_PROG_ARRAY, 4, 8, 4, 0 },
		{ BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, BPF_F_RDONLY_PROG },
		{ BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, BPF_F_WRONLY_PROG },
		{ BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, BPF_F_RDONLY },
		{ BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, BPF_F_MMAPABLE },
		{ BPF_MAP_TYPE_PROG_ARRAY, 3, 4, 4, 0 },
		{ BPF_MAP_TYPE_QUEUE, 4, 4, 2, 0 },
		{ BPF_MAP_TYPE_QUEUE, 0, 0, 2, 0 },
		{ BPF_MAP_TYPE_QUEUE, 0, 4, 0, 0 },
		{ BPF_MAP_TYPE_QUEUE, 0, 4, 2, BPF_F_NO_PREALLOC },
		{ BPF_MAP_TYPE_QUEUE, 0, 4, 2, BPF_F_RDONLY_PROG },
		{ BPF_MAP_TYPE_QUEUE, 0, 5u << 20, 2, 0 },
		{ BPF_MAP_TYPE_STACK, 0, 4, 2, BPF_F_MMAPABLE },
		{ BPF_MAP_TYPE_STACK, 0, 4, 2, BPF_F_WRONLY },
		{ BPF_MAP_TYPE_LPM_TRIE, 8, 4, 2, 0 },
		{ BPF_MAP_TYPE_LPM_TRIE, 4, 4, 2, BPF_F_NO_PREALLOC },
		{ BPF_MAP_TYPE_LPM_TRIE, 5, 4, 2, BPF_F_NO_PREALLOC },
		{ BPF_MAP_TYPE_LPM_TRIE, 260, 4, 2, BPF_F_NO_PREALLOC },
		{ BPF_MAP_TYPE_LPM_TRIE, 261, 4, 2, BPF_F_NO_PREALLOC },
		{ BPF_MAP_TYPE_LPM_TRIE, 8, 0, 2, BPF_F_NO_PREALLOC },
		{ BPF_MAP_TYPE_LPM_TRIE, 8, 4, 0, BPF_F_NO_PREALLOC },
		{ BPF_MAP_TYPE_LPM_TRIE, 8, 4, 2, BPF_F_NO_PREALLOC | BPF_F_MMAPABLE },
		{ BPF_MAP_TYPE_LPM_TRIE, 8, 4, 2, BPF_F_NO_PREALLOC | BPF_F_RDONLY_PROG },
		{ (enum bpf_map_type)200, 4, 4, 2, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		b_create_log(b, "", cases[i].type, cases[i].k, cases[i].v, cases[i].n, cases[i].f, -1);
}

static void scenario_array(struct backend *b, enum bpf_map_type type, uint32_t flags)
{
	int h = b_create_log(b, "array", type, 4, 12, 4, flags, -1);
	size_t size = type == BPF_MAP_TYPE_PERCPU_ARRAY ? 16u * nr_cpus : 12;
	uint8_t value[16 * 64], out[16 * 64];
	uint64_t update_flags[] = { BPF_ANY, BPF_NOEXIST, BPF_EXIST, 3, BPF_F_LOCK,
				    BPF_F_LOCK | BPF_EXIST };
	char text[512];

	if (h < 0)
		return;
	for (uint32_t key = 0; key < 6; key++) {
		for (size_t i = 0; i < size; i++)
			value[i] = (uint8_t)(key * 31 + i);
		for (size_t f = 0; f < sizeof(update_flags) / sizeof(update_flags[0]); f++)
			logf_(b, "update k%u f%llu -> %d", key, (unsigned long long)update_flags[f],
			      b_update(b, h, &key, value, update_flags[f]));
		memset(out, 0, sizeof(out));
		logf_(b, "lookup k%u -> %d", key, b_lookup(b, h, &key, out, 0));
		hex(text, sizeof(text), out, size);
		logf_(b, "  value %s", text);
		logf_(b, "lookup k%u F_LOCK -> %d", key, b_lookup(b, h, &key, out, BPF_F_LOCK));
		logf_(b, "lookup k%u f2 -> %d", key, b_lookup(b, h, &key, out, 2));
		logf_(b, "delete k%u -> %d", key, b_delete(b, h, &key));
		logf_(b, "lookup_and_delete k%u -> %d", key, b_lookup_and_delete(b, h, &key, out, 0));
	}
	uint32_t key = 0, next = 77, *prev = NULL;

	for (int i = 0; i < 6; i++) {
		int rc = b_next(b, h, prev, &next);

		logf_(b, "next -> %d %u", rc, rc ? 0 : next);
		if (rc)
			break;
		key = next;
		prev = &key;
	}
	key = 100;
	logf_(b, "next k100 -> %d %u", b_next(b, h, &key, &next), next);
	logf_(b, "lookup NULL key -> %d", b_lookup(b, h, NULL, out, 0));
	logf_(b, "freeze -> %d", b_freeze(b, h));
	logf_(b, "freeze -> %d", b_freeze(b, h));
	key = 1;
	logf_(b, "update frozen -> %d", b_update(b, h, &key, value, 0));
	logf_(b, "delete frozen -> %d", b_delete(b, h, &key));
	logf_(b, "lookup frozen -> %d", b_lookup(b, h, &key, out, 0));
	logf_(b, "lookup_and_delete frozen -> %d", b_lookup_and_delete(b, h, &key, out, 0));
}

static void scenario_access(struct backend *b)
{
	int ro = b_create_log(b, "ro", BPF_MAP_TYPE_ARRAY, 4, 4, 2, BPF_F_RDONLY, -1);
	int wo = b_create_log(b, "wo", BPF_MAP_TYPE_ARRAY, 4, 4, 2, BPF_F_WRONLY, -1);
	uint32_t key = 0, value = 5, count = 1, batch;

	if (ro < 0 || wo < 0)
		return;
	logf_(b, "ro update -> %d", b_update(b, ro, &key, &value, 0));
	logf_(b, "ro lookup -> %d", b_lookup(b, ro, &key, &value, 0));
	logf_(b, "ro next -> %d", b_next(b, ro, NULL, &key));
	logf_(b, "ro update batch -> %d", b_batch(b, ro, BATCH_UPDATE, NULL, NULL, &key, &value,
						  &count, 0));
	logf_(b, "ro freeze -> %d", b_freeze(b, ro));
	logf_(b, "wo update -> %d", b_update(b, wo, &key, &value, 0));
	logf_(b, "wo lookup -> %d", b_lookup(b, wo, &key, &value, 0));
	logf_(b, "wo next -> %d", b_next(b, wo, NULL, &key));
	logf_(b, "wo lookup batch -> %d", b_batch(b, wo, BATCH_LOOKUP, NULL, &batch, &key, &value,
						  &count, 0));
	logf_(b, "wo freeze -> %d", b_freeze(b, wo));
}

static void scenario_prog_array(struct backend *b)
{
	int h = b_create_log(b, "jmp", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0, -1);
	int sock = b_prog(b, BPF_PROG_TYPE_SOCKET_FILTER);
	int sock2 = b_prog(b, BPF_PROG_TYPE_SOCKET_FILTER);
	int xdp = b_prog(b, BPF_PROG_TYPE_XDP);
	uint32_t key = 0, value, out, count = 2, batch, keys[2], values[2];

	if (h < 0 || sock < 0 || sock2 < 0 || xdp < 0) {
		logf_(b, "setup failed");
		return;
	}
	logf_(b, "lookup empty -> %d", b_lookup(b, h, &key, &out, 0));
	logf_(b, "delete empty -> %d", b_delete(b, h, &key));
	value = b_ref_prog(b, sock);
	logf_(b, "update NOEXIST -> %d", b_update(b, h, &key, &value, BPF_NOEXIST));
	logf_(b, "update EXIST -> %d", b_update(b, h, &key, &value, BPF_EXIST));
	logf_(b, "update ANY -> %d", b_update(b, h, &key, &value, BPF_ANY));
	out = 0;
	logf_(b, "lookup -> %d", b_lookup(b, h, &key, &out, 0));
	logf_(b, "  is the program's id: %d", out == b_prog_id(b, sock));
	value = b_ref_prog(b, xdp);
	logf_(b, "update other type -> %d", b_update(b, h, &key, &value, BPF_ANY));
	/* (A map's fd is EINVAL in the kernel; a map's id in bpfvm is just not a
	 * program's id: -EBADF. Not compared.) */
	value = b_ref_prog(b, sock2);
	key = 4;
	logf_(b, "update k4 -> %d", b_update(b, h, &key, &value, BPF_ANY));
	logf_(b, "delete k4 -> %d", b_delete(b, h, &key));
	logf_(b, "lookup k4 -> %d", b_lookup(b, h, &key, &out, 0));
	key = 0;
	logf_(b, "replace -> %d", b_update(b, h, &key, &value, BPF_ANY));
	logf_(b, "lookup -> %d", b_lookup(b, h, &key, &out, 0));
	logf_(b, "  is the new id: %d", out == b_prog_id(b, sock2));
	logf_(b, "delete -> %d", b_delete(b, h, &key));
	logf_(b, "delete again -> %d", b_delete(b, h, &key));
	value = b_ref_prog(b, xdp);
	logf_(b, "emptied keeps its owner -> %d", b_update(b, h, &key, &value, BPF_ANY));
	logf_(b, "next -> %d", b_next(b, h, NULL, &out));
	logf_(b, "lookup batch -> %d", b_batch(b, h, BATCH_LOOKUP, NULL, &batch, keys, values,
					       &count, 0));
	logf_(b, "update batch -> %d", b_batch(b, h, BATCH_UPDATE, NULL, NULL, keys, values,
					       &count, 0));
	logf_(b, "lookup_and_delete -> %d", b_lookup_and_delete(b, h, &key, &out, 0));
	logf_(b, "freeze -> %d", b_freeze(b, h));
	logf_(b, "update frozen -> %d", b_update(b, h, &key, &value, 0));
}

static void scenario_map_in_map(struct backend *b)
{
	int tmpl = b_create(b, BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, -1);
	int same = b_create(b, BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, -1);
	int longer = b_create(b, BPF_MAP_TYPE_ARRAY, 4, 8, 5, 0, -1);
	int wider = b_create(b, BPF_MAP_TYPE_ARRAY, 4, 16, 4, 0, -1);
	int flagged = b_create(b, BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_RDONLY_PROG, -1);
	int flex = b_create(b, BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_INNER_MAP, -1);
	int flex9 = b_create(b, BPF_MAP_TYPE_ARRAY, 4, 8, 9, BPF_F_INNER_MAP, -1);
	int pcpu = b_create(b, BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 4, 0, -1);
	int pcpu5 = b_create(b, BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 5, 0, -1);
	int queue = b_create(b, BPF_MAP_TYPE_QUEUE, 0, 4, 4, 0, -1);
	int queue9 = b_create(b, BPF_MAP_TYPE_QUEUE, 0, 4, 9, 0, -1);
	int lpm = b_create(b, BPF_MAP_TYPE_LPM_TRIE, 8, 4, 4, BPF_F_NO_PREALLOC, -1);
	int lpm9 = b_create(b, BPF_MAP_TYPE_LPM_TRIE, 8, 4, 9, BPF_F_NO_PREALLOC, -1);
	int jmp = b_create(b, BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0, -1);
	uint32_t key, value, out, keys[4], values[4], count, batch;

	if (tmpl < 0 || same < 0 || longer < 0 || wider < 0 || flagged < 0 || flex < 0 ||
	    flex9 < 0 || pcpu < 0 || pcpu5 < 0 || queue < 0 || queue9 < 0 || lpm < 0 || lpm9 < 0 ||
	    jmp < 0) {
		logf_(b, "setup failed");
		return;
	}
	b_create_log(b, "outer of jmp", BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, 0, jmp);
	b_create_log(b, "outer v8", BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 8, 2, 0, tmpl);
	b_create_log(b, "outer rdonly_prog", BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, BPF_F_RDONLY_PROG,
		     tmpl);
	b_create_log(b, "outer mmapable", BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, BPF_F_MMAPABLE, tmpl);
	b_create_log(b, "outer k8", BPF_MAP_TYPE_ARRAY_OF_MAPS, 8, 4, 2, 0, tmpl);
	int outer = b_create_log(b, "outer", BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 3, 0, tmpl);

	if (outer < 0)
		return;
	b_create_log(b, "outer of outer", BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, 0, outer);
	struct { const char *what; int tmpl, inner; } pairs[] = {
		{ "same", tmpl, same },		{ "longer", tmpl, longer },
		{ "wider", tmpl, wider },	{ "flagged", tmpl, flagged },
		{ "queue", tmpl, queue },	{ "flex9 in flex", flex, flex9 },
		{ "same in flex", flex, same }, { "pcpu5 in pcpu", pcpu, pcpu5 },
		{ "queue9 in queue", queue, queue9 }, { "lpm9 in lpm", lpm, lpm9 },
	};

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		int o = pairs[i].tmpl == tmpl ? outer
					      : b_create(b, BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, 0,
							 pairs[i].tmpl);

		key = 1;
		value = b_ref_map(b, pairs[i].inner);
		logf_(b, "store %s -> %d", pairs[i].what, o < 0 ? o : b_update(b, o, &key, &value, 0));
	}
	key = 0;
	value = b_ref_map(b, same);
	logf_(b, "update EXIST -> %d", b_update(b, outer, &key, &value, BPF_EXIST));
	logf_(b, "update ANY -> %d", b_update(b, outer, &key, &value, BPF_ANY));
	key = 3;
	logf_(b, "update k3 -> %d", b_update(b, outer, &key, &value, BPF_ANY));
	logf_(b, "delete k3 -> %d", b_delete(b, outer, &key));
	key = 0;
	logf_(b, "lookup -> %d", b_lookup(b, outer, &key, &out, 0));
	logf_(b, "  is the inner id: %d", out == b_map_id(b, same));
	key = 2;
	logf_(b, "lookup empty -> %d", b_lookup(b, outer, &key, &out, 0));
	logf_(b, "delete empty -> %d", b_delete(b, outer, &key));
	count = 4;
	logf_(b, "lookup batch -> %d", b_batch(b, outer, BATCH_LOOKUP, NULL, &batch, keys, values,
					       &count, 0));
	logf_(b, "  count %u keys %u %u batch %u", count, keys[0], count > 1 ? keys[1] : 0, batch);
	keys[0] = 2;
	values[0] = b_ref_map(b, same);
	count = 1;
	logf_(b, "update batch -> %d count %u",
	      b_batch(b, outer, BATCH_UPDATE, NULL, NULL, keys, values, &count, 0), count);
	count = 1;
	logf_(b, "delete batch -> %d", b_batch(b, outer, BATCH_DELETE, NULL, NULL, keys, NULL,
					       &count, 0));
	count = 1;
	logf_(b, "lookup_and_delete batch -> %d", b_batch(b, outer, BATCH_LOOKUP_AND_DELETE, NULL,
							  &batch, keys, values, &count, 0));
	logf_(b, "lookup_and_delete -> %d", b_lookup_and_delete(b, outer, &key, &out, 0));
}

static void scenario_queue_stack(struct backend *b, enum bpf_map_type type)
{
	int h = b_create_log(b, "qs", type, 0, 4, 3, 0, -1);
	uint64_t flags[] = { BPF_ANY, BPF_NOEXIST, BPF_EXIST, 3, BPF_F_LOCK };
	uint32_t value, key = 0, count = 1, batch;
	unsigned seed = 7;

	if (h < 0)
		return;
	/* A pseudo-random walk through pushes (with every flag), pops and
	 * peeks, full and empty. */
	for (int i = 0; i < 200; i++) {
		seed = seed * 1103515245u + 12345u;
		unsigned op = (seed >> 16) % 5;

		value = 1000 + (uint32_t)i;
		if (op <= 1) {
			uint64_t f = flags[(seed >> 8) % 5];

			logf_(b, "push %u f%llu -> %d", value, (unsigned long long)f,
			      b_update(b, h, NULL, &value, f));
		} else if (op == 2) {
			value = 0;
			int rc = b_lookup(b, h, NULL, &value, 0);

			logf_(b, "peek -> %d %u", rc, rc ? 0 : value);
		} else {
			value = 0;
			int rc = b_lookup_and_delete(b, h, NULL, &value, 0);

			logf_(b, "pop -> %d %u", rc, rc ? 0 : value);
		}
	}
	logf_(b, "update with key -> %d", b_update(b, h, &key, &value, 0));
	logf_(b, "lookup with key -> %d", b_lookup(b, h, &key, &value, 0));
	logf_(b, "lookup F_LOCK -> %d", b_lookup(b, h, NULL, &value, BPF_F_LOCK));
	logf_(b, "pop flags -> %d", b_lookup_and_delete(b, h, NULL, &value, BPF_EXIST));
	logf_(b, "delete -> %d", b_delete(b, h, NULL));
	logf_(b, "next -> %d", b_next(b, h, NULL, &key));
	logf_(b, "lookup batch -> %d", b_batch(b, h, BATCH_LOOKUP, NULL, &batch, &key, &value,
					       &count, 0));
	logf_(b, "freeze -> %d", b_freeze(b, h));
	logf_(b, "push frozen -> %d", b_update(b, h, NULL, &value, 0));
	logf_(b, "pop frozen -> %d", b_lookup_and_delete(b, h, NULL, &value, 0));
}

struct lpm_key4 {
	uint32_t prefixlen;
	uint8_t data[4];
};

static struct lpm_key4 lpm_random_key(unsigned *seed, bool lookup)
{
	struct lpm_key4 key;

	*seed = *seed * 1103515245u + 12345u;
	/* Few distinct addresses and many prefix lengths: lots of overlap,
	 * intermediate nodes, and replacements. */
	key.data[0] = 10;
	key.data[1] = (uint8_t)((*seed >> 8) & 0x3);
	key.data[2] = (uint8_t)((*seed >> 12) & 0x81);
	key.data[3] = (uint8_t)((*seed >> 4) & 0x7);
	key.prefixlen = lookup ? 32 : (*seed >> 20) % 34; /* 33: invalid */
	return key;
}

static void lpm_log_walk(struct backend *b, int h)
{
	struct lpm_key4 key, next;
	int n = 0, rc;

	for (rc = b_next(b, h, NULL, &next); rc == 0 && n < 80; rc = b_next(b, h, &key, &next), n++) {
		logf_(b, "  walk %u/%u.%u.%u.%u", next.prefixlen, next.data[0], next.data[1],
		      next.data[2], next.data[3]);
		key = next;
	}
	logf_(b, "  walk end %d after %d", rc, n);
}

static void scenario_lpm(struct backend *b)
{
	int h = b_create_log(b, "lpm", BPF_MAP_TYPE_LPM_TRIE, 8, 4, 24, BPF_F_NO_PREALLOC, -1);
	uint64_t flags[] = { BPF_ANY, BPF_ANY, BPF_NOEXIST, BPF_EXIST, 3 };
	unsigned seed = 12345;

	if (h < 0)
		return;
	for (int i = 0; i < 600; i++) {
		seed = seed * 1103515245u + 12345u;
		unsigned op = (seed >> 16) % 7;
		uint32_t value = (uint32_t)i;
		struct lpm_key4 key = lpm_random_key(&seed, op == 6);

		if (op <= 2) {
			uint64_t f = flags[(seed >> 10) % 5];

			logf_(b, "update %u/%u.%u.%u.%u f%llu -> %d", key.prefixlen, key.data[1],
			      key.data[2], key.data[3], 0u, (unsigned long long)f,
			      b_update(b, h, &key, &value, f));
		} else if (op <= 4) {
			logf_(b, "delete %u/%u.%u.%u -> %d", key.prefixlen, key.data[1], key.data[2],
			      key.data[3], b_delete(b, h, &key));
		} else {
			value = 0xffffffff;
			int rc = b_lookup(b, h, &key, &value, 0);

			logf_(b, "lookup %u/%u.%u.%u -> %d %u", key.prefixlen, key.data[1],
			      key.data[2], key.data[3], rc, rc ? 0 : value);
		}
		if (i % 50 == 49)
			lpm_log_walk(b, h);
	}
	struct lpm_key4 key = { 8, { 10, 0, 0, 0 } };
	uint32_t value;

	logf_(b, "lookup_and_delete -> %d", b_lookup_and_delete(b, h, &key, &value, 0));
}

static void scenario_batches(struct backend *b)
{
	int h = b_create_log(b, "batch", BPF_MAP_TYPE_ARRAY, 4, 8, 5, 0, -1);
	uint32_t keys[8] = { 0, 1, 9, 2 }, count, batch = 0;
	uint64_t values[8] = { 10, 11, 19, 12 };
	char text[256];

	if (h < 0)
		return;
	count = 4;
	logf_(b, "update batch -> %d count %u",
	      b_batch(b, h, BATCH_UPDATE, NULL, NULL, keys, values, &count, 0), count);
	count = 2;
	logf_(b, "update batch EXIST -> %d count %u",
	      b_batch(b, h, BATCH_UPDATE, NULL, NULL, keys, values, &count, BPF_EXIST), count);
	count = 2;
	logf_(b, "update batch F_LOCK -> %d count %u",
	      b_batch(b, h, BATCH_UPDATE, NULL, NULL, keys, values, &count, BPF_F_LOCK), count);
	count = 0;
	logf_(b, "lookup batch 0 -> %d count %u",
	      b_batch(b, h, BATCH_LOOKUP, NULL, &batch, keys, values, &count, 0), count);
	count = 2;
	int rc = b_batch(b, h, BATCH_LOOKUP, NULL, &batch, keys, values, &count, 0);

	hex(text, sizeof(text), values, count * 8);
	logf_(b, "lookup batch 2 -> %d count %u batch %u %s", rc, count, batch, text);
	for (int i = 0; i < 3; i++) {
		count = 2;
		rc = b_batch(b, h, BATCH_LOOKUP, &batch, &batch, keys, values, &count, 0);
		hex(text, sizeof(text), values, count * 8);
		logf_(b, "lookup batch next -> %d count %u batch %u %s", rc, count, batch, text);
	}
	count = 2;
	logf_(b, "lookup batch F_LOCK -> %d",
	      b_batch(b, h, BATCH_LOOKUP, NULL, &batch, keys, values, &count, BPF_F_LOCK));
	count = 2;
	logf_(b, "lookup batch f2 -> %d",
	      b_batch(b, h, BATCH_LOOKUP, NULL, &batch, keys, values, &count, 2));
	count = 2;
	logf_(b, "delete batch -> %d",
	      b_batch(b, h, BATCH_DELETE, NULL, NULL, keys, NULL, &count, 0));
	count = 2;
	logf_(b, "lookup_and_delete batch -> %d",
	      b_batch(b, h, BATCH_LOOKUP_AND_DELETE, NULL, &batch, keys, values, &count, 0));

	int lpm = b_create_log(b, "lpm batch", BPF_MAP_TYPE_LPM_TRIE, 8, 4, 3, BPF_F_NO_PREALLOC, -1);
	struct lpm_key4 lkeys[4] = { { 8, { 10 } }, { 16, { 10, 1 } }, { 16, { 10, 2 } },
				     { 24, { 10, 2, 3 } } },
			lout[4], lbatch;
	uint32_t lvalues[4] = { 1, 2, 3, 4 };

	if (lpm < 0)
		return;
	count = 4;
	logf_(b, "lpm update batch -> %d count %u",
	      b_batch(b, lpm, BATCH_UPDATE, NULL, NULL, lkeys, lvalues, &count, 0), count);
	count = 4;
	rc = b_batch(b, lpm, BATCH_LOOKUP, NULL, &lbatch, lout, lvalues, &count, 0);
	logf_(b, "lpm lookup batch -> %d count %u last %u", rc, count,
	      count ? lout[count - 1].prefixlen : 0);
	count = 4;
	logf_(b, "lpm delete batch -> %d count %u",
	      b_batch(b, lpm, BATCH_DELETE, NULL, NULL, lkeys, NULL, &count, BPF_F_LOCK), count);
	count = 1;
	logf_(b, "lpm lookup_and_delete batch -> %d",
	      b_batch(b, lpm, BATCH_LOOKUP_AND_DELETE, NULL, &lbatch, lout, lvalues, &count, 0));
}

/* ---- Driver ---------------------------------------------------------- */

/* DEVMAP and DEVMAP_HASH: ifindexes checked against the devices of the
 * namespace (1: lo), program fds in the 8-byte value, the array's
 * "every slot exists", the hash's buckets and its iteration order. */
static void devmap_walk(struct backend *b, int h)
{
	uint32_t key = 0, next = 0, *prev = NULL;

	for (int i = 0; i < 8; i++) {
		int rc = b_next(b, h, prev, &next);

		logf_(b, "next -> %d %u", rc, rc ? 0 : next);
		if (rc)
			break;
		key = next;
		prev = &key;
	}
}

static void devmap_ops(struct backend *b, int h, const uint32_t *keys, size_t key_cnt)
{
	const uint32_t values[][2] = { { 1, 0 }, { 0, 0 }, { 999999, 0 }, { 1, (uint32_t)-1 },
				       { 1, 5 } };
	uint64_t flags[] = { BPF_ANY, BPF_NOEXIST, BPF_EXIST, 3 };
	uint32_t out[2];

	for (size_t k = 0; k < key_cnt; k++) {
		for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++)
			for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++)
				logf_(b, "update k%u if%u fd%d f%llu -> %d", keys[k], values[v][0],
				      (int)values[v][1], (unsigned long long)flags[f],
				      b_update(b, h, &keys[k], values[v], flags[f]));
		logf_(b, "update k%u lo -> %d", keys[k], b_update(b, h, &keys[k], values[0], 0));
		memset(out, 0xee, sizeof(out));
		logf_(b, "lookup k%u -> %d %u %u", keys[k], b_lookup(b, h, &keys[k], out, 0), out[0],
		      out[1]);
	}
	devmap_walk(b, h);
	for (size_t k = 0; k < key_cnt; k += 2) {
		logf_(b, "delete k%u -> %d", keys[k], b_delete(b, h, &keys[k]));
		logf_(b, "delete k%u again -> %d", keys[k], b_delete(b, h, &keys[k]));
		logf_(b, "lookup k%u -> %d", keys[k], b_lookup(b, h, &keys[k], out, 0));
	}
	logf_(b, "lookup_and_delete k%u -> %d", keys[1], b_lookup_and_delete(b, h, &keys[1], out, 0));
	devmap_walk(b, h);
}

/* DEVMAP_HASH: a replaced key goes back to the head of its bucket (7 and 3
 * share one of the 4 buckets), so the walk after replacing 7 starts at 7. */
static void devmap_replace_order(struct backend *b)
{
	const uint32_t lo[2] = { 1, 0 }, keys[] = { 7, 3, 7 };
	int h = b_create_log(b, "devmap_hash replace", BPF_MAP_TYPE_DEVMAP_HASH, 4, 8, 4, 0, -1);

	if (h < 0)
		return;
	for (int i = 0; i < 3; i++)
		logf_(b, "update k%u -> %d", keys[i], b_update(b, h, &keys[i], lo, BPF_ANY));
	devmap_walk(b, h);
}

static void scenario_devmap(struct backend *b)
{
	const uint32_t array_keys[] = { 0, 1, 3, 4, 9 };
	const uint32_t hash_keys[] = { 7, 3, 100, 15, 8, 1 };
	enum bpf_map_type types[] = { BPF_MAP_TYPE_DEVMAP, BPF_MAP_TYPE_DEVMAP_HASH };

	for (int t = 0; t < 2; t++) {
		b_create_log(b, "devmap v12", types[t], 4, 12, 4, 0, -1);
		b_create_log(b, "devmap k8", types[t], 8, 4, 4, 0, -1);
		b_create_log(b, "devmap n0", types[t], 4, 4, 0, 0, -1);
		b_create_log(b, "devmap mmapable", types[t], 4, 4, 4, BPF_F_MMAPABLE, -1);
		b_create_log(b, "devmap rdonly_prog", types[t], 4, 4, 4, BPF_F_RDONLY_PROG, -1);
		b_create_log(b, "devmap rdonly", types[t], 4, 4, 4, BPF_F_RDONLY, -1);
	}
	int array4 = b_create_log(b, "devmap v4", BPF_MAP_TYPE_DEVMAP, 4, 4, 4, 0, -1);
	int array8 = b_create_log(b, "devmap v8", BPF_MAP_TYPE_DEVMAP, 4, 8, 4, 0, -1);
	int hash8 = b_create_log(b, "devmap_hash v8", BPF_MAP_TYPE_DEVMAP_HASH, 4, 8, 4, 0, -1);

	if (array4 < 0 || array8 < 0 || hash8 < 0)
		return;
	devmap_ops(b, array4, array_keys, 5);
	devmap_ops(b, array8, array_keys, 5);
	devmap_ops(b, hash8, hash_keys, 6);
	devmap_replace_order(b);
}

/* SOCKMAP and SOCKHASH from user space: the same socket fds given to both
 * (the cookies read back are the kernel's own, SO_COOKIE), sockets the
 * kernel refuses, a pipe, a closed fd. */
enum { SOCK_TCP_LISTEN, SOCK_TCP_NEW, SOCK_UDP, SOCK_UDP_BOUND, SOCK_UNIX_PAIR, SOCK_UNIX_NEW, SOCK_UNIX_DGRAM,
       SOCK_PIPE, SOCK_CLOSED, SOCK_FD_COUNT };

static int sock_fds[SOCK_FD_COUNT];

static void sockmap_fds_open(void)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	int pair[2], pipe_fds[2];

	sock_fds[SOCK_TCP_LISTEN] = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(sock_fds[SOCK_TCP_LISTEN], (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(sock_fds[SOCK_TCP_LISTEN], 1))
		perror("tcp listen");
	sock_fds[SOCK_TCP_NEW] = socket(AF_INET, SOCK_STREAM, 0);
	sock_fds[SOCK_UDP] = socket(AF_INET, SOCK_DGRAM, 0);
	sock_fds[SOCK_UDP_BOUND] = socket(AF_INET, SOCK_DGRAM, 0);
	if (bind(sock_fds[SOCK_UDP_BOUND], (struct sockaddr *)&addr, sizeof(addr)))
		perror("udp bind");
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair))
		perror("socketpair");
	sock_fds[SOCK_UNIX_PAIR] = pair[0];
	sock_fds[SOCK_UNIX_NEW] = socket(AF_UNIX, SOCK_STREAM, 0);
	sock_fds[SOCK_UNIX_DGRAM] = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (pipe(pipe_fds))
		perror("pipe");
	sock_fds[SOCK_PIPE] = pipe_fds[0];
	sock_fds[SOCK_CLOSED] = 1000000; /* never open */
}

static void sockmap_ops(struct backend *b, int h, uint32_t value_size, bool hash)
{
	uint64_t flags[] = { BPF_ANY, BPF_NOEXIST, BPF_EXIST, 3 };
	uint64_t huge = 1ull << 32, out;
	uint32_t keys[SOCK_FD_COUNT], found[16];
	uint32_t key, next, *prev = NULL;
	int found_cnt = 0;

	for (uint32_t k = 0; k < SOCK_FD_COUNT; k++) {
		uint64_t fd = (uint64_t)sock_fds[k];
		int rc;

		keys[k] = hash ? 1000 + k * 7 : k;
		for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++)
			logf_(b, "update k%u sock%u f%llu -> %d", keys[k], k,
			      (unsigned long long)flags[f], b_update(b, h, &keys[k], &fd, flags[f]));
		out = 0;
		rc = b_lookup(b, h, &keys[k], &out, 0);
		logf_(b, "lookup k%u -> %d cookie %llu", keys[k], rc, (unsigned long long)out);
	}
	if (value_size == 8)
		logf_(b, "update fd 2^32 -> %d", b_update(b, h, &keys[0], &huge, 0));
	for (int i = 0; i < 16; i++) {
		int rc = b_next(b, h, prev, &next);

		if (rc)
			break;
		found[found_cnt++] = next;
		key = next;
		prev = &key;
	}
	for (int i = 0; i < found_cnt; i++) /* the kernel's hash order is random */
		for (int j = i + 1; j < found_cnt; j++)
			if (found[j] < found[i]) {
				uint32_t t = found[i];

				found[i] = found[j];
				found[j] = t;
			}
	for (int i = 0; i < found_cnt; i++)
		logf_(b, "key %u", found[i]);
	for (uint32_t k = 0; k < SOCK_FD_COUNT; k += 2) {
		logf_(b, "delete k%u -> %d", keys[k], b_delete(b, h, &keys[k]));
		logf_(b, "delete k%u again -> %d", keys[k], b_delete(b, h, &keys[k]));
	}
	key = 99;
	logf_(b, "delete k99 -> %d", b_delete(b, h, &key));
}

static void scenario_sockmap(struct backend *b)
{
	enum bpf_map_type types[] = { BPF_MAP_TYPE_SOCKMAP, BPF_MAP_TYPE_SOCKHASH };

	if (!sock_fds[SOCK_TCP_LISTEN])
		sockmap_fds_open();
	for (int t = 0; t < 2; t++) {
		b_create_log(b, "sockmap v12", types[t], 4, 12, 4, 0, -1);
		b_create_log(b, "sockmap k8", types[t], 8, 4, 4, 0, -1);
		b_create_log(b, "sockmap k0", types[t], 0, 4, 4, 0, -1);
		b_create_log(b, "sockmap k600", types[t], 600, 4, 4, 0, -1);
		b_create_log(b, "sockmap n0", types[t], 4, 4, 0, 0, -1);
		b_create_log(b, "sockmap rdonly_prog", types[t], 4, 4, 4, BPF_F_RDONLY_PROG, -1);
		for (uint32_t v = 4; v <= 8; v += 4) {
			int h = b_create_log(b, "sockmap", types[t], 4, v, 16, 0, -1);

			if (h >= 0)
				sockmap_ops(b, h, v, t == 1);
		}
	}
}

struct scenario {
	const char *name;
	void (*run)(struct backend *b);
};

static void run_array(struct backend *b) { scenario_array(b, BPF_MAP_TYPE_ARRAY, 0); }
static void run_array_mmapable(struct backend *b)
{
	scenario_array(b, BPF_MAP_TYPE_ARRAY, BPF_F_MMAPABLE);
}
static void run_percpu_array(struct backend *b) { scenario_array(b, BPF_MAP_TYPE_PERCPU_ARRAY, 0); }
static void run_queue(struct backend *b) { scenario_queue_stack(b, BPF_MAP_TYPE_QUEUE); }
static void run_stack(struct backend *b) { scenario_queue_stack(b, BPF_MAP_TYPE_STACK); }

static const struct scenario scenarios[] = {
	{ "map_create_refuses_what_the_kernel_refuses", scenario_create_checks },
	{ "array_ops_match_the_kernel", run_array },
	{ "mmapable_array_ops_match_the_kernel", run_array_mmapable },
	{ "percpu_array_ops_match_the_kernel", run_percpu_array },
	{ "rdonly_wronly_maps_match_the_kernel", scenario_access },
	{ "prog_array_ops_and_owner_match_the_kernel", scenario_prog_array },
	{ "array_of_maps_templates_match_the_kernel", scenario_map_in_map },
	{ "queue_ops_match_the_kernel", run_queue },
	{ "stack_ops_match_the_kernel", run_stack },
	{ "lpm_trie_random_ops_match_the_kernel", scenario_lpm },
	{ "batch_ops_match_the_kernel", scenario_batches },
	{ "devmap_and_devmap_hash_ops_match_the_kernel", scenario_devmap },
	{ "sockmap_and_sockhash_user_ops_match_the_kernel", scenario_sockmap },
};

static void compare(const char *name, struct backend *kernel, struct backend *vm)
{
	size_t n = kernel->log_cnt > vm->log_cnt ? kernel->log_cnt : vm->log_cnt;
	int shown = 0;

	for (size_t i = 0; i < n; i++) {
		const char *k = i < kernel->log_cnt ? kernel->log[i] : "(nothing)";
		const char *v = i < vm->log_cnt ? vm->log[i] : "(nothing)";
		bool same = strcmp(k, v) == 0;

		testlib_check(name, same, "step %zu: kernel \"%s\", bpfvm \"%s\"", i, k, v);
		if (!same && ++shown >= 5)
			break;
	}
	for (size_t i = 0; i < kernel->log_cnt; i++)
		free(kernel->log[i]);
	for (size_t i = 0; i < vm->log_cnt; i++)
		free(vm->log[i]);
	kernel->log_cnt = vm->log_cnt = 0;
}

int main(void)
{
	struct backend kernel = { .name = "kernel", .kernel = true };
	struct backend vm = { .name = "bpfvm" };
	int possible;

	libbpf_set_print(NULL);
	if (!testlib_kernel_usable()) {
		printf("SKIP: bpf() is not usable here (%s)\n", strerror(errno));
		return 77;
	}
	possible = libbpf_num_possible_cpus();
	nr_cpus = possible > 0 && possible <= 64 ? (uint32_t)possible : 1;
	struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = nr_cpus };

	if (bpfvm_create(&opts, &vm.vm)) {
		printf("cannot create a runtime: %s\n", bpfvm_errmsg());
		return 1;
	}
	kernel.log = calloc(LOG_MAX, sizeof(char *));
	vm.log = calloc(LOG_MAX, sizeof(char *));
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		unsigned before = testlib_failed();

		scenarios[i].run(&kernel);
		scenarios[i].run(&vm);
		b_release(&kernel);
		b_release(&vm);
		compare(scenarios[i].name, &kernel, &vm);
		printf("%s %s\n", testlib_failed() == before ? "ok  " : "FAIL", scenarios[i].name);
	}
	free(kernel.log);
	free(vm.log);
	bpfvm_destroy(vm.vm);
	return testlib_summary();
}
