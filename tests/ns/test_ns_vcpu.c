/* vCPUs and bpf_spin_lock shared by the processes of a namespace, with real
 * processes (docs/namespace.md, "Virtual CPUs" and "bpf_spin_lock"):
 *   - two processes add to a PERCPU_ARRAY slot with a plain load and store,
 *     run after run: no update is lost, and each vCPU's value is the number
 *     of runs made on it by both;
 *   - a run waits while every vCPU is held (bound by another process), and
 *     goes on when one is released; binding then is -EBUSY;
 *   - the vCPUs of a process killed while holding them (bound, or in a run)
 *     are taken back;
 *   - a bpf_spin_lock whose holder was killed between lock and unlock is
 *     taken over by programs and BPF_F_LOCK copies of other processes.
 * alarm() fails the test if anything waits for ever.
 *
 *     test_ns_vcpu OBJDIR */
#include <errno.h>
#include <limits.h>
#include <linux/bpf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/runtime.h"
#include "maps/map.h"
#include "maps/map_value.h"
#include "ns/ns.h"
#include "ns/ns_testlib.h"
#include "ns/ns_vcpu.h"
#include "testlib.h"

#define PERCPU_RUNS 20000
#define LOCK_OFF 8 /* struct locked's lock */

static const char *objdir;
static const uint8_t packet[64] = { [12] = 0x08, [13] = 0x00 };
static int ready_pipe[2];
static int go_pipe[2];

struct locked {
	uint64_t a;
	uint32_t lock;
	uint32_t pad;
	uint64_t b;
};

static struct bpfvm_object *load(struct bpfvm *vm)
{
	struct bpfvm_object *obj = NULL;
	char path[PATH_MAX];
	int err;

	snprintf(path, sizeof(path), "%s/ns_vcpu.bpf.o", objdir);
	err = bpfvm_object_open(vm, path, NULL, &obj);
	if (!err)
		err = bpfvm_object_load(obj);
	if (err) {
		fprintf(stderr, "ns_vcpu.bpf.o: %d %s\n", err, bpfvm_errmsg());
		bpfvm_object_close(obj);
		return NULL;
	}
	return obj;
}

/* One run of `name` (tc: no BPF_F_TEST_RUN_ON_CPU, as in the kernel; the
 * vCPU is the bound one, or any); its r0, or -1. */
static int64_t run(struct bpfvm_object *obj, const char *name)
{
	struct bpfvm_test_run_opts opts = {
		.sz = sizeof(opts), .data_in = packet, .data_size_in = sizeof(packet),
	};
	int err = bpfvm_prog_test_run(bpfvm_object_find_prog(obj, name), &opts);

	if (err) {
		fprintf(stderr, "run %s: %d %s\n", name, err, bpfvm_errmsg());
		return -1;
	}
	return (int32_t)opts.retval;
}

static uint32_t owner_tid_of(struct bpfvm *vm, uint32_t cpu)
{
	return (uint32_t)(atomic_load(ns_vcpus_owner(ns_vcpus(vm->ns), cpu)) >> 32);
}

static void signal_ready(void)
{
	if (write(ready_pipe[1], "r", 1) != 1)
		_exit(90);
}

static void wait_for(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1)
		_exit(91);
}

static _Noreturn void wait_to_be_killed(void)
{
	for (;;)
		pause();
}

static pid_t fork_child(int (*fn)(const char *root), const char *root)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0)
		_exit(fn(root));
	return pid;
}

static bool exited_with(pid_t pid, int code)
{
	int status;

	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == code;
}

static bool killed(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	return waitpid(pid, &status, 0) == pid && WIFSIGNALED(status);
}

/* ---- Per-CPU values stay exclusive across processes ------------------ */

