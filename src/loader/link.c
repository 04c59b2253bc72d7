/* Linking an entry program with its subprograms, as libbpf's
 * bpf_object__reloc_code: the first call (or callback address) that reaches
 * a .text function appends the whole function at the end of the program,
 * then links it in turn; every call is then pointed at the copy.
 *
 *   entry program       |  main insns  | sub A (first called) | sub B (called by A) |
 *                          call A ─────►^                       ^
 *                                          call B ──────────────┘
 *   call:      imm = (appended start) - (call's index) - 1
 *   callback:  lddw src_reg = BPF_PSEUDO_FUNC, imm likewise (the kernel's)
 *
 * The .text index of the target is, for a relocated call, symbol offset / 8
 * + imm + 1 (a global function: the symbol, imm -1; a static one: the
 * section symbol, imm the distance); for a callback address,
 * (symbol offset + imm) / 8; for a call inside .text without relocation,
 * the caller's own position + imm + 1. Each entry program gets its own
 * copies, so a subprogram's map relocations are applied once per program. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "engine/prog.h"
#include "isa/isa.h"
#include "loader/loader.h"

struct link_ctx {
	struct bpfvm_object *obj;
	const struct object_prog *entry;
	struct bpf_insn *insns;
	uint32_t insn_cnt;
	struct object_reloc *relocs;
	uint32_t reloc_cnt;
	uint32_t *sub_off; /* per object_file.progs entry: where appended, 0 = not yet */
	const struct object_prog *refused_sub; /* loader_prog.refused_sub */
};

static int link_error(const struct link_ctx *ctx, const struct object_prog *prog,
		      uint32_t insn_idx, int err, const char *what)
{
	vm_error("%s: section '%s': program '%s': insn %u%s%s: %s", ctx->obj->file->path,
		 ctx->entry->section, ctx->entry->name, insn_idx,
		 prog == ctx->entry ? "" : " of subprogram ",
		 prog == ctx->entry ? "" : prog->name, what);
	return err;
}

static int link_append(struct link_ctx *ctx, const struct object_prog *prog, uint32_t *off_out)
{
	uint32_t off = ctx->insn_cnt;
	struct bpf_insn *insns;
	struct object_reloc *relocs;

	if (prog->insn_cnt > ISA_MAX_INSNS - ctx->insn_cnt) {
		vm_error("%s: section '%s': program '%s': more than %u instructions once linked",
			 ctx->obj->file->path, ctx->entry->section, ctx->entry->name, ISA_MAX_INSNS);
		return -E2BIG;
	}
	insns = realloc(ctx->insns, (ctx->insn_cnt + prog->insn_cnt) * sizeof(*insns));
	if (!insns)
		goto nomem;
	ctx->insns = insns;
	memcpy(insns + off, prog->insns, prog->insn_cnt * sizeof(*insns));
	ctx->insn_cnt += prog->insn_cnt;
	relocs = realloc(ctx->relocs, (ctx->reloc_cnt + prog->reloc_cnt + 1) * sizeof(*relocs));
	if (!relocs)
		goto nomem;
	ctx->relocs = relocs;
	for (uint32_t i = 0; i < prog->reloc_cnt; i++) {
		relocs[ctx->reloc_cnt] = prog->relocs[i];
		relocs[ctx->reloc_cnt].insn_idx += off;
		ctx->reloc_cnt++;
	}
	*off_out = off;
	return 0;
nomem:
	vm_error("%s: out of memory", ctx->obj->file->path);
	return -ENOMEM;
}

static const struct object_reloc *link_find_reloc(const struct object_prog *prog, uint32_t idx)
{
	for (uint32_t i = 0; i < prog->reloc_cnt; i++) {
		if (prog->relocs[i].insn_idx == idx)
			return &prog->relocs[i];
	}
	return NULL;
}

/* The .text instruction that the call or callback at `idx` of `prog`
 * targets, or -1 if it is neither. */
static int64_t link_target(const struct link_ctx *ctx, const struct object_prog *prog,
			   uint32_t idx, const struct bpf_insn *insn, int *err)
{
	const struct object_reloc *reloc = link_find_reloc(prog, idx);

	*err = 0;
	if (reloc && reloc->kind == OBJECT_RELOC_KFUNC_CALL)
		return -1; /* a kfunc: resolved by name at load (load.c) */
	if (insn->code == (BPF_JMP | BPF_CALL) && insn->src_reg == BPF_PSEUDO_CALL) {
		if (reloc && reloc->kind != OBJECT_RELOC_CALL) {
			*err = link_error(ctx, prog, idx, -EINVAL, "call with a data relocation");
			return -1;
		}
		if (reloc)
			return (int64_t)(reloc->sym_off / sizeof(*insn)) + insn->imm + 1;
		if (!prog->is_subprog) {
			*err = link_error(ctx, prog, idx, -EINVAL, "call without relocation to a "
					  "function outside .text");
			return -1;
		}
		return (int64_t)prog->sec_insn_off + idx + insn->imm + 1;
	}
	if (reloc && reloc->kind == OBJECT_RELOC_FUNC_ADDR)
		return ((int64_t)reloc->sym_off + insn->imm) / (int64_t)sizeof(*insn);
	return -1;
}

