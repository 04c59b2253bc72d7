/* The checked interpreter's loop (engine/interp_checked.h).
 *
 * A plain switch over prog->insns, the stream the fast interpreter decoded,
 * with the operands it resolved (lddw values, helper functions) taken from
 * prog->interp, and its arithmetic from engine/interp_ops.h: both compute
 * the same results; this one checks each memory access first and charges the
 * budget one per instruction, from one budget that the run's callbacks share
 * (a mutant's bpf_loop of 2^23 calls cannot run 2^23 budgets). Frames, calls and tail calls follow
 * interpreter.c; each active frame is also a stack region of the run.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/runtime.h"
#include "engine/interp.h"
#include "engine/interp_checked.h"
#include "engine/interp_ops.h"
#include "engine/prog.h"
#include "engine/run_ctx.h"
#include "helpers/helper_proto.h"
#include "helpers/helper_table.h"
#include "helpers/kfunc_table.h"
#include "isa/isa.h"
#include "maps/map.h"
#include "maps/prog_array.h"

struct checked_frame {
	struct bpfvm_prog *prog;
	uint32_t return_to;
	uint64_t saved[5]; /* r6..r9, r10 */
};

/* One execution level: the entry program, or one callback. */
struct checked_cpu {
	struct checked_state *state;
	struct interp_run *run;
	struct bpfvm_prog *prog;
	uint32_t pc;
	uint64_t reg[11];
	unsigned depth;
	struct checked_frame frames[INTERP_RUN_FRAMES];
};

enum { STEP_NEXT = 0, STEP_DONE = 1 };

static uint64_t alu_movsx(int16_t off, uint64_t src, bool is64)
{
	switch (off) {
	case 8: return is64 ? (uint64_t)(int64_t)(int8_t)src : (uint32_t)(int32_t)(int8_t)src;
	case 16: return is64 ? (uint64_t)(int64_t)(int16_t)src : (uint32_t)(int32_t)(int16_t)src;
	default: return (uint64_t)(int64_t)(int32_t)src; /* as interp_decode: movsx32 */
	}
}

static uint64_t alu64(uint8_t op, int16_t off, uint64_t dst, uint64_t src)
{
	switch (op) {
	case BPF_ADD: return dst + src;
	case BPF_SUB: return dst - src;
	case BPF_MUL: return dst * src;
	case BPF_DIV: return off == ISA_OFF_SIGNED ? sdiv64(dst, src) : src ? dst / src : 0;
	case BPF_MOD: return off == ISA_OFF_SIGNED ? smod64(dst, src) : src ? dst % src : dst;
	case BPF_OR: return dst | src;
	case BPF_AND: return dst & src;
	case BPF_LSH: return dst << (src & 63);
	case BPF_RSH: return dst >> (src & 63);
	case BPF_ARSH: return (uint64_t)((int64_t)dst >> (src & 63));
	case BPF_XOR: return dst ^ src;
	case BPF_NEG: return 0 - dst;
	default: return src; /* BPF_MOV */
	}
}

static uint64_t alu32(uint8_t op, int16_t off, uint32_t dst, uint32_t src)
{
	switch (op) {
	case BPF_ADD: return (uint32_t)(dst + src);
	case BPF_SUB: return (uint32_t)(dst - src);
	case BPF_MUL: return (uint32_t)(dst * src);
	case BPF_DIV: return off == ISA_OFF_SIGNED ? sdiv32(dst, src) : src ? dst / src : 0;
	case BPF_MOD: return off == ISA_OFF_SIGNED ? smod32(dst, src) : src ? dst % src : dst;
	case BPF_OR: return dst | src;
	case BPF_AND: return dst & src;
	case BPF_LSH: return dst << (src & 31);
	case BPF_RSH: return dst >> (src & 31);
	case BPF_ARSH: return (uint32_t)((int32_t)dst >> (src & 31));
	case BPF_XOR: return dst ^ src;
	case BPF_NEG: return (uint32_t)(0 - dst);
	default: return src; /* BPF_MOV */
	}
}

/* BPF_END: x86-64 is little-endian, so to-LE truncates and to-BE swaps. */
static uint64_t alu_end(const struct bpf_insn *insn, uint64_t dst)
{
	bool swap = isa_class(insn->code) == BPF_ALU64 || isa_source(insn->code) == BPF_TO_BE;

	switch (insn->imm) {
	case 16: return swap ? __builtin_bswap16((uint16_t)dst) : (uint16_t)dst;
	case 32: return swap ? __builtin_bswap32((uint32_t)dst) : (uint32_t)dst;
	default: return swap ? __builtin_bswap64(dst) : dst;
	}
}

