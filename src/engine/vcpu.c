/* Virtual CPUs: ownership, bindings, runs, grace periods (see vcpu.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/error.h"
#include "core/runtime.h"
#include "engine/run_ctx.h"
#include "engine/vcpu.h"

struct vcpu {
	_Alignas(64) _Atomic uint32_t owner; /* thread id of the holder, 0 = free */
	_Atomic uint64_t seq;		     /* odd while a run is inside programs */
};

/* The part other processes may share one day: no pointers. */
struct vcpu_shared {
	_Atomic uint32_t gp_waiters;
	uint32_t nr_cpus;
	struct vcpu cpus[];
};

struct deferred_free {
	struct deferred_free *next;
	void (*fn)(void *arg);
	void *arg;
};

struct vcpu_table {
	struct vcpu_shared *shared;
	pthread_mutex_t deferred_lock;
	struct deferred_free *deferred; /* queued from inside runs */
};

struct vcpu_binding {
	const struct bpfvm *vm;
	uint32_t cpu;
};

static _Thread_local struct vcpu_binding bindings[BPFVM_CPU_BINDINGS_MAX];
static _Thread_local uint32_t thread_id;
static _Thread_local uint32_t last_cpu; /* where an unbound thread ran last */
static _Thread_local const struct bpfvm *batch_vm; /* vcpu_batch_begin's */
static _Thread_local unsigned batch_depth;

struct vcpu_table *vcpu_table_create(uint32_t nr_cpus)
{
	struct vcpu_table *table = calloc(1, sizeof(*table));

	if (!table)
		return NULL;
	table->shared = aligned_alloc(64, sizeof(*table->shared) +
					      (size_t)nr_cpus * sizeof(struct vcpu) + 64);
	if (!table->shared) {
		free(table);
		return NULL;
	}
	atomic_init(&table->shared->gp_waiters, 0);
	table->shared->nr_cpus = nr_cpus;
	for (uint32_t i = 0; i < nr_cpus; i++) {
		atomic_init(&table->shared->cpus[i].owner, 0);
		atomic_init(&table->shared->cpus[i].seq, 0);
	}
	pthread_mutex_init(&table->deferred_lock, NULL);
	return table;
}

void vcpu_table_destroy(struct vcpu_table *table)
{
	if (!table)
		return;
	pthread_mutex_destroy(&table->deferred_lock);
	free(table->shared);
	free(table);
}

static uint32_t vcpu_thread_id(void)
{
	if (!thread_id)
		thread_id = (uint32_t)syscall(SYS_gettid);
	return thread_id;
}

/* ---- Ownership and bindings ----------------------------------------- */

static bool vcpu_try_take(struct vcpu_shared *shared, uint32_t cpu)
{
	uint32_t free_owner = 0;

	return atomic_compare_exchange_strong(&shared->cpus[cpu].owner, &free_owner,
					      vcpu_thread_id());
}

static void vcpu_release(struct vcpu_shared *shared, uint32_t cpu)
{
	atomic_store_explicit(&shared->cpus[cpu].owner, 0, memory_order_release);
}

/* A free vCPU, the one this thread used last first; -1 when all are held. */
static int vcpu_take_any(struct vcpu_shared *shared)
{
	for (uint32_t i = 0; i < shared->nr_cpus; i++) {
		uint32_t cpu = (last_cpu + i) % shared->nr_cpus;

		if (vcpu_try_take(shared, cpu)) {
			last_cpu = cpu;
			return (int)cpu;
		}
	}
	return -1;
}

/* Waits, yielding, until `try` succeeds: the vCPUs' holders are runs, which
 * end by themselves (every run is bounded by its instruction budget). */
static uint32_t vcpu_take_waiting(struct vcpu_shared *shared, int cpu)
{
	for (;;) {
		if (cpu >= 0 && vcpu_try_take(shared, (uint32_t)cpu))
			return (uint32_t)cpu;
		if (cpu < 0) {
			int taken = vcpu_take_any(shared);

			if (taken >= 0)
				return (uint32_t)taken;
		}
		sched_yield();
	}
}

static struct vcpu_binding *vcpu_binding_of(const struct bpfvm *vm)
{
	for (int i = 0; i < BPFVM_CPU_BINDINGS_MAX; i++)
		if (bindings[i].vm == vm)
			return &bindings[i];
	return NULL;
}

