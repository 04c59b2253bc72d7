/* Which helpers each program type may call, against the running kernel: for
 * every program type bpfvm and the kernel share and every helper bpfvm
 * provides, one tiny program (`call N; r0 = 0; exit`) goes through
 * BPF_PROG_LOAD and through bpfvm's structure check. The kernel refuses a
 * helper its <type>_func_proto lacks before it looks at the arguments
 * ("program of this type cannot use helper"); bpfvm must refuse exactly the
 * same pairs. Nothing is cached: the kernel answers every run (~1,400 loads,
 * well under a second). Types that need a BTF target (tracing, lsm, ext,
 * struct_ops) are not asked. Exits 77 (skipped) when bpf() is not usable. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

#include "testlib.h"
#include "core/runtime.h"
#include "engine/prog.h"
#include "helpers/helper_table.h"
#include "progtypes/progtype.h"
#include "verifier/structure.h"

#define SKIP_RETURN_CODE 77
#define HELPER_ID_MAX 256u

struct type_case {
	enum bpf_prog_type type;
	enum bpf_attach_type attach; /* the kernel's func_proto may depend on it */
};

/* Every type that loads without a BTF target (tracing, lsm, ext and
 * struct_ops need one); the attach type where the kernel requires one. */
static const struct type_case types[] = {
	{ BPF_PROG_TYPE_SOCKET_FILTER, 0 },
	{ BPF_PROG_TYPE_KPROBE, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0 },
	{ BPF_PROG_TYPE_SCHED_ACT, 0 },
	{ BPF_PROG_TYPE_TRACEPOINT, 0 },
	{ BPF_PROG_TYPE_XDP, 0 },
	{ BPF_PROG_TYPE_PERF_EVENT, 0 },
	{ BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS },
	{ BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE },
	{ BPF_PROG_TYPE_LWT_IN, 0 },
	{ BPF_PROG_TYPE_LWT_OUT, 0 },
	{ BPF_PROG_TYPE_LWT_XMIT, 0 },
	{ BPF_PROG_TYPE_SOCK_OPS, 0 },
	{ BPF_PROG_TYPE_SK_SKB, 0 },
	{ BPF_PROG_TYPE_CGROUP_DEVICE, 0 },
	{ BPF_PROG_TYPE_SK_MSG, 0 },
	{ BPF_PROG_TYPE_RAW_TRACEPOINT, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT },
	{ BPF_PROG_TYPE_LWT_SEG6LOCAL, 0 },
	{ BPF_PROG_TYPE_LIRC_MODE2, 0 },
	{ BPF_PROG_TYPE_SK_REUSEPORT, 0 },
	{ BPF_PROG_TYPE_FLOW_DISSECTOR, 0 },
	{ BPF_PROG_TYPE_CGROUP_SYSCTL, 0 },
	{ BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_GETSOCKOPT },
	{ BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP },
	{ BPF_PROG_TYPE_SYSCALL, 0 },
	{ 32, 45 }, /* BPF_PROG_TYPE_NETFILTER, BPF_NETFILTER: newer than some headers */
};

static char kernel_log[1 << 16];

static bool refused_by_func_proto(const char *log)
{
	return strstr(log, "cannot use helper") || strstr(log, "unknown func") ||
	       strstr(log, "invalid func");
}

/* 1: the kernel's func_proto has the helper, 0: it has not, -1: no answer
 * (the load failed before the verifier looked at the call). */
static int kernel_allows(const struct type_case *t, const struct bpf_insn *insns)
{
	union bpf_attr attr = {
		.prog_type = t->type,
		.expected_attach_type = t->attach,
		.insns = (uintptr_t)insns,
		.insn_cnt = 3,
		.license = (uintptr_t)"GPL",
		.log_buf = (uintptr_t)kernel_log,
		.log_size = sizeof(kernel_log),
		.log_level = 1,
		/* syscall programs can only be sleepable */
		.prog_flags = t->type == BPF_PROG_TYPE_SYSCALL ? BPF_F_SLEEPABLE : 0,
	};
	int fd;

	kernel_log[0] = 0;
	fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));

	if (fd >= 0) {
		close(fd);
		return 1;
	}
	if (!kernel_log[0])
		return -1;
	return !refused_by_func_proto(kernel_log);
}

static bool bpfvm_allows(struct bpfvm *vm, const struct type_case *t, const struct progtype *pt,
			 const struct bpf_insn *insns)
{
	struct bpfvm_prog *prog = prog_alloc(vm, "p", "", insns, 3);
	bool allowed;

	if (!prog)
		exit(2);
	prog->progtype = pt;
	prog->expected_attach_type = t->attach; /* as the kernel's load: bpf_bind wants it */
	allowed = verifier_check_structure(prog) == 0 || !refused_by_func_proto(bpfvm_errmsg());
	prog_destroy(prog);
	return allowed;
}

int main(void)
{
	struct bpfvm *vm = testlib_vm_create();
	struct bpf_insn insns[3] = {
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_get_prandom_u32 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	unsigned pairs = 0;

	if (kernel_allows(&types[0], insns) != 1) {
		printf("SKIP: kernel bpf() not usable: %s\n", strerror(errno));
		bpfvm_destroy(vm);
		return SKIP_RETURN_CODE;
	}
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		const struct progtype *pt = progtype_for(types[i].type);

		if (!pt)
			continue;
		for (uint32_t id = 1; id < HELPER_ID_MAX; id++) {
			const struct helper_entry *e = helper_table_find(&vm->helpers, id);
			int k;

			if (!e || !e->proto || e->proto->engine_builtin)
				continue;
			insns[0].imm = (int32_t)id;
			k = kernel_allows(&types[i], insns);
			if (k < 0)
				continue;
			pairs++;
			testlib_check(pt->name, k == bpfvm_allows(vm, &types[i], pt, insns),
				      "%s: the kernel %s it, bpfvm does not\n", e->name,
				      k ? "allows" : "refuses");
		}
	}
	/* a kernel that refused nearly every load would prove nothing */
	testlib_check("pairs", pairs > 1000, "only %u pairs answered by the kernel\n", pairs);
	printf("%u (program type, helper) pairs asked\n", pairs);
	bpfvm_destroy(vm);
	return testlib_summary();
}
