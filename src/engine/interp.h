/* The interpreter's pre-decoded program.
 *
 * Decoding turns each instruction into an interp_insn that names its handler
 * directly (the address of a label in the interpreter loop: threaded
 * dispatch), with operands in the form the handler wants: immediates already
 * sign-extended, jump targets as pointers, helper functions resolved. The
 * decoded array is parallel to the instructions (the second slot of an lddw
 * is an unused entry), so a decoded pointer converts back to an instruction
 * index for messages.
 *
 *     struct interp_insn (32 bytes)
 *     +--------+----+----+------+--------+---------------+
 *     | label  |dst |src | (pad)|  off   | imm / helper  | target
 *     +--------+----+----+------+--------+---------------+
 *       8        1    1    2      4        8               8
 *     off: memory offset; for a jump, the budget cost of taking it; for a
 *     local call, the caller's frame size (and imm its budget cost).
 *     Fused entries (interp_decode.c) keep an lddw's imm, which checked mode
 *     and the JIT read:
 *     TAIL_CALL_CONST (`r2 = map; r3 = K; call bpf_tail_call`): imm the map,
 *     off the key K, target (a void *_Atomic *) the slot the key names, or
 *     NULL when K is out of range; the call's successor is 4 entries on.
 *     TAIL_CALL_MAP (`r2 = map; call bpf_tail_call`): imm the map, target
 *     (a struct fd_array_private *) its slots; the successor is 3 entries on.
 *     The entry after it (the lddw's second half) is the site's inline
 *     cache: the program it entered last (interpreter.c), the one word of
 *     decoded code written after decoding.
 *     LDDW_LDX_<size> (`rA = imm ll; rB = *(size *)(rA + off)`): dst rA,
 *     src rB, off the load's offset; the successor is 3 entries on.
 */
#ifndef BPFVM_ENGINE_INTERP_H
#define BPFVM_ENGINE_INTERP_H

#include <stddef.h>
#include <stdint.h>

#include "bpfvm/bpfvm.h"
#include "helpers/helper_table.h"
#include "isa/isa.h"

