/* The public map API on ARRAY, PERCPU_ARRAY, PROG_ARRAY, ARRAY_OF_MAPS,
 * QUEUE, STACK and LPM_TRIE: every operation and every error path, with the
 * kernel's errno values (which test_maps_kernel_diff checks against the
 * running kernel) and a message naming the map. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "engine/prog.h"
#include "maps/map.h"
#include "maps/prog_array.h"
#include "maps_testutil.h"

#define NR_CPUS 3

static struct bpfvm *vm;

static void test_array_create_checks(void)
{
	const char *t = "array_create_checks_sizes_and_flags";

	expect_rc(t, create_rc(vm, BPF_MAP_TYPE_ARRAY, 8, 4, 4, 0, NULL), -EINVAL, "key_size 4");
	expect_rc(t, create_rc(vm, BPF_MAP_TYPE_ARRAY, 4, 0, 4, 0, NULL), -EINVAL, "value_size");
	expect_rc(t, create_rc(vm, BPF_MAP_TYPE_ARRAY, 4, 4, 0, 0, NULL), -EINVAL, "max_entries");
	expect_rc(t, create_rc(vm, BPF_MAP_TYPE_ARRAY, 4, 4, 4, BPF_F_NO_PREALLOC, NULL), -EINVAL,
		  "flags");
	expect_rc(t, create_rc(vm, BPF_MAP_TYPE_ARRAY, 4, 4, 4, BPF_F_PRESERVE_ELEMS, NULL),
		  -EINVAL, "perf event");
	expect_rc(t, create_rc(vm, BPF_MAP_TYPE_ARRAY, 4, 4, 4, BPF_F_RDONLY | BPF_F_WRONLY, NULL),
		  -EINVAL, "BPF_F_RDONLY and BPF_F_WRONLY");
	expect_rc(t, create_rc(vm, BPF_MAP_TYPE_ARRAY, 4, 4, 4,
			       BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG, NULL),
		  -EINVAL, "BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG");
	expect_rc(t, create_rc(vm, BPF_MAP_TYPE_ARRAY, 4, 0x80000000u, 2, 0, NULL), -E2BIG,
		  "too large");
	expect_rc(t, create_rc(vm, BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 4, BPF_F_MMAPABLE, NULL),
		  -EINVAL, "BPF_F_MMAPABLE");
	expect_rc(t, create_rc(vm, BPF_MAP_TYPE_PERCPU_ARRAY, 4, 40000, 4, 0, NULL), -E2BIG,
		  "too large");
	expect_rc(t, create_rc(vm, BPF_MAP_TYPE_PERCPU_ARRAY, 4, 32768, 4, 0, NULL), 0, NULL);
	expect_rc(t, create_rc(vm, BPF_MAP_TYPE_ARRAY, 4, 4, 4,
			       BPF_F_MMAPABLE | BPF_F_RDONLY_PROG | BPF_F_INNER_MAP, NULL),
		  0, NULL);
	expect_rc(t, create_rc(vm, (enum bpf_map_type)200, 4, 4, 4, 0, NULL), -EINVAL,
		  "not supported");

	struct bpfvm_map_create_opts extra = { .sz = sizeof(extra), .map_extra = 1 };
	struct bpfvm_map *map = NULL;

	expect_rc(t, bpfvm_map_create(vm, BPF_MAP_TYPE_ARRAY, "x", 4, 4, 2, &extra, &map), -EINVAL,
		  "map_extra");
	expect_rc(t, bpfvm_map_create(vm, BPF_MAP_TYPE_ARRAY, "a-b", 4, 4, 2, NULL, &map), -EINVAL,
		  "invalid character");
	expect_rc(t, bpfvm_map_create(NULL, BPF_MAP_TYPE_ARRAY, "a", 4, 4, 2, NULL, &map), -EINVAL,
		  "NULL");
}

static void test_array_info_and_ids(void)
{
	const char *t = "array_info_name_truncated_and_id_lookup";
	struct bpfvm_map *map = create_map(vm, BPF_MAP_TYPE_ARRAY, "0123456789abcdefXYZ", 4, 12, 5,
					   BPF_F_RDONLY_PROG, NULL);
	struct bpfvm_map *again = NULL;
	struct bpfvm_map_info info;

	if (!map)
		return;
	expect_rc(t, bpfvm_map_get_info(map, &info), 0, NULL);
	testlib_check(t, info.type == BPF_MAP_TYPE_ARRAY && info.key_size == 4 &&
			     info.value_size == 12 && info.max_entries == 5 &&
			     info.map_flags == BPF_F_RDONLY_PROG && info.id > 0,
		      "info %u %u %u %u 0x%x id %u", info.type, info.key_size, info.value_size,
		      info.max_entries, info.map_flags, info.id);
	testlib_check(t, strcmp(bpfvm_map_name(map), "0123456789abcde") == 0, "name '%s'",
		      bpfvm_map_name(map));
	testlib_check(t, bpfvm_map_value_size_user(map) == 12, "user value size %zu",
		      bpfvm_map_value_size_user(map));
	expect_rc(t, bpfvm_map_get_by_id(vm, info.id, &again), 0, NULL);
	testlib_check(t, again == map, "get_by_id gave another map");
	bpfvm_map_close(again);
	bpfvm_map_close(map);
	expect_rc(t, bpfvm_map_get_by_id(vm, info.id, &again), -ENOENT, "no map with id");
	expect_rc(t, bpfvm_map_get_by_id(vm, 0, &again), -ENOENT, "no map with id");
}

static void test_array_ops(void)
{
	const char *t = "array_ops_have_the_kernel_errnos";
	struct bpfvm_map *map = create_map(vm, BPF_MAP_TYPE_ARRAY, "arr", 4, 6, 4, 0, NULL);
	uint8_t value[6] = { 1, 2, 3, 4, 5, 6 }, out[6];
	uint32_t key = 2, next;

	if (!map)
		return;
	expect_rc(t, bpfvm_map_lookup(map, &key, out), 0, NULL);
	testlib_check(t, memcmp(out, "\0\0\0\0\0\0", 6) == 0, "elements start zeroed");
	expect_rc(t, bpfvm_map_update(map, &key, value, BPF_ANY), 0, NULL);
	expect_rc(t, bpfvm_map_update(map, &key, value, BPF_EXIST), 0, NULL);
	expect_rc(t, bpfvm_map_lookup(map, &key, out), 0, NULL);
	testlib_check(t, memcmp(out, value, 6) == 0, "lookup returns the update");
	expect_rc(t, bpfvm_map_update(map, &key, value, BPF_NOEXIST), -EEXIST, "element exists");
	expect_rc(t, bpfvm_map_update(map, &key, value, 3), -EINVAL, "update");
	expect_rc(t, bpfvm_map_update(map, &key, value, BPF_F_LOCK), -EINVAL, "bpf_spin_lock");
	key = 4;
	expect_rc(t, bpfvm_map_update(map, &key, value, BPF_ANY), -E2BIG, "out of range");
	expect_rc(t, bpfvm_map_lookup(map, &key, out), -ENOENT, "no such element");
	expect_rc(t, bpfvm_map_delete(map, &key), -EINVAL, "delete");
	key = 0;
	expect_rc(t, bpfvm_map_delete(map, &key), -EINVAL, "delete");
	expect_rc(t, bpfvm_map_lookup_flags(map, &key, out, BPF_F_LOCK), -EINVAL, "bpf_spin_lock");
	expect_rc(t, bpfvm_map_lookup_flags(map, &key, out, 2), -EINVAL, "unknown flags");
	expect_rc(t, bpfvm_map_lookup_and_delete(map, &key, out), -ENOTSUPP_KERNEL,
		  "not supported");
	expect_rc(t, bpfvm_map_lookup(map, NULL, out), -EFAULT, "NULL key");
	expect_rc(t, bpfvm_map_lookup(map, &key, NULL), -EFAULT, "NULL value");
	expect_rc(t, bpfvm_map_update(map, NULL, value, 0), -EFAULT, "NULL key");
	expect_rc(t, bpfvm_map_lookup(NULL, &key, out), -EINVAL, "NULL map");

	expect_rc(t, bpfvm_map_get_next_key(map, NULL, &next), 0, NULL);
	testlib_check(t, next == 0, "first key %u", next);
	key = 2;
	expect_rc(t, bpfvm_map_get_next_key(map, &key, &next), 0, NULL);
	testlib_check(t, next == 3, "next of 2 is %u", next);
	key = 3;
	expect_rc(t, bpfvm_map_get_next_key(map, &key, &next), -ENOENT, "no such element");
	key = 99;
	expect_rc(t, bpfvm_map_get_next_key(map, &key, &next), 0, NULL);
	testlib_check(t, next == 0, "next of an out-of-range key is %u", next);

	/* Frozen: user writes refused, reads allowed; freezing twice is EPERM. */
	expect_rc(t, bpfvm_map_freeze(map), 0, NULL);
	expect_rc(t, bpfvm_map_freeze(map), -EPERM, "frozen");
	key = 0;
	expect_rc(t, bpfvm_map_update(map, &key, value, 0), -EPERM, "frozen");
	expect_rc(t, bpfvm_map_delete(map, &key), -EPERM, "frozen");
	expect_rc(t, bpfvm_map_lookup_and_delete(map, &key, out), -EPERM, "frozen");
	expect_rc(t, bpfvm_map_lookup(map, &key, out), 0, NULL);
	bpfvm_map_close(map);
}

