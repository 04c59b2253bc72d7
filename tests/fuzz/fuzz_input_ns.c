/* Harness: a namespace's files (docs/namespace.md), which any of its users
 * may write: a pinned map's file and the registry. A corrupted file must be
 * refused with an error or, when accepted, be safe to use: nothing it holds
 * may send the library outside the region (the sanitizers report that).
 *
 * On its first input the harness makes, in a fresh root under /tmp, one map
 * of each shared type (filled a little), and keeps the bytes of their files
 * and of the registry as templates. An input is
 *
 *   byte 0     which file: bits 0-6 modulo NS_FUZZ_FILES index templates[]
 *              (0-6 ARRAY, PERCPU_ARRAY, HASH, PERCPU_HASH, LPM_TRIE,
 *              QUEUE, STACK; 7 the registry; then the families made
 *              shareable later: prog arrays and maps of maps holding
 *              objects, output streams, device, CPU and socket maps,
 *              stack traces, storages);
 *              bit 7 set: two bytes follow (LE), the file's length modulo
 *              twice the template's (cut, or extended with zeroes)
 *   then       patches of the template: { u16 offset (LE, modulo the
 *              file's size), u8 length, length bytes }...
 *
 * so that most inputs keep a valid header and corrupt what lies behind it,
 * the case a header check alone would trust. The bytes of the locks inside
 * the files are never patched: a lock left held is what any live user of
 * the namespace can do (a wait, not a read outside), and a lock's inner
 * state is glibc's. The map file is pinned as <root>/fuzzed, opened by
 * pin, then read, iterated, updated and emptied; the registry is opened by
 * a runtime of its own root, listed, and its ids opened. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpfvm/bpfvm.h"
#include "harness.h"
#include "maps/array.h"
#include "maps/hash.h"
#include "maps/map_in_map.h"
#include "maps/map_lock.h"
#include "maps/perf_event_array.h"

#define NS_FUZZ_REGISTRY 7
#define NS_FUZZ_FILES ((int)(sizeof(templates) / sizeof(templates[0])))
#define NS_FUZZ_CPUS 2
/* ns.c's struct ns_registry: its lock follows magic, version, nr_cpus,
 * size, next_id and a reserved word. */
#define NS_FUZZ_REGISTRY_LOCK_OFF 32u
/* ringbuf.c: the producer's page is the region's third, its spin word
 * follows producer_pos, pending_pos and wakeups. */
#define NS_FUZZ_RINGBUF_LOCK_OFF (2 * 4096u + 24u)
/* Lock words of a template besides a hash table's (ns_fuzz_locks). */
#define NS_FUZZ_LOCKS_MAX (NS_FUZZ_CPUS + 1)
#define NS_FUZZ_WALK_MAX 4096u

struct ns_fuzz_template {
	enum bpf_map_type type;
	uint32_t key_size, value_size, max_entries, map_flags;
	uint8_t *bytes;
	size_t size;
	uint32_t lock_cnt;
	struct {
		uint64_t off, len;
	} locks[NS_FUZZ_LOCKS_MAX];
};

#define NS_FUZZ_MAP(type_, key, value, entries, flags)                                   \
	{ .type = (type_), .key_size = (key), .value_size = (value), .max_entries = (entries), \
	  .map_flags = (flags) }

