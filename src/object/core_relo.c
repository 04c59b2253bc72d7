/* Applying one section's CO-RE records to its programs, as libbpf's
 * bpf_core_apply_relo and bpf_core_calc_relo_insn: check the record, parse
 * the local spec, match every candidate of the target, make sure they agree,
 * patch the instruction.
 *
 * Instructions are patched in the programs as read (object_prog.insns,
 * before subprograms are appended by the loader), which is where libbpf
 * patches them too, so the verifier sees what the kernel's sees. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>

#include "object/core_relo.h"
#include "object/elf_reader.h"

struct core_apply {
	struct elf_reader *reader;
	const struct core_target *target;
	const char *sec_name;
	const struct core_record *rec;
	uint32_t relo_idx;
	struct object_prog *prog;
	uint32_t insn_idx; /* in the program */
	struct core_spec local;
	struct core_spec cand;	 /* the candidate being matched */
	struct core_spec chosen; /* the first that matched */
	struct core_result res, cand_res;
	uint32_t matched;
	uint32_t chosen_id;
	int err;
	char why[160];
};

static const char *apply_type_name(const struct core_apply *a)
{
	const struct btf_type *t = btf__type_by_id(a->reader->btf, a->rec->type_id);
	const char *name = t ? btf__name_by_offset(a->reader->btf, t->name_off) : NULL;

	return name && name[0] ? name : "<anon>";
}

static int apply_error(const struct core_apply *a, int err, const char *why)
{
	const char *kind = core_kind_name(a->rec->kind);
	const char *access = btf__str_by_offset(a->reader->btf, a->rec->access_str_off);

	return reader_error(a->reader, err, "section '%s': program '%s': insn %u: CO-RE "
			    "relocation #%u (%s of [%u] '%s', access \"%s\"): %s", a->sec_name,
			    a->prog->name, a->insn_idx, a->relo_idx, kind ? kind : "<unknown>",
			    a->rec->type_id, apply_type_name(a), access ? access : "<?>", why);
}

/* What the record says must hold before anything is resolved. */
static int apply_check_record(struct core_apply *a)
{
	const struct core_record *rec = a->rec;
	const char *bad;

	if (!core_kind_name(rec->kind))
		return apply_error(a, -ENOTSUP, "relocation kind unknown to libbpf 1.1");
	if (rec->type_id == 0 || !btf__type_by_id(a->reader->btf, rec->type_id))
		return apply_error(a, -EINVAL, "type id not in the object's BTF");
	if (!btf__str_by_offset(a->reader->btf, rec->access_str_off))
		return apply_error(a, -EINVAL, "access string offset outside the BTF strings");
	bad = core_insn_patchable(a->prog->insns, a->insn_idx, a->prog->insn_cnt);
	if (bad) {
		snprintf(a->why, sizeof(a->why), "the instruction (opcode 0x%02x) is %s, which "
			 "a relocation cannot patch", a->prog->insns[a->insn_idx].code, bad);
		return apply_error(a, -EINVAL, a->why);
	}
	return 0;
}

/* One candidate: matched ones must all give the same value. */
static int apply_candidate(uint32_t targ_id, void *arg)
{
	struct core_apply *a = arg;
	const char *why = NULL;
	int ok = core_spec_match(&a->local, core_target_btf(a->target), targ_id, &a->cand);

	if (ok < 0) {
		snprintf(a->why, sizeof(a->why), "target type [%u] is malformed or nested too "
			 "deeply (%d)", targ_id, ok);
		return a->err = apply_error(a, ok, a->why);
	}
	if (ok == 0)
		return 0;
	ok = core_calc(&a->local, &a->cand, &a->cand_res, &why);
	if (ok)
		return a->err = apply_error(a, ok, why);
	if (a->matched++ == 0) {
		a->res = a->cand_res;
		a->chosen = a->cand;
		a->chosen_id = targ_id;
		return 0;
	}
	if (a->cand.bit_offset != a->chosen.bit_offset || a->cand_res.poison != a->res.poison ||
	    a->cand_res.new_val != a->res.new_val) {
		snprintf(a->why, sizeof(a->why), "ambiguous: target types [%u] and [%u] both "
			 "match and give different values", a->chosen_id, targ_id);
		return a->err = apply_error(a, -EINVAL, a->why);
	}
	return 0;
}

