/* The differential fuzzer (fuzz_engines.h): the loop, the comparison,
 * reproducers and their replay.
 *
 *   fuzz_engines [--seconds N] [--seed S] [--iterations N] [--iteration I]
 *                [--min-iterations N]
 *                [--objects-under ROOT]... [--asm DIR]... [--out DIR]
 *                [--max-reports N] [--verbose]
 *   fuzz_engines --replay FILE...
 *
 * Iteration i (its program and inputs from the seed and i alone) takes a
 * program of this fuzzer's generator (with its tail-call targets), of the
 * verifier fuzzer's, or a seed (an object's program, an examples/asm file),
 * mutates it half of the time, and loads it into three runtimes: the
 * interpreter, a second interpreter and the JIT. A program the verifier
 * accepts runs on three random inputs (a packet of a random size and
 * contents, a context, map contents) in each, every map filled from the
 * same seed before each run. Compared: the error code, r0, the packet out,
 * the context out and the contents of every map the program uses.
 *
 * The second interpreter is the control. bpfvm verifies as a privileged
 * user, so a program may store or return an address (of its stack, a map
 * value), which differs between runtimes whatever the engine: when the two
 * interpreters disagree, the program depends on addresses and is counted,
 * not compared (the JIT runs again then too, so that the interpreter's
 * runtime and the JIT's keep one history: see compare_input). When the
 * interpreters agree and the JIT does not, that is a mismatch:
 * the program (in the assembler's syntax, tail-call targets included) and
 * its input are written under --out as a reproducer that --replay runs
 * again, and the exit status is 1.
 *
 * The helpers whose results do not depend on the program (the clocks,
 * bpf_get_prandom_u32) are replaced by counters restarted before each run,
 * and the fuzzer binds itself to vCPU 0 of each runtime.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/bpf.h>

#include "core/runtime.h"
#include "engine/run_ctx.h"
#include "fuzz_engines.h"
#include "helpers/helper_table.h"
#include "verifier/checked_testlib.h"

#define INPUTS_PER_PROGRAM 3
#define RUN_BUDGET 1000000
#define PACKET_MAX 512
#define DATA_OUT_MAX 8192
#define CTX_MAX 256
#define SEED_ITERATIONS (UINT64_MAX / 2) /* seeds run as iterations ~0, ~1, ... */

enum engine_index { INTERP, CONTROL, JIT, ENGINES };

static const char *const engine_names[ENGINES] = { "interp", "interp (control)", "jit" };

struct engine {
	struct bpfvm *vm;
	struct bpfvm_map *gen_maps[FUZZ_GEN_MAPS]; /* the verifier fuzzer's generator's */
	struct fuzz_seeds seeds;
};

struct options {
	double seconds;
	uint64_t seed;
	uint64_t iterations; /* 0: until the time runs out */
	uint64_t min_iterations; /* however long they take (a sanitizer build) */
	int64_t only;	     /* --iteration I, or -1 */
	const char *trees[4];
	unsigned tree_cnt;
	const char *asm_dirs[8];
	unsigned asm_dir_cnt;
	const char *out;
	unsigned max_reports;
	bool verbose;
	const char *replays[64];
	unsigned replay_cnt;
};

struct stats {
	uint64_t iterations, accepted, refused, compared, runs, run_errors, mismatches;
	uint64_t address_dependent, targets_loaded;
	uint64_t by_source[3]; /* generated here, by the verifier fuzzer's, seeds */
	/* Unmutated programs of this fuzzer's generator that the verifier
	 * refuses (each valid by construction: a generator bug), with the
	 * first distinct reasons. */
	uint64_t valid, valid_refused;
	char refusals[4][256];
	unsigned refusal_cnt;
};

/* One program in every runtime: the same instructions, each runtime's maps,
 * and the tail-call targets of a generated set. */
struct trial {
	const char *mutations;
	uint64_t iteration;
	uint64_t budget; /* of each run: sometimes small, to stop runs midway */
	struct fuzz_prog prog[ENGINES];
	struct bpfvm_prog *loaded[ENGINES];
	const struct egen_set *set; /* NULL unless from fuzz_engines_gen.c */
	struct bpfvm_prog *targets[ENGINES][EGEN_TARGETS_MAX];
};

struct input {
	uint64_t seed;
	uint8_t data[PACKET_MAX];
	uint32_t size;
};

struct result {
	int err;
	uint64_t retval;
	char message[256];
	uint8_t data[DATA_OUT_MAX];
	uint32_t data_size;
	uint8_t ctx[CTX_MAX];
	uint32_t ctx_size;
};

static struct engine engines[ENGINES];

/* ---- helpers that would differ between two runs ----------------------- */

static uint64_t fake_clock, fake_random;

static uint64_t fake_clock_fn(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	return fake_clock += 1000;
}

