/* Replacing one instruction by several (verifier/insn_patch.c), as the
 * kernel's bpf_patch_insn_data: every jump, local call and subprogram
 * address that crosses the patch still reaches the same instruction, a jump
 * to the patched instruction reaches the start of the patch, subprograms
 * move, per-instruction tables move along, and an offset that would not fit
 * refuses the patch and leaves the program as it was.
 *
 * Each case patches an assembled program, compares the result with the
 * program written out by hand, and where it can, runs both (raw mode) to
 * show they compute the same. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "engine/prog.h"
#include "isa/isa.h"
#include "progtypes/progtype.h"
#include "../testlib.h"
#include "verifier/insn_patch.h"
#include "verifier/structure.h"

static struct bpfvm *vm;

static struct bpf_insn *assemble(const char *text, size_t *cnt)
{
	struct bpf_insn *insns = NULL;

	if (bpfvm_asm_parse(text, &insns, cnt)) {
		fprintf(stderr, "assembler: %s\n", bpfvm_errmsg());
		exit(2);
	}
	return insns;
}

/* A checked raw program, with its subprograms laid out. */
static struct bpfvm_prog *prog_from(const char *text)
{
	size_t cnt;
	struct bpf_insn *insns = assemble(text, &cnt);
	struct bpfvm_prog *prog = prog_alloc(vm, "patched", "", insns, cnt);

	free(insns);
	if (!prog)
		exit(2);
	prog->progtype = &progtype_raw;
	if (verifier_check_structure(prog)) {
		fprintf(stderr, "structure: %s\n", bpfvm_errmsg());
		exit(2);
	}
	return prog;
}

static void expect_program(const char *test, const struct bpfvm_prog *prog, const char *text)
{
	size_t cnt;
	struct bpf_insn *want = assemble(text, &cnt);
	bool same = cnt == prog->insn_cnt && !memcmp(want, prog->insns, cnt * sizeof(*want));

	testlib_check(test, same, "the patched program differs from the expected one");
	if (!same) {
		printf("  patched:\n");
		testlib_print_disasm(prog->insns, prog->insn_cnt);
		printf("  expected:\n");
		testlib_print_disasm(want, cnt);
	}
	free(want);
}

/* r0 of a raw run of `insns` over an 8-byte buffer. */
static uint64_t run(const char *test, const struct bpf_insn *insns, size_t cnt)
{
	struct bpfvm_prog *prog = NULL;
	uint64_t mem = 0, r0 = 0;
	struct bpfvm_prog_opts opts = { .sz = sizeof(opts), .ctx_size = sizeof(mem) };
	int err = bpfvm_prog_load_raw(vm, insns, cnt, &opts, &prog);

	if (!err)
		err = bpfvm_prog_run_raw(prog, &mem, sizeof(mem), &r0);
	testlib_check(test, err == 0, "running: %d %s", err, bpfvm_errmsg());
	bpfvm_prog_free(prog);
	return r0;
}

static void expect_same_result(const char *test, const char *original,
			       const struct bpfvm_prog *patched, uint64_t want)
{
	size_t cnt;
	struct bpf_insn *insns = assemble(original, &cnt);
	uint64_t before = run(test, insns, cnt), after = run(test, patched->insns,
							    patched->insn_cnt);

	testlib_check(test, before == want && after == want,
		      "r0 %llu before the patch, %llu after, want %llu",
		      (unsigned long long)before, (unsigned long long)after,
		      (unsigned long long)want);
	free(insns);
}

static void expect_subprogs(const char *test, const struct bpfvm_prog *prog,
			    const uint32_t *starts, const uint32_t *ends, uint32_t cnt)
{
	bool same = prog->subprog_cnt == cnt;

	for (uint32_t i = 0; same && i < cnt; i++)
		same = prog->subprogs[i].start == starts[i] && prog->subprogs[i].end == ends[i];
	testlib_check(test, same, "%u subprograms, the first [%u, %u)", prog->subprog_cnt,
		      prog->subprog_cnt ? prog->subprogs[0].start : 0,
		      prog->subprog_cnt ? prog->subprogs[0].end : 0);
}

static int patch(struct bpfvm_prog *prog, uint32_t idx, const char *text)
{
	size_t cnt;
	struct bpf_insn *insns = assemble(text, &cnt);
	int err = verifier_patch_insn(prog, idx, insns, (uint32_t)cnt, NULL, 0);

	free(insns);
	return err;
}

/* ---- Jumps ------------------------------------------------------------- */

/* 1 jumps forward over the patched 2 to 4; 5 jumps back to 2 itself, which
 * must land on the patch's first instruction (r0 += 5 twice, not once). */
static const char jumps_before[] =
	"r0 = 1\n"
	"if r0 == 1 goto pc+2\n"
	"r0 += 10\n"
	"r0 += 100\n"
	"r0 += 1000\n"
	"if r0 < 2000 goto pc-4\n"
	"exit\n";

