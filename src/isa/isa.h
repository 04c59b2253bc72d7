/* The BPF instruction set (RFC 9669, v1..v4): encodings the UAPI headers of an
 * older kernel may lack, and small accessors shared by every room that reads
 * instructions (structural checks, interpreter decoding, assembler,
 * disassembler).
 *
 *   opcode byte:  +-------+----+-----+     ALU/JMP: op(4) | source(1) | class(3)
 *                 |  op   | s  |class|     LD/ST:   mode(3) | size(2) | class(3)
 *                 +-------+----+-----+
 */
#ifndef BPFVM_ISA_H
#define BPFVM_ISA_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/bpf.h>

/* v4 additions that linux-libc-dev before 6.6 does not define. */
#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80 /* sign-extending load */
#endif

/* Offsets that select the signed forms of div/mod (RFC 9669, section 4.1). */
#define ISA_OFF_SIGNED 1

/* Maximum call frames and total stack, as in the kernel (MAX_CALL_FRAMES,
 * MAX_BPF_STACK). */
#define ISA_MAX_CALL_FRAMES 8
#define ISA_MAX_STACK 512
/* Largest program, as the kernel's BPF_COMPLEXITY_LIMIT_INSNS. */
#define ISA_MAX_INSNS 1000000u
/* The helper id libbpf writes into an instruction whose CO-RE relocation
 * found nothing in the target (`call 0xbad2310`, "bad relo"): valid where no
 * path reaches it, as in the kernel. */
#define ISA_CORE_POISON_HELPER 0xbad2310

static inline uint8_t isa_class(uint8_t code) { return code & 0x07; }
static inline uint8_t isa_op(uint8_t code) { return code & 0xf0; }
static inline uint8_t isa_source(uint8_t code) { return code & 0x08; }
static inline uint8_t isa_mode(uint8_t code) { return code & 0xe0; }
static inline uint8_t isa_size(uint8_t code) { return code & 0x18; }

static inline bool isa_is_alu(uint8_t code)
{
	return isa_class(code) == BPF_ALU || isa_class(code) == BPF_ALU64;
}

static inline bool isa_is_jmp(uint8_t code)
{
	return isa_class(code) == BPF_JMP || isa_class(code) == BPF_JMP32;
}

/* lddw occupies two instruction slots; the second has code 0. */
static inline bool isa_is_lddw(uint8_t code)
{
	return code == (BPF_LD | BPF_IMM | BPF_DW);
}

static inline bool isa_is_local_call(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL) && insn->src_reg == BPF_PSEUDO_CALL;
}

static inline bool isa_is_helper_call(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL) && insn->src_reg == 0;
}

/* A call of a runtime function (kfunc) by id. */
static inline bool isa_is_kfunc_call(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL) && insn->src_reg == BPF_PSEUDO_KFUNC_CALL;
}

static inline bool isa_is_callx(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL | BPF_X);
}

static inline bool isa_is_exit(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_EXIT);
}

/* Size in bytes of a load/store size field. */
static inline unsigned isa_size_bytes(uint8_t code)
{
	switch (isa_size(code)) {
	case BPF_B: return 1;
	case BPF_H: return 2;
	case BPF_W: return 4;
	default: return 8;
	}
}

/* The 64-bit immediate of an lddw pair. */
static inline uint64_t isa_lddw_imm(const struct bpf_insn *first)
{
	return (uint64_t)(uint32_t)first[0].imm | ((uint64_t)(uint32_t)first[1].imm << 32);
}

/* Target index of a jump at index pc: JMP32|JA (gotol) takes the 32-bit imm,
 * every other jump the 16-bit off. Local calls use imm too. */
static inline int64_t isa_jump_target(const struct bpf_insn *insn, int64_t pc)
{
	if (insn->code == (BPF_JMP32 | BPF_JA) || isa_is_local_call(insn))
		return pc + 1 + insn->imm;
	return pc + 1 + insn->off;
}

#endif
