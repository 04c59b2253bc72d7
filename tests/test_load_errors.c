/* The error paths of bpfvm_prog_load_raw and bpfvm_prog_run_raw, and of the
 * calls that set up a runtime. Every rejection of an instruction must come
 * with the errno the API documents and a message (bpfvm_errmsg()) that names
 * the program and the instruction ("insn N"), as the kernel verifier's log
 * does. The programs are built from struct bpf_insn arrays, because most of
 * them are ones the assembler would refuse to write.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpfvm/bpfvm.h"
#include "isa/isa.h"
#include "testlib.h"

/* ---- instruction constructors (linux/filter.h's BPF_* are not UAPI) --- */

static struct bpf_insn insn_raw(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	return (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src, .off = off,
				  .imm = imm };
}

static struct bpf_insn mov64_imm(uint8_t dst, int32_t imm)
{
	return insn_raw(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
}

static struct bpf_insn mov64_reg(uint8_t dst, uint8_t src)
{
	return insn_raw(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0);
}

static struct bpf_insn add64_imm(uint8_t dst, int32_t imm)
{
	return insn_raw(BPF_ALU64 | BPF_ADD | BPF_K, dst, 0, 0, imm);
}

static struct bpf_insn exit_insn(void)
{
	return insn_raw(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

static struct bpf_insn ja(int16_t off)
{
	return insn_raw(BPF_JMP | BPF_JA, 0, 0, off, 0);
}

static struct bpf_insn gotol(int32_t imm)
{
	return insn_raw(BPF_JMP32 | BPF_JA, 0, 0, 0, imm);
}

static struct bpf_insn jeq_imm(uint8_t dst, int32_t imm, int16_t off)
{
	return insn_raw(BPF_JMP | BPF_JEQ | BPF_K, dst, 0, off, imm);
}

static struct bpf_insn jne_imm(uint8_t dst, int32_t imm, int16_t off)
{
	return insn_raw(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm);
}

static struct bpf_insn call_helper(int32_t id)
{
	return insn_raw(BPF_JMP | BPF_CALL, 0, 0, 0, id);
}

static struct bpf_insn call_local(int32_t imm)
{
	return insn_raw(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, imm);
}

static struct bpf_insn callx(uint8_t reg)
{
	return insn_raw(BPF_JMP | BPF_CALL | BPF_X, reg, 0, 0, 0);
}

static struct bpf_insn ldx(uint8_t size, uint8_t dst, uint8_t src, int16_t off)
{
	return insn_raw(BPF_LDX | BPF_MEM | size, dst, src, off, 0);
}

static struct bpf_insn st_imm(uint8_t size, uint8_t dst, int16_t off, int32_t imm)
{
	return insn_raw(BPF_ST | BPF_MEM | size, dst, 0, off, imm);
}

static struct bpf_insn lddw_first(uint8_t dst, uint8_t src, uint64_t imm)
{
	return insn_raw(BPF_LD | BPF_IMM | BPF_DW, dst, src, 0, (int32_t)(uint32_t)imm);
}

static struct bpf_insn lddw_second(uint64_t imm)
{
	return insn_raw(0, 0, 0, 0, (int32_t)(uint32_t)(imm >> 32));
}

/* ---- checking ------------------------------------------------------- */


/* True if msg contains "insn N" with N not followed by another digit. */
static bool names_insn(const char *msg, long idx)
{
	char needle[32];
	size_t len = (size_t)snprintf(needle, sizeof(needle), "insn %ld", idx);

	for (const char *p = strstr(msg, needle); p; p = strstr(p + 1, needle))
		if (p[len] < '0' || p[len] > '9')
			return true;
	return false;
}

/* Checks an error: errno, a message, and (when idx >= 0) that the message
 * names the instruction and the program. */
static void check_error(const char *test, const char *stage, int err, int expected_err,
			long idx)
{
	const char *msg = bpfvm_errmsg();

	if (err != expected_err) {
		testlib_check(test, false, "%s: expected error %d got %d (%s)", stage, expected_err, err,
		       msg);
		return;
	}
	if (!msg[0]) {
		testlib_check(test, false, "%s: error %d with an empty bpfvm_errmsg()", stage, err);
		return;
	}
	if (idx >= 0 && !names_insn(msg, idx)) {
		testlib_check(test, false, "%s: message does not name insn %ld: \"%s\"", stage, idx, msg);
		return;
	}
	if (idx >= 0 && !strstr(msg, test)) {
		testlib_check(test, false, "%s: message does not name the program '%s': \"%s\"", stage,
		       test, msg);
		return;
	}
	testlib_check(test, true, "%s", "");
}

static struct bpfvm *vm;

/* Loading `insns` must fail with expected_err naming instruction idx. */
static void expect_load_error(const char *test, const struct bpf_insn *insns, size_t insn_cnt,
			      int expected_err, long idx)
{
	struct bpfvm_prog_opts opts = { .sz = sizeof(opts), .name = test };
	struct bpfvm_prog *prog = NULL;
	int err = bpfvm_prog_load_raw(vm, insns, insn_cnt, &opts, &prog);

	check_error(test, "load", err, expected_err, idx);
	if (!err) {
		printf("    the program loaded:\n");
		testlib_print_disasm(insns, insn_cnt);
	}
	bpfvm_prog_free(prog);
}

/* Loading must succeed and the run fail with expected_err naming idx. */
static void expect_run_error(const char *test, const struct bpf_insn *insns, size_t insn_cnt,
			     uint64_t insn_budget, int expected_err, long idx)
{
	struct bpfvm_prog_opts opts = { .sz = sizeof(opts), .name = test,
					.insn_budget = insn_budget };
	struct bpfvm_prog *prog = NULL;
	uint64_t r0 = 0;
	int err = bpfvm_prog_load_raw(vm, insns, insn_cnt, &opts, &prog);

	if (err) {
		testlib_check(test, false, "load: unexpected error %d (%s)", err, bpfvm_errmsg());
		return;
	}
	err = bpfvm_prog_run_raw(prog, NULL, 0, &r0);
	check_error(test, "run", err, expected_err, idx);
	bpfvm_prog_free(prog);
}

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* ---- malformed programs ----------------------------------------------- */

/* Runs `check` in a child process, so that a crash or a sanitizer's abort
 * in the library fails that one check instead of ending the whole test. */
static void run_isolated(const char *test, void (*check)(void))
{
	pid_t pid;
	int status = 0;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		unsigned before = testlib_failed();

		check();
		fflush(stdout);
		_exit(testlib_failed() == before ? 0 : 3);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		testlib_check(test, false, "cannot run in a child process");
		return;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		testlib_check(test, true, "%s", "");
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
		testlib_count_failure(); /* the child printed why */
	else
		testlib_check(test, false, "the library crashed or aborted (%s %d)",
		       WIFSIGNALED(status) ? "signal" : "exit status",
		       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
}

static void check_empty_program_without_array(void)
{
	struct bpfvm_prog *prog = NULL;
	int err = bpfvm_prog_load_raw(vm, NULL, 0, NULL, &prog);

	check_error("empty_program_without_array_is_rejected", "load", err, -EINVAL, -1);
	bpfvm_prog_free(prog);
}

static void test_empty_program(void)
{
	const struct bpf_insn one[] = { exit_insn() };
	struct bpfvm_prog *prog = NULL;
	int err;

	/* No instruction to name: only the errno and a message. */
	err = bpfvm_prog_load_raw(vm, one, 0, NULL, &prog);
	check_error("empty_program_is_rejected", "load", err, -EINVAL, -1);
	bpfvm_prog_free(prog);
	run_isolated("empty_program_without_array_is_rejected", check_empty_program_without_array);
}

static void test_invalid_opcodes(void)
{
	const struct bpf_insn undefined[] = { mov64_imm(0, 0), insn_raw(0xff, 0, 0, 0, 0),
					      exit_insn() };
	const struct bpf_insn alu_op_e0[] = { mov64_imm(0, 0),
					      insn_raw(BPF_ALU64 | 0xe0 | BPF_K, 0, 0, 0, 1),
					      exit_insn() };
	const struct bpf_insn jmp_op_f0[] = { mov64_imm(0, 0),
					      insn_raw(BPF_JMP | 0xf0 | BPF_K, 0, 0, 0, 0),
					      exit_insn() };
	const struct bpf_insn ldx_mode_imm[] = { mov64_imm(0, 0),
						 insn_raw(BPF_LDX | BPF_IMM | BPF_W, 0, 10, -8, 0),
						 exit_insn() };
	const struct bpf_insn ldxs_dw[] = { mov64_imm(0, 0),
					    insn_raw(BPF_LDX | BPF_MEMSX | BPF_DW, 0, 10, -8, 0),
					    exit_insn() };
	const struct bpf_insn ld_abs_dw[] = { mov64_imm(0, 0), mov64_reg(6, 1),
					      insn_raw(BPF_LD | BPF_ABS | BPF_DW, 0, 0, 0, 0),
					      exit_insn() };
	const struct bpf_insn atomic_byte[] = { mov64_imm(0, 0),
						insn_raw(BPF_STX | BPF_ATOMIC | BPF_B, 10, 0, -8,
							 BPF_ADD),
						exit_insn() };
	const struct bpf_insn atomic_bad_op[] = { mov64_imm(0, 0),
						  insn_raw(BPF_STX | BPF_ATOMIC | BPF_DW, 10, 0, -8,
							   0x02),
						  exit_insn() };

	expect_load_error("undefined_opcode_0xff_is_rejected", undefined, COUNT(undefined),
			  -EINVAL, 1);
	expect_load_error("unused_alu_operation_is_rejected", alu_op_e0, COUNT(alu_op_e0),
			  -EINVAL, 1);
	expect_load_error("unused_jump_operation_is_rejected", jmp_op_f0, COUNT(jmp_op_f0),
			  -EINVAL, 1);
	expect_load_error("ldx_with_imm_mode_is_rejected", ldx_mode_imm, COUNT(ldx_mode_imm),
			  -EINVAL, 1);
	expect_load_error("sign_extending_ldx_of_dw_is_rejected", ldxs_dw, COUNT(ldxs_dw),
			  -EINVAL, 1);
	expect_load_error("ld_abs_of_dw_is_rejected", ld_abs_dw, COUNT(ld_abs_dw), -EINVAL, 2);
	expect_load_error("atomic_on_a_byte_is_rejected", atomic_byte, COUNT(atomic_byte),
			  -EINVAL, 1);
	expect_load_error("atomic_with_unknown_operation_is_rejected", atomic_bad_op,
			  COUNT(atomic_bad_op), -EINVAL, 1);
}

static void test_registers(void)
{
	const struct bpf_insn dst_r11[] = { mov64_imm(0, 0), mov64_imm(11, 1), exit_insn() };
	const struct bpf_insn src_r11[] = { mov64_imm(0, 0), mov64_reg(0, 11), exit_insn() };
	const struct bpf_insn src_r15[] = { mov64_imm(0, 0), ldx(BPF_DW, 0, 15, 0), exit_insn() };
	const struct bpf_insn mov_r10[] = { mov64_imm(0, 0), mov64_imm(10, 1), exit_insn() };
	const struct bpf_insn add_r10[] = { mov64_imm(0, 0), add64_imm(10, -8), exit_insn() };
	const struct bpf_insn ldx_r10[] = { mov64_imm(0, 0), ldx(BPF_DW, 10, 10, -8),
					    exit_insn() };
	const struct bpf_insn lddw_r10[] = { mov64_imm(0, 0), lddw_first(10, 0, 1),
					     lddw_second(1), exit_insn() };
	const struct bpf_insn fetch_r10[] = {
		mov64_imm(0, 0), st_imm(BPF_DW, 10, -8, 0),
		insn_raw(BPF_STX | BPF_ATOMIC | BPF_DW, 10, 10, -8, BPF_ADD | BPF_FETCH),
		exit_insn(),
	};

	expect_load_error("register_r11_as_dst_is_rejected", dst_r11, COUNT(dst_r11), -EINVAL, 1);
	expect_load_error("register_r11_as_src_is_rejected", src_r11, COUNT(src_r11), -EINVAL, 1);
	expect_load_error("register_r15_as_base_is_rejected", src_r15, COUNT(src_r15), -EINVAL,
			  1);
	expect_load_error("mov_to_r10_is_rejected", mov_r10, COUNT(mov_r10), -EACCES, 1);
	expect_load_error("alu_on_r10_is_rejected", add_r10, COUNT(add_r10), -EACCES, 1);
	expect_load_error("load_into_r10_is_rejected", ldx_r10, COUNT(ldx_r10), -EACCES, 1);
	expect_load_error("lddw_into_r10_is_rejected", lddw_r10, COUNT(lddw_r10), -EACCES, 1);
	/* -EACCES: the kernel's check_reg_arg, on the path that writes r10 */
	expect_load_error("atomic_fetch_into_r10_is_rejected", fetch_r10, COUNT(fetch_r10),
			  -EACCES, 2);
}

static void test_jumps(void)
{
	const struct bpf_insn forward[] = { mov64_imm(0, 0), ja(5), exit_insn() };
	const struct bpf_insn backward[] = { mov64_imm(0, 0), ja(-3), exit_insn() };
	const struct bpf_insn conditional[] = { mov64_imm(0, 0), jeq_imm(0, 0, 2), exit_insn() };
	const struct bpf_insn long_jump[] = { mov64_imm(0, 0), gotol(100), exit_insn() };
	const struct bpf_insn into_lddw[] = { mov64_imm(0, 0), ja(1), lddw_first(1, 0, 7),
					      lddw_second(7), exit_insn() };
	const struct bpf_insn into_lddw_backward[] = { mov64_imm(0, 0), lddw_first(1, 0, 7),
						       lddw_second(7), jne_imm(0, 0, -2),
						       exit_insn() };
	/* idx0 calls the subprogram at 3; idx1 jumps from main into it. */
	const struct bpf_insn into_subprog[] = { call_local(2), jeq_imm(0, 0, 2), exit_insn(),
						 mov64_imm(0, 1), exit_insn() };

	expect_load_error("jump_forward_out_of_range_is_rejected", forward, COUNT(forward),
			  -EINVAL, 1);
	expect_load_error("jump_backward_out_of_range_is_rejected", backward, COUNT(backward),
			  -EINVAL, 1);
	expect_load_error("conditional_jump_out_of_range_is_rejected", conditional,
			  COUNT(conditional), -EINVAL, 1);
	expect_load_error("gotol_out_of_range_is_rejected", long_jump, COUNT(long_jump), -EINVAL,
			  1);
	expect_load_error("jump_into_the_middle_of_lddw_is_rejected", into_lddw,
			  COUNT(into_lddw), -EINVAL, 1);
	expect_load_error("backward_jump_into_the_middle_of_lddw_is_rejected",
			  into_lddw_backward, COUNT(into_lddw_backward), -EINVAL, 3);
	expect_load_error("jump_from_main_into_a_subprogram_is_rejected", into_subprog,
			  COUNT(into_subprog), -EINVAL, 1);
}

static void test_program_ends(void)
{
	const struct bpf_insn no_exit[] = { mov64_imm(0, 0), add64_imm(0, 1) };
	const struct bpf_insn ends_in_conditional[] = { mov64_imm(0, 0), jeq_imm(0, 0, -2) };
	const struct bpf_insn lddw_last[] = { mov64_imm(0, 0), lddw_first(0, 0, 1) };
	const struct bpf_insn lddw_bad_second[] = { mov64_imm(0, 0), lddw_first(0, 0, 1),
						    exit_insn(), exit_insn() };
	/* The subprogram at 3 runs into the one at 5 without an exit. */
	const struct bpf_insn subprog_falls_through[] = { call_local(2), call_local(3), exit_insn(),
							  mov64_imm(0, 1), add64_imm(0, 1),
							  mov64_imm(0, 2), exit_insn() };

	expect_load_error("falling_off_the_end_is_rejected", no_exit, COUNT(no_exit), -EINVAL, 1);
	expect_load_error("ending_with_a_conditional_jump_is_rejected", ends_in_conditional,
			  COUNT(ends_in_conditional), -EINVAL, 1);
	expect_load_error("lddw_missing_its_second_half_is_rejected", lddw_last,
			  COUNT(lddw_last), -EINVAL, 1);
	expect_load_error("lddw_with_an_instruction_as_second_half_is_rejected", lddw_bad_second,
			  COUNT(lddw_bad_second), -EINVAL, 1);
	expect_load_error("subprogram_falling_into_the_next_is_rejected", subprog_falls_through,
			  COUNT(subprog_falls_through), -EINVAL, 4);
}

static void test_lddw_pseudo_sources(void)
{
	const struct bpf_insn map_fd[] = { mov64_imm(0, 0), lddw_first(1, BPF_PSEUDO_MAP_FD, 3),
					   lddw_second(0), exit_insn() };
	const struct bpf_insn map_value[] = { mov64_imm(0, 0),
					      lddw_first(1, BPF_PSEUDO_MAP_VALUE, 3),
					      lddw_second(0), exit_insn() };
	const struct bpf_insn btf_id[] = { mov64_imm(0, 0), lddw_first(1, BPF_PSEUDO_BTF_ID, 3),
					   lddw_second(0), exit_insn() };

	expect_load_error("lddw_map_fd_needs_an_object_loader", map_fd, COUNT(map_fd), -EINVAL, 1);
	expect_load_error("lddw_map_value_needs_an_object_loader", map_value, COUNT(map_value),
			  -EINVAL, 1);
	expect_load_error("lddw_btf_id_needs_an_object_loader", btf_id, COUNT(btf_id), -EINVAL, 1);
}

static void test_calls(void)
{
	const struct bpf_insn unknown_helper[] = { mov64_imm(0, 0), call_helper(9999),
						   exit_insn() };
	const struct bpf_insn negative_helper[] = { mov64_imm(0, 0), call_helper(-1),
						    exit_insn() };
	/* A kernel helper that bpfvm has no implementation of. */
	const struct bpf_insn absent_helper[] = { mov64_imm(0, 0), call_helper(20), exit_insn() };
	/* A packet helper, which a raw (plain memory) program may not call. */
	const struct bpf_insn skb_helper[] = { mov64_imm(0, 0), call_helper(26), exit_insn() };
	/* idx0 calls f at 2; f (idx2) calls itself. */
	const struct bpf_insn recursive[] = { call_local(1), exit_insn(), call_local(-1),
					      exit_insn() };
	/* main calls f at 2; f calls g at 4; g calls f. */
	const struct bpf_insn mutual[] = { call_local(1), exit_insn(), call_local(1), exit_insn(),
					   call_local(-3), exit_insn() };
	const struct bpf_insn call_out_of_range[] = { mov64_imm(0, 0), call_local(100),
						      exit_insn() };
	const struct bpf_insn call_jmp32[] = {
		insn_raw(BPF_JMP32 | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 1), exit_insn(),
		mov64_imm(0, 0), exit_insn(),
	};
	const struct bpf_insn kfunc[] = { mov64_imm(0, 0),
					  insn_raw(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0,
						   1234),
					  exit_insn() };
	/* Nine frames: main and f1..f8, each calling the next (at +2). */
	struct bpf_insn nine_frames[18];
	/* main uses 512 bytes and calls f, which uses 16 more. */
	const struct bpf_insn stack_528[] = { st_imm(BPF_DW, 10, -512, 1), call_local(1),
					      exit_insn(), st_imm(BPF_DW, 10, -16, 2),
					      mov64_imm(0, 0), exit_insn() };

	for (int frame = 0; frame < 8; frame++) {
		nine_frames[2 * frame] = call_local(1);
		nine_frames[2 * frame + 1] = exit_insn();
	}
	nine_frames[16] = mov64_imm(0, 0);
	nine_frames[17] = exit_insn();

	expect_load_error("call_to_unknown_helper_is_rejected", unknown_helper,
			  COUNT(unknown_helper), -EINVAL, 1);
	if (!strstr(bpfvm_errmsg(), "9999"))
		testlib_check("call_to_unknown_helper_message_names_the_id", false, "\"%s\"",
		       bpfvm_errmsg());
	else
		testlib_check("call_to_unknown_helper_message_names_the_id", true, "%s", "");
	expect_load_error("helper_bpfvm_does_not_provide_is_refused", absent_helper,
			  COUNT(absent_helper), -EINVAL, 1);
	testlib_check("helper_bpfvm_does_not_provide_is_named",
		      strstr(bpfvm_errmsg(), "bpf_skb_get_tunnel_key#20 is not provided") != NULL,
		      "\"%s\"", bpfvm_errmsg());
	expect_load_error("helper_of_another_program_type_is_refused", skb_helper,
			  COUNT(skb_helper), -EINVAL, 1);
	testlib_check("helper_of_another_program_type_is_named",
		      strstr(bpfvm_errmsg(), "cannot use helper bpf_skb_load_bytes#26 (program type raw)") !=
			      NULL,
		      "\"%s\"", bpfvm_errmsg());
	expect_load_error("call_to_negative_helper_id_is_rejected", negative_helper,
			  COUNT(negative_helper), -EINVAL, 1);
	/* As the kernel: the calls are too deep (-E2BIG). */
	expect_load_error("recursive_local_call_is_rejected", recursive, COUNT(recursive),
			  -E2BIG, 2);
	expect_load_error("mutually_recursive_local_calls_are_rejected", mutual, COUNT(mutual),
			  -E2BIG, 4);
	expect_load_error("local_call_target_out_of_range_is_rejected", call_out_of_range,
			  COUNT(call_out_of_range), -EINVAL, 1);
	expect_load_error("local_call_in_jmp32_class_is_rejected", call_jmp32, COUNT(call_jmp32),
			  -EINVAL, 0);
	expect_load_error("kfunc_call_needs_an_object_loader", kfunc, COUNT(kfunc), -EINVAL, 1);
	/* The chain is rejected at the ninth frame, whose function starts at
	 * insn 16. */
	expect_load_error("nine_call_frames_are_too_deep", nine_frames, COUNT(nine_frames),
			  -E2BIG, 16);
	/* The chain is rejected at the frame that goes over, f at insn 3. */
	expect_load_error("combined_stack_over_512_bytes_is_too_large", stack_528,
			  COUNT(stack_528), -EACCES, 3);
}

static void test_stack_offsets(void)
{
	const struct bpf_insn below[] = { mov64_imm(0, 0), ldx(BPF_DW, 0, 10, -520), exit_insn() };
	const struct bpf_insn at_top[] = { mov64_imm(0, 0), st_imm(BPF_DW, 10, 0, 1),
					   exit_insn() };
	const struct bpf_insn straddles_top[] = { mov64_imm(0, 0), st_imm(BPF_W, 10, -2, 1),
						  exit_insn() };
	const struct bpf_insn above[] = { mov64_imm(0, 0), ldx(BPF_B, 0, 10, 8), exit_insn() };
	const struct bpf_insn lowest_ok[] = { st_imm(BPF_DW, 10, -512, 5),
					      ldx(BPF_DW, 0, 10, -512), exit_insn() };
	struct bpfvm_prog *prog = NULL;
	uint64_t r0 = 0;
	int err;

	/* -EACCES, as the kernel (check_stack_slot_within_bounds; a straddle
	 * of the top is misaligned) */
	expect_load_error("stack_access_below_512_bytes_is_rejected", below, COUNT(below), -EACCES,
			  1);
	expect_load_error("stack_access_at_r10_is_rejected", at_top, COUNT(at_top), -EACCES, 1);
	expect_load_error("stack_access_straddling_r10_is_rejected", straddles_top,
			  COUNT(straddles_top), -EACCES, 1);
	expect_load_error("stack_access_above_r10_is_rejected", above, COUNT(above), -EACCES, 1);
	err = bpfvm_prog_load_raw(vm, lowest_ok, COUNT(lowest_ok), NULL, &prog);
	if (!err)
		err = bpfvm_prog_run_raw(prog, NULL, 0, &r0);
	testlib_check("stack_access_at_r10_minus_512_is_allowed", !err && r0 == 5,
	       "error %d (%s), r0 %llu", err, bpfvm_errmsg(), (unsigned long long)r0);
	bpfvm_prog_free(prog);
}

static void test_reserved_fields(void)
{
	const struct {
		const char *name;
		struct bpf_insn insn;
	} cases[] = {
		{ "exit_with_imm_is_rejected",
		  insn_raw(BPF_JMP | BPF_EXIT, 0, 0, 0, 1) },
		{ "exit_with_dst_is_rejected",
		  insn_raw(BPF_JMP | BPF_EXIT, 1, 0, 0, 0) },
		{ "exit_in_jmp32_class_is_rejected",
		  insn_raw(BPF_JMP32 | BPF_EXIT, 0, 0, 0, 0) },
		{ "alu_imm_with_src_reg_is_rejected",
		  insn_raw(BPF_ALU64 | BPF_ADD | BPF_K, 0, 1, 0, 1) },
		{ "alu_reg_with_imm_is_rejected",
		  insn_raw(BPF_ALU64 | BPF_ADD | BPF_X, 0, 1, 0, 1) },
		{ "alu_add_with_off_is_rejected",
		  insn_raw(BPF_ALU64 | BPF_ADD | BPF_X, 0, 1, 1, 0) },
		{ "mov_imm_with_off_is_rejected",
		  insn_raw(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 8, 1) },
		{ "movsx32_of_32_bits_is_rejected",
		  insn_raw(BPF_ALU | BPF_MOV | BPF_X, 0, 1, 32, 0) },
		{ "movsx_of_24_bits_is_rejected",
		  insn_raw(BPF_ALU64 | BPF_MOV | BPF_X, 0, 1, 24, 0) },
		{ "div_with_off_2_is_rejected",
		  insn_raw(BPF_ALU64 | BPF_DIV | BPF_K, 0, 0, 2, 1) },
		{ "neg_with_reg_source_is_rejected",
		  insn_raw(BPF_ALU64 | BPF_NEG | BPF_X, 0, 1, 0, 0) },
		{ "neg_with_imm_is_rejected",
		  insn_raw(BPF_ALU64 | BPF_NEG | BPF_K, 0, 0, 0, 1) },
		{ "byteswap_of_8_bits_is_rejected",
		  insn_raw(BPF_ALU | BPF_END | BPF_TO_BE, 0, 0, 0, 8) },
		{ "bswap_with_to_be_bit_is_rejected",
		  insn_raw(BPF_ALU64 | BPF_END | BPF_TO_BE, 0, 0, 0, 16) },
		{ "ja_with_imm_is_rejected",
		  insn_raw(BPF_JMP | BPF_JA, 0, 0, 0, 1) },
		{ "gotol_with_off_is_rejected",
		  insn_raw(BPF_JMP32 | BPF_JA, 0, 0, 1, 0) },
		{ "conditional_jump_imm_with_src_is_rejected",
		  insn_raw(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0, 0) },
		{ "conditional_jump_reg_with_imm_is_rejected",
		  insn_raw(BPF_JMP | BPF_JEQ | BPF_X, 0, 1, 0, 1) },
		{ "helper_call_with_off_is_rejected",
		  insn_raw(BPF_JMP | BPF_CALL, 0, 0, 1, 5) },
		{ "helper_call_with_dst_is_rejected",
		  insn_raw(BPF_JMP | BPF_CALL, 1, 0, 0, 5) },
		{ "callx_with_imm_is_rejected",
		  insn_raw(BPF_JMP | BPF_CALL | BPF_X, 1, 0, 0, 5) },
		{ "ldx_with_imm_is_rejected",
		  insn_raw(BPF_LDX | BPF_MEM | BPF_DW, 0, 10, -8, 1) },
		{ "st_with_src_reg_is_rejected",
		  insn_raw(BPF_ST | BPF_MEM | BPF_DW, 10, 1, -8, 1) },
		{ "stx_with_imm_is_rejected",
		  insn_raw(BPF_STX | BPF_MEM | BPF_DW, 10, 1, -8, 1) },
		{ "ld_abs_with_src_reg_is_rejected",
		  insn_raw(BPF_LD | BPF_ABS | BPF_W, 0, 1, 0, 0) },
		{ "ld_abs_with_dst_reg_is_rejected",
		  insn_raw(BPF_LD | BPF_ABS | BPF_W, 1, 0, 0, 0) },
		{ "ld_ind_with_off_is_rejected",
		  insn_raw(BPF_LD | BPF_IND | BPF_W, 0, 1, 1, 0) },
		{ "ld_imm_of_a_word_is_rejected",
		  insn_raw(BPF_LD | BPF_IMM | BPF_W, 0, 0, 0, 1) },
		{ "ld_with_mem_mode_is_rejected",
		  insn_raw(BPF_LD | BPF_MEM | BPF_W, 0, 1, 0, 0) },
	};

	for (size_t i = 0; i < COUNT(cases); i++) {
		const struct bpf_insn program[] = { mov64_imm(0, 0), mov64_imm(1, 0),
						    cases[i].insn, exit_insn() };

		expect_load_error(cases[i].name, program, COUNT(program), -EINVAL, 2);
	}
}

/* ---- run-time errors ------------------------------------------------ */

static void test_run_errors(void)
{
	const struct bpf_insn self_loop[] = { mov64_imm(0, 0), ja(-1) };
	const struct bpf_insn counting_loop[] = { mov64_imm(0, 0), add64_imm(0, 1),
						  jne_imm(0, 0, -2), exit_insn() };
	const struct bpf_insn long_loop[] = { mov64_imm(0, 0), mov64_imm(1, 0), add64_imm(0, 1),
					      add64_imm(1, 1), gotol(-3) };
	const struct bpf_insn callx_unknown[] = { mov64_imm(2, 4242), callx(2), exit_insn() };
	const struct bpf_insn callx_huge[] = { lddw_first(2, 0, 0x100000005ull),
					       lddw_second(0x100000005ull), callx(2), exit_insn() };
	const struct bpf_insn bounded_loop[] = { mov64_imm(0, 0), mov64_imm(1, 10), add64_imm(0, 1),
						 add64_imm(1, -1), jne_imm(1, 0, -3), exit_insn() };
	struct bpfvm_prog_opts opts = { .sz = sizeof(opts), .insn_budget = 1000 };
	struct bpfvm_prog *prog = NULL;
	uint64_t r0 = 0;
	int err;

	/* Programs that never end are refused by the verifier, as the kernel's:
	 * a loop back to the same state, or 1,000,000 instructions processed. */
	expect_load_error("infinite_self_jump_is_an_infinite_loop", self_loop, COUNT(self_loop),
			  -EINVAL, 1);
	expect_load_error("endless_counting_loop_is_too_large", counting_loop,
			  COUNT(counting_loop), -E2BIG, 2);
	expect_load_error("endless_gotol_loop_is_too_large", long_loop, COUNT(long_loop),
			  -E2BIG, 4);
	expect_run_error("callx_to_unregistered_helper_fails_at_run_time", callx_unknown,
			 COUNT(callx_unknown), 0, -EINVAL, 1);
	/* The id is the whole 64-bit register: 0x100000005 is not helper 5. */
	expect_run_error("callx_uses_all_64_bits_of_the_helper_id", callx_huge, COUNT(callx_huge),
			 0, -EINVAL, 2);

	err = bpfvm_prog_load_raw(vm, bounded_loop, COUNT(bounded_loop), &opts, &prog);
	if (!err)
		err = bpfvm_prog_run_raw(prog, NULL, 0, &r0);
	testlib_check("bounded_loop_within_the_budget_completes", !err && r0 == 10,
	       "error %d (%s), r0 %llu", err, bpfvm_errmsg(), (unsigned long long)r0);
	bpfvm_prog_free(prog);
}

/* ---- regressions from review -------------------------------------------- */

/* Eight functions, each calling the next `fanout` times: no loop, no
 * recursion, but fanout^7 runs of the last one. Written into `insns`, which
 * has room for 7 * (fanout + 2) + 2 instructions. */
static size_t build_call_fanout(struct bpf_insn *insns, int fanout)
{
	size_t per_function = (size_t)fanout + 2, at = 0;

	for (int f = 0; f < 7; f++) {
		size_t next_start = (size_t)(f + 1) * per_function;

		insns[at++] = mov64_imm(0, 0);
		for (int k = 0; k < fanout; k++, at++)
			insns[at] = call_local((int32_t)(next_start - at - 1));
		insns[at++] = exit_insn();
	}
	insns[at++] = mov64_imm(0, 1); /* a new frame's r0 is not initialised */
	insns[at++] = exit_insn();
	return at;
}

static void test_call_fanout(void)
{
	struct bpf_insn insns[7 * (40 + 2) + 2];
	size_t insn_cnt = build_call_fanout(insns, 40);
	struct bpfvm_prog_opts opts = { .sz = sizeof(opts), .name = "fanout",
					.insn_budget = 100000 };
	struct bpfvm_prog *prog = NULL;
	uint64_t r0 = 0;
	int err;

	/* The call-graph check memoises, but the verifier walks every call
	 * path, as the kernel's (a callee is compared only with states from
	 * the same call site): 40^7 of them exceed its budget, quickly. */
	err = bpfvm_prog_load_raw(vm, insns, insn_cnt, &opts, &prog);
	testlib_check("call_fanout_of_40_over_8_frames_is_too_large", err == -E2BIG,
		      "error %d (%s)", err, bpfvm_errmsg());
	(void)r0;
	bpfvm_prog_free(prog);
}

static void test_stack_through_pointers(void)
{
	const struct bpf_insn above_via_copy[] = {
		mov64_reg(1, 10), st_imm(BPF_DW, 1, 8, 0x41414141), mov64_imm(0, 0), exit_insn() };
	const struct bpf_insn straddling_via_copy[] = {
		mov64_reg(1, 10), add64_imm(1, -4), st_imm(BPF_DW, 1, 0, 1), mov64_imm(0, 0),
		exit_insn() };
	const struct bpf_insn misaligned_atomic[] = {
		st_imm(BPF_DW, 10, -16, 0), mov64_imm(1, 1),
		insn_raw(BPF_STX | BPF_ATOMIC | BPF_DW, 10, 1, -12, BPF_ADD), mov64_imm(0, 0),
		exit_insn() };
	const struct bpf_insn cmpxchg_src_r10[] = {
		st_imm(BPF_DW, 10, -8, 0), mov64_imm(0, 0),
		insn_raw(BPF_STX | BPF_ATOMIC | BPF_DW, 10, 10, -8, BPF_CMPXCHG),
		ldx(BPF_DW, 1, 10, -8), mov64_imm(0, 1),
		insn_raw(BPF_JMP | BPF_JNE | BPF_X, 1, 10, 1, 0), mov64_imm(0, 0), exit_insn() };
	struct bpfvm_prog *prog = NULL;
	uint64_t r0 = 1;
	int err;

	/* The kernel: "invalid write to stack R1 off=8 size=8". */
	expect_load_error("stack_write_above_r10_through_a_copy_is_rejected", above_via_copy,
			  COUNT(above_via_copy), -EACCES, 1);
	expect_load_error("stack_write_straddling_r10_through_a_pointer_is_rejected",
			  straddling_via_copy, COUNT(straddling_via_copy), -EACCES, 2);
	expect_load_error("misaligned_atomic_on_the_stack_is_rejected", misaligned_atomic,
			  COUNT(misaligned_atomic), -EINVAL, 2);
	/* cmpxchg writes r0, not src: r10 as its source is fine (r0 = 0 when
	 * the slot then holds the frame pointer; the value read back is a
	 * scalar, which only a comparison may set against r10). */
	err = bpfvm_prog_load_raw(vm, cmpxchg_src_r10, COUNT(cmpxchg_src_r10), NULL, &prog);
	if (!err)
		err = bpfvm_prog_run_raw(prog, NULL, 0, &r0);
	testlib_check("cmpxchg_may_store_the_frame_pointer", !err && r0 == 0,
		      "error %d (%s), r0 %llu", err, bpfvm_errmsg(), (unsigned long long)r0);
	bpfvm_prog_free(prog);
}

static void test_program_too_large(void)
{
	const struct bpf_insn one[] = { exit_insn() };
	struct bpfvm_prog *prog = NULL;
	int err;

	/* Refused by its count, before the array (which is not that long) is
	 * read or copied. */
	err = bpfvm_prog_load_raw(vm, one, (size_t)ISA_MAX_INSNS + 1, NULL, &prog);
	check_error("program_over_one_million_insns_is_too_large", "load", err, -E2BIG, -1);
	bpfvm_prog_free(prog);
}

/* ---- API misuse ------------------------------------------------------- */

static uint64_t helper_zero(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	return 0;
}

static void test_helper_register_errors(void)
{
	int err;

	err = bpfvm_helper_register(NULL, 20, "zero", helper_zero);
	check_error("helper_register_with_null_runtime_is_rejected", "register", err, -EINVAL, -1);
	err = bpfvm_helper_register(vm, 20, "zero", NULL);
	check_error("helper_register_with_null_function_is_rejected", "register", err, -EINVAL, -1);
	err = bpfvm_helper_register(vm, 20, NULL, helper_zero);
	check_error("helper_register_with_null_name_is_rejected", "register", err, -EINVAL, -1);
	err = bpfvm_helper_register(vm, BPFVM_HELPER_ID_MAX + 1, "zero", helper_zero);
	check_error("helper_register_above_max_id_is_rejected", "register", err, -EINVAL, -1);
	err = bpfvm_helper_register(vm, UINT32_MAX, "zero", helper_zero);
	check_error("helper_register_with_id_uint32_max_is_rejected", "register", err, -EINVAL, -1);
}

static void test_null_arguments(void)
{
	const struct bpf_insn ok[] = { mov64_imm(0, 3), exit_insn() };
	struct bpfvm_prog_opts small_opts = { .sz = 1 };
	struct bpfvm_prog *prog = NULL;
	uint64_t r0 = 0;
	int err;

	err = bpfvm_create(NULL, NULL);
	check_error("create_with_null_output_is_rejected", "create", err, -EINVAL, -1);
	err = bpfvm_prog_load_raw(NULL, ok, COUNT(ok), NULL, &prog);
	check_error("load_with_null_runtime_is_rejected", "load", err, -EINVAL, -1);
	err = bpfvm_prog_load_raw(vm, ok, COUNT(ok), NULL, NULL);
	check_error("load_with_null_output_is_rejected", "load", err, -EINVAL, -1);
	err = bpfvm_prog_load_raw(vm, NULL, 2, NULL, &prog);
	check_error("load_with_null_instructions_is_rejected", "load", err, -EINVAL, -1);
	err = bpfvm_prog_load_raw(vm, ok, COUNT(ok), &small_opts, &prog);
	check_error("load_with_too_small_opts_size_is_rejected", "load", err, -EINVAL, -1);

	err = bpfvm_prog_load_raw(vm, ok, COUNT(ok), NULL, &prog);
	if (err) {
		testlib_check("load_of_a_valid_program", false, "error %d (%s)", err, bpfvm_errmsg());
		return;
	}
	err = bpfvm_prog_run_raw(NULL, NULL, 0, &r0);
	check_error("run_with_null_program_is_rejected", "run", err, -EINVAL, -1);
	err = bpfvm_prog_run_raw(prog, NULL, 0, NULL);
	check_error("run_with_null_retval_is_rejected", "run", err, -EINVAL, -1);
	err = bpfvm_prog_run_raw(prog, NULL, 4, &r0);
	check_error("run_with_null_memory_of_nonzero_length_is_rejected", "run", err, -EINVAL, -1);
	err = bpfvm_prog_run_raw(prog, NULL, 0, &r0);
	testlib_check("run_with_no_memory_is_allowed", !err && r0 == 3, "error %d (%s), r0 %llu", err,
	       bpfvm_errmsg(), (unsigned long long)r0);
	bpfvm_prog_free(prog);
	bpfvm_prog_free(NULL);
	bpfvm_destroy(NULL);
}

int main(void)
{
	vm = testlib_vm_create();
	test_empty_program();
	test_invalid_opcodes();
	test_registers();
	test_jumps();
	test_program_ends();
	test_lddw_pseudo_sources();
	test_calls();
	test_stack_offsets();
	test_reserved_fields();
	test_run_errors();
	test_call_fanout();
	test_stack_through_pointers();
	test_program_too_large();
	test_helper_register_errors();
	test_null_arguments();
	bpfvm_destroy(vm);
	return testlib_summary();
}
