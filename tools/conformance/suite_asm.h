/* The assembler of the public BPF conformance suite's `-- asm` sections, whose
 * syntax is ubpf's (`mov %r0, 1`, `ldxw %r0, [%r1+4]`, `jeq %r1, 0, label`),
 * not the kernel verifier's that `bpfvm asm` reads. The suite assembles them
 * itself and hands the plugin bytes; our runner does the same. */
#ifndef BPFVM_CONFORMANCE_SUITE_ASM_H
#define BPFVM_CONFORMANCE_SUITE_ASM_H

#include <stddef.h>
#include <linux/bpf.h>

/* Assembles `text` (lines; `#` starts a comment; `name:` defines a label) into
 * a malloc'ed array of instructions. Returns 0, or -1 with a message naming
 * the line in `err`. */
int suite_asm(const char *text, struct bpf_insn **insns, size_t *cnt, char *err, size_t err_size);

#endif
