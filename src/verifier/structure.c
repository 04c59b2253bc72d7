/* The structural check: what must hold of a program before any engine may
 * decode it, whatever values flow through it.
 *
 * - every opcode is defined, with its reserved fields zero (the kernel's
 *   "uses reserved fields" rule) and its registers in r0..r10 (writes to
 *   r10 are refused by the walk, on the paths that make them, as the
 *   kernel does);
 * - every jump lands on an instruction of its own subprogram, never inside an
 *   lddw pair, and no subprogram falls off its end;
 * - calls go to registered helpers or to instructions of the program, with no
 *   recursion, at most ISA_MAX_CALL_FRAMES frames and ISA_MAX_STACK bytes of
 *   stack along any chain of calls.
 *
 * It also lays out the subprograms and their stack depths (stack_depth.c)
 * for the engines. The full safety proof (types, bounds, initialisation) is
 * the verifier's abstract interpretation.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/runtime.h"
#include "engine/prog.h"
#include "helpers/helper_proto.h"
#include "helpers/kfunc_table.h"
#include "isa/helper_names.h"
#include "isa/isa.h"
#include "maps/map.h"
#include "progtypes/progtype.h"
#include "verifier/stack_depth.h"
#include "verifier/structure.h"

static int reject(const struct bpfvm_prog *prog, uint32_t idx, const char *reason)
{
	vm_error("%s: insn %u: %s", prog->name, idx, reason);
	return -EINVAL;
}

/* The kernel's words for an opcode it does not know. */
static int reject_opcode(const struct bpfvm_prog *prog, uint32_t idx)
{
	vm_error("%s: insn %u: unknown opcode %02x", prog->name, idx, prog->insns[idx].code);
	return -EINVAL;
}

static bool alu_fields_valid(const struct bpf_insn *insn)
{
	bool is64 = isa_class(insn->code) == BPF_ALU64;
	bool from_reg = isa_source(insn->code) == BPF_X;
	uint8_t op = isa_op(insn->code);

	switch (op) {
	case BPF_NEG:
		return !from_reg && insn->src_reg == 0 && insn->off == 0 && insn->imm == 0;
	case BPF_END:
		if (is64 && from_reg)
			return false; /* bswap has no to-BE form */
		return insn->src_reg == 0 && insn->off == 0 &&
		       (insn->imm == 16 || insn->imm == 32 || insn->imm == 64);
	case BPF_MOV:
		if (!from_reg)
			return insn->src_reg == 0 && insn->off == 0;
		return insn->imm == 0 && (insn->off == 0 || insn->off == 8 || insn->off == 16 ||
					  (is64 && insn->off == 32));
	case BPF_DIV:
	case BPF_MOD:
		if (insn->off != 0 && insn->off != ISA_OFF_SIGNED)
			return false;
		break;
	case BPF_ADD: case BPF_SUB: case BPF_MUL: case BPF_OR: case BPF_AND:
	case BPF_LSH: case BPF_RSH: case BPF_ARSH: case BPF_XOR:
		if (insn->off != 0)
			return false;
		break;
	default:
		return false;
	}
	return from_reg ? insn->imm == 0 : insn->src_reg == 0;
}

static int check_helper_call(const struct bpfvm_prog *prog, uint32_t idx)
{
	const struct bpf_insn *insn = &prog->insns[idx];

	const char *kernel_name = isa_helper_name(insn->imm);
	const struct helper_entry *entry = helper_table_find(&prog->vm->helpers, (uint32_t)insn->imm);

	if (entry && entry->proto &&
	    (!progtype_has_helper(prog->progtype, (uint32_t)insn->imm, entry->proto->families) ||
	     !progtype_attach_allows_helper(prog, (uint32_t)insn->imm))) {
		/* The kernel's message when a type's func_proto has no entry. */
		vm_error("%s: insn %u: program of this type cannot use helper %s#%d "
			 "(program type %s)", prog->name, idx, entry->name, insn->imm,
			 prog->progtype->name);
		return -EINVAL;
	}
	if (!entry) {
		if (insn->imm == ISA_CORE_POISON_HELPER)
			return 0; /* rejected when reached (types_helper.c) */
		if (kernel_name)
			vm_error("%s: insn %u: helper %s#%d is not provided by bpfvm", prog->name,
				 idx, kernel_name, insn->imm);
		else
			vm_error("%s: insn %u: invalid func unknown#%d", prog->name, idx,
				 insn->imm);
		return -EINVAL;
	}
	return 0;
}

