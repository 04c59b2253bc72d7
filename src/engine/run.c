/* A run: the state one invocation of a program needs (stack, registers,
 * budget), set up here and handed to the engine. */
#include <errno.h>
#include <string.h>

#include "core/error.h"
#include "core/runtime.h"
#include "engine/interp.h"
#include "engine/prog.h"
#include "isa/isa.h"

int bpfvm_prog_run_raw(struct bpfvm_prog *prog, void *mem, size_t mem_len, uint64_t *retval)
{
	/* The structural check bounds every call chain to ISA_MAX_STACK bytes.
	 * The stack is cleared so that a raw-mode run is deterministic even
	 * when the program reads what it never wrote. */
	_Alignas(16) uint8_t stack[ISA_MAX_STACK];
	struct interp_run run;

	if (!prog || !retval || (!mem && mem_len)) {
		vm_error("bpfvm_prog_run_raw: NULL argument");
		return -EINVAL;
	}
	memset(stack, 0, sizeof(stack));
	run = (struct interp_run){
		.r1 = (uint64_t)(uintptr_t)mem,
		.r2 = mem_len,
		.stack_top = stack + sizeof(stack),
		.packet = mem,
		.packet_len = mem_len,
		.budget = prog->insn_budget > INT64_MAX ? INT64_MAX : (int64_t)prog->insn_budget,
		.prog_name = prog->name,
	};
	return interp_execute(prog->interp, &run, retval);
}
