/* The argument registers a helper call reads, from its prototype.
 *
 * Liveness and precision (liveness.c, precision.c) take a helper call as a
 * read of its arguments. Taking all of r1..r5 keeps a register alive up to
 * bpf_map_lookup_elem that only r1 and r2 feed: two paths that differ in a
 * leftover r3 then never prune each other, where the kernel (which reads
 * the arguments its bpf_func_proto names, check_helper_call) prunes them.
 * Only a prototype bpfvm knows is trusted: a helper the user registered
 * has none, a kfunc's arguments are checked elsewhere, callx's helper is
 * known only at run time; those read all five. */
#include "helpers/helper_proto.h"
#include "core/runtime.h"
#include "helpers/helper_table.h"
#include "verifier/helper_uses.h"
#include "verifier/liveness.h"

uint16_t verifier_helper_arg_regs(const struct bpfvm_prog *prog, const struct bpf_insn *insn)
{
	const struct helper_entry *entry;
	uint16_t regs = 0;

	if (isa_is_callx(insn) || insn->src_reg != 0 || !prog->vm)
		return LIVE_ARGS;
	entry = helper_table_find(&prog->vm->helpers, (uint32_t)insn->imm);
	if (!entry || !entry->proto)
		return LIVE_ARGS;
	for (uint8_t i = 0; i < 5; i++)
		if (entry->proto->args[i] != ARG_NONE)
			regs |= LIVE_REG(BPF_REG_1 + i);
	return regs;
}
