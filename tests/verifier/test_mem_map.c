/* Map value accesses (the kernel's check_map_access and
 * check_map_access_type) and what else is not memory, against the running
 * kernel when bpf() is usable (mem_kernel.h). The map is an array of one
 * 16-byte value unless said; LOOKUP leaves its value (or NULL) in r0. */
#include "mem_kernel.h"

#define LOOKUP                                                                             \
	"*(u32 *)(r10 -4) = 0\nr2 = r10\nr2 += -4\nr1 = map[idx:0]\ncall 1\n"
#define LOOKED_UP(n) LOOKUP "if r0 == 0x0 goto pc+" #n "\n"
#define OK_EXIT "r0 = 0\nexit\n"
#define ARRAY(size) .map = MEM_MAP_ARRAY, .value_size = size
#define RODATA(size) .map = MEM_MAP_RDONLY_PROG, .value_size = size
#define VALUE_OUTSIDE(off, size, which)                                                    \
	"invalid access to map value, value_size=16 off=" #off " size=" #size "\n"         \
	"R0 " which " value is outside of the allowed memory range"

static const struct mem_case cases[] = {
	/* Refused. */
	{ .name = "read_past_the_value", ARRAY(16),
	  .text = LOOKED_UP(1) "r1 = *(u32 *)(r0 +16)\n" OK_EXIT,
	  .reason = VALUE_OUTSIDE(16, 4, "min") },
	{ .name = "write_straddling_the_end", ARRAY(16),
	  .text = LOOKED_UP(1) "*(u64 *)(r0 +12) = 0\n" OK_EXIT,
	  .reason = VALUE_OUTSIDE(12, 8, "min") },
	{ .name = "read_before_the_value", ARRAY(16),
	  .text = LOOKED_UP(1) "r1 = *(u8 *)(r0 -1)\n" OK_EXIT,
	  .reason = VALUE_OUTSIDE(-1, 1, "min") },
	{ .name = "moved_pointer_past_the_value", ARRAY(16),
	  .text = LOOKED_UP(2) "r0 += 10\nr1 = *(u64 *)(r0 +0)\n" OK_EXIT,
	  .reason = VALUE_OUTSIDE(10, 8, "min") },
	{ .name = "variable_offset_up_to_255", ARRAY(16),
	  .text = LOOKED_UP(3) "r1 = *(u8 *)(r0 +0)\nr0 += r1\nr1 = *(u8 *)(r0 +0)\n" OK_EXIT,
	  .reason = VALUE_OUTSIDE(255, 1, "max") },
	{ .name = "unbounded_variable_offset", ARRAY(16),
	  .text = LOOKED_UP(3) "r1 = *(u32 *)(r0 +0)\nr0 += r1\nr1 = *(u8 *)(r0 +0)\n" OK_EXIT,
	  .reason = "R0 unbounded memory access, make sure to bounds check any such access" },
	/* (A constant key within an array is never NULL to the kernel.) */
	{ .name = "value_that_may_be_null", ARRAY(16),
	  .text = "r6 = *(u32 *)(r1 +0)\n*(u32 *)(r10 -4) = r6\nr2 = r10\nr2 += -4\n"
		  "r1 = map[idx:0]\ncall 1\nr1 = *(u32 *)(r0 +0)\n" OK_EXIT,
	  .reason = "R0 invalid mem access 'map_value_or_null'" },
	{ .name = "write_into_rodata_through_its_address", RODATA(16),
	  .text = "r1 = map[idx:0]+4\n*(u32 *)(r1 +0) = 1\n" OK_EXIT,
	  .reason = "write into map forbidden, value_size=16 off=4 size=4" },
	{ .name = "write_into_a_read_only_value_found_by_lookup", RODATA(16),
	  .text = LOOKED_UP(2) "r1 = 1\n*(u64 *)(r0 +8) = r1\n" OK_EXIT,
	  .reason = "write into map forbidden, value_size=16 off=8 size=8" },
	{ .name = "atomic_on_a_read_only_value", RODATA(16),
	  .text = LOOKED_UP(2) "r1 = 1\nlock *(u32 *)(r0 +0) += r1\n" OK_EXIT,
	  .reason = "write into map forbidden, value_size=16 off=0 size=4" },
	{ .name = "misaligned_atomic", ARRAY(16),
	  .text = LOOKED_UP(2) "r1 = 1\nlock *(u32 *)(r0 +2) += r1\n" OK_EXIT,
	  .reason = "misaligned value access off 0+0+2 size 4" },
	{ .name = "scalar_is_not_memory",
	  .text = "r2 = 4096\nr0 = *(u8 *)(r2 +0)\n" OK_EXIT,
	  .reason = "R2 invalid mem access 'scalar'" },
	{ .name = "store_through_a_scalar",
	  .text = "r2 = *(u32 *)(r1 +0)\n*(u32 *)(r2 +0) = 1\n" OK_EXIT,
	  .reason = "R2 invalid mem access 'scalar'" },

	/* Accepted. */
	{ .name = "first_and_last_bytes", ARRAY(16),
	  .text = LOOKED_UP(3) "r1 = *(u8 *)(r0 +0)\n*(u8 *)(r0 +15) = 1\n*(u64 *)(r0 +8) = r1\n"
		  OK_EXIT },
	{ .name = "variable_offset_within_the_value", ARRAY(256),
	  .text = LOOKED_UP(3) "r1 = *(u8 *)(r0 +0)\nr0 += r1\nr1 = *(u8 *)(r0 +0)\n" OK_EXIT },
	{ .name = "atomics_on_the_value", ARRAY(16),
	  .text = LOOKED_UP(4) "r1 = 1\nlock *(u64 *)(r0 +8) += r1\n"
		  "r1 = atomic64_fetch_add((u64 *)(r0 +0), r1)\n"
		  "lock *(u32 *)(r0 +4) |= r1\n" OK_EXIT },
	{ .name = "pointer_stored_into_the_value_by_a_privileged_loader", ARRAY(16),
	  .text = LOOKED_UP(1) "*(u64 *)(r0 +0) = r10\n" OK_EXIT },
	{ .name = "rodata_value_is_known_and_decides_a_branch", RODATA(16),
	  .text = "r1 = map[idx:0]+8\nr1 = *(u32 *)(r1 +0)\nif r1 != 0x0 goto pc+2\n" OK_EXIT
		  "r0 = *(u8 *)(r1 +0)\nexit\n" },
	{ .name = "rodata_value_read_through_a_lookup", RODATA(16),
	  .text = LOOKED_UP(1) "r1 = *(u64 *)(r0 +8)\n" OK_EXIT },
};

int main(int argc, char **argv)
{
	return mem_kernel_run(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);
}
