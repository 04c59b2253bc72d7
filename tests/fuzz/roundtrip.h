/* The round trip that the assembler and disassembler harnesses check. */
#ifndef BPFVM_TESTS_FUZZ_ROUNDTRIP_H
#define BPFVM_TESTS_FUZZ_ROUNDTRIP_H

#include <stddef.h>

#include <linux/bpf.h>

/* Where every instruction of insns is valid (bpfvm_disasm_insn says so),
 * checks that the assembler reads the disassembler's text back into the same
 * instructions, and aborts (fuzz_fail) if not. Invalid instructions are
 * printed as such, which no assembler reads: there the round trip is not
 * defined, and only the disassembly itself is exercised. */
void fuzz_roundtrip(const struct bpf_insn *insns, size_t cnt);

#endif