static void test_array_access_flags(void)
{
	const char *t = "array_rdonly_wronly_limit_user_space";
	struct bpfvm_map *ro = create_map(vm, BPF_MAP_TYPE_ARRAY, "ro", 4, 4, 4, BPF_F_RDONLY, NULL);
	struct bpfvm_map *wo = create_map(vm, BPF_MAP_TYPE_ARRAY, "wo", 4, 4, 4, BPF_F_WRONLY, NULL);
	uint32_t key = 0, value = 7;

	if (!ro || !wo)
		return;
	expect_rc(t, bpfvm_map_update(ro, &key, &value, 0), -EPERM, "read-only");
	expect_rc(t, bpfvm_map_lookup(ro, &key, &value), 0, NULL);
	expect_rc(t, bpfvm_map_freeze(ro), -EPERM, "read-only");
	expect_rc(t, bpfvm_map_update(wo, &key, &value, 0), 0, NULL);
	expect_rc(t, bpfvm_map_lookup(wo, &key, &value), -EPERM, "write-only");
	expect_rc(t, bpfvm_map_get_next_key(wo, NULL, &key), -EPERM, "write-only");
	expect_rc(t, bpfvm_map_freeze(wo), 0, NULL);
	bpfvm_map_close(ro);
	bpfvm_map_close(wo);
}

static void test_array_program_side(void)
{
	const char *t = "array_program_side_values_and_direct_addr";
	struct bpfvm_map *map = create_map(vm, BPF_MAP_TYPE_ARRAY, "g", 4, 20, 1, 0, NULL);
	struct bpfvm_map *two = create_map(vm, BPF_MAP_TYPE_ARRAY, "g2", 4, 8, 2, 0, NULL);
	uint8_t user[20];
	uint32_t key = 0;
	void *addr = NULL;

	if (!map || !two)
		return;
	uint8_t *value = map->ops->bpf_lookup(map, &key, 0);

	testlib_check(t, value && ((uintptr_t)value & 7) == 0, "value %p is 8-byte aligned", value);
	if (!value)
		return;
	memset(value, 0xab, 20);
	expect_rc(t, bpfvm_map_lookup(map, &key, user), 0, NULL);
	testlib_check(t, user[0] == 0xab && user[19] == 0xab, "program writes are visible");
	testlib_check(t, map->ops->direct_value_addr(map, 16, &addr) == 0 && addr == value + 16,
		      "direct value address");
	testlib_check(t, map->ops->direct_value_addr(map, 20, &addr) == -EINVAL,
		      "offset past the value");
	testlib_check(t, two->ops->direct_value_addr(two, 0, &addr) == -ENOTSUPP_KERNEL,
		      "direct value of a 2-entry array");
	key = 1;
	testlib_check(t, map->ops->bpf_lookup(map, &key, 0) == NULL, "out of range is NULL");
	testlib_check(t, map->ops->bpf_delete(map, &key, 0) == -EINVAL, "program delete");
	key = 0;
	testlib_check(t, map->ops->bpf_update(map, &key, user, BPF_NOEXIST, 0) == -EEXIST,
		      "program update NOEXIST");
	bpfvm_map_close(map);
	bpfvm_map_close(two);
}