/* Every handler of the interpreter loop. F(name) */
#define INTERP_ALU_OPS(F, W, S) \
	F(W##_ADD_##S) F(W##_SUB_##S) F(W##_MUL_##S) F(W##_DIV_##S) \
	F(W##_SDIV_##S) F(W##_MOD_##S) F(W##_SMOD_##S) F(W##_OR_##S) \
	F(W##_AND_##S) F(W##_LSH_##S) F(W##_RSH_##S) F(W##_ARSH_##S) \
	F(W##_XOR_##S) F(W##_MOV_##S)

#define INTERP_JMP_OPS(F, W, S) \
	F(W##_JEQ_##S) F(W##_JGT_##S) F(W##_JGE_##S) F(W##_JSET_##S) \
	F(W##_JNE_##S) F(W##_JSGT_##S) F(W##_JSGE_##S) F(W##_JLT_##S) \
	F(W##_JLE_##S) F(W##_JSLT_##S) F(W##_JSLE_##S)

#define INTERP_ATOMIC_OPS(F, W) \
	F(W##_ATOMIC_ADD) F(W##_ATOMIC_AND) F(W##_ATOMIC_OR) F(W##_ATOMIC_XOR) \
	F(W##_FETCH_ADD) F(W##_FETCH_AND) F(W##_FETCH_OR) F(W##_FETCH_XOR) \
	F(W##_XCHG) F(W##_CMPXCHG)

/* Superinstructions the decoder makes of common sequences (interp_decode.c);
 * only the interpreter runs them, the JIT compiles the originals. */
#define INTERP_FUSED_OPS(F) \
	F(TAIL_CALL_CONST) F(TAIL_CALL_MAP) \
	F(LDDW_LDX_B) F(LDDW_LDX_H) F(LDDW_LDX_W) F(LDDW_LDX_DW)

#define INTERP_OPS(F) \
	INTERP_ALU_OPS(F, ALU64, K) INTERP_ALU_OPS(F, ALU64, X) \
	INTERP_ALU_OPS(F, ALU32, K) INTERP_ALU_OPS(F, ALU32, X) \
	F(ALU64_MOVSX8) F(ALU64_MOVSX16) F(ALU64_MOVSX32) \
	F(ALU32_MOVSX8) F(ALU32_MOVSX16) \
	F(ALU64_NEG) F(ALU32_NEG) \
	F(LE16) F(LE32) F(LE64) F(BE16) F(BE32) F(BE64) \
	F(BSWAP16) F(BSWAP32) F(BSWAP64) \
	F(JA) \
	INTERP_JMP_OPS(F, JMP64, K) INTERP_JMP_OPS(F, JMP64, X) \
	INTERP_JMP_OPS(F, JMP32, K) INTERP_JMP_OPS(F, JMP32, X) \
	F(CALL_HELPER) F(CALL_LOCAL) F(CALLX) F(TAIL_CALL) \
	INTERP_FUSED_OPS(F) F(EXIT) \
	F(LDX_B) F(LDX_H) F(LDX_W) F(LDX_DW) \
	F(LDXS_B) F(LDXS_H) F(LDXS_W) \
	F(ST_B) F(ST_H) F(ST_W) F(ST_DW) \
	F(STX_B) F(STX_H) F(STX_W) F(STX_DW) \
	INTERP_ATOMIC_OPS(F, W) INTERP_ATOMIC_OPS(F, DW) \
	F(LDDW) \
	F(LD_ABS_B) F(LD_ABS_H) F(LD_ABS_W) \
	F(LD_IND_B) F(LD_IND_H) F(LD_IND_W)

#define INTERP_ENUM_ENTRY(name) INTERP_OP_##name,
enum interp_op { INTERP_OPS(INTERP_ENUM_ENTRY) INTERP_OP_COUNT };
#undef INTERP_ENUM_ENTRY

struct interp_insn {
	const void *label;
	uint8_t dst;
	uint8_t src;
	uint16_t unused;
	int32_t off;
	union {
		int64_t imm;
		bpfvm_helper_fn helper;
	};
	union {
		const struct interp_insn *target;
		const void *fused; /* what a fused entry needs (above) */
	};
};

struct interp_code {
	size_t insn_cnt;
	/* For callx: the helpers registered when the program was loaded,
	 * indexed by id (NULL when the program has no callx). */
	bpfvm_helper_fn *callx_helpers;
	uint64_t callx_helper_cnt;
	struct interp_insn insns[];
};

struct run_ctx;

/* SEMANTICS.md: at most 33 successful tail calls per invocation. */
#define MAX_TAIL_CALL_CNT 33

/* A run's stack and frames. One program's call chain needs at most
 * ISA_MAX_STACK bytes and ISA_MAX_CALL_FRAMES frames, but a tail call made
 * from a subprogram keeps the frames above it, and its target may do the
 * same (SEMANTICS.md: tail calls), up to 33 times. The kernel allows that
 * when the frames above each such subprogram hold under
 * INTERP_TAIL_CALL_FRAMES_STACK bytes; so a run needs, in the worst case,
 * 33 such levels of at most 7 kept frames and 256 bytes each, plus one whole
 * program. The interpreter gives a run that much and refuses a tail call
 * (it falls through) whose target would not fit. */
#define INTERP_TAIL_CALL_FRAMES_STACK 256
#define INTERP_RUN_STACK (MAX_TAIL_CALL_CNT * INTERP_TAIL_CALL_FRAMES_STACK + ISA_MAX_STACK)
#define INTERP_RUN_FRAMES ((MAX_TAIL_CALL_CNT + 1) * ISA_MAX_CALL_FRAMES)

/* What one run of the interpreter needs besides the code. */
struct interp_run {
	const struct interp_insn *entry; /* first instruction; NULL: the program's */
	uint64_t args[5];	     /* r1..r5 */
	uint8_t *stack_top;	     /* r10 of the entry frame */
	uint8_t *stack_bottom;	     /* lowest byte of the run's stack */
	const uint8_t *packet;	     /* for ld_abs / ld_ind */
	uint64_t packet_len;
	int64_t budget;		     /* instructions left (see interp_decode.c) */
	const char *prog_name;	     /* for messages */
	struct run_ctx *run;	     /* the run's state (tail calls) */
};

/* Decodes a structurally checked program. Returns NULL (with a message) when
 * out of memory. */
struct interp_code *interp_decode(const struct bpfvm_prog *prog);

/* The handler of one instruction of a checked program (the JIT compiles
 * the same operations). */
enum interp_op interp_decode_op(const struct bpf_insn *insn);

/* Frees decoded code; NULL is allowed. */
void interp_free(struct interp_code *code);

/* Runs decoded code. Returns 0 and sets *retval, or a negative errno. */
int interp_execute(const struct interp_code *code, struct interp_run *run,
		   uint64_t *retval);

/* The handler addresses of the interpreter loop, indexed by enum interp_op.
 * (Labels are local to interp_execute(), which hands them out when called
 * with a NULL code pointer.) */
const void *const *interp_labels(void);

#endif