/* Runs count_on_cpu PERCPU_RUNS times and sends how many ran on each vCPU. */
static int percpu_counter(const char *root)
{
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_object *obj = load(vm);
	uint64_t runs_on[2] = { 0 };

	if (!obj)
		return 1;
	signal_ready();
	wait_for(go_pipe[0]);
	for (int i = 0; i < PERCPU_RUNS; i++) {
		int64_t cpu = run(obj, "count_on_cpu");

		if (cpu < 0 || cpu > 1)
			return 2;
		runs_on[cpu]++;
	}
	if (write(ready_pipe[1], runs_on, sizeof(runs_on)) != sizeof(runs_on))
		return 3;
	return 0;
}

static void two_processes_never_share_a_vcpu_so_percpu_values_lose_nothing(const char *root)
{
	const char *test = "two_processes_never_share_a_vcpu_so_percpu_values_lose_nothing";
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_object *obj = load(vm);
	uint64_t runs_on[2][2] = { { 0 } }, values[2] = { 0 };
	uint32_t key = 0;
	pid_t pids[2];

	testlib_check(test, obj != NULL, "load: %s", bpfvm_errmsg());
	if (!obj)
		return;
	for (int i = 0; i < 2; i++)
		pids[i] = fork_child(percpu_counter, root);
	wait_for(ready_pipe[0]);
	wait_for(ready_pipe[0]);
	if (write(go_pipe[1], "gg", 2) != 2)
		exit(1);
	for (int i = 0; i < 2; i++)
		testlib_check(test, read(ready_pipe[0], runs_on[i], sizeof(runs_on[i])) ==
					    sizeof(runs_on[i]), "child %d sent its counts", i);
	for (int i = 0; i < 2; i++)
		testlib_check(test, exited_with(pids[i], 0), "child %d exited 0", i);
	testlib_check(test,
		      bpfvm_map_lookup(bpfvm_object_find_map(obj, "vcpu_counts"), &key, values) == 0,
		      "lookup: %s", bpfvm_errmsg());
	for (int cpu = 0; cpu < 2; cpu++)
		testlib_check(test, values[cpu] == runs_on[0][cpu] + runs_on[1][cpu],
			      "vCPU %d: value %llu, runs on it %llu + %llu", cpu,
			      (unsigned long long)values[cpu], (unsigned long long)runs_on[0][cpu],
			      (unsigned long long)runs_on[1][cpu]);
	testlib_check(test, values[0] + values[1] == 2 * PERCPU_RUNS, "%llu updates, %d runs",
		      (unsigned long long)(values[0] + values[1]), 2 * PERCPU_RUNS);
	printf("%s: vCPU 0 %llu runs, vCPU 1 %llu runs\n", test, (unsigned long long)values[0],
	       (unsigned long long)values[1]);
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
}

/* ---- Every vCPU held: a run waits ------------------------------------ */

/* Binds vCPU 0 and 1 through two runtimes (a thread binds once per
 * runtime) and tells the parent; vm0's is returned. */
static struct bpfvm *bind_both(const char *root)
{
	struct bpfvm *vm0 = ns_test_vm(root), *vm1 = ns_test_vm(root);

	if (bpfvm_cpu_bind(vm0, 0) != 0 || bpfvm_cpu_bind(vm1, 1) != 1)
		_exit(1);
	signal_ready();
	return vm0;
}

/* Binds both vCPUs, waits for the go, holds on for 300 ms, releases vCPU
 * 0 and waits to be killed. */
