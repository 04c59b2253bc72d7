/* Verdicts of the scalar domain on small programs, against the running
 * kernel's verifier: clang's patterns (a bounded index into a map value,
 * copies compared in place of the original, 32-bit compares of 64-bit
 * values, signed and unsigned checks mixed) and the kernel's refusals of
 * pointer arithmetic, in its words.
 *
 * Each case records the kernel's verdict (NULL: accepted, else the log line
 * before "processed N insns"). bpfvm must give it; when bpf() is usable the
 * kernel must still give it too, so that the record cannot go stale. Both
 * run the program as sched_cls, with map[idx:0] an array of one 48-byte
 * value. A dead branch reads r7, never written: a verifier that cannot
 * prove it dead refuses with "R7 !read_ok".
 *
 * Cases marked `waits` need a part of the verifier that is not merged yet
 * (the memory bounds checks), or differ on purpose (docs/differences.md):
 * while bpfvm disagrees, they are reported as WAIT and do not fail; once it
 * agrees they say so, and the mark goes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

#include "../testlib.h"
#include "engine/prog.h"
#include "maps/map.h"
#include "progtypes/progtype.h"
#include "verifier/structure.h"
#include "verifier/types.h"

#define SKIP_RETURN_CODE 77
#define VALUE_SIZE 48

/* r0 = a pointer to the map value, or the program returns 0. */
#define LOOKUP                                                                                   \
	"*(u32 *)(r10 -4) = 0\n"                                                                 \
	"r1 = map[idx:0]\n"                                                                      \
	"r2 = r10\n"                                                                             \
	"r2 += -4\n"                                                                             \
	"call 1\n"                                                                               \
	"if r0 == 0x0 goto out\n"
#define OUT "out:\nr0 = 0\nexit\n"
#define BAD "bad:\nr0 = r7\nexit\n"