static int check_call(const struct bpfvm_prog *prog, uint32_t idx)
{
	const struct bpf_insn *insn = &prog->insns[idx];

	if (isa_class(insn->code) != BPF_JMP)
		return reject(prog, idx, "invalid BPF_JMP32 call");
	if (isa_source(insn->code) == BPF_X) /* callx: helper id in dst */
		return insn->src_reg || insn->off || insn->imm ?
			       reject(prog, idx, "callx uses reserved fields") : 0;
	if (insn->dst_reg || insn->off)
		return reject(prog, idx, "BPF_CALL uses reserved fields");
	if (insn->src_reg == BPF_PSEUDO_CALL)
		return 0; /* the target is checked with the other jumps */
	if (insn->src_reg == BPF_PSEUDO_KFUNC_CALL) {
		if (kfunc_table_find(&prog->vm->kfuncs, (uint32_t)insn->imm))
			return 0;
		vm_error("%s: insn %u: call to kernel function (BTF id %d): no runtime function "
			 "is registered for it", prog->name, idx, insn->imm);
		return -EINVAL;
	}
	if (insn->src_reg != 0)
		return reject(prog, idx, "BPF_CALL with an unknown source (src_reg)");
	return check_helper_call(prog, idx);
}

static int check_jmp(const struct bpfvm_prog *prog, uint32_t idx)
{
	const struct bpf_insn *insn = &prog->insns[idx];
	bool from_reg = isa_source(insn->code) == BPF_X;

	switch (isa_op(insn->code)) {
	case BPF_CALL:
		return check_call(prog, idx);
	case BPF_EXIT:
		if (isa_class(insn->code) != BPF_JMP || from_reg || insn->src_reg ||
		    insn->dst_reg || insn->off || insn->imm)
			return reject(prog, idx, "BPF_EXIT uses reserved fields");
		return 0;
	case BPF_JA:
		if (from_reg || insn->src_reg || insn->dst_reg ||
		    (isa_class(insn->code) == BPF_JMP ? insn->imm : insn->off))
			return reject(prog, idx, "BPF_JA uses reserved fields");
		return 0;
	case BPF_JEQ: case BPF_JGT: case BPF_JGE: case BPF_JSET: case BPF_JNE:
	case BPF_JSGT: case BPF_JSGE: case BPF_JLT: case BPF_JLE: case BPF_JSLT:
	case BPF_JSLE:
		if (from_reg ? insn->imm != 0 : insn->src_reg != 0)
			return reject(prog, idx, "conditional jump uses reserved fields");
		return 0;
	}
	return reject_opcode(prog, idx);
}

static int check_stack_offset(const struct bpfvm_prog *prog, uint32_t idx, uint8_t base)
{
	const struct bpf_insn *insn = &prog->insns[idx];
	int size = (int)isa_size_bytes(insn->code);

	if (base != BPF_REG_10)
		return 0;
	/* -EACCES, the kernel's errno here: an access through r10 whose end
	 * is above the frame starts above it or is misaligned. */
	if (insn->off + size > 0 || insn->off < -ISA_MAX_STACK) {
		vm_error("%s: insn %u: invalid %s stack R10 off=%d size=%d", prog->name, idx,
			 isa_class(insn->code) == BPF_LDX ? "read from" : "write to", insn->off, size);
		return -EACCES;
	}
	return 0;
}

