/* The JIT calls the hash family's lookup directly, specialised for the
 * key size (jit_inline.c, maps/hash.c: hash_bpf_lookup_direct), where the
 * interpreter calls the helper: the programs of jit_hash_lookup.bpf.c give
 * the same results and leave the same values on every vCPU under both
 * engines, for keys of 4, 8, 16 and 6 bytes in HASH, LRU_HASH, PERCPU_HASH
 * and LRU_PERCPU_HASH maps; keys that differ from a present one only in
 * their last byte miss; the JIT's code calls the direct lookup, not the
 * helper; and an LRU lookup still sets the element's reference bit.
 * Update and delete, called directly as well (the map's operations), give
 * the helpers' results (a new key and a present one, deleted twice).
 *
 *   usage: test_jit_hash_lookup OBJDIR */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "core/runtime.h"
#include "engine/jit.h"
#include "engine/prog.h"
#include "helpers/helper_table.h"
#include "maps/hash.h"
#include "maps/map.h"
#include "jit_code_calls.h"
#include "testlib.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))
#define CPUS 3
#define PRESENT 8 /* keys 0..7 are in every map, 8 and 9 are not */
#define PROBES 11 /* and probe 10 is key 0 with its last byte changed */

static const struct {
	const char *prog;
	const char *map;
	uint32_t key_size;
	bool percpu;
} cases[] = {
	{ "lookup_hash_k4", "hash_k4", 4, false },
	{ "lookup_hash_k8", "hash_k8", 8, false },
	{ "lookup_hash_k16", "hash_k16", 16, false },
	{ "lookup_hash_k6", "hash_k6", 6, false },
	{ "lookup_lru_k4", "lru_k4", 4, false },
	{ "lookup_percpu_k4", "percpu_k4", 4, true },
	{ "lookup_lru_percpu_k8", "lru_percpu_k8", 8, true },
};

/* Probe i's key bytes (the first key_size count). */
static void probe_key(uint32_t i, uint32_t key_size, uint8_t key[16])
{
	for (uint32_t b = 0; b < 16; b++)
		key[b] = (uint8_t)((i % 10 + 1) * 37 + b * 11);
	if (i == 10)
		key[key_size - 1] ^= 0x80;
}

static struct bpfvm_object *load(enum bpfvm_engine engine, const char *dir, struct bpfvm **vm)
{
	struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = CPUS, .engine = engine };
	struct bpfvm_object *obj = NULL;
	char path[512];
	int err = bpfvm_create(&opts, vm);

	if (err) {
		fprintf(stderr, "engine %d: %s\n", engine, bpfvm_errmsg());
		exit(err == -ENOTSUP ? 77 : 2);
	}
	snprintf(path, sizeof(path), "%s/jit_hash_lookup.bpf.o", dir);
	if (bpfvm_object_open(*vm, path, NULL, &obj) || bpfvm_object_load(obj)) {
		fprintf(stderr, "%s: %s\n", path, bpfvm_errmsg());
		exit(2);
	}
	for (size_t c = 0; c < COUNT(cases); c++)
		for (uint32_t i = 0; i < PRESENT; i++) {
			uint64_t values[CPUS];
			uint8_t key[16];

			probe_key(i, cases[c].key_size, key);
			for (uint32_t cpu = 0; cpu < CPUS; cpu++)
				values[cpu] = i * 100 + cpu * 10;
			if (bpfvm_map_update(bpfvm_object_find_map(obj, cases[c].map), key, values,
					     BPF_ANY)) {
				fprintf(stderr, "%s: %s\n", cases[c].map, bpfvm_errmsg());
				exit(2);
			}
		}
	return obj;
}

/* r0 of a run of `prog` over a packet starting with `key`, on vCPU `cpu`. */
static long run_on(struct bpfvm *vm, struct bpfvm_object *obj, const char *prog,
		   const uint8_t key[16], uint32_t cpu)
{
	uint8_t packet[64] = { 0 };
	struct bpfvm_test_run_opts opts = {
		.sz = sizeof(opts), .data_in = packet, .data_size_in = sizeof(packet),
	};
	int err = bpfvm_cpu_bind(vm, (int)cpu);

	if (err < 0)
		return err;
	memcpy(packet, key, 16);
	err = bpfvm_prog_test_run(bpfvm_object_find_prog(obj, prog), &opts);
	bpfvm_cpu_unbind(vm);
	return err ? err : (long)opts.retval;
}

static void check_results(struct bpfvm *vms[2], struct bpfvm_object *objs[2])
{
	for (size_t c = 0; c < COUNT(cases); c++)
		for (uint32_t i = 0; i < PROBES; i++)
			for (uint32_t cpu = 0; cpu < CPUS; cpu++) {
				bool hit = i < PRESENT;
				long want = hit ? (long)(i * 100 + (cases[c].percpu ? cpu * 10 : 0))
						: 1000;
				uint8_t key[16];
				long r0[2];
				char name[96];

				probe_key(i, cases[c].key_size, key);
				for (int e = 0; e < 2; e++)
					r0[e] = run_on(vms[e], objs[e], cases[c].prog, key, cpu);
				snprintf(name, sizeof(name), "%s_probe_%u_cpu_%u_agrees", cases[c].prog,
					 i, cpu);
				/* a shared value was bumped by the earlier vCPUs' runs */
				if (hit && !cases[c].percpu)
					want += 3 * cpu;
				testlib_check(name, r0[0] == want && r0[1] == want,
					      "interpreter %ld, JIT %ld, want %ld", r0[0], r0[1], want);
			}
}

