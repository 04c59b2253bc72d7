/* Virtual CPUs: ownership, bindings, runs, grace periods (see vcpu.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "core/error.h"
#include "core/owner.h"
#include "core/runtime.h"
#include "engine/run_ctx.h"
#include "engine/vcpu.h"
#include "ns/ns_vcpu.h"

struct vcpu {
	/* Holder's core/owner.h ident, 0 = free; the namespace's word is used
	 * instead when the runtime has one (owner_base). */
	_Alignas(NS_VCPU_STRIDE) _Atomic uint64_t owner;
	_Atomic uint64_t seq; /* odd while a run is inside programs */
};

_Static_assert(sizeof(struct vcpu) == NS_VCPU_STRIDE, "owner words a stride apart");

struct deferred_free {
	struct deferred_free *next;
	void (*fn)(void *arg);
	void *arg;
};

struct vcpu_table {
	_Atomic uint32_t gp_waiters;
	uint32_t nr_cpus;
	/* vCPU 0's owner word, the next NS_VCPU_STRIDE bytes further: in cpus[]
	 * or in the namespace's table, so that a run takes a vCPU with the
	 * same compare-and-swap either way. */
	uint8_t *owner_base;
	bool shared; /* owner_base is the namespace's */
	struct vcpu *cpus;
	pthread_mutex_t deferred_lock;
	struct deferred_free *deferred; /* queued from inside runs */
};

struct vcpu_binding {
	const struct bpfvm *vm;
	uint32_t cpu;
	bool shared; /* held in the namespace's table */
};

/* Yields of a waiting run between two looks for vCPUs of dead holders: a
 * look reads /proc once per held vCPU. */
#define VCPU_YIELDS_BEFORE_RECLAIM 256

static _Thread_local struct vcpu_binding bindings[BPFVM_CPU_BINDINGS_MAX];
static _Thread_local uint32_t last_cpu; /* where an unbound thread ran last */
static _Thread_local const struct bpfvm *batch_vm; /* vcpu_batch_begin's */
static _Thread_local unsigned batch_depth;
static pthread_once_t vcpu_atfork_once = PTHREAD_ONCE_INIT;

/* A fork()ed child is not the thread that holds its parent's bindings in a
 * namespace: it forgets them (a private table is the child's own copy, and
 * its bindings go on in it). */
static void vcpu_forget_shared_bindings(void)
{
	for (int i = 0; i < BPFVM_CPU_BINDINGS_MAX; i++)
		if (bindings[i].shared)
			bindings[i] = (struct vcpu_binding){ 0 };
}

static void vcpu_register_atfork(void)
{
	pthread_atfork(NULL, NULL, vcpu_forget_shared_bindings);
}

struct vcpu_table *vcpu_table_create(uint32_t nr_cpus, struct ns_vcpus *shared)
{
	struct vcpu_table *table = calloc(1, sizeof(*table));

	if (!table)
		return NULL;
	table->cpus = aligned_alloc(NS_VCPU_STRIDE, (size_t)nr_cpus * sizeof(struct vcpu) +
							    NS_VCPU_STRIDE);
	if (!table->cpus) {
		free(table);
		return NULL;
	}
	pthread_once(&vcpu_atfork_once, vcpu_register_atfork);
	atomic_init(&table->gp_waiters, 0);
	table->nr_cpus = nr_cpus;
	for (uint32_t i = 0; i < nr_cpus; i++) {
		atomic_init(&table->cpus[i].owner, 0);
		atomic_init(&table->cpus[i].seq, 0);
	}
	table->shared = shared != NULL;
	table->owner_base = shared ? (uint8_t *)ns_vcpus_owner(shared, 0)
				   : (uint8_t *)&table->cpus[0].owner;
	pthread_mutex_init(&table->deferred_lock, NULL);
	return table;
}

void vcpu_table_destroy(struct vcpu_table *table)
{
	if (!table)
		return;
	pthread_mutex_destroy(&table->deferred_lock);
	free(table->cpus);
	free(table);
}

/* ---- Ownership and bindings ----------------------------------------- */

static _Atomic uint64_t *vcpu_owner(const struct vcpu_table *table, uint32_t cpu)
{
	return (_Atomic uint64_t *)(table->owner_base + (size_t)cpu * NS_VCPU_STRIDE);
}

/* This thread's owner word: with its start time in a namespace's table,
 * where another process may need to tell it from a later thread of the same
 * tid; the tid alone in a runtime's own table, which saves each new thread
 * a read of /proc (tens of microseconds) at its first run. */
static uint64_t vcpu_self(const struct vcpu_table *table)
{
	return table->shared ? owner_ident() : (uint64_t)owner_tid() << 32;
}

static bool vcpu_try_take(struct vcpu_table *table, uint32_t cpu)
{
	uint64_t free_owner = 0;

	return atomic_compare_exchange_strong(vcpu_owner(table, cpu), &free_owner,
					      vcpu_self(table));
}

static void vcpu_release(struct vcpu_table *table, uint32_t cpu)
{
	atomic_store_explicit(vcpu_owner(table, cpu), 0, memory_order_release);
}

/* Frees the vCPUs whose holder died: a process killed in a run, a bound
 * thread that ended. Returns how many. */
static uint32_t vcpu_reclaim_dead(struct vcpu_table *table)
{
	uint32_t reclaimed = 0;

	for (uint32_t cpu = 0; cpu < table->nr_cpus; cpu++) {
		uint64_t owner = atomic_load_explicit(vcpu_owner(table, cpu), memory_order_relaxed);

		/* The exchange fails if the holder released it meanwhile, or
		 * another waiter reclaimed it first. */
		if (owner && owner != vcpu_self(table) && owner_ident_dead(owner) &&
		    atomic_compare_exchange_strong(vcpu_owner(table, cpu), &owner, 0))
			reclaimed++;
	}
	return reclaimed;
}

