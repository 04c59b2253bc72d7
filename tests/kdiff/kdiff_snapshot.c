/* A map's contents in a form both sides give alike (kdiff.h): a list of
 * entries, each
 *
 *     arrays, hash maps     key | value (every CPU's, as user space reads it)
 *     queues, stacks        value, in the order they pop
 *     ring buffers          u32 size | record, oldest first
 *
 * with the elements of arrays and hash maps sorted by key. Taking one
 * drains what reading drains.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "kdiff.h"

#define ENTRIES_MAX 1024
#define KEY_MAX 64
#define ENTRY_MAX 4096

struct kdiff_snapshot {
	uint32_t type, key_size;
	uint32_t cnt;
	bool sorted;
	struct entry {
		uint32_t len;
		uint8_t *bytes;
	} entries[ENTRIES_MAX];
};

static struct kdiff_snapshot *snapshot_new(const struct bpfvm_map_info *info)
{
	struct kdiff_snapshot *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->type = info->type;
	s->key_size = info->key_size;
	s->sorted = emaps_is_hash(info->type) || info->type == BPF_MAP_TYPE_ARRAY ||
		    info->type == BPF_MAP_TYPE_PERCPU_ARRAY;
	return s;
}

/* Appends `len` bytes as an entry; a ring buffer record gets its size
 * first. Usable as a ring buffer consumer. */
static int add_entry(void *ctx, void *data, size_t len)
{
	struct kdiff_snapshot *s = ctx;
	bool record = s->type == BPF_MAP_TYPE_RINGBUF;
	size_t total = len + (record ? 4 : 0);
	uint8_t *bytes;

	if (s->cnt == ENTRIES_MAX || total > ENTRY_MAX)
		return 0;
	bytes = malloc(total);
	if (!bytes)
		return 0;
	if (record) {
		uint32_t len32 = (uint32_t)len;

		memcpy(bytes, &len32, 4);
	}
	memcpy(bytes + (record ? 4 : 0), data, len);
	s->entries[s->cnt++] = (struct entry){ .len = (uint32_t)total, .bytes = bytes };
	return 0;
}

static int compare_entries(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	uint32_t len = x->len < y->len ? x->len : y->len;
	int order = memcmp(x->bytes, y->bytes, len);

	return order ? order : (int)x->len - (int)y->len;
}

static struct kdiff_snapshot *finish(struct kdiff_snapshot *s)
{
	if (s->sorted)
		qsort(s->entries, s->cnt, sizeof(s->entries[0]), compare_entries);
	return s;
}

/* ---- bpfvm's -------------------------------------------------------------- */

static void vm_elements(struct kdiff_snapshot *s, struct bpfvm_map *map)
{
	static uint8_t entry[KEY_MAX + ENTRY_MAX];
	size_t value_len = bpfvm_map_value_size_user(map);
	uint8_t key[KEY_MAX];

	if (s->key_size > KEY_MAX || value_len > ENTRY_MAX)
		return;
	for (void *prev = NULL; s->cnt < ENTRIES_MAX;) {
		if (bpfvm_map_get_next_key(map, prev, entry))
			break;
		memcpy(key, entry, s->key_size);
		prev = key;
		if (bpfvm_map_lookup(map, key, entry + s->key_size) == 0)
			add_entry(s, entry, s->key_size + value_len);
	}
}

struct kdiff_snapshot *kdiff_snapshot_vm(struct bpfvm_map *map)
{
	static uint8_t value[ENTRY_MAX];
	struct bpfvm_map_info info;
	struct kdiff_snapshot *s;

	bpfvm_map_get_info(map, &info);
	s = snapshot_new(&info);
	if (!s)
		return NULL;
	if (info.type == BPF_MAP_TYPE_RINGBUF)
		bpfvm_ringbuf_consume(map, add_entry, s);
	else if (info.type == BPF_MAP_TYPE_QUEUE || info.type == BPF_MAP_TYPE_STACK)
		while (s->cnt < ENTRIES_MAX && info.value_size <= sizeof(value) &&
		       bpfvm_map_lookup_and_delete(map, NULL, value) == 0)
			add_entry(s, value, info.value_size);
	else if (s->sorted)
		vm_elements(s, map);
	return finish(s);
}

/* ---- the kernel's ---------------------------------------------------------- */

/* One element at a time: two system calls each. */
static void kernel_elements_one_by_one(struct kdiff_snapshot *s, struct kdiff_kmap *map,
				       size_t value_len)
{
	static uint8_t entry[KEY_MAX + ENTRY_MAX];
	uint8_t key[KEY_MAX];

	for (void *prev = NULL; s->cnt < ENTRIES_MAX;) {
		if (bpf_map_get_next_key(map->fd, prev, entry))
			break;
		memcpy(key, entry, s->key_size);
		prev = key;
		if (bpf_map_lookup_elem(map->fd, key, entry + s->key_size) == 0)
			add_entry(s, entry, s->key_size + value_len);
	}
}

