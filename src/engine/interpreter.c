/* The interpreter loop, and nothing else.
 *
 * Threaded dispatch: every decoded instruction carries the address of its
 * handler label, and each handler ends by jumping straight to the next one
 * (`goto *pc->label`), so the branch predictor sees one indirect jump per
 * handler instead of one shared switch. Handlers do no per-instruction
 * bookkeeping: the only counter is the instruction budget, charged when a jump
 * goes backwards (interp_decode.c sets the cost).
 *
 * Frames of local calls:
 *
 *     stack_top (r10 of frame 0) ─►  +------------------+
 *                                    | frame 0 (depth0) |
 *     r10 of frame 1 ─────────────►  +------------------+
 *                                    | frame 1 (depth1) |
 *                                    +------------------+  ...
 *
 * A call saves r6..r9, r10 and the return address in `frames[]` and moves r10
 * down by the caller's frame size; exit restores them. The structural check
 * guarantees at most ISA_MAX_CALL_FRAMES frames per program, so no depth check
 * is needed here; a tail call checks that its target's chains fit.
 *
 * A tail call switches `code` and `pc` to the target's and keeps the frame:
 * the target's exit returns to whoever called the frame that made it.
 */
#include <errno.h>
#include <string.h>

#include "core/error.h"
#include "engine/interp.h"
#include "engine/interp_ops.h"
#include "engine/prog.h"
#include "engine/run_ctx.h"
#include "maps/prog_array.h"
#include "isa/isa.h"

struct interp_frame {
	const struct interp_insn *return_to;
	uint64_t saved[5]; /* r6..r9, r10 */
};

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "the LE/BE handlers assume a little-endian host");

static const void *const *interp_label_table;

/* A TAIL_CALL_MAP's inline cache: the entry after it (an lddw's unused
 * second half, interp.h). The only word of decoded code written after
 * decoding. */
static struct bpfvm_prog *_Atomic *tail_call_cache(const struct interp_insn *pc)
{
	return (struct bpfvm_prog *_Atomic *)(uintptr_t)&pc[1].fused;
}

#define LABEL_ADDRESS(name) &&op_##name,
#define NEXT() goto *(++pc)->label
/* A successful tail call: the target's first instruction, in this frame.
 * Its label comes from the program (one load after the slot's), not from
 * its code. */
#define TAIL_CALL_ENTER(target)                      \
	do {                                         \
		run->run->tail_call_cnt++;           \
		run->run->prog = (target);           \
		code = (target)->interp;             \
		pc = code->insns;                    \
		goto *(target)->interp_entry_label;  \
	} while (0)
/* rA = imm ll; rB = *(size *)(rA + off) (interp.h: fused entries) */
#define LDDW_LDX(size, load)                                  \
	op_LDDW_LDX_##size:                                   \
		DST = IMM;                                    \
		SRC = load(IMM + (int64_t)pc->off);           \
		pc += 3;                                      \
		goto *pc->label;
#define DST reg[pc->dst]
#define SRC reg[pc->src]
#define IMM ((uint64_t)pc->imm)
#define DST32 ((uint32_t)reg[pc->dst])
#define SRC32 ((uint32_t)reg[pc->src])
#define IMM32 ((uint32_t)pc->imm)
#define ADDR_DST (DST + (int64_t)pc->off)
#define ADDR_SRC (SRC + (int64_t)pc->off)
/* A taken jump: charge its budget cost (non-zero only backwards), go. A
 * run that the charge stops is stopped at the target, the loop's head,
 * where the JIT charges it (interp_decode.c). */
#define JUMP_IF(cond)                                              \
	do {                                                       \
		if (cond) {                                        \
			budget -= pc->off;                         \
			pc = pc->target;                           \
			if (__builtin_expect(budget < 0, 0))       \
				goto budget_exhausted;             \
			goto *pc->label;                           \
		}                                                  \
		NEXT();                                            \
	} while (0)

#define ALU(name, expr) op_##name: expr; NEXT();
#define JMP_PAIR(name, cmp, cast, operand_k, operand_x) \
	op_##name##_K: JUMP_IF((cast)DST cmp (cast)(operand_k)); \
	op_##name##_X: JUMP_IF((cast)DST cmp (cast)(operand_x));
#define JSET_PAIR(name, cast, operand_k, operand_x) \
	op_##name##_K: JUMP_IF(((cast)DST & (cast)(operand_k)) != 0); \
	op_##name##_X: JUMP_IF(((cast)DST & (cast)(operand_x)) != 0);