static long count_cb(struct bpfvm_map *map, void *key, void *value, void *ctx)
{
	uint32_t *seen = ctx;

	seen[0] += *(uint32_t *)key;
	return *(uint32_t *)key == 2; /* stop after key 2 */
}

static void test_percpu_array(void)
{
	const char *t = "percpu_array_user_sees_every_cpu";
	struct bpfvm_map *map = create_map(vm, BPF_MAP_TYPE_PERCPU_ARRAY, "pc", 4, 4, 4, 0, NULL);
	uint64_t values[NR_CPUS], out[NR_CPUS];
	uint32_t key = 1, seen = 0;

	if (!map)
		return;
	testlib_check(t, bpfvm_map_value_size_user(map) == 8 * NR_CPUS, "user size %zu",
		      bpfvm_map_value_size_user(map));
	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		values[cpu] = 0x1111111100000000ull | (uint64_t)(cpu + 10);
	expect_rc(t, bpfvm_map_update(map, &key, values, BPF_ANY), 0, NULL);
	for (uint32_t cpu = 0; cpu < NR_CPUS; cpu++) {
		uint32_t *mine = map->ops->bpf_lookup(map, &key, cpu);

		testlib_check(t, mine && *mine == cpu + 10, "cpu %u sees %u", cpu, mine ? *mine : 0);
		if (mine)
			*mine = 100 + cpu;
		testlib_check(t, map->ops->bpf_lookup_percpu(map, &key, cpu) == mine,
			      "lookup_percpu of cpu %u", cpu);
	}
	testlib_check(t, map->ops->bpf_lookup_percpu(map, &key, NR_CPUS) == NULL,
		      "lookup_percpu past the last cpu");
	expect_rc(t, bpfvm_map_lookup(map, &key, out), 0, NULL);
	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		testlib_check(t, out[cpu] == (0x1111111100000000ull | (uint64_t)(100 + cpu)),
			      "cpu %d value 0x%llx (stride 8, padding kept)", cpu,
			      (unsigned long long)out[cpu]);
	expect_rc(t, bpfvm_map_update(map, &key, values, BPF_F_LOCK), -EINVAL, "bpf_spin_lock");
	key = 4;
	expect_rc(t, bpfvm_map_update(map, &key, values, 0), -E2BIG, "out of range");
	expect_rc(t, bpfvm_map_lookup(map, &key, out), -ENOENT, "no such element");
	key = 0;
	testlib_check(t, map->ops->bpf_for_each(map, 0, count_cb, &seen) == 3 && seen == 3,
		      "for_each visits 0,1,2 then stops (seen %u)", seen);
	bpfvm_map_close(map);
}

static struct bpfvm_prog *load_prog(int retval)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = retval },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpfvm_prog *prog = NULL;

	if (bpfvm_prog_load_raw(vm, insns, 2, NULL, &prog)) {
		printf("FAIL load: %s\n", bpfvm_errmsg());
		testlib_count_failure();
	}
	return prog;
}

static void test_prog_array(void)
{
	const char *t = "prog_array_takes_ids_and_keeps_its_owner";
	struct bpfvm_map *map = create_map(vm, BPF_MAP_TYPE_PROG_ARRAY, "jmp", 4, 4, 4, 0, NULL);
	struct bpfvm_prog *p1 = load_prog(1), *p2 = load_prog(2), *xdp = load_prog(3);
	uint32_t key = 0, id, out;

	expect_rc(t, create_rc(vm, BPF_MAP_TYPE_PROG_ARRAY, 4, 8, 4, 0, NULL), -EINVAL,
		  "value_size must be 4");
	expect_rc(t, create_rc(vm, BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, BPF_F_RDONLY_PROG, NULL),
		  -EINVAL, "BPF_F_RDONLY_PROG");
	expect_rc(t, create_rc(vm, BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, BPF_F_MMAPABLE, NULL),
		  -EINVAL, "BPF_F_MMAPABLE");
	if (!map || !p1 || !p2 || !xdp)
		return;
	xdp->type = BPF_PROG_TYPE_XDP; /* as if loaded from an "xdp" section */
	id = bpfvm_prog_id(p1);
	expect_rc(t, bpfvm_map_lookup(map, &key, &out), -ENOENT, "no such element");
	testlib_check(t, prog_array_get(map, 0) == NULL, "empty slot");
	expect_rc(t, bpfvm_map_update(map, &key, &id, BPF_ANY), 0, NULL);
	expect_rc(t, bpfvm_map_lookup(map, &key, &out), 0, NULL);
	testlib_check(t, out == id, "lookup returns the program id (%u, want %u)", out, id);
	testlib_check(t, prog_array_get(map, 0) == p1, "the engine sees the program");
	testlib_check(t, prog_array_get(map, 4) == NULL && prog_array_get(map, UINT32_MAX) == NULL,
		      "out of range is NULL");
	expect_rc(t, bpfvm_map_update(map, &key, &id, BPF_NOEXIST), -EINVAL, "BPF_ANY");
	expect_rc(t, bpfvm_map_update(map, &key, &id, BPF_EXIST), -EINVAL, "BPF_ANY");
	id = 99999;
	expect_rc(t, bpfvm_map_update(map, &key, &id, BPF_ANY), -EBADF, "no program with id");
	id = bpfvm_prog_id(xdp);
	expect_rc(t, bpfvm_map_update(map, &key, &id, BPF_ANY), -EINVAL, "cannot join");
	testlib_check(t, prog_array_check_owner(map, xdp) == -EINVAL, "loader owner check");
	testlib_check(t, prog_array_check_owner(map, p2) == 0, "same type joins");
	key = 4;
	id = bpfvm_prog_id(p2);
	expect_rc(t, bpfvm_map_update(map, &key, &id, BPF_ANY), -E2BIG, "out of range");
	expect_rc(t, bpfvm_map_delete(map, &key), -E2BIG, "delete");
	key = 0;
	expect_rc(t, bpfvm_map_update(map, &key, &id, BPF_ANY), 0, NULL);
	testlib_check(t, prog_array_get(map, 0) == p2, "replaced atomically");
	expect_rc(t, bpfvm_map_delete(map, &key), 0, NULL);
	expect_rc(t, bpfvm_map_delete(map, &key), -ENOENT, "no such element");
	/* Emptied, the array keeps its owner. */
	id = bpfvm_prog_id(xdp);
	expect_rc(t, bpfvm_map_update(map, &key, &id, BPF_ANY), -EINVAL, "cannot join");
	expect_rc(t, bpfvm_map_get_next_key(map, NULL, &out), 0, NULL);
	testlib_check(t, out == 0, "next key walks indexes");
	uint32_t keys[2], values[2], count = 2, batch;

	expect_rc(t, bpfvm_map_lookup_batch(map, NULL, &batch, keys, values, &count, NULL),
		  -ENOTSUPP_KERNEL, "batch");
	expect_rc(t, bpfvm_map_lookup_and_delete(map, &key, &out), -ENOTSUPP_KERNEL,
		  "not supported");
	bpfvm_map_close(map);
	bpfvm_prog_free(p1);
	bpfvm_prog_free(p2);
	bpfvm_prog_free(xdp);
}

