/* The kernel as a differential oracle (kdiff.h): the loop, the statistics.
 *
 *   kdiff [--seconds N] [--programs N] [--min-programs N] [--seed S]
 *         [--cpu C] [--jobs J] [--c-share PERCENT] [--c-max N] [--out DIR] [--max-reports N]
 *         [--no-minimise] [--fresh-maps] [--verbose]
 *   kdiff --replay FILE...
 *
 * Program i (everything from the seed and i alone) is a set of the
 * differential fuzzer's generator (a main program of XDP or tc, up to three
 * tail-call targets, over ten kinds of map), sometimes one of the verifier
 * fuzzer's generator, or (a share, --c-share, at most --c-max of them) a C
 * program compiled by clang (kdiff_cgen.c); once the C programs are
 * used up, those programs are bytecode too. Each is loaded into the kernel and into both of bpfvm's
 * engines; a set both accept runs on three inputs in all three and the
 * results and maps are compared with the kernel's. A verdict that differs
 * (bpfvm refuses what the kernel accepts, or accepts what it refuses) or a
 * run that differs is a mismatch: a reproducer is written under --out,
 * minimised, and the exit status is 1.
 *
 * --jobs J forks J workers, worker w pinned to CPU C + w and taking programs
 * w, w + J, ...: the figures are theirs added up, and the same programs are
 * tried as by one process. Trials keep their maps for the next program
 * (kdiff_trial.c) unless --fresh-maps.
 *
 * Exit status 77 ("SKIP") when the kernel's bpf() cannot be used here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>

#include "kdiff.h"

#define INPUTS_PER_PROGRAM 3

struct options {
	double seconds;
	uint64_t programs, min_programs, seed;
	int cpu;
	unsigned c_share, max_reports;
	uint64_t c_max; /* C programs at most (each worker its share): clang is slow */
	unsigned jobs, worker; /* program i is worker i % jobs's */
	const char *out, *clang, *include_dir;
	bool minimise, verbose, fresh_maps;
	const char *replays[256];
	unsigned replay_cnt;
};

struct stats {
	uint64_t tried, kernel_accepted, bpfvm_accepted, both_accepted, refused_both;
	uint64_t compared, inputs, mismatches, verdict_mismatches, soundness, engines_disagree;
	uint64_t kernel_bugs, history_dependent;
	uint64_t helpers_pinned, by_generator[2];
	struct kdiff_cgen_stats c;
};

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void seed_rng(struct fuzz_rng *rng, uint64_t seed, uint64_t program)
{
	rng->state = seed * 0x2545f4914f6cdd1dull ^ program ^ 0x6b64u;
	fuzz_next(rng);
}

/* ---- a set from a generator ------------------------------------------------ */

static void set_from_engines(struct fuzz_rng *rng, struct bpfvm_map **maps,
			     struct egen_set *gen, struct kdiff_set *set)
{
	egen_generate(rng, maps, gen);
	set->type = gen->type;
	set->main = gen->main;
	set->target_cnt = gen->target_cnt;
	for (uint32_t i = 0; i < gen->target_cnt; i++)
		set->targets[i] = gen->targets[i];
	set->prog_array = EGEN_PROG_ARRAY;
	snprintf(set->source, sizeof(set->source), "engines generator");
}

static void set_from_verifier(struct fuzz_rng *rng, struct bpfvm_map **maps,
			      struct kdiff_set *set)
{
	fuzz_generate(rng, maps, &set->main);
	set->type = set->main.type;
	set->prog_array = -1;
	snprintf(set->source, sizeof(set->source), "verifier generator");
}

static unsigned pin_helpers(struct kdiff_set *set)
{
	unsigned n = kdiff_pin_helpers(set->main.insns, set->main.insn_cnt);

	for (uint32_t i = 0; i < set->target_cnt; i++)
		n += kdiff_pin_helpers(set->targets[i].insns, set->targets[i].insn_cnt);
	return n;
}

/* ---- counting and reporting ------------------------------------------------ */

static bool is_mismatch(const struct kdiff_outcome *outcome)
{
	return outcome->mismatch || (outcome->verdict != KDIFF_BOTH_ACCEPT &&
				     outcome->verdict != KDIFF_BOTH_REFUSE &&
				     outcome->verdict != KDIFF_KERNEL_BUG);
}