/* A free vCPU, the one this thread used last first; -1 when all are held. */
static int vcpu_take_any(struct vcpu_table *table)
{
	for (uint32_t i = 0; i < table->nr_cpus; i++) {
		uint32_t cpu = (last_cpu + i) % table->nr_cpus;

		if (vcpu_try_take(table, cpu)) {
			last_cpu = cpu;
			return (int)cpu;
		}
	}
	return -1;
}

/* `cpu`, or any vCPU when it is -1; -1 when none is free. */
static int vcpu_take(struct vcpu_table *table, int cpu)
{
	if (cpu < 0)
		return vcpu_take_any(table);
	return vcpu_try_take(table, (uint32_t)cpu) ? cpu : -1;
}

/* The vCPU (`cpu`, or any when -1) that this thread already holds in the
 * table through another runtime of the namespace (an outer run, a binding);
 * -1 if none. */
static int vcpu_held_by_self(struct vcpu_table *table, int cpu)
{
	for (uint32_t i = 0; table->shared && i < table->nr_cpus; i++)
		if ((cpu < 0 || (uint32_t)cpu == i) &&
		    atomic_load_explicit(vcpu_owner(table, i), memory_order_relaxed) ==
			    vcpu_self(table))
			return (int)i;
	return -1;
}

/* Waits, yielding, until a vCPU is free: the vCPUs' holders are runs, which
 * end by themselves (every run is bounded by its instruction budget), bound
 * threads, which unbind or end, and dead threads, whose vCPUs are taken
 * back. The kernel never runs two programs on one CPU at once either: a
 * run waits as a preempted task would. A vCPU this thread holds through
 * another runtime of the namespace is its own: it runs there (not taken,
 * so not released), rather than wait for itself. */
static uint32_t vcpu_take_waiting(struct vcpu_table *table, int cpu, bool *acquired)
{
	*acquired = true;
	for (unsigned yields = 0;; yields++) {
		int taken = vcpu_take(table, cpu);

		if (taken >= 0)
			return (uint32_t)taken;
		if (!yields && (taken = vcpu_held_by_self(table, cpu)) >= 0) {
			*acquired = false;
			return (uint32_t)taken;
		}
		if (yields % VCPU_YIELDS_BEFORE_RECLAIM == VCPU_YIELDS_BEFORE_RECLAIM - 1)
			vcpu_reclaim_dead(table);
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
	struct vcpu_table *table;
	struct vcpu_binding *slot;
	int taken;

	if (!vm) {
		vm_error("bpfvm_cpu_bind: vm is NULL");
		return -EINVAL;
	}
	table = vm->vcpus;
	if (cpu < -1 || cpu >= (int)table->nr_cpus) {
		vm_error("bpfvm_cpu_bind: vCPU %d is out of range (the runtime has %u)", cpu,
			 table->nr_cpus);
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
	taken = vcpu_take(table, cpu);
	if (taken < 0 && vcpu_reclaim_dead(table))
		taken = vcpu_take(table, cpu);
	if (taken < 0) {
		vm_error(cpu >= 0 ? "bpfvm_cpu_bind: vCPU %d is held by another thread"
				  : "bpfvm_cpu_bind: all %u vCPUs are held",
			 cpu >= 0 ? cpu : (int)table->nr_cpus);
		return -EBUSY;
	}
	*slot = (struct vcpu_binding){ .vm = vm, .cpu = (uint32_t)taken, .shared = table->shared };
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
	vcpu_release(vm->vcpus, binding->cpu);
	*binding = (struct vcpu_binding){ 0 };
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
	struct vcpu_table *table = vm->vcpus;
	const struct run_ctx *outer = vcpu_outer_run(vm);
	const struct vcpu_binding *binding;

	*hold = (struct vcpu_hold){ 0 };
	if (cpu >= (int)table->nr_cpus) {
		vm_error("vCPU %d is out of range (the runtime has %u)", cpu, table->nr_cpus);
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
		hold->cpu = vcpu_take_waiting(table, cpu, &hold->acquired);
	}
	vcpu_go_online(&table->cpus[hold->cpu]);
	return 0;
}

void vcpu_quiescent(struct bpfvm *vm, const struct vcpu_hold *hold)
{
	struct vcpu_table *table = vm->vcpus;

	if (hold->nested || !atomic_load_explicit(&table->gp_waiters, memory_order_relaxed))
		return;
	vcpu_go_offline(&table->cpus[hold->cpu]);
	vcpu_go_online(&table->cpus[hold->cpu]);
}

const _Atomic uint32_t *vcpu_gp_waiters(const struct bpfvm *vm)
{
	return &vm->vcpus->gp_waiters;
}

void vcpu_exit(struct bpfvm *vm, const struct vcpu_hold *hold)
{
	struct vcpu_table *table = vm->vcpus;

	if (hold->nested)
		return;
	vcpu_go_offline(&table->cpus[hold->cpu]);
	if (hold->acquired)
		vcpu_release(table, hold->cpu);
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
	struct vcpu_table *table = vm->vcpus;
	/* What was queued before this grace period began is safe after it. */
	struct deferred_free *deferred = vcpu_take_deferred(vm->vcpus);

	atomic_fetch_add_explicit(&table->gp_waiters, 1, memory_order_seq_cst);
	for (uint32_t i = 0; i < table->nr_cpus; i++) {
		uint64_t seq = atomic_load_explicit(&table->cpus[i].seq, memory_order_seq_cst);

		if (seq & 1)
			vcpu_wait_leaves(&table->cpus[i], seq);
	}
	atomic_fetch_sub_explicit(&table->gp_waiters, 1, memory_order_release);
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