static int link_code(struct link_ctx *ctx, const struct object_prog *prog, uint32_t prog_off);

static int link_insn(struct link_ctx *ctx, const struct object_prog *prog, uint32_t prog_off,
		     uint32_t idx)
{
	const struct object_file *file = ctx->obj->file;
	struct bpf_insn insn = ctx->insns[prog_off + idx];
	const struct object_prog *sub;
	int64_t target;
	uint32_t sub_idx;
	int err;

	target = link_target(ctx, prog, idx, &insn, &err);
	if (target < 0)
		return err;
	sub = file->text_sec_idx ? object_prog_at(file, file->text_sec_idx, (uint64_t)target)
				 : NULL;
	if (!sub || !sub->is_subprog)
		return link_error(ctx, prog, idx, -EINVAL, "call or callback to no .text function");
	if ((uint64_t)target != sub->sec_insn_off)
		return link_error(ctx, prog, idx, -EINVAL, "call into the middle of a function");
	sub_idx = (uint32_t)(sub - file->progs);
	if (!ctx->sub_off[sub_idx]) {
		if (sub->int_return_refusal && !ctx->refused_sub)
			ctx->refused_sub = sub;
		err = link_append(ctx, sub, &ctx->sub_off[sub_idx]);
		if (!err)
			err = link_code(ctx, sub, ctx->sub_off[sub_idx]);
		if (err)
			return err;
	}
	ctx->insns[prog_off + idx].imm = (int32_t)(ctx->sub_off[sub_idx] - (prog_off + idx) - 1);
	if (insn.code != (BPF_JMP | BPF_CALL))
		ctx->insns[prog_off + idx].src_reg = BPF_PSEUDO_FUNC;
	return 0;
}

static int link_code(struct link_ctx *ctx, const struct object_prog *prog, uint32_t prog_off)
{
	for (uint32_t idx = 0; idx < prog->insn_cnt; idx++) {
		int err = link_insn(ctx, prog, prog_off, idx);

		if (err)
			return err;
	}
	return 0;
}

static int link_make_prog(struct bpfvm_object *obj, struct link_ctx *ctx, uint32_t file_idx)
{
	struct loader_prog *lp = &obj->progs[obj->prog_cnt];
	struct bpfvm_prog *prog;

	prog = prog_alloc(obj->vm, ctx->entry->name, ctx->entry->section, ctx->insns,
			  ctx->insn_cnt);
	if (!prog) {
		vm_error("%s: out of memory", obj->file->path);
		return -ENOMEM;
	}
	prog->type = ctx->entry->type;
	prog->expected_attach_type = ctx->entry->expected_attach_type;
	prog->prog_flags = ctx->entry->prog_flags;
	prog->autoload = ctx->entry->autoload;
	prog->gpl_compatible = object_license_is_gpl(obj->file->license);
	prog->obj = obj;
	lp->prog = prog;
	lp->file_idx = file_idx;
	lp->relocs = ctx->relocs;
	lp->reloc_cnt = ctx->reloc_cnt;
	lp->refused_sub = ctx->refused_sub;
	ctx->relocs = NULL;
	obj->prog_cnt++;
	return 0;
}

static int link_entry(struct bpfvm_object *obj, uint32_t file_idx, uint32_t *sub_off)
{
	struct link_ctx ctx = {
		.obj = obj, .entry = &obj->file->progs[file_idx], .sub_off = sub_off,
	};
	uint32_t off;
	int err;

	memset(sub_off, 0, obj->file->prog_cnt * sizeof(*sub_off));
	err = link_append(&ctx, ctx.entry, &off);
	if (!err)
		err = link_code(&ctx, ctx.entry, 0);
	if (!err)
		err = link_make_prog(obj, &ctx, file_idx);
	free(ctx.insns);
	free(ctx.relocs);
	return err;
}

int loader_link(struct bpfvm_object *obj)
{
	const struct object_file *file = obj->file;
	uint32_t *sub_off;
	int err = 0;

	obj->progs = calloc(file->prog_cnt ? file->prog_cnt : 1, sizeof(*obj->progs));
	sub_off = calloc(file->prog_cnt ? file->prog_cnt : 1, sizeof(*sub_off));
	if (!obj->progs || !sub_off) {
		free(sub_off);
		vm_error("%s: out of memory", file->path);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < file->prog_cnt && !err; i++) {
		if (!file->progs[i].is_subprog)
			err = link_entry(obj, i, sub_off);
	}
	free(sub_off);
	return err;
}
