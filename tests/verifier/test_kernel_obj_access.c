/* Accesses through the kernel objects a context hands out that bpfvm keeps
 * opaque or types by BTF, as the kernel's check_mem_access: a netfilter
 * program only reads its hook state and socket buffer, a flow dissector
 * stays inside its flow keys, a writable raw tracepoint never goes below
 * its buffer, nothing stores into a socket. Found by the kernel's verifier
 * selftests (verifier_netfilter_ctx: bpfvm accepted a store into the hook
 * state). Each case is also loaded into the running kernel when bpf() is
 * usable. */
#include "../testlib.h"
#include "verdict_kernel.h"

/* Newer than some system headers. */
#define NETFILTER_TYPE ((enum bpf_prog_type)32)
#define NETFILTER_ATTACH ((enum bpf_attach_type)45)
#define NETFILTER .type = NETFILTER_TYPE, .attach_type = NETFILTER_ATTACH
#define FLOW_KEYS_TYPE .type = BPF_PROG_TYPE_FLOW_DISSECTOR, .attach_type = BPF_FLOW_DISSECTOR
#define TP_WRITABLE .type = BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE

/* r1 = the nf_hook_state (bpf_nf_ctx.state), r2 = the sk_buff */
#define NF_LOAD "r2 = *(u64 *)(r1 +8)\nr1 = *(u64 *)(r1 +0)\n"
/* r1 = __sk_buff.flow_keys */
#define FLOW_KEYS "r1 = *(u64 *)(r1 +144)\n"
/* r1 = the raw tracepoint's writable buffer */
#define TP_BUFFER "r1 = *(u64 *)(r1 +0)\n"
#define ACCEPT "r0 = 1\nexit\n"
#define FLOW_OUT(off, size) "invalid access to flow keys off=" #off " size=" #size

static const struct verdict_case cases[] = {
	{ "netfilter_reads_the_hook_state_and_skb", NETFILTER,
	  .text = NF_LOAD "r0 = *(u8 *)(r1 +0)\nr0 = *(u64 *)(r2 +0)\n" ACCEPT },
	{ "netfilter_stores_into_the_hook_state", NETFILTER,
	  .text = NF_LOAD "r2 = 0\n*(u64 *)(r1 +24) = r2\n" ACCEPT,
	  .reason = "only read is supported" },
	{ "netfilter_stores_into_the_skb", NETFILTER,
	  .text = NF_LOAD "*(u32 *)(r2 +0) = 0\n" ACCEPT, .reason = "only read is supported" },
	{ "flow_keys_first_and_last_bytes", FLOW_KEYS_TYPE,
	  .text = FLOW_KEYS "r0 = *(u16 *)(r1 +0)\n*(u32 *)(r1 +52) = 7\nr0 = 0\nexit\n" },
	{ "flow_keys_store_past_the_end", FLOW_KEYS_TYPE,
	  .text = FLOW_KEYS "*(u32 *)(r1 +54) = 7\nr0 = 0\nexit\n", .reason = FLOW_OUT(54, 4) },
	{ "flow_keys_read_past_the_end", FLOW_KEYS_TYPE,
	  .text = FLOW_KEYS "r0 = *(u8 *)(r1 +56)\nr0 = 0\nexit\n", .reason = FLOW_OUT(56, 1) },
	{ "flow_keys_read_before_the_start", FLOW_KEYS_TYPE,
	  .text = FLOW_KEYS "r0 = *(u16 *)(r1 -2)\nr0 = 0\nexit\n", .reason = FLOW_OUT(-2, 2) },
	{ "flow_keys_atomic_add", FLOW_KEYS_TYPE,
	  .text = FLOW_KEYS "r2 = 1\nlock *(u32 *)(r1 +0) += r2\nr0 = 0\nexit\n",
	  .reason = "BPF_ATOMIC stores into R1 flow_keys is not allowed" },
	{ "tp_buffer_written", TP_WRITABLE,
	  .text = TP_BUFFER "*(u32 *)(r1 +8) = 1\nr0 = *(u64 *)(r1 +0)\nr0 = 0\nexit\n" },
	{ "tp_buffer_read_below", TP_WRITABLE,
	  .text = TP_BUFFER "r0 = *(u64 *)(r1 -8)\nr0 = 0\nexit\n",
	  .reason = "R1 invalid tracepoint buffer access: off=-8, size=8" },
	/* The kernel names the socket's type (sock_common); bpfvm's is its own. */
	{ "store_into_skb_sk",
	  .text = "r1 = *(u64 *)(r1 +168)\nif r1 == 0 goto out\n*(u32 *)(r1 +4) = 1\n"
		  "out:\nr0 = 0\nexit\n",
	  .reason = "R1 cannot write into " },
};

int main(void)
{
	struct bpfvm *vm = testlib_vm_create();

	verdict_run_cases(vm, cases, sizeof(cases) / sizeof(cases[0]));
	bpfvm_destroy(vm);
	return testlib_summary();
}