#define ATOMIC_OPS(W, type)                                                          \
	op_##W##_ATOMIC_ADD: __atomic_fetch_add((type *)(uintptr_t)ADDR_DST, (type)SRC, __ATOMIC_SEQ_CST); NEXT(); \
	op_##W##_ATOMIC_AND: __atomic_fetch_and((type *)(uintptr_t)ADDR_DST, (type)SRC, __ATOMIC_SEQ_CST); NEXT(); \
	op_##W##_ATOMIC_OR:  __atomic_fetch_or((type *)(uintptr_t)ADDR_DST, (type)SRC, __ATOMIC_SEQ_CST); NEXT(); \
	op_##W##_ATOMIC_XOR: __atomic_fetch_xor((type *)(uintptr_t)ADDR_DST, (type)SRC, __ATOMIC_SEQ_CST); NEXT(); \
	op_##W##_FETCH_ADD: SRC = __atomic_fetch_add((type *)(uintptr_t)ADDR_DST, (type)SRC, __ATOMIC_SEQ_CST); NEXT(); \
	op_##W##_FETCH_AND: SRC = __atomic_fetch_and((type *)(uintptr_t)ADDR_DST, (type)SRC, __ATOMIC_SEQ_CST); NEXT(); \
	op_##W##_FETCH_OR:  SRC = __atomic_fetch_or((type *)(uintptr_t)ADDR_DST, (type)SRC, __ATOMIC_SEQ_CST); NEXT(); \
	op_##W##_FETCH_XOR: SRC = __atomic_fetch_xor((type *)(uintptr_t)ADDR_DST, (type)SRC, __ATOMIC_SEQ_CST); NEXT(); \
	op_##W##_XCHG: SRC = __atomic_exchange_n((type *)(uintptr_t)ADDR_DST, (type)SRC, __ATOMIC_SEQ_CST); NEXT(); \
	op_##W##_CMPXCHG: {                                                                \
		type expected = (type)reg[0];                                              \
		__atomic_compare_exchange_n((type *)(uintptr_t)ADDR_DST, &expected, (type)SRC, 0, \
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);           \
		reg[0] = expected;                                                         \
		NEXT();                                                                    \
	}

