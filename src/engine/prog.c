/* Program lifecycle: allocate, prepare (check, track types, decode, assign an
 * id), destroy. Raw programs and programs of objects share it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/opts.h"
#include "core/runtime.h"
#include "engine/interp.h"
#include "engine/prog.h"
#include "engine/vcpu.h"
#include "isa/isa.h"
#include "maps/map.h"
#include "progtypes/progtype.h"
#include "verifier/structure.h"
#include "verifier/types.h"

void prog_destroy(struct bpfvm_prog *prog)
{
	if (!prog)
		return;
	if (prog->id)
		id_table_remove(&prog->vm->prog_ids, prog->id);
	interp_free(prog->interp);
	for (uint32_t i = 0; i < prog->map_cnt; i++)
		map_put(prog->maps[i]);
	free(prog->maps);
	free(prog->subprogs);
	free(prog->insns);
	free(prog->section);
	free(prog->name);
	free(prog);
}

void prog_get(struct bpfvm_prog *prog)
{
	atomic_fetch_add_explicit(&prog->refcnt, 1, memory_order_relaxed);
}

bool prog_try_get(struct bpfvm_prog *prog)
{
	uint32_t refs = atomic_load_explicit(&prog->refcnt, memory_order_relaxed);

	while (refs)
		if (atomic_compare_exchange_weak(&prog->refcnt, &refs, refs + 1))
			return true;
	return false;
}

static bool prog_try_get_object(void *prog)
{
	return prog_try_get(prog);
}

static void prog_destroy_deferred(void *prog)
{
	prog_destroy(prog);
}

void prog_put(struct bpfvm_prog *prog)
{
	uint32_t id;

	if (!prog || atomic_fetch_sub_explicit(&prog->refcnt, 1, memory_order_acq_rel) != 1)
		return;
	/* No new reference can be taken by id from here on; runs that found
	 * the program in a slot before it was emptied may still be inside. */
	id = prog->id;
	prog->id = 0;
	id_table_remove(&prog->vm->prog_ids, id);
	vcpu_free_after_grace(prog->vm, prog_destroy_deferred, prog);
}

void bpfvm_prog_free(struct bpfvm_prog *prog)
{
	/* Programs of an object belong to it (bpfvm_object_close); raw
	 * programs, the only ones without a section, to their loader. */
	if (prog && !prog->section[0])
		prog_put(prog);
}

int bpfvm_prog_get_by_id(struct bpfvm *vm, uint32_t id, struct bpfvm_prog **prog_out)
{
	struct bpfvm_prog *prog;

	if (!vm || !prog_out) {
		vm_error("bpfvm_prog_get_by_id: NULL argument");
		return -EINVAL;
	}
	prog = id_table_get(&vm->prog_ids, id, prog_try_get_object);
	if (!prog) {
		vm_error("no program with id %u", id);
		return -ENOENT;
	}
	*prog_out = prog;
	return 0;
}

void bpfvm_prog_close(struct bpfvm_prog *prog)
{
	prog_put(prog);
}

struct bpfvm_prog *prog_alloc(struct bpfvm *vm, const char *name, const char *section,
			      const struct bpf_insn *insns, size_t insn_cnt)
{
	struct bpfvm_prog *prog = calloc(1, sizeof(*prog));

	if (!prog)
		return NULL;
	prog->vm = vm;
	atomic_init(&prog->refcnt, 1);
	prog->insn_cnt = (uint32_t)insn_cnt;
	prog->insn_budget = BPFVM_DEFAULT_INSN_BUDGET;
	prog->name = strdup(name);
	prog->section = strdup(section);
	prog->insns = malloc(insn_cnt * sizeof(*insns));
	if (!prog->name || !prog->section || !prog->insns) {
		prog_destroy(prog);
		return NULL;
	}
	memcpy(prog->insns, insns, insn_cnt * sizeof(*insns));
	return prog;
}

