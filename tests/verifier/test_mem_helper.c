/* Memory that helpers read or write through their arguments (the kernel's
 * check_helper_mem_access and check_stack_range_initialized), and ring
 * buffer records (PTR_TO_MEM of the reserved size), against the running
 * kernel when bpf() is usable (mem_kernel.h). */
#include "mem_kernel.h"

#define OK_EXIT "r0 = 0\nexit\n"
#define RINGBUF .map = MEM_MAP_RINGBUF
#define XDP .type = BPF_PROG_TYPE_XDP
#define XDP_PTRS_14                                                                        \
	"r2 = *(u32 *)(r1 +0)\nr3 = *(u32 *)(r1 +4)\nr4 = r2\nr4 += 14\n"
/* r0 = bpf_ringbuf_reserve(map, 16, 0), NULL-checked (n insns follow
 * before the submit). */
#define RESERVED(n)                                                                        \
	"r1 = map[idx:0]\nr2 = 16\nr3 = 0\ncall 131\nif r0 == 0x0 goto pc+" #n "\n"
#define SUBMIT "r1 = r0\nr2 = 0\ncall 132\n"

static const struct mem_case cases[] = {
	/* Ring buffer records: refused. */
	{ .name = "record_written_past_its_size", RINGBUF,
	  .text = RESERVED(4) "*(u32 *)(r0 +16) = 1\n" SUBMIT OK_EXIT,
	  .reason = "invalid access to memory, mem_size=16 off=16 size=4\n"
		    "R0 min value is outside of the allowed memory range" },
	{ .name = "record_read_before_its_start", RINGBUF,
	  .text = RESERVED(4) "r1 = *(u8 *)(r0 -1)\n" SUBMIT OK_EXIT,
	  .reason = "invalid access to memory, mem_size=16 off=-1 size=1\n"
		    "R0 min value is outside of the allowed memory range" },
	{ .name = "record_that_may_be_null", RINGBUF,
	  .text = "r1 = map[idx:0]\nr2 = 16\nr3 = 0\ncall 131\n*(u32 *)(r0 +0) = 1\n"
		  "if r0 == 0x0 goto pc+3\n" SUBMIT OK_EXIT,
	  .reason = "R0 invalid mem access 'ringbuf_mem_or_null'" },
	{ .name = "record_at_a_variable_offset_up_to_255", RINGBUF,
	  .text = RESERVED(7) "*(u64 *)(r0 +0) = 0\nr1 = *(u8 *)(r0 +0)\nr6 = r0\nr6 += r1\n"
		  "*(u8 *)(r6 +0) = 1\n" SUBMIT OK_EXIT,
	  .reason = "invalid access to memory, mem_size=16 off=255 size=1\n"
		    "R6 max value is outside of the allowed memory range" },
	/* Ring buffer records: accepted. */
	{ .name = "record_filled_and_read_back", RINGBUF,
	  .text = RESERVED(6) "*(u64 *)(r0 +8) = 1\n*(u32 *)(r0 +0) = 2\nr1 = *(u8 *)(r0 +15)\n"
		  SUBMIT OK_EXIT },

	/* Helpers' memory: refused. */
	{ .name = "helper_writes_past_the_frame_pointer",
	  .text = "r2 = 0\nr3 = r10\nr3 += -8\nr4 = 16\ncall 26\n" OK_EXIT,
	  .reason = "invalid write to stack R3 off=-8 size=16", .waits_for = WAITS_HELPERS },
	{ .name = "helper_reads_past_the_frame_pointer", RINGBUF,
	  .text = "r1 = map[idx:0]\nr2 = r10\nr2 += -8\nr3 = 16\nr4 = 0\ncall 130\n" OK_EXIT,
	  .reason = "invalid read from stack R2 off=-8 size=16", .waits_for = WAITS_HELPERS },
	{ .name = "helper_reads_past_the_packet_range", XDP,
	  .text = XDP_PTRS_14 "if r4 > r3 goto pc+6\nr1 = r2\nr2 = 16\nr3 = 0\nr4 = 0\nr5 = 0\n"
		  "call 28\n" OK_EXIT,
	  .reason = "invalid access to packet, off=0 size=16, R1(id=0,off=0,r=14)\n"
		    "R1 offset is outside of the packet", .waits_for = WAITS_HELPERS },
	{ .name = "helper_writes_past_a_record", RINGBUF,
	  .text = "r7 = r1\n" RESERVED(9) "r6 = r0\nr1 = r7\nr2 = 0\nr3 = r6\nr4 = 32\n"
		  "call 26\nr1 = r6\nr2 = 0\ncall 132\n" OK_EXIT,
	  .reason = "invalid access to memory, mem_size=16 off=0 size=32\n"
		    "R3 min value is outside of the allowed memory range", .waits_for = WAITS_HELPERS },

	/* Helpers' memory: accepted. */
	{ .name = "helper_fills_stack_that_is_read_back",
	  .text = "r2 = 0\nr3 = r10\nr3 += -16\nr4 = 16\ncall 26\nr0 = *(u64 *)(r10 -16)\n"
		  "r0 = *(u64 *)(r10 -8)\n" OK_EXIT },
	{ .name = "helper_reads_the_checked_packet", XDP,
	  .text = XDP_PTRS_14 "if r4 > r3 goto pc+6\nr1 = r2\nr2 = 12\nr3 = 0\nr4 = 0\nr5 = 0\n"
		  "call 28\n" OK_EXIT },
	{ .name = "helper_reads_a_record", RINGBUF,
	  .text = RESERVED(12) "r6 = r0\n*(u64 *)(r6 +0) = 0\n*(u64 *)(r6 +8) = 0\n"
		  "r1 = map[idx:0]\nr2 = r6\nr3 = 16\nr4 = 0\ncall 130\n"
		  "r1 = r6\nr2 = 0\ncall 132\n" OK_EXIT },
};

int main(int argc, char **argv)
{
	return mem_kernel_run(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);
}