static uint64_t fake_random_fn(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	fake_random = fake_random * 6364136223846793005ull + 1442695040888963407ull;
	return fake_random >> 32;
}

/* Replaces helper `id` keeping its prototype, so that the verifier treats
 * calls to it as before. */
static void replace_helper(struct bpfvm *vm, uint32_t id, bpfvm_helper_fn fn)
{
	const struct helper_entry *entry = helper_table_find(&vm->helpers, id);

	if (entry)
		helper_table_set(&vm->helpers, id, entry->name, fn, entry->proto);
}

static void replace_helpers(struct bpfvm *vm)
{
	static const uint32_t clocks[] = { BPF_FUNC_ktime_get_ns, BPF_FUNC_ktime_get_boot_ns,
					   BPF_FUNC_ktime_get_coarse_ns, BPF_FUNC_ktime_get_tai_ns,
					   BPF_FUNC_jiffies64 };

	for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++)
		replace_helper(vm, clocks[i], fake_clock_fn);
	replace_helper(vm, BPF_FUNC_get_prandom_u32, fake_random_fn);
}

/* ---- runs ---------------------------------------------------------------- */

static bool is_skb(enum bpf_prog_type type)
{
	return type == BPF_PROG_TYPE_SCHED_CLS || type == BPF_PROG_TYPE_SCHED_ACT ||
	       type == BPF_PROG_TYPE_SOCKET_FILTER || type == BPF_PROG_TYPE_CGROUP_SKB;
}

/* The packet (or raw memory, or tracepoint arguments) of an input; the
 * maps are filled first, from the same generator. */
static void make_input(struct fuzz_rng *rng, enum bpf_prog_type type, struct input *in)
{
	in->size = 14 + fuzz_below(rng, fuzz_below(rng, 4) ? 256 : 16);
	if (fuzz_below(rng, 32) == 0) /* shorter than an Ethernet header: refused */
		in->size = fuzz_below(rng, 14);
	if (type == BPFVM_PROG_TYPE_RAW)
		in->size = fuzz_below(rng, 128);
	if (type == BPF_PROG_TYPE_RAW_TRACEPOINT)
		in->size = 96; /* bpf_raw_tracepoint_args: 12 u64 */
	emaps_random_bytes(rng, in->data, in->size);
}

/* The context given with the packet: the fields a test run may set. */
static void make_ctx(struct fuzz_rng *rng, const struct fuzz_prog *prog, const struct input *in,
		     struct bpfvm_test_run_opts *opts, uint8_t ctx[CTX_MAX])
{
	memset(ctx, 0, CTX_MAX);
	if (prog->type == BPF_PROG_TYPE_XDP) {
		struct xdp_md *md = (struct xdp_md *)ctx;

		md->data_end = in->size;
		md->ingress_ifindex = 1;
		opts->ctx_size_in = sizeof(*md);
	} else if (is_skb(prog->type)) {
		struct __sk_buff *skb = (struct __sk_buff *)ctx;

		skb->mark = (uint32_t)fuzz_next(rng);
		skb->priority = (uint32_t)fuzz_next(rng);
		for (int i = 0; i < 5; i++)
			skb->cb[i] = (uint32_t)fuzz_next(rng);
		opts->ctx_size_in = sizeof(*skb);
	} else {
		return;
	}
	opts->ctx_in = ctx;
}

static void run_one(struct bpfvm_prog *loaded, const struct fuzz_prog *prog, uint64_t input_seed,
		    struct input *in, struct result *r)
{
	struct fuzz_rng rng = { input_seed };
	struct bpfvm_test_run_opts opts = { .sz = sizeof(opts) };
	static uint8_t ctx_in[CTX_MAX];
	int err;

	for (uint32_t i = 0; i < prog->map_cnt; i++)
		emaps_fill(&rng, prog->maps[i]);
	make_input(&rng, prog->type, in);
	memset(r, 0, sizeof(*r));
	fake_clock = 1000000000;
	fake_random = input_seed;
	if (prog->type == BPFVM_PROG_TYPE_RAW) {
		memcpy(r->data, in->data, in->size);
		err = run_raw(loaded, r->data, in->size, false, &r->retval);
		r->data_size = in->size;
	} else {
		if (prog->type == BPF_PROG_TYPE_RAW_TRACEPOINT) { /* no ctx_out: -EINVAL */
			opts.ctx_in = in->data;
			opts.ctx_size_in = in->size;
		} else {
			opts.data_in = in->data;
			opts.data_size_in = in->size;
			opts.data_out = r->data;
			opts.data_size_out = sizeof(r->data);
			opts.ctx_out = r->ctx;
			opts.ctx_size_out = sizeof(r->ctx);
			make_ctx(&rng, prog, in, &opts, ctx_in);
		}
		err = bpfvm_prog_test_run(loaded, &opts);
		r->retval = opts.retval;
		r->data_size = opts.data_size_out;
		r->ctx_size = opts.ctx_size_out;
	}
	r->err = err;
	if (err)
		snprintf(r->message, sizeof(r->message), "%s", bpfvm_errmsg());
}

