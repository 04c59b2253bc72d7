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
#include "progtypes/progtype.h"

static _Thread_local struct run_ctx *run_current;

struct run_ctx *run_ctx_current(void)
{
	return run_current;
}

/* Enters the engine with this thread's run state set for the helpers, and
 * restores the outer one (a callback's run is nested in its caller's).
 * `entry` is a function's handle as its lddw BPF_PSEUDO_FUNC loaded it
 * (each engine has its own), 0 for the main program. Checked runs always
 * interpret (their handles are the interpreter's). */
static int run_enter(struct run_ctx *run, struct interp_run *engine_run,
		     struct bpfvm_prog *prog, uint64_t entry, uint64_t *retval)
{
	struct run_ctx *outer = run_current;
	int err;

	if (run != outer)
		run->outer = outer;
	run_current = run;
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
	run_current = outer;
	if (!err && run->error)
		err = run->error;
	return err;
}

static int64_t run_budget(const struct bpfvm_prog *prog)
{
	return prog->insn_budget > INT64_MAX ? INT64_MAX : (int64_t)prog->insn_budget;
}

/* Enters `prog`'s code at `entry` (0: its start) with r1..r5 = args,
 * on a fresh stack. A privileged program may read stack it never wrote
 * (the verifier allows it, as the kernel's allow_uninit_stack), so that a
 * run is deterministic the top of the stack is cleared: as deep as any
 * program of the runtime reaches (vm->stack_max, at most ISA_MAX_STACK),
 * which covers every program a tail call can reach from the top frame.
 * Clearing only that much rather than all ISA_MAX_STACK bytes measured
 * 26 -> 17 ns for an empty XDP program's run (bench_progs, JIT). The rest,
 * reached only through tail calls made from subprograms, is not cleared, to
 * keep a run's set-up cost independent of that reserve
 * (tests/engine/test_fresh_stack.c). */
static int run_on_fresh_stack(struct run_ctx *run, struct bpfvm_prog *prog,
			      uint64_t entry, const uint64_t args[5],
			      const uint8_t *packet, uint64_t packet_len, uint64_t *retval)
{
	_Alignas(16) uint8_t stack[INTERP_RUN_STACK];
	struct interp_run engine_run = {
		.stack_top = stack + sizeof(stack),
		.stack_bottom = stack,
		.packet = packet,
		.packet_len = packet_len,
		.budget = run_budget(prog),
		.prog_name = prog->name,
		.run = run,
	};
	uint32_t reach = atomic_load_explicit(&prog->vm->stack_max, memory_order_relaxed);

	memcpy(engine_run.args, args, sizeof(engine_run.args));
	/* reach is not a constant: the compiler calls memset (vector stores)
	 * rather than inlining `rep stos`, slow to start for a few hundred
	 * bytes. */
	memset(stack + sizeof(stack) - reach, 0, reach);
	return run_enter(run, &engine_run, prog, entry, retval);
}

/* A new invocation: the run state starts afresh (SEMANTICS.md: the tail-call
 * count starts at 0 for every invocation). */
static int run_start(struct bpfvm_prog *prog, struct run_ctx *run, const uint64_t args[5],
		     const uint8_t *packet, uint64_t packet_len, uint64_t *retval)
{
	run->vm = prog->vm;
	run->prog = prog;
	run->tail_call_cnt = 0;
	run->error = 0;
	return run_on_fresh_stack(run, prog, 0, args, packet, packet_len, retval);
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

int run_prog(struct bpfvm_prog *prog, struct run_ctx *run, uint64_t *retval)
{
	const uint64_t args[5] = { (uint64_t)(uintptr_t)run->ctx };
	const uint8_t *packet;
	uint64_t packet_len;

	run_legacy_packet(prog, run->ctx, &packet, &packet_len);
	return run_start(prog, run, args, packet, packet_len, retval);
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
	err = run_start(prog, &run, args, mem, mem_len, retval);
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
