/* Virtual CPUs (SEMANTICS.md: per-CPU execution; bpfvm.h: bpfvm_cpu_bind):
 * a run holds one vCPU for its whole duration and no other thread runs on it
 * meanwhile; a bound thread always runs on its vCPU; binding follows its
 * documented errors.
 *
 * Usage: test_vcpus OBJECTS_DIR */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_testlib.h"
#include "testlib.h"

#define RUNS_PER_THREAD 3000

/* The sum over vCPUs of count_on_cpu's per-CPU counter. */
static uint64_t total_runs(struct bpfvm *vm, struct bpfvm_object *obj)
{
	uint32_t nr_cpus = bpfvm_nr_cpus(vm), zero = 0;
	uint64_t *values = calloc(nr_cpus, sizeof(*values)), total = 0;

	if (values && !bpfvm_map_lookup(bpfvm_object_find_map(obj, "per_cpu_runs"), &zero,
					values))
		for (uint32_t i = 0; i < nr_cpus; i++)
			total += values[i];
	free(values);
	return total;
}

struct runner {
	struct bpfvm *vm;
	struct bpfvm_prog *prog;
	int bind_to;	 /* -2: unbound */
	int bound;	 /* what bpfvm_cpu_bind returned */
	unsigned wrong_cpu; /* runs that reported another vCPU than the bound one */
	unsigned errors;
};

static void *runner_main(void *arg)
{
	struct runner *runner = arg;

	if (runner->bind_to != -2)
		runner->bound = bpfvm_cpu_bind(runner->vm, runner->bind_to);
	for (int i = 0; i < RUNS_PER_THREAD; i++) {
		long cpu = run_once(runner->prog);

		if (cpu < 0)
			runner->errors++;
		else if (runner->bind_to != -2 && cpu != runner->bound)
			runner->wrong_cpu++;
	}
	if (runner->bind_to != -2)
		bpfvm_cpu_unbind(runner->vm);
	return NULL;
}

/* count_on_cpu does a read-modify-write of its per-CPU counter with a
 * delay in between: two runs sharing a vCPU would lose updates. */
static void runs_never_share_a_vcpu(struct bpfvm *vm, struct bpfvm_object *obj, int bind_a,
				    int bind_b, int threads, const char *test)
{
	struct runner runners[4];
	pthread_t ids[4];
	uint64_t before = total_runs(vm, obj);

	for (int i = 0; i < threads; i++) {
		runners[i] = (struct runner){
			.vm = vm,
			.prog = bpfvm_object_find_prog(obj, "count_on_cpu"),
			.bind_to = i == 0 ? bind_a : i == 1 ? bind_b : -2,
		};
		pthread_create(&ids[i], NULL, runner_main, &runners[i]);
	}
	for (int i = 0; i < threads; i++) {
		pthread_join(ids[i], NULL);
		testlib_check(test, runners[i].errors == 0 && runners[i].wrong_cpu == 0,
			      "thread %d: %u failed runs, %u runs off its bound vCPU %d", i,
			      runners[i].errors, runners[i].wrong_cpu, runners[i].bound);
	}
	testlib_check(test, total_runs(vm, obj) - before == (uint64_t)threads * RUNS_PER_THREAD,
		      "per-CPU counters add up to every run: %llu of %d (lost updates mean "
		      "two runs shared a vCPU)",
		      (unsigned long long)(total_runs(vm, obj) - before), threads * RUNS_PER_THREAD);
}

struct holder {
	struct bpfvm *vm;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int state; /* 0 start, 1 bound, 2 release */
};

static void holder_set(struct holder *holder, int state)
{
	pthread_mutex_lock(&holder->lock);
	holder->state = state;
	pthread_cond_broadcast(&holder->cond);
	pthread_mutex_unlock(&holder->lock);
}

static void holder_wait(struct holder *holder, int state)
{
	pthread_mutex_lock(&holder->lock);
	while (holder->state != state)
		pthread_cond_wait(&holder->cond, &holder->lock);
	pthread_mutex_unlock(&holder->lock);
}

static void *holder_main(void *arg)
{
	struct holder *holder = arg;

	bpfvm_cpu_bind(holder->vm, 1);
	holder_set(holder, 1);
	holder_wait(holder, 2);
	bpfvm_cpu_unbind(holder->vm);
	return NULL;
}

