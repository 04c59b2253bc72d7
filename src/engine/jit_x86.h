/* An x86-64 instruction encoder: just the forms the JIT emits.
 *
 * Registers are the hardware numbers (RAX = 0 ... R15 = 15). Every memory
 * operand is base + displacement (with an optional scaled index), always
 * encoded with a displacement so that RBP and R13 need no special case.
 * Prefixes come in the order the ISA wants: 0x66 / LOCK, then REX, then the
 * opcode. REX is emitted whenever a byte register above BL is named, so
 * that SIL/DIL are meant and never AH/BH. */
#ifndef BPFVM_ENGINE_JIT_X86_H
#define BPFVM_ENGINE_JIT_X86_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum x86_reg {
	X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
	X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
};

/* Condition codes (the low nibble of Jcc). */
enum x86_cc {
	X86_CC_B = 0x2, X86_CC_AE = 0x3, X86_CC_E = 0x4, X86_CC_NE = 0x5,
	X86_CC_BE = 0x6, X86_CC_A = 0x7, X86_CC_S = 0x8, X86_CC_NS = 0x9,
	X86_CC_L = 0xc, X86_CC_GE = 0xd, X86_CC_LE = 0xe, X86_CC_G = 0xf,
};

/* Group-1 arithmetic: the /digit of 0x81/0x83 and (<< 3 | 1) the r/m, reg
 * opcode. */
enum x86_alu {
	X86_ADD = 0, X86_OR = 1, X86_AND = 4, X86_SUB = 5, X86_XOR = 6, X86_CMP = 7,
};

/* Group-2 shifts: the /digit of 0xC1 / 0xD3. */
enum x86_shift { X86_ROL = 0, X86_SHL = 4, X86_SHR = 5, X86_SAR = 7 };

/* Operand width of an instruction. */
enum x86_width { X86_8 = 1, X86_16 = 2, X86_32 = 4, X86_64 = 8 };

/* A memory operand: [base + index * scale + disp]; index < 0 for none. */
struct x86_mem {
	int base;
	int index;
	unsigned scale; /* 1, 2, 4 or 8 */
	int32_t disp;
};

static inline struct x86_mem x86_at(int base, int32_t disp)
{
	return (struct x86_mem){ .base = base, .index = -1, .scale = 1, .disp = disp };
}

/* Where code is written. The buffer is sized for the worst case of every
 * instruction (jit_code_bound), so the encoders check nothing. Code is
 * written at one address and runs at another (code packs, jit_code_mem.c):
 * `run_delta` is the difference, for what is relative to code outside the
 * buffer (rel32 calls to helpers). */
struct jit_buf {
	uint8_t *start;
	uint8_t *p;
	uint8_t *end;
	intptr_t run_delta;
};

/* The address at which the byte at buf->p will run. */
static inline uintptr_t jit_buf_run_addr(const struct jit_buf *buf)
{
	return (uintptr_t)buf->p + (uintptr_t)buf->run_delta;
}

static inline uint32_t jit_buf_pos(const struct jit_buf *buf)
{
	return (uint32_t)(buf->p - buf->start);
}

static inline bool x86_fits_i8(int64_t v) { return v >= -128 && v <= 127; }
static inline bool x86_fits_i32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

void x86_bytes(struct jit_buf *buf, const uint8_t *bytes, size_t len);
void x86_u32(struct jit_buf *buf, uint32_t value);

/* Register to register. */
void x86_mov_rr(struct jit_buf *buf, bool is64, int dst, int src);
void x86_alu_rr(struct jit_buf *buf, enum x86_alu op, bool is64, int dst, int src);
void x86_test_rr(struct jit_buf *buf, bool is64, int dst, int src);
void x86_imul_rr(struct jit_buf *buf, bool is64, int dst, int src);
void x86_shift_cl(struct jit_buf *buf, enum x86_shift op, bool is64, int dst);
/* BMI2's shlx / shrx / sarx: dst = src shifted by count (masked to the
 * width, as BPF masks it), flags untouched. op: SHL, SHR or SAR. Only where
 * x86_has_bmi2(). */