static const struct {
	const char *name;
	const char *text;
	const char *kernel; /* NULL: accepted */
	const char *waits;  /* the part whose checks the verdict needs */
} cases[] = {
	/* clang's bounded index: i < N, then value[i] */
	{ "index_bounded_by_unsigned_check",
	  LOOKUP "r1 = *(u32 *)(r0 +0)\nif r1 > 11 goto out\nr1 <<= 2\nr0 += r1\n"
	  "r1 = *(u32 *)(r0 +0)\n" OUT, NULL, NULL },
	{ "index_one_past_the_end",
	  LOOKUP "r1 = *(u32 *)(r0 +0)\nif r1 > 12 goto out\nr1 <<= 2\nr0 += r1\n"
	  "r1 = *(u32 *)(r0 +0)\n" OUT,
	  "R0 max value is outside of the allowed memory range", "needs B: map value bounds" },
	{ "index_masked",
	  LOOKUP "r1 = *(u32 *)(r0 +0)\nr1 &= 7\nr1 <<= 2\nr0 += r1\nr1 = *(u32 *)(r0 +0)\n" OUT,
	  NULL, NULL },
	{ "index_unbounded_64_bit",
	  LOOKUP "r1 = *(u64 *)(r0 +0)\nr0 += r1\nr1 = *(u32 *)(r0 +0)\n" OUT,
	  "math between map_value pointer and register with unbounded min value is not allowed", NULL },
	{ "index_without_upper_bound",
	  LOOKUP "r1 = *(u32 *)(r0 +0)\nr0 += r1\nr1 = *(u32 *)(r0 +0)\n" OUT,
	  "R0 unbounded memory access, make sure to bounds check any such access",
	  "needs B: map value bounds" },
	{ "index_signed_check_only",
	  LOOKUP "r1 = *(u64 *)(r0 +0)\nif r1 s> 11 goto out\nr0 += r1\n" OUT,
	  "math between map_value pointer and register with unbounded min value is not allowed", NULL },
	{ "index_signed_both_ends",
	  LOOKUP "r1 = *(u64 *)(r0 +0)\nif r1 s> 11 goto out\nif r1 s< 0 goto out\nr1 <<= 2\n"
	  "r0 += r1\nr1 = *(u32 *)(r0 +0)\n" OUT, NULL, NULL },
	/* copies: refining one refines the others */
	{ "copy_checked_original_used",
	  LOOKUP "r1 = *(u32 *)(r0 +0)\nr2 = r1\nif r2 > 10 goto out\nif r1 > 10 goto bad\n" OUT BAD,
	  NULL, NULL },
	{ "copy_broken_by_alu",
	  LOOKUP "r1 = *(u32 *)(r0 +0)\nr2 = r1\nr2 *= 1\nif r2 > 10 goto out\n"
	  "if r1 > 10 goto bad\n" OUT BAD, "R7 !read_ok", NULL },
	{ "copy_plus_constant_checked",
	  LOOKUP "r1 = *(u32 *)(r0 +0)\nr2 = r1\nr2 += 1\nif r2 > 10 goto out\n"
	  "if r1 > 9 goto bad\n" OUT BAD, NULL, NULL },
	{ "copy_spilled_and_filled_checked",
	  LOOKUP "r1 = *(u32 *)(r0 +0)\n*(u64 *)(r10 -16) = r1\nr2 = *(u64 *)(r10 -16)\n"
	  "if r2 > 10 goto out\nif r1 > 10 goto bad\n" OUT BAD, NULL, NULL },
	{ "copy_32_bit_of_a_32_bit_value",
	  LOOKUP "r1 = *(u32 *)(r0 +0)\nw2 = w1\nif r2 > 10 goto out\nif r1 > 10 goto bad\n" OUT BAD,
	  NULL, NULL },
	{ "copy_32_bit_of_a_64_bit_value",
	  LOOKUP "r1 = *(u64 *)(r0 +0)\nw2 = w1\nif r2 > 10 goto out\nif r1 > 10 goto bad\n" OUT BAD,
	  "R7 !read_ok", NULL },
	/* 32-bit compares of 64-bit values */
	{ "jmp32_bounds_a_zero_extended_value",
	  LOOKUP "r1 = *(u32 *)(r0 +0)\nif w1 > 10 goto out\nif r1 > 10 goto bad\n" OUT BAD, NULL, NULL },
	{ "jmp32_leaves_the_upper_half",
	  LOOKUP "r1 = *(u64 *)(r0 +0)\nif w1 > 10 goto out\nif r1 > 10 goto bad\n" OUT BAD,
	  "R7 !read_ok", NULL },
	{ "jmp64_bounds_the_lower_half",
	  LOOKUP "r1 = *(u64 *)(r0 +0)\nif r1 > 10 goto out\nif w1 > 10 goto bad\n" OUT BAD, NULL, NULL },
	/* signed and unsigned */
	{ "signed_check_of_a_zero_extended_value",
	  LOOKUP "r1 = *(u32 *)(r0 +0)\nif r1 s> 10 goto out\nif r1 > 10 goto bad\n" OUT BAD, NULL, NULL },
	{ "signed_check_of_a_64_bit_value",
	  LOOKUP "r1 = *(u64 *)(r0 +0)\nif r1 s> 10 goto out\nif r1 > 10 goto bad\n" OUT BAD,
	  "R7 !read_ok", NULL },
	{ "unsigned_check_bounds_signed",
	  LOOKUP "r1 = *(u64 *)(r0 +0)\nif r1 > 10 goto out\nif r1 s< 0 goto bad\n" OUT BAD, NULL, NULL },
	{ "sign_extended_byte_is_small",
	  LOOKUP "r1 = *(s8 *)(r0 +0)\nif r1 s> 127 goto bad\nif r1 s< -128 goto bad\n" OUT BAD,
	  NULL, "needs B: load results through scalar_coerce_load" },
	{ "movsx_of_a_byte_is_small",
	  LOOKUP "r1 = *(u64 *)(r0 +0)\nr2 = (s8)r1\nif r2 s> 127 goto bad\n" OUT BAD, NULL, NULL },
	{ "jset_on_a_cleared_bit",
	  LOOKUP "r1 = *(u32 *)(r0 +0)\nr1 &= 6\nif r1 & 0x1 goto bad\n" OUT BAD, NULL, NULL },
	{ "ne_on_the_edge",
	  LOOKUP "r1 = *(u32 *)(r0 +0)\nif r1 > 3 goto out\nif r1 == 3 goto out\nif r1 > 2 goto bad\n"
	  OUT BAD, NULL, NULL },
	{ "shift_right_bounds",
	  LOOKUP "r1 = *(u64 *)(r0 +0)\nr1 >>= 60\nif r1 > 15 goto bad\n" OUT BAD, NULL, NULL },
	{ "mul_of_bounded_values",
	  LOOKUP "r1 = *(u8 *)(r0 +0)\nr2 = *(u8 *)(r0 +1)\nr1 *= r2\nif r1 > 65025 goto bad\n"
	  OUT BAD, NULL, NULL },
	{ "alu32_result_is_zero_extended",
	  LOOKUP "r1 = *(u64 *)(r0 +0)\nw1 += 1\nif r1 > 0xffffffff goto bad\n" OUT BAD, NULL, NULL },
	/* the kernel's refusals of pointer arithmetic */
	{ "map_pointer_moved", "r1 = map[idx:0]\nr1 += 8\nr0 = 0\nexit\n",
	  "R1 pointer arithmetic on map_ptr prohibited", NULL },
	{ "map_value_multiplied", LOOKUP "r0 *= 2\n" OUT,
	  "R0 pointer arithmetic with *= operator prohibited", NULL },
	{ "map_value_masked", LOOKUP "r0 &= 2\n" OUT, "R0 bitwise operator &= on pointer prohibited", NULL },
	{ "pointer_plus_pointer", LOOKUP "r2 = r10\nr2 += r0\n" OUT, "R2 pointer += pointer prohibited", NULL },
	{ "map_value_in_32_bit_arithmetic", LOOKUP "w0 += 4\n" OUT,
	  "R0 32-bit pointer arithmetic prohibited", NULL },
	{ "scalar_minus_map_value", LOOKUP "r1 = 4\nr1 -= r0\n" OUT,
	  "R1 tried to subtract pointer from scalar", NULL },
	{ "map_value_plus_huge_constant", LOOKUP "r0 += 0x20000000\n" OUT,
	  "math between map_value pointer and 536870912 is not allowed", NULL },
	{ "map_value_plus_far_negative_range",
	  LOOKUP "r1 = *(u32 *)(r0 +0)\nr1 += -0x20000000\nr0 += r1\n" OUT,
	  "value -536870912 makes map_value pointer be out of bounds", NULL },
	{ "map_value_or_null_moved",
	  "r6 = *(u32 *)(r1 +0)\n*(u32 *)(r10 -4) = r6\nr1 = map[idx:0]\nr2 = r10\nr2 += -4\n"
	  "call 1\nr0 += 4\nr0 = 0\nexit\n", "R0 pointer arithmetic on map_value_or_null prohibited, null-check it first", NULL },
	{ "division_by_constant_zero", "r0 = 1\nr0 /= 0\nexit\n", "div by zero", NULL },
	{ "shift_by_the_width", "r0 = 1\nr0 <<= 64\nexit\n", "invalid shift 64", NULL },
	{ "movsx_of_a_pointer", "r1 = (s32)r10\nr0 = 0\nexit\n", NULL, NULL },
	{ "mov32_of_a_pointer", "w1 = w10\nr0 = 0\nexit\n", NULL, NULL },
	{ "neg_of_a_pointer", "r1 = r10\nr1 = -r1\nr0 = 0\nexit\n", NULL, NULL },
	{ "pointers_compared_both_ways", LOOKUP "r1 = r10\nif r0 > r1 goto bad\n" OUT BAD, "R7 !read_ok", NULL },
	{ "stack_pointer_minus_register", "r1 = r10\nr2 = 8\nr1 -= r2\nr0 = 0\nexit\n",
	  "R1 subtraction from stack pointer prohibited", NULL },
	{ "stack_pointer_plus_masked_scalar",
	  "r2 = *(u32 *)(r1 +0)\nr2 &= 7\nr1 = r10\nr1 += -16\nr1 += r2\nr0 = 0\nexit\n", NULL, NULL },
	{ "ctx_plus_unbounded_scalar", "r2 = *(u32 *)(r1 +0)\nr2 <<= 32\nr1 += r2\nr0 = 0\nexit\n",
	  "math between ctx pointer and register with unbounded min value is not allowed", NULL },
	{ "same_register_compared", LOOKUP "r1 = *(u64 *)(r0 +0)\nif r1 > r1 goto bad\n" OUT BAD,
	  "R7 !read_ok", NULL },
	{ "frame_pointer_moved", "r10 += 8\nr0 = 0\nexit\n", "frame pointer is read only", NULL },
	{ "frame_pointer_from_uninitialised", "r10 = r5\nr0 = 0\nexit\n", "R5 !read_ok",
	  "a documented difference: structure.c refuses writes to r10 first" },
	{ "frame_pointer_negated", "r10 = -r10\nr0 = 0\nexit\n", "frame pointer is read only", NULL },
	/* packet pointers moved by a variable: a new pointer, nothing known
	 * below data_end until it is compared again */
	{ "packet_plus_bounded_variable",
	  "r2 = *(u32 *)(r1 +76)\nr3 = *(u32 *)(r1 +80)\nr4 = *(u32 *)(r1 +0)\nr4 &= 0xff\n"
	  "r2 += r4\nr5 = r2\nr5 += 8\nif r5 > r3 goto out\nr0 = *(u8 *)(r2 +7)\n" OUT, NULL, NULL },
	{ "packet_plus_variable_after_the_check",
	  "r2 = *(u32 *)(r1 +76)\nr3 = *(u32 *)(r1 +80)\nr4 = *(u32 *)(r1 +0)\nr4 &= 0xff\n"
	  "r5 = r2\nr5 += 8\nif r5 > r3 goto out\nr2 += r4\nr0 = *(u8 *)(r2 +0)\n" OUT,
	  "R2 offset is outside of the packet",
	  "needs B: packet ranges and access checks" },
	{ "packet_plus_unbounded_variable",
	  "r2 = *(u32 *)(r1 +76)\nr4 = *(u32 *)(r1 +0)\nr4 <<= 32\nr2 += r4\nr0 = 0\nexit\n",
	  "math between pkt pointer and register with unbounded min value is not allowed", NULL },
	{ "map_value_never_null", LOOKUP "if r0 == 0x0 goto bad\n" OUT BAD, NULL, NULL },
	{ "pointer_difference_is_a_scalar", LOOKUP "r1 = r10\nr1 -= r0\n" OUT, NULL, NULL },
};

