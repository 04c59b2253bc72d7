/* Forbidden context accesses, for every program type bpfvm verifies without
 * an event source: each program is refused by bpfvm's verifier and by the
 * running kernel's, for the same reason in the same words (the kernel's log
 * line before "processed N insns"; bpfvm's message after "<prog>: insn <n>: ",
 * which may add detail after the kernel's words, as " (write)").
 * Exits 77 without bpf(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "bpfvm/bpfvm.h"
#include "engine/prog.h"
#include "kernel_oracle.h"
#include "testlib.h"

struct refusal {
	const char *name;
	enum bpf_prog_type type;
	enum bpf_attach_type attach;
	uint32_t prog_flags;
	const char *text;
};

/* Kernel values newer than the build machine's linux/bpf.h. */
#define REFUSAL_PROG_NETFILTER ((enum bpf_prog_type)32)
#define REFUSAL_ATTACH_NETFILTER ((enum bpf_attach_type)45)

#define READ_AT(sz, off) "r0 = *(" sz " *)(r1 +" #off ")\nr0 = 0\nexit\n"
#define WRITE_AT(sz, off) "r2 = 0\n*(" sz " *)(r1 +" #off ") = r2\nr0 = 0\nexit\n"
#define READ_RET1(sz, off) "r0 = *(" sz " *)(r1 +" #off ")\nr0 = 1\nexit\n"

static const struct refusal refusals[] = {
	{ "kprobe_write_to_pt_regs", BPF_PROG_TYPE_KPROBE, 0, 0, WRITE_AT("u64", 0) },
	{ "kprobe_read_past_pt_regs", BPF_PROG_TYPE_KPROBE, 0, 0, READ_AT("u64", 168) },
	{ "kprobe_misaligned_read", BPF_PROG_TYPE_KPROBE, 0, 0, READ_AT("u32", 6) },
	{ "tracepoint_read_of_the_common_header", BPF_PROG_TYPE_TRACEPOINT, 0, 0,
	  READ_AT("u32", 4) },
	{ "tracepoint_read_past_the_maximum_record", BPF_PROG_TYPE_TRACEPOINT, 0, 0,
	  READ_AT("u64", 8192) },
	{ "tracepoint_write", BPF_PROG_TYPE_TRACEPOINT, 0, 0, WRITE_AT("u64", 8) },
	{ "perf_event_narrow_read_of_a_register", BPF_PROG_TYPE_PERF_EVENT, 0, 0,
	  READ_AT("u32", 8) },
	{ "perf_event_write_of_sample_period", BPF_PROG_TYPE_PERF_EVENT, 0, 0,
	  WRITE_AT("u64", 168) },
	{ "raw_tp_writable_narrow_read_of_the_buffer_pointer",
	  BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, 0, 0, READ_AT("u32", 0) },
	{ "raw_tp_writable_write_of_an_argument", BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, 0, 0,
	  WRITE_AT("u64", 8) },
	{ "syscall_misaligned_read", BPF_PROG_TYPE_SYSCALL, 0, BPF_F_SLEEPABLE,
	  READ_AT("u32", 2) },
	{ "sock_ops_write_of_op", BPF_PROG_TYPE_SOCK_OPS, BPF_CGROUP_SOCK_OPS, 0,
	  WRITE_AT("u32", 0) },
	{ "sock_ops_narrow_read_of_family", BPF_PROG_TYPE_SOCK_OPS, BPF_CGROUP_SOCK_OPS, 0,
	  READ_AT("u16", 20) },
	{ "sock_ops_narrow_read_of_the_socket", BPF_PROG_TYPE_SOCK_OPS, BPF_CGROUP_SOCK_OPS, 0,
	  READ_AT("u32", 184) },
	{ "cgroup_sock_post_bind_write_of_mark", BPF_PROG_TYPE_CGROUP_SOCK,
	  BPF_CGROUP_INET4_POST_BIND, 0, WRITE_AT("u32", 16) },
	{ "cgroup_sock_create_read_of_src_ip4", BPF_PROG_TYPE_CGROUP_SOCK,
	  BPF_CGROUP_INET_SOCK_CREATE, 0, READ_AT("u32", 24) },
	{ "cgroup_sock_write_of_family", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE,
	  0, WRITE_AT("u32", 4) },
	{ "sock_addr_connect4_read_of_user_ip6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
	  BPF_CGROUP_INET4_CONNECT, 0, READ_AT("u32", 8) },
	{ "sock_addr_write_of_family", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT,
	  0, WRITE_AT("u32", 28) },
	{ "sock_addr_narrow_write_of_user_port", BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
	  BPF_CGROUP_INET4_CONNECT, 0, WRITE_AT("u16", 24) },
	{ "sock_addr_connect6_read_of_msg_src_ip6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
	  BPF_CGROUP_INET6_CONNECT, 0, READ_AT("u32", 44) },
	{ "sock_addr_recvmsg4_write_of_the_socket", BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
	  BPF_CGROUP_UDP4_RECVMSG, 0, "r2 = 0\n*(u64 *)(r1 +64) = r2\nr0 = 1\nexit\n" },
	{ "sk_msg_write_of_data", BPF_PROG_TYPE_SK_MSG, BPF_SK_MSG_VERDICT, 0,
	  WRITE_AT("u64", 0) },
	{ "sk_msg_narrow_read_of_family", BPF_PROG_TYPE_SK_MSG, BPF_SK_MSG_VERDICT, 0,
	  READ_AT("u16", 16) },
	{ "sk_skb_read_of_mark", BPF_PROG_TYPE_SK_SKB, BPF_SK_SKB_STREAM_VERDICT, 0,
	  READ_AT("u32", 8) },
	{ "sk_skb_write_of_cb", BPF_PROG_TYPE_SK_SKB, BPF_SK_SKB_STREAM_VERDICT, 0,
	  WRITE_AT("u32", 48) },
	{ "lwt_read_of_family", BPF_PROG_TYPE_LWT_IN, 0, 0, READ_AT("u32", 88) },
	{ "lwt_write_of_tc_index", BPF_PROG_TYPE_LWT_XMIT, 0, 0, WRITE_AT("u32", 44) },
	{ "lwt_read_of_data_meta", BPF_PROG_TYPE_LWT_SEG6LOCAL, 0, 0, READ_AT("u32", 140) },
	{ "flow_dissector_read_of_len", BPF_PROG_TYPE_FLOW_DISSECTOR, BPF_FLOW_DISSECTOR, 0,
	  READ_AT("u32", 0) },
	{ "flow_dissector_write_of_flow_keys", BPF_PROG_TYPE_FLOW_DISSECTOR, BPF_FLOW_DISSECTOR,
	  0, WRITE_AT("u64", 144) },
	{ "cgroup_device_write", BPF_PROG_TYPE_CGROUP_DEVICE, BPF_CGROUP_DEVICE, 0,
	  WRITE_AT("u32", 4) },
	{ "cgroup_device_narrow_read_of_major", BPF_PROG_TYPE_CGROUP_DEVICE, BPF_CGROUP_DEVICE,
	  0, READ_AT("u16", 4) },
	{ "sysctl_write_of_write", BPF_PROG_TYPE_CGROUP_SYSCTL, BPF_CGROUP_SYSCTL, 0,
	  WRITE_AT("u32", 0) },
	{ "sysctl_read_past_the_end", BPF_PROG_TYPE_CGROUP_SYSCTL, BPF_CGROUP_SYSCTL, 0,
	  READ_AT("u32", 8) },
	{ "getsockopt_write_of_optname", BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_GETSOCKOPT, 0,
	  WRITE_AT("u32", 28) },
	{ "setsockopt_read_of_retval", BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_SETSOCKOPT, 0,
	  READ_AT("u32", 36) },
	{ "sockopt_narrow_read_of_optval", BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_GETSOCKOPT,
	  0, READ_AT("u32", 8) },
	{ "sk_lookup_write_of_family", BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP, 0,
	  WRITE_AT("u32", 8) },
	{ "sk_lookup_wide_read_of_addresses", BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP, 0,
	  READ_AT("u64", 16) },
	{ "sk_reuseport_byte_read_of_eth_protocol", BPF_PROG_TYPE_SK_REUSEPORT,
	  BPF_SK_REUSEPORT_SELECT, 0, READ_AT("u8", 20) },
	{ "sk_reuseport_narrow_read_of_hash", BPF_PROG_TYPE_SK_REUSEPORT,
	  BPF_SK_REUSEPORT_SELECT, 0, READ_AT("u16", 32) },
	{ "netfilter_write_of_state", REFUSAL_PROG_NETFILTER, REFUSAL_ATTACH_NETFILTER, 0,
	  WRITE_AT("u64", 0) },
	{ "netfilter_narrow_read_of_skb", REFUSAL_PROG_NETFILTER, REFUSAL_ATTACH_NETFILTER, 0,
	  READ_AT("u32", 8) },
};

