/* bench_progs: the corpus of bench/progs/ (or an object of your own) timed
 * under bpfvm's interpreter, bpfvm's JIT and, when bpf() is usable, the
 * kernel (BPF_PROG_TEST_RUN with repeat), side by side (docs/bench.md).
 *
 * For each program: one run in each engine whose return value and output
 * packet must agree (else the row says DIFF and no time is printed); then
 * `rounds` rounds, each timing every engine in turn (interp, jit, kernel,
 * interp, jit, kernel, ...). The figure printed is the median over the rounds
 * of the nanoseconds per run, each the time of the repeat loop alone, without
 * the set-up of the test run (docs/bench.md):
 *
 *   kernel  the test run's `duration`: its loop, timed inside with
 *           preemption off, averaged and truncated to whole nanoseconds;
 *   bpfvm   the thread's CPU time (which excludes preemption, as the
 *           kernel's loop does) around the call:
 *               (test run of `repeat` runs - test run of 2) / (repeat - 2)
 *           truncated to whole nanoseconds as the kernel's is. (bpfvm's own
 *           `duration` is wall time: on a shared machine it counts the time
 *           other processes took.)
 *
 * --clock times the kernel by the bpfvm method too (finer than a
 * nanosecond, not truncated), but an XDP test run of more than one run in
 * the kernel also updates the XDP dispatcher (bpf_prog_change_xdp), whose
 * cost varies by milliseconds: use it for other program types.
 *
 *   usage: bench_progs [--rounds N] [--repeat N] [--filter TEXT] [--objdir DIR]
 *                      [--no-kernel] [--clock]
 *                      [--object FILE.o --prog NAME --data PACKET]
 * Exit status: 0 when every program agreed in every engine, 1 when one
 * differed, 2 on a usage or load error. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_engines.h"
#include "bench_packets.h"

#define ROUNDS_MAX 64
#define REPEAT_BASE 2 /* the shorter test run of each timing */
#define REPEAT_MIN 16
#define REPEAT_MAX 1000000
#define CALIBRATE_REPEAT 256
#define REPEAT_FALLBACK 10000 /* when the calibration run measured nothing */
#define TARGET_NS (4 * 1000 * 1000) /* per timed test run, when --repeat is not given */
#define OBJECTS_MAX 16

struct corpus_entry {
	const char *name;
	const char *object; /* bench/progs/<object>.bpf.c */
	const char *prog;
	enum bench_packet_kind packet;
	int repeat_max; /* 0: REPEAT_MAX */
};

