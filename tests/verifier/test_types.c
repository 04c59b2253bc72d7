/* The type tracking (verifier/types.c): the context pointer is followed
 * through copies, spills, calls, branches and loops, every access through it
 * is checked by the program type and rewritten, and the kernel's refusals
 * come with its messages.
 *
 * The program type is local: a 24-byte context whose fields rewrite so
 *
 *   UAPI off size  access       runtime off size  kind
 *   0        4     read         16         8      packet start
 *   4        4     read         24         8      packet end
 *   8        1..4  read, write  32         same   scalar
 *   12       4     read         40         4      scalar (read-only)
 *   16       8     read         48         8      kernel object or NULL
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "engine/prog.h"
#include "isa/isa.h"
#include "helpers/helper_proto.h"
#include "progtypes/progtype.h"
#include "../testlib.h"
#include "verifier/structure.h"
#include "verifier/types.h"

static unsigned ctx_access_calls;

static int test_ctx_access(const struct bpfvm_prog *prog, int32_t off, uint32_t size,
			   bool is_write, struct ctx_rewrite *rewrite)
{
	(void)prog;
	ctx_access_calls++;
	if (off == 0 && size == 4 && !is_write) {
		*rewrite = (struct ctx_rewrite){ .off = 16, .size = BPF_DW, .kind = CTX_FIELD_PACKET };
		return 0;
	}
	if (off == 4 && size == 4 && !is_write) {
		*rewrite = (struct ctx_rewrite){ .off = 24, .size = BPF_DW,
						 .kind = CTX_FIELD_PACKET_END };
		return 0;
	}
	if (off >= 8 && off + size <= 12) {
		uint8_t code = size == 1 ? BPF_B : size == 2 ? BPF_H : BPF_W;

		*rewrite = (struct ctx_rewrite){ .off = (int16_t)(32 + off - 8), .size = code };
		return 0;
	}
	if (off == 12 && size == 4 && !is_write) {
		*rewrite = (struct ctx_rewrite){ .off = 40, .size = BPF_W };
		return 0;
	}
	if (off == 16 && size == 8 && !is_write) {
		*rewrite = (struct ctx_rewrite){ .off = 48, .size = BPF_DW,
						 .kind = CTX_FIELD_PTR_OR_NULL };
		return 0;
	}
	vm_error("invalid bpf_context access off=%d size=%u", off, size);
	return -EACCES;
}

static const struct progtype test_type = {
	.type = BPF_PROG_TYPE_SCHED_CLS,
	.name = "test",
	.helper_families = HELPER_FAMILY_ANY,
	.ctx_size = 24,
	.ctx_access = test_ctx_access,
};

static struct bpfvm *vm;

/* Only its id matters here: the structural check wants it registered. */
static uint64_t loop_stand_in(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	return 0;
}
/* When set, verify_text() gives the program this map (as maps[0]). */
static struct bpfvm_map *next_map;

struct verdict {
	int err;
	char message[1024];
	struct types_stats stats;
	struct bpfvm_prog *prog;
};

/* Assembles, checks the structure, tracks types. The caller frees v->prog. */
static void verify_text(const char *test, const char *text, struct verdict *v)
{
	struct bpf_insn *insns = NULL;
	size_t cnt = 0;

	memset(v, 0, sizeof(*v));
	if (bpfvm_asm_parse(text, &insns, &cnt)) {
		testlib_check(test, false, "assembler: %s", bpfvm_errmsg());
		exit(2);
	}
	v->prog = prog_alloc(vm, "test_prog", "", insns, cnt);
	free(insns);
	if (!v->prog)
		exit(2);
	v->prog->progtype = &test_type;
	if (next_map) {
		v->prog->maps = malloc(sizeof(*v->prog->maps));
		if (!v->prog->maps)
			exit(2);
		v->prog->maps[0] = next_map;
		v->prog->map_cnt = 1;
		next_map = NULL;
	}
	v->err = verifier_check_structure(v->prog);
	if (v->err) {
		testlib_check(test, false, "structure: %s", bpfvm_errmsg());
		return;
	}
	ctx_access_calls = 0;
	v->err = verifier_track_types_stats(v->prog, &v->stats);
	snprintf(v->message, sizeof(v->message), "%s", v->err ? bpfvm_errmsg() : "");
}

static void expect_accepted(const char *test, const struct verdict *v)
{
	testlib_check(test, v->err == 0, "refused (%d): %s", v->err, v->message);
}