static void binding_follows_its_contract(struct bpfvm *vm)
{
	const char *test = "binding_follows_its_contract";
	struct holder holder = { .vm = vm };
	pthread_t thread;

	pthread_mutex_init(&holder.lock, NULL);
	pthread_cond_init(&holder.cond, NULL);
	testlib_check(test, bpfvm_cpu_bound(vm) == -ENOENT, "not bound at first");
	testlib_check(test, bpfvm_cpu_unbind(vm) == -ENOENT, "unbind while unbound: -ENOENT");
	testlib_check(test, bpfvm_cpu_bind(vm, 2) == -EINVAL, "vCPU 2 of 2: -EINVAL");
	testlib_check(test, bpfvm_cpu_bind(vm, -5) == -EINVAL, "vCPU -5: -EINVAL");
	pthread_create(&thread, NULL, holder_main, &holder);
	holder_wait(&holder, 1);
	testlib_check(test, bpfvm_cpu_bind(vm, 1) == -EBUSY, "vCPU 1 held by another thread");
	testlib_check(test, bpfvm_cpu_bind(vm, -1) == 0, "any free vCPU: 0");
	testlib_check(test, bpfvm_cpu_bound(vm) == 0, "bound to 0");
	testlib_check(test, bpfvm_cpu_bind(vm, 0) == -EALREADY, "binding twice: -EALREADY");
	testlib_check(test, bpfvm_cpu_unbind(vm) == 0, "unbound");
	testlib_check(test, bpfvm_cpu_bind(vm, -1) == 0, "vCPU 0 again");
	holder_set(&holder, 2);
	pthread_join(thread, NULL);
	testlib_check(test, bpfvm_cpu_unbind(vm) == 0, "unbound again");
	testlib_check(test, bpfvm_cpu_bind(vm, 1) == 1, "vCPU 1, released by its holder");
	bpfvm_cpu_unbind(vm);
	pthread_cond_destroy(&holder.cond);
	pthread_mutex_destroy(&holder.lock);
}

/* A raw program: r0 = bpf_get_smp_processor_id(). */
static long raw_cpu(struct bpfvm_prog *prog)
{
	uint64_t r0 = 0;

	return bpfvm_prog_run_raw(prog, NULL, 0, &r0) ? -1 : (long)r0;
}

static void smp_processor_id_is_the_runs_vcpu(struct bpfvm *vm)
{
	const char *test = "smp_processor_id_is_the_runs_vcpu";
	struct bpf_insn *insns = NULL;
	struct bpfvm_prog *prog = NULL;
	size_t cnt = 0;

	if (bpfvm_asm_parse("call 8\nexit\n", &insns, &cnt) ||
	    bpfvm_prog_load_raw(vm, insns, cnt, NULL, &prog)) {
		testlib_check(test, false, "load: %s", bpfvm_errmsg());
		free(insns);
		return;
	}
	bpfvm_cpu_bind(vm, 1);
	testlib_check(test, raw_cpu(prog) == 1 && raw_cpu(prog) == 1, "bound to 1: runs on 1");
	bpfvm_cpu_unbind(vm);
	bpfvm_cpu_bind(vm, 0);
	testlib_check(test, raw_cpu(prog) == 0, "bound to 0: runs on 0");
	bpfvm_cpu_unbind(vm);
	testlib_check(test, raw_cpu(prog) >= 0 && raw_cpu(prog) < 2, "unbound: some vCPU");
	bpfvm_prog_free(prog);
	free(insns);
}

int main(int argc, char **argv)
{
	struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = 2 };
	struct bpfvm_object *obj;
	struct bpfvm *vm;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJECTS_DIR\n", argv[0]);
		return 2;
	}
	objects_dir = argv[1];
	if (bpfvm_create(&opts, &vm))
		return 1;
	binding_follows_its_contract(vm);
	smp_processor_id_is_the_runs_vcpu(vm);
	obj = open_loaded(vm);
	if (obj) {
		runs_never_share_a_vcpu(vm, obj, -2, -2, 4, "four_unbound_threads_on_two_vcpus");
		runs_never_share_a_vcpu(vm, obj, 0, 1, 2, "two_threads_bound_to_vcpus_0_and_1");
	} else {
		testlib_check("load", false, "lifetimes.bpf.o");
	}
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
	return testlib_summary();
}
