/* A run: the state one invocation of a program needs (stack, registers,
 * run state for helpers), set up here and handed to the engine. */
#include <errno.h>
#include <string.h>

#include "core/error.h"
#include "core/runtime.h"
#include "engine/interp.h"
#include "engine/interp_checked.h"
#include "engine/jit.h"
#include "engine/prog.h"
#include "engine/run_ctx.h"
#include "engine/vcpu.h"
#include "isa/isa.h"
#include "ns/ns_prog_array.h"
#include "progtypes/progtype.h"

static _Thread_local struct run_ctx *run_current;

struct run_ctx *run_ctx_current(void)
{
	return run_current;
}

/* Sets this thread's run for the helpers and returns the outer one, to be
 * restored when the run ends (a callback's run is nested in its caller's). */
static struct run_ctx *run_set_current(struct run_ctx *run)
{
	struct run_ctx *outer = run_current;

	if (run != outer)
		run->outer = outer;
	run_current = run;
	return outer;
}

/* Enters the engine. `entry` is a function's handle as its lddw
 * BPF_PSEUDO_FUNC loaded it (each engine has its own), 0 for the main
 * program. Checked runs always interpret (their handles are the
 * interpreter's). */
static int run_engine(struct run_ctx *run, struct interp_run *engine_run,
		      struct bpfvm_prog *prog, uint64_t entry, uint64_t *retval)
{
	int err;

	engine_run->entry = NULL;
	if (prog->jit && !run->checked) {
		err = jit_execute(prog, entry, engine_run, retval);
	} else {
		engine_run->entry = (const struct interp_insn *)(uintptr_t)entry;
		if (run->checked)
			err = interp_checked_execute(prog, entry ? (uint32_t)(engine_run->entry -
						     prog->interp->insns) : 0, engine_run, retval);
		else
			err = interp_execute(prog->interp, engine_run, retval);
	}
	if (!err && run->error)
		err = run->error;
	return err;
}

static int64_t run_budget(const struct bpfvm_prog *prog)
{
	return prog->insn_budget > INT64_MAX ? INT64_MAX : (int64_t)prog->insn_budget;
}

/* The stack clear of a callback's run: as run_repeat_next's. */
static void run_clear_stack(const struct bpfvm_prog *prog, struct interp_run *engine_run)
{
	uint32_t reach = atomic_load_explicit(&prog->vm->stack_max, memory_order_relaxed);

	memset(engine_run->stack_top - reach, 0, reach);
}

/* Calls a function of the running program on a fresh stack, with r1..r5 =
 * args. */
/* The engines' state of a run of `prog` on `stack` (INTERP_RUN_STACK
 * bytes), r1..r5 = args; the budget is set per invocation. */
static struct interp_run run_engine_state(uint8_t *stack, const struct bpfvm_prog *prog,
					  struct run_ctx *run, const uint64_t args[5],
					  const uint8_t *packet, uint64_t packet_len)
{
	struct interp_run engine_run = {
		.stack_top = stack + INTERP_RUN_STACK,
		.stack_bottom = stack,
		.packet = packet,
		.packet_len = packet_len,
		.prog_name = prog->name,
		.run = run,
	};

	memcpy(engine_run.args, args, sizeof(engine_run.args));
	return engine_run;
}

static int run_on_fresh_stack(struct run_ctx *run, struct bpfvm_prog *prog,
			      uint64_t entry, const uint64_t args[5],
			      const uint8_t *packet, uint64_t packet_len, uint64_t *retval)
{
	_Alignas(16) uint8_t stack[INTERP_RUN_STACK];
	struct interp_run engine_run = run_engine_state(stack, prog, run, args, packet, packet_len);
	struct run_ctx *outer;
	int err;

	engine_run.budget = run_budget(prog);
	run_clear_stack(prog, &engine_run);
	outer = run_set_current(run);
	err = run_engine(run, &engine_run, prog, entry, retval);
	run_current = outer;
	return err;
}

/* The packet that ld_abs / ld_ind read, for the program type's context. */
static void run_legacy_packet(const struct bpfvm_prog *prog, void *ctx, const uint8_t **packet,
			      uint64_t *packet_len)
{
	*packet = NULL;
	*packet_len = 0;
	if (prog->progtype->legacy_packet)
		prog->progtype->legacy_packet(ctx, packet, packet_len);
}