int prog_prepare(struct bpfvm_prog *prog)
{
	int64_t id;
	int err;

	prog->progtype = progtype_for(prog->type);
	if (!prog->progtype) {
		vm_error("%s: program type %u is not supported by bpfvm", prog->name, prog->type);
		return -ENOTSUP;
	}
	err = verifier_check_structure(prog);
	if (err)
		return err;
	err = verifier_track_types(prog);
	if (err)
		return err;
	prog->interp = interp_decode(prog);
	if (!prog->interp)
		return -ENOMEM;
	id = id_table_add(&prog->vm->prog_ids, prog);
	if (id < 0) {
		vm_error("%s: out of memory assigning an id", prog->name);
		return (int)id;
	}
	prog->id = (uint32_t)id;
	prog->loaded = true;
	return 0;
}

/* The name messages use: the caller's, or "prog". */
static const char *prog_display_name(const struct bpfvm_prog_opts *opts)
{
	const char *name = OPTS_GET(opts, name, NULL);

	return name ? name : "prog";
}

static int prog_check_args(struct bpfvm *vm, const struct bpf_insn *insns, size_t insn_cnt,
			   const struct bpfvm_prog_opts *opts, struct bpfvm_prog **prog_out)
{
	if (!vm || !prog_out || (!insns && insn_cnt)) {
		vm_error("bpfvm_prog_load_raw: NULL argument");
		return -EINVAL;
	}
	if (!opts_valid(opts, sizeof(*opts))) {
		vm_error("bpfvm_prog_load_raw: invalid opts (sz %zu, or unknown fields set)",
			 opts->sz);
		return -EINVAL;
	}
	if (insn_cnt == 0) {
		vm_error("%s: empty program", prog_display_name(opts));
		return -EINVAL;
	}
	if (insn_cnt > ISA_MAX_INSNS) {
		vm_error("%s: program of %zu instructions is too large (limit %u)",
			 prog_display_name(opts), insn_cnt, ISA_MAX_INSNS);
		return -E2BIG;
	}
	return 0;
}

int bpfvm_prog_load_raw(struct bpfvm *vm, const struct bpf_insn *insns, size_t insn_cnt,
			const struct bpfvm_prog_opts *opts, struct bpfvm_prog **prog_out)
{
	struct bpfvm_prog *prog;
	int err;

	err = prog_check_args(vm, insns, insn_cnt, opts, prog_out);
	if (err)
		return err;
	prog = prog_alloc(vm, prog_display_name(opts), "", insns, insn_cnt);
	if (!prog) {
		vm_error("bpfvm_prog_load_raw: out of memory");
		return -ENOMEM;
	}
	prog->type = BPFVM_PROG_TYPE_RAW;
	if (OPTS_GET(opts, insn_budget, 0))
		prog->insn_budget = opts->insn_budget;
	prog->raw_ctx_size = OPTS_GET(opts, ctx_size, 0);
	err = prog_prepare(prog);
	if (err) {
		prog_destroy(prog);
		return err;
	}
	*prog_out = prog;
	return 0;
}

const struct subprog *prog_subprog_of(const struct bpfvm_prog *prog, uint32_t idx)
{
	uint32_t low = 0, high = prog->subprog_cnt;

	while (high - low > 1) {
		uint32_t mid = (low + high) / 2;

		if (prog->subprogs[mid].start <= idx)
			low = mid;
		else
			high = mid;
	}
	return &prog->subprogs[low];
}

size_t bpfvm_prog_insn_cnt(const struct bpfvm_prog *prog)
{
	return prog->insn_cnt;
}

const struct bpf_insn *bpfvm_prog_insns(const struct bpfvm_prog *prog)
{
	return prog->insns;
}

const char *bpfvm_prog_name(const struct bpfvm_prog *prog)
{
	return prog->name;
}

const char *bpfvm_prog_section(const struct bpfvm_prog *prog)
{
	return prog->section;
}

enum bpf_prog_type bpfvm_prog_type(const struct bpfvm_prog *prog)
{
	return prog->type;
}

enum bpf_attach_type bpfvm_prog_expected_attach_type(const struct bpfvm_prog *prog)
{
	return prog->expected_attach_type;
}

uint32_t bpfvm_prog_id(const struct bpfvm_prog *prog)
{
	return prog->id;
}
