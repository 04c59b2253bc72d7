/* Loading programs for the checked-mode tests and the soundness fuzzer:
 * from instructions or assembler text, of any program type, with maps,
 * either through the verifier (prog_prepare, as every load) or, inside
 * these tests only, past it (the structural check and decoding alone), so
 * that checked mode can be shown to catch what an unsafe program does. */
#ifndef BPFVM_TESTS_CHECKED_TESTLIB_H
#define BPFVM_TESTS_CHECKED_TESTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfvm/bpfvm.h"

/* Loads `insns` as a program of `type` that references maps[0..map_cnt)
 * (map[idx:N] in assembler text). verify: through the verifier; otherwise
 * past it. Returns 0 and *prog_out (free with checked_prog_free), or the
 * load's error with its message in bpfvm_errmsg(). */
int checked_load_insns(struct bpfvm *vm, const char *name, enum bpf_prog_type type,
		       const struct bpf_insn *insns, size_t insn_cnt,
		       struct bpfvm_map *const *maps, uint32_t map_cnt, bool verify,
		       struct bpfvm_prog **prog_out);

/* The same from assembler text; exits the test (status 2) if it does not
 * assemble. */
int checked_load_asm(struct bpfvm *vm, const char *name, enum bpf_prog_type type,
		     const char *text, struct bpfvm_map *const *maps, uint32_t map_cnt,
		     bool verify, struct bpfvm_prog **prog_out);

void checked_prog_free(struct bpfvm_prog *prog);

/* The id of a loaded program (the value of a prog array slot). */
uint32_t checked_prog_id(const struct bpfvm_prog *prog);

/* Sets the instruction budget of a run (tests keep mutants short). */
void checked_prog_set_budget(struct bpfvm_prog *prog, uint64_t insns);

/* The program's instructions as the engines run them. */
const struct bpf_insn *checked_prog_insns(const struct bpfvm_prog *prog, size_t *insn_cnt);

#endif
