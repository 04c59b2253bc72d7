/* Direct packet access (the kernel's check_packet_access) and the ranges
 * that comparisons with data_end teach (find_good_pkt_pointers), against
 * the running kernel when bpf() is usable (mem_kernel.h). XDP programs
 * unless said: r2 = data, r3 = data_end. */
#include "mem_kernel.h"

#define XDP_PTRS "r2 = *(u32 *)(r1 +0)\nr3 = *(u32 *)(r1 +4)\n"
#define OK_EXIT "r0 = 0\nexit\n"

static const struct mem_case cases[] = {
	{ .name = "probe_open", .type = BPF_PROG_TYPE_XDP,
	  .text = XDP_PTRS "r4 = r2\nr4 += 8\nif r4 < r3 goto pc+2\n" OK_EXIT
		  "r0 = *(u8 *)(r2 +8)\n" OK_EXIT },
	{ .name = "probe_open0", .type = BPF_PROG_TYPE_XDP,
	  .text = XDP_PTRS "if r2 < r3 goto pc+2\n" OK_EXIT
		  "r0 = *(u8 *)(r2 +0)\n" OK_EXIT },
};

int main(int argc, char **argv)
{
	return mem_kernel_run(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);
}