static void step_alu(struct checked_cpu *cpu, const struct bpf_insn *insn)
{
	bool is64 = isa_class(insn->code) == BPF_ALU64;
	bool from_reg = isa_source(insn->code) == BPF_X;
	uint8_t op = isa_op(insn->code);
	uint64_t *dst = &cpu->reg[insn->dst_reg];
	uint64_t src = from_reg ? cpu->reg[insn->src_reg] : (uint64_t)(int64_t)insn->imm;

	if (op == BPF_END)
		*dst = alu_end(insn, *dst);
	else if (op == BPF_MOV && from_reg && insn->off != 0)
		*dst = alu_movsx(insn->off, src, is64 || insn->off == 32);
	else if (is64)
		*dst = alu64(op, insn->off, *dst, src);
	else
		*dst = alu32(op, insn->off, (uint32_t)*dst, (uint32_t)src);
}

static bool jump_taken(const struct checked_cpu *cpu, const struct bpf_insn *insn)
{
	bool is64 = isa_class(insn->code) == BPF_JMP;
	uint64_t a = cpu->reg[insn->dst_reg];
	uint64_t b = isa_source(insn->code) == BPF_X ? cpu->reg[insn->src_reg]
						     : (uint64_t)(int64_t)insn->imm;
	int64_t sa = is64 ? (int64_t)a : (int32_t)a, sb = is64 ? (int64_t)b : (int32_t)b;

	if (!is64)
		a = (uint32_t)a, b = (uint32_t)b;
	switch (isa_op(insn->code)) {
	case BPF_JA: return true;
	case BPF_JEQ: return a == b;
	case BPF_JGT: return a > b;
	case BPF_JGE: return a >= b;
	case BPF_JSET: return (a & b) != 0;
	case BPF_JNE: return a != b;
	case BPF_JSGT: return sa > sb;
	case BPF_JSGE: return sa >= sb;
	case BPF_JLT: return a < b;
	case BPF_JLE: return a <= b;
	case BPF_JSLT: return sa < sb;
	default: return sa <= sb; /* BPF_JSLE */
	}
}

static uint64_t mem_load(uint64_t addr, unsigned size)
{
	switch (size) {
	case 1: return load_u8(addr);
	case 2: return load_u16(addr);
	case 4: return load_u32(addr);
	default: return load_u64(addr);
	}
}

static void mem_store(uint64_t addr, unsigned size, uint64_t value)
{
	switch (size) {
	case 1: store_u8(addr, value); break;
	case 2: store_u16(addr, value); break;
	case 4: store_u32(addr, value); break;
	default: store_u64(addr, value); break;
	}
}

static uint64_t sign_extend(uint64_t value, unsigned size)
{
	switch (size) {
	case 1: return (uint64_t)(int64_t)(int8_t)value;
	case 2: return (uint64_t)(int64_t)(int16_t)value;
	default: return (uint64_t)(int64_t)(int32_t)value;
	}
}

#define ATOMIC_CASES(type, ptr, src, r0)                                                    \
	switch (imm) {                                                                      \
	case BPF_ADD: __atomic_fetch_add(ptr, (type)*(src), __ATOMIC_SEQ_CST); break;       \
	case BPF_AND: __atomic_fetch_and(ptr, (type)*(src), __ATOMIC_SEQ_CST); break;       \
	case BPF_OR: __atomic_fetch_or(ptr, (type)*(src), __ATOMIC_SEQ_CST); break;         \
	case BPF_XOR: __atomic_fetch_xor(ptr, (type)*(src), __ATOMIC_SEQ_CST); break;       \
	case BPF_ADD | BPF_FETCH: *(src) = __atomic_fetch_add(ptr, (type)*(src), __ATOMIC_SEQ_CST); break; \
	case BPF_AND | BPF_FETCH: *(src) = __atomic_fetch_and(ptr, (type)*(src), __ATOMIC_SEQ_CST); break; \
	case BPF_OR | BPF_FETCH: *(src) = __atomic_fetch_or(ptr, (type)*(src), __ATOMIC_SEQ_CST); break;   \
	case BPF_XOR | BPF_FETCH: *(src) = __atomic_fetch_xor(ptr, (type)*(src), __ATOMIC_SEQ_CST); break; \
	case BPF_XCHG: *(src) = __atomic_exchange_n(ptr, (type)*(src), __ATOMIC_SEQ_CST); break; \
	default: {                                                                          \
		type expected = (type)*(r0);                                                \
		__atomic_compare_exchange_n(ptr, &expected, (type)*(src), 0, __ATOMIC_SEQ_CST, \
					    __ATOMIC_SEQ_CST);                              \
		*(r0) = expected;                                                           \
	}                                                                                   \
	}