int bpfvm_cpu_bind(struct bpfvm *vm, int cpu)
{
	struct vcpu_shared *shared;
	struct vcpu_binding *slot;
	int taken;

	if (!vm) {
		vm_error("bpfvm_cpu_bind: vm is NULL");
		return -EINVAL;
	}
	shared = vm->vcpus->shared;
	if (cpu < -1 || cpu >= (int)shared->nr_cpus) {
		vm_error("bpfvm_cpu_bind: vCPU %d is out of range (the runtime has %u)", cpu,
			 shared->nr_cpus);
		return -EINVAL;
	}
	if (vcpu_binding_of(vm)) {
		vm_error("bpfvm_cpu_bind: this thread is bound to vCPU %u already",
			 vcpu_binding_of(vm)->cpu);
		return -EALREADY;
	}
	slot = vcpu_binding_of(NULL);
	if (!slot) {
		vm_error("bpfvm_cpu_bind: this thread has %d bindings already",
			 BPFVM_CPU_BINDINGS_MAX);
		return -ENOSPC;
	}
	taken = cpu >= 0 ? (vcpu_try_take(shared, (uint32_t)cpu) ? cpu : -1)
			 : vcpu_take_any(shared);
	if (taken < 0) {
		vm_error(cpu >= 0 ? "bpfvm_cpu_bind: vCPU %d is held by another thread"
				  : "bpfvm_cpu_bind: all %u vCPUs are held",
			 cpu >= 0 ? cpu : (int)shared->nr_cpus);
		return -EBUSY;
	}
	slot->vm = vm;
	slot->cpu = (uint32_t)taken;
	return taken;
}

int bpfvm_cpu_unbind(struct bpfvm *vm)
{
	struct vcpu_binding *binding = vm ? vcpu_binding_of(vm) : NULL;
	struct run_ctx *run = run_ctx_current();

	if (!binding) {
		vm_error("bpfvm_cpu_unbind: this thread is not bound");
		return -ENOENT;
	}
	for (; run; run = run->outer) {
		if (run->vm == vm) {
			vm_error("bpfvm_cpu_unbind: called from inside a run");
			return -EBUSY;
		}
	}
	vcpu_release(vm->vcpus->shared, binding->cpu);
	binding->vm = NULL;
	return 0;
}

int bpfvm_cpu_bound(const struct bpfvm *vm)
{
	const struct vcpu_binding *binding = vm ? vcpu_binding_of(vm) : NULL;

	return binding ? (int)binding->cpu : -ENOENT;
}

/* ---- Runs ------------------------------------------------------------ */

static const struct run_ctx *vcpu_outer_run(const struct bpfvm *vm)
{
	for (const struct run_ctx *run = run_ctx_current(); run; run = run->outer)
		if (run->vm == vm)
			return run;
	return NULL;
}

/* Marks the vCPU inside a run. The exchange is a full barrier: the odd
 * sequence is visible to vcpu_synchronize() before this run loads any slot,
 * so an updater never misses a run that could see the old object. */
static void vcpu_go_online(struct vcpu *vcpu)
{
	uint64_t seq = atomic_load_explicit(&vcpu->seq, memory_order_relaxed);

	atomic_exchange_explicit(&vcpu->seq, seq + 1, memory_order_seq_cst);
}

static void vcpu_go_offline(struct vcpu *vcpu)
{
	uint64_t seq = atomic_load_explicit(&vcpu->seq, memory_order_relaxed);

	atomic_store_explicit(&vcpu->seq, seq + 1, memory_order_release);
}

int vcpu_enter(struct bpfvm *vm, int cpu, struct vcpu_hold *hold)
{
	struct vcpu_shared *shared = vm->vcpus->shared;
	const struct run_ctx *outer = vcpu_outer_run(vm);
	const struct vcpu_binding *binding;

	*hold = (struct vcpu_hold){ 0 };
	if (cpu >= (int)shared->nr_cpus) {
		vm_error("vCPU %d is out of range (the runtime has %u)", cpu, shared->nr_cpus);
		return -ENXIO;
	}
	if (outer) {
		/* A run inside a run (a helper that runs a program) stays
		 * on the outer run's vCPU, as the kernel stays on its CPU. */
		hold->cpu = outer->cpu;
		hold->nested = true;
		return 0;
	}
	binding = vcpu_binding_of(vm);
	if (binding && (cpu < 0 || (uint32_t)cpu == binding->cpu)) {
		hold->cpu = binding->cpu;
	} else {
		hold->cpu = vcpu_take_waiting(shared, cpu);
		hold->acquired = true;
	}
	vcpu_go_online(&shared->cpus[hold->cpu]);
	return 0;
}

