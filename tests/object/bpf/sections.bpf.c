/* One trivial program per section name of libbpf's table that the reader
 * test checks (type and expected attach type). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define PROG(sec, name) SEC(sec) int name(void *ctx) { return 0; }

PROG("xdp", s_xdp)
PROG("xdp.frags", s_xdp_frags)
PROG("xdp/devmap", s_xdp_devmap)
PROG("tc", s_tc)
PROG("classifier", s_classifier)
PROG("action", s_action)
PROG("socket", s_socket)
PROG("cgroup_skb/ingress", s_cg_ingress)
PROG("cgroup_skb/egress", s_cg_egress)
PROG("raw_tracepoint/sched_switch", s_raw_tracepoint)
PROG("raw_tp/sys_enter", s_raw_tp)
PROG("tracepoint/syscalls/sys_enter_open", s_tracepoint)
PROG("tp/sched/sched_switch", s_tp)
PROG("kprobe/do_unlinkat", s_kprobe)
PROG("kretprobe/do_unlinkat", s_kretprobe)
PROG("uprobe", s_uprobe)
PROG("perf_event", s_perf_event)
PROG("sockops", s_sockops)
PROG("sk_skb/stream_verdict", s_sk_skb_verdict)
PROG("sk_skb", s_sk_skb)
PROG("sk_msg", s_sk_msg)
PROG("cgroup/connect4", s_connect4)
PROG("cgroup/sock", s_cg_sock)
PROG("lwt_in", s_lwt_in)
PROG("flow_dissector", s_flow_dissector)
PROG("sk_lookup", s_sk_lookup)
PROG("fentry/do_unlinkat", s_fentry)
PROG("fexit/do_unlinkat", s_fexit)
PROG("lsm/file_open", s_lsm)
PROG("tcx/ingress", s_tcx_ingress)

char LICENSE[] SEC("license") = "GPL";
