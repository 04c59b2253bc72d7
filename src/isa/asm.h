/* The assembler's internals shared by its two files: asm.c builds the program
 * (instructions, labels, fixups) and reads the lines; asm_forms.c parses each
 * statement and emits it through the functions declared here.
 */
#ifndef BPFVM_ISA_ASM_H
#define BPFVM_ISA_ASM_H

#include <stddef.h>
#include <stdint.h>

#include "isa/asm_lex.h"
#include "isa/isa.h"

/* Ranges of the 32-bit immediate fields (see asm_forms.c on immediates). */
#define S32_MIN INT32_MIN
#define S32_MAX ((uint64_t)INT32_MAX)
#define U32_MAX ((uint64_t)UINT32_MAX)

enum asm_fixup_kind {
	ASM_FIXUP_JUMP,	   /* off of a conditional jump or goto */
	ASM_FIXUP_GOTOL,   /* imm of gotol */
	ASM_FIXUP_CALL,	   /* imm of a local call, or a helper named without # */
	ASM_FIXUP_SUBPROG, /* imm of lddw subprog[label] */
};

struct asm_label;
struct asm_fixup;

struct asm_program {
	struct bpf_insn *insns;
	size_t insn_count, insn_capacity;
	struct asm_label *labels;
	size_t label_count, label_capacity;
	struct asm_fixup *fixups;
	size_t fixup_count, fixup_capacity;
};

/* A jump or call destination: pc+N / pc-N, or a label. */
struct asm_target {
	const char *label; /* NULL for pc-relative */
	size_t len;
	struct asm_number delta;
};

/* Appends one instruction slot; -ENOMEM (message recorded) if out of memory. */
int asm_emit(struct asm_program *prog, unsigned line, const struct bpf_insn *insn);

/* Appends an lddw pair: imm64's low half in the first slot, high in the second. */
int asm_emit_lddw(struct asm_program *prog, unsigned line, uint8_t dst,
		  uint8_t src, uint64_t imm64);

/* Emits `insn` with its offset from `target`, now or as a fixup for a label. */
int asm_emit_jump(struct asm_program *prog, const struct asm_line *line,
		  struct bpf_insn insn, enum asm_fixup_kind kind,
		  const struct asm_target *target);

/* Parses one statement (a line's tokens after its labels) and emits it. */
int asm_statement(struct asm_program *prog, struct asm_line *line);

#endif