static void jumps_across_the_patch_keep_their_targets(void)
{
	const char *test = "jumps_across_the_patch_keep_their_targets";
	struct bpfvm_prog *prog = prog_from(jumps_before);
	int err = patch(prog, 2, "r0 += 5\nr0 += 5\n");

	testlib_check(test, err == 0, "patch: %d %s", err, bpfvm_errmsg());
	expect_program(test, prog,
		       "r0 = 1\n"
		       "if r0 == 1 goto pc+3\n"
		       "r0 += 5\n"
		       "r0 += 5\n"
		       "r0 += 100\n"
		       "r0 += 1000\n"
		       "if r0 < 2000 goto pc-5\n"
		       "exit\n");
	expect_same_result(test, jumps_before, prog, 2111);
	prog_destroy(prog);
}

/* Jumps that stay on one side of the patch (2 back to 1, 6 back to 5) keep
 * their offsets; gotol (the 32-bit imm) crosses it forward (3 to 8) and
 * backward to the patched instruction itself (9 to 4). */
static const char sides_before[] =
	"r0 = 0\n"
	"r0 += 1\n"
	"if r0 < 3 goto pc-2\n"
	"gotol pc+4\n"
	"r0 *= 10\n"
	"r0 += 1\n"
	"if r0 < 100 goto pc-2\n"
	"exit\n"
	"r0 *= 10\n"
	"gotol pc-6\n";

static void jumps_on_one_side_keep_their_offsets(void)
{
	const char *test = "jumps_on_one_side_keep_their_offsets_gotol_crosses";
	struct bpfvm_prog *prog = prog_from(sides_before);
	int err = patch(prog, 4, "r0 *= 5\nr0 *= 2\n");

	testlib_check(test, err == 0, "patch: %d %s", err, bpfvm_errmsg());
	expect_program(test, prog,
		       "r0 = 0\n"
		       "r0 += 1\n"
		       "if r0 < 3 goto pc-2\n"
		       "gotol pc+5\n"
		       "r0 *= 5\n"
		       "r0 *= 2\n"
		       "r0 += 1\n"
		       "if r0 < 100 goto pc-2\n"
		       "exit\n"
		       "r0 *= 10\n"
		       "gotol pc-7\n");
	expect_same_result(test, sides_before, prog, 301);
	prog_destroy(prog);
}

/* ---- Calls, subprogram addresses, subprograms ------------------------------ */

static const char calls_before[] =
	"r6 = 7\n"
	"call pc+7\n"		/* sub_a at 9 */
	"r6 += r0\n"
	"r6 *= 3\n"		/* patched */
	"r2 = subprog[+4]\n"	/* sub_a, lddw in 4 and 5 */
	"call pc+4\n"		/* sub_b at 11 */
	"r0 += r6\n"
	"exit\n"
	"r0 = 5\n"		/* sub_a */
	"exit\n"
	"r0 = 100\n"		/* sub_b */
	"exit\n";

static void calls_and_subprograms_move_with_the_patch(void)
{
	const char *test = "calls_subprog_addresses_and_subprograms_move_with_the_patch";
	static const uint32_t starts[] = { 0, 10, 12 }, ends[] = { 10, 12, 14 };
	struct bpfvm_prog *prog = prog_from(calls_before);
	int err = patch(prog, 3, "r6 *= 1\nr6 *= 3\n");

	testlib_check(test, err == 0, "patch: %d %s", err, bpfvm_errmsg());
	expect_program(test, prog,
		       "r6 = 7\n"
		       "call pc+8\n"
		       "r6 += r0\n"
		       "r6 *= 1\n"
		       "r6 *= 3\n"
		       "r2 = subprog[+4]\n"
		       "call pc+4\n"
		       "r0 += r6\n"
		       "exit\n"
		       "r0 = 5\n"
		       "exit\n"
		       "r0 = 100\n"
		       "exit\n");
	expect_subprogs(test, prog, starts, ends, 3);
	expect_same_result(test, calls_before, prog, 136);
	prog_destroy(prog);
}

/* Patching a subprogram's first instruction: calls and addresses that
 * targeted it reach the patch's start; the subprogram starts there still
 * and grows; the one after it moves. */
static void patching_a_subprograms_first_instruction(void)
{
	const char *test = "patching_a_subprograms_first_instruction";
	static const uint32_t starts[] = { 0, 9, 12 }, ends[] = { 9, 12, 14 };
	struct bpfvm_prog *prog = prog_from(calls_before);
	int err = patch(prog, 9, "r0 = 2\nr0 += 3\n");

	testlib_check(test, err == 0, "patch: %d %s", err, bpfvm_errmsg());
	expect_program(test, prog,
		       "r6 = 7\n"
		       "call pc+7\n"
		       "r6 += r0\n"
		       "r6 *= 3\n"
		       "r2 = subprog[+4]\n"
		       "call pc+5\n"
		       "r0 += r6\n"
		       "exit\n"
		       "r0 = 2\n"
		       "r0 += 3\n"
		       "exit\n"
		       "r0 = 100\n"
		       "exit\n");
	expect_subprogs(test, prog, starts, ends, 3);
	expect_same_result(test, calls_before, prog, 136);
	prog_destroy(prog);
}

