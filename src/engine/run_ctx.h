/* The state of one run (an invocation of a program and its tail-call chain),
 * as helpers see it.
 *
 * Helpers have the kernel's signature (r1..r5 -> r0). What the kernel finds
 * in per-CPU state (the current CPU, the tail-call count, the running
 * program) they find here, through a thread-local pointer that the run sets
 * for its duration: one store per run, nothing per instruction. */
#ifndef BPFVM_ENGINE_RUN_CTX_H
#define BPFVM_ENGINE_RUN_CTX_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "engine/interp.h"
#include "engine/vcpu.h"

struct checked_state;

struct run_ctx {
	struct bpfvm *vm;
	struct bpfvm_prog *prog; /* the program running now (tail calls change it) */
	void *ctx;		 /* r1 of the entry program: the runtime context */
	uint32_t cpu;		 /* virtual CPU held for the whole chain */
	uint32_t tail_call_cnt;	 /* successful tail calls in this invocation */
	int error;		 /* a helper that must abort the run sets -errno */
	bool checked;		 /* run in checked mode (engine/interp_checked.h) */
	struct checked_state *checked_state; /* its regions, while it runs */
	struct run_ctx *outer;	 /* the run this thread was in when this one began
				  * (a helper of the embedder that runs a program) */
	const struct vcpu_hold *hold; /* a repeated run's vCPU, for the quiescent
				       * points between its runs; NULL: none */
};

/* The run of this thread, or NULL outside a run. */
struct run_ctx *run_ctx_current(void);

/* Runs `prog` `repeat` times (at least once) on run->ctx (r1), as a test
 * run does, with the run state `run` (cpu and hold set by the caller: grace
 * periods may end between the runs). Each run starts afresh (a cleared
 * stack, no tail call made); nothing else is reset, as in the kernel's
 * bpf_test_run(). Stops at the first error. Returns 0 and the last run's
 * r0, or -ETIME / -EINVAL. */
int run_prog(struct bpfvm_prog *prog, struct run_ctx *run, uint32_t repeat, uint64_t *retval);

/* What each run of a repeated run starts with, resolved once (run.c:
 * run_repeat) so that readying a run is a few stores, a test and the stack
 * clear: the engines' repeat loops call run_repeat_next before each run. */
struct run_repeat {
	struct bpfvm *vm;
	struct bpfvm_prog *prog;
	struct interp_run *engine_run;
	const struct vcpu_hold *hold;
	const _Atomic uint32_t *gp_waiters; /* NULL: no quiescent points (nested) */
	const _Atomic uint32_t *stack_max;  /* vm->stack_max: how much to clear */
	void (*legacy_packet)(void *ctx, const uint8_t **data, uint64_t *len);
	int64_t budget;
};

/* Readies run `i` (from 0): lets a waiting grace period end between runs,
 * resets what an invocation starts with (the running program, no tail call
 * made, no error, the budget), re-reads the legacy packet from the context
 * (a run may have moved it) and clears the top of the stack, as deep as
 * any program of the runtime reaches: a privileged program may read stack
 * it never wrote (the verifier allows it, as the kernel's
 * allow_uninit_stack), and must read zeros, not an earlier run's bytes
 * (tests/engine/test_fresh_stack.c). The reach is read at every run: a
 * program loaded meanwhile may be tail-called by the next. */
static inline void run_repeat_next(const struct run_repeat *r, uint32_t i)
{
	struct interp_run *engine_run = r->engine_run;
	struct run_ctx *run = engine_run->run;
	uint32_t reach;

	if (i && r->gp_waiters && atomic_load_explicit(r->gp_waiters, memory_order_relaxed))
		vcpu_quiescent(r->vm, r->hold);
	run->prog = r->prog;
	run->tail_call_cnt = 0;
	run->error = 0;
	engine_run->budget = r->budget;
	if (r->legacy_packet)
		r->legacy_packet(run->ctx, &engine_run->packet, &engine_run->packet_len);
	reach = atomic_load_explicit(r->stack_max, memory_order_relaxed);
	/* reach is not a constant: the compiler calls memset (vector
	 * stores) rather than inlining `rep stos`, slow to start for a few
	 * hundred bytes. */
	memset(engine_run->stack_top - reach, 0, reach);
}

/* Runs a raw program over `mem` (r1 = mem, r2 = mem_len) on a free vCPU,
 * in checked mode if asked (bpfvm_prog_run_raw has no option for it: the
 * soundness fuzzer uses this). Returns 0 and r0, or a negative errno. */
int run_raw(struct bpfvm_prog *prog, void *mem, size_t mem_len, bool checked, uint64_t *retval);

/* Calls a function of the running program (a callback of bpf_loop,
 * bpf_for_each_map_elem, ...), identified by the value its lddw
 * BPF_PSEUDO_FUNC loaded, with r1..r5, on a fresh frame. Returns 0 and its
 * r0, or a negative errno. */
int run_call_function(struct run_ctx *run, uint64_t func, uint64_t r1, uint64_t r2,
		      uint64_t r3, uint64_t r4, uint64_t r5, uint64_t *retval);

#endif
