/* The JIT compiles bpf_map_lookup_elem on a known ARRAY map inline
 * (jit_inline.c): the programs of jit_array_lookup.bpf.c give the same
 * results and leave the same map contents under both engines, for keys in
 * and out of range (as u32: -1 and 2^31 too), with element strides of 8
 * and 24 bytes; the inlined programs no longer call the helper, and the
 * one whose map depends on the path still does.
 *
 * The same for PERCPU_ARRAY lookups and bpf_get_smp_processor_id, which
 * the JIT also compiles inline (jit_percpu_lookup.bpf.c), on each of three
 * vCPUs (entry strides of 72 and 24 bytes, vCPU strides of 24 and 8): the
 * results, every vCPU's slice of the maps afterwards, the vCPU id itself,
 * and the calls gone.
 *
 * Also: constant-key tail calls written `r3 = K; r2 = map ll; call` and
 * `r2 = map ll; r3 = K; call` (jit_tail_order.bpf.c), which the
 * interpreter's decoder fuses into one instruction, reach their target
 * under both engines (the JIT compiles the instructions as written).
 *
 *   usage: test_jit_inline OBJDIR */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "core/runtime.h"
#include "engine/jit.h"
#include "engine/prog.h"
#include "helpers/helper_table.h"
#include "jit_code_calls.h"
#include "testlib.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

struct wide {
	uint64_t count;
	uint32_t tag;
	uint32_t pad;
	uint64_t more;
};

static const char *const programs[] = { "lookup_wide", "lookup_small", "lookup_either" };
static const uint32_t keys[] = { 0, 1, 2, 3, 4, 5, 6, 9, 0x7fffffff, 0x80000000, 0xffffffff };

static struct bpfvm_object *open_object(enum bpfvm_engine engine, uint32_t nr_cpus,
				       const char *dir, const char *file, struct bpfvm **vm)
{
	struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = nr_cpus, .engine = engine };
	struct bpfvm_object *obj = NULL;
	char path[512];
	int err = bpfvm_create(&opts, vm);

	if (err) {
		fprintf(stderr, "engine %d: %s\n", engine, bpfvm_errmsg());
		exit(err == -ENOTSUP ? 77 : 2);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (bpfvm_object_open(*vm, path, NULL, &obj) || bpfvm_object_load(obj)) {
		fprintf(stderr, "%s: %s\n", path, bpfvm_errmsg());
		exit(2);
	}
	return obj;
}

static struct bpfvm_object *load(enum bpfvm_engine engine, const char *dir, struct bpfvm **vm)
{
	struct bpfvm_object *obj = open_object(engine, 0, dir, "jit_array_lookup.bpf.o", vm);

	for (uint32_t i = 0; i < 5; i++) {
		struct wide value = { .count = i * 100, .tag = 10 * i, .more = ~0ull };
		uint32_t small = 7 * i;

		bpfvm_map_update(bpfvm_object_find_map(obj, "wide_values"), &i, &value, BPF_ANY);
		if (i < 3)
			bpfvm_map_update(bpfvm_object_find_map(obj, "small_values"), &i, &small,
					 BPF_ANY);
	}
	return obj;
}

static long run(struct bpfvm_object *obj, const char *name, uint32_t key)
{
	uint8_t packet[64] = { 0 };
	struct bpfvm_test_run_opts opts = {
		.sz = sizeof(opts), .data_in = packet, .data_size_in = sizeof(packet),
	};
	int err;

	memcpy(packet, &key, sizeof(key));
	err = bpfvm_prog_test_run(bpfvm_object_find_prog(obj, name), &opts);
	return err ? err : (long)opts.retval;
}

/* The same on vCPU `cpu` of vm (XDP test runs take no
 * BPF_F_TEST_RUN_ON_CPU, as in the kernel: the thread binds to it). */
static long run_on(struct bpfvm *vm, struct bpfvm_object *obj, const char *name, uint32_t key,
		   uint32_t cpu)
{
	int err = bpfvm_cpu_bind(vm, (int)cpu);
	long r0;

	if (err < 0)
		return err;
	r0 = run(obj, name, key);
	bpfvm_cpu_unbind(vm);
	return r0;
}

