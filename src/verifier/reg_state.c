/* Registers, frames and path states (see reg_state.h for the picture). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progtypes/btf_ctx.h"
#include "verifier/reg_state.h"
#include "verifier/scalar.h"

void reg_mark_not_init(struct reg_state *reg)
{
	memset(reg, 0, sizeof(*reg));
}

void reg_bounds_from_tnum(struct reg_state *reg)
{
	scalar_mark_unbounded(reg);
	scalar_bounds_sync(reg);
}

void reg_mark_unknown_bits(struct reg_state *reg, unsigned bits)
{
	memset(reg, 0, sizeof(*reg));
	reg->type = REG_SCALAR;
	reg->var_off = tnum_unknown_bits(bits);
	reg_bounds_from_tnum(reg);
}

void reg_mark_unknown(struct reg_state *reg)
{
	reg_mark_unknown_bits(reg, 64);
}

void reg_mark_const(struct reg_state *reg, uint64_t value)
{
	memset(reg, 0, sizeof(*reg));
	reg->type = REG_SCALAR;
	reg->var_off = tnum_const(value);
	reg_bounds_from_tnum(reg);
}

void reg_mark_pointer(struct reg_state *reg, uint16_t type, int32_t off)
{
	memset(reg, 0, sizeof(*reg));
	reg->type = type;
	reg->off = off;
	reg->var_off = tnum_const(0);
}

const char *reg_type_name(uint16_t type, char *buf, size_t size)
{
	static const char *const names[REG_TYPE_COUNT] = {
		[REG_NOT_INIT] = "?",
		[REG_SCALAR] = "scalar",
		[REG_PTR_TO_CTX] = "ctx",
		[REG_PTR_TO_STACK] = "fp",
		[REG_CONST_PTR_TO_MAP] = "map_ptr",
		[REG_PTR_TO_MAP_VALUE] = "map_value",
		[REG_PTR_TO_PACKET] = "pkt",
		[REG_PTR_TO_PACKET_META] = "pkt_meta",
		[REG_PTR_TO_PACKET_END] = "pkt_end",
		[REG_PTR_TO_MEM] = "mem",
		[REG_PTR_TO_RINGBUF_MEM] = "ringbuf_mem",
		[REG_PTR_TO_KERNEL_OBJ] = "kernel_obj",
		[REG_PTR_TO_FUNC] = "func",
		[REG_PTR_TO_BTF_ID] = "ptr_",
		[REG_PTR_TO_BUF] = "buf",
		[REG_PTR_TO_RDONLY_BUF] = "rdonly_buf",
		[REG_PTR_TO_SOCKET] = "sock",
		[REG_PTR_TO_SOCK_COMMON] = "sock_common",
		[REG_PTR_TO_TCP_SOCK] = "tcp_sock",
	};
	uint16_t base = type & (uint16_t)~REG_MAYBE_NULL;

	snprintf(buf, size, "%s%s", base < REG_TYPE_COUNT ? names[base] : "invalid",
		 type & REG_MAYBE_NULL ? "_or_null" : "");
	return buf;
}

/* The kernel's reg_type_str for a BTF pointer: its flags as prefixes, its
 * NULL-ness as a suffix ("trusted_ptr_or_null_"). */
const char *reg_name(const struct reg_state *reg, char *buf, size_t size)
{
	if (reg_base_type(reg) != REG_PTR_TO_BTF_ID)
		return reg_type_name(reg->type, buf, size);
	if (reg->btf_flags & BTF_PTR_MEM) {
		snprintf(buf, size, "rdonly_untrusted_mem");
		return buf;
	}
	snprintf(buf, size, "%s%s%sptr_%s", reg->btf_flags & BTF_PTR_RCU ? "rcu_" : "",
		 reg->btf_flags & BTF_PTR_UNTRUSTED ? "untrusted_" : "",
		 reg->btf_flags & BTF_PTR_TRUSTED ? "trusted_" : "",
		 reg->type & REG_MAYBE_NULL ? "or_null_" : "");
	return buf;
}

struct func_state *func_state_new(uint32_t frameno, uint32_t callsite, uint32_t subprog)
{
	struct func_state *frame = calloc(1, sizeof(*frame));

	if (!frame)
		return NULL;
	frame->frameno = frameno;
	frame->callsite = callsite;
	frame->subprog = subprog;
	reg_mark_pointer(&frame->regs[BPF_REG_10], REG_PTR_TO_STACK, 0);
	frame->regs[BPF_REG_10].frameno = (uint8_t)frameno;
	return frame;
}

void func_state_free(struct func_state *frame)
{
	if (!frame)
		return;
	free(frame->stack);
	free(frame);
}

struct stack_slot *func_state_slot(struct func_state *frame, int32_t off)
{
	uint32_t index, want;
	struct stack_slot *stack;

	if (off >= 0 || off < -ISA_MAX_STACK)
		return NULL;
	index = (uint32_t)(-off - 1) / STACK_SLOT_SIZE;
	if (index < frame->slot_cnt)
		return &frame->stack[index];
	/* Grow by 8 slots (64 bytes) at a time: stacks grow a few slots at once. */
	want = (index + 8) & ~7u;
	if (want > ISA_MAX_STACK / STACK_SLOT_SIZE)
		want = ISA_MAX_STACK / STACK_SLOT_SIZE;
	stack = realloc(frame->stack, want * sizeof(*stack));
	if (!stack)
		return NULL;
	memset(stack + frame->slot_cnt, 0, (want - frame->slot_cnt) * sizeof(*stack));
	frame->stack = stack;
	frame->slot_cnt = want;
	return &frame->stack[index];
}

static struct func_state *func_state_dup(const struct func_state *src)
{
	struct func_state *frame = malloc(sizeof(*frame));

	if (!frame)
		return NULL;
	*frame = *src;
	frame->stack = NULL;
	if (src->slot_cnt) {
		frame->stack = malloc(src->slot_cnt * sizeof(*frame->stack));
		if (!frame->stack) {
			free(frame);
			return NULL;
		}
		memcpy(frame->stack, src->stack, src->slot_cnt * sizeof(*frame->stack));
	}
	return frame;
}

struct verifier_state *state_dup(const struct verifier_state *src)
{
	struct verifier_state *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->curframe = src->curframe;
	st->callback_unroll_depth = src->callback_unroll_depth;
	st->ref_cnt = src->ref_cnt;
	memcpy(st->refs, src->refs, src->ref_cnt * sizeof(st->refs[0]));
	for (uint32_t i = 0; i <= src->curframe; i++) {
		st->frames[i] = func_state_dup(src->frames[i]);
		if (!st->frames[i]) {
			state_free(st);
			return NULL;
		}
	}
	return st;
}

void state_for_each_reg(struct verifier_state *st, void (*fn)(struct reg_state *reg, void *arg),
			void *arg)
{
	for (uint32_t f = 0; f <= st->curframe; f++) {
		struct func_state *frame = st->frames[f];

		for (int r = 0; r < BPF_REG_10; r++)
			fn(&frame->regs[r], arg);
		for (uint32_t i = 0; i < frame->slot_cnt; i++)
			if (frame->stack[i].bytes[0] == SLOT_SPILL)
				fn(&frame->stack[i].spilled, arg);
	}
}

void state_free(struct verifier_state *st)
{
	if (!st)
		return;
	for (uint32_t i = 0; i < ISA_MAX_CALL_FRAMES; i++)
		func_state_free(st->frames[i]);
	free(st);
}
