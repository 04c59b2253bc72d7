/* The stack depth of each subprogram, before the verifier's full proof.
 *
 * A frame's depth is the deepest byte below its r10 that the subprogram can
 * touch, directly (`*(u64 *)(r10 -8)`) or through a register derived from
 * r10 (`r1 = r10; r1 += -16`, then an access through r1, or r1 passed to a
 * helper or a local call, whose accesses land in this frame).
 *
 * A forward data-flow pass over the subprogram tracks, per register, whether
 * it may hold r10 + k and the range [lo, hi] of such k. Whatever it cannot
 * follow — a pointer offset by a register, a pointer stored to memory, a
 * range that keeps widening around a loop — it leaves to the proof: the
 * depth is then what the proof sees the frame touch, as the
 * kernel's check_max_stack_depth counts it after do_check (charging such a
 * frame the whole ISA_MAX_STACK bytes refused programs the kernel accepts:
 * pyperf_subprogs, 3 frames of 352 + 16 + 16 bytes). The exploration raises
 * every depth where an access through a pointer to the frame reaches deeper
 * (types.c), and the call chains are checked again with the raised depths.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "engine/prog.h"
#include "isa/isa.h"
#include "verifier/stack_depth.h"

#define WIDEN_AFTER_VISITS 16

struct fp_range {
	bool may_be_fp; /* may hold r10 + k */
	bool unknown;	/* ... with a k that is not tracked */
	int64_t lo, hi; /* the range of k when tracked */
};

struct fp_state {
	struct fp_range reg[BPF_REG_10 + 1];
};

struct depth_walk {
	const struct bpfvm_prog *prog;
	const struct subprog *sub;
	struct fp_state *in;   /* per instruction of the subprogram */
	uint8_t *visits;       /* per instruction: times its in-state grew */
	uint8_t *reached;      /* per instruction: has an in-state */
	uint8_t *queued;       /* per instruction: on the worklist */
	uint32_t *worklist;
	uint32_t current;      /* instruction being stepped */
	uint32_t worklist_len;
	uint32_t depth;	       /* deepest byte below r10 touched so far */
	int64_t bad_idx;       /* first access above r10, or -1 */
};

static const struct fp_range not_fp = { 0 };

static void charge(struct depth_walk *walk, int64_t lowest_offset)
{
	/* Below the stack is the proof's refusal, in the kernel's words
	 * ("invalid write to stack R1 off=-513 size=1"). */
	if (lowest_offset < 0 && (uint64_t)-lowest_offset > walk->depth)
		walk->depth = -lowest_offset > ISA_MAX_STACK ? ISA_MAX_STACK
							     : (uint32_t)-lowest_offset;
}

/* An access of `size` bytes at `off` through `base`. */
static void charge_access(struct depth_walk *walk, const struct fp_range *base, int16_t off,
			  unsigned size)
{
	if (!base->may_be_fp)
		return;
	/* The kernel verifier's stack rule ("invalid write to stack R1 off=8"):
	 * no access may reach r10 or above. */
	if (size > 0 && !base->unknown && base->hi + off + (int64_t)size > 0 && walk->bad_idx < 0)
		walk->bad_idx = walk->current;
	if (!base->unknown)
		charge(walk, base->lo + off);
}

/* An argument that may point into the frame is handed to a helper, which
 * may touch everything from its lowest offset up. Only there: a pointer
 * made and used at an offset (r1 = r10 - 513, then *(u8 *)(r1 +1)) costs
 * what its accesses touch, as the kernel counts; what a callee touches
 * through one is the proof's (types.c, grow_stack_depths). */
static void charge_arguments(struct depth_walk *walk, const struct fp_state *state)
{
	for (int r = BPF_REG_1; r <= BPF_REG_5; r++)
		charge_access(walk, &state->reg[r], 0, 0);
}