static char kernel_log[1 << 16];
static int kernel_map_fd = -1;

static int kernel_map(void)
{
	union bpf_attr attr;

	if (kernel_map_fd >= 0)
		return kernel_map_fd;
	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = VALUE_SIZE;
	attr.max_entries = 1;
	kernel_map_fd = (int)syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
	return kernel_map_fd;
}

/* 1 if the kernel accepted, 0 if it refused (reason in buf), -1 if bpf()
 * is not usable. map[idx:0] becomes the kernel map's fd. */
static int kernel_verdict(struct bpf_insn *insns, size_t cnt, char *buf, size_t size)
{
	int fd, map_fd = kernel_map();

	if (map_fd < 0)
		return -1;
	for (size_t i = 0; i < cnt; i++) {
		if (insns[i].code == (BPF_LD | BPF_IMM | BPF_DW) &&
		    insns[i].src_reg == BPF_PSEUDO_MAP_IDX) {
			insns[i].src_reg = BPF_PSEUDO_MAP_FD;
			insns[i].imm = map_fd;
		}
	}
	fd = testlib_kernel_load(BPF_PROG_TYPE_SCHED_CLS, 0, insns, cnt, kernel_log,
				 sizeof(kernel_log));
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	if (errno == EPERM || errno == ENOSYS)
		return -1;
	testlib_kernel_reason(kernel_log, buf, size);
	return 0;
}

