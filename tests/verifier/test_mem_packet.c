/* Direct packet access (the kernel's check_packet_access) and the ranges
 * that comparisons with data_end teach (find_good_pkt_pointers), against
 * the running kernel when bpf() is usable (mem_kernel.h). XDP programs
 * unless said: r2 = data, r3 = data_end, r4 = data + 14. */
#include "mem_kernel.h"

#define XDP_PTRS "r2 = *(u32 *)(r1 +0)\nr3 = *(u32 *)(r1 +4)\n"
#define XDP_PTRS_14 XDP_PTRS "r4 = r2\nr4 += 14\n"
#define OK_EXIT "r0 = 0\nexit\n"
#define OUTSIDE(reg, off, size, r)                                                         \
	"invalid access to packet, off=" #off " size=" #size ", " reg "(id=0,off=" #off   \
	",r=" #r ")\n" reg " offset is outside of the packet"
#define XDP .type = BPF_PROG_TYPE_XDP

static const struct mem_case cases[] = {
	/* Refused. */
	{ .name = "read_without_a_check", XDP,
	  .text = XDP_PTRS "r0 = *(u8 *)(r2 +0)\n" OK_EXIT,
	  .reason = OUTSIDE("R2", 0, 1, 0) },
	{ .name = "read_one_past_the_checked_range", XDP,
	  .text = XDP_PTRS_14 "if r4 > r3 goto pc+1\nr0 = *(u8 *)(r2 +14)\n" OK_EXIT,
	  .reason = OUTSIDE("R2", 14, 1, 14) },
	{ .name = "word_straddling_the_checked_range", XDP,
	  .text = XDP_PTRS_14 "if r4 > r3 goto pc+1\nr0 = *(u32 *)(r2 +12)\n" OK_EXIT,
	  .reason = OUTSIDE("R2", 12, 4, 14) },
	{ .name = "read_before_the_packet", XDP,
	  .text = XDP_PTRS_14 "if r4 > r3 goto pc+1\nr0 = *(u8 *)(r2 -1)\n" OK_EXIT,
	  .reason = OUTSIDE("R2", -1, 1, 14) },
	{ .name = "read_on_the_side_past_data_end", XDP,
	  .text = XDP_PTRS_14 "if r4 > r3 goto pc+2\n" OK_EXIT "r0 = *(u8 *)(r4 -1)\n" OK_EXIT,
	  .reason = "R4 offset is outside of the packet" },
	{ .name = "read_when_the_check_failed", XDP,
	  .text = XDP_PTRS_14 "if r4 <= r3 goto pc+2\nr0 = *(u8 *)(r2 +0)\nexit\n" OK_EXIT,
	  .reason = OUTSIDE("R2", 0, 1, 0) },
	{ .name = "strict_compare_at_offset_zero_gives_nothing", XDP,
	  .text = XDP_PTRS "if r2 < r3 goto pc+2\n" OK_EXIT "r0 = *(u8 *)(r2 +0)\n" OK_EXIT,
	  .reason = OUTSIDE("R2", 0, 1, 0) },
	{ .name = "check_through_a_variably_moved_pointer_says_nothing_of_data", XDP,
	  .text = XDP_PTRS_14 "if r4 > r3 goto pc+6\nr5 = *(u8 *)(r2 +0)\nr4 = r2\nr4 += r5\n"
		  "r6 = r4\nr6 += 20\nif r6 > r3 goto pc+1\nr0 = *(u8 *)(r2 +14)\n" OK_EXIT,
	  .reason = OUTSIDE("R2", 14, 1, 14) },
	/* The checked path reaches the join first: the unchecked one must not
	 * be pruned as covered by it (a packet pointer covers one with at
	 * least its range). */
	{ .name = "unchecked_path_joins_a_checked_one", XDP,
	  .text = XDP_PTRS_14 "r5 = *(u32 *)(r1 +12)\nif r5 == 0x0 goto pc+2\n"
		  "if r4 > r3 goto pc+2\nr0 = r2\nr0 = *(u8 *)(r2 +0)\n" OK_EXIT,
	  .reason = OUTSIDE("R2", 0, 1, 0) },
	{ .name = "pkt_end_is_not_memory", XDP,
	  .text = XDP_PTRS "r0 = *(u8 *)(r3 +0)\n" OK_EXIT,
	  .reason = "R3 invalid mem access 'pkt_end'" },
	{ .name = "atomic_on_the_packet", XDP,
	  .text = XDP_PTRS_14 "if r4 > r3 goto pc+2\nr0 = 1\nlock *(u32 *)(r2 +0) += r0\n" OK_EXIT,
	  .reason = "BPF_ATOMIC stores into R2 pkt is not allowed" },
	{ .name = "cgroup_skb_cannot_write_the_packet", .type = BPF_PROG_TYPE_CGROUP_SKB,
	  .text = "r2 = *(u32 *)(r1 +76)\nr3 = *(u32 *)(r1 +80)\nr4 = r2\nr4 += 14\n"
		  "if r4 > r3 goto pc+1\n*(u8 *)(r2 +0) = 1\nr0 = 1\nexit\n",
	  .reason = "cannot write into packet" },
	{ .name = "meta_read_past_its_check", XDP,
	  .text = XDP_PTRS "r4 = *(u32 *)(r1 +8)\nr5 = r4\nr5 += 8\nif r5 > r2 goto pc+1\n"
		  "r0 = *(u8 *)(r4 +8)\n" OK_EXIT,
	  .reason = "invalid access to packet, off=8 size=1, R4(id=0,off=8,r=8)\n"
		    "R4 offset is outside of the packet" },
	{ .name = "meta_checked_against_data_end_gives_nothing", XDP,
	  .text = XDP_PTRS "r4 = *(u32 *)(r1 +8)\nr5 = r4\nr5 += 8\nif r5 > r3 goto pc+1\n"
		  "r0 = *(u8 *)(r4 +0)\n" OK_EXIT,
	  .reason = "invalid access to packet, off=0 size=1, R4(id=0,off=0,r=0)\n"
		    "R4 offset is outside of the packet" },

	/* Accepted: every compare form, both operand orders. */
	{ .name = "pkt_gt_end_falls_through_to_access", XDP,
	  .text = XDP_PTRS_14 "if r4 > r3 goto pc+1\nr0 = *(u8 *)(r2 +13)\n" OK_EXIT },
	{ .name = "pkt_ge_end_falls_through_one_more_byte", XDP,
	  .text = XDP_PTRS_14 "if r4 >= r3 goto pc+1\nr0 = *(u8 *)(r2 +14)\n" OK_EXIT },
	{ .name = "pkt_lt_end_jumps_to_one_more_byte", XDP,
	  .text = XDP_PTRS_14 "if r4 < r3 goto pc+2\n" OK_EXIT "r0 = *(u8 *)(r2 +14)\n" OK_EXIT },
	{ .name = "pkt_le_end_jumps_to_access", XDP,
	  .text = XDP_PTRS_14 "if r4 <= r3 goto pc+2\n" OK_EXIT "r0 = *(u64 *)(r2 +6)\n" OK_EXIT },
	{ .name = "end_lt_pkt_falls_through_to_access", XDP,
	  .text = XDP_PTRS_14 "if r3 < r4 goto pc+1\nr0 = *(u8 *)(r2 +13)\n" OK_EXIT },
	{ .name = "end_le_pkt_falls_through_one_more_byte", XDP,
	  .text = XDP_PTRS_14 "if r3 <= r4 goto pc+1\nr0 = *(u8 *)(r2 +14)\n" OK_EXIT },
	{ .name = "end_gt_pkt_jumps_to_one_more_byte", XDP,
	  .text = XDP_PTRS_14 "if r3 > r4 goto pc+2\n" OK_EXIT "r0 = *(u8 *)(r2 +14)\n" OK_EXIT },
	{ .name = "end_ge_pkt_jumps_to_access", XDP,
	  .text = XDP_PTRS_14 "if r3 >= r4 goto pc+2\n" OK_EXIT "r0 = *(u16 *)(r2 +12)\n" OK_EXIT },
	{ .name = "range_reaches_a_copy_moved_by_a_constant", XDP,
	  .text = XDP_PTRS_14 "if r4 > r3 goto pc+3\nr5 = r2\nr5 += 10\nr0 = *(u32 *)(r5 +0)\n"
		  OK_EXIT },
	{ .name = "range_reaches_a_spilled_copy", XDP,
	  .text = XDP_PTRS_14 "*(u64 *)(r10 -8) = r2\nif r4 > r3 goto pc+2\n"
		  "r5 = *(u64 *)(r10 -8)\nr0 = *(u32 *)(r5 +10)\n" OK_EXIT },
	/* The callee's check reaches the caller's r6 on the path that returns 1. */
	{ .name = "range_reaches_the_callers_registers", XDP,
	  .text = XDP_PTRS "r6 = r2\nr1 = r2\nr2 = r3\ncall pc+3\n"
		  "if r0 == 0 goto pc+1\nr0 = *(u8 *)(r6 +7)\nexit\n"
		  "r1 += 8\nr0 = 0\nif r1 > r2 goto pc+1\nr0 = 1\nexit\n" },
	{ .name = "meta_checked_against_data", XDP,
	  .text = XDP_PTRS "r4 = *(u32 *)(r1 +8)\nr5 = r4\nr5 += 8\nif r5 > r2 goto pc+1\n"
		  "r0 = *(u64 *)(r4 +0)\n" OK_EXIT },
	{ .name = "data_lt_meta_reversed", XDP,
	  .text = XDP_PTRS "r4 = *(u32 *)(r1 +8)\nr5 = r4\nr5 += 8\nif r2 < r5 goto pc+1\n"
		  "r0 = *(u64 *)(r4 +0)\n" OK_EXIT },
	{ .name = "xdp_writes_the_packet", XDP,
	  .text = XDP_PTRS_14 "if r4 > r3 goto pc+2\n*(u32 *)(r2 +0) = 1\n*(u16 *)(r2 +12) = 2\n"
		  OK_EXIT },
	{ .name = "tc_writes_the_packet",
	  .text = "r2 = *(u32 *)(r1 +76)\nr3 = *(u32 *)(r1 +80)\nr4 = r2\nr4 += 14\n"
		  "if r4 > r3 goto pc+1\n*(u8 *)(r2 +13) = 1\n" OK_EXIT },
	{ .name = "cgroup_skb_reads_the_packet", .type = BPF_PROG_TYPE_CGROUP_SKB,
	  .text = "r2 = *(u32 *)(r1 +76)\nr3 = *(u32 *)(r1 +80)\nr4 = r2\nr4 += 14\n"
		  "if r4 > r3 goto pc+1\nr0 = *(u8 *)(r2 +0)\nr0 = 1\nexit\n" },
	{ .name = "checked_through_a_variably_moved_pointer", XDP,
	  .text = XDP_PTRS_14 "if r4 > r3 goto pc+7\nr5 = *(u8 *)(r2 +0)\nr4 = r2\nr4 += r5\n"
		  "r6 = r4\nr6 += 4\nif r6 > r3 goto pc+1\nr0 = *(u32 *)(r4 +0)\n" OK_EXIT,
	  .waits_for = WAITS_SCALAR },
};

int main(int argc, char **argv)
{
	return mem_kernel_run(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);
}
