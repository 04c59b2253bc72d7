/* The helper API and the rest of the public contract that programs rely on
 * (include/bpfvm/bpfvm.h): what a helper receives and returns, when a
 * registration takes effect, that runtimes are independent, that a loaded
 * program owns a copy of its instructions, and that option structs are read
 * only as far as their `sz` says.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "testlib.h"


/* Assembles `text`; exits on failure (the corpus tests the assembler). */
static struct bpf_insn *assemble(const char *text, size_t *insn_cnt)
{
	struct bpf_insn *insns = NULL;

	if (bpfvm_asm_parse(text, &insns, insn_cnt)) {
		fprintf(stderr, "cannot assemble \"%s\": %s\n", text, bpfvm_errmsg());
		exit(2);
	}
	return insns;
}

/* Loads `text` into vm; returns the error. */
/* Assembles and loads `text` as a raw program whose runs pass ctx_size
 * bytes of memory in r1. */
static int load_sized(struct bpfvm *vm, const char *text, uint32_t ctx_size,
		      struct bpfvm_prog **prog)
{
	struct bpfvm_prog_opts opts = { .sz = sizeof(opts), .ctx_size = ctx_size };
	size_t insn_cnt = 0;
	struct bpf_insn *insns = assemble(text, &insn_cnt);
	int err = bpfvm_prog_load_raw(vm, insns, insn_cnt, &opts, prog);

	free(insns);
	return err;
}

static int load(struct bpfvm *vm, const char *text, struct bpfvm_prog **prog)
{
	return load_sized(vm, text, 0, prog);
}

/* Loads and runs `text` once; returns the error, r0 in *r0. */
static int load_and_run(struct bpfvm *vm, const char *text, uint64_t *r0)
{
	struct bpfvm_prog *prog = NULL;
	int err = load(vm, text, &prog);

	if (!err)
		err = bpfvm_prog_run_raw(prog, NULL, 0, r0);
	bpfvm_prog_free(prog);
	return err;
}

/* ---- helpers ------------------------------------------------------- */

static uint64_t recorded_args[5];

static uint64_t helper_record(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	recorded_args[0] = r1;
	recorded_args[1] = r2;
	recorded_args[2] = r3;
	recorded_args[3] = r4;
	recorded_args[4] = r5;
	return 0xfedcba9876543210ull;
}

static uint64_t helper_one(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	return 1;
}

static uint64_t helper_two(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	return 2;
}

static void test_helper_receives_r1_to_r5_and_sets_r0(void)
{
	const char *test = "helper_receives_r1_to_r5_and_its_result_is_r0";
	const char *text = "r1 = 0x1111111111111111 ll\n"
			   "r2 = 0x2222222222222222 ll\n"
			   "r3 = 0x3333333333333333 ll\n"
			   "r4 = 0x4444444444444444 ll\n"
			   "r5 = 0x5555555555555555 ll\n"
			   "call 100\n"
			   "exit\n";
	struct bpfvm *vm = testlib_vm_create();
	uint64_t r0 = 0;
	int err = bpfvm_helper_register(vm, 100, "record", helper_record);

	if (!err)
		err = load_and_run(vm, text, &r0);
	testlib_check(test, !err && r0 == 0xfedcba9876543210ull, "error %d (%s), r0 0x%llx", err,
	      bpfvm_errmsg(), (unsigned long long)r0);
	for (int i = 0; i < 5; i++)
		testlib_check(test, recorded_args[i] == 0x1111111111111111ull * (uint64_t)(i + 1),
		      "r%d was 0x%llx", i + 1, (unsigned long long)recorded_args[i]);
	bpfvm_destroy(vm);
}

