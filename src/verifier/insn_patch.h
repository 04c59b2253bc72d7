/* Replacing one instruction of a program by several (insn_patch.c), as the
 * kernel's bpf_patch_insn_data does for rewrites that one instruction cannot
 * express. */
#ifndef BPFVM_VERIFIER_INSN_PATCH_H
#define BPFVM_VERIFIER_INSN_PATCH_H

#include <stddef.h>
#include <stdint.h>

#include "engine/prog.h"

/* A caller's array with one entry per instruction (the verifier's aux data,
 * liveness, ...), kept in step with the instructions: `*entries` is
 * replaced by a new array. */
struct verifier_insn_table {
	void **entries;
	size_t entry_size;
};

/* Replaces instruction `idx` of prog->insns by the `len` instructions of
 * `patch` (copied as they are: a jump inside the patch is the caller's to
 * get right) and keeps the rest of the program meaning what it meant:
 *   - every jump, local call and BPF_PSEUDO_FUNC lddw outside the patch
 *     that crosses it is adjusted; one that targeted instruction `idx`
 *     targets the first instruction of the patch;
 *   - subprograms after idx move, the one holding idx grows;
 *   - each table moves along: the entry of instruction idx goes to the
 *     patch's last instruction (the one that does the original's work, as
 *     the kernel's adjust_insn_aux_data), the patch's others are zeroed.
 * `idx` must not be the second slot of an lddw. Returns 0, or with nothing
 * changed: -ERANGE (an offset would not fit its field, message names the
 * instruction), -EINVAL (idx out of range, empty patch), -ENOMEM. */
int verifier_patch_insn(struct bpfvm_prog *prog, uint32_t idx, const struct bpf_insn *patch,
			uint32_t len, const struct verifier_insn_table *tables, uint32_t table_cnt);

/* Removes the `cnt` instructions from `off` (the kernel's
 * verifier_remove_insns, for code no path reaches) and keeps the rest
 * meaning what it meant: every jump, local call and BPF_PSEUDO_FUNC lddw
 * that crosses the range is adjusted (one into the range, which the
 * caller must not leave, would target the instruction after it);
 * subprograms inside the range are dropped, those that overlap it shrink;
 * each table drops the range's entries (they must own nothing). The range
 * must not split an lddw. Distances only shrink and nothing is allocated:
 * 0, or -EINVAL with nothing changed (a range outside the program, or all
 * of it). */
int verifier_remove_insns(struct bpfvm_prog *prog, uint32_t off, uint32_t cnt,
			  const struct verifier_insn_table *tables, uint32_t table_cnt);

#endif
