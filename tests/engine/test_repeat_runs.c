/* A test run with repeat N sets its run up once and loops over the engine
 * (engine/run.c: run_repeat, jit_run.c: jit_execute_repeat), but every run
 * is a new invocation, as in the kernel's bpf_test_run(): a program that
 * tail-calls itself makes 33 tail calls in each run (constant and run-time
 * keys), and a program that reads a stack slot before writing it reads
 * zero in each run. Under the interpreter, the JIT and in checked mode.
 *
 *   usage: test_repeat_runs OBJDIR */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "testlib.h"

#define REPEAT 5
#define ENTRIES_PER_RUN 34 /* the first entry and 33 tail calls */

static const struct {
	enum bpfvm_engine engine;
	bool checked;
	const char *name;
} modes[] = {
	{ BPFVM_ENGINE_INTERP, false, "interp" },
	{ BPFVM_ENGINE_JIT, false, "jit" },
	{ BPFVM_ENGINE_INTERP, true, "checked" },
};

static long test_run(struct bpfvm_object *obj, const char *prog, uint32_t repeat, bool checked)
{
	uint8_t packet[64] = { 0 };
	struct bpfvm_test_run_opts opts = {
		.sz = sizeof(opts), .data_in = packet, .data_size_in = sizeof(packet),
		.repeat = repeat, .checked = checked,
	};
	int err = bpfvm_prog_test_run(bpfvm_object_find_prog(obj, prog), &opts);

	return err ? err : (long)opts.retval;
}

/* The .bss counter `offset` bytes in. */
static uint64_t counter(struct bpfvm_object *obj, size_t offset)
{
	uint8_t bss[64] = { 0 };
	uint32_t zero = 0;
	uint64_t value;

	bpfvm_map_lookup(bpfvm_object_find_map(obj, "repeat_r.bss"), &zero, bss);
	memcpy(&value, bss + offset, sizeof(value));
	return value;
}

static void check_mode(const char *dir, size_t m)
{
	struct bpfvm_opts opts = { .sz = sizeof(opts), .engine = modes[m].engine };
	static const struct { const char *prog; size_t offset; long r0; } hops[] = {
		{ "const_hop", 0, 7 }, { "var_hop", 8, 8 },
	};
	struct bpfvm_object *obj = NULL;
	struct bpfvm *vm = NULL;
	char path[512], name[96];
	long r0;

	snprintf(path, sizeof(path), "%s/repeat_runs.bpf.o", dir);
	if (bpfvm_create(&opts, &vm) || bpfvm_object_open(vm, path, NULL, &obj) ||
	    bpfvm_object_load(obj)) {
		testlib_check("repeat_runs_object_loads", false, "%s", bpfvm_errmsg());
		bpfvm_object_close(obj);
		bpfvm_destroy(vm);
		return;
	}
	for (size_t h = 0; h < 2; h++) {
		uint64_t before = counter(obj, hops[h].offset), entries;

		r0 = test_run(obj, hops[h].prog, REPEAT, modes[m].checked);
		entries = counter(obj, hops[h].offset) - before;
		snprintf(name, sizeof(name), "%s_makes_33_tail_calls_in_each_of_%d_runs_%s",
			 hops[h].prog, REPEAT, modes[m].name);
		testlib_check(name, r0 == hops[h].r0 && entries == REPEAT * ENTRIES_PER_RUN,
			      "r0 %ld, %llu entries; want %ld, %d", r0,
			      (unsigned long long)entries, hops[h].r0, REPEAT * ENTRIES_PER_RUN);
	}
	r0 = test_run(obj, "stale_stack", REPEAT, modes[m].checked);
	snprintf(name, sizeof(name), "every_repeated_run_reads_a_cleared_stack_%s", modes[m].name);
	testlib_check(name, r0 == 1, "r0 %ld: the last run read what an earlier one wrote", r0);
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJDIR\n", argv[0]);
		return 2;
	}
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
		check_mode(argv[1], m);
	return testlib_summary();
}