static const struct corpus_entry corpus[] = {
	{ "empty", "compute", "xdp_pass", PACKET_IPV4_TCP, 0 },
	{ "parse_ipv4_tcp", "parse", "xdp_parse", PACKET_IPV4_TCP, 0 },
	{ "parse_ipv6_udp", "parse", "xdp_parse", PACKET_IPV6_UDP, 0 },
	{ "parse_vlan_ipv4", "parse", "xdp_parse", PACKET_VLAN_IPV4_UDP, 0 },
	{ "csum_1k", "compute", "xdp_csum", PACKET_IPV4_UDP_1K, 0 },
	{ "fnv_512", "compute", "xdp_fnv", PACKET_IPV4_UDP_1K, 0 },
	{ "jhash_64", "compute", "xdp_jhash", PACKET_IPV4_TCP, 0 },
	{ "loop_1024", "compute", "xdp_loop", PACKET_IPV4_TCP, 0 },
	{ "switch_64", "compute", "xdp_switch", PACKET_IPV4_TCP, 0 },
	{ "calls_16x4", "compute", "xdp_calls", PACKET_IPV4_TCP, 0 },
	{ "map_array", "maps", "map_array", PACKET_IPV4_TCP, 0 },
	{ "map_percpu_array", "maps", "map_percpu_array", PACKET_IPV4_TCP, 0 },
	{ "map_hash", "maps", "map_hash", PACKET_IPV4_TCP, 0 },
	{ "map_percpu_hash", "maps", "map_percpu_hash", PACKET_IPV4_TCP, 0 },
	{ "map_lru_hash", "maps", "map_lru_hash", PACKET_IPV4_TCP, 0 },
	{ "map_lpm_trie", "maps", "map_lpm_trie", PACKET_IPV4_TCP, 0 },
	{ "map_queue_stack", "maps", "map_queue_stack", PACKET_IPV4_TCP, 0 },
	{ "percpu_counters", "maps", "percpu_counters", PACKET_IPV4_UDP_1K, 0 },
	{ "tail_const_x7", "tailcall", "const_hop_0", PACKET_IPV4_TCP, 0 },
	{ "tail_var_x7", "tailcall", "var_hop_0", PACKET_IPV4_TCP, 0 },
	/* 1 MiB holds 26,214 records: a test run must not fill it. */
	{ "ringbuf_output", "ringbuf", "ringbuf_output", PACKET_IPV4_TCP, 20000 },
	/* programs in the style of public ones (public.bpf.c) */
	{ "ddos_filter", "public", "xdp_ddos", PACKET_IPV4_TCP, 0 },
	{ "tc_nat_csum", "public", "tc_nat", PACKET_IPV4_TCP, 0 },
	{ "siphash_64", "public", "xdp_siphash", PACKET_IPV4_TCP, 0 },
	{ "crc32_64", "public", "xdp_crc32", PACKET_IPV4_TCP, 0 },
	{ "http_parse", "public", "xdp_http", PACKET_IPV4_TCP_HTTP, 0 },
};

struct options {
	int rounds, repeat; /* repeat 0: calibrated per program and engine */
	const char *filter, *objdir;
	const char *object, *prog, *data; /* an external program */
	bool kernel;
	bool clock; /* time with the thread's CPU clock, not `duration` */
};

struct bench_case {
	const char *name, *prog;
	struct bench_object *obj;
	struct bench_packet packet;
	struct bench_result first[BENCH_ENGINES]; /* the agreement run */
	int repeat[BENCH_ENGINES];
	int repeat_max;
	double samples[BENCH_ENGINES][ROUNDS_MAX];
	char diff[512]; /* not empty: the engines disagreed */
};

struct loaded_object {
	const char *name;
	struct bench_object *obj;
};

struct bench {
	struct options opts;
	struct bench_runtimes runtimes;
	struct loaded_object objects[OBJECTS_MAX];
	size_t object_cnt;
	struct bench_case *cases;
	size_t case_cnt;
};

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [--rounds N] [--repeat N] [--filter TEXT] [--objdir DIR] [--no-kernel]\n"
		"          [--clock] [--object FILE.o --prog NAME --data PACKET]\n", argv0);
	exit(2);
}

static void parse_options(struct options *opts, int argc, char **argv)
{
	*opts = (struct options){ .rounds = 7, .objdir = BENCH_PROGS_DIR, .kernel = true };
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(arg, "--no-kernel") || !strcmp(arg, "--clock")) {
			if (arg[2] == 'n')
				opts->kernel = false;
			else
				opts->clock = true;
			continue;
		}
		if (!value)
			usage(argv[0]);
		i++;
		if (!strcmp(arg, "--rounds"))
			opts->rounds = atoi(value);
		else if (!strcmp(arg, "--repeat"))
			opts->repeat = atoi(value);
		else if (!strcmp(arg, "--filter"))
			opts->filter = value;
		else if (!strcmp(arg, "--objdir"))
			opts->objdir = value;
		else if (!strcmp(arg, "--object"))
			opts->object = value;
		else if (!strcmp(arg, "--prog"))
			opts->prog = value;
		else if (!strcmp(arg, "--data"))
			opts->data = value;
		else
			usage(argv[0]);
	}
	if (opts->rounds < 1 || opts->rounds > ROUNDS_MAX ||
	    (opts->repeat && (opts->repeat <= REPEAT_BASE || opts->repeat > REPEAT_MAX)) ||
	    !opts->object != !opts->prog || !opts->object != !opts->data) {
		fprintf(stderr, "--rounds 1..%d, --repeat %d..%d (0: calibrated); --object, "
			"--prog and --data go together\n", ROUNDS_MAX, REPEAT_BASE + 1, REPEAT_MAX);
		exit(2);
	}
}

