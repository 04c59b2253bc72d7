/* What the JIT's emitters share: the register mapping, the run state that
 * the code reaches through R12, and the compilation context.
 *
 * Registers (the kernel's mapping, arch/x86/net/bpf_jit_comp.c, so that
 * r1..r5 are already the SysV argument registers at a helper call and r0 is
 * its return register):
 *
 *     BPF  r0  r1  r2  r3  r4  r5  r6  r7  r8  r9  r10
 *     x86  rax rdi rsi rdx rcx r8  rbx r13 r14 r15 rbp
 *
 *     r9   the instruction budget (bpfvm.h: insn_budget), charged at loop
 *          heads and by local calls, times 64, plus the tail calls still
 *          allowed (JIT_TAIL_BITS below); saved in the run state around C
 *          calls
 *     r10, r11  scratch
 *     r12  the run state (struct jit_state), callee-saved so helpers keep it
 *
 * r10 (rbp) points into the run's BPF stack (run.c allocates it, as for the
 * interpreter), not into the native stack: BPF frames are laid out exactly
 * as the interpreter lays them out, so r10 values, stack contents and the
 * tail-call stack rule (tail_call_fits) agree bit for bit.
 *
 * Native stack (grows down), one uniform frame per BPF function:
 *
 *     jit_execute (C)
 *     +-------------------------+
 *     | return into jit_execute |
 *     | rbx rbp r12 r13 r14 r15 |  entry stub; state->saved_rsp points here
 *     | return into entry stub  |  <- main program's frame: rsp % 16 == 0
 *     +-------------------------+     after this return address is pushed
 *     | r6 r7 r8 r9 r10 (BPF)   |  a local call's caller pushes its
 *     | return into the caller  |  callee-saved registers and r10
 *     +-------------------------+
 *     | ...                     |
 *
 * Every function returns with a plain `ret`, whoever entered it. A tail call
 * is a `jmp` to the target's first instruction with the frame left as it
 * is: the target's exit returns to whoever called the frame that made the
 * call, as SEMANTICS.md wants. Errors (budget exhausted, callx to an unknown
 * helper) restore rsp from the run state and return to jit_execute through
 * the entry stub's epilogue. */
#ifndef BPFVM_ENGINE_JIT_INTERNAL_H
#define BPFVM_ENGINE_JIT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "engine/interp.h"
#include "engine/jit.h"
#include "engine/jit_x86.h"
#include "engine/prog.h"

#define JIT_BUDGET X86_R9
#define JIT_TMP X86_R10
#define JIT_TMP2 X86_R11
#define JIT_STATE X86_R12

extern const uint8_t jit_reg[11];

/* The run state, at R12 while code runs. */
struct jit_state {
	const void *entry;	      /* the function the entry stub calls */
	int64_t budget;		      /* R9 while code runs: budget * 64 + tail calls left */
	uint64_t stack_top;	      /* r10 of the entry frame */
	uint64_t stack_bottom;	      /* lowest byte of the run's stack */
	struct run_ctx *run;	      /* tail-call count, running program */
	struct interp_run *interp_run; /* legacy packet loads */
	uint64_t saved_rsp;	      /* the entry stub's, for error exits */
	int32_t error;		      /* -errno set by an error exit */
	uint32_t error_insn;	      /* the instruction that failed */
	uint64_t error_value;	      /* callx: the id */
	uint32_t error_reg;	      /* callx: the register */
	uint32_t cpu;		      /* run->cpu, constant along a chain: one load
				       * for the inline helpers (jit_inline.c) */
	uint64_t args[5];	      /* r1..r5 */
};

#define JIT_STATE_AT(field) x86_at(JIT_STATE, (int32_t)offsetof(struct jit_state, field))
/* A field of the run context (engine/run_ctx.h) `reg` points to. */
#define RUN_AT(reg, field) x86_at(reg, (int32_t)offsetof(struct run_ctx, field))

/* R9 (and jit_state.budget) holds the budget and the tail calls this run may
 * still make: budget * 64 + remaining (0..33). A charge subtracts cost * 64,
 * so the sign still says "exhausted" exactly when the budget is; a tail call
 * tests the low bits and decrements them, in a register: a hop does not
 * wait for the previous hop's store of a count in memory (jit_tail_call.c).
 * jit_execute converts from and to run->budget and run_ctx.tail_call_cnt. */