static void alu_transfer(const struct bpf_insn *insn, struct fp_state *state)
{
	struct fp_range *dst = &state->reg[insn->dst_reg];
	const struct fp_range *src = &state->reg[insn->src_reg];
	bool from_reg = isa_source(insn->code) == BPF_X;
	uint8_t op = isa_op(insn->code);

	if (isa_class(insn->code) == BPF_ALU) {
		*dst = not_fp; /* a 32-bit result is never a pointer */
		return;
	}
	if (op == BPF_MOV) {
		*dst = from_reg && insn->off == 0 ? *src : not_fp;
		return;
	}
	if ((op == BPF_ADD || op == BPF_SUB) && !from_reg) {
		int64_t delta = op == BPF_ADD ? insn->imm : -(int64_t)insn->imm;

		if (dst->may_be_fp && !dst->unknown) {
			dst->lo += delta;
			dst->hi += delta;
		}
		return;
	}
	if (dst->may_be_fp || (from_reg && src->may_be_fp)) {
		dst->may_be_fp = true;
		dst->unknown = true; /* pointer arithmetic this pass does not follow */
	}
}

static void clobber_caller_saved(struct fp_state *state)
{
	for (int r = BPF_REG_0; r <= BPF_REG_5; r++)
		state->reg[r] = not_fp;
}

static void memory_transfer(struct depth_walk *walk, const struct bpf_insn *insn,
			    struct fp_state *state)
{
	uint8_t class = isa_class(insn->code);

	switch (class) {
	case BPF_LDX:
		charge_access(walk, &state->reg[insn->src_reg], insn->off, isa_size_bytes(insn->code));
		state->reg[insn->dst_reg] = not_fp;
		return;
	case BPF_ST:
		charge_access(walk, &state->reg[insn->dst_reg], insn->off, isa_size_bytes(insn->code));
		return;
	case BPF_STX:
		charge_access(walk, &state->reg[insn->dst_reg], insn->off, isa_size_bytes(insn->code));
		if (isa_mode(insn->code) == BPF_ATOMIC && (insn->imm & BPF_FETCH))
			state->reg[insn->imm == BPF_CMPXCHG ? BPF_REG_0 : insn->src_reg] = not_fp;
		return;
	}
	if (isa_is_lddw(insn->code))
		state->reg[insn->dst_reg] = not_fp;
	else
		clobber_caller_saved(state); /* ld_abs / ld_ind */
}

static void transfer(struct depth_walk *walk, const struct bpf_insn *insn,
		     struct fp_state *state)
{
	if (isa_is_alu(insn->code)) {
		alu_transfer(insn, state);
	} else if (isa_is_jmp(insn->code) && isa_op(insn->code) == BPF_CALL) {
		if (insn->src_reg != BPF_PSEUDO_CALL)
			charge_arguments(walk, state);
		clobber_caller_saved(state);
	} else if (!isa_is_jmp(insn->code)) {
		memory_transfer(walk, insn, state);
	}
}

static bool join_range(struct fp_range *into, const struct fp_range *from)
{
	struct fp_range old = *into;

	if (!from->may_be_fp)
		return false;
	if (!into->may_be_fp) {
		*into = *from;
		return true;
	}
	into->unknown |= from->unknown;
	if (into->unknown) {
		into->lo = into->hi = 0; /* an untracked offset has no range */
	} else {
		into->lo = from->lo < into->lo ? from->lo : into->lo;
		into->hi = from->hi > into->hi ? from->hi : into->hi;
	}
	return memcmp(&old, into, sizeof(old)) != 0;
}

/* Every register, r10 included: a program may write r10 on a path the
 * verifier will refuse, and this pass runs before it (a loop moving r10
 * would otherwise grow its range for ever). */
static void widen(struct fp_state *state)
{
	for (int r = 0; r <= BPF_REG_10; r++) {
		if (state->reg[r].may_be_fp) {
			state->reg[r].unknown = true;
			state->reg[r].lo = state->reg[r].hi = 0;
		}
	}
}