static int binds_both_then_releases_one(const char *root)
{
	struct bpfvm *vm0 = bind_both(root);
	struct timespec hold = { .tv_nsec = 300 * 1000 * 1000 };

	wait_for(go_pipe[0]);
	nanosleep(&hold, NULL);
	if (bpfvm_cpu_unbind(vm0))
		return 2;
	wait_to_be_killed();
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void a_run_waits_while_another_process_holds_every_vcpu(const char *root)
{
	const char *test = "a_run_waits_while_another_process_holds_every_vcpu";
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_object *obj = load(vm);
	pid_t pid = fork_child(binds_both_then_releases_one, root);
	double start;
	int64_t cpu;

	wait_for(ready_pipe[0]);
	testlib_check(test, owner_tid_of(vm, 0) == (uint32_t)pid && owner_tid_of(vm, 1) ==
			    (uint32_t)pid, "the registry names the child (%d) as both vCPUs' holder: "
			    "%u, %u", (int)pid, owner_tid_of(vm, 0), owner_tid_of(vm, 1));
	testlib_check(test, bpfvm_cpu_bind(vm, -1) == -EBUSY, "bind with every vCPU held: -EBUSY");
	start = now_ms();
	if (write(go_pipe[1], "g", 1) != 1)
		exit(1);
	cpu = run(obj, "count_on_cpu");
	testlib_check(test, cpu == 0, "the run took the vCPU released: %lld", (long long)cpu);
	testlib_check(test, now_ms() - start >= 250, "the run waited for the release: %.0f ms",
		      now_ms() - start);
	testlib_check(test, killed(pid), "child killed");
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
}

/* A thread that holds every vCPU through other runtimes of the namespace
 * runs on one of them instead of waiting for itself. */
static void a_thread_holding_every_vcpu_runs_a_third_runtime_on_them(const char *root)
{
	const char *test = "a_thread_holding_every_vcpu_runs_a_third_runtime_on_them";
	struct bpfvm *vm = ns_test_vm(root), *vm0 = ns_test_vm(root), *vm1 = ns_test_vm(root);
	struct bpfvm_object *obj = load(vm);
	int64_t cpu;

	testlib_check(test, bpfvm_cpu_bind(vm0, 0) == 0 && bpfvm_cpu_bind(vm1, 1) == 1,
		      "bind both: %s", bpfvm_errmsg());
	cpu = run(obj, "count_on_cpu");
	testlib_check(test, cpu == 0 || cpu == 1, "ran on %lld", (long long)cpu);
	bpfvm_cpu_unbind(vm0);
	bpfvm_cpu_unbind(vm1);
	testlib_check(test, owner_tid_of(vm, 0) == 0 && owner_tid_of(vm, 1) == 0, "both free");
	bpfvm_object_close(obj);
	bpfvm_destroy(vm0);
	bpfvm_destroy(vm1);
	bpfvm_destroy(vm);
}

/* As another user (nobody), who may not write the table (0644): the
 * runtime opens, and its vCPUs are its own. */
static int binds_as_another_user(const char *root)
{
	struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = 2, .ns_root = root };
	struct bpfvm *vm;

	if (setgid(65534) || setuid(65534))
		return 1;
	if (bpfvm_create(&opts, &vm)) {
		fprintf(stderr, "as nobody: %s\n", bpfvm_errmsg());
		return 2;
	}
	return bpfvm_cpu_bind(vm, 0) == 0 ? 0 : 3;
}

static void another_users_process_keeps_its_vcpus_to_itself(const char *root)
{
	const char *test = "another_users_process_keeps_its_vcpus_to_itself";
	struct bpfvm *vm = ns_test_vm(root);

	if (getuid() != 0) {
		printf("SKIP %s: needs root to become another user\n", test);
		bpfvm_destroy(vm);
		return;
	}
	testlib_check(test, bpfvm_cpu_bind(vm, 0) == 0, "bind vCPU 0: %s", bpfvm_errmsg());
	testlib_check(test, exited_with(fork_child(binds_as_another_user, root), 0),
		      "nobody's runtime binds vCPU 0 of its own");
	testlib_check(test, owner_tid_of(vm, 0) == (uint32_t)getpid(), "ours stays ours");
	bpfvm_cpu_unbind(vm);
	bpfvm_destroy(vm);
}

/* ---- A dead holder's vCPUs are taken back ------------------------------ */

static int binds_both_and_waits(const char *root)
{
	bind_both(root);
	wait_to_be_killed();
}