static char kernel_log[1 << 16];

/* The kernel's reason, or NULL if it accepted the program. */
static const char *kernel_reason(const struct refusal *r, char *buf, size_t size)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = r->attach,
		    .prog_flags = r->prog_flags, .log_buf = kernel_log,
		    .log_size = sizeof(kernel_log), .log_level = 1);
	struct bpf_insn *insns;
	size_t cnt;
	int fd;

	if (bpfvm_asm_parse(r->text, &insns, &cnt))
		return "(assembler error)";
	kernel_log[0] = 0;
	fd = bpf_prog_load(r->type, NULL, "GPL", insns, cnt, &opts);
	free(insns);
	if (fd >= 0) {
		close(fd);
		return NULL;
	}
	testlib_kernel_reason(kernel_log, buf, size);
	return buf;
}

/* bpfvm's reason without "<prog>: insn <n>: ", or NULL if it accepted. */
static const char *bpfvm_reason(struct bpfvm *vm, const struct refusal *r, char *buf,
				size_t size)
{
	struct bpfvm_prog *prog = NULL;
	const char *msg, *reason;

	if (oracle_bpfvm_load(vm, r->type, r->attach, r->text, &prog) == 0) {
		prog_destroy(prog);
		return NULL;
	}
	msg = bpfvm_errmsg();
	reason = strstr(msg, ": insn ");
	reason = reason ? strstr(reason + 7, ": ") : NULL;
	snprintf(buf, size, "%s", reason ? reason + 2 : msg);
	return buf;
}

int main(void)
{
	struct bpfvm *vm;
	char kbuf[512], vbuf[1024];

	if (!oracle_kernel_usable())
		return ORACLE_SKIP;
	vm = oracle_vm();
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		const char *k = kernel_reason(&refusals[i], kbuf, sizeof(kbuf));
		const char *b = bpfvm_reason(vm, &refusals[i], vbuf, sizeof(vbuf));

		testlib_check(refusals[i].name, k && k[0] && b && strncmp(k, b, strlen(k)) == 0,
			      "kernel: %s | bpfvm: %s", k ? k : "(accepted)", b ? b : "(accepted)");
	}
	bpfvm_destroy(vm);
	return testlib_summary();
}
