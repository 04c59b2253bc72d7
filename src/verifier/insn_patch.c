/* One instruction replaced by several (see insn_patch.h), as the kernel's
 * bpf_patch_insn_single + adjust_insn_aux_data + adjust_subprog_starts.
 *
 *   before:  0 .. idx-1 | idx            | idx+1 .. n-1
 *   after:   0 .. idx-1 | idx .. idx+len-1 | idx+len .. n+len-2
 *                         (the patch)
 *
 * A pc-relative field (jump off, gotol / local call / BPF_PSEUDO_FUNC imm)
 * of an instruction outside the patch targets old index t: it moves to t
 * when t <= idx (the patch starts where the original was), else to
 * t + len - 1; its own index moves likewise; the field is the difference.
 * Every new field is computed and checked before anything changes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "isa/isa.h"
#include "verifier/insn_patch.h"

/* Which field of an instruction holds a pc-relative offset. */
enum patch_field { PATCH_NONE, PATCH_OFF, PATCH_IMM };

static enum patch_field patch_field_of(const struct bpf_insn *insn)
{
	if (isa_is_lddw(insn->code))
		return insn->src_reg == BPF_PSEUDO_FUNC ? PATCH_IMM : PATCH_NONE;
	if (!isa_is_jmp(insn->code) || isa_op(insn->code) == BPF_EXIT)
		return PATCH_NONE;
	if (isa_op(insn->code) == BPF_CALL)
		return isa_is_local_call(insn) ? PATCH_IMM : PATCH_NONE;
	return insn->code == (BPF_JMP32 | BPF_JA) ? PATCH_IMM : PATCH_OFF;
}

static int64_t patch_moved(int64_t old, uint32_t idx, uint32_t delta)
{
	return old <= idx ? old : old + delta;
}

/* The new value of each instruction's pc-relative field, in `fields`
 * (indexed by old instruction); -ERANGE if one does not fit. */
static int patch_compute_fields(const struct bpfvm_prog *prog, uint32_t idx, uint32_t delta,
				int64_t *fields)
{
	for (uint32_t i = 0; i < prog->insn_cnt; i++) {
		const struct bpf_insn *insn = &prog->insns[i];
		enum patch_field field = i == idx ? PATCH_NONE : patch_field_of(insn);
		int64_t old = field == PATCH_IMM ? insn->imm : insn->off;
		int64_t at = patch_moved(i, idx, delta);
		int64_t target = patch_moved(i + 1 + old, idx, delta);
		int64_t value = target - at - 1;

		if (field == PATCH_NONE)
			continue;
		if ((field == PATCH_OFF && (value < INT16_MIN || value > INT16_MAX)) ||
		    (field == PATCH_IMM && (value < INT32_MIN || value > INT32_MAX))) {
			vm_error("%s: insn %u: patching insn %u into %u would move its target %lld "
				 "instructions away, which its offset cannot hold",
				 prog->name, i, idx, delta + 1, (long long)value);
			return -ERANGE;
		}
		fields[i] = value;
		if (isa_is_lddw(insn->code))
			i++;
	}
	return 0;
}

static struct bpf_insn *patch_build_insns(const struct bpfvm_prog *prog, uint32_t idx,
					  const struct bpf_insn *patch, uint32_t len,
					  const int64_t *fields)
{
	uint32_t delta = len - 1, count = prog->insn_cnt + delta;
	struct bpf_insn *insns = malloc((size_t)count * sizeof(*insns));

	if (!insns)
		return NULL;
	memcpy(insns, prog->insns, (size_t)idx * sizeof(*insns));
	memcpy(insns + idx, patch, (size_t)len * sizeof(*insns));
	memcpy(insns + idx + len, prog->insns + idx + 1,
	       (size_t)(prog->insn_cnt - idx - 1) * sizeof(*insns));
	for (uint32_t i = 0; i < prog->insn_cnt; i++) {
		struct bpf_insn *insn;
		enum patch_field field;

		if (i == idx)
			continue;
		insn = &insns[patch_moved(i, idx, delta)];
		field = patch_field_of(&prog->insns[i]);
		if (field == PATCH_IMM)
			insn->imm = (int32_t)fields[i];
		else if (field == PATCH_OFF)
			insn->off = (int16_t)fields[i];
		if (isa_is_lddw(prog->insns[i].code))
			i++;
	}
	return insns;
}

/* A table's new array: the entry of idx at idx + delta, zeroes before it. */
static void *patch_build_table(const struct verifier_insn_table *table, uint32_t old_cnt,
			       uint32_t idx, uint32_t delta)
{
	size_t size = table->entry_size;
	uint8_t *old = *table->entries, *entries = calloc((size_t)old_cnt + delta, size);

	if (!entries)
		return NULL;
	memcpy(entries, old, (size_t)idx * size);
	memcpy(entries + (size_t)(idx + delta) * size, old + (size_t)idx * size,
	       (size_t)(old_cnt - idx) * size);
	return entries;
}

static void patch_subprogs(struct bpfvm_prog *prog, uint32_t idx, uint32_t delta)
{
	for (uint32_t i = 0; i < prog->subprog_cnt; i++) {
		struct subprog *sub = &prog->subprogs[i];

		if (sub->start > idx)
			sub->start += delta;
		if (sub->end > idx)
			sub->end += delta;
	}
}

