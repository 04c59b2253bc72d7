/* Rules that the kernel's verifier selftests (progs/verifier_[a-l]*.c) found
 * bpfvm without, in BPF C of our own:
 *   - subprograms that use LD_ABS / LD_IND or a tail call return an int in
 *     their BTF (check_btf_func; verifier_ld_ind's void-subprogram cases,
 *     which bpfvm accepted);
 *   - LSM hooks: the bool ones return 0 or 1 (bpfvm took audit_rule_known
 *     for an errno hook), some take no program (bpf_lsm_verify_prog;
 *     verifier_lsm). This kernel has no BPF LSM: their verdicts are the
 *     kernel's source's and its selftests' annotations.
 * Each program is loaded alone (the object's others not autoloaded) by
 * bpfvm and, when bpf() is usable and the kernel verifies the type, by the
 * kernel through libbpf: the same verdict, and a refusal in its words.
 *
 *     test_selftest_findings OBJDIR */
#include <bpf/libbpf.h>
#include <stdio.h>
#include <string.h>

#include "../testlib.h"
#include "bpfvm/bpfvm.h"

static const struct {
	const char *object;
	const char *prog;
	const char *reason; /* NULL: accepted */
	bool no_kernel;	    /* the kernel here does not verify it (no BPF LSM) */
} cases[] = {
	{ "ld_abs_int_subprog", "ld_abs_in_int_subprog", NULL, false },
	{ "ld_abs_void_subprog", "ld_abs_in_void_subprog",
	  "LD_ABS is only allowed in functions that return 'int'.", false },
	{ "tail_call_void_subprog", "tail_call_in_void_subprog",
	  "tail_call is only allowed in functions that return 'int'.", false },
	{ "void_subprog_other_prog", "calls_void_ld_abs",
	  "LD_ABS is only allowed in functions that return 'int'.", false },
	{ "void_subprog_other_prog", "calls_nothing", NULL, false },
	{ "lsm_hook_rules", "bool_hook_says_yes", NULL, true },
	{ "lsm_hook_rules", "bool_hook_returns_an_errno",
	  /* clang: w0 = -1; the kernel prints the 64-bit bounds */
	  "R0 has smin=4294967295 smax=4294967295 should have been in [0, 1]", true },
	{ "lsm_hook_rules", "errno_hook_returns_an_errno", NULL, true },
	{ "lsm_hook_rules", "disabled_hook", "points to disabled hook bpf_lsm_getprocattr", true },
};

static char kernel_log[1 << 16];

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

/* 1 accepted, 0 refused (its reason in buf), -1 could not be asked. */
static int kernel_verdict(const char *path, const char *name, char *buf, size_t size)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *prog;
	int err;

	if (!obj)
		return -1;
	bpf_object__for_each_program(prog, obj)
		bpf_program__set_autoload(prog, strcmp(bpf_program__name(prog), name) == 0);
	prog = bpf_object__find_program_by_name(obj, name);
	kernel_log[0] = 0;
	if (prog)
		bpf_program__set_log_buf(prog, kernel_log, sizeof(kernel_log));
	err = prog ? bpf_object__load(obj) : -1;
	bpf_object__close(obj);
	testlib_kernel_reason(kernel_log, buf, size);
	return err ? 0 : 1;
}

/* NULL accepted, else bpfvm's message. */
static const char *bpfvm_verdict(struct bpfvm *vm, const char *path, const char *name)
{
	struct bpfvm_object *obj;
	int err = bpfvm_object_open(vm, path, NULL, &obj);

	if (err)
		return bpfvm_errmsg();
	for (size_t i = 0; i < bpfvm_object_prog_cnt(obj); i++) {
		struct bpfvm_prog *prog = bpfvm_object_prog(obj, i);

		bpfvm_prog_set_autoload(prog, strcmp(bpfvm_prog_name(prog), name) == 0);
	}
	err = bpfvm_object_load(obj);
	bpfvm_object_close(obj);
	return err ? bpfvm_errmsg() : NULL;
}

static bool says(const char *want, const char *got)
{
	if (!want || !got)
		return !want && !got;
	return strstr(got, want) != NULL;
}

int main(int argc, char **argv)
{
	struct bpfvm *vm = testlib_vm_create();
	bool kernel = testlib_kernel_usable();
	char path[512], kbuf[512];

	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJDIR\n", argv[0]);
		return 2;
	}
	libbpf_set_print(quiet);
	if (!kernel)
		printf("note: kernel bpf() not usable, bpfvm's verdicts only\n");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *want = cases[i].reason, *got;

		snprintf(path, sizeof(path), "%s/%s.bpf.o", argv[1], cases[i].object);
		got = bpfvm_verdict(vm, path, cases[i].prog);
		testlib_check(cases[i].prog, says(want, got), "bpfvm: %s | want: %s",
			      got ? got : "(accepted)", want ? want : "(accepted)");
		if (!kernel || cases[i].no_kernel)
			continue;
		int k = kernel_verdict(path, cases[i].prog, kbuf, sizeof(kbuf));

		testlib_check(cases[i].prog, k >= 0 && says(want, k ? NULL : kbuf),
			      "kernel: %s | want: %s", k > 0 ? "(accepted)" : kbuf,
			      want ? want : "(accepted)");
	}
	bpfvm_destroy(vm);
	return testlib_summary();
}