/* As interpreter.c's ATOMIC_OPS: fetch forms write the old value to src. */
static void mem_atomic(uint64_t addr, unsigned size, int32_t imm, uint64_t *src, uint64_t *r0)
{
	if (size == 4) {
		uint32_t *ptr = (uint32_t *)(uintptr_t)addr;

		ATOMIC_CASES(uint32_t, ptr, src, r0)
	} else {
		uint64_t *ptr = (uint64_t *)(uintptr_t)addr;

		ATOMIC_CASES(uint64_t, ptr, src, r0)
	}
}

static int step_mem(struct checked_cpu *cpu, const struct bpf_insn *insn)
{
	unsigned size = isa_size_bytes(insn->code);
	uint64_t *reg = cpu->reg;
	uint64_t addr;
	int err;

	if (isa_class(insn->code) == BPF_LDX) {
		addr = reg[insn->src_reg] + (int64_t)insn->off;
		err = checked_access(cpu->state, addr, size, false, "read");
		if (!err)
			reg[insn->dst_reg] = isa_mode(insn->code) == BPF_MEMSX
						     ? sign_extend(mem_load(addr, size), size)
						     : mem_load(addr, size);
		return err;
	}
	addr = reg[insn->dst_reg] + (int64_t)insn->off;
	if (isa_mode(insn->code) == BPF_ATOMIC) {
		err = checked_access(cpu->state, addr, size, true, "atomic");
		if (!err)
			mem_atomic(addr, size, insn->imm, &reg[insn->src_reg], &reg[0]);
		return err;
	}
	err = checked_access(cpu->state, addr, size, true, "write");
	if (!err)
		mem_store(addr, size,
			  isa_class(insn->code) == BPF_ST ? (uint64_t)(int64_t)insn->imm
							  : reg[insn->src_reg]);
	return err;
}

/* lddw: the value interp_decode() resolved; a map value it names becomes a
 * region (its whole value: the offset is only where the pointer starts). */
static int step_lddw(struct checked_cpu *cpu, const struct bpf_insn *insn)
{
	struct bpfvm_map *map;
	void *base = NULL;

	cpu->reg[insn->dst_reg] = (uint64_t)cpu->prog->interp->insns[cpu->pc].imm;
	cpu->pc += 2;
	if (insn->src_reg != BPF_PSEUDO_MAP_IDX_VALUE)
		return 0;
	map = cpu->prog->maps[insn->imm];
	if (map->ops->direct_value_addr(map, 0, &base))
		return 0;
	return checked_add_region(cpu->state, CHECKED_MAP_VALUE, (uint64_t)(uintptr_t)base,
				  map_value_size(map), map_flags(map) & BPF_F_RDONLY_PROG, map);
}

/* Legacy packet loads: out of range is `r0 = 0; exit` (interpreter.c). */
static bool step_ld_packet(struct checked_cpu *cpu, const struct bpf_insn *insn)
{
	uint64_t offset = (uint64_t)insn->imm, value;

	if (isa_mode(insn->code) == BPF_IND)
		offset = (uint32_t)((uint32_t)cpu->reg[insn->src_reg] + (uint32_t)insn->imm);
	if (!packet_load(cpu->run, offset, isa_size_bytes(insn->code), &value)) {
		cpu->reg[0] = 0;
		return false;
	}
	cpu->reg[0] = value;
	cpu->pc++;
	return true;
}

static void set_position(struct checked_cpu *cpu)
{
	cpu->state->prog = cpu->prog;
	cpu->state->insn_idx = cpu->pc;
}

