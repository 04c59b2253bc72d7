/* Program lifecycle: load (copy, check, decode) and free. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/opts.h"
#include "core/runtime.h"
#include "engine/interp.h"
#include "engine/prog.h"
#include "isa/isa.h"
#include "verifier/structure.h"

void bpfvm_prog_free(struct bpfvm_prog *prog)
{
	if (!prog)
		return;
	interp_free(prog->interp);
	free(prog->subprogs);
	free(prog->insns);
	free(prog->name);
	free(prog);
}

/* The name messages use: the caller's, or "prog". */
static const char *prog_display_name(const struct bpfvm_prog_opts *opts)
{
	const char *name = OPTS_GET(opts, name, NULL);

	return name ? name : "prog";
}

static struct bpfvm_prog *prog_alloc(struct bpfvm *vm, const struct bpf_insn *insns,
				     size_t insn_cnt, const struct bpfvm_prog_opts *opts)
{
	struct bpfvm_prog *prog = calloc(1, sizeof(*prog));

	if (!prog)
		return NULL;
	prog->vm = vm;
	prog->insn_cnt = (uint32_t)insn_cnt;
	prog->insn_budget = OPTS_GET(opts, insn_budget, 0);
	if (!prog->insn_budget)
		prog->insn_budget = BPFVM_DEFAULT_INSN_BUDGET;
	prog->name = strdup(prog_display_name(opts));
	prog->insns = malloc(insn_cnt * sizeof(*insns));
	if (!prog->name || !prog->insns) {
		bpfvm_prog_free(prog);
		return NULL;
	}
	memcpy(prog->insns, insns, insn_cnt * sizeof(*insns));
	return prog;
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
	prog = prog_alloc(vm, insns, insn_cnt, opts);
	if (!prog) {
		vm_error("bpfvm_prog_load_raw: out of memory");
		return -ENOMEM;
	}
	err = verifier_check_structure(prog);
	if (!err) {
		prog->interp = interp_decode(prog);
		if (!prog->interp)
			err = -ENOMEM;
	}
	if (err) {
		bpfvm_prog_free(prog);
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