static int runs_for_ever(const char *root)
{
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_object *obj = load(vm);

	if (!obj)
		return 1;
	signal_ready();
	for (;;)
		if (run(obj, "count_on_cpu") < 0)
			return 2;
}

static void sleep_random_us(unsigned max_us)
{
	struct timespec ts = { .tv_nsec = (long)(rand() % max_us) * 1000 };

	nanosleep(&ts, NULL);
}

static void the_vcpus_of_a_killed_process_are_taken_back(const char *root)
{
	const char *test = "the_vcpus_of_a_killed_process_are_taken_back";
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_object *obj = load(vm);
	pid_t pid = fork_child(binds_both_and_waits, root);
	int64_t cpu;
	int status;

	wait_for(ready_pipe[0]);
	/* Not reaped yet: a zombie holds nothing. */
	kill(pid, SIGKILL);
	cpu = run(obj, "count_on_cpu");
	testlib_check(test, cpu == 0 || cpu == 1, "a run after the kill: on %lld", (long long)cpu);
	testlib_check(test, bpfvm_cpu_bind(vm, 1 - (int)cpu) == 1 - cpu,
		      "bind the other vCPU after the kill: %s", bpfvm_errmsg());
	testlib_check(test, owner_tid_of(vm, 1 - (uint32_t)cpu) == (uint32_t)getpid(),
		      "the registry names us");
	bpfvm_cpu_unbind(vm);
	testlib_check(test, waitpid(pid, &status, 0) == pid && WIFSIGNALED(status), "reaped");

	/* Killed at random moments of its runs: whatever it held comes back. */
	for (int i = 0; i < 8; i++) {
		pid = fork_child(runs_for_ever, root);
		wait_for(ready_pipe[0]);
		sleep_random_us(3000);
		testlib_check(test, killed(pid), "runner %d killed", i);
		for (int want = 0; want < 2; want++) {
			testlib_check(test, bpfvm_cpu_bind(vm, want) == want,
				      "bind vCPU %d after runner %d's kill: %s", want, i,
				      bpfvm_errmsg());
			testlib_check(test, run(obj, "count_on_cpu") == want, "run on it");
			bpfvm_cpu_unbind(vm);
		}
	}
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
}

/* ---- bpf_spin_lock: a dead holder's lock is taken over ---------------- */

static struct locked *locked_value(struct bpfvm_object *obj)
{
	struct bpfvm_map *map = bpfvm_object_find_map(obj, "locked_pair");
	uint32_t key = 0;

	return map->ops->bpf_lookup(map, &key, 0);
}

/* Takes the value's lock as bpf_spin_lock and BPF_F_LOCK copies do, writes
 * half of what it means to, and waits to be killed. */
static int dies_holding_the_lock(const char *root)
{
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_object *obj = load(vm);
	struct locked *pair;

	if (!obj)
		return 1;
	pair = locked_value(obj);
	map_spin_lock((_Atomic uint32_t *)&pair->lock);
	pair->a++;
	signal_ready();
	wait_to_be_killed();
}

static void a_spin_lock_held_by_a_killed_process_is_taken_over(const char *root)
{
	const char *test = "a_spin_lock_held_by_a_killed_process_is_taken_over";
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_object *obj = load(vm);
	struct bpfvm_map *map = bpfvm_object_find_map(obj, "locked_pair");
	struct locked value = { .a = 100, .b = 100 }, out;
	struct locked *shared = locked_value(obj);
	uint32_t key = 0;
	pid_t pid = fork_child(dies_holding_the_lock, root);

	wait_for(ready_pipe[0]);
	testlib_check(test, __atomic_load_n(&shared->lock, __ATOMIC_ACQUIRE) == (uint32_t)pid,
		      "the lock word names its holder (%d): %u", (int)pid, shared->lock);
	kill(pid, SIGKILL); /* not reaped: a zombie holds nothing */
	testlib_check(test, run(obj, "locked_add") == 0, "a program takes the lock over");
	testlib_check(test, bpfvm_map_update(map, &key, &value, BPF_F_LOCK) == 0,
		      "BPF_F_LOCK update: %s", bpfvm_errmsg());
	testlib_check(test, run(obj, "locked_add") == 0, "and runs again");
	testlib_check(test, bpfvm_map_lookup_flags(map, &key, &out, BPF_F_LOCK) == 0 &&
			    out.a == 101 && out.b == 101,
		      "BPF_F_LOCK lookup: a %llu b %llu", (unsigned long long)out.a,
		      (unsigned long long)out.b);
	testlib_check(test, __atomic_load_n(&shared->lock, __ATOMIC_ACQUIRE) == 0, "lock free");
	testlib_check(test, waitpid(pid, NULL, 0) == pid, "reaped");
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
}