/* Whether two runs agree; if not, what differs in `why`. The maps of the
 * program in both runtimes are compared too (and drained). */
static bool results_equal(const struct result *a, const struct result *b, char *why,
			  size_t size)
{
	uint32_t data_len = a->data_size < DATA_OUT_MAX ? a->data_size : DATA_OUT_MAX;
	uint32_t ctx_len = a->ctx_size < CTX_MAX ? a->ctx_size : CTX_MAX;

	if (a->err != b->err)
		snprintf(why, size, "error %d (%s) against %d (%s)", a->err, a->message, b->err,
			 b->message);
	else if (a->retval != b->retval)
		snprintf(why, size, "r0 %#" PRIx64 " against %#" PRIx64, a->retval, b->retval);
	else if (a->data_size != b->data_size || memcmp(a->data, b->data, data_len))
		snprintf(why, size, "packet out differs (%u and %u bytes)", a->data_size,
			 b->data_size);
	else if (a->ctx_size != b->ctx_size || memcmp(a->ctx, b->ctx, ctx_len))
		snprintf(why, size, "context out differs (%u and %u bytes)", a->ctx_size,
			 b->ctx_size);
	else
		return true;
	return false;
}

static bool maps_equal(const struct trial *t, enum engine_index x, enum engine_index y,
		       char *why, size_t size)
{
	for (uint32_t i = 0; i < t->prog[x].map_cnt; i++) {
		char where[512];

		if (emaps_equal(t->prog[x].maps[i], t->prog[y].maps[i], where, sizeof(where)))
			continue;
		snprintf(why, size, "map %u (%s): %s", i, bpfvm_map_name(t->prog[x].maps[i]),
			 where);
		return false;
	}
	return true;
}

/* ---- reproducers ------------------------------------------------------- */

static void print_hex(FILE *out, const char *prefix, const uint8_t *data, uint32_t size)
{
	fprintf(out, "%s", prefix);
	for (uint32_t i = 0; i < size; i++)
		fprintf(out, "%02x", data[i]);
	fprintf(out, "\n");
}

static void write_result(FILE *out, const char *name, const struct result *r)
{
	fprintf(out, "# %s: error %d r0 %#" PRIx64 " packet %u bytes context %u bytes%s%s\n",
		name, r->err, r->retval, r->data_size, r->ctx_size, r->err ? ": " : "",
		r->message);
}

/* Each line of a program's text after `prefix`. */
static void write_text(FILE *out, const char *prefix, const char *text)
{
	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n');
		int len = end ? (int)(end - line) : (int)strlen(line);

		fprintf(out, "%s%.*s\n", prefix, len, line);
		line = end ? end + 1 : line + len;
	}
}

static void write_reproducer(FILE *out, const struct options *o, const struct trial *t,
			     const struct input *in, const struct result res[ENGINES],
			     const char *why)
{
	const struct fuzz_prog *prog = &t->prog[INTERP];
	char *text = bpfvm_disasm_prog(prog->insns, prog->insn_cnt);

	fprintf(out, "# bpfvm differential fuzzer reproducer: fuzz_engines --replay THIS_FILE\n");
	fprintf(out, "# seed: %" PRIu64 " iteration: %" PRIu64 "\n", o->seed, t->iteration);
	fprintf(out, "# source: %s\n# mutations: %s\n", prog->source,
		t->mutations[0] ? t->mutations : "none");
	fprintf(out, "# type: %u\n", (unsigned)prog->type);
	for (uint32_t i = 0; i < prog->map_cnt; i++) {
		struct bpfvm_map_info info;

		bpfvm_map_get_info(prog->maps[i], &info);
		fprintf(out, "# map: %u %u %u %u %u %s\n", info.type, info.key_size,
			info.value_size, info.max_entries, info.map_flags,
			bpfvm_map_name(prog->maps[i]));
	}
	fprintf(out, "# budget: %" PRIu64 "\n", t->budget);
	fprintf(out, "# input-seed: %" PRIu64 "\n", in->seed);
	print_hex(out, "# input: ", in->data, in->size);
	write_result(out, "interp", &res[INTERP]);
	write_result(out, "jit", &res[JIT]);
	fprintf(out, "# difference: %s\n", why);
	for (uint32_t i = 0; t->set && i < t->set->target_cnt; i++) {
		const struct fuzz_prog *target = &t->set->targets[i];
		char *target_text = bpfvm_disasm_prog(target->insns, target->insn_cnt);

		fprintf(out, "# target: %u (prog array map %d, slot %u)\n", i, EGEN_PROG_ARRAY, i);
		write_text(out, "#| ", target_text);
		free(target_text);
	}
	fputs(text ? text : "", out);
	free(text);
}