static void test_unregistered_helper_loads_after_registration(void)
{
	const char *test = "helper_call_loads_once_the_helper_is_registered";
	struct bpfvm *vm = testlib_vm_create();
	struct bpfvm_prog *prog = NULL;
	int err = load(vm, "call 101\nexit\n", &prog);

	testlib_check(test, err == -EINVAL, "before registration: error %d", err);
	bpfvm_prog_free(prog);
	prog = NULL;
	err = bpfvm_helper_register(vm, 101, "one", helper_one);
	if (!err)
		err = load(vm, "call 101\nexit\n", &prog);
	testlib_check(test, !err, "after registration: error %d (%s)", err, bpfvm_errmsg());
	bpfvm_prog_free(prog);
	bpfvm_destroy(vm);
}

/* bpfvm.h: "programs already loaded keep the function they were loaded
 * with". */
static void test_replacing_a_helper_keeps_loaded_programs(void)
{
	const char *test = "replaced_helper_leaves_loaded_programs_with_the_old_function";
	struct bpfvm *vm = testlib_vm_create();
	struct bpfvm_prog *before = NULL, *after = NULL;
	uint64_t r0_before = 0, r0_after = 0;
	int err = bpfvm_helper_register(vm, 102, "one", helper_one);

	if (!err)
		err = load(vm, "call 102\nexit\n", &before);
	if (!err)
		err = bpfvm_helper_register(vm, 102, "two", helper_two);
	if (!err)
		err = load(vm, "call 102\nexit\n", &after);
	if (!err)
		err = bpfvm_prog_run_raw(before, NULL, 0, &r0_before);
	if (!err)
		err = bpfvm_prog_run_raw(after, NULL, 0, &r0_after);
	testlib_check(test, !err && r0_before == 1 && r0_after == 2,
	      "error %d (%s), loaded before: %llu (want 1), after: %llu (want 2)", err,
	      bpfvm_errmsg(), (unsigned long long)r0_before, (unsigned long long)r0_after);
	bpfvm_prog_free(before);
	bpfvm_prog_free(after);
	bpfvm_destroy(vm);
}

/* The same rule for callx: the helper table a program runs with is the one
 * it was loaded with. */
static void test_replacing_a_helper_keeps_loaded_callx_programs(void)
{
	const char *test = "replaced_helper_leaves_loaded_callx_programs_with_the_old_function";
	struct bpfvm *vm = testlib_vm_create();
	struct bpfvm_prog *prog = NULL;
	uint64_t r0 = 0;
	int err = bpfvm_helper_register(vm, 103, "one", helper_one);

	if (!err)
		err = load(vm, "r2 = 103\ncallx r2\nexit\n", &prog);
	if (!err)
		err = bpfvm_helper_register(vm, 103, "two", helper_two);
	if (!err)
		err = bpfvm_prog_run_raw(prog, NULL, 0, &r0);
	testlib_check(test, !err && r0 == 1, "error %d (%s), r0 %llu (want 1, the function at load)", err,
	      err ? bpfvm_errmsg() : "", (unsigned long long)r0);
	bpfvm_prog_free(prog);
	bpfvm_destroy(vm);
}

static void test_helper_id_max(void)
{
	const char *test = "helper_with_the_largest_id_is_callable";
	struct bpfvm *vm = testlib_vm_create();
	uint64_t r0 = 0, r0x = 0;
	int err = bpfvm_helper_register(vm, BPFVM_HELPER_ID_MAX, "two", helper_two);

	if (!err)
		err = load_and_run(vm, "call 65535\nexit\n", &r0);
	if (!err)
		err = load_and_run(vm, "r1 = 65535\ncallx r1\nexit\n", &r0x);
	testlib_check(test, !err && r0 == 2 && r0x == 2, "error %d (%s), call: %llu, callx: %llu", err,
	      bpfvm_errmsg(), (unsigned long long)r0, (unsigned long long)r0x);
	bpfvm_destroy(vm);
}