/* A helper's prototype, or for a kfunc call (src_reg 2) the kfunc's. */
static const struct helper_proto *call_proto(const struct checked_cpu *cpu, uint64_t id,
					     bool kfunc)
{
	const struct helper_entry *entry;
	const struct kfunc_entry *kentry;

	if (kfunc) {
		kentry = kfunc_table_find(&cpu->prog->vm->kfuncs, (uint32_t)id);
		return kentry ? &kentry->proto : NULL;
	}
	entry = helper_table_find(&cpu->prog->vm->helpers, id);
	return entry ? entry->proto : NULL;
}

static int step_helper(struct checked_cpu *cpu, uint64_t id, bpfvm_helper_fn fn, bool kfunc)
{
	const struct helper_proto *proto = call_proto(cpu, id, kfunc);
	struct run_ctx *run_ctx = cpu->run->run;
	uint32_t outer_helper = cpu->state->helper_id;
	uint64_t args[5];
	int err;

	memcpy(args, &cpu->reg[1], sizeof(args));
	if (proto) {
		err = checked_helper_args(cpu->state, proto, args);
		if (err)
			return err;
	}
	cpu->state->helper_id = kfunc ? KFUNC_PROTO_ID : (uint32_t)id;
	cpu->reg[0] = fn(args[0], args[1], args[2], args[3], args[4]);
	cpu->state->helper_id = outer_helper;
	set_position(cpu); /* a callback ran elsewhere */
	if (run_ctx->error)
		return run_ctx->error;
	cpu->pc++;
	return proto ? checked_helper_result(cpu->state, proto, args, cpu->reg[0]) : 0;
}

static int step_callx(struct checked_cpu *cpu, const struct bpf_insn *insn)
{
	const struct interp_code *code = cpu->prog->interp;
	uint64_t id = cpu->reg[insn->dst_reg];

	if (id >= code->callx_helper_cnt || !code->callx_helpers[id]) {
		vm_error("%s: insn %u: callx r%u: no helper with id %llu", cpu->prog->name,
			 cpu->pc, insn->dst_reg, (unsigned long long)id);
		return -EINVAL;
	}
	return step_helper(cpu, id, code->callx_helpers[id], false);
}

/* SEMANTICS.md, tail calls: as interpreter.c, and r1 must be the context and
 * r2 a map of the run (the verifier's rules), or the run traps. */
static int step_tail_call(struct checked_cpu *cpu)
{
	struct run_ctx *run_ctx = cpu->run->run;
	struct bpfvm_prog *target;

	if (cpu->reg[1] != cpu->state->ctx)
		return checked_trap(cpu->state, "tail call: r1 0x%llx is not the context",
				    (unsigned long long)cpu->reg[1]);
	if (!checked_known_map(cpu->state, cpu->reg[2]))
		return checked_trap(cpu->state, "tail call: r2 0x%llx is not a map of the run",
				    (unsigned long long)cpu->reg[2]);
	cpu->pc++;
	if (run_ctx->tail_call_cnt >= MAX_TAIL_CALL_CNT)
		return 0;
	target = prog_array_get((const struct bpfvm_map *)(uintptr_t)cpu->reg[2],
				(uint32_t)cpu->reg[3]);
	if (!target || !tail_call_fits(cpu->run, target, cpu->depth, cpu->reg[10]))
		return 0;
	run_ctx->tail_call_cnt++;
	run_ctx->prog = target;
	cpu->prog = target;
	cpu->pc = 0;
	checked_resize_frame(cpu->state, target->subprogs[0].stack_depth);
	return checked_add_prog_maps(cpu->state, target);
}

static int step_local_call(struct checked_cpu *cpu, const struct bpf_insn *insn)
{
	uint32_t target = (uint32_t)isa_jump_target(insn, cpu->pc);
	struct checked_frame *frame;

	if (cpu->depth >= INTERP_RUN_FRAMES)
		return checked_trap(cpu->state, "more than %d frames", INTERP_RUN_FRAMES);
	frame = &cpu->frames[cpu->depth++];
	frame->prog = cpu->prog;
	frame->return_to = cpu->pc + 1;
	memcpy(frame->saved, &cpu->reg[6], sizeof(frame->saved));
	cpu->reg[10] -= prog_subprog_of(cpu->prog, cpu->pc)->stack_depth;
	cpu->pc = target;
	return checked_push_frame(cpu->state, cpu->reg[10],
				  prog_subprog_of(cpu->prog, target)->stack_depth);
}