static void report(const struct options *o, struct stats *stats, const struct trial *t,
		   const struct input *in, const struct result res[ENGINES], const char *why)
{
	char path[1024];
	FILE *file;

	if (stats->mismatches++ >= o->max_reports)
		return;
	printf("=== mismatch: seed %" PRIu64 " iteration %" PRIu64 " (%s; mutations: %s): %s\n",
	       o->seed, t->iteration, t->prog[INTERP].source,
	       t->mutations[0] ? t->mutations : "none", why);
	write_reproducer(stdout, o, t, in, res, why);
	if (o->replay_cnt) /* its file is the reproducer */
		return;
	snprintf(path, sizeof(path), "%s/fuzz-engines-%" PRIu64 "-%" PRIu64 ".s", o->out, o->seed,
		 t->iteration);
	file = fopen(path, "w");
	if (!file) {
		printf("cannot write %s\n", path);
		return;
	}
	write_reproducer(file, o, t, in, res, why);
	fclose(file);
	printf("reproducer: %s\n", path);
}

/* ---- one program ------------------------------------------------------- */

/* Whether runtimes x and y agree on the trial's input (their maps are
 * compared, and drained, too). */
static bool agree(struct trial *t, enum engine_index x, enum engine_index y, uint64_t input_seed,
		  struct input in[ENGINES], struct result res[ENGINES], char *why, size_t size)
{
	run_one(t->loaded[x], &t->prog[x], input_seed, &in[x], &res[x]);
	run_one(t->loaded[y], &t->prog[y], input_seed, &in[y], &res[y]);
	in[x].seed = input_seed;
	return results_equal(&res[x], &res[y], why, size) && maps_equal(t, x, y, why, size);
}

/* Runs the trial on one input under the interpreter and the JIT; false on
 * a mismatch. When they disagree, the interpreter runs again beside the
 * control: if the two interpreters disagree as well, the program depends on
 * addresses and the input is not counted. The JIT then runs again too: the
 * interpreter's runtime and the JIT's must have the same history, since
 * what a program reads without having written it (a ring buffer record
 * that bpf_ringbuf_reserve does not clear) is what earlier runs left. */
static bool compare_input(const struct options *o, struct stats *stats, struct trial *t,
			  uint64_t input_seed)
{
	static struct result res[ENGINES], again[ENGINES];
	struct input in[ENGINES], in_again[ENGINES];
	char why[1024], control_why[1024];
	bool same;

	stats->runs++;
	if (agree(t, INTERP, JIT, input_seed, in, res, why, sizeof(why))) {
		stats->compared++;
		stats->run_errors += res[INTERP].err != 0;
		if (o->verbose)
			printf("iteration %" PRIu64 ": error %d r0 %#" PRIx64 " %s\n", t->iteration,
			       res[INTERP].err, res[INTERP].retval, res[INTERP].message);
		return true;
	}
	same = agree(t, INTERP, CONTROL, input_seed, in_again, again, control_why,
		     sizeof(control_why));

	run_one(t->loaded[JIT], &t->prog[JIT], input_seed, &in_again[JIT], &again[JIT]);
	if (!same) {
		if (o->verbose)
			printf("iteration %" PRIu64 ": depends on addresses: %s\n", t->iteration,
			       control_why);
		stats->address_dependent++;
		return true;
	}
	stats->compared++;
	report(o, stats, t, &in[INTERP], res, why);
	return false;
}

static int load(struct engine *e, const struct fuzz_prog *prog, uint64_t budget,
		struct bpfvm_prog **out)
{
	int err = checked_load_insns(e->vm, "fuzzed", prog->type, prog->insns, prog->insn_cnt,
				     prog->maps, prog->map_cnt, true, out);

	if (!err)
		checked_prog_set_budget(*out, budget);
	return err;
}

/* Loads the targets of a generated set into each runtime's prog array. */
static void load_targets(struct stats *stats, struct trial *t)
{
	for (uint32_t i = 0; i < t->set->target_cnt; i++) {
		for (int e = 0; e < ENGINES; e++) {
			struct fuzz_prog target = t->set->targets[i];
			uint32_t key = i, id;

			target.maps = t->prog[e].maps;
			if (load(&engines[e], &target, t->budget, &t->targets[e][i]))
				break;
			id = checked_prog_id(t->targets[e][i]);
			bpfvm_map_update(t->prog[e].maps[EGEN_PROG_ARRAY], &key, &id, BPF_ANY);
			stats->targets_loaded += e == INTERP;
		}
	}
}

