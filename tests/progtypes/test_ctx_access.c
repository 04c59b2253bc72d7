/* Context access rules: for every program type bpfvm has, every offset of
 * its context (and a few outside), every size and both directions, bpfvm
 * accepts exactly the accesses that the running kernel's verifier accepts.
 * Each access is loaded into the kernel as its own tiny program:
 *
 *     r0 = *(uN *)(r1 + off)        or     r2 = 0
 *     r0 = ret                              *(uN *)(r1 + off) = r2
 *     exit                                  r0 = ret; exit
 *
 * Then a few rewrites are pinned: the pointer fields become 64-bit loads,
 * and narrow loads and u16 fields behave as the kernel's conversion does.
 * Without bpf() the comparison is skipped (exit 77); the pinned rewrites
 * always run. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/prog.h"
#include "kernel_oracle.h"
#include "progtypes/progtype.h"
#include "testlib.h"

struct access_type {
	enum bpf_prog_type type;
	enum bpf_attach_type attach;
	const char *name;
	int ctx_size;	/* offsets -8 .. ctx_size + 8 are tried */
	int far_off;	/* and -8 .. +8 around this one, when not 0 */
	uint32_t prog_flags;
	int ret;	/* what the program returns: in the type's range */
};

/* Kernel values newer than the build machine's linux/bpf.h. */
#define ACCESS_PROG_NETFILTER ((enum bpf_prog_type)32)
#define ACCESS_ATTACH_NETFILTER ((enum bpf_attach_type)45)
#define ACCESS_ATTACH_UNIX_CONNECT ((enum bpf_attach_type)49)
#define ACCESS_ATTACH_UNIX_RECVMSG ((enum bpf_attach_type)51)

static const struct access_type access_types[] = {
	{ BPF_PROG_TYPE_XDP, 0, "xdp", 24, 0, 0, 0 },
	{ BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP, "xdp/devmap", 24, 0, 0, 0 },
	{ BPF_PROG_TYPE_SOCKET_FILTER, 0, "socket_filter", 192, 0, 0, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, "sched_cls", 192, 0, 0, 0 },
	{ BPF_PROG_TYPE_SCHED_ACT, 0, "sched_act", 192, 0, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS, "cgroup_skb", 192, 0, 0, 0 },
	{ BPF_PROG_TYPE_RAW_TRACEPOINT, 0, "raw_tracepoint", 96, 0, 0, 0 },
	{ BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, 0, "raw_tracepoint_writable", 96, 0, 0, 0 },
	{ BPF_PROG_TYPE_KPROBE, 0, "kprobe", 168, 0, 0, 0 },
	{ BPF_PROG_TYPE_TRACEPOINT, 0, "tracepoint", 64, 8192, 0, 0 },
	{ BPF_PROG_TYPE_TRACEPOINT, 0, "tracepoint, far below", 0, -32760, 0, 0 },
	{ BPF_PROG_TYPE_PERF_EVENT, 0, "perf_event", 184, 0, 0, 0 },
	{ BPF_PROG_TYPE_SYSCALL, 0, "syscall", 32, 32760, BPF_F_SLEEPABLE, 0 },
	{ BPF_PROG_TYPE_SOCK_OPS, BPF_CGROUP_SOCK_OPS, "sock_ops", 224, 0, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE, "cgroup/sock_create", 80, 0, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_RELEASE, "cgroup/sock_release", 80, 0, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET4_POST_BIND, "cgroup/post_bind4", 80, 0, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET6_POST_BIND, "cgroup/post_bind6", 80, 0, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND, "cgroup/bind4", 72, 0, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_CONNECT, "cgroup/connect6", 72, 0, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_SENDMSG, "cgroup/sendmsg4", 72, 0, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_SENDMSG, "cgroup/sendmsg6", 72, 0, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_RECVMSG, "cgroup/recvmsg4", 72, 0, 0, 1 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_GETPEERNAME, "cgroup/getpeername6", 72,
	  0, 0, 1 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, ACCESS_ATTACH_UNIX_CONNECT, "cgroup/connect_unix", 72, 0, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, ACCESS_ATTACH_UNIX_RECVMSG, "cgroup/recvmsg_unix", 72, 0, 0, 1 },
	{ BPF_PROG_TYPE_SK_MSG, BPF_SK_MSG_VERDICT, "sk_msg", 80, 0, 0, 0 },
	{ BPF_PROG_TYPE_SK_SKB, BPF_SK_SKB_STREAM_PARSER, "sk_skb/stream_parser", 192, 0, 0, 0 },
	{ BPF_PROG_TYPE_SK_SKB, BPF_SK_SKB_STREAM_VERDICT, "sk_skb/stream_verdict", 192, 0, 0, 0 },
	{ BPF_PROG_TYPE_LWT_IN, 0, "lwt_in", 192, 0, 0, 0 },
	{ BPF_PROG_TYPE_LWT_OUT, 0, "lwt_out", 192, 0, 0, 0 },
	{ BPF_PROG_TYPE_LWT_XMIT, 0, "lwt_xmit", 192, 0, 0, 0 },
	{ BPF_PROG_TYPE_LWT_SEG6LOCAL, 0, "lwt_seg6local", 192, 0, 0, 0 },
	{ BPF_PROG_TYPE_FLOW_DISSECTOR, BPF_FLOW_DISSECTOR, "flow_dissector", 192, 0, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_DEVICE, BPF_CGROUP_DEVICE, "cgroup/dev", 12, 0, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SYSCTL, BPF_CGROUP_SYSCTL, "cgroup/sysctl", 8, 0, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_GETSOCKOPT, "cgroup/getsockopt", 40, 0, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_SETSOCKOPT, "cgroup/setsockopt", 40, 0, 0, 0 },
	{ BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP, "sk_lookup", 72, 0, 0, 0 },
	{ BPF_PROG_TYPE_SK_REUSEPORT, BPF_SK_REUSEPORT_SELECT, "sk_reuseport", 56, 0, 0, 0 },
	{ BPF_PROG_TYPE_SK_REUSEPORT, BPF_SK_REUSEPORT_SELECT_OR_MIGRATE, "sk_reuseport/migrate",
	  56, 0, 0, 0 },
	{ ACCESS_PROG_NETFILTER, ACCESS_ATTACH_NETFILTER, "netfilter", 16, 0, 0, 0 },
};