static struct ns_fuzz_template templates[] = {
	NS_FUZZ_MAP(BPF_MAP_TYPE_ARRAY, 4, 12, 8, 0),
	NS_FUZZ_MAP(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 4, 0),
	/* The hash types' seed is zero (BPF_F_ZERO_SEED), so that the same
	 * input meets the same chains in every process: with a random seed a
	 * hang found in a long run did not replay. */
	NS_FUZZ_MAP(BPF_MAP_TYPE_HASH, 8, 8, 16, BPF_F_ZERO_SEED),
	NS_FUZZ_MAP(BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 8, BPF_F_ZERO_SEED),
	NS_FUZZ_MAP(BPF_MAP_TYPE_LPM_TRIE, 8, 8, 8, BPF_F_NO_PREALLOC),
	NS_FUZZ_MAP(BPF_MAP_TYPE_QUEUE, 0, 8, 8, 0),
	NS_FUZZ_MAP(BPF_MAP_TYPE_STACK, 0, 8, 8, 0),
	{ .type = 0 }, /* the registry */
	NS_FUZZ_MAP(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0),
	NS_FUZZ_MAP(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0),
	NS_FUZZ_MAP(BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 4, BPF_F_ZERO_SEED),
	NS_FUZZ_MAP(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0),
	NS_FUZZ_MAP(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, NS_FUZZ_CPUS, 0),
	NS_FUZZ_MAP(BPF_MAP_TYPE_DEVMAP, 4, 4, 4, 0),
	NS_FUZZ_MAP(BPF_MAP_TYPE_DEVMAP_HASH, 4, 4, 4, 0),
	NS_FUZZ_MAP(BPF_MAP_TYPE_CPUMAP, 4, 4, NS_FUZZ_CPUS, 0),
	NS_FUZZ_MAP(BPF_MAP_TYPE_XSKMAP, 4, 4, 4, 0),
	NS_FUZZ_MAP(BPF_MAP_TYPE_SOCKMAP, 4, 4, 4, 0),
	NS_FUZZ_MAP(BPF_MAP_TYPE_SOCKHASH, 4, 4, 4, 0),
	NS_FUZZ_MAP(BPF_MAP_TYPE_STACK_TRACE, 4, 8, 4, 0),
	NS_FUZZ_MAP(BPF_MAP_TYPE_SK_STORAGE, 4, 4, 0, BPF_F_NO_PREALLOC),
};

static char root[64], registry_root[96];
static struct bpfvm *vm;
/* What the prog array and the maps of maps hold, for the harness's life. */
static struct bpfvm_prog *held_prog;
static struct bpfvm_map *held_inner;

static int ns_fuzz_remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void ns_fuzz_cleanup(void)
{
	bpfvm_prog_close(held_prog);
	bpfvm_map_close(held_inner);
	bpfvm_destroy(vm);
	nftw(root, ns_fuzz_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static uint8_t *ns_fuzz_read(const char *path, size_t *size)
{
	struct stat st;
	uint8_t *bytes;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st))
		fuzz_fail("cannot read '%s': %s", path, strerror(errno));
	bytes = malloc((size_t)st.st_size);
	if (!bytes || read(fd, bytes, (size_t)st.st_size) != st.st_size)
		fuzz_fail("cannot read '%s'", path);
	close(fd);
	*size = (size_t)st.st_size;
	return bytes;
}

static void ns_fuzz_write(const char *path, const uint8_t *bytes, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || (size && write(fd, bytes, size) != (ssize_t)size))
		fuzz_fail("cannot write '%s': %s", path, strerror(errno));
	close(fd);
}

/* The value of entry i of a template, or false for a family user space
 * cannot fill (streams, sockets, kernel-keyed maps). */
static bool ns_fuzz_value(const struct ns_fuzz_template *t, uint32_t i, uint64_t *value)
{
	struct bpfvm_map_info info;

	switch (t->type) {
	case BPF_MAP_TYPE_PROG_ARRAY:
		value[0] = bpfvm_prog_id(held_prog);
		return true;
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
		if (bpfvm_map_get_info(held_inner, &info))
			fuzz_fail("cannot read the inner map's id: %s", bpfvm_errmsg());
		value[0] = info.id;
		return true;
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_DEVMAP_HASH:
		value[0] = 1; /* lo's ifindex */
		return true;
	case BPF_MAP_TYPE_CPUMAP:
		value[0] = 192; /* a queue size */
		return true;
	case BPF_MAP_TYPE_RINGBUF:
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
	case BPF_MAP_TYPE_XSKMAP:
	case BPF_MAP_TYPE_SOCKMAP:
	case BPF_MAP_TYPE_SOCKHASH:
	case BPF_MAP_TYPE_STACK_TRACE:
	case BPF_MAP_TYPE_SK_STORAGE:
		return false;
	default:
		value[0] = 0x1111111111111111ull * (i + 1);
		return true;
	}
}

static bool ns_fuzz_keyed_by_index(enum bpf_map_type type)
{
	return type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_PROG_ARRAY || type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
	       type == BPF_MAP_TYPE_DEVMAP || type == BPF_MAP_TYPE_CPUMAP;
}

/* A few entries, so that chains, trie nodes, slots and held objects are in
 * use. */