/* Each object file is loaded once, for all the programs it holds. */
static struct bench_object *object_get(struct bench *b, const char *name, const char *path)
{
	char why[4096];
	struct bench_object *obj;
	int err;

	for (size_t i = 0; i < b->object_cnt; i++)
		if (!strcmp(b->objects[i].name, name))
			return b->objects[i].obj;
	if (b->object_cnt == OBJECTS_MAX) {
		fprintf(stderr, "too many objects\n");
		exit(2);
	}
	err = bench_object_open(&b->runtimes, path, &obj, why, sizeof(why));
	if (err) {
		fprintf(stderr, "%s: %s (%s)\n", path, why, strerror(-err));
		exit(2);
	}
	if (why[0])
		printf("!! %s\n!! its programs are timed without the kernel\n", why);
	b->objects[b->object_cnt++] = (struct loaded_object){ .name = name, .obj = obj };
	return obj;
}

static struct bench_case *case_add(struct bench *b, const char *name, const char *prog,
				   struct bench_object *obj)
{
	struct bench_case *c;

	b->cases = realloc(b->cases, (b->case_cnt + 1) * sizeof(*b->cases));
	if (!b->cases) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	c = &b->cases[b->case_cnt++];
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->prog = prog;
	c->obj = obj;
	c->repeat_max = REPEAT_MAX;
	if (!bench_object_has_prog(obj, prog)) {
		fprintf(stderr, "%s: no program '%s'\n", name, prog);
		exit(2);
	}
	return c;
}

static void cases_build(struct bench *b)
{
	const struct options *opts = &b->opts;
	struct bench_case *c;
	char path[4096];

	if (opts->object) {
		int err;

		c = case_add(b, opts->prog, opts->prog, object_get(b, opts->object, opts->object));
		err = bench_packet_read(&c->packet, opts->data);

		if (err) {
			fprintf(stderr, "%s: %s\n", opts->data, strerror(-err));
			exit(2);
		}
		return;
	}
	for (size_t i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++) {
		const struct corpus_entry *entry = &corpus[i];

		if (opts->filter && !strstr(entry->name, opts->filter))
			continue;
		snprintf(path, sizeof(path), "%s/%s.bpf.o", opts->objdir, entry->object);
		c = case_add(b, entry->name, entry->prog, object_get(b, entry->object, path));
		bench_packet_build(&c->packet, entry->packet);
		if (entry->repeat_max)
			c->repeat_max = entry->repeat_max;
	}
	if (!b->case_cnt) {
		fprintf(stderr, "no program of the corpus matches --filter %s\n", opts->filter);
		exit(2);
	}
}

/* Says in c->diff how `got` differs from the interpreter's first run. */
static bool result_differs(struct bench_case *c, enum bench_engine engine,
			   const struct bench_result *got, const char *when)
{
	const struct bench_result *want = &c->first[BENCH_INTERP];
	uint32_t at = 0;

	if (got->err != want->err || got->retval != want->retval) {
		snprintf(c->diff, sizeof(c->diff),
			 "%s: interp error %d retval %#x, %s error %d retval %#x", when,
			 want->err, want->retval, bench_engine_names[engine], got->err,
			 got->retval);
		return true;
	}
	if (got->size_out != want->size_out) {
		snprintf(c->diff, sizeof(c->diff), "%s: interp packet %u bytes, %s %u bytes", when,
			 want->size_out, bench_engine_names[engine], got->size_out);
		return true;
	}
	while (at < got->size_out && at < BENCH_PACKET_MAX &&
	       got->data_out[at] == want->data_out[at])
		at++;
	if (at < got->size_out && at < BENCH_PACKET_MAX) {
		snprintf(c->diff, sizeof(c->diff), "%s: output packet byte %u: interp %#x, %s %#x",
			 when, at, want->data_out[at], bench_engine_names[engine],
			 got->data_out[at]);
		return true;
	}
	return false;
}