static void note_refusal(struct stats *stats)
{
	const char *reason = bpfvm_errmsg();

	stats->valid++;
	stats->valid_refused++;
	for (unsigned i = 0; i < stats->refusal_cnt; i++)
		if (strcmp(stats->refusals[i], reason) == 0)
			return;
	if (stats->refusal_cnt < 4)
		snprintf(stats->refusals[stats->refusal_cnt++], sizeof(stats->refusals[0]), "%s",
			 reason);
}

static void release_trial(struct trial *t)
{
	for (int e = 0; e < ENGINES; e++) {
		checked_prog_free(t->loaded[e]);
		for (int i = 0; i < EGEN_TARGETS_MAX; i++)
			checked_prog_free(t->targets[e][i]);
	}
}

static void try_trial(const struct options *o, struct stats *stats, struct fuzz_rng *rng,
		      struct trial *t, bool counted)
{
	int err[ENGINES];

	if (t->set)
		load_targets(stats, t);
	for (int e = 0; e < ENGINES; e++)
		err[e] = load(&engines[e], &t->prog[e], t->budget, &t->loaded[e]);
	if (err[INTERP]) {
		stats->refused += counted;
		if (t->set && !t->mutations[0])
			note_refusal(stats);
		if (o->verbose)
			printf("iteration %" PRIu64 ": refused: %s\n", t->iteration,
			       bpfvm_errmsg());
		release_trial(t);
		return;
	}
	stats->accepted += counted;
	stats->valid += t->set && !t->mutations[0];
	if (err[JIT] || err[CONTROL]) {
		printf("=== mismatch: iteration %" PRIu64 " (%s): the interpreter's runtime loads "
		       "it, another refuses it (%d, %d): %s\n", t->iteration,
		       t->prog[INTERP].source, err[CONTROL], err[JIT], bpfvm_errmsg());
		stats->mismatches++;
		release_trial(t);
		return;
	}
	if (o->verbose) {
		char *text = bpfvm_disasm_prog(t->prog[INTERP].insns, t->prog[INTERP].insn_cnt);

		printf("iteration %" PRIu64 " (%s, type %u):\n%s", t->iteration,
		       t->prog[INTERP].source, t->prog[INTERP].type, text ? text : "");
		free(text);
	}
	for (int k = 0; k < INPUTS_PER_PROGRAM; k++)
		if (!compare_input(o, stats, t, fuzz_next(rng)))
			break;
	release_trial(t);
}

/* ---- the loop ---------------------------------------------------------- */

static void seed_rng(struct fuzz_rng *rng, uint64_t seed, uint64_t iteration)
{
	rng->state = seed * 0x2545f4914f6cdd1dull ^ iteration ^ 0xd1ffu;
	fuzz_next(rng);
}

/* The same instructions in every runtime, with its maps. */
static void share(struct trial *t, const struct fuzz_prog *prog, struct bpfvm_map **maps[ENGINES])
{
	for (int e = 0; e < ENGINES; e++) {
		t->prog[e] = *prog;
		t->prog[e].maps = maps[e];
	}
}