static bool atomic_op_valid(int32_t imm)
{
	switch (imm) {
	case BPF_ADD: case BPF_AND: case BPF_OR: case BPF_XOR:
	case BPF_ADD | BPF_FETCH: case BPF_AND | BPF_FETCH: case BPF_OR | BPF_FETCH:
	case BPF_XOR | BPF_FETCH: case BPF_XCHG: case BPF_CMPXCHG:
		return true;
	}
	return false;
}

/* An lddw of a map (BPF_PSEUDO_MAP_IDX) or of an address inside its value
 * (BPF_PSEUDO_MAP_IDX_VALUE, second imm = offset): the loader's form, where
 * imm indexes the program's maps. */
static int check_lddw_map(const struct bpfvm_prog *prog, uint32_t idx)
{
	const struct bpf_insn *insn = &prog->insns[idx];
	struct bpfvm_map *map;
	void *value;
	int err;

	if (insn->imm < 0 || (uint32_t)insn->imm >= prog->map_cnt) {
		vm_error("%s: insn %u: lddw refers to map index %d of %u", prog->name, idx,
			 insn->imm, prog->map_cnt);
		return -EINVAL;
	}
	map = prog->maps[insn->imm];
	if (insn->src_reg == BPF_PSEUDO_MAP_IDX)
		return insn[1].imm ? reject(prog, idx, "lddw of a map pointer with an offset") : 0;
	if (!map->ops->direct_value_addr) {
		vm_error("%s: insn %u: map '%s' has no direct value access", prog->name, idx,
			 map->region->name);
		return -EINVAL;
	}
	err = map->ops->direct_value_addr(map, (uint32_t)insn[1].imm, &value);
	if (err) {
		vm_error("%s: insn %u: invalid access to map value pointer, value_size=%u off=%u",
			 prog->name, idx, map->region->value_size, (uint32_t)insn[1].imm);
		return err;
	}
	return 0;
}

static int check_lddw(const struct bpfvm_prog *prog, uint32_t idx)
{
	const struct bpf_insn *insn = &prog->insns[idx];
	const struct bpf_insn *second = insn + 1;

	if (idx + 1 >= prog->insn_cnt)
		return reject(prog, idx, "lddw is missing its second half");
	if (second->code || second->dst_reg || second->src_reg || second->off || insn->off)
		return reject(prog, idx, "invalid bpf_ld_imm64 insn");
	switch (insn->src_reg) {
	case 0:
	case BPF_PSEUDO_FUNC:
		return 0;
	case BPF_PSEUDO_MAP_IDX:
	case BPF_PSEUDO_MAP_IDX_VALUE:
		return check_lddw_map(prog, idx);
	}
	if (insn->src_reg != 0) {
		vm_error("%s: insn %u: lddw with pseudo source %u (a map or BTF reference) needs "
			 "an object loader", prog->name, idx, insn->src_reg);
		return -EINVAL;
	}
	return 0;
}

static int check_ld(const struct bpfvm_prog *prog, uint32_t idx)
{
	const struct bpf_insn *insn = &prog->insns[idx];
	uint8_t mode = isa_mode(insn->code);

	if (isa_is_lddw(insn->code))
		return check_lddw(prog, idx);
	if ((mode != BPF_ABS && mode != BPF_IND) || isa_size(insn->code) == BPF_DW)
		return reject_opcode(prog, idx);
	if (insn->dst_reg || insn->off || (mode == BPF_ABS && insn->src_reg))
		return reject(prog, idx, "BPF_LD_[ABS|IND] uses reserved fields");
	return 0;
}

