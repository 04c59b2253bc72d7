/* Map contents for the differential fuzzer (fuzz_engines.h): filled from a
 * seed before each engine's run, compared after both. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_engines.h"

#define KEY_MAX 256
#define VALUE_MAX (1 << 16)
#define ARRAY_FILLED_MAX 1024	 /* elements of an array given values */
#define ELEMENTS_COMPARED_MAX 65536
#define RECORDS_MAX (1 << 16)	 /* bytes of ring buffer records compared */

void emaps_random_bytes(struct fuzz_rng *rng, uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)fuzz_next(rng);
}

bool emaps_is_hash(uint32_t type)
{
	return type == BPF_MAP_TYPE_HASH || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static bool is_array(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

static bool is_queue(uint32_t type)
{
	return type == BPF_MAP_TYPE_QUEUE || type == BPF_MAP_TYPE_STACK;
}

/* Maps whose elements are plain keys and values a caller can read. */
static bool has_elements(uint32_t type)
{
	return emaps_is_hash(type) || is_array(type) || type == BPF_MAP_TYPE_LPM_TRIE;
}

static int drop_record(void *ctx, void *data, size_t size)
{
	(void)ctx, (void)data, (void)size;
	return 0;
}

static void clear_elements(struct bpfvm_map *map)
{
	uint8_t key[KEY_MAX];

	while (bpfvm_map_get_next_key(map, NULL, key) == 0)
		if (bpfvm_map_delete(map, key))
			break;
}

static void fill_queue(struct fuzz_rng *rng, struct bpfvm_map *map,
		       const struct bpfvm_map_info *info, uint8_t *value)
{
	uint32_t n = fuzz_below(rng, info->max_entries + 1);

	while (bpfvm_map_lookup_and_delete(map, NULL, value) == 0)
		;
	for (uint32_t i = 0; i < n; i++) {
		emaps_random_bytes(rng, value, info->value_size);
		bpfvm_map_update(map, NULL, value, BPF_ANY);
	}
}

void emaps_fill(struct fuzz_rng *rng, struct bpfvm_map *map)
{
	static uint8_t value[VALUE_MAX];
	struct bpfvm_map_info info;
	uint8_t key[KEY_MAX];
	size_t value_len = bpfvm_map_value_size_user(map);

	bpfvm_map_get_info(map, &info);
	if (info.type == BPF_MAP_TYPE_RINGBUF) {
		bpfvm_ringbuf_consume(map, drop_record, NULL);
		return;
	}
	if (info.key_size > sizeof(key) || value_len > sizeof(value))
		return;
	if (is_queue(info.type)) {
		fill_queue(rng, map, &info, value);
		return;
	}
	if (!emaps_is_hash(info.type) && !is_array(info.type))
		return;
	if (emaps_is_hash(info.type))
		clear_elements(map);
	for (uint32_t i = 0; i < info.max_entries && i < ARRAY_FILLED_MAX; i++) {
		bool random_value = i < 8;

		if (emaps_is_hash(info.type) && !random_value)
			break;
		memset(key, 0, info.key_size);
		if (is_array(info.type))
			memcpy(key, &i, 4);
		else if (fuzz_below(rng, 2))
			memcpy(key, &i, info.key_size < 4 ? info.key_size : 4); /* small keys */
		else
			emaps_random_bytes(rng, key, info.key_size);
		memset(value, 0, value_len);
		if (random_value)
			emaps_random_bytes(rng, value, value_len);
		bpfvm_map_update(map, key, value, BPF_ANY); /* refused when frozen */
	}
}

static void print_bytes(char *out, size_t size, const uint8_t *bytes, size_t len)
{
	size_t used = 0;

	for (size_t i = 0; i < len && used + 3 < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%02x", bytes[i]);
}

static uint32_t count_keys(struct bpfvm_map *map, uint32_t limit)
{
	uint8_t key[KEY_MAX], next[KEY_MAX];
	uint32_t n = 0;

	for (void *prev = NULL; n < limit && bpfvm_map_get_next_key(map, prev, next) == 0; n++) {
		memcpy(key, next, sizeof(key));
		prev = key;
	}
	return n;
}

static bool elements_equal(struct bpfvm_map *a, struct bpfvm_map *b,
			   const struct bpfvm_map_info *info, char *why, size_t why_size)
{
	static uint8_t va[VALUE_MAX], vb[VALUE_MAX];
	size_t value_len = bpfvm_map_value_size_user(a);
	uint8_t key[KEY_MAX], next[KEY_MAX];
	uint32_t na = 0, nb;
	char key_text[2 * KEY_MAX + 1] = "";

	if (info->key_size > KEY_MAX || value_len > VALUE_MAX)
		return true;
	for (void *prev = NULL;
	     na < ELEMENTS_COMPARED_MAX && bpfvm_map_get_next_key(a, prev, next) == 0; na++) {
		int ea = bpfvm_map_lookup(a, next, va), eb = bpfvm_map_lookup(b, next, vb);

		memcpy(key, next, info->key_size);
		prev = key;
		if (ea == eb && (ea || !memcmp(va, vb, value_len)))
			continue;
		print_bytes(key_text, sizeof(key_text), key, info->key_size);
		if (ea != eb) {
			snprintf(why, why_size, "key %s: interp lookup %d, jit lookup %d", key_text,
				 ea, eb);
		} else {
			size_t at = 0;

			while (va[at] == vb[at])
				at++;
			snprintf(why, why_size,
				 "key %s: values differ at byte %zu of %zu: interp %02x, jit %02x",
				 key_text, at, value_len, va[at], vb[at]);
		}
		return false;
	}
	nb = count_keys(b, ELEMENTS_COMPARED_MAX);
	if (na != nb) {
		snprintf(why, why_size, "interp has %u elements, jit %u", na, nb);
		return false;
	}
	return true;
}

static bool queues_equal(struct bpfvm_map *a, struct bpfvm_map *b,
			 const struct bpfvm_map_info *info, char *why, size_t why_size)
{
	uint8_t va[64], vb[64];

	if (info->value_size > sizeof(va))
		return true;
	for (uint32_t i = 0;; i++) {
		int ea = bpfvm_map_lookup_and_delete(a, NULL, va);
		int eb = bpfvm_map_lookup_and_delete(b, NULL, vb);

		if (ea != eb || (!ea && memcmp(va, vb, info->value_size))) {
			snprintf(why, why_size, "element %u popped: interp %d, jit %d%s", i, ea, eb,
				 ea == eb ? ", values differ" : "");
			return false;
		}
		if (ea)
			return true;
	}
}

struct records {
	uint8_t bytes[RECORDS_MAX];
	size_t len;
	uint32_t cnt;
};

/* Appends each record as its size then its bytes. */
static int keep_record(void *ctx, void *data, size_t size)
{
	struct records *r = ctx;
	uint32_t size32 = (uint32_t)size;

	r->cnt++;
	if (r->len + sizeof(size32) + size > sizeof(r->bytes))
		return 0;
	memcpy(r->bytes + r->len, &size32, sizeof(size32));
	memcpy(r->bytes + r->len + sizeof(size32), data, size);
	r->len += sizeof(size32) + size;
	return 0;
}

static bool ringbufs_equal(struct bpfvm_map *a, struct bpfvm_map *b, char *why, size_t why_size)
{
	static struct records ra, rb;

	ra.len = rb.len = 0;
	ra.cnt = rb.cnt = 0;
	bpfvm_ringbuf_consume(a, keep_record, &ra);
	bpfvm_ringbuf_consume(b, keep_record, &rb);
	if (ra.cnt == rb.cnt && ra.len == rb.len && !memcmp(ra.bytes, rb.bytes, ra.len))
		return true;
	snprintf(why, why_size, "ring buffer: interp %u records (%zu bytes), jit %u (%zu bytes)%s",
		 ra.cnt, ra.len, rb.cnt, rb.len,
		 ra.cnt == rb.cnt && ra.len == rb.len ? ", contents differ" : "");
	return false;
}

bool emaps_equal(struct bpfvm_map *a, struct bpfvm_map *b, char *why, size_t why_size)
{
	struct bpfvm_map_info info;

	bpfvm_map_get_info(a, &info);
	if (info.type == BPF_MAP_TYPE_RINGBUF)
		return ringbufs_equal(a, b, why, why_size);
	if (is_queue(info.type))
		return queues_equal(a, b, &info, why, why_size);
	if (has_elements(info.type))
		return elements_equal(a, b, &info, why, why_size);
	return true;
}
