/* Dead branches and dead code after verification (verifier/dead_code.c), as
 * the kernel's opt_hard_wire_dead_code_branches, opt_remove_dead_code and
 * opt_remove_nops: a conditional jump the walk saw go one way only is gone
 * (or a `ja`), code no path reached is gone, and so is a subprogram called
 * only from there; jumps and calls around the removed code keep their
 * targets; both engines compute what the program computed; the verifier's
 * log names the instructions as loaded.
 *
 *   test_dead_code          the programs after loading, written out by hand
 *   test_dead_code kernel   the same programs loaded in the kernel (socket
 *                           filters): its xlated stream is bpfvm's, and its
 *                           log names the same instructions (77 without bpf())
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "bpfvm/bpfvm.h"
#include "engine/prog.h"
#include "../testlib.h"
#include "verifier/insn_patch.h"

static struct bpf_insn *assemble(const char *text, size_t *cnt)
{
	struct bpf_insn *insns = NULL;

	if (bpfvm_asm_parse(text, &insns, cnt)) {
		fprintf(stderr, "assembler: %s\n", bpfvm_errmsg());
		exit(2);
	}
	return insns;
}

static bool same_insns(const char *test, const struct bpf_insn *got, size_t got_cnt,
		       const struct bpf_insn *want, size_t want_cnt)
{
	bool same = got_cnt == want_cnt && !memcmp(got, want, want_cnt * sizeof(*want));

	testlib_check(test, same, "the instructions differ from the expected ones");
	if (!same) {
		printf("  got:\n");
		testlib_print_disasm(got, got_cnt);
		printf("  expected:\n");
		testlib_print_disasm(want, want_cnt);
	}
	return same;
}

/* ---- The programs ------------------------------------------------------ */

struct dead_case {
	const char *name;
	const char *loaded;
	const char *xlated;   /* after the load */
	uint64_t r0;
	uint32_t subprog_cnt; /* after the load */
	const char *log_line; /* at log level 2: an instruction after dead code, by
			       * its index as loaded */
};

static const struct dead_case cases[] = {
	{
		/* 2 is never taken (a `ja +0`, gone), 4 always (a ja over 5, then
		 * a ja +0 once 5 is gone: gone too), 8 and 9 never reached. */
		.name = "dead_branches_and_dead_code_go",
		.loaded = "r0 = 0\n"
			  "r2 = 7\n"
			  "if r2 > 9 goto pc+5\n"
			  "r0 += 1\n"
			  "if r2 == 7 goto pc+1\n"
			  "r0 = 100\n"
			  "r0 += 2\n"
			  "exit\n"
			  "r0 = 200\n"
			  "exit\n",
		.xlated = "r0 = 0\n"
			  "r2 = 7\n"
			  "r0 += 1\n"
			  "r0 += 2\n"
			  "exit\n",
		.r0 = 3,
		.subprog_cnt = 1,
		.log_line = "6: (07) r0 += 2",
	},
	{
		/* A loop whose exit test the walk cannot decide stays, the
		 * check inside it that it can goes, and the backward jump
		 * over the removed instruction still reaches the loop's head. */
		.name = "a_backward_jump_over_dead_code_keeps_its_head",
		.loaded = "r0 = 0\n"
			  "r3 = 0\n"
			  "r0 += r3\n"
			  "if r3 < 100 goto pc+1\n"
			  "r0 = 1000\n"
			  "r3 += 1\n"
			  "if r3 < 10 goto pc-5\n"
			  "exit\n",
		.xlated = "r0 = 0\n"
			  "r3 = 0\n"
			  "r0 += r3\n"
			  "r3 += 1\n"
			  "if r3 < 10 goto pc-3\n"
			  "exit\n",
		.r0 = 45,
		.subprog_cnt = 1,
		.log_line = "5: (07) r3 += 1",
	},
	{
		/* The call at 3 is never made: the function at 7 goes whole,
		 * and the call at 4 still reaches the one at 9 (now 5). */
		.name = "a_function_called_only_from_dead_code_goes",
		.loaded = "r0 = 0\n"
			  "r1 = 1\n"
			  "if r1 == 1 goto pc+1\n"
			  "call pc+3\n"
			  "call pc+4\n"
			  "r0 += 1\n"
			  "exit\n"
			  "r0 = 100\n"
			  "exit\n"
			  "r0 = 5\n"
			  "exit\n",
		.xlated = "r0 = 0\n"
			  "r1 = 1\n"
			  "call pc+2\n"
			  "r0 += 1\n"
			  "exit\n"
			  "r0 = 5\n"
			  "exit\n",
		.r0 = 6,
		.subprog_cnt = 2,
		.log_line = "9: (b7) r0 = 5",
	},
	{
		/* r0 is 0 or 1: the test at 2 is decided (gone, with its
		 * target), the one at 3 is not (kept), and the `goto +0` a
		 * compiler may leave goes. A test is decided by whether its
		 * targets were reached at all, not by this test: one that
		 * jumped to 5 would stay (the kernel's does too). */
		.name = "decided_tests_and_nops_go_the_others_stay",
		.loaded = "call bpf_get_prandom_u32#7\n"
			  "r0 &= 1\n"
			  "if r0 == 7 goto pc+4\n"
			  "if r0 == 1 goto pc+1\n"
			  "r0 = 1\n"
			  "goto pc+0\n"
			  "exit\n"
			  "r0 = 9\n"
			  "exit\n",
		.xlated = "call bpf_get_prandom_u32#7\n"
			  "r0 &= 1\n"
			  "if r0 == 1 goto pc+1\n"
			  "r0 = 1\n"
			  "exit\n",
		.r0 = 1,
		.subprog_cnt = 1,
		.log_line = "6: (95) exit",
	},
};