/* bpfvm's reason without "<prog>: insn <n>: ", or NULL if it accepted. */
static const char *bpfvm_reason(struct bpfvm *vm, struct bpfvm_map *map,
				const struct bpf_insn *insns, size_t cnt, char *buf, size_t size)
{
	struct bpfvm_prog *prog = prog_alloc(vm, "p", "", insns, cnt);
	const char *msg, *reason;
	int err;

	if (!prog || !(prog->maps = malloc(sizeof(*prog->maps))))
		exit(2);
	prog->progtype = progtype_for(BPF_PROG_TYPE_SCHED_CLS);
	map_get(map);
	prog->maps[0] = map;
	prog->map_cnt = 1;
	err = verifier_check_structure(prog);
	if (!err)
		err = verifier_track_types(prog);
	prog_destroy(prog);
	if (!err)
		return NULL;
	msg = bpfvm_errmsg();
	reason = strstr(msg, ": insn ");
	reason = reason ? strstr(reason + 7, ": ") : NULL;
	snprintf(buf, size, "%s", reason ? reason + 2 : msg);
	return buf;
}

/* bpfvm may say more after the kernel's words. */
static bool same_verdict(const char *want, const char *got)
{
	if (!want || !got)
		return !want && !got;
	return strncmp(want, got, strlen(want)) == 0;
}

