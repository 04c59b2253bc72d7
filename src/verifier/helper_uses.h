/* Which argument registers a helper call reads (see helper_uses.c). */
#ifndef BPFVM_VERIFIER_HELPER_USES_H
#define BPFVM_VERIFIER_HELPER_USES_H

#include <stdint.h>

#include "engine/prog.h"
#include "isa/isa.h"

/* The registers among r1..r5 (bit r) that the helper call at insn reads:
 * those its prototype names. A call whose prototype bpfvm does not know
 * (a user's helper, a kfunc, callx) reads all five. */
uint16_t verifier_helper_arg_regs(const struct bpfvm_prog *prog, const struct bpf_insn *insn);

#endif