static void expect_refused(const char *test, const struct verdict *v, int err,
			   const char *message)
{
	testlib_check(test, v->err == err, "error %d, want %d (%s)", v->err, err, v->message);
	testlib_check(test, strcmp(v->message, message) == 0, "message '%s', want '%s'",
		      v->message, message);
}

/* Instruction idx is a load/store of `size` (BPF_B..BPF_DW) at `off`. */
static void expect_insn(const char *test, const struct verdict *v, uint32_t idx, uint8_t size,
			int16_t off)
{
	const struct bpf_insn *insn = &v->prog->insns[idx];

	testlib_check(test, isa_size(insn->code) == size && insn->off == off,
		      "insn %u: size code 0x%x off %d, want 0x%x off %d", idx,
		      isa_size(insn->code), insn->off, size, off);
}

static void release(struct verdict *v)
{
	prog_destroy(v->prog);
	v->prog = NULL;
}

/* ---- what is followed and rewritten ------------------------------------ */

static void ctx_field_loads_are_rewritten_to_the_runtime_layout(void)
{
	const char *test = "ctx_field_loads_are_rewritten_to_the_runtime_layout";
	struct verdict v;

	verify_text(test,
		    "r2 = *(u32 *)(r1 +0)\n"  /* data: becomes a 64-bit load at 16 */
		    "r3 = *(u32 *)(r1 +4)\n"  /* data_end */
		    "r0 = *(u8 *)(r1 +9)\n"   /* narrow load keeps its size */
		    "*(u32 *)(r1 +8) = r0\n"  /* writable field */
		    "*(u16 *)(r1 +10) = 7\n"
		    "exit\n", &v);
	expect_accepted(test, &v);
	expect_insn(test, &v, 0, BPF_DW, 16);
	expect_insn(test, &v, 1, BPF_DW, 24);
	expect_insn(test, &v, 2, BPF_B, 33);
	expect_insn(test, &v, 3, BPF_W, 32);
	expect_insn(test, &v, 4, BPF_H, 34);
	testlib_check(test, v.prog->insns[0].dst_reg == 2 && v.prog->insns[0].src_reg == 1 &&
		      isa_class(v.prog->insns[0].code) == BPF_LDX &&
		      isa_mode(v.prog->insns[0].code) == BPF_MEM, "registers or class changed");
	release(&v);
}

static void ctx_copied_to_other_registers_is_followed(void)
{
	const char *test = "ctx_copied_to_other_registers_is_followed";
	struct verdict v;

	verify_text(test,
		    "r6 = r1\n"
		    "r1 = 0\n"
		    "r7 = r6\n"
		    "r0 = *(u32 *)(r7 +12)\n"
		    "exit\n", &v);
	expect_accepted(test, &v);
	expect_insn(test, &v, 3, BPF_W, 40);
	release(&v);
}

static void ctx_spilled_and_filled_is_followed(void)
{
	const char *test = "ctx_spilled_and_filled_is_followed";
	struct verdict v;

	verify_text(test,
		    "*(u64 *)(r10 -8) = r1\n"
		    "r2 = r10\n"
		    "r2 += -16\n"
		    "*(u64 *)(r2 +0) = r1\n"   /* spilled through a copy of r10 */
		    "r1 = 0\n"
		    "r3 = *(u64 *)(r10 -8)\n"
		    "r0 = *(u32 *)(r3 +12)\n"
		    "r4 = *(u64 *)(r10 -16)\n"
		    "r0 = *(u32 *)(r4 +8)\n"
		    "exit\n", &v);
	expect_accepted(test, &v);
	expect_insn(test, &v, 6, BPF_W, 40);
	expect_insn(test, &v, 8, BPF_W, 32);
	release(&v);

	/* A spill partly overwritten is data: what is filled back is no
	 * pointer (the kernel refuses the access as bpfvm now does). */
	verify_text(test,
		    "*(u64 *)(r10 -8) = r1\n"
		    "r0 = 0\n"
		    "*(u32 *)(r10 -8) = r0\n"   /* overwrites part of the spill: data now */
		    "r5 = *(u64 *)(r10 -8)\n"
		    "r0 = *(u32 *)(r5 +8)\n"    /* not the context any more */
		    "exit\n", &v);
	expect_refused(test, &v, -EACCES, "test_prog: insn 4: R5 invalid mem access 'scalar'");
	expect_insn(test, &v, 4, BPF_W, 8);
	release(&v);
}