static void count(struct stats *stats, const struct kdiff_outcome *outcome)
{
	enum kdiff_verdict v = outcome->verdict;

	stats->tried++;
	stats->kernel_accepted += v == KDIFF_BOTH_ACCEPT || v == KDIFF_ONLY_KERNEL_ACCEPTS;
	stats->bpfvm_accepted += v == KDIFF_BOTH_ACCEPT || v == KDIFF_ONLY_BPFVM_ACCEPTS;
	stats->both_accepted += v == KDIFF_BOTH_ACCEPT;
	stats->refused_both += v == KDIFF_BOTH_REFUSE;
	stats->verdict_mismatches += v == KDIFF_ONLY_KERNEL_ACCEPTS;
	stats->soundness += v == KDIFF_ONLY_BPFVM_ACCEPTS;
	stats->engines_disagree += v == KDIFF_ENGINES_DISAGREE;
	stats->kernel_bugs += v == KDIFF_KERNEL_BUG;
	stats->compared += v == KDIFF_BOTH_ACCEPT && !outcome->mismatch;
	stats->inputs += outcome->inputs_compared;
	stats->mismatches += is_mismatch(outcome);
}

/* A mismatch found on kept maps (env->reuse_maps) is tried again on fresh
 * ones, as its reproducer will be: one that is gone then depended on the
 * programs before it, and is saved as found, not minimised. */
static bool reproduces_fresh(struct kdiff_env *env, const struct kdiff_set *set,
			     const struct kdiff_outcome *outcome)
{
	static struct kdiff_outcome again;

	kdiff_trial(env, set, outcome->input_seeds, outcome->input_cnt, &again);
	return kdiff_same_mismatch(outcome, &again);
}

static void report(struct kdiff_env *env, const struct options *o, struct stats *stats,
		   struct kdiff_set *set, const struct kdiff_outcome *outcome, uint64_t program)
{
	bool reuse = env->reuse_maps;
	char path[1024], origin[128];

	printf("=== mismatch: seed %" PRIu64 " program %" PRIu64 " (%s): %s%s%s\n", o->seed,
	       program, set->source, kdiff_verdict_name(outcome->verdict),
	       outcome->mismatch ? ", runs differ: " : ": ",
	       outcome->mismatch ? outcome->why : outcome->reason);
	if (stats->mismatches > o->max_reports)
		return;
	snprintf(origin, sizeof(origin), "seed %" PRIu64 " program %" PRIu64, o->seed, program);
	env->reuse_maps = false;
	if (reuse && is_mismatch(outcome) && !reproduces_fresh(env, set, outcome)) {
		stats->history_dependent++;
		printf("not reproduced on fresh maps: depends on the programs before it\n");
	} else if (o->minimise && set->main.insns && is_mismatch(outcome)) {
		unsigned changes = kdiff_repro_minimise(env, set, outcome);
		const struct fuzz_prog *culprit = outcome->culprit < 0 ?
			&set->main : &set->targets[outcome->culprit];

		printf("minimised: %u changes, %zu instructions left\n", changes,
		       culprit->insn_cnt);
	}
	env->reuse_maps = reuse;
	snprintf(path, sizeof(path), "%s/kdiff-%" PRIu64 "-%" PRIu64 ".s", o->out, o->seed,
		 program);
	if (kdiff_repro_write(path, set, outcome, origin))
		printf("cannot write %s\n", path);
	else
		printf("reproducer: %s\n", path);
}

/* ---- one program ------------------------------------------------------------ */

/* The generator's maps (the mirror runtime's), made once when trials keep
 * theirs: the pools of kdiff_trial.c are keyed on them. */
static struct bpfvm_map *kept_mirror[2][KDIFF_MAPS_MAX];

static int mirror_maps(struct kdiff_env *env, bool engines, struct bpfvm_map **maps)
{
	struct bpfvm_map **kept = kept_mirror[!engines];
	int err;

	if (env->reuse_maps && kept[0]) {
		memcpy(maps, kept, KDIFF_MAPS_MAX * sizeof(*maps));
		return 0;
	}
	err = engines ? egen_maps(env->vm[KDIFF_MIRROR], maps)
		      : fuzz_gen_maps(env->vm[KDIFF_MIRROR], maps);
	if (!err && env->reuse_maps)
		memcpy(kept, maps, KDIFF_MAPS_MAX * sizeof(*maps));
	return err;
}

static void close_mirror_maps(struct bpfvm_map **maps)
{
	for (int i = 0; i < KDIFF_MAPS_MAX; i++) {
		bpfvm_map_close(maps[i]);
		maps[i] = NULL;
	}
}

