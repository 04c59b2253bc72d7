/* bench_tailcall: the cost of one tail call, in bpfvm (the engine
 * BPFVM_ENGINE chooses, the JIT by default) and in the kernel, side by side.
 *
 * tailcall_chain.bpf.c holds two chains of 34 programs, one tail-calling
 * with a constant index and one with an index read at run time. For each,
 *
 *     ns per hop = (time of the chain from hop 0 - time of hop 33 alone) / 33
 *
 * since the chain runs 33 more programs and 33 successful tail calls, and
 * both end in the same failing attempt. Times are test runs with `repeat`
 * (bpfvm_prog_test_run, BPF_PROG_TEST_RUN), timed around the call and
 * divided by the repeat count, so that the per-call set-up is amortised in
 * both. The clock is the thread's CPU time (the kernel's test run counts as
 * this thread's system time), so that time spent preempted on a busy machine
 * is not measured. bpfvm and the kernel are measured interleaved, round by round, and
 * each figure is the median over the rounds. The kernel's columns are left
 * out when bpf() is not usable.
 *
 *   usage: bench_tailcall OBJDIR [rounds] [bpfvm-repeat] [kernel-repeat] */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfvm/bpfvm.h"

#define HOPS 33
#define PACKET_LEN 64

struct chain {
	const char *key; /* "const" or "var" */
	const char *title;
	double vm_chain[64], vm_single[64];
	double k_chain[64], k_single[64];
};

struct bench {
	int rounds, vm_repeat, k_repeat;
	uint8_t packet[PACKET_LEN];
	struct bpfvm *vm;
	struct bpfvm_object *vm_obj;
	struct bpf_object *k_obj; /* NULL: no kernel */
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *samples, int count)
{
	double sorted[64];

	memcpy(sorted, samples, (size_t)count * sizeof(double));
	qsort(sorted, (size_t)count, sizeof(double), compare_double);
	return count % 2 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2;
}

static void hop_name(char *name, size_t size, const char *key, int hop)
{
	snprintf(name, size, "hop_%s_%d", key, hop);
}

/* ns per run of hop `hop` of a chain; the run must return HOPS (the chain
 * reached its last program). Exits on failure: a broken run measures
 * nothing. */
static double vm_time(struct bench *b, const char *key, int hop)
{
	struct bpfvm_test_run_opts opts = {
		.sz = sizeof(opts), .data_in = b->packet, .data_size_in = PACKET_LEN,
		.repeat = b->vm_repeat,
	};
	struct bpfvm_prog *prog;
	double start, spent;
	char name[32];
	int err;

	hop_name(name, sizeof(name), key, hop);
	prog = bpfvm_object_find_prog(b->vm_obj, name);
	start = now_ns();
	err = prog ? bpfvm_prog_test_run(prog, &opts) : -ENOENT;
	spent = now_ns() - start;
	if (err || opts.retval != HOPS) {
		fprintf(stderr, "bpfvm: %s: run %d (%s), returned %u\n", name, err, bpfvm_errmsg(),
			opts.retval);
		exit(1);
	}
	return spent / b->vm_repeat;
}

static double kernel_time(struct bench *b, const char *key, int hop)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = b->packet, .data_size_in = PACKET_LEN,
		    .repeat = b->k_repeat);
	struct bpf_program *prog;
	double start, spent;
	char name[32];
	int err;

	hop_name(name, sizeof(name), key, hop);
	prog = bpf_object__find_program_by_name(b->k_obj, name);
	start = now_ns();
	err = prog ? bpf_prog_test_run_opts(bpf_program__fd(prog), &opts) : -ENOENT;
	spent = now_ns() - start;
	if (err || opts.retval != HOPS) {
		fprintf(stderr, "kernel: %s: run %d, returned %u\n", name, err ? -errno : 0,
			opts.retval);
		exit(1);
	}
	return spent / b->k_repeat;
}

static void measure_round(struct bench *b, struct chain *chain, int round)
{
	chain->vm_chain[round] = vm_time(b, chain->key, 0);
	chain->vm_single[round] = vm_time(b, chain->key, HOPS);
	if (!b->k_obj)
		return;
	chain->k_chain[round] = kernel_time(b, chain->key, 0);
	chain->k_single[round] = kernel_time(b, chain->key, HOPS);
}

/* The per-hop cost of each round, then its median. */
static double per_hop(const double *chain, const double *single, int rounds)
{
	double hops[64];

	for (int i = 0; i < rounds; i++)
		hops[i] = (chain[i] - single[i]) / HOPS;
	return median(hops, rounds);
}