static void ctx_passed_to_a_subprogram_is_followed(void)
{
	const char *test = "ctx_passed_to_a_subprogram_is_followed";
	struct verdict v;

	verify_text(test,
		    "r6 = r1\n"
		    "call f\n"
		    "r0 = *(u32 *)(r6 +12)\n"  /* r6 survives the call */
		    "r1 = r6\n"
		    "call g\n"
		    "exit\n"
		    "f:\n"
		    "r0 = *(u32 *)(r1 +8)\n"
		    "exit\n"
		    "g:\n"
		    "*(u64 *)(r10 -8) = r1\n"   /* the callee's own stack */
		    "r2 = *(u64 *)(r10 -8)\n"
		    "r0 = *(u8 *)(r2 +8)\n"
		    "exit\n", &v);
	expect_accepted(test, &v);
	expect_insn(test, &v, 2, BPF_W, 40);
	expect_insn(test, &v, 6, BPF_W, 32);
	expect_insn(test, &v, 10, BPF_B, 32);
	release(&v);
}

static void ctx_stored_in_the_callers_stack_is_followed(void)
{
	const char *test = "ctx_stored_in_the_callers_stack_is_followed";
	struct verdict v;

	verify_text(test,
		    "r2 = r1\n"
		    "r1 = r10\n"
		    "r1 += -8\n"
		    "call f\n"
		    "r3 = *(u64 *)(r10 -8)\n"
		    "r0 = *(u32 *)(r3 +8)\n"
		    "exit\n"
		    "f:\n"
		    "*(u64 *)(r1 +0) = r2\n"  /* ctx into the caller's frame */
		    "r0 = 0\n"
		    "exit\n", &v);
	expect_accepted(test, &v);
	expect_insn(test, &v, 5, BPF_W, 32);
	release(&v);
}

static void ctx_offsets_that_come_back_to_zero_are_allowed(void)
{
	const char *test = "ctx_offsets_that_come_back_to_zero_are_allowed";
	struct verdict v;

	verify_text(test,
		    "r1 += 8\n"
		    "r2 = 4\n"
		    "r1 -= r2\n"
		    "r1 += -4\n"
		    "r0 = *(u32 *)(r1 +8)\n"
		    "exit\n", &v);
	expect_accepted(test, &v);
	expect_insn(test, &v, 4, BPF_W, 32);
	release(&v);
}

static void ctx_is_followed_on_both_arms_of_a_branch(void)
{
	const char *test = "ctx_is_followed_on_both_arms_of_a_branch";
	struct verdict v;

	verify_text(test,
		    "r6 = r1\n"
		    "r2 = *(u32 *)(r1 +8)\n"
		    "if r2 > 5 goto big\n"
		    "r7 = r6\n"
		    "r0 = *(u32 *)(r7 +12)\n"
		    "goto out\n"
		    "big:\n"
		    "*(u64 *)(r10 -8) = r6\n"
		    "r8 = *(u64 *)(r10 -8)\n"
		    "r0 = *(u16 *)(r8 +10)\n"
		    "out:\n"
		    "r3 = *(u32 *)(r6 +8)\n"   /* joined: both arms still hold ctx */
		    "exit\n", &v);
	expect_accepted(test, &v);
	expect_insn(test, &v, 1, BPF_W, 32);
	expect_insn(test, &v, 4, BPF_W, 40);
	expect_insn(test, &v, 8, BPF_H, 34);
	expect_insn(test, &v, 9, BPF_W, 32);
	release(&v);
}

static void ctx_is_followed_inside_loops(void)
{
	const char *test = "ctx_is_followed_inside_loops";
	struct verdict v;

	verify_text(test,
		    "r6 = r1\n"
		    "r7 = 0\n"
		    "r8 = *(u32 *)(r6 +8)\n"    /* an unknown bound */
		    "loop:\n"
		    "r0 = *(u32 *)(r6 +12)\n"
		    "*(u64 *)(r10 -8) = r6\n"
		    "r6 = *(u64 *)(r10 -8)\n"
		    "r7 += 1\n"
		    "if r7 > 20 goto inner\n"  /* bounded: the kernel walks loops */
		    "if r7 < r8 goto loop\n"
		    "inner:\n"
		    "r0 = *(u8 *)(r6 +9)\n"
		    "r7 += 3\n"
		    "if r7 < 1000 goto inner\n"
		    "exit\n", &v);
	expect_accepted(test, &v);
	expect_insn(test, &v, 3, BPF_W, 40);
	expect_insn(test, &v, 9, BPF_B, 33);
	/* loops are walked iteration by iteration, as the kernel does */
	testlib_check(test, v.stats.insns_processed < 30000, "processed %llu insns",
		      (unsigned long long)v.stats.insns_processed);
	release(&v);
}