/* One timing, in ns per run (see the top of the file); -1 when a result
 * differs from the first run's (the program is not in a steady state, or an
 * engine is wrong). */
static double timed_run(struct bench_case *c, enum bench_engine engine, int repeat, bool clock)
{
	bool kernel_duration = engine == BENCH_KERNEL && !clock;
	struct bench_result base, many;
	double ns;

	if (!kernel_duration)
		bench_object_run(c->obj, engine, c->prog, &c->packet, REPEAT_BASE, &base);
	bench_object_run(c->obj, engine, c->prog, &c->packet, repeat, &many);
	if ((!kernel_duration && result_differs(c, engine, &base, "a repeated run")) ||
	    result_differs(c, engine, &many, "a repeated run"))
		return -1;
	if (kernel_duration)
		return many.duration;
	ns = (many.ns - base.ns) / (repeat - REPEAT_BASE);
	return clock ? ns : floor(ns);
}

/* The repeat count that makes a timing last about TARGET_NS, measured as
 * the timings are (not by the kernel's clock method: its dispatcher update
 * can make the estimate negative). */
static int calibrated_repeat(struct bench_case *c, enum bench_engine engine, bool clock)
{
	double ns = timed_run(c, engine, CALIBRATE_REPEAT, clock);
	double repeat = ns > 0 ? TARGET_NS / ns : REPEAT_FALLBACK;

	return repeat < REPEAT_MIN ? REPEAT_MIN : repeat > c->repeat_max ? c->repeat_max :
	       (int)repeat;
}

/* One run in each engine, compared; then the repeat count of each engine. */
static void case_check(struct bench *b, struct bench_case *c)
{
	for (int engine = 0; engine < BENCH_ENGINES && !c->diff[0]; engine++) {
		if (!bench_object_has_engine(c->obj, engine))
			continue;
		bench_object_run(c->obj, engine, c->prog, &c->packet, 1, &c->first[engine]);
		if (engine != BENCH_INTERP &&
		    result_differs(c, engine, &c->first[engine], "first run"))
			return;
		if (!b->opts.repeat)
			c->repeat[engine] = calibrated_repeat(c, engine, b->opts.clock);
		else
			c->repeat[engine] = b->opts.repeat < c->repeat_max ? b->opts.repeat :
									     c->repeat_max;
	}
}

static void case_time(struct bench *b, struct bench_case *c, enum bench_engine engine,
		      int round)
{
	c->samples[engine][round] = timed_run(c, engine, c->repeat[engine], b->opts.clock);
}

/* Round -1 warms up (its timings are overwritten by round 0): caches, and
 * memory touched for the first time, such as a fresh ring buffer's pages,
 * which bpfvm maps lazily and the kernel allocates with the map. */
static void rounds_run(struct bench *b)
{
	for (int round = -1; round < b->opts.rounds; round++)
		for (size_t i = 0; i < b->case_cnt; i++)
			for (int engine = 0; engine < BENCH_ENGINES; engine++)
				if (!b->cases[i].diff[0] &&
				    bench_object_has_engine(b->cases[i].obj, engine))
					case_time(b, &b->cases[i], engine,
						  round < 0 ? 0 : round);
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *samples, int count)
{
	double sorted[ROUNDS_MAX];

	memcpy(sorted, samples, (size_t)count * sizeof(double));
	qsort(sorted, (size_t)count, sizeof(double), compare_double);
	return count % 2 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2;
}

struct summary {
	double log_jit_kernel, log_jit_interp, worst;
	int jit_kernel_cnt, jit_interp_cnt, diff_cnt;
	const char *worst_name;
};

static void print_ratio(double num, double den, double *log_sum, int *count)
{
	if (num <= 0 || den <= 0) {
		printf(" %10s", "-");
		return;
	}
	printf(" %10.2f", num / den);
	*log_sum += log(num / den);
	(*count)++;
}