static void print_row(const struct bench *b, const struct chain *chain)
{
	double vm_hop = per_hop(chain->vm_chain, chain->vm_single, b->rounds), k_hop;

	printf("%-26s %10.1f %10.1f %10.2f", chain->title, median(chain->vm_chain, b->rounds),
	       median(chain->vm_single, b->rounds), vm_hop);
	if (!b->k_obj) {
		printf("\n");
		return;
	}
	k_hop = per_hop(chain->k_chain, chain->k_single, b->rounds);
	printf(" %10.1f %10.1f %10.2f %8.1f\n", median(chain->k_chain, b->rounds),
	       median(chain->k_single, b->rounds), k_hop, k_hop > 0 ? vm_hop / k_hop : 0);
}

static int kernel_jit_setting(void)
{
	FILE *file = fopen("/proc/sys/net/core/bpf_jit_enable", "r");
	int value = -1;

	if (file) {
		if (fscanf(file, "%d", &value) != 1)
			value = -1;
		fclose(file);
	}
	return value;
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return 0;
}

static void open_objects(struct bench *b, const char *objdir)
{
	char path[4096];
	int err;

	snprintf(path, sizeof(path), "%s/tailcall_chain.bpf.o", objdir);
	err = bpfvm_create(NULL, &b->vm);
	if (!err)
		err = bpfvm_object_open(b->vm, path, NULL, &b->vm_obj);
	if (!err)
		err = bpfvm_object_load(b->vm_obj);
	if (err) {
		fprintf(stderr, "bpfvm: %s: %d %s\n", path, err, bpfvm_errmsg());
		exit(1);
	}
	libbpf_set_print(libbpf_quiet);
	b->k_obj = bpf_object__open_file(path, NULL);
	if (b->k_obj && bpf_object__load(b->k_obj)) {
		printf("kernel: cannot load %s (%s): bpfvm only\n\n", path, strerror(errno));
		bpf_object__close(b->k_obj);
		b->k_obj = NULL;
	}
}

int main(int argc, char **argv)
{
	struct chain chains[] = {
		{ .key = "const", .title = "constant key" },
		{ .key = "var", .title = "run-time key (from .data)" },
	};
	struct bench b = { .rounds = 7, .vm_repeat = 20000, .k_repeat = 200000 };

	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJDIR [rounds] [bpfvm-repeat] [kernel-repeat]\n",
			argv[0]);
		return 2;
	}
	b.rounds = argc > 2 ? atoi(argv[2]) : b.rounds;
	b.vm_repeat = argc > 3 ? atoi(argv[3]) : b.vm_repeat;
	b.k_repeat = argc > 4 ? atoi(argv[4]) : b.k_repeat;
	if (b.rounds < 1 || b.rounds > 64 || b.vm_repeat < 1 || b.k_repeat < 1) {
		fprintf(stderr, "rounds must be 1..64, repeats positive\n");
		return 2;
	}
	open_objects(&b, argv[1]);
	for (int round = 0; round < b.rounds; round++)
		for (size_t i = 0; i < sizeof(chains) / sizeof(chains[0]); i++)
			measure_round(&b, &chains[i], round);

	printf("tail call cost = (33-hop chain - single program) / 33, ns; median of %d rounds\n",
	       b.rounds);
	printf("bpfvm: %s (BPFVM_ENGINE=interp|jit chooses), %d runs per timing",
	       bpfvm_engine(b.vm) == BPFVM_ENGINE_JIT ? "JIT" : "interpreter", b.vm_repeat);
	if (b.k_obj)
		printf("; kernel: BPF_PROG_TEST_RUN, %d runs per timing, bpf_jit_enable=%d",
		       b.k_repeat, kernel_jit_setting());
	printf("\n\n%-26s %10s %10s %10s", "", "bpfvm", "bpfvm", "bpfvm");
	if (b.k_obj)
		printf(" %10s %10s %10s %8s", "kernel", "kernel", "kernel", "ratio");
	printf("\n%-26s %10s %10s %10s", "key", "chain", "single", "ns/hop");
	if (b.k_obj)
		printf(" %10s %10s %10s %8s", "chain", "single", "ns/hop", "vm/kern");
	printf("\n");
	for (size_t i = 0; i < sizeof(chains) / sizeof(chains[0]); i++)
		print_row(&b, &chains[i]);

	bpf_object__close(b.k_obj);
	bpfvm_object_close(b.vm_obj);
	bpfvm_destroy(b.vm);
	return 0;
}