int interp_execute(const struct interp_code *code, struct interp_run *run,
		   uint64_t *retval)
{
	static const void *const labels[INTERP_OP_COUNT] = { INTERP_OPS(LABEL_ADDRESS) };
	struct interp_frame frames[INTERP_RUN_FRAMES];
	struct bpfvm_prog *target_prog, *guess;
	unsigned depth = 0;
	const struct interp_insn *pc;
	uint64_t reg[11];
	int64_t budget;
	uint64_t value;

	if (!code) { /* interp_labels() asks for the table */
		__atomic_store_n(&interp_label_table, labels, __ATOMIC_RELEASE);
		return 0;
	}
	memset(reg, 0, sizeof(reg));
	memcpy(&reg[1], run->args, sizeof(run->args));
	reg[10] = (uint64_t)(uintptr_t)run->stack_top;
	budget = run->budget;
	pc = run->entry ? run->entry : code->insns;
	goto *pc->label;

	ALU(ALU64_ADD_K, DST += IMM) ALU(ALU64_ADD_X, DST += SRC)
	ALU(ALU64_SUB_K, DST -= IMM) ALU(ALU64_SUB_X, DST -= SRC)
	ALU(ALU64_MUL_K, DST *= IMM) ALU(ALU64_MUL_X, DST *= SRC)
	ALU(ALU64_DIV_K, DST = IMM ? DST / IMM : 0) ALU(ALU64_DIV_X, DST = SRC ? DST / SRC : 0)
	ALU(ALU64_SDIV_K, DST = sdiv64(DST, IMM)) ALU(ALU64_SDIV_X, DST = sdiv64(DST, SRC))
	ALU(ALU64_MOD_K, DST = IMM ? DST % IMM : DST) ALU(ALU64_MOD_X, DST = SRC ? DST % SRC : DST)
	ALU(ALU64_SMOD_K, DST = smod64(DST, IMM)) ALU(ALU64_SMOD_X, DST = smod64(DST, SRC))
	ALU(ALU64_OR_K, DST |= IMM) ALU(ALU64_OR_X, DST |= SRC)
	ALU(ALU64_AND_K, DST &= IMM) ALU(ALU64_AND_X, DST &= SRC)
	ALU(ALU64_LSH_K, DST <<= (IMM & 63)) ALU(ALU64_LSH_X, DST <<= (SRC & 63))
	ALU(ALU64_RSH_K, DST >>= (IMM & 63)) ALU(ALU64_RSH_X, DST >>= (SRC & 63))
	ALU(ALU64_ARSH_K, DST = (uint64_t)((int64_t)DST >> (IMM & 63)))
	ALU(ALU64_ARSH_X, DST = (uint64_t)((int64_t)DST >> (SRC & 63)))
	ALU(ALU64_XOR_K, DST ^= IMM) ALU(ALU64_XOR_X, DST ^= SRC)
	ALU(ALU64_MOV_K, DST = IMM) ALU(ALU64_MOV_X, DST = SRC)

	ALU(ALU32_ADD_K, DST = DST32 + IMM32) ALU(ALU32_ADD_X, DST = DST32 + SRC32)
	ALU(ALU32_SUB_K, DST = DST32 - IMM32) ALU(ALU32_SUB_X, DST = DST32 - SRC32)
	ALU(ALU32_MUL_K, DST = DST32 * IMM32) ALU(ALU32_MUL_X, DST = DST32 * SRC32)
	ALU(ALU32_DIV_K, DST = IMM32 ? DST32 / IMM32 : 0) ALU(ALU32_DIV_X, DST = SRC32 ? DST32 / SRC32 : 0)
	ALU(ALU32_SDIV_K, DST = sdiv32(DST32, IMM32)) ALU(ALU32_SDIV_X, DST = sdiv32(DST32, SRC32))
	ALU(ALU32_MOD_K, DST = IMM32 ? DST32 % IMM32 : DST32) ALU(ALU32_MOD_X, DST = SRC32 ? DST32 % SRC32 : DST32)
	ALU(ALU32_SMOD_K, DST = smod32(DST32, IMM32)) ALU(ALU32_SMOD_X, DST = smod32(DST32, SRC32))
	ALU(ALU32_OR_K, DST = DST32 | IMM32) ALU(ALU32_OR_X, DST = DST32 | SRC32)
	ALU(ALU32_AND_K, DST = DST32 & IMM32) ALU(ALU32_AND_X, DST = DST32 & SRC32)
	ALU(ALU32_LSH_K, DST = DST32 << (IMM32 & 31)) ALU(ALU32_LSH_X, DST = DST32 << (SRC32 & 31))
	ALU(ALU32_RSH_K, DST = DST32 >> (IMM32 & 31)) ALU(ALU32_RSH_X, DST = DST32 >> (SRC32 & 31))
	ALU(ALU32_ARSH_K, DST = (uint32_t)((int32_t)DST32 >> (IMM32 & 31)))
	ALU(ALU32_ARSH_X, DST = (uint32_t)((int32_t)DST32 >> (SRC32 & 31)))
	ALU(ALU32_XOR_K, DST = DST32 ^ IMM32) ALU(ALU32_XOR_X, DST = DST32 ^ SRC32)
	ALU(ALU32_MOV_K, DST = IMM32) ALU(ALU32_MOV_X, DST = SRC32)

	ALU(ALU64_MOVSX8, DST = (uint64_t)(int64_t)(int8_t)SRC)
	ALU(ALU64_MOVSX16, DST = (uint64_t)(int64_t)(int16_t)SRC)
	ALU(ALU64_MOVSX32, DST = (uint64_t)(int64_t)(int32_t)SRC)
	ALU(ALU32_MOVSX8, DST = (uint32_t)(int32_t)(int8_t)SRC)
	ALU(ALU32_MOVSX16, DST = (uint32_t)(int32_t)(int16_t)SRC)
	ALU(ALU64_NEG, DST = 0 - DST)
	ALU(ALU32_NEG, DST = (uint32_t)(0 - DST32))

	/* x86-64 is little-endian: to-LE truncates, to-BE swaps. */
	ALU(LE16, DST = (uint16_t)DST) ALU(LE32, DST = DST32) ALU(LE64, (void)0)
	ALU(BE16, DST = __builtin_bswap16((uint16_t)DST))
	ALU(BE32, DST = __builtin_bswap32(DST32))
	ALU(BE64, DST = __builtin_bswap64(DST))
	ALU(BSWAP16, DST = __builtin_bswap16((uint16_t)DST))
	ALU(BSWAP32, DST = __builtin_bswap32(DST32))
	ALU(BSWAP64, DST = __builtin_bswap64(DST))

op_JA:
	JUMP_IF(1);
	JMP_PAIR(JMP64_JEQ, ==, uint64_t, IMM, SRC)
	JMP_PAIR(JMP64_JGT, >, uint64_t, IMM, SRC)
	JMP_PAIR(JMP64_JGE, >=, uint64_t, IMM, SRC)
	JSET_PAIR(JMP64_JSET, uint64_t, IMM, SRC)
	JMP_PAIR(JMP64_JNE, !=, uint64_t, IMM, SRC)
	JMP_PAIR(JMP64_JSGT, >, int64_t, IMM, SRC)
	JMP_PAIR(JMP64_JSGE, >=, int64_t, IMM, SRC)
	JMP_PAIR(JMP64_JLT, <, uint64_t, IMM, SRC)
	JMP_PAIR(JMP64_JLE, <=, uint64_t, IMM, SRC)
	JMP_PAIR(JMP64_JSLT, <, int64_t, IMM, SRC)
	JMP_PAIR(JMP64_JSLE, <=, int64_t, IMM, SRC)
	JMP_PAIR(JMP32_JEQ, ==, uint32_t, IMM, SRC)
	JMP_PAIR(JMP32_JGT, >, uint32_t, IMM, SRC)
	JMP_PAIR(JMP32_JGE, >=, uint32_t, IMM, SRC)
	JSET_PAIR(JMP32_JSET, uint32_t, IMM, SRC)
	JMP_PAIR(JMP32_JNE, !=, uint32_t, IMM, SRC)
	JMP_PAIR(JMP32_JSGT, >, int32_t, IMM, SRC)
	JMP_PAIR(JMP32_JSGE, >=, int32_t, IMM, SRC)
	JMP_PAIR(JMP32_JLT, <, uint32_t, IMM, SRC)
	JMP_PAIR(JMP32_JLE, <=, uint32_t, IMM, SRC)
	JMP_PAIR(JMP32_JSLT, <, int32_t, IMM, SRC)
	JMP_PAIR(JMP32_JSLE, <=, int32_t, IMM, SRC)

op_CALL_HELPER:
	reg[0] = pc->helper(reg[1], reg[2], reg[3], reg[4], reg[5]);
	NEXT();
op_CALLX:
	if (DST >= code->callx_helper_cnt || !code->callx_helpers[DST]) {
		vm_error("%s: insn %td: callx r%u: no helper with id %llu", run->prog_name,
			 pc - code->insns, pc->dst, (unsigned long long)DST);
		return -EINVAL;
	}
	reg[0] = code->callx_helpers[DST](reg[1], reg[2], reg[3], reg[4], reg[5]);
	NEXT();
op_TAIL_CALL:
	/* SEMANTICS.md, tail calls: failures (index out of range as a u32,
	 * limit reached, empty slot) fall through and count nothing; success
	 * runs the target in this frame and never comes back. */
	if (run->run->tail_call_cnt >= MAX_TAIL_CALL_CNT)
		NEXT();
	target_prog = prog_array_get((const struct bpfvm_map *)(uintptr_t)reg[2], (uint32_t)reg[3]);
	if (!target_prog || !tail_call_fits(run, target_prog, depth, reg[10]))
		NEXT();
	TAIL_CALL_ENTER(target_prog);
op_TAIL_CALL_MAP:
	/* The same with the array known at decode (interp.h: fused entries).
	 * Each tail-call handler is its own copy on purpose: one shared body
	 * and dispatch measured 8.3 ns per constant-key hop against 4.9 ns. */
	reg[2] = IMM;
	if (run->run->tail_call_cnt >= MAX_TAIL_CALL_CNT)
		goto tail_call_map_failed;
	target_prog = fd_array_private_get(pc->fused, (uint32_t)reg[3]);
	if (!target_prog || !tail_call_fits(run, target_prog, depth, reg[10]))
		goto tail_call_map_failed;
	/* The site's last target (interp.h: its inline cache), loaded from
	 * pc alone: when it is the target, the next pc comes from it, a
	 * predicted branch away, not from the slot the key names at the end
	 * of the chain of loads that computed the key. */
	guess = atomic_load_explicit(tail_call_cache(pc), memory_order_relaxed);
	if (__builtin_expect(guess == target_prog, 1)) {
		/* Opaque: the compiler must not use target_prog for guess. */
		__asm__("" : "+r"(guess));
		TAIL_CALL_ENTER(guess);
	}
	atomic_store_explicit(tail_call_cache(pc), target_prog, memory_order_relaxed);
	TAIL_CALL_ENTER(target_prog);
tail_call_map_failed:
	pc += 3;
	goto *pc->label;
op_TAIL_CALL_CONST:
	/* The same with the slot known at decode. */
	reg[2] = IMM;
	reg[3] = (uint64_t)(int64_t)pc->off;
	if (run->run->tail_call_cnt >= MAX_TAIL_CALL_CNT || !pc->fused)
		goto tail_call_const_failed;
	target_prog = atomic_load_explicit((void *_Atomic *)pc->fused, memory_order_acquire);
	if (!target_prog || !tail_call_fits(run, target_prog, depth, reg[10]))
		goto tail_call_const_failed;
	TAIL_CALL_ENTER(target_prog);
tail_call_const_failed:
	pc += 4;
	goto *pc->label;
op_CALL_LOCAL:
	budget -= pc->imm;
	if (__builtin_expect(budget < 0, 0))
		goto budget_exhausted;
	frames[depth].return_to = pc + 1;
	memcpy(frames[depth].saved, &reg[6], sizeof(frames[depth].saved));
	depth++;
	reg[10] -= (uint64_t)pc->off;
	pc = pc->target;
	goto *pc->label;
op_EXIT:
	if (depth == 0) {
		*retval = reg[0];
		run->budget = budget;
		return 0;
	}
	depth--;
	memcpy(&reg[6], frames[depth].saved, sizeof(frames[depth].saved));
	pc = frames[depth].return_to;
	goto *pc->label;

	ALU(LDX_B, DST = load_u8(ADDR_SRC)) ALU(LDX_H, DST = load_u16(ADDR_SRC))
	ALU(LDX_W, DST = load_u32(ADDR_SRC)) ALU(LDX_DW, DST = load_u64(ADDR_SRC))
	ALU(LDXS_B, DST = (uint64_t)(int64_t)(int8_t)load_u8(ADDR_SRC))
	ALU(LDXS_H, DST = (uint64_t)(int64_t)(int16_t)load_u16(ADDR_SRC))
	ALU(LDXS_W, DST = (uint64_t)(int64_t)(int32_t)load_u32(ADDR_SRC))
	ALU(ST_B, store_u8(ADDR_DST, IMM)) ALU(ST_H, store_u16(ADDR_DST, IMM))
	ALU(ST_W, store_u32(ADDR_DST, IMM)) ALU(ST_DW, store_u64(ADDR_DST, IMM))
	ALU(STX_B, store_u8(ADDR_DST, SRC)) ALU(STX_H, store_u16(ADDR_DST, SRC))
	ALU(STX_W, store_u32(ADDR_DST, SRC)) ALU(STX_DW, store_u64(ADDR_DST, SRC))
	ATOMIC_OPS(W, uint32_t)
	ATOMIC_OPS(DW, uint64_t)

op_LDDW:
	DST = IMM;
	pc += 2;
	goto *pc->label;
	LDDW_LDX(B, load_u8) LDDW_LDX(H, load_u16) LDDW_LDX(W, load_u32) LDDW_LDX(DW, load_u64)

op_LD_ABS_B: if (!packet_load(run, IMM, 1, &value)) goto packet_out_of_range; reg[0] = value; NEXT();
op_LD_ABS_H: if (!packet_load(run, IMM, 2, &value)) goto packet_out_of_range; reg[0] = value; NEXT();
op_LD_ABS_W: if (!packet_load(run, IMM, 4, &value)) goto packet_out_of_range; reg[0] = value; NEXT();
op_LD_IND_B: if (!packet_load(run, SRC32 + IMM32, 1, &value)) goto packet_out_of_range; reg[0] = value; NEXT();
op_LD_IND_H: if (!packet_load(run, SRC32 + IMM32, 2, &value)) goto packet_out_of_range; reg[0] = value; NEXT();
op_LD_IND_W: if (!packet_load(run, SRC32 + IMM32, 4, &value)) goto packet_out_of_range; reg[0] = value; NEXT();

packet_out_of_range:
	/* An out-of-range legacy packet load is an implicit `r0 = 0; exit` of
	 * the current function, as the kernel rewrites it (observed: inside a
	 * local call the caller carries on; see docs/differences.md). */
	reg[0] = 0;
	goto op_EXIT;
budget_exhausted:
	vm_error("%s: insn %td: instruction budget of %lld exhausted", run->prog_name,
		 pc - code->insns, (long long)run->budget);
	return -ETIME;
}

const void *const *interp_labels(void)
{
	if (!__atomic_load_n(&interp_label_table, __ATOMIC_ACQUIRE))
		interp_execute(NULL, NULL, NULL);
	return __atomic_load_n(&interp_label_table, __ATOMIC_ACQUIRE);
}