/* ---- bpfvm ------------------------------------------------------------- */

static struct bpfvm_prog *load(struct bpfvm *vm, const struct dead_case *c, char *log,
			       size_t log_size)
{
	struct bpfvm_prog *prog = NULL;
	struct bpfvm_prog_opts opts = { .sz = sizeof(opts), .name = c->name, .ctx_size = 8,
					.log_level = log ? 2 : 0, .log_buf = log,
					.log_size = (uint32_t)log_size };
	size_t cnt;
	struct bpf_insn *insns = assemble(c->loaded, &cnt);
	int err = bpfvm_prog_load_raw(vm, insns, cnt, &opts, &prog);

	free(insns);
	testlib_check(c->name, err == 0, "load: %d %s", err, bpfvm_errmsg());
	return err ? NULL : prog;
}

static void check_case(struct bpfvm *vm, const char *engine, const struct dead_case *c)
{
	static char log[1 << 16];
	struct bpfvm_prog *prog = load(vm, c, log, sizeof(log));
	uint8_t mem[8] = { 0 };
	uint64_t r0 = 0;
	struct bpf_insn *want;
	size_t cnt;
	int err;

	if (!prog)
		return;
	want = assemble(c->xlated, &cnt);
	same_insns(c->name, prog->insns, prog->insn_cnt, want, cnt);
	testlib_check(c->name, prog->subprog_cnt == c->subprog_cnt, "%u subprograms, want %u",
		      prog->subprog_cnt, c->subprog_cnt);
	testlib_check(c->name, strstr(log, c->log_line) != NULL,
		      "the log does not name \"%s\":\n%s", c->log_line, log);
	err = testlib_run(prog, mem, sizeof(mem), &r0);
	testlib_check(c->name, err == 0 && r0 == c->r0, "%s: run %d, r0 %llu, want %llu", engine,
		      err, (unsigned long long)r0, (unsigned long long)c->r0);
	free(want);
	bpfvm_prog_free(prog);
}

/* verifier_remove_insns alone: a jump from before the range to after it, one
 * from after to before, a function address taken across it, and a
 * subprogram that overlaps it shrinks. */
