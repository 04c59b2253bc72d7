/* Virtual CPUs, and the grace periods built on them.
 *
 * A runtime has nr_cpus virtual CPUs. A run (one invocation with its whole
 * tail-call chain, or the repeats of one test run) holds one for its whole
 * duration, so per-CPU map values are private to it and
 * bpf_get_smp_processor_id() is constant along a chain (SEMANTICS.md:
 * per-CPU execution).
 *
 * The same table gives the run path its "RCU read side" for free. Each vCPU
 * has a sequence number that is odd while a run on it is inside programs.
 * An object that runs may still reach (a program taken out of a prog array
 * slot, an inner map taken out of a map of maps, a map or program whose last
 * reference went) is freed only after a grace period: every vCPU that was
 * inside a run when it began has left it or passed a quiescent point. The
 * run path pays one atomic exchange when it enters and a plain store when it
 * leaves; nothing per instruction, nothing per tail call.
 *
 *     struct vcpu_table (this runtime's)     the namespace's (ns/ns_vcpu.h)
 *     +------------------------------+       +---------------------------+
 *     | gp_waiters: updaters waiting |       | vcpu[0].owner ...         |
 *     |   for a grace period         |       +---------------------------+
 *     | owner_base ------------------------->  (or cpus[0].owner below,
 *     | cpus[0]: owner, seq (odd:    |          without a namespace)
 *     |   in a run); one cache line  |
 *     | cpus[1] ...                  |
 *     +------------------------------+
 *
 * Owner words name the holding thread (core/owner.h) and are taken with
 * one compare-and-swap per run, or once by a bound thread. In a namespace
 * they are the namespace's, so that two processes never run on one vCPU at
 * once and per-CPU values stay exclusive across processes; a holder that
 * died is found out by a waiter, which takes its vCPU back. Sequence counts
 * stay in the runtime: a grace period guards this process's objects. */
#ifndef BPFVM_ENGINE_VCPU_H
#define BPFVM_ENGINE_VCPU_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "bpfvm/bpfvm.h"

struct vcpu_table;
struct ns_vcpus;

/* Creates the table of a runtime, all vCPUs free; with `shared` (a
 * namespace's ownership table, or NULL) the vCPUs are claimed there.
 * NULL on ENOMEM. */
struct vcpu_table *vcpu_table_create(uint32_t nr_cpus, struct ns_vcpus *shared);
void vcpu_table_destroy(struct vcpu_table *table);

/* What a run holds while it runs. */
struct vcpu_hold {
	uint32_t cpu;
	bool acquired; /* taken for this run (released by vcpu_exit) */
	bool nested;   /* inside another run of the same runtime: its vCPU */
};

/* Starts a run in `vm`: takes a vCPU (the thread's bound one, the outer
 * run's when nested, `cpu` when it is >= 0, else any free one, waiting while
 * none is, and taking back those of dead holders) and marks it inside a
 * run. Returns 0, or -ENXIO when cpu is out of
 * range. */
int vcpu_enter(struct bpfvm *vm, int cpu, struct vcpu_hold *hold);

/* Between two invocations of one run (test-run repeats): lets a waiting
 * grace period end, at the cost of one relaxed load when none waits. */
void vcpu_quiescent(struct bpfvm *vm, const struct vcpu_hold *hold);

/* The word vcpu_quiescent tests (non-zero while an updater waits for a
 * grace period), for a repeat loop that tests it itself and calls
 * vcpu_quiescent only then (engine/run_ctx.h: run_repeat_next). */
const _Atomic uint32_t *vcpu_gp_waiters(const struct bpfvm *vm);

/* Ends the run: the vCPU leaves the run, and is released if it was taken. */
void vcpu_exit(struct bpfvm *vm, const struct vcpu_hold *hold);

/* Calls fn(arg) once no run can still use what the caller has just made
 * unreachable: at once after a grace period when called outside any run of
 * `vm`; later (at the next grace period outside a run, or when the runtime
 * is destroyed) when called from inside one, which cannot wait for itself.
 * On ENOMEM in the latter case, the object is leaked rather than freed
 * early. */
void vcpu_free_after_grace(struct bpfvm *vm, void (*fn)(void *arg), void *arg);

/* Waits for a grace period (the kernel's synchronize_rcu()). Must not be
 * called from inside a run of `vm`. */
void vcpu_synchronize(struct bpfvm *vm);

/* Between these, this thread's vcpu_free_after_grace() calls for `vm` only
 * queue their frees; the end waits for one grace period and runs them all.
 * Closing an object frees its programs and maps so: one wait, not one per
 * object. Batches nest. */
void vcpu_batch_begin(struct bpfvm *vm);
void vcpu_batch_end(struct bpfvm *vm);

/* Runs every deferred free; for bpfvm_destroy(), when no run is left. */
void vcpu_drain_deferred(struct bpfvm *vm);

#endif
