/* References and return values, as the kernel's reference tracking and
 * check_return_code: a ring buffer record is submitted or discarded exactly
 * once on every path, never used after; r0 at the program's exit lies in the
 * program type's range, at a callback's exit in the callback's. Each case is
 * also loaded into the running kernel when bpf() is usable. */
#include <stdio.h>

#include "../testlib.h"
#include "verdict_kernel.h"

#define RINGBUF { BPF_MAP_TYPE_RINGBUF, 0, 0, 4096 }

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
	  .maps = { RINGBUF, { BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4 } },
	  .text = "r9 = r1\n" RESERVE "if r6 == 0 goto out\nr1 = r9\nr2 = map[idx:1]\nr3 = 0\n"
		  "call 12\nr1 = r6\nr2 = 0\ncall 132\nout:\nr0 = 0\nexit\n",
	  .reason = "tail_call would lead to reference leak" },
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