void x86_shiftx(struct jit_buf *buf, enum x86_shift op, bool is64, int dst, int src, int count);
bool x86_has_bmi2(void);
void x86_neg(struct jit_buf *buf, bool is64, int dst);
/* div / idiv of RDX:RAX (EDX:EAX) by `src`. */
void x86_div(struct jit_buf *buf, bool is_signed, bool is64, int src);
/* Sign-extends RAX into RDX (cqo) or EAX into EDX (cdq). */
void x86_sign_extend_ax(struct jit_buf *buf, bool is64);
void x86_bswap(struct jit_buf *buf, bool is64, int dst);
void x86_rol16_8(struct jit_buf *buf, int dst);
/* movzx / movsx of the low `width` bytes of src; is64 for the 64-bit form. */
void x86_movzx_rr(struct jit_buf *buf, enum x86_width width, int dst, int src);
void x86_movsx_rr(struct jit_buf *buf, enum x86_width width, bool is64, int dst, int src);

/* Register and immediate. */
void x86_mov_ri(struct jit_buf *buf, bool is64, int dst, int64_t imm);
void x86_alu_ri(struct jit_buf *buf, enum x86_alu op, bool is64, int dst, int32_t imm);
void x86_test_ri(struct jit_buf *buf, bool is64, int dst, int32_t imm);
void x86_imul_ri(struct jit_buf *buf, bool is64, int dst, int src, int32_t imm);
void x86_shift_ri(struct jit_buf *buf, enum x86_shift op, bool is64, int dst, uint8_t count);

/* Memory. Loads zero-extend (or sign-extend, x86_load_signed) into the
 * whole register. */
void x86_load(struct jit_buf *buf, enum x86_width width, int dst, struct x86_mem mem);
void x86_load_signed(struct jit_buf *buf, enum x86_width width, int dst, struct x86_mem mem);
void x86_store(struct jit_buf *buf, enum x86_width width, struct x86_mem mem, int src);
void x86_store_imm(struct jit_buf *buf, enum x86_width width, struct x86_mem mem, int32_t imm);
void x86_alu_mr(struct jit_buf *buf, enum x86_alu op, enum x86_width width, struct x86_mem mem,
		int src);
void x86_alu_mi(struct jit_buf *buf, enum x86_alu op, enum x86_width width, struct x86_mem mem,
		int32_t imm);
/* op reg, [mem] (cmp, sub, ...) */
void x86_alu_rm(struct jit_buf *buf, enum x86_alu op, bool is64, int reg, struct x86_mem mem);
void x86_inc_mem(struct jit_buf *buf, enum x86_width width, struct x86_mem mem);
/* lock-prefixed read-modify-writes: add/and/or/xor [mem], src; xadd; cmpxchg
 * (with RAX); xchg (locked by the hardware). */
void x86_lock_alu_mr(struct jit_buf *buf, enum x86_alu op, bool is64, struct x86_mem mem,
		     int src);
void x86_lock_xadd(struct jit_buf *buf, bool is64, struct x86_mem mem, int src);
void x86_lock_cmpxchg(struct jit_buf *buf, bool is64, struct x86_mem mem, int src);
void x86_xchg(struct jit_buf *buf, bool is64, struct x86_mem mem, int src);

/* Control flow. The rel32 forms return the position of their displacement
 * for jit_patch_rel32 (relative to the end of the instruction). */
uint32_t x86_jmp_rel32(struct jit_buf *buf);
uint32_t x86_jcc_rel32(struct jit_buf *buf, enum x86_cc cc);
uint32_t x86_call_rel32(struct jit_buf *buf);
/* lea dst, [rip + rel32] */
uint32_t x86_lea_rip(struct jit_buf *buf, int dst);
void x86_jcc_rel8(struct jit_buf *buf, enum x86_cc cc, int8_t rel);
void x86_jmp_rel8(struct jit_buf *buf, int8_t rel);
void x86_call_reg(struct jit_buf *buf, int reg);
void x86_jmp_reg(struct jit_buf *buf, int reg);
void x86_call_mem(struct jit_buf *buf, struct x86_mem mem);
void x86_push(struct jit_buf *buf, int reg);
void x86_pop(struct jit_buf *buf, int reg);
void x86_ret(struct jit_buf *buf);
/* Pads with the recommended multi-byte NOPs to a multiple of `align`. */
void x86_align(struct jit_buf *buf, unsigned align);

/* Points the rel32 at `at` to `target` (both positions in the buffer). */
void jit_patch_rel32(struct jit_buf *buf, uint32_t at, uint32_t target);

#endif