static void packet_pointers_loaded_from_ctx_are_not_the_context(void)
{
	const char *test = "packet_pointers_loaded_from_ctx_are_not_the_context";
	struct verdict v;

	verify_text(test,
		    "r2 = *(u32 *)(r1 +0)\n"
		    "r3 = *(u32 *)(r1 +4)\n"
		    "r4 = r2\n"
		    "r4 += 14\n"
		    "if r4 > r3 goto out\n"
		    "r0 = *(u8 *)(r2 +12)\n"
		    "out:\n"
		    "r0 = 0\n"
		    "exit\n", &v);
	expect_accepted(test, &v);
	testlib_check(test, ctx_access_calls == 2, "ctx_access called %u times, want 2",
		      ctx_access_calls);
	expect_insn(test, &v, 5, BPF_B, 12);
	release(&v);
}

static void raw_program_types_need_no_tracking(void)
{
	const char *test = "raw_program_types_need_no_tracking";
	static const struct progtype raw = { .name = "raw" };
	struct verdict v;

	verify_text(test, "r0 = *(u32 *)(r1 +200)\nexit\n", &v);
	v.prog->progtype = &raw;
	v.prog->raw_ctx_size = 204; /* raw memory, verified against its size */
	testlib_check(test, verifier_track_types(v.prog) == 0, "refused: %s", bpfvm_errmsg());
	expect_insn(test, &v, 0, BPF_W, 200);
	release(&v);
}

static void ctx_reaches_a_callback_through_the_callers_stack(void)
{
	const char *test = "ctx_reaches_a_callback_through_the_callers_stack";
	struct verdict v;

	verify_text(test,
		    "*(u64 *)(r10 -8) = r1\n"
		    "r1 = 10\n"
		    "r2 = subprog[cb]\n"
		    "r3 = r10\n"
		    "r3 += -8\n"
		    "r4 = 0\n"
		    "call 181\n"             /* bpf_loop(10, cb, &ctx, 0) */
		    "r0 = 0\n"
		    "exit\n"
		    "cb:\n"
		    "r3 = *(u64 *)(r2 +0)\n" /* the context, from the caller's stack */
		    "r0 = *(u32 *)(r3 +12)\n"
		    "r0 = 0\n"
		    "exit\n", &v);
	expect_accepted(test, &v);
	expect_insn(test, &v, 11, BPF_W, 40);
	release(&v);
}

static void null_checks_refine_every_copy_on_both_sides(void)
{
	const char *test = "null_checks_refine_every_copy_on_both_sides";
	struct verdict v;

	verify_text(test,
		    "r2 = *(u64 *)(r1 +16)\n"
		    "r3 = r2\n"
		    "if r2 != 0x0 goto out\n"
		    "r3 += 8\n"              /* NULL side: r3 is the scalar 0 */
		    "out:\n"
		    "r0 = 0\n"
		    "exit\n", &v);
	expect_accepted(test, &v);
	release(&v);

	verify_text(test,
		    "r2 = *(u64 *)(r1 +16)\n"
		    "r3 = r2\n"
		    "r3 += 8\n"
		    "r0 = 0\n"
		    "exit\n", &v);
	expect_refused(test, &v, -EACCES,
		       "test_prog: insn 2: R3 pointer arithmetic on kernel_obj_or_null prohibited, "
		       "null-check it first");
	release(&v);

	verify_text(test,
		    "r2 = *(u64 *)(r1 +16)\n"
		    "r3 = r2\n"
		    "if r2 == 0x0 goto out\n"
		    "r3 += 8\n"              /* not NULL: still no arithmetic on it */
		    "out:\n"
		    "r0 = 0\n"
		    "exit\n", &v);
	expect_refused(test, &v, -EACCES,
		       "test_prog: insn 3: R3 pointer arithmetic on kernel_obj prohibited");
	release(&v);
}

/* An array for direct value access (map[idx:0]+off); lookups of a known
 * key in it cannot fail (6.14+), so lookups use hash_map(). */
