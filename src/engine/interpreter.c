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
 * guarantees at most ISA_MAX_CALL_FRAMES frames, so no depth check is needed
 * here.
 */
#include <errno.h>
#include <string.h>

#include "core/error.h"
#include "engine/interp.h"
#include "isa/isa.h"

struct interp_frame {
	const struct interp_insn *return_to;
	uint64_t saved[5]; /* r6..r9, r10 */
};

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "the LE/BE handlers assume a little-endian host");

static const void *const *interp_label_table;

/* Unaligned-safe memory access: the verifier allows unaligned packet access,
 * and memcpy of a constant size compiles to a single move. */
static inline uint64_t load_u8(uint64_t addr) { return *(const uint8_t *)(uintptr_t)addr; }
static inline uint64_t load_u16(uint64_t addr) { uint16_t v; memcpy(&v, (const void *)(uintptr_t)addr, 2); return v; }
static inline uint64_t load_u32(uint64_t addr) { uint32_t v; memcpy(&v, (const void *)(uintptr_t)addr, 4); return v; }
static inline uint64_t load_u64(uint64_t addr) { uint64_t v; memcpy(&v, (const void *)(uintptr_t)addr, 8); return v; }
static inline void store_u8(uint64_t addr, uint64_t v) { *(uint8_t *)(uintptr_t)addr = (uint8_t)v; }
static inline void store_u16(uint64_t addr, uint64_t v) { uint16_t x = (uint16_t)v; memcpy((void *)(uintptr_t)addr, &x, 2); }
static inline void store_u32(uint64_t addr, uint64_t v) { uint32_t x = (uint32_t)v; memcpy((void *)(uintptr_t)addr, &x, 4); }
static inline void store_u64(uint64_t addr, uint64_t v) { memcpy((void *)(uintptr_t)addr, &v, 8); }

/* SEMANTICS.md, instruction set: division by zero gives 0, modulo by zero
 * leaves dst unchanged, INT_MIN / -1 = INT_MIN and INT_MIN % -1 = 0. */
static inline uint64_t sdiv64(uint64_t a, uint64_t b)
{
	if (b == 0)
		return 0;
	if ((int64_t)b == -1)
		return 0 - a;
	return (uint64_t)((int64_t)a / (int64_t)b);
}

static inline uint64_t smod64(uint64_t a, uint64_t b)
{
	if (b == 0)
		return a;
	if ((int64_t)b == -1)
		return 0;
	return (uint64_t)((int64_t)a % (int64_t)b);
}

static inline uint32_t sdiv32(uint32_t a, uint32_t b)
{
	if (b == 0)
		return 0;
	if ((int32_t)b == -1)
		return 0 - a;
	return (uint32_t)((int32_t)a / (int32_t)b);
}

static inline uint32_t smod32(uint32_t a, uint32_t b)
{
	if (b == 0)
		return a;
	if ((int32_t)b == -1)
		return 0;
	return (uint32_t)((int32_t)a % (int32_t)b);
}

/* Legacy packet load: the bytes at [offset, offset + size) of the packet in
 * network byte order, or false when out of range (the program then ends with
 * r0 = 0, as the kernel's bpf_load_pointer failure path does). */
static inline int packet_load(const struct interp_run *run, uint64_t offset,
			      unsigned size, uint64_t *value)
{
	const uint8_t *p;

	if ((int64_t)(int32_t)offset < 0 || (uint32_t)offset + (uint64_t)size > run->packet_len)
		return 0;
	p = run->packet + (uint32_t)offset;
	switch (size) {
	case 1: *value = p[0]; break;
	case 2: *value = (uint64_t)p[0] << 8 | p[1]; break;
	default: *value = (uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 | (uint64_t)p[2] << 8 | p[3]; break;
	}
	return 1;
}

#define LABEL_ADDRESS(name) &&op_##name,
#define NEXT() goto *(++pc)->label
#define DST reg[pc->dst]
#define SRC reg[pc->src]
#define IMM ((uint64_t)pc->imm)
#define DST32 ((uint32_t)reg[pc->dst])
#define SRC32 ((uint32_t)reg[pc->src])
#define IMM32 ((uint32_t)pc->imm)
#define ADDR_DST (DST + (int64_t)pc->off)
#define ADDR_SRC (SRC + (int64_t)pc->off)
/* A taken jump: charge its budget cost (non-zero only backwards), go. */
#define JUMP_IF(cond)                                              \
	do {                                                       \
		if (cond) {                                        \
			budget -= pc->off;                         \
			if (__builtin_expect(budget < 0, 0))       \
				goto budget_exhausted;             \
			pc = pc->target;                           \
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
	struct interp_frame frames[ISA_MAX_CALL_FRAMES];
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
