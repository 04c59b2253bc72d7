/* References and return values, as the kernel's reference tracking and
 * check_return_code: a ring buffer record is submitted or discarded exactly
 * once on every path, never used after; r0 at the program's exit lies in the
 * program type's range, at a callback's exit in the callback's. Each case is
 * also loaded into the running kernel when bpf() is usable. */
#include <stdio.h>

#include "../testlib.h"
#include "verdict_kernel.h"

#define RINGBUF VERDICT_MAP(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096)

/* An array of one struct { struct bpf_spin_lock lock; int x; }. */
#define LOCKED                                                                                 \
	{ .type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8, .max_entries = 2,        \
	  .spin_lock = true }

/* r6 = r7 = the value of element 0 of map 0 (NULL-checked), r8 = element 1 */
#define LOOKUP_LOCKED                                                                          \
	"*(u32 *)(r10 -4) = 0\nr2 = r10\nr2 += -4\nr1 = map[idx:0]\ncall 1\nr6 = r0\nr7 = r0\n"   \
	"if r6 == 0 goto out\n*(u32 *)(r10 -8) = 1\nr2 = r10\nr2 += -8\nr1 = map[idx:0]\n"       \
	"call 1\nr8 = r0\nif r8 == 0 goto out\n"

/* The kernel wants BTF func_info for callbacks, which assembler text lacks. */
#define NO_BTF "callbacks need BTF func_info"

/* r0 = bpf_ringbuf_reserve(map 0, 8, 0), r6 = r0 */
#define RESERVE "r1 = map[idx:0]\nr2 = 8\nr3 = 0\ncall 131\nr6 = r0\n"