static const char *access_size_name(int size)
{
	return size == 1 ? "u8" : size == 2 ? "u16" : size == 4 ? "u32" : "u64";
}

static bool access_bpfvm_accepts(const struct access_type *t, int off, int size, bool write)
{
	struct bpfvm_prog prog = { .name = (char *)"access", .type = t->type,
				   .expected_attach_type = t->attach };
	const struct progtype *pt = progtype_for(t->type);
	struct ctx_rewrite rw;

	return pt->ctx_access(&prog, off, (uint32_t)size, write, &rw) == 0;
}

/* Tries every size and direction at `off`; counts what the kernel accepts
 * and what the two judge differently. */
static void access_compare_at(const struct access_type *t, int off, unsigned *accepted,
			      unsigned *differ)
{
	for (int size = 1; size <= 8; size *= 2) {
		for (int write = 0; write <= 1; write++) {
			char text[160];
			bool kernel, vm;
			int fd;

			if (write)
				snprintf(text, sizeof(text),
					 "r2 = 0\n*(%s *)(r1 %+d) = r2\nr0 = %d\nexit\n",
					 access_size_name(size), off, t->ret);
			else
				snprintf(text, sizeof(text), "r0 = *(%s *)(r1 %+d)\nr0 = %d\nexit\n",
					 access_size_name(size), off, t->ret);
			fd = oracle_kernel_load_flags(t->type, t->attach, t->prog_flags, text, NULL,
						      0);
			kernel = fd >= 0;
			*accepted += kernel;
			if (fd >= 0)
				close(fd);
			vm = access_bpfvm_accepts(t, off, size, write);
			if (kernel != vm && (*differ)++ < 20)
				printf("    %s: %s %s at %d: kernel %s, bpfvm %s\n", t->name,
				       write ? "write" : "read", access_size_name(size), off,
				       kernel ? "accepts" : "refuses", vm ? "accepts" : "refuses");
		}
	}
}

static void access_compare_type(const struct access_type *t)
{
	unsigned differ = 0, accepted = 0;

	for (int off = -8; off < t->ctx_size + 8; off++)
		access_compare_at(t, off, &accepted, &differ);
	for (int off = t->far_off - 8; t->far_off && off < t->far_off + 8; off++)
		access_compare_at(t, off, &accepted, &differ);
	testlib_check("ctx_access_matches_the_kernel_verifier", differ == 0,
		      "%s: %u accesses judged differently (the kernel accepts %u)", t->name,
		      differ, accepted);
	printf("  %s: %u accesses accepted, as by the kernel\n", t->name, accepted);
}