static struct bpfvm_map *array_map(void)
{
	struct bpfvm_map *map = NULL;

	if (bpfvm_map_create(vm, BPF_MAP_TYPE_ARRAY, "values", 4, 16, 1, NULL, &map)) {
		fprintf(stderr, "cannot create a map: %s\n", bpfvm_errmsg());
		exit(2);
	}
	return map;
}

static struct bpfvm_map *hash_map(void)
{
	struct bpfvm_map *map = NULL;

	if (bpfvm_map_create(vm, BPF_MAP_TYPE_HASH, "values", 4, 16, 1, NULL, &map)) {
		fprintf(stderr, "cannot create a map: %s\n", bpfvm_errmsg());
		exit(2);
	}
	return map;
}

static void furthest_ctx_access_is_recorded(void)
{
	const char *test = "furthest_ctx_access_is_recorded";
	struct verdict v;

	verify_text(test,
		    "r2 = *(u8 *)(r1 +9)\n"
		    "if r2 == 0x0 goto out\n"
		    "r2 = *(u32 *)(r1 +12)\n"
		    "out:\n"
		    "r0 = 0\n"
		    "exit\n", &v);
	expect_accepted(test, &v);
	testlib_check(test, v.prog->max_ctx_offset == 16, "max_ctx_offset %u, want 16",
		      v.prog->max_ctx_offset);
	release(&v);
}

static void map_lookups_return_values_that_may_be_null(void)
{
	const char *test = "map_lookups_return_values_that_may_be_null";
	struct verdict v;

	next_map = hash_map();
	verify_text(test,
		    "r6 = r1\n"
		    "*(u32 *)(r10 -4) = 0\n"
		    "r1 = map[idx:0]\n"
		    "r2 = r10\n"
		    "r2 += -4\n"
		    "call 1\n"                 /* bpf_map_lookup_elem */
		    "r0 += 4\n"
		    "exit\n", &v);
	expect_refused(test, &v, -EACCES,
		       "test_prog: insn 7: R0 pointer arithmetic on map_value_or_null prohibited, "
		       "null-check it first");
	release(&v);

	next_map = hash_map();
	verify_text(test,
		    "r6 = r1\n"
		    "*(u32 *)(r10 -4) = 0\n"
		    "r1 = map[idx:0]\n"
		    "r2 = r10\n"
		    "r2 += -4\n"
		    "call 1\n"
		    "if r0 == 0x0 goto out\n"
		    "r0 += 4\n"               /* a map value now */
		    "r2 = r6\n"
		    "r4 = *(u32 *)(r6 +0)\n"  /* a non-NULL map value against 0 is decided: */
		    "if r4 == 0x0 goto use\n" /* split on data instead */
		    "r2 = r0\n"
		    "use:\n"
		    "r3 = *(u32 *)(r2 +8)\n"  /* ctx on one path, map value on the other */
		    "out:\n"
		    "r0 = 0\n"
		    "exit\n", &v);
	expect_refused(test, &v, -EINVAL,
		       "test_prog: insn 13: same insn cannot be used with different pointers");
	release(&v);

	/* A map value cannot be NULL any more: `== 0` is never taken (the
	 * kernel's is_branch_taken), so the context never reaches the load. */
	next_map = hash_map();
	verify_text(test,
		    "r6 = r1\n"
		    "*(u32 *)(r10 -4) = 0\n"
		    "r1 = map[idx:0]\n"
		    "r2 = r10\n"
		    "r2 += -4\n"
		    "call 1\n"
		    "if r0 == 0x0 goto out\n"
		    "r2 = r6\n"
		    "if r0 == 0x0 goto use\n"
		    "r2 = r0\n"
		    "use:\n"
		    "r3 = *(u32 *)(r2 +8)\n"
		    "out:\n"
		    "r0 = 0\n"
		    "exit\n", &v);
	expect_accepted(test, &v);
	release(&v);
}

/* ---- what is refused --------------------------------------------------- */