static void print_row(const struct bench *b, const struct bench_case *c, struct summary *sum)
{
	double ns[BENCH_ENGINES] = { 0 };

	printf("%-18s", c->name);
	if (c->diff[0]) {
		printf("  *** DIFF *** %s\n", c->diff);
		sum->diff_cnt++;
		return;
	}
	for (int engine = 0; engine < BENCH_ENGINES; engine++) {
		if (!bench_object_has_engine(c->obj, engine)) {
			printf(" %10s", "SKIP");
			continue;
		}
		ns[engine] = median(c->samples[engine], b->opts.rounds);
		printf(" %10.1f", ns[engine]);
	}
	print_ratio(ns[BENCH_JIT], ns[BENCH_KERNEL], &sum->log_jit_kernel, &sum->jit_kernel_cnt);
	print_ratio(ns[BENCH_JIT], ns[BENCH_INTERP], &sum->log_jit_interp, &sum->jit_interp_cnt);
	printf("\n");
	if (ns[BENCH_KERNEL] > 0 && ns[BENCH_JIT] / ns[BENCH_KERNEL] > sum->worst) {
		sum->worst = ns[BENCH_JIT] / ns[BENCH_KERNEL];
		sum->worst_name = c->name;
	}
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

static void print_header(const struct bench *b)
{
	printf("ns per run, median of %d rounds, the test run's loop alone (docs/bench.md)\n",
	       b->opts.rounds);
	if (b->opts.clock)
		printf("all engines: (CPU time of a test run of R - of one of %d) / (R - %d)\n",
		       REPEAT_BASE, REPEAT_BASE);
	else
		printf("kernel: its duration; bpfvm: (CPU time of a test run of R - of one of %d) / "
		       "(R - %d), in whole ns\n", REPEAT_BASE, REPEAT_BASE);
	printf("R: %s\n", b->opts.repeat ? "as --repeat says" :
	       "calibrated per engine to about 4 ms of runs");
	if (b->runtimes.kernel)
		printf("kernel: BPF_PROG_TEST_RUN, bpf_jit_enable=%d\n", kernel_jit_setting());
	printf("\n%-18s %10s %10s %10s %10s %10s\n", "program", "interp", "jit", "kernel",
	       "jit/kernel", "jit/interp");
}

static void print_mean(double log_sum, int count)
{
	if (count)
		printf(" %10.2f", exp(log_sum / count));
	else
		printf(" %10s", "-");
}

static int print_table(const struct bench *b)
{
	struct summary sum = { 0 };

	print_header(b);
	for (size_t i = 0; i < b->case_cnt; i++)
		print_row(b, &b->cases[i], &sum);
	printf("\n%-18s%33s", "geometric mean", "");
	print_mean(sum.log_jit_kernel, sum.jit_kernel_cnt);
	print_mean(sum.log_jit_interp, sum.jit_interp_cnt);
	printf("\n");
	if (sum.worst_name)
		printf("worst jit/kernel: %.2f (%s)\n", sum.worst, sum.worst_name);
	if (sum.diff_cnt)
		printf("\n*** %d program(s) gave different results in different engines: "
		       "DIFF above ***\n", sum.diff_cnt);
	return sum.diff_cnt ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct bench b = { 0 };
	char why[512];
	int status;

	parse_options(&b.opts, argc, argv);
	if (bench_runtimes_create(&b.runtimes, b.opts.kernel, why, sizeof(why))) {
		fprintf(stderr, "%s\n", why);
		return 2;
	}
	if (!b.runtimes.kernel)
		printf("*** SKIP kernel: %s; interpreter and JIT only ***\n\n", why);
	cases_build(&b);
	for (size_t i = 0; i < b.case_cnt; i++)
		case_check(&b, &b.cases[i]);
	rounds_run(&b);
	status = print_table(&b);

	for (size_t i = 0; i < b.object_cnt; i++)
		bench_object_close(b.objects[i].obj);
	free(b.cases);
	bench_runtimes_destroy(&b.runtimes);
	return status;
}
