/* Entering a program's machine code: the run state the code reads through
 * R12 (jit_internal.h), built from the interpreter's run description so
 * that both engines start from the same registers, stack and budget. */
#include <errno.h>
#include <string.h>

#include "core/error.h"
#include "engine/jit_internal.h"
#include "engine/prog.h"

/* The messages of the interpreter's error paths (interpreter.c). */
static int jit_run_error(const struct bpfvm_prog *prog, const struct jit_state *state,
			 const struct interp_run *run)
{
	if (state->error == -ETIME)
		vm_error("%s: insn %u: instruction budget of %lld exhausted", run->prog_name,
			 state->error_insn, (long long)run->budget);
	else
		vm_error("%s: insn %u: callx r%u: no helper with id %llu", run->prog_name,
			 state->error_insn, state->error_reg,
			 (unsigned long long)state->error_value);
	return state->error;
}

/* Clang's -fsanitize=function (UBSan, C since clang 17) reads a type
 * signature in front of the function a pointer calls: generated code has
 * none. */
#if defined(__clang__) && __clang_major__ >= 17
#define JIT_NO_SANITIZE_FUNCTION __attribute__((no_sanitize("function")))
#else
#define JIT_NO_SANITIZE_FUNCTION
#endif

JIT_NO_SANITIZE_FUNCTION
int jit_execute(const struct bpfvm_prog *prog, uint64_t entry, struct interp_run *run,
		uint64_t *retval)
{
	struct jit_state state = {
		.entry = entry ? (const void *)(uintptr_t)entry : prog->jit_body,
		.budget = run->budget,
		.stack_top = (uint64_t)(uintptr_t)run->stack_top,
		.stack_bottom = (uint64_t)(uintptr_t)run->stack_bottom,
		.run = run->run,
		.interp_run = run,
	};
	uint64_t r0;

	memcpy(state.args, run->args, sizeof(state.args));
	r0 = prog->jit->enter(&state);
	if (state.error)
		return jit_run_error(prog, &state, run);
	run->budget = state.budget;
	*retval = r0;
	return 0;
}