static int step_exit(struct checked_cpu *cpu, uint64_t *retval)
{
	struct checked_frame *frame;

	if (cpu->depth == 0) {
		*retval = cpu->reg[0];
		return STEP_DONE;
	}
	frame = &cpu->frames[--cpu->depth];
	memcpy(&cpu->reg[6], frame->saved, sizeof(frame->saved));
	cpu->prog = frame->prog;
	cpu->pc = frame->return_to;
	checked_pop_frame(cpu->state);
	return STEP_NEXT;
}

static int step_jmp(struct checked_cpu *cpu, const struct bpf_insn *insn, uint64_t *retval)
{
	if (isa_is_exit(insn))
		return step_exit(cpu, retval);
	if (isa_is_callx(insn))
		return step_callx(cpu, insn);
	if (isa_is_local_call(insn))
		return step_local_call(cpu, insn);
	if (isa_is_helper_call(insn) && insn->imm == BPF_FUNC_tail_call)
		return step_tail_call(cpu);
	if (isa_op(insn->code) == BPF_CALL)
		return step_helper(cpu, (uint64_t)(uint32_t)insn->imm,
				   cpu->prog->interp->insns[cpu->pc].helper, isa_is_kfunc_call(insn));
	if (jump_taken(cpu, insn))
		cpu->pc = (uint32_t)isa_jump_target(insn, cpu->pc);
	else
		cpu->pc++;
	return STEP_NEXT;
}

static int step(struct checked_cpu *cpu, uint64_t *retval)
{
	const struct bpf_insn *insn = &cpu->prog->insns[cpu->pc];
	int err;

	switch (isa_class(insn->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		step_alu(cpu, insn);
		cpu->pc++;
		return STEP_NEXT;
	case BPF_JMP:
	case BPF_JMP32:
		return step_jmp(cpu, insn, retval);
	case BPF_LD:
		if (isa_is_lddw(insn->code))
			return step_lddw(cpu, insn);
		return step_ld_packet(cpu, insn) ? STEP_NEXT : step_exit(cpu, retval);
	default:
		err = step_mem(cpu, insn);
		cpu->pc++;
		return err;
	}
}

static int run_loop(struct checked_cpu *cpu, uint64_t *retval)
{
	int ret;

	for (;;) {
		if (--cpu->state->budget < 0) {
			vm_error("%s: insn %u: instruction budget of %lld exhausted",
				 cpu->prog->name, cpu->pc, (long long)cpu->run->budget);
			return -ETIME;
		}
		set_position(cpu);
		ret = step(cpu, retval);
		if (ret)
			return ret < 0 ? ret : 0;
	}
}

static int execute_level(struct checked_state *state, struct bpfvm_prog *prog,
			 uint32_t entry_idx, struct interp_run *run, uint64_t *retval)
{
	struct checked_cpu *cpu = calloc(1, sizeof(*cpu));
	uint32_t frame_base = state->frame_cnt;
	int err;

	if (!cpu)
		return -ENOMEM;
	cpu->state = state;
	cpu->run = run;
	cpu->prog = prog;
	cpu->pc = entry_idx;
	memcpy(&cpu->reg[1], run->args, sizeof(run->args));
	cpu->reg[10] = (uint64_t)(uintptr_t)run->stack_top;
	err = checked_push_frame(state, cpu->reg[10],
				 prog_subprog_of(prog, entry_idx)->stack_depth);
	if (!err)
		err = run_loop(cpu, retval);
	state->frame_cnt = frame_base;
	free(cpu);
	return err;
}

int interp_checked_execute(struct bpfvm_prog *prog, uint32_t entry_idx, struct interp_run *run,
			   uint64_t *retval)
{
	struct run_ctx *run_ctx = run->run;
	struct checked_state outermost;
	int err;

	if (run_ctx->checked_state) { /* a callback of the run (checked_helper_args
				       * checked that entry_idx starts a function) */
		err = checked_callback_args(run_ctx->checked_state, run->args);
		return err ? err : execute_level(run_ctx->checked_state, prog, entry_idx, run, retval);
	}
	err = checked_state_init(&outermost, prog, run, (uint64_t)(uintptr_t)run_ctx->ctx);
	if (!err) {
		run_ctx->checked_state = &outermost;
		err = execute_level(&outermost, prog, entry_idx, run, retval);
		err = checked_end_run(&outermost, err);
		run_ctx->checked_state = NULL;
	}
	checked_state_release(&outermost);
	return err;
}