static void test_array_of_maps(void)
{
	const char *t = "array_of_maps_checks_the_template";
	struct bpfvm_map *tmpl = create_map(vm, BPF_MAP_TYPE_ARRAY, "tmpl", 4, 8, 4, 0, NULL);
	struct bpfvm_map *same = create_map(vm, BPF_MAP_TYPE_ARRAY, "same", 4, 8, 4, 0, NULL);
	struct bpfvm_map *longer = create_map(vm, BPF_MAP_TYPE_ARRAY, "longer", 4, 8, 5, 0, NULL);
	struct bpfvm_map *jmp = create_map(vm, BPF_MAP_TYPE_PROG_ARRAY, "jmp2", 4, 4, 4, 0, NULL);
	struct bpfvm_map *queue = create_map(vm, BPF_MAP_TYPE_QUEUE, "q", 0, 4, 4, 0, NULL);
	struct bpfvm_map *outer;
	uint32_t key = 0, id, out;

	if (!tmpl || !same || !longer || !jmp || !queue)
		return;
	expect_rc(t, create_rc(vm, BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, 0, NULL), -EINVAL,
		  "inner map");
	expect_rc(t, create_rc(vm, BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, 0, jmp), -ENOTSUPP_KERNEL,
		  "prog array");
	expect_rc(t, create_rc(vm, BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 8, 2, 0, tmpl), -EINVAL,
		  "value_size must be 4");
	expect_rc(t, create_rc(vm, BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, BPF_F_RDONLY_PROG, tmpl),
		  -EINVAL, "BPF_F_RDONLY_PROG");
	expect_rc(t, create_rc(vm, BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, 0, queue), 0, NULL);
	outer = create_map(vm, BPF_MAP_TYPE_ARRAY_OF_MAPS, "outer", 4, 4, 2, 0, tmpl);
	if (!outer)
		return;
	expect_rc(t, create_rc(vm, BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, 0, outer), -EINVAL,
		  "one level");
	id = bpfvm_map_get_info(longer, &(struct bpfvm_map_info){ 0 }) ? 0 : longer->region->id;
	expect_rc(t, bpfvm_map_update(outer, &key, &id, 0), -EINVAL, "max_entries differs");
	id = queue->region->id;
	expect_rc(t, bpfvm_map_update(outer, &key, &id, 0), -EINVAL, "type differs");
	id = 123456;
	expect_rc(t, bpfvm_map_update(outer, &key, &id, 0), -EBADF, "no map with id");
	id = same->region->id;
	expect_rc(t, bpfvm_map_update(outer, &key, &id, BPF_EXIST), -EINVAL, "BPF_ANY");
	expect_rc(t, bpfvm_map_update(outer, &key, &id, BPF_ANY), 0, NULL);
	key = 2;
	expect_rc(t, bpfvm_map_update(outer, &key, &id, BPF_ANY), -E2BIG, "out of range");
	key = 0;
	expect_rc(t, bpfvm_map_lookup(outer, &key, &out), 0, NULL);
	testlib_check(t, out == id, "lookup returns the inner map id");
	testlib_check(t, outer->ops->bpf_lookup(outer, &key, 0) == same,
		      "program lookup returns the inner map");
	/* The outer map holds its own reference. */
	bpfvm_map_close(same);
	struct bpfvm_map *inner = outer->ops->bpf_lookup(outer, &key, 0);
	uint32_t k2 = 1;

	testlib_check(t, inner && inner->ops->bpf_lookup(inner, &k2, 0) != NULL,
		      "inner map alive after its user handle closed");
	key = 1;
	expect_rc(t, bpfvm_map_lookup(outer, &key, &out), -ENOENT, "no such element");
	expect_rc(t, bpfvm_map_delete(outer, &key), -ENOENT, "no such element");
	key = 3;
	expect_rc(t, bpfvm_map_delete(outer, &key), -E2BIG, "delete");

	/* BPF_F_INNER_MAP: max_entries may differ, the flags may not. */
	struct bpfvm_map *flex = create_map(vm, BPF_MAP_TYPE_ARRAY, "flex", 4, 8, 4,
					    BPF_F_INNER_MAP, NULL);
	struct bpfvm_map *flex9 = create_map(vm, BPF_MAP_TYPE_ARRAY, "flex9", 4, 8, 9,
					     BPF_F_INNER_MAP, NULL);
	struct bpfvm_map *outer2 = create_map(vm, BPF_MAP_TYPE_ARRAY_OF_MAPS, "outer2", 4, 4, 2, 0,
					      flex);

	if (flex && flex9 && outer2) {
		key = 0;
		id = flex9->region->id;
		expect_rc(t, bpfvm_map_update(outer2, &key, &id, 0), 0, NULL);
		id = tmpl->region->id;
		expect_rc(t, bpfvm_map_update(outer2, &key, &id, 0), -EINVAL, "map_flags differs");
	}
	/* Queues compare no max_entries. */
	struct bpfvm_map *q7 = create_map(vm, BPF_MAP_TYPE_QUEUE, "q7", 0, 4, 7, 0, NULL);
	struct bpfvm_map *outer3 = create_map(vm, BPF_MAP_TYPE_ARRAY_OF_MAPS, "outer3", 4, 4, 2, 0,
					      queue);

	if (q7 && outer3) {
		id = q7->region->id;
		key = 0;
		expect_rc(t, bpfvm_map_update(outer3, &key, &id, 0), 0, NULL);
	}
	uint32_t keys[2], values[2], count = 2, batch;

	expect_rc(t, bpfvm_map_lookup_batch(outer, NULL, &batch, keys, values, &count, NULL), -ENOENT,
		  "no such element");
	testlib_check(t, count == 1 && keys[0] == 0 && values[0] == same->region->id,
		      "lookup batch skips empty slots (count %u)", count);
	expect_rc(t, bpfvm_map_delete_batch(outer, keys, &count, NULL), -ENOTSUPP_KERNEL, "batch");

	bpfvm_map_close(outer3);
	bpfvm_map_close(q7);
	bpfvm_map_close(outer2);
	bpfvm_map_close(flex9);
	bpfvm_map_close(flex);
	bpfvm_map_close(outer);
	bpfvm_map_close(tmpl);
	bpfvm_map_close(longer);
	bpfvm_map_close(jmp);
	bpfvm_map_close(queue);
}

