/* Entering a program's machine code: the run state the code reads through
 * R12 (jit_internal.h), built from the interpreter's run description so
 * that both engines start from the same registers, stack and budget. */
#include <errno.h>
#include <string.h>

#include "core/error.h"
#include "engine/jit_internal.h"
#include "engine/prog.h"
#include "engine/run_ctx.h"

/* The messages of the interpreter's error paths (interpreter.c). */
static int jit_run_error(const struct jit_state *state, const struct interp_run *run)
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

/* The innermost JIT run of this thread: a callback (run_call_function)
 * runs under a fresh entry stub while its caller's R9 waits in the
 * caller's state, which holds the count of the same invocation. */
static _Thread_local struct jit_state *running;

/* Tail calls made so far in the invocation `run` belongs to: the caller's
 * R9 when this is a callback of a JIT run of the same invocation, else the
 * run context's count. */
static uint32_t tail_calls_made(const struct jit_state *outer, const struct run_ctx *run)
{
	if (outer && outer->run == run)
		return MAX_TAIL_CALL_CNT - (uint32_t)(outer->budget & JIT_TAIL_MASK);
	return run->tail_call_cnt;
}

static void set_tail_calls_made(struct jit_state *outer, struct run_ctx *run, uint32_t made)
{
	if (outer && outer->run == run)
		outer->budget = (outer->budget & ~(int64_t)JIT_TAIL_MASK) |
				(int64_t)(MAX_TAIL_CALL_CNT - made);
	else
		run->tail_call_cnt = made;
}

/* R9 at the start of a run: the budget, cut to JIT_BUDGET_MAX (2^57: days
 * of running; what was cut is given back at the end), and the tail calls
 * still allowed. */
static int64_t jit_r9(int64_t budget, uint32_t tail_calls_made)
{
	return budget * ((int64_t)1 << JIT_TAIL_BITS) +
	       (int64_t)(MAX_TAIL_CALL_CNT - tail_calls_made);
}

static int64_t jit_budget_cut(int64_t budget)
{
	return budget < JIT_BUDGET_MAX ? budget : JIT_BUDGET_MAX;
}

JIT_NO_SANITIZE_FUNCTION
int jit_execute(const struct bpfvm_prog *prog, uint64_t entry, struct interp_run *run,
		uint64_t *retval)
{
	int64_t budget = jit_budget_cut(run->budget);
	struct jit_state *outer = running;
	struct jit_state state = {
		.entry = entry ? (const void *)(uintptr_t)entry : prog->jit_body,
		.budget = jit_r9(budget, tail_calls_made(outer, run->run)),
		.stack_top = (uint64_t)(uintptr_t)run->stack_top,
		.stack_bottom = (uint64_t)(uintptr_t)run->stack_bottom,
		.run = run->run,
		.interp_run = run,
		.cpu = run->run->cpu,
	};
	uint64_t r0;

	memcpy(state.args, run->args, sizeof(state.args));
	running = &state;
	r0 = prog->jit->enter(&state);
	running = outer;
	if (state.error)
		return jit_run_error(&state, run);
	set_tail_calls_made(outer, run->run,
			    MAX_TAIL_CALL_CNT - (uint32_t)(state.budget & JIT_TAIL_MASK));
	run->budget -= budget - (state.budget >> JIT_TAIL_BITS);
	*retval = r0;
	return 0;
}

/* The runs of a test run: the run state is built once, and each run costs
 * run_repeat_next, the entry stub and the program. Every run is a new
 * invocation (run_repeat_next zeroed the run context's count), never a
 * callback: its count starts from the run context. */
JIT_NO_SANITIZE_FUNCTION
int jit_execute_repeat(const struct run_repeat *next, uint32_t repeat, uint64_t *retval)
{
	const struct bpfvm_prog *prog = next->prog;
	struct interp_run *run = next->engine_run;
	uint64_t (*enter)(void *state) = prog->jit->enter;
	struct jit_state *outer = running;
	struct jit_state state = {
		.entry = prog->jit_body,
		.stack_top = (uint64_t)(uintptr_t)run->stack_top,
		.stack_bottom = (uint64_t)(uintptr_t)run->stack_bottom,
		.run = run->run,
		.interp_run = run,
		.cpu = run->run->cpu,
	};
	int64_t budget = jit_budget_cut(next->budget), r9 = jit_r9(budget, 0);
	uint64_t r0 = 0;
	int err;

	memcpy(state.args, run->args, sizeof(state.args));
	running = &state;
	for (uint32_t i = 0; i < repeat; i++) {
		run_repeat_next(next, i);
		state.budget = r9;
		r0 = enter(&state);
		if (state.error || run->run->error)
			break;
	}
	running = outer;
	if (state.error)
		return jit_run_error(&state, run);
	run->run->tail_call_cnt = MAX_TAIL_CALL_CNT - (uint32_t)(state.budget & JIT_TAIL_MASK);
	run->budget -= budget - (state.budget >> JIT_TAIL_BITS);
	err = run->run->error;
	if (!err)
		*retval = r0;
	return err;
}