void vcpu_quiescent(struct bpfvm *vm, const struct vcpu_hold *hold)
{
	struct vcpu_shared *shared = vm->vcpus->shared;

	if (hold->nested || !atomic_load_explicit(&shared->gp_waiters, memory_order_relaxed))
		return;
	vcpu_go_offline(&shared->cpus[hold->cpu]);
	vcpu_go_online(&shared->cpus[hold->cpu]);
}

const _Atomic uint32_t *vcpu_gp_waiters(const struct bpfvm *vm)
{
	return &vm->vcpus->shared->gp_waiters;
}

void vcpu_exit(struct bpfvm *vm, const struct vcpu_hold *hold)
{
	struct vcpu_shared *shared = vm->vcpus->shared;

	if (hold->nested)
		return;
	vcpu_go_offline(&shared->cpus[hold->cpu]);
	if (hold->acquired)
		vcpu_release(shared, hold->cpu);
}

/* ---- Grace periods --------------------------------------------------- */

static void vcpu_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static void vcpu_wait_leaves(struct vcpu *vcpu, uint64_t seq)
{
	for (unsigned spins = 0;
	     atomic_load_explicit(&vcpu->seq, memory_order_acquire) == seq; spins++) {
		if (spins < 64)
			vcpu_cpu_relax();
		else
			sched_yield();
	}
}

static struct deferred_free *vcpu_take_deferred(struct vcpu_table *table)
{
	struct deferred_free *list;

	pthread_mutex_lock(&table->deferred_lock);
	list = table->deferred;
	table->deferred = NULL;
	pthread_mutex_unlock(&table->deferred_lock);
	return list;
}

static void vcpu_run_deferred(struct deferred_free *list)
{
	while (list) {
		struct deferred_free *next = list->next;

		list->fn(list->arg);
		free(list);
		list = next;
	}
}

void vcpu_synchronize(struct bpfvm *vm)
{
	struct vcpu_shared *shared = vm->vcpus->shared;
	/* What was queued before this grace period began is safe after it. */
	struct deferred_free *deferred = vcpu_take_deferred(vm->vcpus);

	atomic_fetch_add_explicit(&shared->gp_waiters, 1, memory_order_seq_cst);
	for (uint32_t i = 0; i < shared->nr_cpus; i++) {
		uint64_t seq = atomic_load_explicit(&shared->cpus[i].seq, memory_order_seq_cst);

		if (seq & 1)
			vcpu_wait_leaves(&shared->cpus[i], seq);
	}
	atomic_fetch_sub_explicit(&shared->gp_waiters, 1, memory_order_release);
	vcpu_run_deferred(deferred);
}

static void vcpu_queue_free(struct vcpu_table *table, void (*fn)(void *arg), void *arg)
{
	struct deferred_free *entry = malloc(sizeof(*entry));

	if (!entry)
		return;
	*entry = (struct deferred_free){ .fn = fn, .arg = arg };
	pthread_mutex_lock(&table->deferred_lock);
	entry->next = table->deferred;
	table->deferred = entry;
	pthread_mutex_unlock(&table->deferred_lock);
}

void vcpu_free_after_grace(struct bpfvm *vm, void (*fn)(void *arg), void *arg)
{
	if (vcpu_outer_run(vm) || (batch_depth && batch_vm == vm)) {
		vcpu_queue_free(vm->vcpus, fn, arg);
		return;
	}
	vcpu_synchronize(vm);
	fn(arg);
}

void vcpu_batch_begin(struct bpfvm *vm)
{
	if (batch_depth && batch_vm != vm)
		return; /* another runtime's batch: this one frees at once */
	batch_vm = vm;
	batch_depth++;
}

void vcpu_batch_end(struct bpfvm *vm)
{
	if (batch_vm != vm || !batch_depth)
		return;
	if (--batch_depth)
		return;
	batch_vm = NULL;
	if (!vcpu_outer_run(vm))
		vcpu_synchronize(vm); /* runs what the batch queued */
}

void vcpu_drain_deferred(struct bpfvm *vm)
{
	struct deferred_free *list;

	while ((list = vcpu_take_deferred(vm->vcpus)))
		vcpu_run_deferred(list);
}