static void bytecode_program(struct kdiff_env *env, const struct options *o,
			     struct stats *stats, struct fuzz_rng *rng, uint64_t program)
{
	struct bpfvm_map *maps[KDIFF_MAPS_MAX] = { NULL };
	static struct kdiff_outcome outcome;
	struct egen_set gen = { 0 };
	struct kdiff_set set = { 0 };
	bool engines = fuzz_below(rng, 4) != 0;
	uint64_t seeds[INPUTS_PER_PROGRAM];

	if (mirror_maps(env, engines, maps)) {
		fprintf(stderr, "maps: %s\n", bpfvm_errmsg());
		return;
	}
	if (engines)
		set_from_engines(rng, maps, &gen, &set);
	else
		set_from_verifier(rng, maps, &set);
	stats->by_generator[!engines]++;
	stats->helpers_pinned += pin_helpers(&set);
	for (int k = 0; k < INPUTS_PER_PROGRAM; k++)
		seeds[k] = fuzz_next(rng);
	kdiff_trial(env, &set, seeds, INPUTS_PER_PROGRAM, &outcome);
	count(stats, &outcome);
	if (o->verbose)
		printf("program %" PRIu64 ": %s, %u inputs%s%s\n", program,
		       kdiff_verdict_name(outcome.verdict), outcome.inputs_compared,
		       outcome.reason[0] ? ": " : "", outcome.reason);
	if (is_mismatch(&outcome) || outcome.verdict == KDIFF_KERNEL_BUG)
		report(env, o, stats, &set, &outcome, program);
	if (engines)
		egen_release(&gen);
	else
		fuzz_prog_release(&set.main);
	if (!env->reuse_maps)
		close_mirror_maps(maps);
}

static void one_program(struct kdiff_env *env, const struct options *o, struct stats *stats,
			uint64_t program)
{
	struct fuzz_rng rng;

	seed_rng(&rng, o->seed, program);
	if (o->c_share && fuzz_below(&rng, 100) < o->c_share &&
	    (!o->c_max || stats->c.tried < (o->c_max + o->jobs - 1) / o->jobs)) {
		uint64_t before = stats->c.mismatches;

		kdiff_cgen_one(env, fuzz_next(&rng), o->out, o->clang, o->include_dir, &stats->c,
			       o->verbose);
		stats->mismatches += stats->c.mismatches - before;
		return;
	}
	bytecode_program(env, o, stats, &rng, program);
}

/* ---- setting up ---------------------------------------------------------------- */

/* The thread on one CPU, where the kernel's test runs and user-space map
 * operations then happen, and every runtime bound to that vCPU: per-CPU
 * values and bpf_get_smp_processor_id agree. */
static int create_env(struct kdiff_env *env, int cpu)
{
	static const enum bpfvm_engine kinds[KDIFF_RUNTIMES] = {
		[KDIFF_INTERP] = BPFVM_ENGINE_INTERP, [KDIFF_JIT] = BPFVM_ENGINE_JIT,
		[KDIFF_MIRROR] = BPFVM_ENGINE_INTERP };
	int nr_cpus = libbpf_num_possible_cpus();
	cpu_set_t set;

	if (nr_cpus <= 0 || cpu < 0 || cpu >= nr_cpus) {
		fprintf(stderr, "cpu %d: not one of the %d possible CPUs\n", cpu, nr_cpus);
		return 2;
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		printf("SKIP: cannot pin the thread to CPU %d: %s\n", cpu, strerror(errno));
		return 77;
	}
	env->cpu = cpu;
	for (int e = 0; e < KDIFF_RUNTIMES; e++) {
		struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = (uint32_t)nr_cpus,
					   .engine = kinds[e] };
		int err = bpfvm_create(&opts, &env->vm[e]);

		if (err) {
			printf("SKIP: runtime %d: %s\n", e, bpfvm_errmsg());
			return err == -ENOTSUP ? 77 : 2;
		}
		if (bpfvm_cpu_bind(env->vm[e], cpu) < 0) {
			fprintf(stderr, "vCPU %d: %s\n", cpu, bpfvm_errmsg());
			return 2;
		}
	}
	return 0;
}

static void destroy_env(struct kdiff_env *env)
{
	for (int e = 0; e < KDIFF_RUNTIMES; e++) {
		if (!env->vm[e])
			continue;
		bpfvm_cpu_unbind(env->vm[e]);
		bpfvm_destroy(env->vm[e]);
	}
}