static void ns_fuzz_fill(struct bpfvm_map *map, const struct ns_fuzz_template *t)
{
	uint64_t value[NS_FUZZ_CPUS * 2] = { 0 };

	for (uint32_t i = 0; i < t->max_entries / 2 && ns_fuzz_value(t, i, value); i++) {
		struct { uint32_t prefixlen; uint32_t addr; } lpm = { 8 + i * 3, 0x0a000000u + i };
		uint64_t key = ns_fuzz_keyed_by_index(t->type) ? i : i * 7;
		const void *k = t->type == BPF_MAP_TYPE_LPM_TRIE ? (const void *)&lpm :
				t->key_size ? (const void *)&key : NULL;

		if (bpfvm_map_update(map, k, value, 0))
			fuzz_fail("cannot fill template of type %d: %s", t->type, bpfvm_errmsg());
	}
}

static void ns_fuzz_add_lock(struct ns_fuzz_template *t, uint64_t off, uint64_t len)
{
	if (t->lock_cnt == NS_FUZZ_LOCKS_MAX)
		fuzz_fail("template of type %d: more locks than NS_FUZZ_LOCKS_MAX", t->type);
	t->locks[t->lock_cnt].off = off;
	t->locks[t->lock_cnt++].len = len;
}

/* The lock words of a new family's file that no bytes of an input may
 * overwrite (a hash table's are found from the file: ns_fuzz_touches_lock). */
static void ns_fuzz_locks(struct ns_fuzz_template *t, struct bpfvm_map *map)
{
	switch (t->type) {
	case BPF_MAP_TYPE_PROG_ARRAY:
		ns_fuzz_add_lock(t, MAP_FAMILY_DATA_OFFSET, sizeof(struct map_lock));
		break;
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
		ns_fuzz_add_lock(t, MAP_FAMILY_DATA_OFFSET, sizeof(struct map_lock));
		ns_fuzz_add_lock(t, map->region_size - sizeof(struct map_in_map_shared),
				 sizeof(struct map_lock));
		break;
	case BPF_MAP_TYPE_HASH_OF_MAPS: /* the shared part, at the end */
		ns_fuzz_add_lock(t, map->region_size - sizeof(struct map_in_map_shared),
				 sizeof(struct map_lock));
		break;
	case BPF_MAP_TYPE_RINGBUF:
		ns_fuzz_add_lock(t, NS_FUZZ_RINGBUF_LOCK_OFF, sizeof(uint32_t));
		break;
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		for (uint32_t cpu = 0; cpu < NS_FUZZ_CPUS; cpu++) {
			uint8_t *lock = (uint8_t *)perf_event_array_buffer_lock(map, cpu);

			ns_fuzz_add_lock(t, (uint64_t)(lock - (uint8_t *)map->region),
					 sizeof(uint32_t));
		}
		break;
	default:
		break;
	}
}

/* The objects the prog array and the maps of maps hold. */
static void ns_fuzz_held_objects(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	if (bpfvm_prog_load_raw(vm, insns, 2, NULL, &held_prog))
		fuzz_fail("cannot load the held program: %s", bpfvm_errmsg());
	if (bpfvm_map_create(vm, BPF_MAP_TYPE_ARRAY, "inner", 4, 8, 2, NULL, &held_inner) ||
	    bpfvm_map_pin(held_inner, "inner"))
		fuzz_fail("cannot make the inner map: %s", bpfvm_errmsg());
}

