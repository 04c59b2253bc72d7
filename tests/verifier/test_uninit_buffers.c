/* The helpers that fill a buffer the program passes, called with a buffer
 * the program never wrote, a read-only one (.rodata) and one holding a
 * spilled pointer. The kernel's 6.18 prototypes differ (the sysctl getters
 * take ARG_PTR_TO_MEM | MEM_WRITE, the others ARG_PTR_TO_UNINIT_MEM, which
 * is MEM_UNINIT | MEM_WRITE), but a privileged program, as bpfvm verifies
 * them, may pass unwritten stack either way (allow_uninit_stack); what
 * both refuse is a read-only buffer, and what both must do is forget the
 * pointer the helper overwrote. One table, each verdict compared with the
 * running kernel's when bpf() is usable. bpf_skb_get_tunnel_key and
 * bpf_xdp_load_bytes, which bpfvm does not provide, are left out. */
#include <stdio.h>

#include "../testlib.h"
#include "verdict_kernel.h"

#define RODATA                                                                                 \
	{ .type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 16, .max_entries = 1,       \
	  .map_flags = BPF_F_RDONLY_PROG, .rodata = "rodata" }

/* r2 = 16 bytes at fp-16, unwritten or zeroed; r3 = 16. */
#define UNINIT_R2 "r2 = r10\nr2 += -16\nr3 = 16\n"
#define INIT_R2 "*(u64 *)(r10 -16) = 0\n*(u64 *)(r10 -8) = 0\n" UNINIT_R2
/* r1 = 16 bytes at fp-16, unwritten; r2 = 16. */
#define UNINIT_R1 "r1 = r10\nr1 += -16\nr2 = 16\n"
/* r2 = .rodata's value (16 bytes); r3 = 16. */
#define RODATA_R2 "r6 = r1\n*(u32 *)(r10 -4) = 0\nr2 = r10\nr2 += -4\nr1 = map[idx:0]\n"     \
		  "call 1\nif r0 == 0 goto out\nr1 = r6\nr2 = r0\nr3 = 16\n"
#define RODATA_END "out:\nr0 = 1\nexit\n"
#define END "r0 = 1\nexit\n"
/* The context spilled at fp-16, overwritten by the helper, read back and
 * dereferenced. */
#define SPILL_CTX "*(u64 *)(r10 -16) = r1\n"
#define DEREF_SPILL "r1 = *(u64 *)(r10 -16)\nr0 = *(u32 *)(r1 +0)\nr0 = 1\nexit\n"
#define SCALAR_DEREF "R1 invalid mem access 'scalar'"
#define SYSCTL .type = BPF_PROG_TYPE_CGROUP_SYSCTL, .attach_type = BPF_CGROUP_SYSCTL
#define KPROBE .type = BPF_PROG_TYPE_KPROBE
#define RODATA_WRITE "write into map forbidden, value_size=16 off=0 size=16"

static const struct verdict_case cases[] = {
	/* The sysctl getters: ARG_PTR_TO_MEM | MEM_WRITE. */
	{ "sysctl_get_name_uninitialised", SYSCTL, .text = UNINIT_R2 "r4 = 0\ncall 101\n" END },
	{ "sysctl_get_name_initialised", SYSCTL, .text = INIT_R2 "r4 = 0\ncall 101\n" END },
	{ "sysctl_get_name_rodata", SYSCTL, .maps = { RODATA },
	  .text = RODATA_R2 "r4 = 0\ncall 101\n" RODATA_END, .reason = RODATA_WRITE },
	{ "sysctl_get_current_value_uninitialised", SYSCTL, .text = UNINIT_R2 "call 102\n" END },
	{ "sysctl_get_current_value_initialised", SYSCTL, .text = INIT_R2 "call 102\n" END },
	{ "sysctl_get_current_value_rodata", SYSCTL, .maps = { RODATA },
	  .text = RODATA_R2 "call 102\n" RODATA_END, .reason = RODATA_WRITE },
	{ "sysctl_get_new_value_uninitialised", SYSCTL, .text = UNINIT_R2 "call 103\n" END },
	{ "sysctl_get_new_value_initialised", SYSCTL, .text = INIT_R2 "call 103\n" END },
	{ "sysctl_set_new_value_uninitialised", SYSCTL, .text = UNINIT_R2 "call 104\n" END },
	{ "sysctl_get_name_overwrites_a_spilled_pointer", SYSCTL,
	  .text = SPILL_CTX "r6 = r1\n" UNINIT_R2 "r4 = 0\ncall 101\n" DEREF_SPILL,
	  .reason = SCALAR_DEREF },
	{ "sysctl_get_current_value_overwrites_a_spilled_pointer", SYSCTL,
	  .text = SPILL_CTX UNINIT_R2 "call 102\n" DEREF_SPILL, .reason = SCALAR_DEREF },
	{ "sysctl_set_new_value_keeps_a_spilled_pointer", SYSCTL,
	  .text = SPILL_CTX UNINIT_R2 "call 104\n" DEREF_SPILL },
	/* The other getters: ARG_PTR_TO_UNINIT_MEM. */
	{ "get_current_comm_uninitialised", KPROBE, .text = UNINIT_R1 "call 16\n" END },
	{ "probe_read_kernel_uninitialised", KPROBE,
	  .text = UNINIT_R1 "r3 = 0\ncall 113\n" END },
	{ "probe_read_kernel_str_uninitialised", KPROBE,
	  .text = UNINIT_R1 "r3 = 0\ncall 115\n" END },
	{ "get_stack_uninitialised", KPROBE,
	  .text = "r2 = r10\nr2 += -16\nr3 = 16\nr4 = 0\ncall 67\n" END },
	{ "skb_load_bytes_uninitialised",
	  .text = "r3 = r10\nr3 += -16\nr4 = 16\nr2 = 0\ncall 26\n" END },
	{ "skb_load_bytes_relative_uninitialised",
	  .text = "r3 = r10\nr3 += -16\nr4 = 16\nr2 = 0\nr5 = 1\ncall 68\n" END },
	{ "get_current_comm_overwrites_a_spilled_pointer", KPROBE,
	  .text = "*(u64 *)(r10 -16) = r10\n" UNINIT_R1 "call 16\n"
		  "r1 = *(u64 *)(r10 -16)\nr0 = *(u64 *)(r1 -8)\nr0 = 1\nexit\n",
	  .reason = SCALAR_DEREF },
	{ "skb_load_bytes_overwrites_a_spilled_pointer",
	  .text = SPILL_CTX "r3 = r10\nr3 += -16\nr4 = 16\nr2 = 0\ncall 26\n" DEREF_SPILL,
	  .reason = SCALAR_DEREF },
	{ "get_ns_current_pid_tgid_uninitialised", KPROBE,
	  .text = "r1 = 0\nr2 = 0\nr3 = r10\nr3 += -8\nr4 = 8\ncall 120\n" END },
	{ "skb_load_bytes_rodata", .maps = { RODATA },
	  .text = RODATA_R2 "r4 = r3\nr3 = r2\nr2 = 0\ncall 26\n" RODATA_END,
	  .reason = RODATA_WRITE },
	{ "get_current_comm_rodata", KPROBE, .maps = { RODATA },
	  .text = RODATA_R2 "r1 = r2\nr2 = 16\ncall 16\n" RODATA_END, .reason = RODATA_WRITE },
};

int main(void)
{
	struct bpfvm *vm = testlib_vm_create();

	verdict_run_cases(vm, cases, sizeof(cases) / sizeof(cases[0]));
	bpfvm_destroy(vm);
	return testlib_summary();
}