static int check_memory(const struct bpfvm_prog *prog, uint32_t idx)
{
	const struct bpf_insn *insn = &prog->insns[idx];
	uint8_t mode = isa_mode(insn->code);

	switch (isa_class(insn->code)) {
	case BPF_LDX:
		if ((mode != BPF_MEM && mode != BPF_MEMSX) || insn->imm ||
		    (mode == BPF_MEMSX && isa_size(insn->code) == BPF_DW))
			return reject(prog, idx, "BPF_LDX uses reserved fields");
		return check_stack_offset(prog, idx, insn->src_reg);
	case BPF_ST:
		if (mode != BPF_MEM || insn->src_reg)
			return reject(prog, idx, "invalid BPF_ST opcode or reserved fields");
		return check_stack_offset(prog, idx, insn->dst_reg);
	case BPF_STX:
		if (mode == BPF_ATOMIC) {
			if (isa_size(insn->code) != BPF_W && isa_size(insn->code) != BPF_DW)
				return reject(prog, idx, "invalid atomic operand size");
			if (!atomic_op_valid(insn->imm))
				return reject(prog, idx, "invalid atomic operation");
			if (insn->dst_reg == BPF_REG_10 &&
			    insn->off % (int)isa_size_bytes(insn->code) != 0) {
				/* The kernel keeps the stack strictly aligned, and an
				 * atomic through a misaligned pointer is undefined in C. */
				vm_error("%s: insn %u: misaligned stack access off %d size %u",
					 prog->name, idx, insn->off, isa_size_bytes(insn->code));
				return -EINVAL;
			}
		} else if (mode != BPF_MEM || insn->imm) {
			return reject(prog, idx, "invalid BPF_STX opcode or reserved fields");
		}
		return check_stack_offset(prog, idx, insn->dst_reg);
	}
	return check_ld(prog, idx);
}

static int check_insn(const struct bpfvm_prog *prog, uint32_t idx)
{
	const struct bpf_insn *insn = &prog->insns[idx];

	if (insn->dst_reg > BPF_REG_10 || insn->src_reg > BPF_REG_10) {
		vm_error("%s: insn %u: R%u is invalid", prog->name, idx,
			 insn->dst_reg > BPF_REG_10 ? insn->dst_reg : insn->src_reg);
		return -EINVAL;
	}
	/* Writes to r10 are refused on the paths that make them (types_walk):
	 * the kernel accepts one in code that no path reaches. */
	if (isa_is_alu(insn->code))
		return alu_fields_valid(insn) ? 0 : reject_opcode(prog, idx);
	if (isa_is_jmp(insn->code))
		return check_jmp(prog, idx);
	return check_memory(prog, idx);
}

/* ---- subprograms ---------------------------------------------------- */

static int compare_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Whether the instruction at idx starts a subprogram at *start: a local call
 * or an lddw of a function address. */
static bool subprog_start_of(const struct bpf_insn *insn, uint32_t idx, int64_t *start)
{
	if (isa_is_local_call(insn))
		*start = isa_jump_target(insn, idx);
	else if (isa_is_lddw(insn->code) && insn->src_reg == BPF_PSEUDO_FUNC)
		*start = (int64_t)idx + 1 + insn->imm;
	else
		return false;
	return true;
}

static int find_subprogs(struct bpfvm_prog *prog)
{
	uint32_t *starts, count = 1;
	int64_t start;

	starts = malloc((prog->insn_cnt + 1) * sizeof(*starts));
	if (!starts) {
		vm_error("%s: out of memory finding subprograms", prog->name);
		return -ENOMEM;
	}
	starts[0] = 0;
	for (uint32_t idx = 0; idx < prog->insn_cnt; idx++) {
		if (subprog_start_of(&prog->insns[idx], idx, &start)) {
			if (start < 0 || start >= (int64_t)prog->insn_cnt) {
				free(starts);
				return reject(prog, idx, "call to invalid destination");
			}
			starts[count++] = (uint32_t)start;
		}
		if (isa_is_lddw(prog->insns[idx].code))
			idx++;
	}
	qsort(starts, count, sizeof(*starts), compare_u32);
	prog->subprogs = calloc(count, sizeof(*prog->subprogs));
	if (!prog->subprogs) {
		free(starts);
		vm_error("%s: out of memory finding subprograms", prog->name);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < count; i++) {
		if (i > 0 && starts[i] == starts[i - 1])
			continue;
		prog->subprogs[prog->subprog_cnt++].start = starts[i];
	}
	for (uint32_t i = 0; i < prog->subprog_cnt; i++)
		prog->subprogs[i].end = i + 1 < prog->subprog_cnt ? prog->subprogs[i + 1].start
								   : prog->insn_cnt;
	free(starts);
	return 0;
}