static const struct verdict_case cases[] = {
	{ "ringbuf_record_submitted", .maps = { RINGBUF },
	  .text = RESERVE "if r6 == 0 goto out\n*(u64 *)(r6 +0) = 1\nr1 = r6\nr2 = 0\ncall 132\n"
		  "out:\nr0 = 0\nexit\n" },
	{ "ringbuf_record_discarded_on_one_path_submitted_on_the_other", .maps = { RINGBUF },
	  .text = "r7 = *(u32 *)(r1 +0)\n" RESERVE "if r6 == 0 goto out\nr1 = r6\nr2 = 0\n"
		  "if r7 == 0 goto discard\ncall 132\ngoto out\ndiscard:\ncall 133\n"
		  "out:\nr0 = 0\nexit\n" },
	{ "ringbuf_record_checked_twice", .maps = { RINGBUF },
	  .text = RESERVE "if r6 != 0 goto next\nr8 = 0\nnext:\nif r6 == 0 goto out\nr1 = r6\n"
		  "r2 = 0\ncall 132\nout:\nr0 = 0\nexit\n" },
	{ "ringbuf_record_leaked", .maps = { RINGBUF },
	  .text = RESERVE "if r6 == 0 goto out\n*(u64 *)(r6 +0) = 1\nout:\nr0 = 0\nexit\n",
	  .reason = "BPF_EXIT instruction in main prog would lead to reference leak" },
	{ "ringbuf_record_leaked_on_one_path", .maps = { RINGBUF },
	  .text = "r7 = *(u32 *)(r1 +0)\n" RESERVE "if r6 == 0 goto out\nif r7 == 0 goto out\n"
		  "r1 = r6\nr2 = 0\ncall 132\nout:\nr0 = 0\nexit\n",
	  .reason = "BPF_EXIT instruction in main prog would lead to reference leak" },
	{ "ringbuf_record_submitted_twice", .maps = { RINGBUF },
	  .text = RESERVE "if r6 == 0 goto out\nr1 = r6\nr2 = 0\ncall 132\nr1 = r6\nr2 = 0\n"
		  "call 132\nout:\nr0 = 0\nexit\n",
	  .reason = "R1 type=scalar expected=ringbuf_mem" },
	{ "ringbuf_record_used_after_submit", .maps = { RINGBUF },
	  .text = RESERVE "if r6 == 0 goto out\nr1 = r6\nr2 = 0\ncall 132\n*(u64 *)(r6 +0) = 1\n"
		  "out:\nr0 = 0\nexit\n",
	  .reason = "R6 invalid mem access 'scalar'", .pending = "B memory" },
	{ "ringbuf_record_submitted_without_a_null_check", .maps = { RINGBUF },
	  .text = RESERVE "r1 = r6\nr2 = 0\ncall 132\nr0 = 0\nexit\n",
	  .reason = "R1 type=ringbuf_mem_or_null expected=ringbuf_mem" },
	{ "ringbuf_record_submitted_at_an_offset", .maps = { RINGBUF },
	  .text = RESERVE "if r6 == 0 goto out\nr1 = r6\nr1 += 4\nr2 = 0\ncall 132\nout:\nr0 = 0\n"
		  "exit\n",
	  .reason = "R1 must have zero offset when passed to release func" },
	{ "stack_submitted_as_a_ringbuf_record",
	  .text = "r1 = r10\nr1 += -8\nr2 = 0\ncall 132\nr0 = 0\nexit\n",
	  .reason = "R1 type=fp expected=ringbuf_mem" },
	{ "ringbuf_record_written_past_its_size", .maps = { RINGBUF },
	  .text = RESERVE "if r6 == 0 goto out\n*(u64 *)(r6 +4) = 1\nr1 = r6\nr2 = 0\ncall 132\n"
		  "out:\nr0 = 0\nexit\n",
	  .reason = "R6 min value is outside of the allowed memory range",
	  .pending = "B memory" },
	{ "ringbuf_record_leaked_by_a_tail_call",
	  .maps = { RINGBUF, VERDICT_MAP(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4) },
	  .text = "r9 = r1\n" RESERVE "if r6 == 0 goto out\nr1 = r9\nr2 = map[idx:1]\nr3 = 0\n"
		  "call 12\nr1 = r6\nr2 = 0\ncall 132\nout:\nr0 = 0\nexit\n",
	  .reason = "tail_call would lead to reference leak" },
	/* bpf_spin_lock */
	{ "lock_then_unlock", .maps = { LOCKED },
	  .text = LOOKUP_LOCKED "r1 = r6\ncall 93\n*(u32 *)(r6 +4) = 1\nr1 = r7\ncall 94\n"
		  "out:\nr0 = 0\nexit\n" },
	{ "exit_while_locked", .maps = { LOCKED },
	  .text = LOOKUP_LOCKED "r1 = r6\ncall 93\nout:\nr0 = 0\nexit\n",
	  .reason = "BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed "
		    "region" },
	{ "helper_call_while_locked", .maps = { LOCKED },
	  .text = LOOKUP_LOCKED "r1 = r6\ncall 93\ncall 7\nr1 = r6\ncall 94\nout:\nr0 = 0\n"
		  "exit\n",
	  .reason = "function calls are not allowed while holding a lock" },
	{ "unlock_without_lock", .maps = { LOCKED },
	  .text = LOOKUP_LOCKED "r1 = r6\ncall 94\nout:\nr0 = 0\nexit\n",
	  .reason = "bpf_spin_unlock without taking a lock" },
	{ "unlock_of_another_element", .maps = { LOCKED },
	  .text = LOOKUP_LOCKED "r1 = r6\ncall 93\nr1 = r8\ncall 94\nout:\nr0 = 0\nexit\n",
	  .reason = "bpf_spin_unlock of different lock" },
	{ "lock_at_the_wrong_offset", .maps = { LOCKED },
	  .text = LOOKUP_LOCKED "r1 = r6\nr1 += 4\ncall 93\nr1 = r6\ncall 94\nout:\nr0 = 0\n"
		  "exit\n",
	  .reason = "off 4 doesn't point to 'struct bpf_spin_lock' that is at 0" },
	{ "lock_before_the_null_check", .maps = { LOCKED },
	  .text = "r6 = *(u32 *)(r1 +0)\n*(u32 *)(r10 -4) = r6\nr2 = r10\nr2 += -4\n"
		  "r1 = map[idx:0]\ncall 1\nr1 = r0\ncall 93\nr0 = 0\nexit\n",
	  .reason = "R1 type=map_value_or_null expected=map_value, ptr_" },
	{ "array_element_of_a_known_key_needs_no_null_check", .maps = { LOCKED },
	  .text = "*(u32 *)(r10 -4) = 0\nr2 = r10\nr2 += -4\nr1 = map[idx:0]\ncall 1\n"
		  "r6 = r0\nr1 = r0\ncall 93\n*(u32 *)(r6 +4) = 1\nr1 = r6\ncall 94\nr0 = 0\n"
		  "exit\n" },
	{ "array_element_of_a_key_past_the_end_may_be_null", .maps = { LOCKED },
	  .text = "*(u32 *)(r10 -4) = 2\nr2 = r10\nr2 += -4\nr1 = map[idx:0]\ncall 1\n"
		  "r1 = r0\ncall 93\nr0 = 0\nexit\n",
	  .reason = "R1 type=map_value_or_null expected=map_value, ptr_" },
	{ "lock_on_the_stack",
	  .text = "r1 = r10\nr1 += -8\ncall 93\nr0 = 0\nexit\n",
	  .reason = "R1 type=fp expected=map_value, ptr_" },
	{ "lock_in_a_map_without_one", .maps = { VERDICT_MAP(BPF_MAP_TYPE_ARRAY, 4, 8, 2) },
	  .text = "*(u32 *)(r10 -4) = 0\nr2 = r10\nr2 += -4\nr1 = map[idx:0]\ncall 1\n"
		  "if r0 == 0 goto out\nr1 = r0\ncall 93\nout:\nr0 = 0\nexit\n",
	  .reason = "map 'm' has no valid bpf_spin_lock",
	  .kernel_skip = "the kernel names maps without BTF differently" },
	/* return values */
	{ "cgroup_skb_ingress_returns_2", .type = BPF_PROG_TYPE_CGROUP_SKB,
	  .attach_type = BPF_CGROUP_INET_INGRESS, .text = "r0 = 2\nexit\n",
	  .reason = "At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]" },
	{ "cgroup_skb_ingress_returns_1", .type = BPF_PROG_TYPE_CGROUP_SKB,
	  .attach_type = BPF_CGROUP_INET_INGRESS, .text = "r0 = 1\nexit\n" },
	{ "cgroup_skb_egress_returns_3", .type = BPF_PROG_TYPE_CGROUP_SKB,
	  .attach_type = BPF_CGROUP_INET_EGRESS, .text = "r0 = 3\nexit\n" },
	{ "cgroup_skb_egress_returns_4", .type = BPF_PROG_TYPE_CGROUP_SKB,
	  .attach_type = BPF_CGROUP_INET_EGRESS, .text = "r0 = 4\nexit\n",
	  .reason = "At program exit the register R0 has smin=4 smax=4 should have been in [0, 3]" },
	{ "cgroup_skb_returns_an_unknown_value", .type = BPF_PROG_TYPE_CGROUP_SKB,
	  .text = "r0 = *(u32 *)(r1 +0)\nexit\n",
	  .reason = "At program exit the register R0 has smin=0 smax=4294967295 should have been "
		    "in [0, 1]" },
	{ "cgroup_skb_returns_a_negative_value", .type = BPF_PROG_TYPE_CGROUP_SKB,
	  .text = "r0 = -1\nexit\n",
	  .reason = "At program exit the register R0 has smin=-1 smax=-1 should have been "
		    "in [0, 1]" },
	{ "cgroup_skb_returns_a_pointer", .type = BPF_PROG_TYPE_CGROUP_SKB,
	  .text = "r0 = r1\nexit\n",
	  .reason = "At program exit the register R0 is not a known value (ctx)" },
	{ "xdp_returns_any_value", .type = BPF_PROG_TYPE_XDP, .text = "r0 = 1000\nexit\n" },
	{ "sched_cls_returns_any_value", .text = "r0 = -5\nexit\n" },
	{ "loop_callback_returns_2",
	  .text = "r1 = 4\nr2 = subprog[cb]\nr3 = 0\nr4 = 0\ncall 181\nr0 = 0\nexit\n"
		  "cb:\nr0 = 2\nexit\n", .kernel_skip = NO_BTF,
	  .reason = "At callback return the register R0 has smin=2 smax=2 should have been "
		    "in [0, 1]" },
	{ "loop_callback_returns_1",
	  .text = "r1 = 4\nr2 = subprog[cb]\nr3 = 0\nr4 = 0\ncall 181\nr0 = 0\nexit\n"
		  "cb:\nr0 = 1\nexit\n", .kernel_skip = NO_BTF },
	{ "loop_callback_returns_a_pointer",
	  .text = "r1 = 4\nr2 = subprog[cb]\nr3 = 0\nr4 = 0\ncall 181\nr0 = 0\nexit\n"
		  "cb:\nr0 = r10\nexit\n", .kernel_skip = NO_BTF,
	  .reason = "R0 not a scalar value" },
};

int main(void)
{
	struct bpfvm *vm = testlib_vm_create();

	verdict_run_cases(vm, cases, sizeof(cases) / sizeof(cases[0]));
	bpfvm_destroy(vm);
	return testlib_summary();
}
