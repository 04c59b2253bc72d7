/* Shrinking a program while a property holds (kdiff.h): the minimiser of
 * kernel mismatches, in three moves, each kept only if the property still
 * holds (the caller's `still`: for kdiff, the set mismatches the kernel in
 * the same words):
 *
 *   1. delete an instruction (both halves of an lddw), jumps across it
 *      and into it moved so that each still lands where it did, or on
 *      what follows a deleted target;
 *   2. replace one by `ja +0` (a deletion the verifier or a jump's range
 *      refused can still be a no-op);
 *   3. shrink a constant: 0, else halved while it holds (helper ids, map
 *      references and jump offsets are not constants here).
 *
 * Rounds repeat while one of them changed something (a deletion can make
 * another possible), at most SHRINK_ROUNDS.
 */
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>

#include "isa/isa.h"
#include "kdiff.h"

#define SHRINK_ROUNDS 4

static const struct bpf_insn nop = { .code = BPF_JMP | BPF_JA };

/* A jump whose target is in `off` (16 bits) or `imm` (32), or none. */
enum rel_field { REL_NONE, REL_OFF, REL_IMM };

static enum rel_field relative_field(const struct bpf_insn *insn)
{
	uint8_t op = isa_op(insn->code);

	if (isa_is_lddw(insn->code))
		return insn->src_reg == BPF_PSEUDO_FUNC ? REL_IMM : REL_NONE;
	if (!isa_is_jmp(insn->code) || op == BPF_EXIT)
		return REL_NONE;
	if (op == BPF_CALL)
		return isa_is_local_call(insn) ? REL_IMM : REL_NONE;
	return insn->code == (BPF_JMP32 | BPF_JA) ? REL_IMM : REL_OFF;
}

/* Where an index goes once [at, at + n) is deleted: a target inside lands
 * on what follows the deleted run. */
static int64_t moved(int64_t index, size_t at, size_t n)
{
	if (index < (int64_t)at)
		return index;
	return index >= (int64_t)(at + n) ? index - (int64_t)n : (int64_t)at;
}

static int64_t relative_target(const struct bpf_insn *insn, size_t j, enum rel_field field)
{
	return (int64_t)j + 1 + (field == REL_IMM ? insn->imm : insn->off);
}

/* Deletes insns [at, at + n) of prog; false (prog unchanged) if a jump's
 * new offset does not fit its 16 bits. */
static bool delete_insns(struct fuzz_prog *prog, size_t at, size_t n)
{
	struct bpf_insn *insns = prog->insns;

	for (int apply = 0; apply < 2; apply++) {
		for (size_t j = 0; j < prog->insn_cnt; j++) {
			enum rel_field field = relative_field(&insns[j]);
			int64_t off;

			if (field == REL_NONE || (j >= at && j < at + n))
				continue;
			off = moved(relative_target(&insns[j], j, field), at, n) -
			      moved((int64_t)j, at, n) - 1;
			if (!apply && field == REL_OFF && (off < INT16_MIN || off > INT16_MAX))
				return false;
			if (apply && field == REL_IMM)
				insns[j].imm = (int32_t)off;
			else if (apply)
				insns[j].off = (int16_t)off;
		}
	}
	memmove(&insns[at], &insns[at + n], (prog->insn_cnt - at - n) * sizeof(*insns));
	prog->insn_cnt -= n;
	return true;
}

/* How many slots the instruction at i takes (an lddw two). */
static size_t width(const struct fuzz_prog *prog, size_t i)
{
	return isa_is_lddw(prog->insns[i].code) && i + 1 < prog->insn_cnt ? 2 : 1;
}

static unsigned delete_pass(struct fuzz_prog *prog, kdiff_still_fn still, void *ctx)
{
	struct bpf_insn *saved = malloc(prog->insn_cnt * sizeof(*saved));
	unsigned dropped = 0;

	if (!saved)
		return 0;
	for (size_t i = prog->insn_cnt; i-- > 0;) {
		size_t n, cnt = prog->insn_cnt;

		if (i > 0 && isa_is_lddw(prog->insns[i - 1].code))
			i--; /* the second half: deleted with the first */
		n = width(prog, i);
		memcpy(saved, prog->insns, cnt * sizeof(*saved));
		if (cnt > n && delete_insns(prog, i, n) && still(ctx)) {
			dropped += (unsigned)n;
			continue;
		}
		memcpy(prog->insns, saved, cnt * sizeof(*saved));
		prog->insn_cnt = cnt;
	}
	free(saved);
	return dropped;
}

static unsigned nop_pass(struct fuzz_prog *prog, kdiff_still_fn still, void *ctx)
{
	unsigned dropped = 0;

	for (size_t i = prog->insn_cnt; i-- > 0;) {
		struct bpf_insn saved[2];
		size_t n;

		if (i > 0 && isa_is_lddw(prog->insns[i - 1].code))
			i--;
		n = width(prog, i);
		if (!memcmp(&prog->insns[i], &nop, sizeof(nop)) || isa_is_exit(&prog->insns[i]))
			continue;
		memcpy(saved, &prog->insns[i], n * sizeof(saved[0]));
		for (size_t k = 0; k < n; k++)
			prog->insns[i + k] = nop;
		if (still(ctx)) {
			dropped += (unsigned)n;
			continue;
		}
		memcpy(&prog->insns[i], saved, n * sizeof(saved[0]));
	}
	return dropped;
}

/* Whether imm is a value the program computes with (not an id, a map or a
 * jump's target). */
static bool is_constant(const struct bpf_insn *insn)
{
	uint8_t class = isa_class(insn->code);

	if (isa_is_lddw(insn->code))
		return insn->src_reg == 0;
	if (isa_is_alu(insn->code) || class == BPF_ST)
		return isa_source(insn->code) == BPF_K || class == BPF_ST;
	return isa_is_jmp(insn->code) && relative_field(insn) == REL_OFF &&
	       isa_op(insn->code) != BPF_JA && isa_source(insn->code) == BPF_K;
}

/* 0 if it holds, else halved while it holds; whether it changed. */
static bool shrink_field(int32_t *field, kdiff_still_fn still, void *ctx)
{
	int32_t was = *field, keep = was;

	if (was == 0)
		return false;
	*field = 0;
	if (still(ctx))
		return true;
	for (int32_t v = was / 2; v != 0; v /= 2) {
		*field = v;
		if (!still(ctx))
			break;
		keep = v;
	}
	*field = keep;
	return keep != was;
}

static unsigned shrink_constants(struct fuzz_prog *prog, kdiff_still_fn still, void *ctx)
{
	unsigned shrunk = 0;

	for (size_t i = 0; i < prog->insn_cnt; i += width(prog, i)) {
		struct bpf_insn *insn = &prog->insns[i];

		if (!is_constant(insn))
			continue;
		if (width(prog, i) == 2) /* an lddw: its upper half first */
			shrunk += shrink_field(&insn[1].imm, still, ctx);
		shrunk += shrink_field(&insn->imm, still, ctx);
	}
	return shrunk;
}

unsigned kdiff_shrink(struct fuzz_prog *prog, kdiff_still_fn still, void *ctx)
{
	unsigned changed = 0;

	for (int round = 0; round < SHRINK_ROUNDS; round++) {
		unsigned now = delete_pass(prog, still, ctx);

		now += nop_pass(prog, still, ctx);
		now += shrink_constants(prog, still, ctx);
		changed += now;
		if (!now)
			break;
	}
	return changed;
}