static void iterate(const struct options *o, struct stats *stats, uint64_t iteration)
{
	struct trial t = { .iteration = iteration, .mutations = "", .budget = RUN_BUDGET };
	struct bpfvm_map *egen[ENGINES][EGEN_MAPS] = { { NULL } };
	struct bpfvm_map **maps[ENGINES];
	struct egen_set set = { 0 };
	struct fuzz_prog prog = { 0 };
	char mutations[512] = "";
	struct fuzz_rng rng;
	uint32_t pick;

	seed_rng(&rng, o->seed, iteration);
	pick = fuzz_below(&rng, 100);
	if (pick >= 70 && !engines[INTERP].seeds.cnt)
		pick = 0;
	if (pick < 50) {
		for (int e = 0; e < ENGINES; e++) {
			if (egen_maps(engines[e].vm, egen[e]))
				goto out;
			maps[e] = egen[e];
		}
		egen_generate(&rng, egen[INTERP], &set);
		prog = set.main;
		set.main.insns = NULL; /* prog owns them now */
		t.set = &set;
		stats->by_source[0]++;
	} else if (pick < 70) {
		fuzz_generate(&rng, engines[INTERP].gen_maps, &prog);
		for (int e = 0; e < ENGINES; e++)
			maps[e] = engines[e].gen_maps;
		stats->by_source[1]++;
	} else {
		size_t i = fuzz_below(&rng, (uint32_t)engines[INTERP].seeds.cnt);

		if (fuzz_prog_copy(&engines[INTERP].seeds.progs[i], &prog))
			goto out;
		for (int e = 0; e < ENGINES; e++)
			maps[e] = engines[e].seeds.progs[i].maps;
		stats->by_source[2]++;
	}
	if (fuzz_below(&rng, 2))
		fuzz_mutate(&rng, &prog, mutations, sizeof(mutations));
	if (fuzz_below(&rng, 8) == 0)
		t.budget = 1 + fuzz_below(&rng, 100);
	t.mutations = mutations;
	share(&t, &prog, maps);
	try_trial(o, stats, &rng, &t, true);
	stats->iterations++;
out:
	fuzz_prog_release(&prog);
	egen_release(&set);
	for (int e = 0; e < ENGINES; e++)
		egen_maps_close(egen[e]);
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Every seed unmutated first, as long as the time lasts (a sanitizer build
 * spends most of a short run loading and running them). */
static void run_seeds(const struct options *o, struct stats *stats, double deadline)
{
	for (size_t i = 0; i < engines[INTERP].seeds.cnt && now_seconds() < deadline; i++) {
		struct trial t = { .iteration = ~(uint64_t)i, .mutations = "",
				   .budget = RUN_BUDGET };
		struct bpfvm_map **maps[ENGINES];
		struct fuzz_rng rng;

		for (int e = 0; e < ENGINES; e++)
			maps[e] = engines[e].seeds.progs[i].maps;
		seed_rng(&rng, o->seed, t.iteration);
		share(&t, &engines[INTERP].seeds.progs[i], maps);
		try_trial(o, stats, &rng, &t, false);
	}
}

static void print_summary(const struct options *o, const struct stats *stats, double seconds)
{
	const struct fuzz_seeds *seeds = &engines[INTERP].seeds;

	printf("fuzz_engines: seed %" PRIu64 ", %.1f s: %zu seeds (%u objects and %u programs "
	       "skipped)\n", o->seed, seconds, seeds->cnt, seeds->objects_skipped,
	       seeds->progs_skipped);
	printf("fuzz_engines: %" PRIu64 " iterations (%" PRIu64 " generated here, %" PRIu64
	       " by the verifier fuzzer's generator, %" PRIu64 " seeds), %" PRIu64 " accepted, %"
	       PRIu64 " refused, %" PRIu64 " tail-call targets\n",
	       stats->iterations, stats->by_source[0], stats->by_source[1], stats->by_source[2],
	       stats->accepted, stats->refused, stats->targets_loaded);
	printf("fuzz_engines: %" PRIu64 " runs (%" PRIu64 " ended in an error), %" PRIu64
	       " compared, %" PRIu64 " depending on addresses, %" PRIu64 " mismatches\n",
	       stats->runs, stats->run_errors, stats->compared, stats->address_dependent,
	       stats->mismatches);
	printf("fuzz_engines: %" PRIu64 " unmutated programs of this generator, %" PRIu64
	       " refused (generator bugs)\n", stats->valid, stats->valid_refused);
	for (unsigned i = 0; i < stats->refusal_cnt; i++)
		printf("  refused: %s\n", stats->refusals[i]);
}

/* ---- replay ------------------------------------------------------------ */

struct replay_file {
	struct fuzz_prog prog;
	struct egen_set set;
	uint32_t map_types[EGEN_MAPS * 2], map_keys[EGEN_MAPS * 2], map_values[EGEN_MAPS * 2];
	uint32_t map_max[EGEN_MAPS * 2], map_flags[EGEN_MAPS * 2];
	uint64_t input_seed, budget;
	char *text, *targets[EGEN_TARGETS_MAX];
};

static void append(char **text, const char *line)
{
	size_t len = *text ? strlen(*text) : 0;
	char *bigger = realloc(*text, len + strlen(line) + 1);

	if (!bigger)
		return;
	memcpy(bigger + len, line, strlen(line) + 1);
	*text = bigger;
}

static int parse_replay(const char *path, struct replay_file *r)
{
	FILE *file = fopen(path, "r");
	char line[4096];
	int target = -1;

	if (!file)
		return -1;
	r->prog.type = BPF_PROG_TYPE_XDP;
	r->budget = RUN_BUDGET;
	while (fgets(line, sizeof(line), file)) {
		unsigned type, key, value, max, flags, n = r->prog.map_cnt;
		unsigned long long seed;

		if (sscanf(line, "# type: %u", &type) == 1)
			r->prog.type = type;
		else if (sscanf(line, "# map: %u %u %u %u %u", &type, &key, &value, &max,
				&flags) == 5 && n < EGEN_MAPS * 2) {
			r->map_types[n] = type, r->map_keys[n] = key, r->map_values[n] = value;
			r->map_max[n] = max, r->map_flags[n] = flags;
			r->prog.map_cnt++;
		} else if (sscanf(line, "# input-seed: %llu", &seed) == 1)
			r->input_seed = seed;
		else if (sscanf(line, "# budget: %llu", &seed) == 1)
			r->budget = seed;
		else if (sscanf(line, "# target: %d", &target) == 1 && target >= 0 &&
			 target < EGEN_TARGETS_MAX)
			r->set.target_cnt = (uint32_t)target + 1;
		else if (strncmp(line, "#| ", 3) == 0 && target >= 0 && target < EGEN_TARGETS_MAX)
			append(&r->targets[target], line + 3);
		else if (line[0] != '#')
			append(&r->text, line);
	}
	fclose(file);
	r->set.type = r->prog.type;
	if (!r->text || bpfvm_asm_parse(r->text, &r->prog.insns, &r->prog.insn_cnt))
		return -1;
	for (uint32_t i = 0; i < r->set.target_cnt; i++) {
		r->set.targets[i].type = r->prog.type;
		if (!r->targets[i] || bpfvm_asm_parse(r->targets[i], &r->set.targets[i].insns,
						      &r->set.targets[i].insn_cnt))
			return -1;
	}
	return 0;
}

static void replay_release(struct replay_file *r, struct bpfvm_map *maps[ENGINES][EGEN_MAPS * 2])
{
	for (int e = 0; e < ENGINES; e++)
		for (uint32_t i = 0; i < r->prog.map_cnt; i++)
			bpfvm_map_close(maps[e][i]);
	free(r->prog.insns);
	free(r->text);
	for (int i = 0; i < EGEN_TARGETS_MAX; i++) {
		free(r->set.targets[i].insns);
		free(r->targets[i]);
	}
}

/* Runs a reproducer's program again on its input: 1 if the engines still
 * disagree, 0 if they agree, 2 if it cannot be read. */
static int replay(const struct options *o, const char *path)
{
	static struct replay_file r;
	struct bpfvm_map *maps[ENGINES][EGEN_MAPS * 2] = { { NULL } };
	struct stats stats = { 0 };
	struct trial t = { .mutations = "" };
	int status = 2;

	memset(&r, 0, sizeof(r));
	if (parse_replay(path, &r)) {
		fprintf(stderr, "%s: cannot read or assemble: %s\n", path, bpfvm_errmsg());
		goto out;
	}
	for (int e = 0; e < ENGINES; e++) {
		for (uint32_t i = 0; i < r.prog.map_cnt; i++) {
			struct bpfvm_map_create_opts opts = { .sz = sizeof(opts),
							      .map_flags = r.map_flags[i] };

			if (bpfvm_map_create(engines[e].vm, r.map_types[i], "replay", r.map_keys[i],
					     r.map_values[i], r.map_max[i], &opts, &maps[e][i])) {
				fprintf(stderr, "%s: map %u: %s\n", path, i, bpfvm_errmsg());
				goto out;
			}
		}
		t.prog[e] = r.prog;
		t.prog[e].maps = maps[e];
	}
	snprintf(t.prog[INTERP].source, sizeof(t.prog[INTERP].source), "%s", path);
	t.budget = r.budget;
	t.set = r.set.target_cnt ? &r.set : NULL;
	if (t.set)
		load_targets(&stats, &t);
	for (int e = 0; e < ENGINES; e++)
		if (load(&engines[e], &t.prog[e], t.budget, &t.loaded[e])) {
			printf("%s: refused by the verifier now: %s\n", path, bpfvm_errmsg());
			status = 0;
			release_trial(&t);
			goto out;
		}
	status = compare_input(o, &stats, &t, r.input_seed) ? 0 : 1;
	printf("%s: %s\n", path, status ? "the engines disagree" : "the engines agree");
	release_trial(&t);
out:
	replay_release(&r, maps);
	return status;
}

/* ---- main -------------------------------------------------------------- */

static int parse_options(int argc, char **argv, struct options *o)
{
	*o = (struct options){ .seconds = 20, .seed = 1, .only = -1, .out = ".",
			       .max_reports = 3 };
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(arg, "--verbose") == 0) {
			o->verbose = true;
			continue;
		}
		if (strncmp(arg, "--", 2) != 0 && o->replay_cnt && o->replay_cnt < 64) {
			o->replays[o->replay_cnt++] = arg; /* --replay FILE FILE ... */
			continue;
		}
		if (!value)
			return -1;
		i++;
		if (strcmp(arg, "--seconds") == 0)
			o->seconds = atof(value);
		else if (strcmp(arg, "--seed") == 0)
			o->seed = strtoull(value, NULL, 0);
		else if (strcmp(arg, "--iterations") == 0)
			o->iterations = strtoull(value, NULL, 0);
		else if (strcmp(arg, "--min-iterations") == 0)
			o->min_iterations = strtoull(value, NULL, 0);
		else if (strcmp(arg, "--iteration") == 0)
			o->only = (int64_t)strtoull(value, NULL, 0);
		else if (strcmp(arg, "--objects-under") == 0 && o->tree_cnt < 4)
			o->trees[o->tree_cnt++] = value;
		else if (strcmp(arg, "--asm") == 0 && o->asm_dir_cnt < 8)
			o->asm_dirs[o->asm_dir_cnt++] = value;
		else if (strcmp(arg, "--out") == 0)
			o->out = value;
		else if (strcmp(arg, "--max-reports") == 0)
			o->max_reports = (unsigned)atoi(value);
		else if (strcmp(arg, "--replay") == 0 && o->replay_cnt < 64)
			o->replays[o->replay_cnt++] = value;
		else
			return -1;
	}
	return 0;
}

