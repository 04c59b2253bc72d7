/* bpf_tail_call(ctx = r1, map = r2, index = r3) as the kernel's x86 JIT
 * does it (emit_bpf_tail_call_indirect), a jump and never a call:
 *
 *     if (run->tail_call_cnt >= MAX_TAIL_CALL_CNT)     goto out;
 *     if ((u32)index >= array->slot_cnt)               goto out;
 *     prog = array->slots[(u32)index];  (a plain load is an acquire on x86)
 *     if (!prog)                                       goto out;
 *     if (prog->stack_max > r10 - stack_bottom)        goto out;
 *     if (!prog->jit_body)                             goto out;
 *     run->tail_call_cnt++;  run->prog = prog;
 *     goto *prog->jit_body;           (same frame, same r1 and r10)
 *   out:                              (falls through, nothing counted)
 *
 * The count lives in the run state (run_ctx), shared by every frame of the
 * invocation and by the interpreter's checked mode, as SEMANTICS.md wants.
 * The stack test is the interpreter's tail_call_fits(), so that a tail call
 * made from a subprogram is refused by both engines alike; its depth test
 * cannot fail after at most 33 tail calls (asserted below), so it is not
 * made. A target without machine code cannot be in a JIT program's array
 * (the owner rule compares the engines, prog_array.c); the test is a
 * guard. A program taken out of its slot is freed only after a grace
 * period (engine/vcpu.h), so the code jumped to stays mapped for the run. */
#include <stddef.h>

#include "engine/jit_internal.h"
#include "engine/prog.h"
#include "engine/run_ctx.h"
#include "maps/fd_array.h"

_Static_assert(MAX_TAIL_CALL_CNT * (ISA_MAX_CALL_FRAMES - 1) + ISA_MAX_CALL_FRAMES <=
	       INTERP_RUN_FRAMES, "tail_call_fits()'s depth test never fails");

#define RUN_AT(reg, field) x86_at(reg, (int32_t)offsetof(struct run_ctx, field))
#define PROG_AT(reg, field) x86_at(reg, (int32_t)offsetof(struct bpfvm_prog, field))

void jit_emit_tail_call(struct jit_ctx *ctx)
{
	struct jit_buf *buf = &ctx->buf;
	uint32_t out[6];
	unsigned out_cnt = 0;

	x86_load(buf, X86_64, JIT_TMP, JIT_STATE_AT(run));
	x86_alu_mi(buf, X86_CMP, X86_32, RUN_AT(JIT_TMP, tail_call_cnt), MAX_TAIL_CALL_CNT);
	out[out_cnt++] = x86_jcc_rel32(buf, X86_CC_AE);

	x86_load(buf, X86_64, JIT_TMP, x86_at(X86_RSI, (int32_t)offsetof(struct bpfvm_map, private)));
	x86_mov_rr(buf, false, JIT_TMP2, X86_RDX);
	x86_alu_rm(buf, X86_CMP, false, JIT_TMP2,
		   x86_at(JIT_TMP, (int32_t)offsetof(struct fd_array_private, slot_cnt)));
	out[out_cnt++] = x86_jcc_rel32(buf, X86_CC_AE);
	x86_load(buf, X86_64, JIT_TMP, (struct x86_mem){
		.base = JIT_TMP, .index = JIT_TMP2, .scale = 8,
		.disp = (int32_t)offsetof(struct fd_array_private, slots) });
	x86_test_rr(buf, true, JIT_TMP, JIT_TMP);
	out[out_cnt++] = x86_jcc_rel32(buf, X86_CC_E);

	x86_mov_rr(buf, true, JIT_TMP2, X86_RBP);
	x86_alu_rm(buf, X86_SUB, true, JIT_TMP2, JIT_STATE_AT(stack_bottom));
	x86_alu_rm(buf, X86_CMP, false, JIT_TMP2, PROG_AT(JIT_TMP, stack_max));
	out[out_cnt++] = x86_jcc_rel32(buf, X86_CC_B);
	x86_alu_mi(buf, X86_CMP, X86_64, PROG_AT(JIT_TMP, jit_body), 0);
	out[out_cnt++] = x86_jcc_rel32(buf, X86_CC_E);

	x86_load(buf, X86_64, JIT_TMP2, JIT_STATE_AT(run));
	x86_inc_mem(buf, X86_32, RUN_AT(JIT_TMP2, tail_call_cnt));
	x86_store(buf, X86_64, RUN_AT(JIT_TMP2, prog), JIT_TMP);
	x86_load(buf, X86_64, JIT_TMP, PROG_AT(JIT_TMP, jit_body));
	x86_jmp_reg(buf, JIT_TMP);

	for (unsigned i = 0; i < out_cnt; i++)
		jit_patch_rel32(buf, out[i], jit_buf_pos(buf));
}