static void test_queue_stack(enum bpf_map_type type)
{
	const char *t = type == BPF_MAP_TYPE_QUEUE ? "queue_is_fifo_with_kernel_errnos"
						   : "stack_is_lifo_with_kernel_errnos";
	struct bpfvm_map *map = create_map(vm, type, "qs", 0, 4, 3, 0, NULL);
	uint32_t value, key = 0;
	bool queue = type == BPF_MAP_TYPE_QUEUE;

	expect_rc(t, create_rc(vm, type, 4, 4, 2, 0, NULL), -EINVAL, "key_size 0");
	expect_rc(t, create_rc(vm, type, 0, 0, 2, 0, NULL), -EINVAL, "value_size");
	expect_rc(t, create_rc(vm, type, 0, 4, 0, 0, NULL), -EINVAL, "max_entries");
	expect_rc(t, create_rc(vm, type, 0, 4, 2, BPF_F_NO_PREALLOC, NULL), -EINVAL, "flags");
	expect_rc(t, create_rc(vm, type, 0, 5u << 20, 2, 0, NULL), -E2BIG, "too large");
	if (!map)
		return;
	expect_rc(t, bpfvm_map_lookup(map, NULL, &value), -ENOENT, "no such element");
	expect_rc(t, bpfvm_map_lookup_and_delete(map, NULL, &value), -ENOENT, "no such element");
	for (value = 1; value <= 3; value++)
		expect_rc(t, bpfvm_map_update(map, NULL, &value, BPF_ANY), 0, NULL);
	expect_rc(t, bpfvm_map_update(map, NULL, &value, BPF_ANY), -E2BIG, "full");
	expect_rc(t, bpfvm_map_update(map, NULL, &value, BPF_NOEXIST), -EINVAL, "update");
	expect_rc(t, bpfvm_map_update(map, NULL, &value, 4), -EINVAL, "update");
	expect_rc(t, bpfvm_map_update(map, NULL, &value, BPF_EXIST), 0, NULL); /* drops 1 */
	expect_rc(t, bpfvm_map_update(map, &key, &value, 0), -EINVAL, "no keys");
	expect_rc(t, bpfvm_map_lookup(map, &key, &value), -EINVAL, "no keys");
	expect_rc(t, bpfvm_map_lookup_flags(map, NULL, &value, BPF_F_LOCK), -EINVAL,
		  "bpf_spin_lock");
	expect_rc(t, bpfvm_map_delete(map, NULL), -EINVAL, "delete");
	expect_rc(t, bpfvm_map_get_next_key(map, NULL, &key), -EINVAL, "get_next_key");
	expect_rc(t, bpfvm_map_lookup(map, NULL, &value), 0, NULL);
	testlib_check(t, value == (queue ? 2u : 4u), "peek gives %u", value);
	uint32_t want_queue[] = { 2, 3, 4 }, want_stack[] = { 4, 3, 2 };

	for (int i = 0; i < 3; i++) {
		expect_rc(t, bpfvm_map_lookup_and_delete(map, NULL, &value), 0, NULL);
		testlib_check(t, value == (queue ? want_queue : want_stack)[i], "pop %d gives %u", i,
			      value);
	}
	expect_rc(t, bpfvm_map_lookup_and_delete(map, NULL, &value), -ENOENT, "no such element");

	/* Program side: pop of an empty map zeroes the buffer. */
	value = 0xdead;
	testlib_check(t, map->ops->bpf_pop(map, &value) == -ENOENT && value == 0,
		      "program pop of empty zeroes (%u)", value);
	value = 9;
	testlib_check(t, map->ops->bpf_push(map, &value, 0) == 0, "program push");
	value = 0;
	testlib_check(t, map->ops->bpf_peek(map, &value) == 0 && value == 9, "program peek");
	uint32_t keys[1], values[1], count = 1, batch;

	expect_rc(t, bpfvm_map_lookup_batch(map, NULL, &batch, keys, values, &count, NULL),
		  -ENOTSUPP_KERNEL, "batch");
	expect_rc(t, bpfvm_map_freeze(map), 0, NULL);
	expect_rc(t, bpfvm_map_update(map, NULL, &value, 0), -EPERM, "frozen");
	expect_rc(t, bpfvm_map_lookup_and_delete(map, NULL, &value), -EPERM, "frozen");
	expect_rc(t, bpfvm_map_lookup(map, NULL, &value), 0, NULL);
	bpfvm_map_close(map);
}

