/* Section names to program types: libbpf's section_defs[] (src/libbpf.c),
 * in its order, with its matching rules:
 *   "name"   the section is exactly "name";
 *   "name+"  exactly "name", or "name/anything";
 *   "name/"  "name/anything" (none in the current table).
 * The first entry that matches wins ("xdp.frags/devmap" before "xdp.frags"
 * before "xdp"), exactly as in libbpf. A section that matches nothing is an
 * error at open (libbpf fails later, at load, for the same objects).
 *
 * The UAPI header on the build machine may predate some attach types; those
 * are given by their kernel values below. */
#include <string.h>

#include "object/object.h"

/* Kernel values newer than some distributions' linux/bpf.h. */
enum {
	SEC_ATTACH_NETFILTER = 45,	   /* BPF_NETFILTER */
	SEC_ATTACH_TCX_INGRESS = 46,	   /* BPF_TCX_INGRESS */
	SEC_ATTACH_TCX_EGRESS = 47,	   /* BPF_TCX_EGRESS */
	SEC_ATTACH_UPROBE_MULTI = 48,	   /* BPF_TRACE_UPROBE_MULTI */
	SEC_ATTACH_UNIX_CONNECT = 49,	   /* BPF_CGROUP_UNIX_CONNECT */
	SEC_ATTACH_UNIX_SENDMSG = 50,	   /* BPF_CGROUP_UNIX_SENDMSG */
	SEC_ATTACH_UNIX_RECVMSG = 51,	   /* BPF_CGROUP_UNIX_RECVMSG */
	SEC_ATTACH_UNIX_GETPEERNAME = 52,  /* BPF_CGROUP_UNIX_GETPEERNAME */
	SEC_ATTACH_UNIX_GETSOCKNAME = 53,  /* BPF_CGROUP_UNIX_GETSOCKNAME */
	SEC_ATTACH_NETKIT_PRIMARY = 54,	   /* BPF_NETKIT_PRIMARY */
	SEC_ATTACH_NETKIT_PEER = 55,	   /* BPF_NETKIT_PEER */
	SEC_PROG_NETFILTER = 32,	   /* BPF_PROG_TYPE_NETFILTER */
};

#define SLEEPABLE BPF_F_SLEEPABLE
#define FRAGS BPF_F_XDP_HAS_FRAGS

