/* Code memory without memfd: a JIT runtime's load fails cleanly with
 * -ENOMEM and a message that says why and what needs no code memory (the
 * interpreter), and the interpreter still loads and runs the program.
 *
 * memfd_create is made to fail with ENOSYS by a seccomp filter, in a child
 * process that has compiled nothing yet (so no pack exists). */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpfvm/bpfvm.h"
#include "testlib.h"

static int refuse_memfd(void)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_memfd_create, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(filter) / sizeof(filter[0]), .filter = filter };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) ? -errno : 0;
}

static int load(enum bpfvm_engine engine, struct bpfvm **vm, struct bpfvm_prog **prog)
{
	static const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 7 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpfvm_opts opts = { .sz = sizeof(opts), .engine = engine };
	int err = bpfvm_create(&opts, vm);

	if (err)
		return err;
	return bpfvm_prog_load_raw(*vm, insns, 2, NULL, prog);
}

static void child(void)
{
	struct bpfvm_prog *prog = NULL;
	struct bpfvm *vm = NULL;
	uint64_t r0 = 0;
	int err = refuse_memfd();

	if (err) {
		printf("SKIP: no seccomp filter (%s)\n", strerror(-err));
		fflush(stdout);
		_exit(77);
	}
	err = load(BPFVM_ENGINE_JIT, &vm, &prog);
	if (err == -ENOTSUP) {
		printf("SKIP: no JIT here\n");
		fflush(stdout);
		_exit(77);
	}
	testlib_check("jit_load_without_memfd_fails_with_enomem", err == -ENOMEM, "load: %d %s",
		      err, bpfvm_errmsg());
	testlib_check("jit_load_without_memfd_says_why", strstr(bpfvm_errmsg(), "memfd_create") &&
		      strstr(bpfvm_errmsg(), "BPFVM_ENGINE=interp"), "message: %s", bpfvm_errmsg());
	bpfvm_prog_free(prog);
	bpfvm_destroy(vm);
	prog = NULL;
	err = load(BPFVM_ENGINE_INTERP, &vm, &prog);
	if (!err)
		err = bpfvm_prog_run_raw(prog, NULL, 0, &r0);
	testlib_check("interpreter_runs_without_memfd", err == 0 && r0 == 7, "%d r0 %llu %s", err,
		      (unsigned long long)r0, bpfvm_errmsg());
	bpfvm_prog_free(prog);
	bpfvm_destroy(vm);
	err = testlib_summary();
	fflush(stdout);
	_exit(err);
}

int main(void)
{
	int status = 0;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		child();
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
		printf("FAIL the child: %s\n", pid < 0 ? strerror(errno) : "did not exit");
		return 1;
	}
	return WEXITSTATUS(status);
}