static void ctx_and_map_value_at_one_insn_is_refused(void)
{
	const char *test = "ctx_and_map_value_at_one_insn_is_refused";
	struct verdict v;

	next_map = array_map();
	verify_text(test,
		    "r2 = map[idx:0]+8\n"
		    "r0 = *(u32 *)(r2 +4)\n"  /* a map value: not the context */
		    "if r0 == 0x0 goto use\n"
		    "r2 = r1\n"
		    "use:\n"
		    "r0 = *(u32 *)(r2 +4)\n"
		    "exit\n", &v);
	expect_refused(test, &v, -EINVAL,
		       "test_prog: insn 5: same insn cannot be used with different pointers");
	release(&v);

	next_map = hash_map();
	verify_text(test, "r1 = map[idx:0]\nr1 += 8\nr0 = 0\nexit\n", &v);
	expect_refused(test, &v, -EACCES, "test_prog: insn 2: R1 pointer arithmetic on map_ptr prohibited");
	release(&v);
}

static void ctx_and_stack_pointer_at_one_insn_is_refused(void)
{
	const char *test = "ctx_and_stack_pointer_at_one_insn_is_refused";
	struct verdict v;

	verify_text(test,
		    "r2 = r10\n"
		    "r2 += -16\n"
		    "*(u64 *)(r10 -8) = 0\n"
		    "if r1 == 0x0 goto use\n"
		    "r2 = r1\n"
		    "use:\n"
		    "r0 = *(u32 *)(r2 +8)\n"
		    "exit\n", &v);
	expect_refused(test, &v, -EINVAL,
		       "test_prog: insn 5: same insn cannot be used with different pointers");
	expect_insn(test, &v, 5, BPF_W, 8); /* refused: nothing rewritten */
	release(&v);
}

static void variable_ctx_offset_is_refused(void)
{
	const char *test = "variable_ctx_offset_is_refused";
	struct verdict v;

	verify_text(test,
		    "r2 = *(u32 *)(r1 +8)\n"
		    "r1 += r2\n"
		    "r0 = *(u32 *)(r1 +0)\n"
		    "exit\n", &v);
	expect_refused(test, &v, -EACCES,
		       "test_prog: insn 2: variable ctx access var_off=(0x0; 0xffffffff) disallowed");
	release(&v);
}

static void modified_ctx_pointer_is_refused(void)
{
	const char *test = "modified_ctx_pointer_is_refused";
	struct verdict v;

	verify_text(test,
		    "r1 += 4\n"
		    "r0 = *(u32 *)(r1 +4)\n"
		    "exit\n", &v);
	expect_refused(test, &v, -EACCES,
		       "test_prog: insn 1: dereference of modified ctx ptr R1 off=4 disallowed");
	release(&v);
}

static void access_outside_the_context_is_refused(void)
{
	const char *test = "access_outside_the_context_is_refused";
	struct verdict v;

	verify_text(test,
		    "r6 = r1\n"
		    "r2 = *(u32 *)(r1 +8)\n"
		    "if r2 == 0x0 goto out\n"
		    "r0 = *(u32 *)(r6 +200)\n"
		    "out:\n"
		    "exit\n", &v);
	expect_refused(test, &v, -EACCES,
		       "test_prog: insn 3: invalid bpf_context access off=200 size=4");
	expect_insn(test, &v, 1, BPF_W, 8); /* refused: nothing rewritten */
	release(&v);
}

static void atomic_on_ctx_is_refused(void)
{
	const char *test = "atomic_on_ctx_is_refused";
	struct verdict v;

	verify_text(test,
		    "r0 = 0\n"
		    "lock *(u32 *)(r1 +8) += r0\n"
		    "exit\n", &v);
	expect_refused(test, &v, -EACCES,
		       "test_prog: insn 1: BPF_ATOMIC stores into R1 ctx is not allowed");
	release(&v);
}

static void write_to_a_read_only_field_is_refused(void)
{
	const char *test = "write_to_a_read_only_field_is_refused";
	struct verdict v;

	verify_text(test,
		    "r0 = 0\n"
		    "*(u32 *)(r1 +12) = r0\n"
		    "exit\n", &v);
	expect_refused(test, &v, -EACCES,
		       "test_prog: insn 1: invalid bpf_context access off=12 size=4");
	release(&v);
}

static void registers_clobbered_by_calls_cannot_be_read(void)
{
	const char *test = "registers_clobbered_by_calls_cannot_be_read";
	struct verdict v;

	verify_text(test,
		    "call 5\n"
		    "r0 = *(u32 *)(r1 +8)\n"
		    "exit\n", &v);
	expect_refused(test, &v, -EACCES, "test_prog: insn 1: R1 !read_ok");
	release(&v);

	verify_text(test, "r0 = r2\nexit\n", &v);
	expect_refused(test, &v, -EACCES, "test_prog: insn 0: R2 !read_ok");
	release(&v);
}