/* ---- Tables, limits, errors ------------------------------------------------- */

struct aux_entry {
	uint32_t idx;
	uint8_t flag;
};

static void tables_move_with_their_instructions(void)
{
	const char *test = "tables_move_with_their_instructions";
	struct bpfvm_prog *prog = prog_from(jumps_before);
	uint32_t *numbers = malloc(prog->insn_cnt * sizeof(*numbers));
	struct aux_entry *aux = malloc(prog->insn_cnt * sizeof(*aux));
	struct verifier_insn_table tables[2] = {
		{ (void **)&numbers, sizeof(*numbers) }, { (void **)&aux, sizeof(*aux) },
	};
	static const uint32_t want[] = { 10, 11, 0, 0, 12, 13, 14, 15, 16 };
	size_t cnt;
	struct bpf_insn *insns = assemble("r0 += 2\nr0 += 3\nr0 += 5\n", &cnt);
	bool same = true;
	int err;

	for (uint32_t i = 0; i < prog->insn_cnt; i++) {
		numbers[i] = 10 + i;
		aux[i] = (struct aux_entry){ 10 + i, 1 };
	}
	err = verifier_patch_insn(prog, 2, insns, (uint32_t)cnt, tables, 2);
	testlib_check(test, err == 0 && prog->insn_cnt == 9, "patch: %d, %u insns", err,
		      prog->insn_cnt);
	for (uint32_t i = 0; err == 0 && i < prog->insn_cnt; i++)
		same = same && numbers[i] == want[i] && aux[i].idx == want[i] &&
		       aux[i].flag == (want[i] != 0);
	testlib_check(test, same, "the patched instruction's entry goes last in the patch, "
		      "the others are zero, the rest follow their instructions");
	free(insns);
	free(numbers);
	free(aux);
	prog_destroy(prog);
}

/* A forward jump of 32767 over the patch would need 32768. */
static void an_offset_that_cannot_hold_refuses_the_patch(void)
{
	const char *test = "an_offset_that_cannot_hold_refuses_the_patch";
	uint32_t cnt = 32770;
	struct bpf_insn *insns = calloc(cnt, sizeof(*insns)), *copy;
	struct bpf_insn two[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .imm = 1 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .imm = 2 },
	};
	struct bpfvm_prog *prog;
	int err;

	for (uint32_t i = 0; i < cnt; i++)
		insns[i] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K };
	insns[0] = (struct bpf_insn){ .code = BPF_JMP | BPF_JA, .off = 32767 };
	insns[cnt - 1] = (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };
	prog = prog_alloc(vm, "long", "", insns, cnt);
	copy = insns;
	err = verifier_patch_insn(prog, 1, two, 2, NULL, 0);
	testlib_check(test, err == -ERANGE && strstr(bpfvm_errmsg(), "insn 0"),
		      "error %d (%s)", err, bpfvm_errmsg());
	testlib_check(test,
		      prog->insn_cnt == cnt && !memcmp(prog->insns, copy, cnt * sizeof(*copy)),
		      "the program changed");
	err = verifier_patch_insn(prog, 32768, two, 2, NULL, 0);
	testlib_check("a_jump_that_does_not_cross_keeps_its_offset",
		      err == 0 && prog->insns[0].off == 32767, "error %d, off %d", err,
		      prog->insns[0].off);
	free(insns);
	prog_destroy(prog);
}

static void bad_arguments_are_einval(void)
{
	struct bpfvm_prog *prog = prog_from(jumps_before);
	struct bpf_insn one = { .code = BPF_ALU64 | BPF_MOV | BPF_K, .imm = 3 };
	int err = verifier_patch_insn(prog, prog->insn_cnt, &one, 1, NULL, 0);

	testlib_check("patching_past_the_end_is_einval", err == -EINVAL, "error %d", err);
	err = verifier_patch_insn(prog, 0, &one, 0, NULL, 0);
	testlib_check("an_empty_patch_is_einval", err == -EINVAL, "error %d", err);
	err = verifier_patch_insn(prog, 0, &one, 1, NULL, 0);
	testlib_check("a_one_instruction_patch_replaces_it",
		      err == 0 && prog->insn_cnt == 7 && prog->insns[0].imm == 3, "error %d", err);
	prog_destroy(prog);
}

int main(void)
{
	vm = testlib_vm_create();
	jumps_across_the_patch_keep_their_targets();
	jumps_on_one_side_keep_their_offsets();
	calls_and_subprograms_move_with_the_patch();
	patching_a_subprograms_first_instruction();
	tables_move_with_their_instructions();
	an_offset_that_cannot_hold_refuses_the_patch();
	bad_arguments_are_einval();
	bpfvm_destroy(vm);
	return testlib_summary();
}
