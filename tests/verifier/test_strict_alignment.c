/* BPF_F_STRICT_ALIGNMENT: the kernel's check_ptr_alignment with strict set,
 * as on an architecture without efficient unaligned access. Every access of
 * more than a byte must be aligned to its size: packets as if their data
 * started 2 bytes into an aligned buffer (NET_IP_ALIGN), the variable part
 * of an offset through its tnum; the context and map values by their
 * offset. Without the flag (x86's default) the same programs load. Each
 * case is also loaded into the running kernel when bpf() is usable. */
#include <errno.h>
#include <stdio.h>

#include "../testlib.h"
#include "verdict_kernel.h"

#define STRICT .prog_flags = BPF_F_STRICT_ALIGNMENT
#define XDP .type = BPF_PROG_TYPE_XDP
#define ARRAY_16 VERDICT_MAP(BPF_MAP_TYPE_ARRAY, 4, 16, 1)
/* r2 = data, r3 = data_end, 16 bytes checked (else return). */
#define PKT_16 "r2 = *(u32 *)(r1 +0)\nr3 = *(u32 *)(r1 +4)\nr4 = r2\nr4 += 16\n" \
	       "if r4 > r3 goto out\n"
#define OUT "out:\nr0 = 0\nexit\n"
/* r0 = the value of element 0 of map 0, or return. */
#define VALUE "*(u32 *)(r10 -4) = 0\nr2 = r10\nr2 += -4\nr1 = map[idx:0]\ncall 1\n" \
	      "if r0 == 0 goto out\n"

static const struct verdict_case cases[] = {
	/* Packets: offset 0 is 2 bytes past an aligned address. */
	{ "packet_word_at_data_is_misaligned", XDP, STRICT,
	  .text = PKT_16 "r0 = *(u32 *)(r2 +0)\n" OUT,
	  .reason = "misaligned packet access off 2+0+0+0 size 4" },
	{ "packet_word_at_data_loads_without_the_flag", XDP,
	  .text = PKT_16 "r0 = *(u32 *)(r2 +0)\n" OUT },
	{ "packet_word_at_offset_2_is_aligned", XDP, STRICT,
	  .text = PKT_16 "r0 = *(u32 *)(r2 +2)\nr0 = *(u16 *)(r2 +12)\n"
		  "r0 = *(u64 *)(r2 +6)\n" OUT },
	{ "packet_bytes_anywhere", XDP, STRICT,
	  .text = PKT_16 "r0 = *(u8 *)(r2 +3)\nr0 = *(u8 *)(r2 +0)\n" OUT },
	{ "packet_word_at_offset_12_is_misaligned", XDP, STRICT,
	  .text = PKT_16 "r0 = *(u32 *)(r2 +12)\n" OUT,
	  .reason = "misaligned packet access off 2+0+0+12 size 4" },
	{ "packet_pointer_moved_by_a_constant", XDP, STRICT,
	  .text = PKT_16 "r2 += 3\nr0 = *(u16 *)(r2 +0)\n" OUT,
	  .reason = "misaligned packet access off 2+0+3+0 size 2" },
	{ "packet_store_misaligned", XDP, STRICT,
	  .text = PKT_16 "*(u16 *)(r2 +1) = 0\n" OUT,
	  .reason = "misaligned packet access off 2+0+0+1 size 2" },
	/* A variable offset: its unknown bits must not reach the size's. */
	{ "packet_variable_offset_multiple_of_4", XDP, STRICT,
	  .text = PKT_16 "r5 = *(u8 *)(r2 +0)\nr5 &= 4\nr2 += r5\nr4 = r2\nr4 += 8\n"
		  "if r4 > r3 goto out\nr0 = *(u32 *)(r2 +2)\n" OUT },
	{ "packet_variable_offset_multiple_of_2_for_a_word", XDP, STRICT,
	  .text = PKT_16 "r5 = *(u8 *)(r2 +0)\nr5 &= 6\nr2 += r5\nr4 = r2\nr4 += 8\n"
		  "if r4 > r3 goto out\nr0 = *(u32 *)(r2 +2)\n" OUT,
	  .reason = "misaligned packet access off 2+(0x0; 0x6)+0+2 size 4" },
	/* Map values and the context: by their offset alone. */
	{ "value_word_at_offset_4", STRICT, .maps = { ARRAY_16 },
	  .text = VALUE "r1 = *(u32 *)(r0 +4)\n*(u32 *)(r0 +12) = r1\n" OUT },
	{ "value_double_word_at_offset_4", STRICT, .maps = { ARRAY_16 },
	  .text = VALUE "r1 = *(u64 *)(r0 +4)\n" OUT,
	  .reason = "misaligned value access off 0+0+4 size 8" },
	{ "value_pointer_moved_then_read", STRICT, .maps = { ARRAY_16 },
	  .text = VALUE "r0 += 2\nr1 = *(u32 *)(r0 +0)\n" OUT,
	  .reason = "misaligned value access off 0+2+0 size 4" },
	{ "value_double_word_at_offset_4_without_the_flag", .maps = { ARRAY_16 },
	  .text = VALUE "r1 = *(u64 *)(r0 +4)\n" OUT },
	{ "value_variable_offset", STRICT, .maps = { ARRAY_16 },
	  .text = VALUE "r1 = *(u32 *)(r0 +0)\nr1 &= 4\nr0 += r1\nr1 = *(u64 *)(r0 +0)\n" OUT,
	  .reason = "misaligned value access off (0x0; 0x4)+0+0 size 8" },
	/* The context: alignment comes before the field's own check. */
	{ "context_half_of_a_field_misaligned", STRICT,
	  .text = "r0 = *(u32 *)(r1 +2)\nr0 = 0\nexit\n",
	  .reason = "misaligned context access off 0+0+2 size 4" },
	{ "context_half_of_a_field_without_the_flag",
	  .text = "r0 = *(u32 *)(r1 +2)\nr0 = 0\nexit\n",
	  .reason = "invalid bpf_context access off=2 size=4" },
	{ "context_fields_aligned", STRICT,
	  .text = "r0 = *(u32 *)(r1 +0)\nr0 = *(u16 *)(r1 +2)\nr0 = *(u8 *)(r1 +1)\nr0 = 0\n"
		  "exit\n" },
	/* BPF_F_ANY_ALIGNMENT overrides it. */
	{ "any_alignment_wins", XDP, .prog_flags = BPF_F_STRICT_ALIGNMENT | BPF_F_ANY_ALIGNMENT,
	  .text = PKT_16 "r0 = *(u32 *)(r2 +0)\n" OUT },
};