/* BPF_MAP_LOOKUP_BATCH: the whole map in one or a few system calls (each
 * costs more than the lookup itself in a guest); false if the kernel
 * refuses it, before anything was added. */
static bool kernel_elements_batched(struct kdiff_snapshot *s, struct kdiff_kmap *map,
				    size_t value_len)
{
	enum { BATCH = 64 };
	static uint8_t keys[BATCH * KEY_MAX], values[BATCH * ENTRY_MAX];
	static uint8_t entry[KEY_MAX + ENTRY_MAX];
	uint64_t in_batch = 0, out_batch = 0; /* hash maps: a bucket; arrays: an index */
	uint32_t total = 0;

	if (value_len * BATCH > sizeof(values))
		return false;
	for (bool first = true;; first = false) {
		uint32_t count = BATCH;
		int err = bpf_map_lookup_batch(map->fd, first ? NULL : &in_batch, &out_batch,
					       keys, values, &count, NULL);

		if (err && errno != ENOENT)
			return total == 0 ? false : true;
		for (uint32_t i = 0; i < count && s->cnt < ENTRIES_MAX; i++) {
			memcpy(entry, keys + i * s->key_size, s->key_size);
			memcpy(entry + s->key_size, values + i * value_len, value_len);
			add_entry(s, entry, s->key_size + value_len);
		}
		total += count;
		if (err)
			return true; /* ENOENT: the last batch */
		in_batch = out_batch;
	}
}

static void kernel_elements(struct kdiff_snapshot *s, struct kdiff_kmap *map)
{
	size_t value_len = kdiff_kernel_value_size_user(&map->info);

	if (s->key_size > KEY_MAX || value_len > ENTRY_MAX)
		return;
	if (!kernel_elements_batched(s, map, value_len))
		kernel_elements_one_by_one(s, map, value_len);
}

struct kdiff_snapshot *kdiff_snapshot_kernel(struct kdiff_kmap *map)
{
	static uint8_t value[ENTRY_MAX];
	struct kdiff_snapshot *s = snapshot_new(&map->info);
	uint32_t type = map->info.type;

	if (!s)
		return NULL;
	if (type == BPF_MAP_TYPE_RINGBUF)
		kdiff_kernel_ring_consume(map, add_entry, s);
	else if (type == BPF_MAP_TYPE_QUEUE || type == BPF_MAP_TYPE_STACK)
		while (s->cnt < ENTRIES_MAX && map->info.value_size <= sizeof(value) &&
		       bpf_map_lookup_and_delete_elem(map->fd, NULL, value) == 0)
			add_entry(s, value, map->info.value_size);
	else if (s->sorted)
		kernel_elements(s, map);
	return finish(s);
}

/* ---- compared ------------------------------------------------------------- */

static void print_hex(char *out, size_t size, const uint8_t *bytes, uint32_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (uint32_t i = 0; i < len && used + 3 < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%02x", bytes[i]);
}

static void describe_entry(const struct kdiff_snapshot *s, uint32_t i, const struct entry *k,
			   const struct entry *v, char *why, size_t size)
{
	uint32_t at = 0, len = k->len < v->len ? k->len : v->len;
	char key[2 * KEY_MAX + 1] = "";

	while (at < len && k->bytes[at] == v->bytes[at])
		at++;
	if (s->sorted)
		print_hex(key, sizeof(key), k->bytes, s->key_size);
	if (at == len)
		snprintf(why, size, "entry %u%s%s: kernel %u bytes, bpfvm %u", i,
			 key[0] ? " key " : "", key, k->len, v->len);
	else
		snprintf(why, size, "entry %u%s%s: byte %u: kernel %02x, bpfvm %02x", i,
			 key[0] ? " key " : "", key, at, k->bytes[at], v->bytes[at]);
}

bool kdiff_snapshots_equal(const struct kdiff_snapshot *kernel, const struct kdiff_snapshot *vm,
			   char *why, size_t size)
{
	if (!kernel || !vm) {
		snprintf(why, size, "no snapshot (out of memory)");
		return false;
	}
	for (uint32_t i = 0; i < kernel->cnt && i < vm->cnt; i++) {
		const struct entry *k = &kernel->entries[i], *v = &vm->entries[i];

		if (k->len == v->len && !memcmp(k->bytes, v->bytes, k->len))
			continue;
		describe_entry(kernel, i, k, v, why, size);
		return false;
	}
	if (kernel->cnt == vm->cnt)
		return true;
	snprintf(why, size, "kernel has %u entries, bpfvm %u", kernel->cnt, vm->cnt);
	return false;
}

void kdiff_snapshot_free(struct kdiff_snapshot *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < s->cnt; i++)
		free(s->entries[i].bytes);
	free(s);
}