static void ns_fuzz_templates(void)
{
	struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = NS_FUZZ_CPUS, .ns_root = root };
	char path[160];

	strcpy(root, "/tmp/bpfvm-fuzz-ns-XXXXXX");
	if (!mkdtemp(root) || chmod(root, 0755))
		fuzz_fail("cannot make a root: %s", strerror(errno));
	if (bpfvm_create(&opts, &vm))
		fuzz_fail("cannot make a runtime in '%s'", root);
	atexit(ns_fuzz_cleanup);
	ns_fuzz_held_objects();
	for (int i = 0; i < NS_FUZZ_FILES; i++) {
		struct ns_fuzz_template *t = &templates[i];
		struct bpfvm_map_create_opts create = { .sz = sizeof(create),
							.map_flags = t->map_flags,
							.inner_map = held_inner };
		struct bpfvm_map *map;
		char name[16];

		if (i == NS_FUZZ_REGISTRY)
			continue;
		if (t->type != BPF_MAP_TYPE_ARRAY_OF_MAPS && t->type != BPF_MAP_TYPE_HASH_OF_MAPS)
			create.inner_map = NULL;

		snprintf(name, sizeof(name), "t%d", i);
		if (bpfvm_map_create(vm, t->type, name, t->key_size, t->value_size,
				     t->max_entries, &create, &map) ||
		    bpfvm_map_pin(map, name))
			fuzz_fail("cannot make template %d: %s", i, bpfvm_errmsg());
		ns_fuzz_fill(map, t);
		ns_fuzz_locks(t, map);
		snprintf(path, sizeof(path), "%s/%s", root, name);
		t->bytes = ns_fuzz_read(path, &t->size);
		bpfvm_map_close(map);
		bpfvm_obj_unpin(vm, name);
	}
	snprintf(path, sizeof(path), "%s/.bpfvm/registry", root);
	templates[NS_FUZZ_REGISTRY].bytes = ns_fuzz_read(path, &templates[NS_FUZZ_REGISTRY].size);
	snprintf(registry_root, sizeof(registry_root), "%s/reg", root);
	snprintf(path, sizeof(path), "%s/.bpfvm", registry_root);
	if (mkdir(registry_root, 0755) || mkdir(path, 0755))
		fuzz_fail("cannot make '%s': %s", path, strerror(errno));
}

static bool ns_fuzz_in(uint64_t off, size_t len, uint64_t start, uint64_t size)
{
	return off < start + size && start < off + len;
}

/* Whether bytes [off, off + len) of a hash table's file touch its locks. */
static bool ns_fuzz_touches_hash_lock(const uint8_t *bytes, uint64_t off, size_t len)
{
	const struct map_region *region = (const void *)bytes;
	const struct hash_table *table = (const void *)(bytes + region->family[HASH_FAMILY_TABLE]);

	if (ns_fuzz_in(off, len, region->family[HASH_FAMILY_TABLE] +
				 offsetof(struct hash_table, repair_lock),
		       sizeof(struct map_lock)))
		return true;
	for (uint64_t b = 0; b < table->n_buckets; b++) {
		uint64_t lock = table->buckets_off + b * sizeof(struct hash_bucket) +
				offsetof(struct hash_bucket, lock);

		if (ns_fuzz_in(off, len, lock, sizeof(struct map_lock)))
			return true;
	}
	return false;
}

/* Whether bytes [off, off + len) of template `which` touch a lock. */
static bool ns_fuzz_touches_lock(int which, const uint8_t *bytes, uint64_t off, size_t len)
{
	const struct ns_fuzz_template *t = &templates[which];

	for (uint32_t i = 0; i < t->lock_cnt; i++)
		if (ns_fuzz_in(off, len, t->locks[i].off, t->locks[i].len))
			return true;
	switch (which == NS_FUZZ_REGISTRY ? 0 : t->type) {
	case 0:
		return ns_fuzz_in(off, len, NS_FUZZ_REGISTRY_LOCK_OFF, sizeof(struct map_lock));
	case BPF_MAP_TYPE_LPM_TRIE: /* lpm_hdr and queue_stack_hdr start with it */
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
		return ns_fuzz_in(off, len, MAP_FAMILY_DATA_OFFSET, sizeof(struct map_owner_lock));
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
	case BPF_MAP_TYPE_DEVMAP_HASH:
	case BPF_MAP_TYPE_SOCKHASH:
		return ns_fuzz_touches_hash_lock(bytes, off, len);
	default:
		return false;
	}
}

/* The file the input describes, in a new buffer of *size bytes. */
static uint8_t *ns_fuzz_file(int which, bool resize, const uint8_t *data, size_t size,
			     size_t *file_size)
{
	const struct ns_fuzz_template *t = &templates[which];
	uint8_t *file;

	size_t length = t->size;

	if (resize && size >= 2) {
		length = (data[0] | (size_t)data[1] << 8) % (2 * t->size);
		data += 2, size -= 2;
	}
	file = calloc(1, t->size > length ? t->size : length);
	if (!file)
		fuzz_fail("out of memory");
	memcpy(file, t->bytes, t->size);
	*file_size = length;
	while (size >= 3) {
		uint64_t off = (data[0] | (uint64_t)data[1] << 8) % t->size;
		size_t len = data[2];

		data += 3, size -= 3;
		if (len > size)
			len = size;
		if (len > t->size - off)
			len = t->size - off;
		if (!ns_fuzz_touches_lock(which, t->bytes, off, len))
			memcpy(file + off, data, len);
		data += len, size -= len;
	}
	return file;
}