/* `repeat` invocations of `prog` with r1..r5 = args, each on a cleared
 * stack with a fresh run state (SEMANTICS.md: the tail-call count starts at
 * 0 for every invocation), set up once: the stack, the run state and this
 * thread's current run are the same for every run. Stops at the first
 * error. */
static int run_repeat(struct bpfvm_prog *prog, struct run_ctx *run, const uint64_t args[5],
		      const uint8_t *packet, uint64_t packet_len, uint32_t repeat,
		      uint64_t *retval)
{
	_Alignas(16) uint8_t stack[INTERP_RUN_STACK];
	struct interp_run engine_run = run_engine_state(stack, prog, run, args, packet, packet_len);
	struct run_repeat next = {
		.vm = prog->vm,
		.prog = prog,
		.engine_run = &engine_run,
		.hold = run->hold,
		.gp_waiters = run->hold && !run->hold->nested ? vcpu_gp_waiters(prog->vm) : NULL,
		.stack_max = &prog->vm->stack_max,
		.legacy_packet = prog->progtype->legacy_packet,
		.budget = run_budget(prog),
	};
	struct run_ctx *outer;
	int err = 0;

	run->vm = prog->vm;
	outer = run_set_current(run);
	/* Shared prog arrays that another process wrote (ns/ns_prog_array.h):
	 * as the run's current, so that a program leaving a slot is freed
	 * after the run (this thread holds a vCPU already). */
	if (prog->vm->ns)
		ns_prog_arrays_sync(prog->vm);
	if (prog->jit && !run->checked) {
		err = jit_execute_repeat(&next, repeat, retval);
	} else {
		for (uint32_t i = 0; i < repeat && !err; i++) {
			run_repeat_next(&next, i);
			err = run_engine(run, &engine_run, prog, 0, retval);
		}
	}
	run_current = outer;
	return err;
}

int run_prog(struct bpfvm_prog *prog, struct run_ctx *run, uint32_t repeat, uint64_t *retval)
{
	const uint64_t args[5] = { (uint64_t)(uintptr_t)run->ctx };

	return run_repeat(prog, run, args, NULL, 0, repeat, retval);
}

int run_call_function(struct run_ctx *run, uint64_t func, uint64_t r1, uint64_t r2,
		      uint64_t r3, uint64_t r4, uint64_t r5, uint64_t *retval)
{
	const uint64_t args[5] = { r1, r2, r3, r4, r5 };
	const uint8_t *packet;
	uint64_t packet_len;

	run_legacy_packet(run->prog, run->ctx, &packet, &packet_len);
	return run_on_fresh_stack(run, run->prog, func, args, packet, packet_len, retval);
}

int run_raw(struct bpfvm_prog *prog, void *mem, size_t mem_len, bool checked, uint64_t *retval)
{
	static uint8_t no_memory; /* r1 is memory, never NULL, as the verifier assumed */
	struct run_ctx run;
	uint64_t args[5] = { 0 };
	struct vcpu_hold hold;
	int err;

	if (!mem)
		mem = &no_memory;
	run = (struct run_ctx){ .ctx = mem, .checked = checked };
	args[0] = (uint64_t)(uintptr_t)mem;
	args[1] = mem_len;
	err = vcpu_enter(prog->vm, -1, &hold);
	if (err)
		return err;
	run.cpu = hold.cpu;
	err = run_repeat(prog, &run, args, mem, mem_len, 1, retval);
	vcpu_exit(prog->vm, &hold);
	return err;
}

int bpfvm_prog_run_raw(struct bpfvm_prog *prog, void *mem, size_t mem_len, uint64_t *retval)
{
	if (!prog || !retval || (!mem && mem_len)) {
		vm_error("bpfvm_prog_run_raw: NULL argument");
		return -EINVAL;
	}
	if (prog->type != BPFVM_PROG_TYPE_RAW) {
		vm_error("%s: bpfvm_prog_run_raw runs raw programs; use bpfvm_prog_test_run",
			 prog->name);
		return -EINVAL;
	}
	if (mem_len < prog->raw_ctx_size || mem_len > UINT32_MAX) {
		vm_error("%s: a buffer of %zu bytes, but the program was verified for %u "
			 "(bpfvm_prog_opts.ctx_size)", prog->name, mem_len, prog->raw_ctx_size);
		return -EINVAL;
	}
	return run_raw(prog, mem, mem_len, false, retval);
}
