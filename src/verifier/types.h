/* The verifier's proof: abstract interpretation of registers and stack
 * slots along every path of a program, as the kernel's verifier does
 * (types_env.h lists the files and what each part checks).
 *
 * Once every path is proved safe, each context access is rewritten in place
 * for the runtime context (progtypes/progtype.h). An instruction reached
 * with the context on one path and another pointer on another is refused,
 * as the kernel refuses "same insn cannot be used with different
 * pointers". */
#ifndef BPFVM_VERIFIER_TYPES_H
#define BPFVM_VERIFIER_TYPES_H

#include <stdint.h>

#include "engine/prog.h"

/* Returns 0 (prog->insns rewritten) or -EACCES / -EINVAL with a message that
 * names the program and instruction. Needs prog->progtype and a structurally
 * checked program (prog->subprogs filled). */
int verifier_track_types(struct bpfvm_prog *prog);

/* What an exploration cost, as the kernel's "processed N insns ... total_states". */
struct types_stats {
	uint64_t insns_processed; /* instructions stepped, over every path */
	uint64_t states_stored;	  /* checkpoints kept for pruning */
	uint64_t states_pruned;	  /* paths cut because a checkpoint covered them */
	uint32_t peak_pending;	  /* most paths waiting at once */
	uint32_t max_states_per_insn; /* most checkpoints kept at one instruction */
	uint64_t states_compared; /* checkpoints compared with a state at a join */
};

/* verifier_track_types(), also saying what it cost (stats may be NULL). */
int verifier_track_types_stats(struct bpfvm_prog *prog, struct types_stats *stats);

#endif