static void check_results(struct bpfvm_object *objs[2])
{
	for (size_t p = 0; p < COUNT(programs); p++)
		for (size_t k = 0; k < COUNT(keys); k++)
			for (int round = 0; round < 2; round++) {
				long interp = run(objs[0], programs[p], keys[k]);
				long jit = run(objs[1], programs[p], keys[k]);
				char name[96];

				snprintf(name, sizeof(name), "%s_key_%#x_agrees", programs[p], keys[k]);
				testlib_check(name, interp == jit, "round %d: interpreter %ld, JIT %ld",
					      round, interp, jit);
			}
}

static void check_maps(struct bpfvm_object *objs[2])
{
	static const struct { const char *name; size_t size; uint32_t entries; } maps[] = {
		{ "wide_values", sizeof(struct wide), 5 }, { "small_values", 4, 3 },
	};

	for (size_t m = 0; m < COUNT(maps); m++)
		for (uint32_t i = 0; i < maps[m].entries; i++) {
			uint8_t a[32] = { 0 }, b[32] = { 0 };
			char name[64];

			bpfvm_map_lookup(bpfvm_object_find_map(objs[0], maps[m].name), &i, a);
			bpfvm_map_lookup(bpfvm_object_find_map(objs[1], maps[m].name), &i, b);
			snprintf(name, sizeof(name), "%s_%u_written_alike", maps[m].name, i);
			testlib_check(name, memcmp(a, b, maps[m].size) == 0,
				      "the map values differ after the same runs");
		}
}

static void check_inlined(struct bpfvm *vm, struct bpfvm_object *obj)
{
	const void *lookup = (const void *)helper_table_find(&vm->helpers,
							     BPF_FUNC_map_lookup_elem)->fn;
	const bool expect_call[3] = { false, false, true };

	for (size_t p = 0; p < COUNT(programs); p++) {
		bool calls = jit_code_calls(bpfvm_object_find_prog(obj, programs[p]), lookup);
		char name[96];

		snprintf(name, sizeof(name), "%s_%s", programs[p],
			 expect_call[p] ? "calls_the_helper" : "has_the_lookup_inline");
		testlib_check(name, calls == expect_call[p], "the code %s the helper",
			      calls ? "calls" : "does not call");
	}
}

/* ---- PERCPU_ARRAY lookups and bpf_get_smp_processor_id ------------- */

#define PERCPU_CPUS 3

static const char *const percpu_programs[] = { "percpu_lookup_wide", "percpu_lookup_small" };

static struct bpfvm_object *load_percpu(enum bpfvm_engine engine, const char *dir,
					struct bpfvm **vm)
{
	struct bpfvm_object *obj = open_object(engine, PERCPU_CPUS, dir,
					       "jit_percpu_lookup.bpf.o", vm);

	for (uint32_t i = 0; i < 5; i++) {
		struct wide wide[PERCPU_CPUS];
		uint64_t small[PERCPU_CPUS]; /* each value rounded to 8 bytes */

		for (uint32_t c = 0; c < PERCPU_CPUS; c++) {
			wide[c] = (struct wide){ .count = i * 100 + c * 10, .tag = 10 * i + c,
						 .more = ~0ull };
			small[c] = 7 * i + 1000 * c;
		}
		bpfvm_map_update(bpfvm_object_find_map(obj, "percpu_wide"), &i, wide, BPF_ANY);
		if (i < 3)
			bpfvm_map_update(bpfvm_object_find_map(obj, "percpu_small"), &i, small,
					 BPF_ANY);
	}
	return obj;
}

static void check_percpu_results(struct bpfvm *vms[2], struct bpfvm_object *objs[2])
{
	for (size_t p = 0; p < COUNT(percpu_programs); p++)
		for (size_t k = 0; k < COUNT(keys); k++)
			for (uint32_t cpu = 0; cpu < PERCPU_CPUS; cpu++) {
				long interp = run_on(vms[0], objs[0], percpu_programs[p], keys[k],
						     cpu);
				long jit = run_on(vms[1], objs[1], percpu_programs[p], keys[k], cpu);
				char name[96];

				snprintf(name, sizeof(name), "%s_key_%#x_cpu_%u_agrees",
					 percpu_programs[p], keys[k], cpu);
				testlib_check(name, interp == jit && interp >= 0,
					      "interpreter %ld, JIT %ld", interp, jit);
			}
	for (int e = 0; e < 2; e++)
		for (uint32_t cpu = 0; cpu < PERCPU_CPUS; cpu++) {
			long r0 = run_on(vms[e], objs[e], "smp_processor_id", 0, cpu);
			char name[96];

			snprintf(name, sizeof(name), "smp_processor_id_on_cpu_%u_%s", cpu,
				 e ? "jit" : "interp");
			testlib_check(name, r0 == 100 + (long)cpu, "r0 %ld, want %u", r0,
				      100 + cpu);
		}
}

