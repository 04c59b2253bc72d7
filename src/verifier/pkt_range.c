/* Packet ranges: what a comparison of a packet pointer with data_end (or of
 * data_meta with data) teaches each side of the jump, as the kernel's
 * try_match_pkt_pointers and find_good_pkt_pointers.
 *
 *     r4 = r2 (pkt, id 0)            on the side where r4 <= data_end, every
 *     r4 += 14                       packet pointer with r4's id (r2, r4 and
 *     if r4 > r3 (pkt_end) goto drop their copies, in registers and spilled,
 *     ... r2[0..13] readable ...     in every frame) has range >= 14
 *
 * A pointer that moved by a variable amount has an id of its own (the ALU's
 * part), so that a check through it says nothing of the others. On the side
 * where the pointer is past data_end, it is marked so (range
 * PKT_RANGE_AT_END / PKT_RANGE_BEYOND_END). */
#include "verifier/mem_check.h"
#include "verifier/types_env.h"

static bool reg_is_type(const struct reg_state *reg, enum reg_type type)
{
	return reg->type == type; /* no NULL-able packet pointers */
}

/* data itself, as loaded from the context (reg_is_init_pkt_pointer). */
static bool reg_is_pkt_start(const struct reg_state *reg)
{
	return reg->type == REG_PTR_TO_PACKET && reg->off == 0 &&
	       tnum_is_const(reg->var_off) && reg->var_off.value == 0;
}

/* Pointers with one id share their variable part; the tnum is compared
 * too, so that a pointer moved by a scalar is never taken for another even
 * where its id was not renewed. */
struct packet_range {
	const struct reg_state *ptr; /* as the jump saw it */
	int32_t range;
};

static void widen_range(struct reg_state *reg, void *arg)
{
	const struct packet_range *learned = arg;
	const struct reg_state *ptr = learned->ptr;

	if (reg->type == ptr->type && reg->id == ptr->id && tnum_equals(reg->var_off, ptr->var_off) &&
	    reg->range < learned->range)
		reg->range = learned->range;
}

/* `ptr` (a packet pointer, as the jump saw it) is at most data_end on st's
 * side, below it if `open`: every pointer with its id may reach `off`
 * bytes past its variable part (find_good_pkt_pointers). */
static void find_good_pkt_pointers(struct verifier_state *st, const struct reg_state *ptr,
				   bool open)
{
	struct var_bounds b = mem_var_bounds(ptr);
	int32_t range = ptr->off;

	if (ptr->off < 0 || (ptr->off == 0 && open))
		return; /* no range */
	/* ptr + (1 << 63) may be below data_end by being below data. */
	if (b.umax > MEM_MAX_PACKET_OFF || b.umax + (uint64_t)ptr->off > MEM_MAX_PACKET_OFF)
		return;
	if (open)
		range++;
	state_for_each_reg(st, widen_range, &(struct packet_range){ .ptr = ptr, .range = range });
}

/* Register regno of st's frame is past data_end (beyond: strictly). */
static void mark_pkt_end(struct verifier_state *st, uint8_t regno, bool beyond)
{
	struct reg_state *reg = &state_frame(st)->regs[regno];

	if (reg->type == REG_PTR_TO_PACKET) /* not pkt_meta, as the kernel */
		reg->range = beyond ? PKT_RANGE_BEYOND_END : PKT_RANGE_AT_END;
}

/* The sides of `ptr OP bound`: `le` where ptr <= bound (`le_open`: ptr <
 * bound), `gt` where ptr > bound (`gt_beyond`; else ptr >= bound). */
struct pkt_sides {
	struct verifier_state *le, *gt;
	bool le_open, gt_beyond;
};

/* For `dst OP src` with the pointer on the left (pkt' OP pkt_end). */
static bool sides_for_op(uint8_t op, struct verifier_state *taken, struct verifier_state *fall,
			 struct pkt_sides *s)
{
	switch (op) {
	case BPF_JGT: /* taken: ptr > bound */
		*s = (struct pkt_sides){ .le = fall, .gt = taken, .gt_beyond = true };
		return true;
	case BPF_JGE: /* taken: ptr >= bound */
		*s = (struct pkt_sides){ .le = fall, .le_open = true, .gt = taken };
		return true;
	case BPF_JLT: /* taken: ptr < bound */
		*s = (struct pkt_sides){ .le = taken, .le_open = true, .gt = fall };
		return true;
	case BPF_JLE: /* taken: ptr <= bound */
		*s = (struct pkt_sides){ .le = taken, .gt = fall, .gt_beyond = true };
		return true;
	}
	return false;
}

/* The same comparison with its operands swapped. */
static uint8_t flip_op(uint8_t op)
{
	switch (op) {
	case BPF_JGT: return BPF_JLT;
	case BPF_JGE: return BPF_JLE;
	case BPF_JLT: return BPF_JGT;
	case BPF_JLE: return BPF_JGE;
	}
	return op;
}

void types_learn_packet_range(struct types_env *env, uint32_t idx, struct verifier_state *taken,
			      struct verifier_state *fall)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];
	const struct reg_state *regs = state_frame(fall)->regs;
	const struct reg_state *dst = &regs[insn->dst_reg], *src = &regs[insn->src_reg];
	struct reg_state ptr;
	uint8_t op = isa_op(insn->code), ptr_regno;
	struct pkt_sides sides;

	/* Pointers are compared on 64 bits, register to register. */
	if (isa_source(insn->code) != BPF_X || isa_class(insn->code) == BPF_JMP32)
		return;

	if ((reg_is_type(dst, REG_PTR_TO_PACKET) && reg_is_type(src, REG_PTR_TO_PACKET_END)) ||
	    (reg_is_type(dst, REG_PTR_TO_PACKET_META) && reg_is_pkt_start(src))) {
		ptr_regno = insn->dst_reg; /* pkt' OP pkt_end, pkt_meta' OP pkt */
	} else if ((reg_is_type(dst, REG_PTR_TO_PACKET_END) && reg_is_type(src, REG_PTR_TO_PACKET)) ||
		   (reg_is_pkt_start(dst) && reg_is_type(src, REG_PTR_TO_PACKET_META))) {
		ptr_regno = insn->src_reg; /* pkt_end OP pkt', pkt OP pkt_meta' */
		op = flip_op(op);
	} else {
		return;
	}
	if (!sides_for_op(op, taken, fall, &sides))
		return;
	ptr = regs[ptr_regno]; /* before either side changes it */
	find_good_pkt_pointers(sides.le, &ptr, sides.le_open);
	mark_pkt_end(sides.gt, ptr_regno, sides.gt_beyond);
}
