/* A pinned hash map's file that any user of the namespace may write holds
 * a free stack and the chains side by side. A file whose free stack holds
 * an element that is also in a chain passes the open-time checks (each
 * chain ends, each link is an element), but hands that element out again:
 * linked a second time, it closes a loop, and a walk of that chain never
 * ended (fuzz_input_ns found it, a lookup_and_delete hung). Every walk is
 * bounded now (hash.c: hash_walk_budget); this test makes such a file
 * deliberately and runs every operation on it. The alarm fails it if one
 * loops. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "maps/hash.h"
#include "ns/ns_testlib.h"
#include "testlib.h"

#define CYCLE_KEYS 8u

/* Points the free stack's top at the element of `key`: the corruption. */
static int free_stack_top_at(struct bpfvm_map *map, uint32_t key)
{
	struct hash_table *table = hash_table(map);
	struct hash_elem *elem = hash_find(map, &key);
	uint64_t head, index;

	if (!elem)
		return -1;
	index = ((uint64_t)((uint8_t *)elem - (uint8_t *)map_at(map, table->elems_off))) /
		table->elem_size;
	head = atomic_load(&table->free_head);
	atomic_store(&table->free_head, (head & ~(uint64_t)UINT32_MAX) | (index + 1));
	return 0;
}

/* Every operation, a few times, on every key and on keys not there. */
static void use_every_operation(struct bpfvm_map *map)
{
	uint64_t value = 7, values[4 * CYCLE_KEYS];
	uint32_t key, next, steps = 0, keys[4 * CYCLE_KEYS], out, count;
	void *cur = NULL;

	for (uint32_t round = 0; round < 3; round++) {
		for (key = 0; key < 2 * CYCLE_KEYS; key++) {
			bpfvm_map_update(map, &key, &value, BPF_ANY);
			bpfvm_map_lookup(map, &key, &value);
		}
		while (steps++ < 4 * CYCLE_KEYS && bpfvm_map_get_next_key(map, cur, &next) == 0) {
			key = next;
			cur = &key;
		}
		count = 4 * CYCLE_KEYS;
		bpfvm_map_lookup_batch(map, NULL, &out, keys, values, &count, NULL);
		for (key = 0; key < 2 * CYCLE_KEYS; key++) {
			bpfvm_map_lookup_and_delete(map, &key, &value);
			bpfvm_map_delete(map, &key);
		}
	}
}

static void a_free_stack_holding_a_chained_element_never_hangs(const char *root)
{
	const char *test = "a_free_stack_holding_a_chained_element_never_hangs";

	for (uint32_t victim = 0; victim < CYCLE_KEYS; victim++) {
		struct bpfvm *vm = ns_test_vm(root), *other;
		struct bpfvm_map *map, *got;
		uint64_t value = 1;
		int rc;

		rc = bpfvm_map_create(vm, BPF_MAP_TYPE_HASH, "cycle", 4, 8, CYCLE_KEYS, NULL, &map);
		testlib_check(test, rc == 0, "create (%d)", rc);
		if (rc)
			return;
		for (uint32_t key = 0; key < CYCLE_KEYS; key++)
			bpfvm_map_update(map, &key, &value, BPF_ANY);
		testlib_check(test, bpfvm_map_pin(map, "cycle") == 0, "pin");
		testlib_check(test, free_stack_top_at(map, victim) == 0, "key %u is there", victim);
		bpfvm_map_close(map);
		bpfvm_destroy(vm);

		other = ns_test_vm(root);
		rc = bpfvm_map_get_by_pin(other, "cycle", NULL, &got);
		if (rc == 0) {
			use_every_operation(got);
			bpfvm_map_close(got);
		}
		/* Refused at open or used to the end: either way it returned. */
		testlib_check(test, rc == 0 || rc == -EINVAL,
			      "victim %u: opened or refused with EINVAL (%d)", victim, rc);
		bpfvm_obj_unpin(other, "cycle");
		bpfvm_destroy(other);
	}
}

int main(void)
{
	char root[4096];

	alarm(60);
	ns_test_root_make(root, sizeof(root));
	a_free_stack_holding_a_chained_element_never_hangs(root);
	ns_test_root_remove(root);
	return testlib_summary();
}