static int patch_out_of_memory(const struct bpfvm_prog *prog, struct bpf_insn *insns,
			       void **built, uint32_t table_cnt, int64_t *fields)
{
	for (uint32_t t = 0; t < table_cnt; t++)
		free(built[t]);
	free(built);
	free(insns);
	free(fields);
	vm_error("%s: out of memory patching instructions", prog->name);
	return -ENOMEM;
}

int verifier_patch_insn(struct bpfvm_prog *prog, uint32_t idx, const struct bpf_insn *patch,
			uint32_t len, const struct verifier_insn_table *tables, uint32_t table_cnt)
{
	uint32_t delta = len - 1;
	struct bpf_insn *insns;
	int64_t *fields;
	void **built;
	int err;

	if (idx >= prog->insn_cnt || !len || (uint64_t)prog->insn_cnt + delta > UINT32_MAX) {
		vm_error("%s: cannot patch insn %u of %u with %u instructions", prog->name, idx,
			 prog->insn_cnt, len);
		return -EINVAL;
	}
	if (len == 1) {
		prog->insns[idx] = patch[0];
		return 0;
	}
	fields = calloc(prog->insn_cnt, sizeof(*fields));
	if (!fields)
		return patch_out_of_memory(prog, NULL, NULL, 0, NULL);
	err = patch_compute_fields(prog, idx, delta, fields);
	if (err) {
		free(fields);
		return err;
	}
	insns = patch_build_insns(prog, idx, patch, len, fields);
	built = calloc(table_cnt + 1, sizeof(*built));
	if (!insns || !built)
		return patch_out_of_memory(prog, insns, built, 0, fields);
	for (uint32_t t = 0; t < table_cnt; t++) {
		built[t] = patch_build_table(&tables[t], prog->insn_cnt, idx, delta);
		if (!built[t])
			return patch_out_of_memory(prog, insns, built, t, fields);
	}
	for (uint32_t t = 0; t < table_cnt; t++) {
		free(*tables[t].entries);
		*tables[t].entries = built[t];
	}
	free(built);
	free(fields);
	free(prog->insns);
	prog->insns = insns;
	prog->insn_cnt += delta;
	patch_subprogs(prog, idx, delta);
	return 0;
}

/* ---- removal (verifier_remove_insns) ---------------------------------- *
 *
 *   before:  0 .. off-1 | off .. off+cnt-1 | off+cnt .. n-1
 *   after:   0 .. off-1 |                  | off .. n-cnt-1
 *
 * Old index t moves to t before the range, t - cnt after it, and to off
 * inside it (the instruction that now follows the range). Done in place:
 * the instructions' array keeps its size. */
static uint32_t remove_moved(uint32_t old, uint32_t off, uint32_t cnt)
{
	if (old < off)
		return old;
	return old >= off + cnt ? old - cnt : off;
}

/* The pc-relative fields of the instructions outside the range, set in
 * place for the positions they are about to take. */
static void remove_fix_fields(struct bpfvm_prog *prog, uint32_t off, uint32_t cnt)
{
	for (uint32_t i = 0; i < prog->insn_cnt; i++) {
		struct bpf_insn *insn = &prog->insns[i];
		enum patch_field field = patch_field_of(insn);
		int64_t old = field == PATCH_IMM ? insn->imm : insn->off;
		int64_t target = (int64_t)i + 1 + old, value;

		if (i >= off && i < off + cnt)
			continue;
		if (field != PATCH_NONE && target >= 0 && target <= prog->insn_cnt) {
			value = (int64_t)remove_moved((uint32_t)target, off, cnt) -
				remove_moved(i, off, cnt) - 1;
			if (field == PATCH_IMM)
				insn->imm = (int32_t)value;
			else
				insn->off = (int16_t)value;
		}
		if (isa_is_lddw(insn->code))
			i++;
	}
}

/* Subprograms after the range move, those it overlaps shrink, and those
 * it holds whole go. */
static void remove_subprogs(struct bpfvm_prog *prog, uint32_t off, uint32_t cnt)
{
	uint32_t kept = 0;

	for (uint32_t i = 0; i < prog->subprog_cnt; i++) {
		struct subprog sub = prog->subprogs[i];

		sub.start = remove_moved(sub.start, off, cnt);
		sub.end = sub.end <= off ? sub.end : sub.end >= off + cnt ? sub.end - cnt : off;
		if (sub.start < sub.end)
			prog->subprogs[kept++] = sub;
	}
	prog->subprog_cnt = kept;
}

int verifier_remove_insns(struct bpfvm_prog *prog, uint32_t off, uint32_t cnt,
			  const struct verifier_insn_table *tables, uint32_t table_cnt)
{
	uint32_t rest;

	if (!cnt || off >= prog->insn_cnt || cnt > prog->insn_cnt - off || cnt == prog->insn_cnt) {
		vm_error("%s: cannot remove %u instructions at insn %u of %u", prog->name, cnt,
			 off, prog->insn_cnt);
		return -EINVAL;
	}
	rest = prog->insn_cnt - off - cnt;
	remove_fix_fields(prog, off, cnt);
	memmove(prog->insns + off, prog->insns + off + cnt, (size_t)rest * sizeof(*prog->insns));
	for (uint32_t t = 0; t < table_cnt; t++) {
		size_t size = tables[t].entry_size;
		uint8_t *entries = *tables[t].entries;

		memmove(entries + (size_t)off * size, entries + (size_t)(off + cnt) * size,
			(size_t)rest * size);
	}
	prog->insn_cnt -= cnt;
	remove_subprogs(prog, off, cnt);
	return 0;
}