/* Marks the second slot of every lddw, which no jump may land on. */
static uint8_t *mark_lddw_second_halves(const struct bpfvm_prog *prog)
{
	uint8_t *second_half = calloc(prog->insn_cnt, 1);

	if (!second_half)
		return NULL;
	for (uint32_t idx = 0; idx + 1 < prog->insn_cnt; idx++)
		if (isa_is_lddw(prog->insns[idx].code))
			second_half[++idx] = 1;
	return second_half;
}

static bool is_jump_with_target(const struct bpf_insn *insn)
{
	return isa_is_jmp(insn->code) && isa_op(insn->code) != BPF_EXIT &&
	       isa_op(insn->code) != BPF_CALL;
}

static int check_jump_targets(const struct bpfvm_prog *prog, const uint8_t *second_half)
{
	for (uint32_t idx = 0; idx < prog->insn_cnt; idx++) {
		const struct bpf_insn *insn = &prog->insns[idx];
		const struct subprog *sub = prog_subprog_of(prog, idx);
		int64_t target;

		if (isa_is_lddw(insn->code)) {
			idx++;
			continue;
		}
		if (!is_jump_with_target(insn))
			continue;
		target = isa_jump_target(insn, idx);
		if (target < sub->start || target >= sub->end) {
			vm_error("%s: insn %u: jump out of range from insn %u to %lld", prog->name,
				 idx, idx, (long long)target);
			return -EINVAL;
		}
		if (second_half[target]) {
			vm_error("%s: insn %u: jump into the middle of ldimm64 insn %lld",
				 prog->name, idx, (long long)target - 1);
			return -EINVAL;
		}
	}
	return 0;
}

static int check_subprog_ends(const struct bpfvm_prog *prog, const uint8_t *second_half)
{
	for (uint32_t i = 0; i < prog->subprog_cnt; i++) {
		const struct subprog *sub = &prog->subprogs[i];
		const struct bpf_insn *last = &prog->insns[sub->end - 1];

		if (second_half[sub->end - 1] ||
		    (!isa_is_exit(last) && last->code != (BPF_JMP | BPF_JA) &&
		     last->code != (BPF_JMP32 | BPF_JA)))
			return reject(prog, sub->end - 1, "last insn is not an exit or jmp");
	}
	return 0;
}

/* The kernel's check_cfg: every instruction is reachable from the entry,
 * along jumps, fall-throughs, calls and the functions lddw takes the
 * address of. */
static int check_reachable(const struct bpfvm_prog *prog, const uint8_t *second_half)
{
	uint8_t *seen = calloc(prog->insn_cnt, 1);
	uint32_t *todo = malloc(prog->insn_cnt * sizeof(*todo)), cnt = 0;
	int err = 0;

	if (!seen || !todo) {
		free(seen);
		free(todo);
		vm_error("%s: out of memory checking reachability", prog->name);
		return -ENOMEM;
	}
	seen[0] = 1;
	todo[cnt++] = 0;
	while (cnt) {
		uint32_t idx = todo[--cnt];
		const struct bpf_insn *insn = &prog->insns[idx];
		int64_t next[2] = { idx + (isa_is_lddw(insn->code) ? 2 : 1), -1 }, start;

		if (isa_is_exit(insn))
			next[0] = -1;
		else if (is_jump_with_target(insn))
			next[isa_op(insn->code) == BPF_JA ? 0 : 1] = isa_jump_target(insn, idx);
		if (subprog_start_of(insn, idx, &start))
			next[1] = start;
		for (int i = 0; i < 2; i++) {
			if (next[i] < 0 || next[i] >= (int64_t)prog->insn_cnt || seen[next[i]])
				continue;
			seen[next[i]] = 1;
			todo[cnt++] = (uint32_t)next[i];
		}
	}
	for (uint32_t idx = 0; idx < prog->insn_cnt && !err; idx++)
		if (!seen[idx] && !second_half[idx]) {
			vm_error("%s: insn %u: unreachable insn %u", prog->name, idx, idx);
			err = -EINVAL;
		}
	free(seen);
	free(todo);
	return err;
}