static void test_runtimes_are_independent(void)
{
	const char *test = "runtimes_have_separate_helper_tables";
	struct bpfvm *with = testlib_vm_create(), *without = testlib_vm_create();
	struct bpfvm_prog *prog = NULL;
	uint64_t r0 = 0;
	/* 250: past Linux's helpers, so no built-in answers it. */
	int err = bpfvm_helper_register(with, 250, "two", helper_two);

	if (!err)
		err = load_and_run(with, "call 250\nexit\n", &r0);
	testlib_check(test, !err && r0 == 2, "runtime with the helper: error %d (%s)", err, bpfvm_errmsg());
	err = load(without, "call 250\nexit\n", &prog);
	testlib_check(test, err == -EINVAL, "runtime without the helper: error %d", err);
	err = load_and_run(without, "r1 = 250\ncallx r1\nexit\n", &r0);
	testlib_check(test, err == -EINVAL, "callx in the runtime without the helper: error %d", err);
	bpfvm_prog_free(prog);
	bpfvm_destroy(with);
	bpfvm_destroy(without);
}

static void test_helper_name_is_copied(void)
{
	const char *test = "helper_name_is_copied_at_registration";
	struct bpfvm *vm = testlib_vm_create();
	char *name = strdup("temporary");
	uint64_t r0 = 0;
	int err = name ? bpfvm_helper_register(vm, 105, name, helper_two) : -ENOMEM;

	free(name);
	if (!err)
		err = bpfvm_helper_register(vm, 105, "again", helper_two); /* frees the old copy */
	if (!err)
		err = load_and_run(vm, "call 105\nexit\n", &r0);
	testlib_check(test, !err && r0 == 2, "error %d (%s)", err, bpfvm_errmsg());
	bpfvm_destroy(vm);
}

/* ---- programs -------------------------------------------------------- */

static void test_instructions_are_copied(void)
{
	const char *test = "loaded_program_keeps_its_own_copy_of_the_instructions";
	struct bpfvm *vm = testlib_vm_create();
	struct bpfvm_prog *prog = NULL;
	size_t insn_cnt = 0;
	struct bpf_insn *insns = assemble("r0 = 7\nexit\n", &insn_cnt);
	uint64_t r0 = 0;
	int err = bpfvm_prog_load_raw(vm, insns, insn_cnt, NULL, &prog);

	if (err) {
		testlib_check(test, false, "load: error %d (%s)", err, bpfvm_errmsg());
		free(insns);
		bpfvm_destroy(vm);
		return;
	}
	insns[0].imm = 8;
	err = bpfvm_prog_run_raw(prog, NULL, 0, &r0);
	testlib_check(test, !err && r0 == 7, "after changing the caller's array: error %d, r0 %llu", err,
	      (unsigned long long)r0);
	testlib_check(test, bpfvm_prog_insn_cnt(prog) == insn_cnt, "insn_cnt %zu, want %zu",
	      bpfvm_prog_insn_cnt(prog), insn_cnt);
	testlib_check(test, bpfvm_prog_insns(prog) != insns && bpfvm_prog_insns(prog)[0].imm == 7,
	      "bpfvm_prog_insns does not return the program as loaded");
	free(insns);
	bpfvm_prog_free(prog);
	bpfvm_destroy(vm);
}

/* A run must not see what an earlier run left in registers or on the stack:
 * the same program gives the same result every time. */
static void test_runs_are_independent(void)
{
	const char *test = "runs_do_not_see_state_left_by_earlier_runs";
	/* (registers never read before written: the verifier refuses that) */
	const char *text = "r0 = *(u64 *)(r10 -8)\n"
			   "*(u64 *)(r10 -8) = 5\n"
			   "r3 = 7\n"
			   "exit\n";
	struct bpfvm *vm = testlib_vm_create();
	struct bpfvm_prog *prog = NULL;
	uint64_t first = 0, r0 = 0;
	int err = load(vm, text, &prog);

	if (!err)
		err = bpfvm_prog_run_raw(prog, NULL, 0, &first);
	for (int run = 1; run < 3 && !err; run++) {
		err = bpfvm_prog_run_raw(prog, NULL, 0, &r0);
		testlib_check(test, !err && r0 == first, "run %d: error %d, r0 %llu, first run %llu", run,
		      err, (unsigned long long)r0, (unsigned long long)first);
	}
	testlib_check(test, !err, "error %d (%s)", err, bpfvm_errmsg());
	bpfvm_prog_free(prog);
	bpfvm_destroy(vm);
}