/* Linux's prepare_func_exit() copies the callee's R0 to the caller as it is:
 * a void subprogram may exit without setting it (clang emits that for
 * static __noinline void functions); reading it afterwards is refused. */
static void void_subprogram_exits_without_r0(void)
{
	const char *test = "void_subprogram_exits_without_r0";
	struct verdict v;

	verify_text(test,
		    "r6 = r1\n"
		    "call f\n"
		    "r0 = *(u32 *)(r6 +8)\n"
		    "exit\n"
		    "f:\n"
		    "r1 = 1\n"
		    "exit\n", &v);
	expect_accepted(test, &v);
	release(&v);

	verify_text(test,
		    "call f\n"
		    "exit\n"
		    "f:\n"
		    "r1 = 1\n"
		    "exit\n", &v);
	expect_refused(test, &v, -EACCES, "test_prog: insn 1: R0 !read_ok");
	release(&v);
}

static void partial_spill_of_ctx_is_refused(void)
{
	const char *test = "partial_spill_of_ctx_is_refused";
	struct verdict v;

	verify_text(test, "*(u32 *)(r10 -8) = r1\nr0 = 0\nexit\n", &v);
	expect_refused(test, &v, -EACCES, "test_prog: insn 0: invalid size of register spill");
	release(&v);
	verify_text(test, "*(u64 *)(r10 -8) = r1\nr0 = *(u32 *)(r10 -8)\nexit\n", &v);
	expect_refused(test, &v, -EACCES, "test_prog: insn 1: invalid size of register fill");
	release(&v);
}

static void forbidden_pointer_arithmetic_is_refused(void)
{
	const char *test = "forbidden_pointer_arithmetic_is_refused";
	struct verdict v;

	verify_text(test, "r1 *= 2\nr0 = 0\nexit\n", &v);
	expect_refused(test, &v, -EACCES,
		       "test_prog: insn 0: R1 pointer arithmetic with *= operator prohibited");
	release(&v);
	verify_text(test, "r2 = r10\nr2 += r1\nr0 = 0\nexit\n", &v);
	expect_refused(test, &v, -EACCES, "test_prog: insn 1: R2 pointer += pointer prohibited");
	release(&v);
	verify_text(test, "w1 += 4\nr0 = 0\nexit\n", &v);
	expect_refused(test, &v, -EACCES, "test_prog: insn 0: R1 32-bit pointer arithmetic prohibited");
	release(&v);
}

/* ---- cost ---------------------------------------------------------------- */

/* Appends printf-style text to a growing buffer. */
static void append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
		va_end(ap);
		if ((size_t)n < *cap - *len)
			break;
		*cap *= 2;
		*buf = realloc(*buf, *cap);
		if (!*buf)
			exit(2);
	}
	*len += (size_t)n;
}

/* 125 diamonds, each setting one of r3..r5 to a different constant on each
 * arm and loading a context field: 2^125 paths, about 1000 instructions. */
static void thousand_insn_branchy_program_is_verified_quickly(void)
{
	const char *test = "thousand_insn_branchy_program_is_verified_quickly";
	size_t len = 0, cap = 4096;
	char *text = malloc(cap);
	struct verdict v;

	if (!text)
		exit(2);
	text[0] = 0;
	append(&text, &len, &cap, "r6 = r1\nr3 = 0\nr4 = 0\nr5 = 0\n");
	for (int i = 0; i < 125; i++) {
		int reg = 3 + i % 3;

		append(&text, &len, &cap,
		       "r2 = *(u32 *)(r6 +8)\n"
		       "r2 &= %d\n"
		       "if r2 > %d goto a%d\n"
		       "r%d = %d\n"
		       "r0 = *(u32 *)(r6 +12)\n"
		       "goto b%d\n"
		       "a%d:\n"
		       "r%d = %d\n"
		       "*(u64 *)(r10 -%d) = r6\n"
		       "b%d:\n",
		       i + 1, i / 2, i, reg, i, i, i, reg, -i, 8 * (1 + i % 8), i);
	}
	append(&text, &len, &cap, "r0 = r3\nr0 += r4\nr0 += r5\nexit\n");
	verify_text(test, text, &v);
	free(text);
	expect_accepted(test, &v);
	testlib_check(test, v.prog->insn_cnt > 900, "only %u insns", v.prog->insn_cnt);
	testlib_check(test, v.stats.insns_processed < 300000,
		      "processed %llu insns, stored %llu states",
		      (unsigned long long)v.stats.insns_processed,
		      (unsigned long long)v.stats.states_stored);
	expect_insn(test, &v, 4, BPF_W, 32);
	expect_insn(test, &v, 8, BPF_W, 40);
	printf("branchy: %u insns, processed %llu, states %llu, pruned %llu\n", v.prog->insn_cnt,
	       (unsigned long long)v.stats.insns_processed,
	       (unsigned long long)v.stats.states_stored,
	       (unsigned long long)v.stats.states_pruned);
	release(&v);
}