struct lpm_key4 {
	uint32_t prefixlen;
	uint8_t data[4];
};

static struct lpm_key4 lpm_key(uint32_t prefixlen, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return (struct lpm_key4){ prefixlen, { a, b, c, d } };
}

static void test_lpm_create(void)
{
	const char *t = "lpm_create_needs_no_prealloc_and_sizes";

	expect_rc(t, create_rc(vm, BPF_MAP_TYPE_LPM_TRIE, 8, 4, 2, 0, NULL), -EINVAL,
		  "BPF_F_NO_PREALLOC");
	expect_rc(t, create_rc(vm, BPF_MAP_TYPE_LPM_TRIE, 4, 4, 2, BPF_F_NO_PREALLOC, NULL), -EINVAL,
		  "key_size");
	expect_rc(t, create_rc(vm, BPF_MAP_TYPE_LPM_TRIE, 261, 4, 2, BPF_F_NO_PREALLOC, NULL),
		  -EINVAL, "key_size");
	expect_rc(t, create_rc(vm, BPF_MAP_TYPE_LPM_TRIE, 260, 4, 2, BPF_F_NO_PREALLOC, NULL), 0,
		  NULL);
	expect_rc(t, create_rc(vm, BPF_MAP_TYPE_LPM_TRIE, 8, 0, 2, BPF_F_NO_PREALLOC, NULL), -EINVAL,
		  "value_size");
	expect_rc(t, create_rc(vm, BPF_MAP_TYPE_LPM_TRIE, 8, 4, 0, BPF_F_NO_PREALLOC, NULL), -EINVAL,
		  "max_entries");
	expect_rc(t, create_rc(vm, BPF_MAP_TYPE_LPM_TRIE, 8, 4, 2,
			       BPF_F_NO_PREALLOC | BPF_F_MMAPABLE, NULL),
		  -EINVAL, "flags");
}

/* The walk against a brute-force longest match, for the data sizes the walk
 * treats apart: 4 and 8 bytes (the key in one word), and others (bytes).
 * Data bytes come from a few patterns, so that prefixes share long runs. */
static uint32_t lpm_rand(uint64_t *state)
{
	*state = *state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*state >> 33);
}

static void lpm_rand_key(uint64_t *state, uint8_t *key, uint32_t data_size)
{
	static const uint8_t patterns[] = { 0x00, 0xff, 0x0f, 0xf0, 0x80, 0x7f, 0xaa };
	uint32_t prefixlen = lpm_rand(state) % (data_size * 8 + 1);

	memcpy(key, &prefixlen, 4);
	for (uint32_t i = 0; i < data_size; i++) {
		uint32_t r = lpm_rand(state);

		key[4 + i] = r % 4 ? patterns[r / 4 % sizeof(patterns)] : (uint8_t)(r >> 8);
	}
}

static bool lpm_bits_equal(const uint8_t *a, const uint8_t *b, uint32_t bits)
{
	for (uint32_t i = 0; i < bits; i++)
		if ((a[i / 8] ^ b[i / 8]) & (0x80 >> (i % 8)))
			return false;
	return true;
}

#define LPM_WALK_ENTRIES 48

static void test_lpm_walk_sizes(void)
{
	const char *t = "lpm_lookup_matches_a_brute_force_longest_prefix";
	static const uint32_t sizes[] = { 1, 3, 4, 5, 8, 16 };
	uint64_t state = 42;

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		uint32_t ds = sizes[s];
		struct bpfvm_map *map = create_map(vm, BPF_MAP_TYPE_LPM_TRIE, "lpmw", 4 + ds, 4,
						   LPM_WALK_ENTRIES, BPF_F_NO_PREALLOC, NULL);
		uint8_t keys[LPM_WALK_ENTRIES][4 + 16], key[4 + 16];
		uint32_t values[LPM_WALK_ENTRIES], n = 0, errors = 0;

		if (!map)
			return;
		while (n < LPM_WALK_ENTRIES) {
			lpm_rand_key(&state, keys[n], ds);
			values[n] = n + 1;
			expect_rc(t, bpfvm_map_update(map, keys[n], &values[n], BPF_ANY), 0,
				  "insert");
			n++;
		}
		for (int i = 0; i < 2000; i++) {
			uint32_t key_len, best_len = 0, want = 0, got = 0, *seen;
			bool any = false;

			lpm_rand_key(&state, key, ds);
			memcpy(&key_len, key, 4);
			/* Later inserts of the same prefix replaced earlier ones. */
			for (uint32_t e = 0; e < n; e++) {
				uint32_t len;

				memcpy(&len, keys[e], 4);
				if (len <= key_len && lpm_bits_equal(keys[e] + 4, key + 4, len) &&
				    (!any || len >= best_len)) {
					any = true;
					best_len = len;
					want = values[e];
				}
			}
			int rc = bpfvm_map_lookup(map, key, &got);

			seen = map->ops->bpf_lookup(map, key, 0);
			if (rc != (any ? 0 : -ENOENT) || (any && got != want) ||
			    (seen ? *seen : 0) != want)
				errors++;
		}
		testlib_check(t, errors == 0, "data size %u: %u of 2000 lookups differ", ds, errors);
		bpfvm_map_close(map);
	}
}

