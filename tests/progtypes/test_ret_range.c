/* Return ranges: for every program type bpfvm has (and each expected attach
 * type whose range differs), the values that progtype_ret_range() allows are
 * exactly those with which the running kernel's verifier accepts
 * "r0 = v; exit" (check_return_code). Types whose range comes from BTF
 * (fentry, lsm, struct_ops) need an attach target: their objects are
 * tested by test_progtype_objects. Exits 77 without bpf(). */
#include <stdio.h>
#include <unistd.h>

#include "engine/prog.h"
#include "kernel_oracle.h"
#include "progtypes/progtype.h"
#include "testlib.h"

struct ret_type {
	enum bpf_prog_type type;
	enum bpf_attach_type attach;
	const char *name;
	uint32_t prog_flags;
};

/* Kernel values newer than the build machine's linux/bpf.h. */
#define RET_PROG_NETFILTER ((enum bpf_prog_type)32)
#define RET_ATTACH_NETFILTER ((enum bpf_attach_type)45)
#define RET_ATTACH_UNIX_CONNECT ((enum bpf_attach_type)49)
#define RET_ATTACH_UNIX_GETSOCKNAME ((enum bpf_attach_type)53)
#define RET_ATTACH_KPROBE_SESSION ((enum bpf_attach_type)56)

static const struct ret_type ret_types[] = {
	{ BPF_PROG_TYPE_SOCKET_FILTER, 0, "socket_filter", 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, "sched_cls", 0 },
	{ BPF_PROG_TYPE_XDP, BPF_XDP, "xdp", 0 },
	{ BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS, "cgroup_skb/ingress", 0 },
	{ BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS, "cgroup_skb/egress", 0 },
	{ BPF_PROG_TYPE_RAW_TRACEPOINT, 0, "raw_tracepoint", 0 },
	{ BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, 0, "raw_tracepoint_writable", 0 },
	{ BPF_PROG_TYPE_KPROBE, 0, "kprobe", 0 },
	{ BPF_PROG_TYPE_KPROBE, BPF_TRACE_KPROBE_MULTI, "kprobe.multi", 0 },
	{ BPF_PROG_TYPE_KPROBE, RET_ATTACH_KPROBE_SESSION, "kprobe.session", 0 },
	{ BPF_PROG_TYPE_TRACEPOINT, 0, "tracepoint", 0 },
	{ BPF_PROG_TYPE_PERF_EVENT, 0, "perf_event", 0 },
	{ BPF_PROG_TYPE_SYSCALL, 0, "syscall", BPF_F_SLEEPABLE },
	{ BPF_PROG_TYPE_SOCK_OPS, BPF_CGROUP_SOCK_OPS, "sock_ops", 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE, "cgroup/sock_create", 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET4_POST_BIND, "cgroup/post_bind4", 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND, "cgroup/bind4", 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_BIND, "cgroup/bind6", 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, "cgroup/connect4", 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_SENDMSG, "cgroup/sendmsg6", 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_RECVMSG, "cgroup/recvmsg4", 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_GETPEERNAME, "cgroup/getpeername6",
	  0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_GETSOCKNAME, "cgroup/getsockname4",
	  0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, RET_ATTACH_UNIX_CONNECT, "cgroup/connect_unix", 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, RET_ATTACH_UNIX_GETSOCKNAME, "cgroup/getsockname_unix",
	  0 },
	{ BPF_PROG_TYPE_SK_MSG, BPF_SK_MSG_VERDICT, "sk_msg", 0 },
	{ BPF_PROG_TYPE_SK_SKB, BPF_SK_SKB_STREAM_VERDICT, "sk_skb", 0 },
	{ BPF_PROG_TYPE_LWT_IN, 0, "lwt_in", 0 },
	{ BPF_PROG_TYPE_LWT_XMIT, 0, "lwt_xmit", 0 },
	{ BPF_PROG_TYPE_LWT_SEG6LOCAL, 0, "lwt_seg6local", 0 },
	{ BPF_PROG_TYPE_FLOW_DISSECTOR, BPF_FLOW_DISSECTOR, "flow_dissector", 0 },
	{ BPF_PROG_TYPE_CGROUP_DEVICE, BPF_CGROUP_DEVICE, "cgroup/dev", 0 },
	{ BPF_PROG_TYPE_CGROUP_SYSCTL, BPF_CGROUP_SYSCTL, "cgroup/sysctl", 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_GETSOCKOPT, "cgroup/getsockopt", 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_SETSOCKOPT, "cgroup/setsockopt", 0 },
	{ BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP, "sk_lookup", 0 },
	{ BPF_PROG_TYPE_SK_REUSEPORT, BPF_SK_REUSEPORT_SELECT, "sk_reuseport", 0 },
	{ RET_PROG_NETFILTER, RET_ATTACH_NETFILTER, "netfilter", 0 },
};

static bool ret_bpfvm_accepts(const struct ret_type *t, int64_t value)
{
	struct bpfvm_prog prog = { .name = (char *)"ret", .type = t->type,
				   .expected_attach_type = t->attach,
				   .progtype = progtype_for(t->type) };
	int64_t min, max;

	if (!prog.progtype)
		return false;
	if (!progtype_ret_range(&prog, &min, &max))
		return true;
	return value >= min && value <= max;
}

static void ret_compare_type(const struct ret_type *t)
{
	static const int64_t values[] = { -1, 0, 1, 2, 3, 4, 0x7fffffff };
	unsigned differ = 0;

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		char text[64], why[256] = "";
		bool kernel, vm;
		int fd;

		snprintf(text, sizeof(text), "r0 = %lld\nexit\n", (long long)values[i]);
		fd = oracle_kernel_load_flags(t->type, t->attach, t->prog_flags, text, why,
					      sizeof(why));
		kernel = fd >= 0;
		if (fd >= 0)
			close(fd);
		vm = ret_bpfvm_accepts(t, values[i]);
		if (kernel != vm) {
			differ++;
			printf("    %s: r0 = %lld: kernel %s (%s), bpfvm %s\n", t->name,
			       (long long)values[i], kernel ? "accepts" : "refuses", why,
			       vm ? "accepts" : "refuses");
		}
	}
	testlib_check("return_range_matches_check_return_code", differ == 0,
		      "%s: %u values judged differently", t->name, differ);
}

int main(void)
{
	if (!oracle_kernel_usable())
		return ORACLE_SKIP;
	for (size_t i = 0; i < sizeof(ret_types) / sizeof(ret_types[0]); i++)
		ret_compare_type(&ret_types[i]);
	return testlib_summary();
}