/* Nested loops with constant and unknown bounds, pointers moving in them. */
static void loop_heavy_program_is_verified_quickly(void)
{
	const char *test = "loop_heavy_program_is_verified_quickly";
	struct verdict v;

	verify_text(test,
		    "r6 = r1\n"
		    "r9 = *(u32 *)(r6 +8)\n"
		    "r7 = 0\n"
		    "outer:\n"
		    "r8 = 0\n"
		    "r2 = r10\n"
		    "r2 += -64\n"
		    "inner:\n"
		    "*(u64 *)(r10 -16) = r8\n" /* r2: a stack pointer walking up */
		    "r0 = *(u32 *)(r6 +12)\n"
		    "r2 += 8\n"
		    "r8 += 1\n"
		    "if r8 < 7 goto inner\n"
		    "r3 = *(u32 *)(r6 +0)\n"
		    "w4 = 0\n"
		    "scan:\n"
		    "r3 += 1\n"             /* a packet pointer walking up */
		    "w4 += 1\n"
		    "if w4 > 20 goto next\n" /* bounded: the kernel walks loops */
		    "if w4 < w9 goto scan\n"
		    "next:\n"
		    "r7 += 1\n"
		    "if r7 < 300 goto outer\n"
		    "r0 = *(u32 *)(r6 +8)\n"
		    "exit\n", &v);
	expect_accepted(test, &v);
	expect_insn(test, &v, 7, BPF_W, 40);
	expect_insn(test, &v, 11, BPF_DW, 16);
	expect_insn(test, &v, 19, BPF_W, 32);
	testlib_check(test, v.stats.insns_processed < 1000000,
		      "processed %llu insns", (unsigned long long)v.stats.insns_processed);
	printf("loops: processed %llu, states %llu, pruned %llu\n",
	       (unsigned long long)v.stats.insns_processed,
	       (unsigned long long)v.stats.states_stored,
	       (unsigned long long)v.stats.states_pruned);
	release(&v);
}

int main(void)
{
	vm = testlib_vm_create();
	if (bpfvm_helper_register(vm, BPF_FUNC_loop, "loop", loop_stand_in))
		return 2;
	ctx_field_loads_are_rewritten_to_the_runtime_layout();
	ctx_copied_to_other_registers_is_followed();
	ctx_spilled_and_filled_is_followed();
	ctx_passed_to_a_subprogram_is_followed();
	ctx_stored_in_the_callers_stack_is_followed();
	ctx_offsets_that_come_back_to_zero_are_allowed();
	ctx_is_followed_on_both_arms_of_a_branch();
	ctx_is_followed_inside_loops();
	packet_pointers_loaded_from_ctx_are_not_the_context();
	raw_program_types_need_no_tracking();
	ctx_reaches_a_callback_through_the_callers_stack();
	null_checks_refine_every_copy_on_both_sides();
	ctx_and_map_value_at_one_insn_is_refused();
	furthest_ctx_access_is_recorded();
	map_lookups_return_values_that_may_be_null();
	ctx_and_stack_pointer_at_one_insn_is_refused();
	variable_ctx_offset_is_refused();
	modified_ctx_pointer_is_refused();
	access_outside_the_context_is_refused();
	atomic_on_ctx_is_refused();
	write_to_a_read_only_field_is_refused();
	registers_clobbered_by_calls_cannot_be_read();
	void_subprogram_exits_without_r0();
	partial_spill_of_ctx_is_refused();
	forbidden_pointer_arithmetic_is_refused();
	thousand_insn_branchy_program_is_verified_quickly();
	loop_heavy_program_is_verified_quickly();
	bpfvm_destroy(vm);
	return testlib_summary();
}