static void test_lpm_semantics(void)
{
	const char *t = "lpm_longest_prefix_wins_and_postorder_walk";
	struct bpfvm_map *map = create_map(vm, BPF_MAP_TYPE_LPM_TRIE, "lpm", 8, 4, 4,
					   BPF_F_NO_PREALLOC, NULL);
	struct lpm_key4 key, next;
	uint32_t value;

	if (!map)
		return;
	key = lpm_key(16, 192, 168, 0, 0);
	value = 16;
	expect_rc(t, bpfvm_map_update(map, &key, &value, BPF_EXIST), -ENOENT, "no such element");
	expect_rc(t, bpfvm_map_update(map, &key, &value, BPF_ANY), 0, NULL);
	expect_rc(t, bpfvm_map_update(map, &key, &value, BPF_NOEXIST), -EEXIST, "element exists");
	expect_rc(t, bpfvm_map_update(map, &key, &value, 4), -EINVAL, "update");
	key = lpm_key(33, 192, 168, 0, 0);
	expect_rc(t, bpfvm_map_update(map, &key, &value, 0), -EINVAL, "update");
	expect_rc(t, bpfvm_map_lookup(map, &key, &value), -ENOENT, "no such element");
	expect_rc(t, bpfvm_map_delete(map, &key), -EINVAL, "delete");
	struct { struct lpm_key4 key; uint32_t value; } entries[] = {
		{ lpm_key(24, 192, 168, 0, 0), 24 },
		{ lpm_key(24, 192, 168, 1, 0), 241 },
		{ lpm_key(24, 192, 168, 128, 0), 248 },
	};

	for (int i = 0; i < 3; i++)
		expect_rc(t, bpfvm_map_update(map, &entries[i].key, &entries[i].value, 0), 0, NULL);
	key = lpm_key(8, 10, 0, 0, 0);
	expect_rc(t, bpfvm_map_update(map, &key, &value, 0), -ENOSPC, "full");
	value = 99;
	key = lpm_key(24, 192, 168, 1, 0);
	expect_rc(t, bpfvm_map_update(map, &key, &value, BPF_EXIST), 0, NULL);

	struct { struct lpm_key4 key; int rc; uint32_t value; } lookups[] = {
		{ lpm_key(32, 192, 168, 0, 1), 0, 24 },
		{ lpm_key(32, 192, 168, 1, 1), 0, 99 },
		{ lpm_key(32, 192, 168, 2, 1), 0, 16 },
		{ lpm_key(32, 192, 168, 128, 9), 0, 248 },
		{ lpm_key(32, 192, 169, 0, 1), -ENOENT, 0 },
		{ lpm_key(16, 192, 168, 1, 1), 0, 16 }, /* the key's length limits the match */
		{ lpm_key(8, 192, 168, 1, 1), -ENOENT, 0 },
	};

	for (size_t i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++) {
		value = 0;
		expect_rc(t, bpfvm_map_lookup(map, &lookups[i].key, &value), lookups[i].rc,
			  "no such element");
		testlib_check(t, value == lookups[i].value, "lookup %zu gives %u, want %u", i, value,
			      lookups[i].value);
		uint32_t *bpf_value = map->ops->bpf_lookup(map, &lookups[i].key, 0);

		testlib_check(t, (bpf_value ? *bpf_value : 0) == lookups[i].value,
			      "program lookup %zu", i);
	}
	/* kernel/bpf/lpm_trie.c's example order: more specific first. */
	struct lpm_key4 order[] = {
		lpm_key(24, 192, 168, 0, 0), lpm_key(24, 192, 168, 1, 0),
		lpm_key(24, 192, 168, 128, 0), lpm_key(16, 192, 168, 0, 0),
	};
	int n = 0;

	for (int rc = bpfvm_map_get_next_key(map, NULL, &next); rc == 0;
	     rc = bpfvm_map_get_next_key(map, &key, &next), n++) {
		testlib_check(t, n < 4 && memcmp(&next, &order[n], sizeof(next)) == 0,
			      "key %d is %u/%u.%u.%u.%u", n, next.prefixlen, next.data[0],
			      next.data[1], next.data[2], next.data[3]);
		key = next;
		if (n >= 4)
			break;
	}
	testlib_check(t, n == 4, "walked %d keys", n);
	key = lpm_key(20, 1, 2, 3, 4);
	expect_rc(t, bpfvm_map_get_next_key(map, &key, &next), 0, NULL);
	testlib_check(t, memcmp(&next, &order[0], sizeof(next)) == 0,
		      "an absent key restarts from the first");
	expect_rc(t, bpfvm_map_lookup_and_delete(map, &key, &value), -ENOTSUPP_KERNEL,
		  "not supported");

	key = lpm_key(16, 192, 168, 0, 0);
	expect_rc(t, bpfvm_map_delete(map, &key), 0, NULL);
	expect_rc(t, bpfvm_map_delete(map, &key), -ENOENT, "no such element");
	key = lpm_key(32, 192, 168, 2, 1);
	expect_rc(t, bpfvm_map_lookup(map, &key, &value), -ENOENT, "no such element");
	key = lpm_key(24, 192, 168, 1, 0);
	expect_rc(t, bpfvm_map_delete(map, &key), 0, NULL);
	key = lpm_key(8, 10, 0, 0, 0);
	value = 8;
	expect_rc(t, bpfvm_map_update(map, &key, &value, 0), 0, NULL);
	key = lpm_key(32, 10, 9, 9, 9);
	expect_rc(t, bpfvm_map_lookup(map, &key, &value), 0, NULL);
	testlib_check(t, value == 8, "reused nodes work (%u)", value);

	/* A program's key may sit at any stack offset: a misaligned one is
	 * read as well as an aligned one (UBSan checks the reads). */
	_Alignas(8) uint8_t unaligned[1 + sizeof(key)];

	memcpy(unaligned + 1, &key, sizeof(key));
	uint32_t *found = map->ops->bpf_lookup(map, unaligned + 1, 0);

	testlib_check(t, found && *found == 8, "a misaligned key finds its prefix");
	bpfvm_map_close(map);
}

