/* The x86-64 encoder (jit_x86.h). Encodings from the Intel SDM, volume 2. */
#include <string.h>

#include "engine/jit_x86.h"

static void emit1(struct jit_buf *buf, uint8_t byte)
{
	*buf->p++ = byte;
}

void x86_bytes(struct jit_buf *buf, const uint8_t *bytes, size_t len)
{
	memcpy(buf->p, bytes, len);
	buf->p += len;
}

void x86_u32(struct jit_buf *buf, uint32_t value)
{
	memcpy(buf->p, &value, 4);
	buf->p += 4;
}

static void emit_u16(struct jit_buf *buf, uint16_t value)
{
	memcpy(buf->p, &value, 2);
	buf->p += 2;
}

/* REX: W (64-bit operand), R (reg field), X (SIB index), B (base or r/m).
 * `byte_reg` forces it so that 8-bit registers 4..7 are SPL..DIL. */
static void emit_rex(struct jit_buf *buf, bool w, int reg, int index, int base, bool byte_reg)
{
	uint8_t rex = (uint8_t)(0x40 | (w ? 8 : 0) | ((reg >> 3) & 1) << 2 |
				(index >= 0 ? ((index >> 3) & 1) << 1 : 0) | ((base >> 3) & 1));

	if (rex != 0x40 || byte_reg)
		emit1(buf, rex);
}

static bool is_low_byte_reg_with_rex(int reg)
{
	return reg >= X86_RSP && reg <= X86_RDI;
}

static void emit_modrm_reg(struct jit_buf *buf, int reg, int rm)
{
	emit1(buf, (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7)));
}

/* ModRM (+ SIB) + displacement for [base + index * scale + disp]; always
 * with a displacement, so RBP and R13 bases need no case of their own. */
static void emit_modrm_mem(struct jit_buf *buf, int reg, struct x86_mem mem)
{
	static const uint8_t scale_bits[9] = { [1] = 0, [2] = 1, [4] = 2, [8] = 3 };
	bool short_disp = x86_fits_i8(mem.disp);
	uint8_t mod = short_disp ? 0x40 : 0x80;

	if (mem.index >= 0 || (mem.base & 7) == X86_RSP) {
		int index = mem.index >= 0 ? mem.index : X86_RSP; /* 100b: no index */

		emit1(buf, (uint8_t)(mod | (reg & 7) << 3 | 4));
		emit1(buf, (uint8_t)(scale_bits[mem.scale] << 6 | (index & 7) << 3 | (mem.base & 7)));
	} else {
		emit1(buf, (uint8_t)(mod | (reg & 7) << 3 | (mem.base & 7)));
	}
	if (short_disp)
		emit1(buf, (uint8_t)(int8_t)mem.disp);
	else
		x86_u32(buf, (uint32_t)mem.disp);
}

/* op r/m, reg (register form) */
static void emit_rr(struct jit_buf *buf, bool is64, uint8_t opcode, int rm, int reg)
{
	emit_rex(buf, is64, reg, -1, rm, false);
	emit1(buf, opcode);
	emit_modrm_reg(buf, reg, rm);
}

/* op r/m, reg (memory form), with an optional 0x0F escape. */
static void emit_mem_op(struct jit_buf *buf, bool is64, bool escape, uint8_t opcode, int reg,
			struct x86_mem mem, bool byte_reg)
{
	emit_rex(buf, is64, reg, mem.index, mem.base, byte_reg);
	if (escape)
		emit1(buf, 0x0f);
	emit1(buf, opcode);
	emit_modrm_mem(buf, reg, mem);
}

void x86_mov_rr(struct jit_buf *buf, bool is64, int dst, int src)
{
	emit_rr(buf, is64, 0x89, dst, src);
}

void x86_alu_rr(struct jit_buf *buf, enum x86_alu op, bool is64, int dst, int src)
{
	emit_rr(buf, is64, (uint8_t)(op << 3 | 1), dst, src);
}

void x86_test_rr(struct jit_buf *buf, bool is64, int dst, int src)
{
	emit_rr(buf, is64, 0x85, dst, src);
}

void x86_imul_rr(struct jit_buf *buf, bool is64, int dst, int src)
{
	emit_rex(buf, is64, dst, -1, src, false);
	emit1(buf, 0x0f);
	emit1(buf, 0xaf);
	emit_modrm_reg(buf, dst, src);
}