static void print_summary(const struct options *o, const struct stats *s, double seconds)
{
	uint64_t programs = s->tried + s->c.tried;

	printf("kdiff: seed %" PRIu64 ", %u worker%s from CPU %d, %.1f s, %.1f programs/s%s\n",
	       o->seed, o->jobs, o->jobs > 1 ? "s" : "", o->cpu,
	       seconds, seconds > 0 ? (double)programs / seconds : 0.0,
	       o->fresh_maps ? " (fresh maps for each program)" : "");
	printf("kdiff: %" PRIu64 " bytecode programs tried (%" PRIu64 " of the engines' "
	       "generator, %" PRIu64 " of the verifier's), %" PRIu64 " kernel-accepted, %" PRIu64
	       " bpfvm-accepted, %" PRIu64 " both, %" PRIu64 " both refused\n",
	       s->tried, s->by_generator[0], s->by_generator[1], s->kernel_accepted,
	       s->bpfvm_accepted, s->both_accepted, s->refused_both);
	printf("kdiff: %" PRIu64 " both-accepted and compared (%" PRIu64 " inputs), %" PRIu64
	       " helper calls pinned to constants\n", s->compared, s->inputs, s->helpers_pinned);
	printf("kdiff: %" PRIu64 " C programs tried, %" PRIu64 " compiled, %" PRIu64
	       " kernel-accepted, %" PRIu64 " bpfvm-accepted, %" PRIu64 " compared, %" PRIu64
	       " mismatches\n", s->c.tried, s->c.compiled, s->c.kernel_accepted,
	       s->c.bpfvm_accepted, s->c.compared, s->c.mismatches);
	printf("kdiff: %" PRIu64 " mismatches (%" PRIu64 " refused by bpfvm only, %" PRIu64
	       " accepted by bpfvm only, %" PRIu64 " engines disagreeing on a load); %" PRIu64
	       " refused by the kernel's own \"verifier bug\" (not counted)\n",
	       s->mismatches, s->verdict_mismatches, s->soundness, s->engines_disagree,
	       s->kernel_bugs);
	if (s->history_dependent)
		printf("kdiff: %" PRIu64 " of the mismatches not reproduced on fresh maps\n",
		       s->history_dependent);
}

static int parse_options(int argc, char **argv, struct options *o)
{
	*o = (struct options){ .seconds = 20, .seed = 1, .cpu = 0, .out = ".",
			       .max_reports = 10, .minimise = true, .clang = KDIFF_CLANG, .jobs = 1,
			       .include_dir = KDIFF_MULTIARCH_INCLUDE };
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(arg, "--verbose") == 0) {
			o->verbose = true;
			continue;
		}
		if (strcmp(arg, "--no-minimise") == 0) {
			o->minimise = false;
			continue;
		}
		if (strcmp(arg, "--fresh-maps") == 0) {
			o->fresh_maps = true;
			continue;
		}
		if (strncmp(arg, "--", 2) != 0 && o->replay_cnt && o->replay_cnt < 256) {
			o->replays[o->replay_cnt++] = arg; /* --replay FILE FILE ... */
			continue;
		}
		if (!value)
			return -1;
		i++;
		if (strcmp(arg, "--seconds") == 0)
			o->seconds = atof(value);
		else if (strcmp(arg, "--programs") == 0)
			o->programs = strtoull(value, NULL, 0);
		else if (strcmp(arg, "--min-programs") == 0)
			o->min_programs = strtoull(value, NULL, 0);
		else if (strcmp(arg, "--seed") == 0)
			o->seed = strtoull(value, NULL, 0);
		else if (strcmp(arg, "--cpu") == 0)
			o->cpu = atoi(value);
		else if (strcmp(arg, "--jobs") == 0)
			o->jobs = (unsigned)atoi(value);
		else if (strcmp(arg, "--c-share") == 0)
			o->c_share = (unsigned)atoi(value);
		else if (strcmp(arg, "--c-max") == 0)
			o->c_max = strtoull(value, NULL, 0);
		else if (strcmp(arg, "--clang") == 0)
			o->clang = value;
		else if (strcmp(arg, "--include") == 0)
			o->include_dir = value;
		else if (strcmp(arg, "--out") == 0)
			o->out = value;
		else if (strcmp(arg, "--max-reports") == 0)
			o->max_reports = (unsigned)atoi(value);
		else if (strcmp(arg, "--replay") == 0 && o->replay_cnt < 256)
			o->replays[o->replay_cnt++] = value;
		else
			return -1;
	}
	return o->jobs >= 1 && o->jobs <= 64 ? 0 : -1;
}