static void removing_keeps_targets_across_the_range(struct bpfvm *vm)
{
	const char *test = "removing_keeps_targets_across_the_range";
	static const char before[] = "r0 = 0\n"
				     "if r0 == 0 goto pc+3\n"
				     "r0 = 1\n"
				     "r0 = 2\n"
				     "r0 = 3\n"
				     "r0 += 1\n"
				     "if r0 < 3 goto pc-5\n"
				     "exit\n";
	static const char after[] = "r0 = 0\n"
				    "if r0 == 0 goto pc+1\n"
				    "r0 = 1\n"
				    "r0 += 1\n"
				    "if r0 < 3 goto pc-3\n"
				    "exit\n";
	size_t cnt, want_cnt;
	struct bpf_insn *insns = assemble(before, &cnt), *want = assemble(after, &want_cnt);
	struct bpfvm_prog *prog = prog_alloc(vm, test, "", insns, cnt);
	struct subprog sub = { .start = 0, .end = (uint32_t)cnt };
	uint16_t table[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	uint16_t *entries = table;
	struct verifier_insn_table tables[] = { { (void **)&entries, sizeof(*entries) } };
	int err;

	if (!prog)
		exit(2);
	prog->subprogs = &sub;
	prog->subprog_cnt = 1;
	err = verifier_remove_insns(prog, 3, 2, tables, 1);
	testlib_check(test, err == 0, "remove: %d %s", err, bpfvm_errmsg());
	same_insns(test, prog->insns, prog->insn_cnt, want, want_cnt);
	testlib_check(test, sub.end == 6 && table[3] == 5 && table[5] == 7,
		      "subprogram end %u, table entries %u %u", sub.end, table[3], table[5]);
	err = verifier_remove_insns(prog, 0, prog->insn_cnt, tables, 1);
	testlib_check(test, err == -EINVAL, "removing everything: %d, want -EINVAL", err);
	prog->subprogs = NULL;
	prog->subprog_cnt = 0;
	prog_destroy(prog);
	free(insns);
	free(want);
}

static int run_bpfvm(void)
{
	static const enum bpfvm_engine engines[] = { BPFVM_ENGINE_INTERP, BPFVM_ENGINE_JIT };
	static const char *const names[] = { "interp", "jit" };

	for (int e = 0; e < 2; e++) {
		struct bpfvm *vm = testlib_vm_create_engine(engines[e]);

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			check_case(vm, names[e], &cases[i]);
		if (!e)
			removing_keeps_targets_across_the_range(vm);
		bpfvm_destroy(vm);
	}
	return testlib_summary();
}

/* ---- The kernel ---------------------------------------------------------- */

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/* The kernel's xlated stream of fd, its local calls as loaded: after its
 * JIT, a call's imm is the callee's subprogram index and off its offset. */
static struct bpf_insn *kernel_xlated(int fd, size_t *cnt)
{
	struct bpf_prog_info info;
	union bpf_attr attr;
	struct bpf_insn *insns;

	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = (uint32_t)fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (uintptr_t)&info;
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr))
		return NULL;
	*cnt = info.xlated_prog_len / sizeof(*insns);
	insns = calloc(*cnt + 1, sizeof(*insns));
	memset(&info, 0, sizeof(info));
	info.xlated_prog_len = (uint32_t)(*cnt * sizeof(*insns));
	info.xlated_prog_insns = (uintptr_t)insns;
	if (!insns || sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr)) {
		free(insns);
		return NULL;
	}
	for (size_t i = 0; i < *cnt; i++)
		if (insns[i].code == (BPF_JMP | BPF_CALL) && insns[i].src_reg == BPF_PSEUDO_CALL) {
			insns[i].imm = insns[i].off;
			insns[i].off = 0;
		}
	return insns;
}

/* Helper calls compared without their imm: the kernel's holds the helper's
 * address relative to __bpf_call_base. */
static void forget_helper_ids(struct bpf_insn *insns, size_t cnt)
{
	for (size_t i = 0; i < cnt; i++)
		if (insns[i].code == (BPF_JMP | BPF_CALL) && !insns[i].src_reg)
			insns[i].imm = 0;
}

static void compare_with_kernel(struct bpfvm *vm, const struct dead_case *c)
{
	static char log[1 << 16], kernel_log[1 << 16];
	struct bpfvm_prog *prog = load(vm, c, log, sizeof(log));
	size_t cnt, kernel_cnt;
	struct bpf_insn *insns = assemble(c->loaded, &cnt), *kernel = NULL;
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = (uint32_t)cnt;
	attr.license = (uintptr_t)"GPL";
	attr.log_buf = (uintptr_t)kernel_log;
	attr.log_size = sizeof(kernel_log);
	attr.log_level = 2;
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	testlib_check(c->name, fd >= 0, "kernel load: %s\n%s", strerror(errno), kernel_log);
	if (fd >= 0)
		kernel = kernel_xlated(fd, &kernel_cnt);
	if (kernel && prog) {
		forget_helper_ids(kernel, kernel_cnt);
		forget_helper_ids(prog->insns, prog->insn_cnt);
	}
	if (kernel && prog)
		same_insns(c->name, prog->insns, prog->insn_cnt, kernel, kernel_cnt);
	testlib_check(c->name, strstr(kernel_log, c->log_line) != NULL,
		      "the kernel's log does not name \"%s\"", c->log_line);
	if (fd >= 0)
		close(fd);
	free(kernel);
	free(insns);
	bpfvm_prog_free(prog);
}

static int run_kernel(void)
{
	struct bpf_insn probe[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	char log[256];
	int fd = testlib_kernel_load(BPF_PROG_TYPE_SOCKET_FILTER, 0, probe, 2, log, sizeof(log));
	struct bpfvm *vm;

	if (fd < 0) {
		printf("SKIP bpf(BPF_PROG_LOAD) is not usable: %s\n", strerror(errno));
		return 77;
	}
	close(fd);
	vm = testlib_vm_create_engine(BPFVM_ENGINE_INTERP);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		compare_with_kernel(vm, &cases[i]);
	bpfvm_destroy(vm);
	return testlib_summary();
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "kernel"))
		return run_kernel();
	return run_bpfvm();
}