/* Every vCPU's value of every element: a write through the slice of
 * another vCPU or element shows here. */
static void check_percpu_maps(struct bpfvm_object *objs[2])
{
	static const struct { const char *name; size_t size; uint32_t entries; } maps[] = {
		{ "percpu_wide", sizeof(struct wide), 5 }, { "percpu_small", 8, 3 },
	};

	for (size_t m = 0; m < COUNT(maps); m++)
		for (uint32_t i = 0; i < maps[m].entries; i++) {
			uint8_t a[PERCPU_CPUS * 24] = { 0 }, b[PERCPU_CPUS * 24] = { 0 };
			char name[64];

			bpfvm_map_lookup(bpfvm_object_find_map(objs[0], maps[m].name), &i, a);
			bpfvm_map_lookup(bpfvm_object_find_map(objs[1], maps[m].name), &i, b);
			snprintf(name, sizeof(name), "%s_%u_written_alike_on_every_cpu",
				 maps[m].name, i);
			testlib_check(name, memcmp(a, b, maps[m].size * PERCPU_CPUS) == 0,
				      "the per-CPU values differ after the same runs");
		}
}

static void check_percpu_inlined(struct bpfvm *vm, struct bpfvm_object *obj)
{
	static const int ids[] = { BPF_FUNC_map_lookup_elem, BPF_FUNC_get_smp_processor_id };
	static const char *const progs[] = { "percpu_lookup_wide", "percpu_lookup_small",
					     "smp_processor_id" };

	for (size_t p = 0; p < COUNT(progs); p++)
		for (size_t h = 0; h < COUNT(ids); h++) {
			const void *fn = (const void *)helper_table_find(&vm->helpers,
									 ids[h])->fn;
			char name[96];

			snprintf(name, sizeof(name), "%s_does_not_call_helper_%d", progs[p], ids[h]);
			testlib_check(name, !jit_code_calls(bpfvm_object_find_prog(obj, progs[p]), fn),
				      "the code calls the helper");
		}
}

static void check_percpu(const char *dir)
{
	struct bpfvm *vms[2];
	struct bpfvm_object *objs[2];

	objs[0] = load_percpu(BPFVM_ENGINE_INTERP, dir, &vms[0]);
	objs[1] = load_percpu(BPFVM_ENGINE_JIT, dir, &vms[1]);
	check_percpu_results(vms, objs);
	check_percpu_maps(objs);
	check_percpu_inlined(vms[1], objs[1]);
	for (int e = 0; e < 2; e++) {
		bpfvm_object_close(objs[e]);
		bpfvm_destroy(vms[e]);
	}
}

static void check_tail_call_orders(const char *dir)
{
	static const char *const names[] = { "key_first", "map_first" };
	static const enum bpfvm_engine engines[] = { BPFVM_ENGINE_INTERP, BPFVM_ENGINE_JIT };

	for (int e = 0; e < 2; e++) {
		struct bpfvm_opts opts = { .sz = sizeof(opts), .engine = engines[e] };
		struct bpfvm_object *obj = NULL;
		struct bpfvm *vm = NULL;
		char path[512];

		snprintf(path, sizeof(path), "%s/jit_tail_order.bpf.o", dir);
		if (bpfvm_create(&opts, &vm) || bpfvm_object_open(vm, path, NULL, &obj) ||
		    bpfvm_object_load(obj)) {
			testlib_check("tail_order_object_loads", false, "%s", bpfvm_errmsg());
			bpfvm_object_close(obj);
			bpfvm_destroy(vm);
			continue;
		}
		for (int p = 0; p < 2; p++) {
			long r0 = run(obj, names[p], 0);
			char name[96];

			snprintf(name, sizeof(name), "constant_key_tail_call_%s_reaches_its_target_%s",
				 names[p], e ? "jit" : "interp");
			testlib_check(name, r0 == 42, "r0 %ld, want 42 (the target's)", r0);
		}
		bpfvm_object_close(obj);
		bpfvm_destroy(vm);
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
	check_results(objs);
	check_maps(objs);
	check_inlined(vms[1], objs[1]);
	check_percpu(argv[1]);
	check_tail_call_orders(argv[1]);
	for (int e = 0; e < 2; e++) {
		bpfvm_object_close(objs[e]);
		bpfvm_destroy(vms[e]);
	}
	return testlib_summary();
}