/* ---- stack depth and the call graph ---------------------------------- */

/* SEMANTICS.md, tail calls: a subprogram that makes a tail call must be
 * entered with less than this much stack used by the frames above it (the
 * kernel's check_max_stack_depth_subprog, each frame rounded to 16 bytes as
 * with its JIT; observed on 6.18: 240 bytes above pass, 256 fail, the
 * subprogram's own frame does not count), so that 33 tail calls, each
 * keeping its callers' frames, stay within 8 KiB. */
#define TAIL_CALL_STACK_LIMIT 256u

struct call_walk {
	struct bpfvm_prog *prog;
	uint8_t *on_path;	/* per subprogram: in the current call chain */
	uint8_t *done;		/* per subprogram: every chain below it checked */
	uint32_t *frames_below; /* when done: most frames of a chain it starts */
	uint32_t *stack_below;	/* when done: most stack of a chain it starts */
	uint8_t *tail_reachable; /* when done: a chain it starts reaches a
				  * subprogram that makes a tail call */
	uint32_t *tail_above;	 /* then: most stack from its frame down to the
				  * frame above such a subprogram */
};

bool verifier_subprog_has_tail_call(const struct bpfvm_prog *prog, const struct subprog *sub)
{
	for (uint32_t idx = sub->start; idx < sub->end; idx++)
		if (isa_is_helper_call(&prog->insns[idx]) && prog->insns[idx].imm == BPF_FUNC_tail_call)
			return true;
	return false;
}

/* Whether the chains below a subprogram already checked also fit when it is
 * entered as frame `frames` with `stack` bytes used above and by it. Without
 * this memo the walk enumerates every call path, exponentially many. */
static bool known_to_fit(const struct call_walk *walk, uint32_t sub_index, uint32_t frames,
			 uint32_t stack)
{
	uint32_t own = walk->prog->subprogs[sub_index].stack_depth;

	return walk->done[sub_index] &&
	       frames - 1 + walk->frames_below[sub_index] <= ISA_MAX_CALL_FRAMES &&
	       stack - own + walk->stack_below[sub_index] <= ISA_MAX_STACK &&
	       (!walk->tail_reachable[sub_index] ||
		stack - own + walk->tail_above[sub_index] < TAIL_CALL_STACK_LIMIT);
}

/* `above`: the stack of the frames above subprogram `sub_index`. */
static int check_tail_call_stack(const struct call_walk *walk, uint32_t sub_index,
				 uint32_t above)
{
	const struct bpfvm_prog *prog = walk->prog;
	const struct subprog *sub = &prog->subprogs[sub_index];

	if (!sub_index || above < TAIL_CALL_STACK_LIMIT || !verifier_subprog_has_tail_call(prog, sub))
		return 0;
	vm_error("%s: insn %u: tail_calls are not allowed when call stack of previous frames is "
		 "%u bytes. Too large", prog->name, sub->start, above);
	return -EACCES;
}