static void test_memory_writes_are_visible_to_the_caller(void)
{
	const char *test = "program_writes_to_the_memory_it_is_given";
	struct bpfvm *vm = testlib_vm_create();
	uint8_t mem[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct bpfvm_prog *prog = NULL;
	uint64_t r0 = 0;
	int err = load_sized(vm, "*(u32 *)(r1 +2) = 0x55667788\nr0 = r2\nexit\n", sizeof(mem),
			     &prog);

	if (!err)
		err = bpfvm_prog_run_raw(prog, mem, sizeof(mem), &r0);
	testlib_check(test, !err && r0 == sizeof(mem) && mem[1] == 2 && mem[2] == 0x88 && mem[5] == 0x55 &&
			    mem[6] == 7,
	      "error %d (%s), r0 %llu, mem %02x %02x %02x %02x %02x %02x %02x %02x", err,
	      bpfvm_errmsg(), (unsigned long long)r0, mem[0], mem[1], mem[2], mem[3], mem[4],
	      mem[5], mem[6], mem[7]);
	bpfvm_prog_free(prog);
	bpfvm_destroy(vm);
}

/* An opts struct from a caller compiled before insn_budget existed ends
 * after `name`; the library must not read past `sz`. The bytes after it are
 * set to 1, which would be a budget of one instruction. */
static void test_old_opts_size_is_respected(void)
{
	const char *test = "prog_opts_fields_past_sz_are_not_read";
	const char *loop = "r0 = 0\n"
			   "r1 = 100\n"
			   "loop:\n"
			   "r0 += 1\n"
			   "r1 -= 1\n"
			   "if r1 != 0x0 goto loop\n"
			   "exit\n";
	size_t old_size = offsetof(struct bpfvm_prog_opts, insn_budget);
	unsigned char *buffer = malloc(sizeof(struct bpfvm_prog_opts));
	struct bpfvm_prog_opts head = { .sz = old_size, .name = "old_caller" };
	uint64_t garbage_budget = 1;
	struct bpfvm *vm = testlib_vm_create();
	struct bpf_insn *insns;
	struct bpfvm_prog *prog = NULL;
	size_t insn_cnt = 0;
	uint64_t r0 = 0;
	int err;

	if (!buffer) {
		testlib_check(test, false, "out of memory");
		bpfvm_destroy(vm);
		return;
	}
	memcpy(buffer, &head, old_size);
	memcpy(buffer + old_size, &garbage_budget, sizeof(garbage_budget));
	insns = assemble(loop, &insn_cnt);
	err = bpfvm_prog_load_raw(vm, insns, insn_cnt, (const struct bpfvm_prog_opts *)buffer,
				  &prog);
	if (!err)
		err = bpfvm_prog_run_raw(prog, NULL, 0, &r0);
	testlib_check(test, !err && r0 == 100,
	      "error %d (%s), r0 %llu: insn_budget was read from past opts->sz", err,
	      err ? bpfvm_errmsg() : "", (unsigned long long)r0);
	free(insns);
	free(buffer);
	bpfvm_prog_free(prog);
	bpfvm_destroy(vm);
}

int main(void)
{
	test_helper_receives_r1_to_r5_and_sets_r0();
	test_unregistered_helper_loads_after_registration();
	test_replacing_a_helper_keeps_loaded_programs();
	test_replacing_a_helper_keeps_loaded_callx_programs();
	test_helper_id_max();
	test_runtimes_are_independent();
	test_helper_name_is_copied();
	test_instructions_are_copied();
	test_runs_are_independent();
	test_memory_writes_are_visible_to_the_caller();
	test_old_opts_size_is_respected();
	return testlib_summary();
}