#define JIT_TAIL_BITS 6
#define JIT_TAIL_MASK ((1 << JIT_TAIL_BITS) - 1)
#define JIT_BUDGET_MAX (INT64_MAX >> JIT_TAIL_BITS)
_Static_assert(MAX_TAIL_CALL_CNT <= JIT_TAIL_MASK, "the remaining tail calls fit the low bits");

/* Code that the compiler emits after the body (cold paths), jumped to from
 * a rel32 at `at`. */
enum jit_stub_kind {
	JIT_STUB_BUDGET,  /* budget exhausted at `insn` */
	JIT_STUB_CALLX,	  /* callx `insn` through register `reg` found no helper */
};

struct jit_stub {
	uint32_t at;
	uint32_t insn;
	uint8_t kind;
	uint8_t reg;
};

/* A rel32 (or, for a jump jit_relax.c made short, a rel8) at `at` that
 * must reach instruction `insn`. */
struct jit_fixup {
	uint32_t at;
	uint32_t insn;
	bool rel8;
};

/* What the compiler knows of an instruction before compiling it. */
enum jit_insn_flags {
	JIT_LOOP_HEAD = 1,   /* the target of a backward jump: its code starts
			      * with the loop's charge (jit_compile.c) */
	JIT_JUMP_TARGET = 2, /* reached from elsewhere than the instruction before:
			      * a jump's target or a function's start */
	JIT_INNER_PAD = 4,   /* its code aligns something inside it (a poke site) */
	JIT_SHORT_JUMP = 8,  /* its forward jump is a rel8 (jit_relax.c) */
};

struct jit_ctx {
	const struct bpfvm_prog *prog;
	const struct interp_code *decoded; /* operands as the interpreter has them */
	struct jit_buf buf;
	uint32_t *addrs;		   /* code offset of each instruction */
	uint8_t *flags;			   /* enum jit_insn_flags of each instruction */
	uint16_t *ops;			   /* enum interp_op of each (decoded once) */
	uint8_t *pads;			   /* alignment bytes in front of each instruction */
	uint8_t *savings;		   /* bytes its forward jump saves as a rel8, or 0 */
	uint32_t *sums;			   /* jit_relax.c's prefix sums (insn_cnt + 1) */
	uint32_t body_end;		   /* where the last instruction's code ends */
	int32_t *loop_costs;		   /* a loop head's budget cost, 0 elsewhere */
	struct jit_fixup *fixups;
	uint32_t fixup_cnt;
	struct jit_stub *stubs;
	uint32_t stub_cnt;
	struct jit_poke *pokes;		   /* constant-key tail calls */
	uint32_t poke_cnt;
	uint32_t tail_entry;		   /* offset of jit_emit_tail_entry's landing */
	uint32_t idx;			   /* the instruction being compiled */
};

/* The instruction being compiled, raw and decoded. Immediates are read
 * from the raw instruction: the decoder may have fused a constant-key tail
 * call's `r3 = K` or `r2 = map` into its first entry (interp_decode.c),
 * whose operands then describe the fused operation. The decoded form is
 * used for what only it has: lddw values (a fused lddw keeps its value),
 * helper functions, jump and call targets, budget costs, frame sizes. */
static inline const struct bpf_insn *jit_insn(const struct jit_ctx *ctx)
{
	return &ctx->prog->insns[ctx->idx];
}

static inline const struct interp_insn *jit_decoded(const struct jit_ctx *ctx)
{
	return &ctx->decoded->insns[ctx->idx];
}

static inline int jit_dst(const struct jit_ctx *ctx)
{
	return jit_reg[jit_insn(ctx)->dst_reg];
}

static inline int jit_src(const struct jit_ctx *ctx)
{
	return jit_reg[jit_insn(ctx)->src_reg];
}

/* The index of a decoded jump or call target. */
static inline uint32_t jit_target_index(const struct jit_ctx *ctx, const struct interp_insn *target)
{
	return (uint32_t)(target - ctx->decoded->insns);
}

/* Shared by the emitters (jit_compile.c). */
void jit_rel32_to_insn(struct jit_ctx *ctx, uint32_t at, uint32_t insn);
void jit_rel8_to_insn(struct jit_ctx *ctx, uint32_t at, uint32_t insn);
void jit_rel32_to_stub(struct jit_ctx *ctx, uint32_t at, enum jit_stub_kind kind, uint8_t reg);
/* Subtracts `cost` from the budget; on exhaustion leaves with -ETIME,
 * naming the instruction being compiled. */