/* Merges `state` into the in-state of instruction `idx`; queues it if that
 * grew. */
static void flow_to(struct depth_walk *walk, uint32_t idx, const struct fp_state *state)
{
	uint32_t slot = idx - walk->sub->start;
	bool grew = false;

	if (!walk->reached[slot]) {
		walk->in[slot] = *state;
		walk->reached[slot] = 1;
		grew = true;
	} else {
		for (int r = 0; r <= BPF_REG_10; r++)
			grew |= join_range(&walk->in[slot].reg[r], &state->reg[r]);
		if (grew && walk->visits[slot] < UINT8_MAX)
			walk->visits[slot]++;
		if (grew && walk->visits[slot] > WIDEN_AFTER_VISITS)
			widen(&walk->in[slot]);
	}
	if (grew && !walk->queued[slot]) {
		walk->queued[slot] = 1;
		walk->worklist[walk->worklist_len++] = idx;
	}
}

static void step(struct depth_walk *walk, uint32_t idx)
{
	const struct bpf_insn *insn = &walk->prog->insns[idx];
	struct fp_state state = walk->in[idx - walk->sub->start];
	uint32_t next = idx + (isa_is_lddw(insn->code) ? 2 : 1);
	bool is_jump = isa_is_jmp(insn->code) && isa_op(insn->code) != BPF_CALL &&
		       isa_op(insn->code) != BPF_EXIT;

	walk->current = idx;
	transfer(walk, insn, &state);
	if (isa_is_exit(insn))
		return;
	if (is_jump)
		flow_to(walk, (uint32_t)isa_jump_target(insn, idx), &state);
	if (is_jump && isa_op(insn->code) == BPF_JA)
		return;
	if (next < walk->sub->end)
		flow_to(walk, next, &state);
}

static int walk_alloc(struct depth_walk *walk, uint32_t len)
{
	walk->in = calloc(len, sizeof(*walk->in));
	walk->visits = calloc(len, 1);
	walk->reached = calloc(len, 1);
	walk->queued = calloc(len, 1);
	walk->worklist = calloc(len, sizeof(uint32_t)); /* each at most once */
	return walk->in && walk->visits && walk->reached && walk->queued && walk->worklist
		       ? 0 : -ENOMEM;
}

static void walk_release(struct depth_walk *walk)
{
	free(walk->in);
	free(walk->visits);
	free(walk->reached);
	free(walk->queued);
	free(walk->worklist);
}

static int subprog_stack_depth(const struct bpfvm_prog *prog, struct subprog *sub)
{
	struct depth_walk walk = { .prog = prog, .sub = sub, .bad_idx = -1 };
	struct fp_state entry = { 0 };
	int err;

	err = walk_alloc(&walk, sub->end - sub->start);
	if (err) {
		walk_release(&walk);
		vm_error("%s: out of memory computing stack depths", prog->name);
		return err;
	}
	entry.reg[BPF_REG_10].may_be_fp = true;
	flow_to(&walk, sub->start, &entry);
	while (walk.worklist_len > 0) {
		uint32_t idx = walk.worklist[--walk.worklist_len];

		walk.queued[idx - sub->start] = 0;
		step(&walk, idx);
	}
	walk_release(&walk);
	if (walk.bad_idx >= 0) {
		vm_error("%s: insn %lld: invalid stack access at or above the frame pointer",
			 prog->name, (long long)walk.bad_idx);
		return -EACCES;
	}
	sub->stack_depth = (walk.depth + 15) & ~15u;
	return 0;
}

int verifier_compute_stack_depths(struct bpfvm_prog *prog)
{
	for (uint32_t i = 0; i < prog->subprog_cnt; i++) {
		int err = subprog_stack_depth(prog, &prog->subprogs[i]);

		if (err)
			return err;
	}
	return 0;
}