static void check_maps(struct bpfvm_object *objs[2])
{
	for (size_t c = 0; c < COUNT(cases); c++)
		for (uint32_t i = 0; i < PRESENT; i++) {
			uint64_t values[2][CPUS] = { { 0 } };
			uint8_t key[16];
			char name[96];

			probe_key(i, cases[c].key_size, key);
			for (int e = 0; e < 2; e++)
				bpfvm_map_lookup(bpfvm_object_find_map(objs[e], cases[c].map), key,
						 values[e]);
			snprintf(name, sizeof(name), "%s_key_%u_written_alike_on_every_cpu",
				 cases[c].map, i);
			testlib_check(name, memcmp(values[0], values[1],
						   cases[c].percpu ? sizeof(values[0]) : 8) == 0,
				      "the values differ after the same runs");
		}
}

static void check_direct_calls(struct bpfvm *vm, struct bpfvm_object *obj)
{
	const void *helper = (const void *)helper_table_find(&vm->helpers,
							     BPF_FUNC_map_lookup_elem)->fn;

	for (size_t c = 0; c < COUNT(cases); c++) {
		const struct bpfvm_prog *prog = bpfvm_object_find_prog(obj, cases[c].prog);
		const void *direct = (const void *)hash_bpf_lookup_direct(
			bpfvm_object_find_map(obj, cases[c].map));
		bool calls_direct = direct && jit_code_calls(prog, direct);
		bool calls_helper = jit_code_calls(prog, helper);
		char name[96];

		snprintf(name, sizeof(name), "%s_calls_the_direct_lookup_not_the_helper",
			 cases[c].prog);
		testlib_check(name, calls_direct && !calls_helper,
			      "direct %p called: %d, helper called: %d", direct, calls_direct,
			      calls_helper);
	}
}

static void check_update_delete(struct bpfvm *vms[2], struct bpfvm_object *objs[2])
{
	const struct bpfvm_map *map = bpfvm_object_find_map(objs[1], "hash_k4");
	const struct bpfvm_prog *prog = bpfvm_object_find_prog(objs[1], "update_delete_k4");
	static const int ids[] = { BPF_FUNC_map_update_elem, BPF_FUNC_map_delete_elem };

	for (uint32_t i = 8; i < 10; i++) { /* absent keys: the first run inserts */
		for (int round = 0; round < 2; round++) {
			uint8_t key[16];
			long r0[2];
			char name[96];

			probe_key(i, 4, key);
			for (int e = 0; e < 2; e++)
				r0[e] = run_on(vms[e], objs[e], "update_delete_k4", key, 0);
			snprintf(name, sizeof(name), "update_delete_probe_%u_round_%d_agrees", i,
				 round);
			/* 0 updated, 77 found, 0 deleted, -ENOENT (0xfe) again */
			testlib_check(name, r0[0] == r0[1] && r0[0] == (77 << 16 | 0xfe),
				      "interpreter %#lx, JIT %#lx", r0[0], r0[1]);
		}
	}
	for (size_t h = 0; h < 2; h++) {
		const void *helper = (const void *)helper_table_find(&vms[1]->helpers, ids[h])->fn;
		const void *op = h ? (const void *)map->ops->bpf_delete
				   : (const void *)map->ops->bpf_update;
		char name[96];

		snprintf(name, sizeof(name), "helper_%d_calls_the_maps_operation_directly", ids[h]);
		testlib_check(name, jit_code_calls(prog, op) && !jit_code_calls(prog, helper),
			      "operation called: %d, helper called: %d", jit_code_calls(prog, op),
			      jit_code_calls(prog, helper));
	}
}

/* The LRU's reference bit (the kernel's bpf_lru_node_set_ref), cleared by
 * hand, is set again by a JIT lookup. */
static void check_lru_ref(struct bpfvm *vm, struct bpfvm_object *obj)
{
	static const char *const lru[][2] = { { "lookup_lru_k4", "lru_k4" },
					      { "lookup_lru_percpu_k8", "lru_percpu_k8" } };

	for (size_t l = 0; l < COUNT(lru); l++) {
		struct bpfvm_map *map = bpfvm_object_find_map(obj, lru[l][1]);
		uint8_t key[16];
		struct hash_elem *elem;
		char name[96];

		probe_key(2, map_key_size(map), key);
		elem = hash_find(map, key);
		if (!elem) {
			testlib_check("lru_key_present", false, "%s: key 2 missing", lru[l][1]);
			continue;
		}
		atomic_store(&elem->lru.ref, 0);
		run_on(vm, obj, lru[l][0], key, 0);
		snprintf(name, sizeof(name), "%s_lookup_sets_the_reference_bit", lru[l][0]);
		testlib_check(name, atomic_load(&elem->lru.ref) == 1, "the bit is still clear");
	}
}

int main(int argc, char **argv)
{
	struct bpfvm *vms[2];
	struct bpfvm_object *objs[2];

	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJDIR\n", argv[0]);
		return 2;
	}
	objs[0] = load(BPFVM_ENGINE_INTERP, argv[1], &vms[0]);
	objs[1] = load(BPFVM_ENGINE_JIT, argv[1], &vms[1]);
	check_results(vms, objs);
	check_maps(objs);
	check_direct_calls(vms[1], objs[1]);
	check_lru_ref(vms[1], objs[1]);
	check_update_delete(vms, objs);
	for (int e = 0; e < 2; e++) {
		bpfvm_object_close(objs[e]);
		bpfvm_destroy(vms[e]);
	}
	return testlib_summary();
}