void jit_emit_charge(struct jit_ctx *ctx, int64_t cost);
/* Bytes from a loop head's address to its charge, where its back edges go
 * (jit_compile.c: the `jmp` over the charge that other entries take). */
#define JIT_LOOP_CHARGE_AT 2
/* sub r9, cost (scaled as JIT_TAIL_BITS says); the flags are the result's. */
void jit_emit_budget_sub(struct jit_buf *buf, int64_t cost);
/* Calls C function `fn` (a rel32 call when it is in reach). */
void jit_emit_call_abs(struct jit_ctx *ctx, const void *fn);
/* The same, with the budget register kept in the run state across it: a
 * helper call, with r1..r5 as arguments and r0 the result (jit_call.c). */
void jit_emit_c_call(struct jit_ctx *ctx, const void *fn);

/* One emitter per family, each for the ops of its family (enum interp_op). */
void jit_emit_alu(struct jit_ctx *ctx, enum interp_op op);
void jit_emit_memory(struct jit_ctx *ctx, enum interp_op op);
void jit_emit_jump(struct jit_ctx *ctx, enum interp_op op);
void jit_emit_call(struct jit_ctx *ctx, enum interp_op op);
void jit_emit_tail_call(struct jit_ctx *ctx);
/* A helper call compiled inline (jit_inline.c); false: call it. */
bool jit_emit_inline_helper(struct jit_ctx *ctx);

/* The compiler proper (jit_compile.c), without the code memory: emits
 * prog's code into buf, which must hold jit_code_bound(prog) bytes and
 * whose run_delta says where the code will run (helper calls are relative
 * to it). Fills `out`'s offsets (body, tail entry), and, when `out` is not
 * NULL, hands over the arrays of each instruction's offset and of the
 * constant-key tail-call sites (freed by jit_free). 0 or -ENOMEM. */
struct jit_emitted {
	uint32_t body;
	uint32_t tail_entry;
	uint32_t *insn_offsets;
	struct jit_poke *pokes;
	uint32_t poke_cnt;
};
size_t jit_code_bound(const struct bpfvm_prog *prog);
int jit_emit(const struct bpfvm_prog *prog, struct jit_buf *buf, struct jit_emitted *out);

/* After a pass that emitted every forward jump as a rel32: marks
 * JIT_SHORT_JUMP on each forward jump that is sure to reach its target with
 * a rel8 in the next pass, until no more can be (jit_relax.c). True when
 * one was marked: the code must be emitted again. */
bool jit_relax(struct jit_ctx *ctx);

/* Code memory (jit_code_mem.c): `size` bytes of a pack, near the library's
 * code (so that helper calls can be rel32). 0, or -ENOMEM with a message. */
int jit_mem_alloc(size_t size, struct jit_mem *mem);
/* Gives back what lies beyond the first `used` bytes. */
void jit_mem_trim(struct jit_mem *mem, size_t used);
/* Gives the whole piece back; a zeroed mem is allowed. */
void jit_mem_free(struct jit_mem *mem);

/* A constant-key tail call's site (jit_poke.c). */
struct jit_poke {
	const struct bpfvm_map *array;
	uint32_t key;
	uint32_t site;	/* offset of its 5-byte jump, 8-byte aligned */
	uint32_t out;	/* offset of the fall-through */
};

/* What a site holds until it is patched (the recommended 5-byte NOP). */
extern const uint8_t jit_nop5[5];

/* Starts keeping code's sites at what their slots hold (patching them
 * now); 0 or -ENOMEM. */
int jit_poke_track(struct jit_code *code);
/* Stops: before the code is freed. */
void jit_poke_untrack(struct jit_code *code);
/* The landing of constant-key tail calls in front of the body: the target's
 * stack test (failing to r11, the site's out), the count, run->prog. */
void jit_emit_tail_entry(struct jit_ctx *ctx);

/* The legacy packet load (ld_abs / ld_ind) that code calls: the value, or
 * JIT_PACKET_OUT_OF_RANGE. */
#define JIT_PACKET_OUT_OF_RANGE UINT64_MAX
uint64_t jit_packet_load(const struct jit_state *state, uint64_t offset, uint64_t size);

#endif