/* Programs and BPF_F_LOCK updates under the lock, for ever. */
static int locks_for_ever(const char *root)
{
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_object *obj = load(vm);
	struct bpfvm_map *map;
	struct locked value = { 0 };
	uint32_t key = 0;

	if (!obj)
		return 1;
	map = bpfvm_object_find_map(obj, "locked_pair");
	signal_ready();
	for (uint64_t i = 0;; i++) {
		value.a = value.b = i;
		if (run(obj, "locked_add") != 0 || bpfvm_map_update(map, &key, &value, BPF_F_LOCK))
			return 2;
	}
}

static void spin_lock_users_killed_at_random_moments_never_block_others(const char *root)
{
	const char *test = "spin_lock_users_killed_at_random_moments_never_block_others";
	struct bpfvm *vm = ns_test_vm(root);
	struct bpfvm_object *obj = load(vm);
	struct bpfvm_map *map = bpfvm_object_find_map(obj, "locked_pair");
	struct locked value = { 0 }, out = { 0 };
	uint32_t key = 0;

	for (int i = 0; i < 10; i++) {
		pid_t pid = fork_child(locks_for_ever, root);

		wait_for(ready_pipe[0]);
		sleep_random_us(2000);
		testlib_check(test, killed(pid), "locker %d killed", i);
		testlib_check(test, run(obj, "locked_add") == 0 &&
				    bpfvm_map_lookup_flags(map, &key, &out, BPF_F_LOCK) == 0,
			      "a program and a BPF_F_LOCK lookup after locker %d's kill", i);
	}
	/* A dead holder may have left a != b; what follows is exact. */
	testlib_check(test, bpfvm_map_update(map, &key, &value, BPF_F_LOCK) == 0, "reset");
	for (int i = 0; i < 10; i++)
		run(obj, "locked_add");
	bpfvm_map_lookup_flags(map, &key, &out, BPF_F_LOCK);
	testlib_check(test, out.a == 10 && out.b == 10, "10 adds: a %llu b %llu",
		      (unsigned long long)out.a, (unsigned long long)out.b);
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
}

int main(int argc, char **argv)
{
	char root[PATH_MAX];

	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJDIR\n", argv[0]);
		return 2;
	}
	objdir = argv[1];
	alarm(120); /* anything that waits for ever fails the test */
	srand((unsigned)time(NULL));
	if (pipe(ready_pipe) || pipe(go_pipe)) {
		perror("pipe");
		return 1;
	}
	ns_test_root_make(root, sizeof(root));
	two_processes_never_share_a_vcpu_so_percpu_values_lose_nothing(root);
	a_run_waits_while_another_process_holds_every_vcpu(root);
	a_thread_holding_every_vcpu_runs_a_third_runtime_on_them(root);
	another_users_process_keeps_its_vcpus_to_itself(root);
	the_vcpus_of_a_killed_process_are_taken_back(root);
	a_spin_lock_held_by_a_killed_process_is_taken_over(root);
	spin_lock_users_killed_at_random_moments_never_block_others(root);
	ns_test_root_remove(root);
	return testlib_summary();
}