void x86_shift_cl(struct jit_buf *buf, enum x86_shift op, bool is64, int dst)
{
	emit_rr(buf, is64, 0xd3, dst, op);
}

bool x86_has_bmi2(void)
{
	return __builtin_cpu_supports("bmi2");
}

/* VEX.LZ.{66,F2,F3}.0F38.W{0,1} F7 /r: the three-byte VEX prefix carries
 * the count register (vvvv, inverted) and the operand width (W). */
void x86_shiftx(struct jit_buf *buf, enum x86_shift op, bool is64, int dst, int src, int count)
{
	uint8_t pp = op == X86_SHL ? 1 : op == X86_SAR ? 2 : 3; /* 66, F3, F2 */

	emit1(buf, 0xc4);
	emit1(buf, (uint8_t)((dst & 8 ? 0 : 0x80) | 0x40 | (src & 8 ? 0 : 0x20) | 0x02));
	emit1(buf, (uint8_t)((is64 ? 0x80 : 0) | (~count & 15) << 3 | pp));
	emit1(buf, 0xf7);
	emit_modrm_reg(buf, dst, src);
}

void x86_neg(struct jit_buf *buf, bool is64, int dst)
{
	emit_rr(buf, is64, 0xf7, dst, 3);
}

void x86_div(struct jit_buf *buf, bool is_signed, bool is64, int src)
{
	emit_rr(buf, is64, 0xf7, src, is_signed ? 7 : 6);
}

void x86_sign_extend_ax(struct jit_buf *buf, bool is64)
{
	if (is64)
		emit1(buf, 0x48);
	emit1(buf, 0x99);
}

void x86_bswap(struct jit_buf *buf, bool is64, int dst)
{
	emit_rex(buf, is64, 0, -1, dst, false);
	emit1(buf, 0x0f);
	emit1(buf, (uint8_t)(0xc8 + (dst & 7)));
}

void x86_rol16_8(struct jit_buf *buf, int dst)
{
	emit1(buf, 0x66);
	emit_rr(buf, false, 0xc1, dst, X86_ROL);
	emit1(buf, 8);
}

void x86_movzx_rr(struct jit_buf *buf, enum x86_width width, int dst, int src)
{
	if (width == X86_32) {
		x86_mov_rr(buf, false, dst, src);
		return;
	}
	emit_rex(buf, false, dst, -1, src, width == X86_8 && is_low_byte_reg_with_rex(src));
	emit1(buf, 0x0f);
	emit1(buf, width == X86_8 ? 0xb6 : 0xb7);
	emit_modrm_reg(buf, dst, src);
}

void x86_movsx_rr(struct jit_buf *buf, enum x86_width width, bool is64, int dst, int src)
{
	emit_rex(buf, is64, dst, -1, src, width == X86_8 && is_low_byte_reg_with_rex(src));
	if (width == X86_32) {
		emit1(buf, 0x63); /* movsxd */
	} else {
		emit1(buf, 0x0f);
		emit1(buf, width == X86_8 ? 0xbe : 0xbf);
	}
	emit_modrm_reg(buf, dst, src);
}

void x86_mov_ri(struct jit_buf *buf, bool is64, int dst, int64_t imm)
{
	if (!is64 || (imm >= 0 && imm <= UINT32_MAX)) { /* a 32-bit mov zero-extends */
		emit_rex(buf, false, 0, -1, dst, false);
		emit1(buf, (uint8_t)(0xb8 + (dst & 7)));
		x86_u32(buf, (uint32_t)imm);
	} else if (x86_fits_i32(imm)) {
		emit_rr(buf, true, 0xc7, dst, 0);
		x86_u32(buf, (uint32_t)imm);
	} else {
		emit_rex(buf, true, 0, -1, dst, false);
		emit1(buf, (uint8_t)(0xb8 + (dst & 7)));
		x86_u32(buf, (uint32_t)imm);
		x86_u32(buf, (uint32_t)((uint64_t)imm >> 32));
	}
}

void x86_alu_ri(struct jit_buf *buf, enum x86_alu op, bool is64, int dst, int32_t imm)
{
	if (x86_fits_i8(imm)) {
		emit_rr(buf, is64, 0x83, dst, op);
		emit1(buf, (uint8_t)(int8_t)imm);
	} else {
		emit_rr(buf, is64, 0x81, dst, op);
		x86_u32(buf, (uint32_t)imm);
	}
}

