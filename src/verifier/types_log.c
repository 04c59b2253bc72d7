/* The verifier's log: the reason of a refusal, with the program and the
 * instruction, and (log levels) the instructions as processed with their
 * register states, in the kernel's words and layout (kernel/bpf/log.c:
 * print_verifier_state, print_insn_state; verifier.c: do_check):
 *
 *   0: R1=ctx() R10=fp0                          the entry state
 *   0: (b7) r0 = 0                        ; R0=0  the registers it touched
 *   2: (25) if r2 > 0xa goto pc+3         ; R2=scalar(smin=smin32=0,...)
 *   ...
 *   from 2 to 6: R0=0 R1=ctx() ... R10=fp0        (level 2) a queued path
 *   6: R0=0 R1=ctx() ... R10=fp0                  its whole state
 *   9: (79) r0 = *(u64 *)(r10 -520)
 *   invalid read from stack R10 off=-520 size=8   the reason
 *
 * The state after an instruction is printed when the next one starts, by
 * removing the newline of its line: a path that stops there (exit, pruned)
 * leaves the line bare, as in the kernel. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "isa/isa.h"
#include "progtypes/btf_ctx.h"
#include "verifier/log.h"
#include "verifier/types_env.h"

#define LOG_ALIGNMENT 40     /* the kernel's BPF_LOG_ALIGNMENT */
#define LOG_MIN_ALIGNMENT 8  /* BPF_LOG_MIN_ALIGNMENT */
#define DECIMAL_UNSIGNED_MAX 0xffffull
#define DECIMAL_SIGNED_MIN (-0x8000ll)
#define DECIMAL_SIGNED_MAX 0x7fffll
#define ALL_SCRATCHED UINT16_MAX

static struct verifier_log *env_log(const struct types_env *env)
{
	struct verifier_log *log = env->prog->log;

	return verifier_log_on(log) ? log : NULL;
}