/* Uses an accepted map as a user would: every answer is fine, a crash or
 * a read outside is not. */
static void ns_fuzz_use_map(struct bpfvm_map *map)
{
	struct bpfvm_map_info info;
	/* The largest a family accepts: SOCKHASH keys (MAX_BPF_STACK), local
	 * storage values (64 KiB less the kernel's header), which a file of
	 * the header alone may claim. */
	uint8_t key[512] = { 0 }, next[512];
	static uint8_t value[1 << 16];
	uint32_t steps = 0;

	if (bpfvm_map_get_info(map, &info))
		return;
	if (info.key_size > sizeof(key) ||
	    bpfvm_map_value_size_user(map) > sizeof(value))
		fuzz_fail("an accepted map has sizes %u/%u beyond any family's", info.key_size,
			  info.value_size);
	const void *k = info.key_size ? key : NULL;
	void *cur = NULL;

	/* A walk is bounded: a perf event array's or a header-only map's file
	 * is as large for any max_entries, so a valid one may have billions. */
	while (info.key_size && steps++ <= info.max_entries + 1 && steps <= NS_FUZZ_WALK_MAX &&
	       bpfvm_map_get_next_key(map, cur, next) == 0) {
		bpfvm_map_lookup(map, next, value);
		memcpy(key, next, info.key_size);
		cur = key;
	}
	memset(value, 0x5a, sizeof(value));
	bpfvm_map_lookup(map, k, value);
	bpfvm_map_update(map, k, value, BPF_ANY);
	for (uint32_t i = 0; i < 4; i++)
		bpfvm_map_lookup_and_delete(map, k, value);
	if (info.key_size)
		bpfvm_map_delete(map, k);
}

/* FUZZ_NS_VERBOSE set: what became of each input (to check that a
 * regression input is refused for the reason it was made for). */
static void ns_fuzz_say(int which, const char *what)
{
	if (getenv("FUZZ_NS_VERBOSE"))
		fprintf(stderr, "fuzz_input_ns: file %d: %s\n", which, what);
}

static void ns_fuzz_map(int which, const uint8_t *file, size_t size)
{
	char path[160];
	struct bpfvm_map *map;

	snprintf(path, sizeof(path), "%s/fuzzed", root);
	ns_fuzz_write(path, file, size);
	if (bpfvm_map_get_by_pin(vm, "fuzzed", NULL, &map) == 0) {
		ns_fuzz_use_map(map);
		bpfvm_map_close(map);
		ns_fuzz_say(which, "accepted");
	} else {
		ns_fuzz_say(which, bpfvm_errmsg());
	}
	unlink(path);
}

static int ns_fuzz_open_listed(void *ctx, const struct bpfvm_ns_entry *entry)
{
	struct bpfvm_map *map;

	if (bpfvm_map_get_by_id(ctx, entry->id, &map) == 0) {
		ns_fuzz_use_map(map);
		bpfvm_map_close(map);
	}
	return 0;
}

static void ns_fuzz_registry(const uint8_t *file, size_t size)
{
	struct bpfvm_opts opts = { .sz = sizeof(opts), .ns_root = registry_root };
	struct bpfvm *reg_vm;
	char path[160];

	snprintf(path, sizeof(path), "%s/.bpfvm/registry", registry_root);
	ns_fuzz_write(path, file, size);
	if (bpfvm_create(&opts, &reg_vm) == 0) {
		bpfvm_ns_list(reg_vm, ns_fuzz_open_listed, reg_vm);
		bpfvm_destroy(reg_vm);
		ns_fuzz_say(NS_FUZZ_REGISTRY, "accepted");
	} else {
		ns_fuzz_say(NS_FUZZ_REGISTRY, bpfvm_errmsg());
	}
	unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t file_size;
	uint8_t *file;
	int which;

	if (!vm)
		ns_fuzz_templates();
	if (size < 1)
		return 0;
	which = (data[0] & 0x7f) % NS_FUZZ_FILES;
	file = ns_fuzz_file(which, data[0] & 0x80, data + 1, size - 1, &file_size);
	if (which == NS_FUZZ_REGISTRY)
		ns_fuzz_registry(file, file_size);
	else
		ns_fuzz_map(which, file, file_size);
	free(file);
	return 0;
}