/* Whether iteration i is past the end: --iteration, --iterations, or the
 * time and --min-iterations. */
static bool done(const struct options *o, uint64_t i, double deadline)
{
	if (o->only >= 0)
		return i > (uint64_t)o->only;
	if (o->iterations)
		return i >= o->iterations;
	return i >= o->min_iterations && now_seconds() > deadline;
}

/* A runtime of each engine with the helpers replaced, bound to vCPU 0 (per-CPU
 * values and bpf_get_smp_processor_id then agree), and its seeds. */
static int create_engines(const struct options *o)
{
	static const enum bpfvm_engine kinds[ENGINES] = { BPFVM_ENGINE_INTERP, BPFVM_ENGINE_INTERP,
							  BPFVM_ENGINE_JIT };

	for (int e = 0; e < ENGINES; e++) {
		struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = 2, .engine = kinds[e] };
		int err = bpfvm_create(&opts, &engines[e].vm);

		if (err) {
			printf("SKIP %s: %s\n", engine_names[e], bpfvm_errmsg());
			return err == -ENOTSUP ? 77 : 2;
		}
		replace_helpers(engines[e].vm);
		if (fuzz_gen_maps(engines[e].vm, engines[e].gen_maps) ||
		    bpfvm_cpu_bind(engines[e].vm, 0) < 0) {
			fprintf(stderr, "%s: %s\n", engine_names[e], bpfvm_errmsg());
			return 2;
		}
		for (unsigned i = 0; i < o->tree_cnt; i++)
			fuzz_seeds_add_tree(engines[e].vm, &engines[e].seeds, o->trees[i]);
		for (unsigned i = 0; i < o->asm_dir_cnt; i++)
			fuzz_seeds_add_asm(&engines[e].seeds, o->asm_dirs[i]);
	}
	for (int e = 1; e < ENGINES; e++) {
		if (engines[e].seeds.cnt == engines[INTERP].seeds.cnt)
			continue;
		printf("=== mismatch: %zu seeds load under %s, %zu under the interpreter\n",
		       engines[e].seeds.cnt, engine_names[e], engines[INTERP].seeds.cnt);
		return 1;
	}
	return 0;
}