static void rewrite_is(enum bpf_prog_type type, int off, int size, bool write, int want_off,
		       uint8_t want_size, enum ctx_field_kind want_kind, const char *what)
{
	struct bpfvm_prog prog = { .name = (char *)"rewrite", .type = type };
	struct ctx_rewrite rw = { 0 };
	int err = progtype_for(type)->ctx_access(&prog, off, (uint32_t)size, write, &rw);

	testlib_check("ctx_rewrite_is_one_access_of_the_runtime_context",
		      !err && rw.off == want_off && rw.size == want_size && rw.kind == want_kind,
		      "%s: err %d, off %d size 0x%x kind %d; want off %d size 0x%x kind %d", what,
		      err, rw.off, rw.size, rw.kind, want_off, want_size, want_kind);
}

static void refused_is(enum bpf_prog_type type, int off, int size, bool write, const char *what)
{
	struct bpfvm_prog prog = { .name = (char *)"refused", .type = type };
	struct ctx_rewrite rw;

	testlib_check("ctx_access_refused_as_the_kernel_refuses_it",
		      progtype_for(type)->ctx_access(&prog, off, (uint32_t)size, write, &rw) != 0,
		      "%s: accepted", what);
}

static void pin_rewrites(void)
{
	rewrite_is(BPF_PROG_TYPE_XDP, 0, 4, false, 0, BPF_DW, CTX_FIELD_PACKET, "xdp data");
	rewrite_is(BPF_PROG_TYPE_XDP, 4, 4, false, 8, BPF_DW, CTX_FIELD_PACKET_END, "xdp data_end");
	rewrite_is(BPF_PROG_TYPE_XDP, 8, 4, false, 16, BPF_DW, CTX_FIELD_PACKET_META,
		   "xdp data_meta");
	rewrite_is(BPF_PROG_TYPE_XDP, 12, 4, false, 24, BPF_W, CTX_FIELD_SCALAR,
		   "xdp ingress_ifindex");
	rewrite_is(BPF_PROG_TYPE_SCHED_CLS, 76, 4, false, 192, BPF_DW, CTX_FIELD_PACKET,
		   "skb data");
	rewrite_is(BPF_PROG_TYPE_SCHED_CLS, 80, 4, false, 200, BPF_DW, CTX_FIELD_PACKET_END,
		   "skb data_end");
	rewrite_is(BPF_PROG_TYPE_SCHED_CLS, 140, 4, false, 208, BPF_DW, CTX_FIELD_PACKET_META,
		   "skb data_meta");
	rewrite_is(BPF_PROG_TYPE_SCHED_CLS, 18, 2, false, 16, BPF_H, CTX_FIELD_SCALAR,
		   "u16 load of the high half of protocol reads the protocol");
	rewrite_is(BPF_PROG_TYPE_SCHED_CLS, 19, 1, false, 19, BPF_B, CTX_FIELD_SCALAR,
		   "byte 3 of protocol is zero");
	rewrite_is(BPF_PROG_TYPE_SCHED_CLS, 5, 1, false, 4, BPF_B, CTX_FIELD_SCALAR,
		   "byte 1 of pkt_type reads pkt_type");
	rewrite_is(BPF_PROG_TYPE_SCHED_CLS, 44, 4, true, 44, BPF_H, CTX_FIELD_SCALAR,
		   "tc_index is a u16: a u32 write stores the low half");
	rewrite_is(BPF_PROG_TYPE_SCHED_CLS, 72, 4, true, 72, BPF_H, CTX_FIELD_SCALAR,
		   "tc_classid write");
	rewrite_is(BPF_PROG_TYPE_SCHED_CLS, 50, 2, true, 50, BPF_H, CTX_FIELD_SCALAR,
		   "narrow cb write");
	rewrite_is(BPF_PROG_TYPE_SCHED_CLS, 152, 8, true, 152, BPF_DW, CTX_FIELD_SCALAR,
		   "tstamp write");
	rewrite_is(BPF_PROG_TYPE_CGROUP_SKB, 168, 8, false, 168, BPF_DW,
		   CTX_FIELD_SOCK_COMMON_OR_NULL, "sk");
	rewrite_is(BPF_PROG_TYPE_RAW_TRACEPOINT, 12, 4, false, 12, BPF_W, CTX_FIELD_SCALAR,
		   "raw_tp args are read as they are");
	/* Types without a runtime context keep the UAPI access (progtype.h);
	 * what they load is typed as the kernel types it. */
	rewrite_is(BPF_PROG_TYPE_KPROBE, 4, 2, false, 4, BPF_H, CTX_FIELD_SCALAR,
		   "kprobe narrow register read");
	rewrite_is(BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, 0, 8, false, 0, BPF_DW, CTX_FIELD_PTR,
		   "raw_tp.w buffer");
	rewrite_is(BPF_PROG_TYPE_SOCK_OPS, 184, 8, false, 184, BPF_DW, CTX_FIELD_SOCKET_OR_NULL,
		   "sock_ops sk");
	rewrite_is(BPF_PROG_TYPE_SOCK_OPS, 192, 8, false, 192, BPF_DW, CTX_FIELD_PACKET,
		   "sock_ops skb_data");
	rewrite_is(BPF_PROG_TYPE_SOCK_OPS, 200, 8, false, 200, BPF_DW, CTX_FIELD_PACKET_END,
		   "sock_ops skb_data_end");
	rewrite_is(BPF_PROG_TYPE_SK_MSG, 0, 8, false, 0, BPF_DW, CTX_FIELD_PACKET, "sk_msg data");
	rewrite_is(BPF_PROG_TYPE_SK_MSG, 72, 8, false, 72, BPF_DW, CTX_FIELD_SOCKET,
		   "sk_msg sk");
	rewrite_is(BPF_PROG_TYPE_FLOW_DISSECTOR, 144, 8, false, 144, BPF_DW, CTX_FIELD_PTR,
		   "flow_keys");
	rewrite_is(BPF_PROG_TYPE_CGROUP_SOCKOPT, 8, 8, false, 8, BPF_DW, CTX_FIELD_PACKET,
		   "sockopt optval");
	rewrite_is(BPF_PROG_TYPE_CGROUP_SOCKOPT, 16, 8, false, 16, BPF_DW, CTX_FIELD_PACKET_END,
		   "sockopt optval_end");
	rewrite_is(BPF_PROG_TYPE_SK_REUSEPORT, 48, 8, false, 48, BPF_DW,
		   CTX_FIELD_SOCK_COMMON_OR_NULL, "sk_reuseport migrating_sk");
	rewrite_is(BPF_PROG_TYPE_SK_LOOKUP, 0, 8, false, 0, BPF_DW, CTX_FIELD_SOCKET_OR_NULL,
		   "sk_lookup sk");
	rewrite_is(BPF_PROG_TYPE_SK_SKB, 76, 4, false, 192, BPF_DW, CTX_FIELD_PACKET,
		   "sk_skb data, as every __sk_buff type");
	rewrite_is(BPF_PROG_TYPE_LWT_XMIT, 80, 4, false, 200, BPF_DW, CTX_FIELD_PACKET_END,
		   "lwt data_end, as every __sk_buff type");
	/* This kernel has no CONFIG_RC_CORE: the infrared sample is pinned
	 * here (lirc_mode2_is_valid_access: a whole u32 read at 0, no more). */
	rewrite_is(BPF_PROG_TYPE_LIRC_MODE2, 0, 4, false, 0, BPF_W, CTX_FIELD_SCALAR,
		   "lirc_mode2 sample");
	refused_is(BPF_PROG_TYPE_LIRC_MODE2, 0, 2, false, "lirc_mode2 narrow read");
	refused_is(BPF_PROG_TYPE_LIRC_MODE2, 4, 4, false, "lirc_mode2 read past the sample");
	refused_is(BPF_PROG_TYPE_LIRC_MODE2, 0, 4, true, "lirc_mode2 write");
}

int main(void)
{
	pin_rewrites();
	if (!oracle_kernel_usable()) {
		testlib_summary();
		return ORACLE_SKIP;
	}
	for (size_t i = 0; i < sizeof(access_types) / sizeof(access_types[0]); i++)
		access_compare_type(&access_types[i]);
	return testlib_summary();
}