void x86_test_ri(struct jit_buf *buf, bool is64, int dst, int32_t imm)
{
	emit_rr(buf, is64, 0xf7, dst, 0);
	x86_u32(buf, (uint32_t)imm);
}

void x86_imul_ri(struct jit_buf *buf, bool is64, int dst, int src, int32_t imm)
{
	emit_rex(buf, is64, dst, -1, src, false);
	emit1(buf, 0x69);
	emit_modrm_reg(buf, dst, src);
	x86_u32(buf, (uint32_t)imm);
}

void x86_shift_ri(struct jit_buf *buf, enum x86_shift op, bool is64, int dst, uint8_t count)
{
	emit_rr(buf, is64, 0xc1, dst, op);
	emit1(buf, count);
}

void x86_load(struct jit_buf *buf, enum x86_width width, int dst, struct x86_mem mem)
{
	switch (width) {
	case X86_8: emit_mem_op(buf, false, true, 0xb6, dst, mem, false); break;
	case X86_16: emit_mem_op(buf, false, true, 0xb7, dst, mem, false); break;
	case X86_32: emit_mem_op(buf, false, false, 0x8b, dst, mem, false); break;
	case X86_64: emit_mem_op(buf, true, false, 0x8b, dst, mem, false); break;
	}
}

void x86_load_signed(struct jit_buf *buf, enum x86_width width, int dst, struct x86_mem mem)
{
	switch (width) {
	case X86_8: emit_mem_op(buf, true, true, 0xbe, dst, mem, false); break;
	case X86_16: emit_mem_op(buf, true, true, 0xbf, dst, mem, false); break;
	default: emit_mem_op(buf, true, false, 0x63, dst, mem, false); break;
	}
}

void x86_store(struct jit_buf *buf, enum x86_width width, struct x86_mem mem, int src)
{
	switch (width) {
	case X86_8:
		emit_mem_op(buf, false, false, 0x88, src, mem, is_low_byte_reg_with_rex(src));
		break;
	case X86_16:
		emit1(buf, 0x66);
		emit_mem_op(buf, false, false, 0x89, src, mem, false);
		break;
	case X86_32: emit_mem_op(buf, false, false, 0x89, src, mem, false); break;
	case X86_64: emit_mem_op(buf, true, false, 0x89, src, mem, false); break;
	}
}

void x86_store_imm(struct jit_buf *buf, enum x86_width width, struct x86_mem mem, int32_t imm)
{
	switch (width) {
	case X86_8:
		emit_mem_op(buf, false, false, 0xc6, 0, mem, false);
		emit1(buf, (uint8_t)imm);
		break;
	case X86_16:
		emit1(buf, 0x66);
		emit_mem_op(buf, false, false, 0xc7, 0, mem, false);
		emit_u16(buf, (uint16_t)imm);
		break;
	case X86_32:
	case X86_64:
		emit_mem_op(buf, width == X86_64, false, 0xc7, 0, mem, false);
		x86_u32(buf, (uint32_t)imm);
		break;
	}
}

void x86_alu_mr(struct jit_buf *buf, enum x86_alu op, enum x86_width width, struct x86_mem mem,
		int src)
{
	emit_mem_op(buf, width == X86_64, false, (uint8_t)(op << 3 | 1), src, mem, false);
}

void x86_alu_mi(struct jit_buf *buf, enum x86_alu op, enum x86_width width, struct x86_mem mem,
		int32_t imm)
{
	bool short_imm = x86_fits_i8(imm);

	emit_mem_op(buf, width == X86_64, false, short_imm ? 0x83 : 0x81, op, mem, false);
	if (short_imm)
		emit1(buf, (uint8_t)(int8_t)imm);
	else
		x86_u32(buf, (uint32_t)imm);
}

void x86_alu_rm(struct jit_buf *buf, enum x86_alu op, bool is64, int reg, struct x86_mem mem)
{
	emit_mem_op(buf, is64, false, (uint8_t)(op << 3 | 3), reg, mem, false);
}

void x86_inc_mem(struct jit_buf *buf, enum x86_width width, struct x86_mem mem)
{
	emit_mem_op(buf, width == X86_64, false, 0xff, 0, mem, false);
}