static int walk_calls(struct call_walk *walk, uint32_t sub_index, uint32_t frames,
		      uint32_t stack)
{
	struct bpfvm_prog *prog = walk->prog;
	const struct subprog *sub = &prog->subprogs[sub_index];
	uint32_t frames_below = 1, stack_below = sub->stack_depth, tail_above = 0;
	bool tail_reachable = sub_index && verifier_subprog_has_tail_call(prog, sub);
	int err = check_tail_call_stack(walk, sub_index, stack);

	if (err)
		return err;
	stack += sub->stack_depth;
	if (frames > ISA_MAX_CALL_FRAMES) {
		vm_error("%s: insn %u: the call stack of %u frames is too deep !", prog->name,
			 sub->start, frames);
		return -E2BIG;
	}
	if (stack > ISA_MAX_STACK) {
		vm_error("%s: insn %u: combined stack size of %u calls is %u. Too large",
			 prog->name, sub->start, frames, stack);
		return -EACCES; /* the kernel's check_max_stack_depth */
	}
	if (known_to_fit(walk, sub_index, frames, stack))
		return 0;
	walk->on_path[sub_index] = 1;
	for (uint32_t idx = sub->start; idx < sub->end && !err; idx++) {
		const struct bpf_insn *insn = &prog->insns[idx];
		uint32_t callee;

		if (!isa_is_local_call(insn))
			continue;
		callee = (uint32_t)(prog_subprog_of(prog, (uint32_t)isa_jump_target(insn, idx)) -
				    prog->subprogs);
		/* Recursion: the kernel follows the calls until they are
		 * too deep, and says so. */
		if (walk->on_path[callee]) {
			vm_error("%s: insn %u: the call stack of %u frames is too deep !", prog->name,
				 idx, ISA_MAX_CALL_FRAMES + 1);
			err = -E2BIG;
			break;
		}
		err = walk_calls(walk, callee, frames + 1, stack);
		if (!err) {
			if (1 + walk->frames_below[callee] > frames_below)
				frames_below = 1 + walk->frames_below[callee];
			if (sub->stack_depth + walk->stack_below[callee] > stack_below)
				stack_below = sub->stack_depth + walk->stack_below[callee];
			if (walk->tail_reachable[callee] &&
			    sub->stack_depth + walk->tail_above[callee] > tail_above)
				tail_above = sub->stack_depth + walk->tail_above[callee];
			tail_reachable |= walk->tail_reachable[callee];
		}
	}
	walk->on_path[sub_index] = 0;
	if (!err) {
		walk->done[sub_index] = 1;
		walk->frames_below[sub_index] = frames_below;
		walk->stack_below[sub_index] = stack_below;
		walk->tail_reachable[sub_index] = tail_reachable;
		walk->tail_above[sub_index] = tail_above;
	}
	return err;
}

int verifier_check_call_graph(struct bpfvm_prog *prog)
{
	uint32_t count = prog->subprog_cnt;
	struct call_walk walk = {
		.prog = prog,
		.on_path = calloc(count, 1),
		.done = calloc(count, 1),
		.frames_below = calloc(count, sizeof(uint32_t)),
		.stack_below = calloc(count, sizeof(uint32_t)),
		.tail_reachable = calloc(count, 1),
		.tail_above = calloc(count, sizeof(uint32_t)),
	};
	int err = -ENOMEM;

	if (walk.on_path && walk.done && walk.frames_below && walk.stack_below && walk.tail_reachable &&
	    walk.tail_above) {
		err = walk_calls(&walk, 0, 1, 0);
		prog->frames_max = walk.frames_below[0];
		prog->stack_max = walk.stack_below[0];
	} else
		vm_error("%s: out of memory checking the call graph", prog->name);
	free(walk.on_path);
	free(walk.done);
	free(walk.frames_below);
	free(walk.stack_below);
	free(walk.tail_reachable);
	free(walk.tail_above);
	return err;
}

int verifier_check_structure(struct bpfvm_prog *prog)
{
	uint8_t *second_half;
	int err;

	for (uint32_t idx = 0; idx < prog->insn_cnt; idx++) {
		err = check_insn(prog, idx);
		if (err)
			return err;
		if (isa_is_lddw(prog->insns[idx].code))
			idx++;
	}
	err = find_subprogs(prog);
	if (err)
		return err;
	second_half = mark_lddw_second_halves(prog);
	if (!second_half) {
		vm_error("%s: out of memory checking jumps", prog->name);
		return -ENOMEM;
	}
	err = check_jump_targets(prog, second_half);
	if (!err)
		err = check_subprog_ends(prog, second_half);
	/* Dead code is never run; the kernel's rule is about its program
	 * types (the ISA conformance suite has some). */
	if (!err && !prog->progtype->isa_semantics)
		err = check_reachable(prog, second_half);
	free(second_half);
	if (err)
		return err;
	err = verifier_compute_stack_depths(prog);
	if (err)
		return err;
	return verifier_check_call_graph(prog);
}