int main(void)
{
	struct bpfvm *vm = testlib_vm_create();
	struct bpfvm_map *map = NULL;
	bool kernel_usable = true;
	char kbuf[512], vbuf[1024];

	if (bpfvm_map_create(vm, BPF_MAP_TYPE_ARRAY, "values", 4, VALUE_SIZE, 1, NULL, &map)) {
		fprintf(stderr, "cannot create a map: %s\n", bpfvm_errmsg());
		return 2;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bpf_insn *insns;
		size_t cnt;
		const char *b;
		int k;

		if (bpfvm_asm_parse(cases[i].text, &insns, &cnt)) {
			testlib_check(cases[i].name, false, "assembler: %s", bpfvm_errmsg());
			continue;
		}
		b = bpfvm_reason(vm, map, insns, cnt, vbuf, sizeof(vbuf));
		k = kernel_usable ? kernel_verdict(insns, cnt, kbuf, sizeof(kbuf)) : -1;
		free(insns);
		if (k < 0 && kernel_usable) {
			printf("note: kernel bpf() not usable (%s): recorded verdicts only\n",
			       strerror(errno));
			kernel_usable = false;
		}
		if (k >= 0)
			testlib_check(cases[i].name, same_verdict(cases[i].kernel, k ? NULL : kbuf),
				      "the kernel now says: %s | recorded: %s", k ? "(accepted)" : kbuf,
				      cases[i].kernel ? cases[i].kernel : "(accepted)");
		if (cases[i].waits && !same_verdict(cases[i].kernel, b)) {
			printf("WAIT %s (%s): kernel: %s | bpfvm: %s\n", cases[i].name,
			       cases[i].waits, cases[i].kernel ? cases[i].kernel : "(accepted)",
			       b ? b : "(accepted)");
			continue;
		}
		if (cases[i].waits)
			printf("note: %s now agrees: its wait mark can go\n", cases[i].name);
		testlib_check(cases[i].name, same_verdict(cases[i].kernel, b), "kernel: %s | bpfvm: %s",
			      cases[i].kernel ? cases[i].kernel : "(accepted)", b ? b : "(accepted)");
	}
	bpfvm_map_close(map);
	if (kernel_map_fd >= 0)
		close(kernel_map_fd);
	bpfvm_destroy(vm);
	return testlib_summary();
}