void x86_lock_alu_mr(struct jit_buf *buf, enum x86_alu op, bool is64, struct x86_mem mem,
		     int src)
{
	emit1(buf, 0xf0);
	emit_mem_op(buf, is64, false, (uint8_t)(op << 3 | 1), src, mem, false);
}

void x86_lock_xadd(struct jit_buf *buf, bool is64, struct x86_mem mem, int src)
{
	emit1(buf, 0xf0);
	emit_mem_op(buf, is64, true, 0xc1, src, mem, false);
}

void x86_lock_cmpxchg(struct jit_buf *buf, bool is64, struct x86_mem mem, int src)
{
	emit1(buf, 0xf0);
	emit_mem_op(buf, is64, true, 0xb1, src, mem, false);
}

void x86_xchg(struct jit_buf *buf, bool is64, struct x86_mem mem, int src)
{
	emit_mem_op(buf, is64, false, 0x87, src, mem, false);
}

uint32_t x86_jmp_rel32(struct jit_buf *buf)
{
	emit1(buf, 0xe9);
	buf->p += 4;
	return jit_buf_pos(buf) - 4;
}

uint32_t x86_jcc_rel32(struct jit_buf *buf, enum x86_cc cc)
{
	emit1(buf, 0x0f);
	emit1(buf, (uint8_t)(0x80 | cc));
	buf->p += 4;
	return jit_buf_pos(buf) - 4;
}

uint32_t x86_call_rel32(struct jit_buf *buf)
{
	emit1(buf, 0xe8);
	buf->p += 4;
	return jit_buf_pos(buf) - 4;
}

uint32_t x86_lea_rip(struct jit_buf *buf, int dst)
{
	emit_rex(buf, true, dst, -1, 0, false);
	emit1(buf, 0x8d);
	emit1(buf, (uint8_t)((dst & 7) << 3 | 5)); /* mod 00, r/m 101: rip + disp32 */
	buf->p += 4;
	return jit_buf_pos(buf) - 4;
}

void x86_jcc_rel8(struct jit_buf *buf, enum x86_cc cc, int8_t rel)
{
	emit1(buf, (uint8_t)(0x70 | cc));
	emit1(buf, (uint8_t)rel);
}

void x86_jmp_rel8(struct jit_buf *buf, int8_t rel)
{
	emit1(buf, 0xeb);
	emit1(buf, (uint8_t)rel);
}

void x86_call_reg(struct jit_buf *buf, int reg)
{
	emit_rr(buf, false, 0xff, reg, 2);
}

void x86_jmp_reg(struct jit_buf *buf, int reg)
{
	emit_rr(buf, false, 0xff, reg, 4);
}

void x86_call_mem(struct jit_buf *buf, struct x86_mem mem)
{
	emit_mem_op(buf, false, false, 0xff, 2, mem, false);
}

void x86_push(struct jit_buf *buf, int reg)
{
	emit_rex(buf, false, 0, -1, reg, false);
	emit1(buf, (uint8_t)(0x50 + (reg & 7)));
}

void x86_pop(struct jit_buf *buf, int reg)
{
	emit_rex(buf, false, 0, -1, reg, false);
	emit1(buf, (uint8_t)(0x58 + (reg & 7)));
}

void x86_ret(struct jit_buf *buf)
{
	emit1(buf, 0xc3);
}

void x86_align(struct jit_buf *buf, unsigned align)
{
	/* Intel SDM, "Recommended Multi-Byte Sequence of NOP Instruction" */
	static const uint8_t nops[9][9] = {
		{ 0x90 },
		{ 0x66, 0x90 },
		{ 0x0f, 0x1f, 0x00 },
		{ 0x0f, 0x1f, 0x40, 0x00 },
		{ 0x0f, 0x1f, 0x44, 0x00, 0x00 },
		{ 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
		{ 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
		{ 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
		{ 0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
	};
	unsigned pad = (align - jit_buf_pos(buf) % align) % align;

	while (pad) {
		unsigned len = pad > 9 ? 9 : pad;

		x86_bytes(buf, nops[len - 1], len);
		pad -= len;
	}
}

void jit_patch_rel32(struct jit_buf *buf, uint32_t at, uint32_t target)
{
	int32_t rel = (int32_t)(target - (at + 4));

	memcpy(buf->start + at, &rel, 4);
}