int types_error(struct types_env *env, uint32_t idx, int err, const char *fmt, ...)
{
	struct verifier_log *log = env->prog->log;
	char reason[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	vm_error("%s: insn %u: %s", env->prog->name, idx, reason);
	if (log && log->level) {
		verifier_log_write(log, "%s\n", reason);
		log->reason_written = true;
	}
	return err;
}

/* ---- Registers and stack slots, as print_reg_state --------------------- */

/* Small numbers in decimal, others in hex (the kernel's verbose_unum/snum). */
static void log_unum(struct verifier_log *log, uint64_t num)
{
	if (num <= DECIMAL_UNSIGNED_MAX)
		verifier_log_write(log, "%llu", (unsigned long long)num);
	else
		verifier_log_write(log, "%#llx", (unsigned long long)num);
}

static void log_snum(struct verifier_log *log, int64_t num)
{
	if (num >= DECIMAL_SIGNED_MIN && num <= DECIMAL_SIGNED_MAX)
		verifier_log_write(log, "%lld", (long long)num);
	else
		verifier_log_write(log, "%#llx", (unsigned long long)num);
}

struct range_field {
	const char *name;
	uint64_t val;
	bool omit;
};

/* "smin=smin32=0,smax=umax=smax32=umax32=10": the bounds that are not the
 * type's own limits, equal ones of the same sign joined, in the kernel's
 * order (print_scalar_ranges). */
static void log_scalar_ranges(struct verifier_log *log, const struct reg_state *reg,
			      const char **sep)
{
	bool s32min_dec = reg->s32_min >= DECIMAL_SIGNED_MIN && reg->s32_min <= DECIMAL_SIGNED_MAX;
	bool s32max_dec = reg->s32_max >= DECIMAL_SIGNED_MIN && reg->s32_max <= DECIMAL_SIGNED_MAX;
	struct range_field fields[] = {
		{ "smin", (uint64_t)reg->smin, reg->smin == INT64_MIN },
		{ "smax", (uint64_t)reg->smax, reg->smax == INT64_MAX },
		{ "umin", reg->umin, reg->umin == 0 },
		{ "umax", reg->umax, reg->umax == UINT64_MAX },
		{ "smin32", s32min_dec ? (uint64_t)(int64_t)reg->s32_min : (uint32_t)reg->s32_min,
		  reg->s32_min == INT32_MIN },
		{ "smax32", s32max_dec ? (uint64_t)(int64_t)reg->s32_max : (uint32_t)reg->s32_max,
		  reg->s32_max == INT32_MAX },
		{ "umin32", reg->u32_min, reg->u32_min == 0 },
		{ "umax32", reg->u32_max, reg->u32_max == UINT32_MAX },
	};
	size_t count = sizeof(fields) / sizeof(fields[0]);

	for (size_t i = 0; i < count; i++) {
		bool neg = fields[i].name[0] == 's' && (int64_t)fields[i].val < 0;

		if (fields[i].omit)
			continue;
		verifier_log_write(log, "%s%s=", *sep, fields[i].name);
		*sep = ",";
		for (size_t j = i + 2; j < count; j += 2) {
			bool neg2 = fields[j].name[0] == 's' && (int64_t)fields[j].val < 0;

			if (fields[j].omit || fields[j].val != fields[i].val || neg2 != neg)
				continue;
			fields[j].omit = true;
			verifier_log_write(log, "%s=", fields[j].name);
		}
		if (fields[i].name[0] == 's')
			log_snum(log, (int64_t)fields[i].val);
		else
			log_unum(log, fields[i].val);
	}
}

static bool is_map_pointer(const struct reg_state *reg)
{
	return reg_base_type(reg) == REG_CONST_PTR_TO_MAP ||
	       reg_base_type(reg) == REG_PTR_TO_MAP_VALUE;
}

static void log_map(struct verifier_log *log, const struct bpfvm_prog *prog,
		    const struct reg_state *reg, const char **sep)
{
	struct bpfvm_map_info info;

	if (reg->map >= prog->map_cnt || bpfvm_map_get_info(prog->maps[reg->map], &info))
		return;
	if (info.name[0]) {
		verifier_log_write(log, "%smap=%s", *sep, info.name);
		*sep = ",";
	}
	verifier_log_write(log, "%sks=%u,vs=%u", *sep, info.key_size, info.value_size);
	*sep = ",";
}

static void log_reg(struct verifier_log *log, const struct bpfvm_prog *prog,
		    const struct func_state *frame, const struct reg_state *reg)
{
	enum reg_type base = reg_base_type(reg);
	const char *sep = "";
	char name[32], tnum[64];

	if (reg->type == REG_SCALAR && tnum_is_const(reg->var_off)) {
		log_snum(log, (int64_t)reg->var_off.value);
		return;
	}
	verifier_log_write(log, "%s", reg_name(reg, name, sizeof(name)));
	if (base == REG_PTR_TO_BTF_ID && reg->btf_id)
		verifier_log_write(log, "%s", btf_ctx_name(btf_ctx_kernel(), reg->btf_id));
	if (base == REG_PTR_TO_STACK) {
		if (frame->frameno != reg->frameno)
			verifier_log_write(log, "[%u]", reg->frameno);
		if (tnum_is_const(reg->var_off)) {
			log_snum(log, (int64_t)reg->var_off.value + reg->off);
			return;
		}
	}
	verifier_log_write(log, "(");
	if (reg->id) {
		verifier_log_write(log, "id=%u", reg->id);
		sep = ",";
	}
	if (is_map_pointer(reg))
		log_map(log, prog, reg, &sep);
	if (reg->type != REG_SCALAR && reg->off) {
		verifier_log_write(log, "%soff=", sep);
		log_snum(log, reg->off);
		sep = ",";
	}
	if (base == REG_PTR_TO_PACKET || base == REG_PTR_TO_PACKET_META) {
		verifier_log_write(log, "%sr=", sep);
		log_snum(log, reg->range);
		sep = ",";
	}
	if (base == REG_PTR_TO_MEM || base == REG_PTR_TO_RINGBUF_MEM) {
		verifier_log_write(log, "%ssz=", sep);
		log_unum(log, reg->mem_size);
		sep = ",";
	}
	if (tnum_is_const(reg->var_off)) {
		if (reg->var_off.value) {
			verifier_log_write(log, "%simm=", sep);
			log_snum(log, (int64_t)reg->var_off.value);
		}
	} else {
		log_scalar_ranges(log, reg, &sep);
		if (reg->var_off.mask != UINT64_MAX) {
			tnum_format(tnum, sizeof(tnum), reg->var_off);
			verifier_log_write(log, "%svar_off=%s", sep, tnum);
		}
	}
	verifier_log_write(log, ")");
}

/* The kernel's slot_type characters, its byte 0 being the slot's highest
 * address (bpfvm's bytes[7]). */
static void slot_chars(const struct stack_slot *slot, char chars[STACK_SLOT_SIZE + 1], bool *valid)
{
	static const char names[] = { [SLOT_INVALID] = '?', [SLOT_MISC] = 'm',
				      [SLOT_ZERO] = '0', [SLOT_SPILL] = 'r' };

	*valid = false;
	for (int j = 0; j < STACK_SLOT_SIZE; j++) {
		uint8_t byte = slot->bytes[STACK_SLOT_SIZE - 1 - j];

		*valid |= byte != SLOT_INVALID;
		chars[j] = byte < sizeof(names) ? names[byte] : '?';
	}
	chars[STACK_SLOT_SIZE] = '\0';
}

static void log_slot(struct verifier_log *log, const struct bpfvm_prog *prog,
		     const struct func_state *frame, uint32_t spi)
{
	const struct stack_slot *slot = &frame->stack[spi];
	char chars[STACK_SLOT_SIZE + 1];
	bool valid;

	slot_chars(slot, chars, &valid);
	if (!valid)
		return;
	verifier_log_write(log, " fp%d=", -(int)(spi + 1) * STACK_SLOT_SIZE);
	if (slot->bytes[0] != SLOT_SPILL) {
		verifier_log_write(log, "%s", chars);
		return;
	}
	/* Bytes above a narrower spill are shown before the register. */
	*strchr(chars, 'r') = '\0';
	verifier_log_write(log, "%s", chars);
	log_reg(log, prog, frame, &slot->spilled);
}

/* print_verifier_state: the registers and slots of one frame, all of them
 * or only those the last instructions touched. */
static void log_frame(struct types_env *env, struct verifier_log *log,
		      const struct func_state *frame, bool all)
{
	struct types_log_cursor *cursor = &env->log_cursor;

	if (frame->frameno)
		verifier_log_write(log, " frame%u:", frame->frameno);
	for (int i = 0; i < REG_COUNT; i++) {
		if (frame->regs[i].type == REG_NOT_INIT ||
		    (!all && !(cursor->scratched_regs & (1u << i))))
			continue;
		verifier_log_write(log, " R%d=", i);
		log_reg(log, env->prog, frame, &frame->regs[i]);
	}
	for (uint32_t spi = 0; spi < frame->slot_cnt; spi++) {
		if (all || (spi < 64 && (cursor->scratched_slots & (1ull << spi))))
			log_slot(log, env->prog, frame, spi);
	}
	if (frame->callback)
		verifier_log_write(log, " cb");
	verifier_log_write(log, "\n");
	if (!all) {
		cursor->scratched_regs = 0;
		cursor->scratched_slots = 0;
	}
}

static const struct func_state *cur_frame(const struct verifier_state *st)
{
	return st->frames[st->curframe];
}

/* ---- Which registers and slots an instruction touches ------------------ */

static void scratch_reg(struct types_log_cursor *cursor, uint8_t regno)
{
	if (regno < REG_COUNT)
		cursor->scratched_regs |= (uint16_t)(1u << regno);
}

/* The slot at `base` + off when base points to the stack at a known offset. */
static void scratch_slot(struct types_log_cursor *cursor, const struct reg_state *base, int16_t off)
{
	int64_t at;

	if (reg_base_type(base) != REG_PTR_TO_STACK || !tnum_is_const(base->var_off))
		return;
	at = (int64_t)base->var_off.value + base->off + off;
	if (at < 0 && at >= -64 * STACK_SLOT_SIZE)
		cursor->scratched_slots |= 1ull << ((-at - 1) / STACK_SLOT_SIZE);
}

static void scratch_jmp(struct types_log_cursor *cursor, const struct bpf_insn *insn)
{
	uint8_t op = isa_op(insn->code);

	if (op == BPF_CALL) {
		if (isa_is_callx(insn))
			scratch_reg(cursor, insn->dst_reg);
		scratch_reg(cursor, BPF_REG_0);
	} else if (op == BPF_EXIT) {
		scratch_reg(cursor, BPF_REG_0);
	} else if (op != BPF_JA) {
		scratch_reg(cursor, insn->dst_reg);
		if (isa_source(insn->code) == BPF_X)
			scratch_reg(cursor, insn->src_reg);
	}
}

/* As the kernel's check_reg_arg and mark_stack_slot_scratched mark them,
 * from the state before the instruction (a load may overwrite its base). */
static void scratch_insn(struct types_log_cursor *cursor, const struct func_state *frame,
			 const struct bpf_insn *insn)
{
	uint8_t class = isa_class(insn->code);

	switch (class) {
	case BPF_ALU:
	case BPF_ALU64:
		scratch_reg(cursor, insn->dst_reg);
		if (isa_source(insn->code) == BPF_X && isa_op(insn->code) != BPF_END &&
		    isa_op(insn->code) != BPF_NEG)
			scratch_reg(cursor, insn->src_reg);
		break;
	case BPF_JMP:
	case BPF_JMP32:
		scratch_jmp(cursor, insn);
		break;
	case BPF_LDX:
		scratch_reg(cursor, insn->dst_reg);
		scratch_reg(cursor, insn->src_reg);
		scratch_slot(cursor, &frame->regs[insn->src_reg & 0xf], insn->off);
		break;
	case BPF_ST:
	case BPF_STX:
		scratch_reg(cursor, insn->dst_reg);
		if (class == BPF_STX)
			scratch_reg(cursor, insn->src_reg);
		if (isa_mode(insn->code) == BPF_ATOMIC && insn->imm == BPF_CMPXCHG)
			scratch_reg(cursor, BPF_REG_0);
		scratch_slot(cursor, &frame->regs[insn->dst_reg & 0xf], insn->off);
		break;
	default: /* BPF_LD: lddw, or the legacy packet loads into r0 */
		scratch_reg(cursor, isa_is_lddw(insn->code) ? insn->dst_reg : BPF_REG_0);
		break;
	}
}

static void scratch_all(struct types_log_cursor *cursor)
{
	cursor->scratched_regs = ALL_SCRATCHED;
	cursor->scratched_slots = UINT64_MAX;
}

/* ---- The walk's hooks --------------------------------------------------- */

/* The column of the ';' after an instruction (vlog_alignment). */
static uint32_t log_alignment(uint32_t line_len)
{
	uint32_t pos = line_len + LOG_MIN_ALIGNMENT / 2;

	if (pos < LOG_ALIGNMENT)
		pos = LOG_ALIGNMENT;
	pos = (pos + LOG_MIN_ALIGNMENT - 1) / LOG_MIN_ALIGNMENT * LOG_MIN_ALIGNMENT;
	return pos - line_len - 1;
}

/* print_insn_state: after the last instruction's line when nothing came
 * since, else on a line of its own. */
static void log_insn_state(struct types_env *env, struct verifier_log *log,
			   const struct verifier_state *st)
{
	struct types_log_cursor *cursor = &env->log_cursor;

	if (cursor->prev_log_pos && cursor->prev_log_pos == log->end_pos) {
		int pad = (int)log_alignment(cursor->prev_insn_print_pos);

		verifier_log_reset(log, cursor->prev_log_pos - 1);
		verifier_log_write(log, "%*c;", pad, ' ');
	} else {
		verifier_log_write(log, "%u:", cursor->insn_idx);
	}
	log_frame(env, log, cur_frame(st), false);
}

static void log_insn_line(struct types_env *env, struct verifier_log *log, uint32_t idx)
{
	const struct bpfvm_prog *prog = env->prog;
	struct types_log_cursor *cursor = &env->log_cursor;
	char text[256];

	if (bpfvm_disasm_insn(prog->insns, prog->insn_cnt, idx, text, sizeof(text)) < 0)
		snprintf(text, sizeof(text), "(invalid)");
	cursor->prev_log_pos = log->end_pos;
	verifier_log_write(log, "%u: (%02x) %s\n", idx, prog->insns[idx].code, text);
	cursor->prev_insn_print_pos = (uint32_t)(log->end_pos - cursor->prev_log_pos);
	cursor->prev_log_pos = log->end_pos;
}

void types_log_insn_start(struct types_env *env, const struct verifier_state *st, uint32_t idx)
{
	struct verifier_log *log = env_log(env);
	struct types_log_cursor *cursor = &env->log_cursor;
	const struct bpf_insn *insn = &env->prog->insns[idx];

	if (!log)
		return;
	cursor->insn_idx = idx;
	if (env->stats.insns_processed == 1)
		scratch_all(cursor);
	if ((log->level & VERIFIER_LOG_LEVEL2) && cursor->print_path_start) {
		verifier_log_write(log, "\nfrom %u to %u:", cursor->from_idx, idx);
		log_frame(env, log, cur_frame(st), true);
	}
	cursor->print_path_start = false;
	if (cursor->scratched_regs || cursor->scratched_slots)
		log_insn_state(env, log, st);
	log_insn_line(env, log, idx);
	scratch_insn(cursor, cur_frame(st), insn);
	cursor->return_to = isa_is_exit(insn) && st->curframe > 0 ? cur_frame(st)->callsite + 1 : 0;
	if (cursor->return_to) {
		verifier_log_write(log, "returning from callee:\n");
		log_frame(env, log, cur_frame(st), true);
	}
}

void types_log_insn(struct types_env *env, const struct verifier_state *st, uint32_t idx)
{
	struct verifier_log *log = env_log(env);
	struct types_log_cursor *cursor = &env->log_cursor;
	const struct bpf_insn *insn = &env->prog->insns[idx];

	if (!log)
		return;
	if (isa_is_local_call(insn) && st->curframe > 0 && cur_frame(st)->callsite == idx) {
		verifier_log_write(log, "caller:\n");
		log_frame(env, log, st->frames[st->curframe - 1], true);
		verifier_log_write(log, "callee:\n");
		log_frame(env, log, cur_frame(st), true);
		scratch_all(cursor);
	} else if (cursor->return_to) {
		verifier_log_write(log, "to caller at %u:\n", cursor->return_to);
		log_frame(env, log, cur_frame(st), true);
		cursor->scratched_regs = 0;
		cursor->scratched_slots = 0;
		cursor->print_path_start = true;
		cursor->from_idx = idx;
	} else if (isa_is_exit(insn)) {
		scratch_all(cursor); /* the path ends: the next one shows all */
	}
}

void types_log_pruned(struct types_env *env, uint32_t idx)
{
	struct verifier_log *log = env_log(env);
	struct types_log_cursor *cursor = &env->log_cursor;

	if (!log)
		return;
	if (cursor->print_path_start)
		verifier_log_write(log, "\nfrom %u to %u: safe\n", cursor->from_idx, idx);
	else
		verifier_log_write(log, "%u: safe\n", idx);
	cursor->print_path_start = false;
	scratch_all(cursor);
}

void types_log_path_queued(struct types_env *env, struct pending_path *path)
{
	struct verifier_log *log = env_log(env);

	path->from = env->log_cursor.insn_idx;
	path->log_pos = log ? log->end_pos : 0;
}

void types_log_path_start(struct types_env *env, const struct pending_path *path)
{
	struct verifier_log *log = env_log(env);

	if (!log)
		return;
	/* Level 1 keeps only the path that fails (pop_stack with pop_log). */
	if (!(log->level & VERIFIER_LOG_LEVEL2))
		verifier_log_reset(log, path->log_pos);
	env->log_cursor.print_path_start = true;
	env->log_cursor.from_idx = path->from;
	scratch_all(&env->log_cursor);
}