/* The API: the flags are settable before a load and only known ones. */
static void test_api(struct bpfvm *vm)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpfvm_prog_opts opts = { .sz = sizeof(opts) };
	struct bpfvm_prog *prog = NULL;

	testlib_check("api_raw_load", bpfvm_prog_load_raw(vm, insns, 2, &opts, &prog) == 0,
		      "%s", bpfvm_errmsg());
	if (!prog)
		return;
	testlib_check("api_refused_after_load",
		      bpfvm_prog_set_flags(prog, BPF_F_STRICT_ALIGNMENT) == -EBUSY, "not -EBUSY");
	testlib_check("api_flags_kept", bpfvm_prog_flags(prog) == 0, "flags changed");
	bpfvm_prog_free(prog);
}

/* Before an object's load: known flags only, sleepable only where the
 * kernel lets a program sleep. */
static void test_object_api(struct bpfvm *vm, const char *path)
{
	struct bpfvm_object *obj = NULL;
	struct bpfvm_prog *prog;

	if (bpfvm_object_open(vm, path, NULL, &obj)) {
		testlib_check("api_object_open", false, "%s", bpfvm_errmsg());
		return;
	}
	prog = bpfvm_object_prog(obj, 0);
	testlib_check("api_strict_set", bpfvm_prog_set_flags(prog, BPF_F_STRICT_ALIGNMENT) == 0 &&
		      bpfvm_prog_flags(prog) == BPF_F_STRICT_ALIGNMENT, "%s", bpfvm_errmsg());
	testlib_check("api_unknown_flag", bpfvm_prog_set_flags(prog, 1u << 20) == -EINVAL &&
		      bpfvm_prog_flags(prog) == BPF_F_STRICT_ALIGNMENT, "accepted");
	testlib_check("api_xdp_cannot_sleep", bpfvm_prog_set_flags(prog, BPF_F_SLEEPABLE) == -EINVAL,
		      "accepted");
	bpfvm_object_close(obj);
}

int main(int argc, char **argv)
{
	struct bpfvm *vm = testlib_vm_create();

	verdict_run_cases(vm, cases, sizeof(cases) / sizeof(cases[0]));
	test_api(vm);
	if (argc > 1)
		test_object_api(vm, argv[1]);
	else
		testlib_check("api_object", false, "usage: test_strict_alignment OBJECT");
	bpfvm_destroy(vm);
	return testlib_summary();
}