static void destroy_engines(void)
{
	for (int e = 0; e < ENGINES; e++) {
		if (!engines[e].vm)
			continue;
		fuzz_seeds_release(&engines[e].seeds);
		bpfvm_cpu_unbind(engines[e].vm);
		for (int i = 0; i < FUZZ_GEN_MAPS; i++)
			bpfvm_map_close(engines[e].gen_maps[i]);
		bpfvm_destroy(engines[e].vm);
	}
}

int main(int argc, char **argv)
{
	static struct stats stats;
	struct options o;
	double start, deadline;
	int status;

	if (parse_options(argc, argv, &o)) {
		fprintf(stderr, "usage: %s [--seconds N] [--seed S] [--iterations N] "
				"[--iteration I] [--min-iterations N] [--objects-under ROOT]... "
				"[--asm DIR]... "
				"[--out DIR] [--max-reports N] [--verbose] | --replay FILE...\n",
			argv[0]);
		return 2;
	}
	if (o.replay_cnt)
		o.tree_cnt = o.asm_dir_cnt = 0;
	start = now_seconds(); /* --seconds covers loading the seeds too */
	status = create_engines(&o);
	if (status) {
		destroy_engines();
		return status;
	}
	for (unsigned i = 0; i < o.replay_cnt; i++) {
		int one = replay(&o, o.replays[i]);

		status = one > status ? one : status;
	}
	if (o.replay_cnt) {
		destroy_engines();
		return status;
	}
	deadline = start + o.seconds;
	if (o.only < 0)
		run_seeds(&o, &stats, o.iterations ? 1e300 : deadline);
	for (uint64_t i = o.only < 0 ? 0 : (uint64_t)o.only; !done(&o, i, deadline); i++)
		iterate(&o, &stats, i);
	print_summary(&o, &stats, now_seconds() - start);
	destroy_engines();
	return stats.mismatches ? 1 : 0;
}
