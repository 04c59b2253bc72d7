/* Loads and stores through stack pointers (the kernel's check_mem_access
 * for PTR_TO_STACK): bounds, alignment, variable offsets, and what a
 * privileged loader may read, against the running kernel when bpf() is
 * usable (mem_kernel.h). The program type is sched_cls: r1 is a __sk_buff,
 * whose first byte (a narrow load of len) gives a scalar in [0, 255]. */
#include "mem_kernel.h"

#define BYTE_OF_LEN "r2 = *(u8 *)(r1 +0)\n"

static const struct mem_case cases[] = {
	/* Refused. */
	{ .name = "misaligned_read",
	  .text = "*(u64 *)(r10 -8) = 0\nr0 = *(u32 *)(r10 -6)\nexit\n",
	  .reason = "misaligned stack access off 0+0+-6 size 4" },
	{ .name = "misaligned_write_through_a_copy",
	  .text = "r2 = r10\nr2 += -7\n*(u16 *)(r2 +0) = 0\nr0 = 0\nexit\n",
	  .reason = "misaligned stack access off 0+-7+0 size 2" },
	/* Through a caller's stack pointer, which the stack-depth pass before
	 * the verifier does not follow. */
	{ .name = "write_below_the_stack_through_a_callers_pointer",
	  .text = "r1 = r10\nr1 += -8\ncall pc+2\nr0 = 0\nexit\n*(u64 *)(r1 -512) = 0\nexit\n",
	  .reason = "invalid write to stack R1 off=-520 size=8" },
	{ .name = "read_at_the_frame_pointer_through_a_callers_pointer",
	  .text = "r1 = r10\nr1 += -8\ncall pc+2\nr0 = 0\nexit\nr0 = *(u64 *)(r1 +8)\nexit\n",
	  .reason = "invalid read from stack R1 off=0 size=8" },
	{ .name = "read_straddling_the_frame_pointer",
	  .text = "r1 = r10\nr1 += -4\ncall pc+2\nr0 = 0\nexit\nr0 = *(u64 *)(r1 +0)\nexit\n",
	  .reason = "misaligned stack access off 0+-4+0 size 8" },
	{ .name = "variable_offset_write_past_the_frame_pointer",
	  .text = BYTE_OF_LEN "r3 = r10\nr3 += -128\nr3 += r2\n*(u8 *)(r3 +0) = 0\nr0 = 0\nexit\n",
	  .reason = "invalid variable-offset write to stack R3 var_off=(0x0; 0xff) off=-128 size=1" },
	{ .name = "variable_offset_read_past_the_frame_pointer",
	  .text = BYTE_OF_LEN "r3 = r10\nr3 += -255\nr3 += r2\nr0 = *(u8 *)(r3 +0)\nexit\n",
	  .reason = "invalid variable-offset read from stack R3 var_off=(0x0; 0xff) off=-255 size=1" },
	{ .name = "variable_offset_read_below_the_stack",
	  .text = BYTE_OF_LEN "r3 = r10\nr3 += -512\nr3 += r2\nr0 = *(u8 *)(r3 -1)\nexit\n",
	  .reason = "invalid variable-offset read from stack R3 var_off=(0x0; 0xff) off=-513 size=1" },
	{ .name = "variable_offset_misaligned",
	  .text = BYTE_OF_LEN "r3 = r10\nr3 += -512\nr3 += r2\nr0 = *(u16 *)(r3 +0)\nexit\n",
	  .reason = "misaligned stack access off (0x0; 0xff)+-512+0 size 2" },
	{ .name = "unbounded_variable_offset",
	  .text = "r2 = *(u32 *)(r1 +0)\nr3 = r10\nr3 += -8\nr3 += r2\n*(u8 *)(r3 +0) = 0\n"
		  "r0 = 0\nexit\n",
	  .reason = "invalid unbounded variable-offset write to stack R3" },
	{ .name = "load_into_the_frame_pointer",
	  .text = "*(u64 *)(r10 -8) = 0\nr10 = *(u64 *)(r10 -8)\nr0 = 0\nexit\n",
	  .reason = "frame pointer is read only" },
	{ .name = "atomic_at_a_variable_offset",
	  .text = BYTE_OF_LEN "r2 &= 8\nr3 = r10\nr3 += -16\nr3 += r2\nr0 = 1\n"
		  "*(u64 *)(r10 -8) = 0\n*(u64 *)(r10 -16) = 0\n"
		  "lock *(u64 *)(r3 +0) += r0\nr0 = 0\nexit\n",
	  .reason = "variable offset stack pointer cannot be passed into helper function; "
		    "var_off=(0x0; 0x8) off=-16 size=8",
	  .waits_for = WAITS_SCALAR },

	/* Accepted. */
	{ .name = "read_of_never_written_stack_by_a_privileged_loader",
	  .text = "r0 = *(u64 *)(r10 -8)\nexit\n" },
	{ .name = "read_of_a_half_written_slot",
	  .text = "*(u32 *)(r10 -8) = 0\nr0 = *(u64 *)(r10 -8)\nexit\n" },
	{ .name = "variable_offset_write_then_read_in_bounds",
	  .text = BYTE_OF_LEN "r3 = r10\nr3 += -256\nr3 += r2\n*(u8 *)(r3 +0) = 1\n"
		  "r0 = *(u8 *)(r3 +0)\nr0 = *(u64 *)(r10 -8)\nexit\n" },
	{ .name = "variable_offset_read_at_the_last_byte",
	  .text = BYTE_OF_LEN "r3 = r10\nr3 += -256\nr3 += r2\nr0 = *(u8 *)(r3 +0)\nexit\n" },
	{ .name = "variable_offset_read_over_spilled_pointers",
	  .text = BYTE_OF_LEN "r2 &= 8\n*(u64 *)(r10 -8) = r1\n*(u64 *)(r10 -16) = r10\n"
		  "r3 = r10\nr3 += -16\nr3 += r2\nr0 = *(u64 *)(r3 +0)\nexit\n",
	  .waits_for = WAITS_SCALAR },
	{ .name = "a_subprogram_writes_its_callers_stack",
	  .text = "r1 = r10\nr1 += -8\ncall pc+2\nr0 = *(u64 *)(r10 -8)\nexit\n"
		  "*(u64 *)(r1 +0) = 7\nexit\n" },
	{ .name = "stack_pointer_spilled_and_filled_then_written",
	  .text = "r2 = r10\nr2 += -16\n*(u64 *)(r10 -8) = r2\nr3 = *(u64 *)(r10 -8)\n"
		  "*(u32 *)(r3 +4) = 1\nr0 = *(u32 *)(r10 -12)\nexit\n" },
	{ .name = "lowest_byte_of_the_stack",
	  .text = "r2 = r10\nr2 += -512\n*(u8 *)(r2 +0) = 1\nr0 = *(u8 *)(r10 -512)\nexit\n" },
};

int main(int argc, char **argv)
{
	return mem_kernel_run(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);
}