static void test_batches(void)
{
	const char *t = "batch_ops_walk_like_generic_map_batch";
	struct bpfvm_map *map = create_map(vm, BPF_MAP_TYPE_ARRAY, "batch", 4, 8, 4, 0, NULL);
	uint32_t keys[8] = { 0, 1, 7, 2 }, count, batch;
	uint64_t values[8] = { 10, 11, 17, 12 };
	struct bpfvm_map_batch_opts opts = { .sz = sizeof(opts) };

	if (!map)
		return;
	count = 4;
	expect_rc(t, bpfvm_map_update_batch(map, keys, values, &count, NULL), -E2BIG,
		  "out of range");
	testlib_check(t, count == 2, "update stops at the failing element (count %u)", count);
	opts.elem_flags = BPF_EXIST;
	count = 2;
	expect_rc(t, bpfvm_map_update_batch(map, keys, values, &count, &opts), -EINVAL,
		  "elem_flags");
	testlib_check(t, count == 2, "count untouched on early failure (%u)", count);
	opts.elem_flags = BPF_F_LOCK;
	expect_rc(t, bpfvm_map_update_batch(map, keys, values, &count, &opts), -EINVAL,
		  "bpf_spin_lock");
	count = 2;
	expect_rc(t, bpfvm_map_lookup_batch(map, NULL, &batch, keys, values, &count, NULL), 0, NULL);
	testlib_check(t, count == 2 && batch == 1 && keys[0] == 0 && keys[1] == 1 &&
			     values[0] == 10 && values[1] == 11,
		      "first batch: count %u cursor %u", count, batch);
	count = 8;
	expect_rc(t, bpfvm_map_lookup_batch(map, &batch, &batch, keys, values, &count, NULL), -ENOENT,
		  "no such element");
	testlib_check(t, count == 2 && batch == 3 && keys[0] == 2 && keys[1] == 3,
		      "last batch: count %u cursor %u", count, batch);
	count = 8;
	expect_rc(t, bpfvm_map_lookup_batch(map, &batch, &batch, keys, values, &count, NULL), -ENOENT,
		  "no such element");
	testlib_check(t, count == 0, "past the end: count %u", count);
	count = 0;
	expect_rc(t, bpfvm_map_lookup_batch(map, NULL, &batch, keys, values, &count, NULL), 0, NULL);
	count = 2;
	expect_rc(t, bpfvm_map_delete_batch(map, keys, &count, NULL), -ENOTSUPP_KERNEL, "batch");
	expect_rc(t, bpfvm_map_lookup_and_delete_batch(map, NULL, &batch, keys, values, &count, NULL),
		  -ENOTSUPP_KERNEL, "batch");
	expect_rc(t, bpfvm_map_lookup_batch(map, NULL, &batch, keys, values, NULL, NULL), -EINVAL,
		  "NULL count");
	expect_rc(t, bpfvm_map_freeze(map), 0, NULL);
	count = 2;
	expect_rc(t, bpfvm_map_lookup_batch(map, NULL, &batch, keys, values, &count, NULL), 0, NULL);
	expect_rc(t, bpfvm_map_update_batch(map, keys, values, &count, NULL), -EPERM, "frozen");
	expect_rc(t, bpfvm_map_delete_batch(map, keys, &count, NULL), -EPERM, "frozen");
	bpfvm_map_close(map);

	/* LPM: update and delete batches run the single-element ops. */
	struct bpfvm_map *lpm = create_map(vm, BPF_MAP_TYPE_LPM_TRIE, "lpmb", 8, 4, 8,
					   BPF_F_NO_PREALLOC, NULL);
	struct lpm_key4 lkeys[3] = { lpm_key(8, 10, 0, 0, 0), lpm_key(16, 10, 1, 0, 0),
				     lpm_key(16, 10, 2, 0, 0) }, lout[3], lbatch;
	uint32_t lvalues[3] = { 1, 2, 3 }, lvals[3];

	if (!lpm)
		return;
	count = 3;
	expect_rc(t, bpfvm_map_update_batch(lpm, lkeys, lvalues, &count, NULL), 0, NULL);
	count = 3;
	expect_rc(t, bpfvm_map_lookup_batch(lpm, NULL, &lbatch, lout, lvals, &count, NULL), 0, NULL);
	testlib_check(t, count == 3 && lout[2].prefixlen == 8 && lvals[2] == 1,
		      "lpm lookup batch in post-order");
	count = 3;
	expect_rc(t, bpfvm_map_delete_batch(lpm, lkeys, &count, NULL), 0, NULL);
	count = 1;
	expect_rc(t, bpfvm_map_delete_batch(lpm, lkeys, &count, NULL), -ENOENT, "no such element");
	testlib_check(t, count == 0, "delete batch count %u", count);
	bpfvm_map_close(lpm);
}

int main(void)
{
	struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = NR_CPUS };

	if (bpfvm_create(&opts, &vm)) {
		printf("cannot create a runtime: %s\n", bpfvm_errmsg());
		return 1;
	}
	test_array_create_checks();
	test_array_info_and_ids();
	test_array_ops();
	test_array_access_flags();
	test_array_program_side();
	test_percpu_array();
	test_prog_array();
	test_array_of_maps();
	test_queue_stack(BPF_MAP_TYPE_QUEUE);
	test_queue_stack(BPF_MAP_TYPE_STACK);
	test_lpm_create();
	test_lpm_semantics();
	test_lpm_walk_sizes();
	test_batches();
	bpfvm_destroy(vm);
	return testlib_summary();
}