#define SEC_DEF(name, ptype, atype, flags) \
	{ name, BPF_PROG_TYPE_##ptype, (enum bpf_attach_type)(atype), flags }

static const struct object_sec_def section_defs[] = {
	SEC_DEF("socket", SOCKET_FILTER, 0, 0),
	SEC_DEF("sk_reuseport/migrate", SK_REUSEPORT, BPF_SK_REUSEPORT_SELECT_OR_MIGRATE, 0),
	SEC_DEF("sk_reuseport", SK_REUSEPORT, BPF_SK_REUSEPORT_SELECT, 0),
	SEC_DEF("kprobe+", KPROBE, 0, 0),
	SEC_DEF("uprobe+", KPROBE, 0, 0),
	SEC_DEF("uprobe.s+", KPROBE, 0, SLEEPABLE),
	SEC_DEF("kretprobe+", KPROBE, 0, 0),
	SEC_DEF("uretprobe+", KPROBE, 0, 0),
	SEC_DEF("uretprobe.s+", KPROBE, 0, SLEEPABLE),
	SEC_DEF("kprobe.multi+", KPROBE, BPF_TRACE_KPROBE_MULTI, 0),
	SEC_DEF("kretprobe.multi+", KPROBE, BPF_TRACE_KPROBE_MULTI, 0),
	SEC_DEF("uprobe.multi+", KPROBE, SEC_ATTACH_UPROBE_MULTI, 0),
	SEC_DEF("uretprobe.multi+", KPROBE, SEC_ATTACH_UPROBE_MULTI, 0),
	SEC_DEF("uprobe.multi.s+", KPROBE, SEC_ATTACH_UPROBE_MULTI, SLEEPABLE),
	SEC_DEF("uretprobe.multi.s+", KPROBE, SEC_ATTACH_UPROBE_MULTI, SLEEPABLE),
	SEC_DEF("ksyscall+", KPROBE, 0, 0),
	SEC_DEF("kretsyscall+", KPROBE, 0, 0),
	SEC_DEF("usdt+", KPROBE, 0, 0),
	SEC_DEF("usdt.s+", KPROBE, 0, SLEEPABLE),
	SEC_DEF("tc/ingress", SCHED_CLS, SEC_ATTACH_TCX_INGRESS, 0),
	SEC_DEF("tc/egress", SCHED_CLS, SEC_ATTACH_TCX_EGRESS, 0),
	SEC_DEF("tcx/ingress", SCHED_CLS, SEC_ATTACH_TCX_INGRESS, 0),
	SEC_DEF("tcx/egress", SCHED_CLS, SEC_ATTACH_TCX_EGRESS, 0),
	SEC_DEF("tc", SCHED_CLS, 0, 0),
	SEC_DEF("classifier", SCHED_CLS, 0, 0),
	SEC_DEF("action", SCHED_ACT, 0, 0),
	SEC_DEF("netkit/primary", SCHED_CLS, SEC_ATTACH_NETKIT_PRIMARY, 0),
	SEC_DEF("netkit/peer", SCHED_CLS, SEC_ATTACH_NETKIT_PEER, 0),
	SEC_DEF("tracepoint+", TRACEPOINT, 0, 0),
	SEC_DEF("tp+", TRACEPOINT, 0, 0),
	SEC_DEF("raw_tracepoint+", RAW_TRACEPOINT, 0, 0),
	SEC_DEF("raw_tp+", RAW_TRACEPOINT, 0, 0),
	SEC_DEF("raw_tracepoint.w+", RAW_TRACEPOINT_WRITABLE, 0, 0),
	SEC_DEF("raw_tp.w+", RAW_TRACEPOINT_WRITABLE, 0, 0),
	SEC_DEF("tp_btf+", TRACING, BPF_TRACE_RAW_TP, 0),
	SEC_DEF("fentry+", TRACING, BPF_TRACE_FENTRY, 0),
	SEC_DEF("fmod_ret+", TRACING, BPF_MODIFY_RETURN, 0),
	SEC_DEF("fexit+", TRACING, BPF_TRACE_FEXIT, 0),
	SEC_DEF("fentry.s+", TRACING, BPF_TRACE_FENTRY, SLEEPABLE),
	SEC_DEF("fmod_ret.s+", TRACING, BPF_MODIFY_RETURN, SLEEPABLE),
	SEC_DEF("fexit.s+", TRACING, BPF_TRACE_FEXIT, SLEEPABLE),
	SEC_DEF("freplace+", EXT, 0, 0),
	SEC_DEF("lsm+", LSM, BPF_LSM_MAC, 0),
	SEC_DEF("lsm.s+", LSM, BPF_LSM_MAC, SLEEPABLE),
	SEC_DEF("lsm_cgroup+", LSM, BPF_LSM_CGROUP, 0),
	SEC_DEF("iter+", TRACING, BPF_TRACE_ITER, 0),
	SEC_DEF("iter.s+", TRACING, BPF_TRACE_ITER, SLEEPABLE),
	SEC_DEF("syscall", SYSCALL, 0, SLEEPABLE),
	SEC_DEF("xdp.frags/devmap", XDP, BPF_XDP_DEVMAP, FRAGS),
	SEC_DEF("xdp/devmap", XDP, BPF_XDP_DEVMAP, 0),
	SEC_DEF("xdp.frags/cpumap", XDP, BPF_XDP_CPUMAP, FRAGS),
	SEC_DEF("xdp/cpumap", XDP, BPF_XDP_CPUMAP, 0),
	SEC_DEF("xdp.frags", XDP, BPF_XDP, FRAGS),
	SEC_DEF("xdp", XDP, BPF_XDP, 0),
	SEC_DEF("perf_event", PERF_EVENT, 0, 0),
	SEC_DEF("lwt_in", LWT_IN, 0, 0),
	SEC_DEF("lwt_out", LWT_OUT, 0, 0),
	SEC_DEF("lwt_xmit", LWT_XMIT, 0, 0),
	SEC_DEF("lwt_seg6local", LWT_SEG6LOCAL, 0, 0),
	SEC_DEF("sockops", SOCK_OPS, BPF_CGROUP_SOCK_OPS, 0),
	SEC_DEF("sk_skb/stream_parser", SK_SKB, BPF_SK_SKB_STREAM_PARSER, 0),
	SEC_DEF("sk_skb/stream_verdict", SK_SKB, BPF_SK_SKB_STREAM_VERDICT, 0),
	SEC_DEF("sk_skb", SK_SKB, 0, 0),
	SEC_DEF("sk_msg", SK_MSG, BPF_SK_MSG_VERDICT, 0),
	SEC_DEF("lirc_mode2", LIRC_MODE2, BPF_LIRC_MODE2, 0),
	SEC_DEF("flow_dissector", FLOW_DISSECTOR, BPF_FLOW_DISSECTOR, 0),
	SEC_DEF("cgroup_skb/ingress", CGROUP_SKB, BPF_CGROUP_INET_INGRESS, 0),
	SEC_DEF("cgroup_skb/egress", CGROUP_SKB, BPF_CGROUP_INET_EGRESS, 0),
	SEC_DEF("cgroup/skb", CGROUP_SKB, 0, 0),
	SEC_DEF("cgroup/sock_create", CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE, 0),
	SEC_DEF("cgroup/sock_release", CGROUP_SOCK, BPF_CGROUP_INET_SOCK_RELEASE, 0),
	SEC_DEF("cgroup/sock", CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE, 0),
	SEC_DEF("cgroup/post_bind4", CGROUP_SOCK, BPF_CGROUP_INET4_POST_BIND, 0),
	SEC_DEF("cgroup/post_bind6", CGROUP_SOCK, BPF_CGROUP_INET6_POST_BIND, 0),
	SEC_DEF("cgroup/bind4", CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND, 0),
	SEC_DEF("cgroup/bind6", CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_BIND, 0),
	SEC_DEF("cgroup/connect4", CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, 0),
	SEC_DEF("cgroup/connect6", CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_CONNECT, 0),
	SEC_DEF("cgroup/connect_unix", CGROUP_SOCK_ADDR, SEC_ATTACH_UNIX_CONNECT, 0),
	SEC_DEF("cgroup/sendmsg4", CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_SENDMSG, 0),
	SEC_DEF("cgroup/sendmsg6", CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_SENDMSG, 0),
	SEC_DEF("cgroup/sendmsg_unix", CGROUP_SOCK_ADDR, SEC_ATTACH_UNIX_SENDMSG, 0),
	SEC_DEF("cgroup/recvmsg4", CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_RECVMSG, 0),
	SEC_DEF("cgroup/recvmsg6", CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_RECVMSG, 0),
	SEC_DEF("cgroup/recvmsg_unix", CGROUP_SOCK_ADDR, SEC_ATTACH_UNIX_RECVMSG, 0),
	SEC_DEF("cgroup/getpeername4", CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_GETPEERNAME, 0),
	SEC_DEF("cgroup/getpeername6", CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_GETPEERNAME, 0),
	SEC_DEF("cgroup/getpeername_unix", CGROUP_SOCK_ADDR, SEC_ATTACH_UNIX_GETPEERNAME, 0),
	SEC_DEF("cgroup/getsockname4", CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_GETSOCKNAME, 0),
	SEC_DEF("cgroup/getsockname6", CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_GETSOCKNAME, 0),
	SEC_DEF("cgroup/getsockname_unix", CGROUP_SOCK_ADDR, SEC_ATTACH_UNIX_GETSOCKNAME, 0),
	SEC_DEF("cgroup/sysctl", CGROUP_SYSCTL, BPF_CGROUP_SYSCTL, 0),
	SEC_DEF("cgroup/getsockopt", CGROUP_SOCKOPT, BPF_CGROUP_GETSOCKOPT, 0),
	SEC_DEF("cgroup/setsockopt", CGROUP_SOCKOPT, BPF_CGROUP_SETSOCKOPT, 0),
	SEC_DEF("cgroup/dev", CGROUP_DEVICE, BPF_CGROUP_DEVICE, 0),
	SEC_DEF("struct_ops+", STRUCT_OPS, 0, 0),
	SEC_DEF("struct_ops.s+", STRUCT_OPS, 0, SLEEPABLE),
	SEC_DEF("sk_lookup", SK_LOOKUP, BPF_SK_LOOKUP, 0),
	{ "netfilter", (enum bpf_prog_type)SEC_PROG_NETFILTER,
	  (enum bpf_attach_type)SEC_ATTACH_NETFILTER, 0 },
};

/* libbpf's sec_def_matches(). */
static bool sec_def_matches(const struct object_sec_def *def, const char *sec_name)
{
	size_t len = strlen(def->sec);

	if (def->sec[len - 1] == '/')
		return strncmp(sec_name, def->sec, len) == 0;
	if (def->sec[len - 1] == '+') {
		len--;
		if (strncmp(sec_name, def->sec, len) != 0)
			return false;
		return sec_name[len] == '\0' || sec_name[len] == '/';
	}
	return strcmp(sec_name, def->sec) == 0;
}

const struct object_sec_def *object_find_sec_def(const char *sec_name)
{
	for (size_t i = 0; i < sizeof(section_defs) / sizeof(section_defs[0]); i++) {
		if (sec_def_matches(&section_defs[i], sec_name))
			return &section_defs[i];
	}
	return NULL;
}

bool object_license_is_gpl(const char *license)
{
	static const char *const gpl[] = {
		"GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL",
		"Dual MIT/GPL", "Dual MPL/GPL",
	};

	for (size_t i = 0; i < sizeof(gpl) / sizeof(gpl[0]); i++) {
		if (strcmp(license, gpl[i]) == 0)
			return true;
	}
	return false;
}