static bool done(const struct options *o, uint64_t program, double deadline)
{
	if (o->programs)
		return program >= o->programs;
	return program >= o->min_programs && now_seconds() > deadline;
}

/* ---- workers ------------------------------------------------------------------ */

static void add_stats(struct stats *sum, const struct stats *s)
{
	const uint64_t *from = (const uint64_t *)s;
	uint64_t *to = (uint64_t *)sum;

	_Static_assert(sizeof(struct stats) % sizeof(uint64_t) == 0, "stats are counters");
	for (size_t i = 0; i < sizeof(*s) / sizeof(uint64_t); i++)
		to[i] += from[i];
}

/* Worker w's programs, on CPU o->cpu + w, into *stats. */
static int work(struct options *o, unsigned w, double start, struct stats *stats)
{
	static struct kdiff_env env;
	int status;

	o->cpu = (int)((unsigned)o->cpu + w) % libbpf_num_possible_cpus();
	status = create_env(&env, o->cpu);
	env.reuse_maps = !o->fresh_maps;
	for (uint64_t i = w; !status && !done(o, i, start + o->seconds); i += o->jobs)
		one_program(&env, o, stats, i);
	kdiff_trial_release_maps();
	close_mirror_maps(kept_mirror[0]);
	close_mirror_maps(kept_mirror[1]);
	destroy_env(&env);
	return status;
}

/* o->jobs processes, each with its own runtimes and kernel objects; their
 * counters in shared memory, added up into *sum. */
static int work_in_processes(struct options *o, double start, struct stats *sum)
{
	size_t size = o->jobs * sizeof(struct stats);
	struct stats *each = mmap(NULL, size, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int status = 0;

	if (each == MAP_FAILED)
		return 2;
	memset(each, 0, size);
	fflush(stdout);
	for (unsigned w = 0; w < o->jobs; w++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(work(o, w, start, &each[w]));
		if (pid < 0)
			status = 2;
	}
	for (int child; wait(&child) > 0;) {
		int code = WIFEXITED(child) ? WEXITSTATUS(child) : 2;

		if (!WIFEXITED(child))
			printf("kdiff: a worker died: signal %d\n", WTERMSIG(child));
		status = code > status ? code : status;
	}
	for (unsigned w = 0; w < o->jobs; w++)
		add_stats(sum, &each[w]);
	munmap(each, size);
	return status;
}

static int replay_all(struct kdiff_env *env, const struct options *o)
{
	int status = 0;

	for (unsigned i = 0; i < o->replay_cnt; i++) {
		int one = kdiff_repro_replay(env, o->replays[i], o->verbose);

		status = one > status ? one : status;
	}
	return status;
}

int main(int argc, char **argv)
{
	static struct kdiff_env env;
	static struct stats stats;
	struct options o;
	double start = now_seconds();
	char why[256];
	int status;

	setvbuf(stdout, NULL, _IOLBF, 0); /* long runs: each mismatch as it comes */
	if (parse_options(argc, argv, &o)) {
		fprintf(stderr, "usage: %s [--seconds N] [--programs N] [--min-programs N] "
				"[--seed S] [--cpu C] [--jobs J] [--c-share PERCENT] [--c-max N] [--clang PATH] "
				"[--include DIR] [--out DIR] [--max-reports N] [--no-minimise] "
				"[--fresh-maps] [--verbose] | --replay FILE...\n", argv[0]);
		return 2;
	}
	if (!kdiff_kernel_usable(why, sizeof(why))) {
		printf("SKIP: the kernel's bpf() is not usable here (%s): nothing compared\n",
		       why);
		return 77;
	}
	if (o.replay_cnt) {
		status = create_env(&env, o.cpu);
		if (!status)
			status = replay_all(&env, &o);
		destroy_env(&env);
		return status;
	}
	if (o.min_programs)
		o.min_programs = (o.min_programs + o.jobs - 1) / o.jobs * o.jobs;
	status = o.jobs > 1 ? work_in_processes(&o, start, &stats) : work(&o, 0, start, &stats);
	if (status && status != 1)
		return status;
	print_summary(&o, &stats, now_seconds() - start);
	return stats.mismatches ? 1 : 0;
}