static int apply_resolve(struct core_apply *a)
{
	const char *why = NULL;
	int err;

	/* The local type id, and everything when there is no target BTF: the
	 * value clang compiled in. */
	if (a->rec->kind == BPF_CORE_TYPE_ID_LOCAL || !a->target) {
		err = core_calc(&a->local, &a->local, &a->res, &why);
		return err ? apply_error(a, err, why) : 0;
	}
	if (!strcmp(apply_type_name(a), "<anon>"))
		return apply_error(a, -ENOTSUP, "anonymous types cannot be relocated, as in "
				   "libbpf");
	a->err = 0;
	if (core_target_for_each_candidate(a->target, a->reader->btf, a->rec->type_id,
					   apply_candidate, a))
		return a->err;
	if (a->matched == 0) { /* nothing in the target: 0, or a poisoned insn */
		err = core_calc(&a->local, NULL, &a->res, &why);
		if (err)
			return apply_error(a, err, why);
	}
	return 0;
}

static int apply_note_poison(struct core_apply *a)
{
	return reader_note(a->reader, "section '%s': program '%s': insn %u: CO-RE relocation "
			   "#%u (%s of '%s') has no match in the target: the instruction is "
			   "poisoned and rejected if reached", a->sec_name, a->prog->name,
			   a->insn_idx, a->relo_idx, core_kind_name(a->rec->kind),
			   apply_type_name(a));
}

static int apply_record(struct core_apply *a, struct core_stats *stats)
{
	const char *access, *why = NULL;
	const struct bpf_insn *insn;
	int err = apply_check_record(a);

	if (err)
		return err;
	access = btf__str_by_offset(a->reader->btf, a->rec->access_str_off);
	err = core_spec_parse(a->reader->btf, a->rec->type_id, access, a->rec->kind, &a->local,
			      &why);
	if (err)
		return apply_error(a, err, why);
	err = apply_resolve(a);
	if (err)
		return err;
	err = core_patch_insn(a->prog->insns, a->insn_idx, &a->res, a->why, sizeof(a->why));
	if (err)
		return apply_error(a, err, a->why);
	stats->applied++;
	insn = &a->prog->insns[a->insn_idx];
	if (insn->code == (BPF_JMP | BPF_CALL) && insn->imm == CORE_POISON_HELPER) {
		stats->poisoned++;
		return apply_note_poison(a);
	}
	return 0;
}

static int apply_find_section(struct elf_reader *reader, const char *sec_name, size_t *idx_out)
{
	for (size_t idx = 1; idx < reader->sec_cnt; idx++) {
		if (reader->secs[idx].kind == ELF_SEC_PROGS &&
		    strcmp(reader->secs[idx].name, sec_name) == 0) {
			*idx_out = idx;
			return 0;
		}
	}
	return reader_error(reader, -EINVAL, "section '.BTF.ext': CO-RE relocations for section "
			    "'%s', which holds no program", sec_name);
}

int reader_apply_core_section(struct elf_reader *reader, const struct core_target *target,
			      const char *sec_name, const struct core_record *recs, uint32_t cnt,
			      struct core_stats *stats)
{
	struct core_apply a;
	size_t sec_idx = 0;
	int err = apply_find_section(reader, sec_name, &sec_idx);

	for (uint32_t i = 0; !err && i < cnt; i++) {
		uint64_t insn = recs[i].insn_off / sizeof(struct bpf_insn);
		uint32_t relo_idx = stats->next_idx++;

		if (recs[i].insn_off % sizeof(struct bpf_insn) ||
		    recs[i].insn_off >= reader->secs[sec_idx].size)
			return reader_error(reader, -EINVAL, "section '%s': CO-RE relocation #%u: "
					    "instruction offset %u lies outside the section (%zu "
					    "bytes) or between instructions", sec_name, relo_idx,
					    recs[i].insn_off, reader->secs[sec_idx].size);
		memset(&a, 0, sizeof(a));
		a.prog = object_prog_at(reader->file, (uint32_t)sec_idx, insn);
		if (!a.prog) {
			stats->skipped++;
			continue;
		}
		a = (struct core_apply){ .reader = reader, .target = target, .sec_name = sec_name,
					 .rec = &recs[i], .relo_idx = relo_idx, .prog = a.prog,
					 .insn_idx = (uint32_t)(insn - a.prog->sec_insn_off) };
		err = apply_record(&a, stats);
	}
	return err;
}
