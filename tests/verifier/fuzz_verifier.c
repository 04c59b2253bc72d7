/* The verifier's soundness fuzzer (fuzz.h): the loop, the verdict,
 * reproducers and their replay.
 *
 *   fuzz_verifier [--seconds N] [--seed S] [--iterations N] [--iteration I]
 *                 [--objects DIR]... [--objects-under ROOT]... [--asm DIR]...
 *                 [--out DIR]
 *                 [--max-reports N] [--verbose] [--kernel]
 *   fuzz_verifier --replay FILE
 *
 * First every seed runs unmutated in checked mode on random inputs; then,
 * until the time or the iterations run out, iteration i (its program and
 * inputs from the seed and i alone; only what a program reads from
 * bpf_get_prandom_u32 and the clocks is not reproducible) takes a generated program or a seed, mutates it
 * (nine times in ten), verifies it, and runs an accepted mutant in checked
 * mode on three random inputs (packet of a random size, random map
 * contents). A trap is a verifier bug: the program (disassembled), the input
 * and the trap are printed and saved as FILE.s under --out, which --replay
 * runs again. With --kernel (and a usable bpf()), each trapping program is
 * also loaded into the running kernel, whose verdict the report adds (a trap
 * in a program the kernel accepts is a checked-mode or runtime bug, not the
 * verifier's), and each valid generated program too (a refusal there is a
 * generator bug). The exit status is 1 if anything trapped, 0 otherwise.
 *
 * The summary shows where the time went (verifying, running) and the
 * slowest iterations; `--iteration I --iterations 1 --verbose` prints one
 * iteration's program, and CHECKED_LOG=2 in the environment the verifier's
 * log of every program it loads (checked_testlib.c), replays included.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checked_testlib.h"
#include "core/runtime.h"
#include "engine/prog.h"
#include "engine/run_ctx.h"
#include "fuzz.h"

#define MAX_CLASSES 64
#define INPUTS_PER_MUTANT 3
#define MUTANT_BUDGET 200000
/* Seed programs run as iterations ~0, ~1, ...: numbers no loop reaches. */
#define SEED_ITERATIONS (UINT64_MAX / 2)

struct options {
	double seconds;
	uint64_t seed;
	uint64_t iterations; /* 0: until the time runs out */
	int64_t only;	     /* --iteration I, or -1 */
	const char *objects[16];
	unsigned object_dirs;
	const char *trees[4];
	unsigned tree_cnt;
	const char *asm_dirs[8];
	unsigned asm_dir_cnt;
	const char *out;
	unsigned max_reports;
	bool verbose;
	bool kernel; /* --kernel: ask the running kernel's verifier too */
	const char *replay;
};

struct trap_class {
	char name[160];
	unsigned count;
	char mutations[256]; /* the kinds seen with it */
	unsigned kernel_refused, kernel_accepted;
	char kernel_accepted_example[1024]; /* a reproducer the kernel accepts */
};

#define SLOWEST_KEPT 5

struct slow_iteration {
	uint64_t iteration;
	double verify_seconds, run_seconds;
	uint32_t insn_cnt;
	char source[96]; /* as struct fuzz_prog's */
};

struct stats {
	uint64_t iterations, accepted, refused, runs, traps;
	uint64_t seed_runs, seed_traps;
	/* Completeness: generated programs, unmutated, that the verifier refuses
	 * (each is valid by construction), with the first distinct reasons. */
	uint64_t generated_valid, generated_valid_refused;
	char refusals[8][256];
	unsigned refusal_cnt;
	uint64_t generated_kernel_refused;
	char kernel_refusals[4][256];
	unsigned kernel_refusal_cnt;
	struct trap_class classes[MAX_CLASSES];
	unsigned class_cnt;
	/* The slowest iterations, slowest first: where the time of a run goes
	 * (verification or checked runs), so a slow spot can be replayed. */
	struct slow_iteration slowest[SLOWEST_KEPT];
	/* Totals, to tell how the time splits. */
	double verify_seconds, run_seconds;
};

struct input {
	uint64_t seed;
	uint8_t data[512];
	uint32_t size;
	char message[1024];
};

static struct bpfvm *vm;

/* ---- inputs ------------------------------------------------------------ */

static void random_bytes(struct fuzz_rng *rng, uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)fuzz_next(rng);
}

static int drop_record(void *ctx, void *data, size_t size)
{
	(void)ctx, (void)data, (void)size;
	return 0;
}

/* Empties a hash map, so that an iteration sees only what it wrote. */
static void clear_hash(struct bpfvm_map *map, uint32_t key_size)
{
	uint8_t key[256];

	while (key_size <= sizeof(key) && bpfvm_map_get_next_key(map, NULL, key) == 0)
		if (bpfvm_map_delete(map, key))
			break;
}

static bool is_hash(uint32_t type)
{
	return type == BPF_MAP_TYPE_HASH || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static bool is_array(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

/* Random values for a few elements of each data map, zero for the rest of
 * an array; ring buffers drained. */
static void fill_map(struct fuzz_rng *rng, struct bpfvm_map *map)
{
	static uint8_t value[1 << 16];
	struct bpfvm_map_info info;
	uint8_t key[256];
	size_t value_len;

	bpfvm_map_get_info(map, &info);
	if (info.type == BPF_MAP_TYPE_RINGBUF) {
		bpfvm_ringbuf_consume(map, drop_record, NULL);
		return;
	}
	value_len = (size_t)((info.value_size + 7) & ~7u) * vm->nr_cpus;
	if ((!is_hash(info.type) && !is_array(info.type)) || info.key_size > sizeof(key) ||
	    value_len > sizeof(value))
		return;
	if (is_hash(info.type))
		clear_hash(map, info.key_size);
	for (uint32_t i = 0; i < info.max_entries && i < 256; i++) {
		bool random_value = i < 8;

		if (is_hash(info.type) && !random_value)
			break;
		memset(key, 0, info.key_size);
		if (is_array(info.type))
			memcpy(key, &i, 4);
		else
			random_bytes(rng, key, info.key_size);
		if (is_hash(info.type) && fuzz_below(rng, 2))
			memcpy(key, &i, info.key_size < 4 ? info.key_size : 4); /* small keys too */
		memset(value, 0, value_len);
		if (random_value)
			random_bytes(rng, value, value_len);
		bpfvm_map_update(map, key, value, BPF_ANY);
	}
}

static bool takes_packet(enum bpf_prog_type type)
{
	return type != BPF_PROG_TYPE_RAW_TRACEPOINT && type != BPFVM_PROG_TYPE_RAW;
}

/* Runs prog in checked mode on the input that `input->seed` makes. Returns
 * the run's error (-EFAULT: a trap). */
static int run_input(struct bpfvm_prog *prog, const struct fuzz_prog *source, struct input *in)
{
	struct fuzz_rng rng = { in->seed };
	struct bpfvm_test_run_opts opts = { .sz = sizeof(opts), .checked = true };
	uint64_t retval;
	int err;

	for (uint32_t i = 0; i < source->map_cnt; i++)
		fill_map(&rng, source->maps[i]);
	in->size = fuzz_below(&rng, 3) ? 14 + fuzz_below(&rng, 256) : 14 + fuzz_below(&rng, 24);
	if (source->type == BPFVM_PROG_TYPE_RAW)
		in->size = fuzz_below(&rng, 128);
	if (source->type == BPF_PROG_TYPE_RAW_TRACEPOINT)
		in->size = 96; /* bpf_raw_tracepoint_args: 12 u64 */
	random_bytes(&rng, in->data, in->size);
	if (source->type == BPFVM_PROG_TYPE_RAW) {
		err = run_raw(prog, in->data, in->size, true, &retval);
	} else {
		if (takes_packet(source->type)) {
			opts.data_in = in->data;
			opts.data_size_in = in->size;
		} else {
			opts.ctx_in = in->data;
			opts.ctx_size_in = in->size;
		}
		err = bpfvm_prog_test_run(prog, &opts);
	}
	snprintf(in->message, sizeof(in->message), "%s", err ? bpfvm_errmsg() : "");
	return err;
}

/* ---- reports ----------------------------------------------------------- */

/* The length of `what` up to the first of the separators that start the
 * specifics of one trap (sizes, addresses). */
static int class_prefix(const char *what)
{
	static const char *const stops[] = { ":", " of ", " at 0x", " 0x", " while ", " (" };
	int len = (int)strlen(what);

	for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
		const char *at = strstr(what, stops[i]);

		if (at && at - what < len)
			len = (int)(at - what);
	}
	return len;
}

/* "read near packet", "bpf_map_update_elem arg3 near stack frame", ... */
static void trap_class_name(const char *message, char *name, size_t size)
{
	const char *what = strstr(message, "checked mode trap: ");
	const char *near = strstr(message, "nearest: ");
	int what_len, near_len = 0;

	what = what ? what + strlen("checked mode trap: ") : message;
	what_len = class_prefix(what);
	if (near) {
		near += strlen("nearest: ");
		near_len = (int)(strstr(near, " of ") ? strstr(near, " of ") - near : 0);
	}
	if (strstr(message, "is read-only"))
		snprintf(name, size, "%.*s into a read-only value", what_len, what);
	else if (strstr(message, "neither submitted nor discarded"))
		snprintf(name, size, "ring buffer record never released");
	else if (near_len)
		snprintf(name, size, "%.*s near %.*s", what_len, what, near_len, near);
	else
		snprintf(name, size, "%.*s", what_len, what);
}

static struct trap_class *class_of(struct stats *stats, const char *name)
{
	for (unsigned i = 0; i < stats->class_cnt; i++)
		if (strcmp(stats->classes[i].name, name) == 0)
			return &stats->classes[i];
	if (stats->class_cnt == MAX_CLASSES)
		return &stats->classes[MAX_CLASSES - 1];
	snprintf(stats->classes[stats->class_cnt].name, sizeof(stats->classes[0].name), "%s", name);
	return &stats->classes[stats->class_cnt++];
}

/* Adds each mutation kind of `what` ("insn 3: offset, insn 9: register")
 * to the class's list, once. */
static void note_mutations(struct trap_class *class, const char *what)
{
	char copy[512], *save = NULL;

	snprintf(copy, sizeof(copy), "%s", what[0] ? what : ": none (the seed as it is)");
	for (char *part = strtok_r(copy, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
		char *kind = strchr(part, ':');
		size_t used = strlen(class->mutations);

		kind = kind ? kind + 2 : part;
		if (!strstr(class->mutations, kind))
			snprintf(class->mutations + used, sizeof(class->mutations) - used, "%s%s",
				 used ? "; " : "", kind);
	}
}

static void print_hex(FILE *out, const char *prefix, const uint8_t *data, uint32_t size)
{
	fprintf(out, "%s", prefix);
	for (uint32_t i = 0; i < size; i++)
		fprintf(out, "%02x", data[i]);
	fprintf(out, "\n");
}

static void write_header(FILE *out, const struct options *o, uint64_t iteration,
			 const struct fuzz_prog *prog, const char *mutations,
			 const struct input *in)
{
	fprintf(out, "# bpfvm soundness fuzzer reproducer: fuzz_verifier --replay THIS_FILE\n");
	fprintf(out, "# seed: %llu iteration: %llu\n", (unsigned long long)o->seed,
		(unsigned long long)iteration);
	fprintf(out, "# source: %s\n# mutations: %s\n", prog->source,
		mutations[0] ? mutations : "none");
	fprintf(out, "# type: %u\n", (unsigned)prog->type);
	for (uint32_t i = 0; i < prog->map_cnt; i++) {
		struct bpfvm_map_info info;

		bpfvm_map_get_info(prog->maps[i], &info);
		fprintf(out, "# map: %u %u %u %u %u %s\n", info.type, info.key_size,
			info.value_size, info.max_entries, info.map_flags,
			bpfvm_map_name(prog->maps[i]));
	}
	fprintf(out, "# input-seed: %llu\n", (unsigned long long)in->seed);
	print_hex(out, "# input: ", in->data, in->size);
	fprintf(out, "# trap: %s\n", in->message);
}

static void report_trap(const struct options *o, struct stats *stats, uint64_t iteration,
			const struct fuzz_prog *prog, const char *mutations, const struct input *in)
{
	char name[160], path[1024];
	struct trap_class *class;
	char *text = bpfvm_disasm_prog(prog->insns, prog->insn_cnt);
	FILE *file;

	char reason[256] = "";
	int verdict = o->kernel ? fuzz_kernel_verdict(prog, reason, sizeof(reason)) : -1;

	trap_class_name(in->message, name, sizeof(name));
	class = class_of(stats, name);
	note_mutations(class, mutations);
	class->kernel_refused += verdict == 0;
	class->kernel_accepted += verdict == 1;
	if (class->count++ >= o->max_reports && verdict != 1)
		goto out;
	if (iteration >= SEED_ITERATIONS)
		printf("=== trap (%s): seed program %llu, unmutated\n", name,
		       (unsigned long long)~iteration);
	else
		printf("=== trap (%s): seed %llu iteration %llu\n", name,
		       (unsigned long long)o->seed, (unsigned long long)iteration);
	printf("source: %s; mutations: %s\n", prog->source, mutations[0] ? mutations : "none");
	printf("trap: %s\n", in->message);
	if (verdict >= 0)
		printf("kernel: %s%s\n", verdict ? "ACCEPTS this program" : "refuses it: ",
		       verdict ? "" : reason);
	printf("input: %u bytes (input seed %llu)\n", in->size, (unsigned long long)in->seed);
	printf("program:\n%s", text ? text : "(out of memory)\n");
	if (iteration >= SEED_ITERATIONS)
		snprintf(path, sizeof(path), "%s/fuzz-seed-program-%llu.s", o->out,
			 (unsigned long long)~iteration);
	else
		snprintf(path, sizeof(path), "%s/fuzz-%llu-%llu.s", o->out,
			 (unsigned long long)o->seed, (unsigned long long)iteration);
	file = fopen(path, "w");
	if (file) {
		write_header(file, o, iteration, prog, mutations, in);
		fputs(text ? text : "", file);
		fclose(file);
		printf("reproducer: %s\n", path);
		if (verdict == 1)
			snprintf(class->kernel_accepted_example,
				 sizeof(class->kernel_accepted_example), "%s", path);
	}
out:
	free(text);
}

/* ---- the loop ---------------------------------------------------------- */

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Verifies and runs one program; counts and reports. */
/* A generated program that no mutation touched is valid: a refusal is the
 * verifier's incompleteness, noted (not a failure). */
static void note_kernel_refusal(struct stats *stats, const char *reason)
{
	stats->generated_kernel_refused++;
	for (unsigned i = 0; i < stats->kernel_refusal_cnt; i++)
		if (strcmp(stats->kernel_refusals[i], reason) == 0)
			return;
	if (stats->kernel_refusal_cnt < 4)
		snprintf(stats->kernel_refusals[stats->kernel_refusal_cnt++],
			 sizeof(stats->kernel_refusals[0]), "%s", reason);
}

static void note_valid(struct stats *stats, int err)
{
	const char *reason = bpfvm_errmsg();

	stats->generated_valid++;
	if (!err)
		return;
	stats->generated_valid_refused++;
	reason = strstr(reason, ": ") ? strstr(reason, ": ") + 2 : reason; /* the program */
	if (strncmp(reason, "insn ", 5) == 0 && strstr(reason, ": "))
		reason = strstr(reason, ": ") + 2;

	for (unsigned i = 0; i < stats->refusal_cnt; i++)
		if (strcmp(stats->refusals[i], reason) == 0)
			return;
	if (stats->refusal_cnt < 8)
		snprintf(stats->refusals[stats->refusal_cnt++], sizeof(stats->refusals[0]), "%s",
			 reason);
}

/* Adds an iteration's times to the totals and keeps it if it is among the
 * slowest. */
static void note_time(struct stats *stats, uint64_t iteration, const struct fuzz_prog *prog,
		      double verify_seconds, double run_seconds)
{
	struct slow_iteration *slot = &stats->slowest[SLOWEST_KEPT - 1];
	double total = verify_seconds + run_seconds;

	stats->verify_seconds += verify_seconds;
	stats->run_seconds += run_seconds;
	if (total <= slot->verify_seconds + slot->run_seconds)
		return;
	while (slot > stats->slowest &&
	       total > slot[-1].verify_seconds + slot[-1].run_seconds) {
		slot[0] = slot[-1];
		slot--;
	}
	*slot = (struct slow_iteration){ .iteration = iteration, .verify_seconds = verify_seconds,
					 .run_seconds = run_seconds, .insn_cnt = prog->insn_cnt };
	snprintf(slot->source, sizeof(slot->source), "%s", prog->source);
}

static void try_program(const struct options *o, struct stats *stats, uint64_t iteration,
			struct fuzz_rng *rng, const struct fuzz_prog *prog, const char *mutations,
			bool is_seed)
{
	struct bpfvm_prog *loaded = NULL;
	double started = now_seconds();

	if (o->verbose) {
		char *text = bpfvm_disasm_prog(prog->insns, prog->insn_cnt);

		printf("iteration %llu (%s, type %d, %u maps):\n%s", (unsigned long long)iteration,
		       prog->source, prog->type, prog->map_cnt, text ? text : "");
		free(text);
	}
	int err = checked_load_insns(vm, "fuzzed", prog->type, prog->insns, prog->insn_cnt,
				     prog->maps, prog->map_cnt, true, &loaded);
	double verified = now_seconds();

	if (!is_seed && !mutations[0] && strcmp(prog->source, "generated") == 0) {
		char reason[256];

		note_valid(stats, err);
		if (o->kernel && fuzz_kernel_verdict(prog, reason, sizeof(reason)) == 0)
			note_kernel_refusal(stats, reason);
	}
	if (err) {
		stats->refused += !is_seed;
		if (o->verbose)
			printf("iteration %llu: refused: %s\n", (unsigned long long)iteration,
			       bpfvm_errmsg());
		note_time(stats, iteration, prog, verified - started, 0);
		return;
	}
	stats->accepted += !is_seed;
	checked_prog_set_budget(loaded, MUTANT_BUDGET);
	for (int k = 0; k < INPUTS_PER_MUTANT; k++) {
		struct input in = { .seed = fuzz_next(rng) };

		err = run_input(loaded, prog, &in);
		is_seed ? stats->seed_runs++ : stats->runs++;
		if (o->verbose)
			printf("iteration %llu input %d: %d %s\n", (unsigned long long)iteration, k,
			       err, in.message);
		if (err == -EFAULT) {
			is_seed ? stats->seed_traps++ : stats->traps++;
			report_trap(o, stats, iteration, prog, mutations, &in);
			break;
		}
	}
	checked_prog_free(loaded);
	note_time(stats, iteration, prog, verified - started, now_seconds() - verified);
}

static void seed_rng(struct fuzz_rng *rng, uint64_t seed, uint64_t iteration)
{
	rng->state = seed * 0x2545f4914f6cdd1dull ^ iteration;
	fuzz_next(rng);
}

static void iterate(const struct options *o, struct stats *stats, const struct fuzz_seeds *seeds,
		    struct bpfvm_map *gen_maps[FUZZ_GEN_MAPS], uint64_t iteration)
{
	struct fuzz_prog prog;
	struct fuzz_rng rng;
	char mutations[512] = "";

	seed_rng(&rng, o->seed, iteration);
	if (!seeds->cnt || fuzz_below(&rng, 100) < 60)
		fuzz_generate(&rng, gen_maps, &prog);
	else if (fuzz_prog_copy(&seeds->progs[fuzz_below(&rng, (uint32_t)seeds->cnt)], &prog))
		return;
	if (fuzz_below(&rng, 10))
		fuzz_mutate(&rng, &prog, mutations, sizeof(mutations));
	try_program(o, stats, iteration, &rng, &prog, mutations, false);
	fuzz_prog_release(&prog);
	stats->iterations++;
}

static void run_seeds(const struct options *o, struct stats *stats, const struct fuzz_seeds *seeds)
{
	for (size_t i = 0; i < seeds->cnt; i++) {
		struct fuzz_rng rng;

		seed_rng(&rng, o->seed, ~(uint64_t)i);
		try_program(o, stats, ~(uint64_t)i, &rng, &seeds->progs[i], "", true);
	}
}

static void print_summary(const struct options *o, const struct stats *stats,
			  const struct fuzz_seeds *seeds)
{
	printf("fuzz_verifier: seed %llu: %zu seeds (%u objects and %u programs skipped); "
	       "unmutated seeds: %llu runs, %llu traps\n",
	       (unsigned long long)o->seed, seeds->cnt, seeds->objects_skipped,
	       seeds->progs_skipped, (unsigned long long)stats->seed_runs,
	       (unsigned long long)stats->seed_traps);
	printf("fuzz_verifier: %llu iterations, %llu accepted, %llu refused, %llu runs, "
	       "%llu traps\n",
	       (unsigned long long)stats->iterations, (unsigned long long)stats->accepted,
	       (unsigned long long)stats->refused, (unsigned long long)stats->runs,
	       (unsigned long long)stats->traps);
	printf("fuzz_verifier: valid generated programs: %llu, refused (incompleteness): %llu\n",
	       (unsigned long long)stats->generated_valid,
	       (unsigned long long)stats->generated_valid_refused);
	for (unsigned i = 0; i < stats->refusal_cnt; i++)
		printf("  refused: %s\n", stats->refusals[i]);
	if (o->kernel)
		printf("fuzz_verifier: the kernel refuses %llu of them (generator bugs)\n",
		       (unsigned long long)stats->generated_kernel_refused);
	for (unsigned i = 0; i < stats->kernel_refusal_cnt; i++)
		printf("  kernel refused: %s\n", stats->kernel_refusals[i]);
	printf("fuzz_verifier: %.1f s verifying, %.1f s running in checked mode; slowest:\n",
	       stats->verify_seconds, stats->run_seconds);
	for (unsigned i = 0; i < SLOWEST_KEPT && stats->slowest[i].insn_cnt; i++) {
		const struct slow_iteration *slow = &stats->slowest[i];

		printf("  iteration %llu (%s, %u insns): verify %.1f ms, runs %.1f ms\n",
		       (unsigned long long)slow->iteration, slow->source, slow->insn_cnt,
		       slow->verify_seconds * 1e3, slow->run_seconds * 1e3);
	}
	printf("fuzz_verifier: traps by class:\n");
	for (unsigned i = 0; i < stats->class_cnt; i++) {
		const struct trap_class *c = &stats->classes[i];

		printf("  %5u x %s (mutations: %s)", c->count, c->name, c->mutations);
		if (o->kernel)
			printf(" [kernel refuses %u, accepts %u%s%s]", c->kernel_refused,
			       c->kernel_accepted, c->kernel_accepted_example[0] ? ", e.g. " : "",
			       c->kernel_accepted_example);
		printf("\n");
	}
}

/* ---- replay ------------------------------------------------------------ */

static int replay(const char *path)
{
	struct fuzz_prog prog = { .type = BPF_PROG_TYPE_XDP };
	struct bpfvm_map *maps[16];
	struct bpfvm_prog *loaded = NULL;
	struct input in = { 0 };
	char line[4096];
	size_t text_len = 0, text_cap = 1 << 16;
	char *text = calloc(1, text_cap);
	FILE *file = fopen(path, "r");
	int err;

	if (!file || !text) {
		fprintf(stderr, "%s: cannot read\n", path);
		return 2;
	}
	while (fgets(line, sizeof(line), file)) {
		unsigned type, key, value, max, flags;
		unsigned long long seed;

		if (sscanf(line, "# type: %u", &type) == 1)
			prog.type = type;
		else if (sscanf(line, "# map: %u %u %u %u %u", &type, &key, &value, &max,
				&flags) == 5 && prog.map_cnt < 16) {
			struct bpfvm_map_create_opts opts = { .sz = sizeof(opts), .map_flags = flags };

			if (bpfvm_map_create(vm, type, "replay", key, value, max, &opts,
					     &maps[prog.map_cnt])) {
				fprintf(stderr, "%s: map type %u: %s\n", path, type, bpfvm_errmsg());
				return 2;
			}
			prog.map_cnt++;
		} else if (sscanf(line, "# input-seed: %llu", &seed) == 1)
			in.seed = seed;
		if (line[0] != '#' && text_len + strlen(line) < text_cap) {
			memcpy(text + text_len, line, strlen(line));
			text_len += strlen(line);
		}
	}
	fclose(file);
	prog.maps = maps;
	snprintf(prog.source, sizeof(prog.source), "%s", path);
	if (bpfvm_asm_parse(text, &prog.insns, &prog.insn_cnt)) {
		fprintf(stderr, "%s: %s\n", path, bpfvm_errmsg());
		return 2;
	}
	err = checked_load_insns(vm, "replay", prog.type, prog.insns, prog.insn_cnt, maps,
				 prog.map_cnt, true, &loaded);
	if (err) {
		printf("%s: refused by the verifier now: %s\n", path, bpfvm_errmsg());
		return 0;
	}
	checked_prog_set_budget(loaded, MUTANT_BUDGET);
	err = run_input(loaded, &prog, &in);
	printf("%s: %s\n", path, err == -EFAULT ? in.message : "accepted, and no trap");
	checked_prog_free(loaded);
	free(prog.insns);
	free(text);
	for (uint32_t i = 0; i < prog.map_cnt; i++)
		bpfvm_map_close(maps[i]);
	return err == -EFAULT ? 1 : 0;
}

/* ---- options ----------------------------------------------------------- */

static int parse_options(int argc, char **argv, struct options *o)
{
	*o = (struct options){ .seconds = 30, .seed = 1, .only = -1, .out = ".",
			       .max_reports = 3 };
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(arg, "--verbose") == 0 || strcmp(arg, "--kernel") == 0) {
			*(arg[2] == 'v' ? &o->verbose : &o->kernel) = true;
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
		else if (strcmp(arg, "--iteration") == 0)
			o->only = (int64_t)strtoull(value, NULL, 0);
		else if (strcmp(arg, "--objects") == 0 && o->object_dirs < 16)
			o->objects[o->object_dirs++] = value;
		else if (strcmp(arg, "--objects-under") == 0 && o->tree_cnt < 4)
			o->trees[o->tree_cnt++] = value;
		else if (strcmp(arg, "--asm") == 0 && o->asm_dir_cnt < 8)
			o->asm_dirs[o->asm_dir_cnt++] = value;
		else if (strcmp(arg, "--out") == 0)
			o->out = value;
		else if (strcmp(arg, "--max-reports") == 0)
			o->max_reports = (unsigned)atoi(value);
		else if (strcmp(arg, "--replay") == 0)
			o->replay = value;
		else
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	/* Every run is checked, and checked runs interpret: compiling each
	 * mutant for the JIT would only slow the search down. */
	struct bpfvm_opts vm_opts = { .sz = sizeof(vm_opts), .nr_cpus = 2,
				      .engine = BPFVM_ENGINE_INTERP };
	struct bpfvm_map *gen_maps[FUZZ_GEN_MAPS] = { NULL };
	static struct stats stats;
	struct fuzz_seeds seeds = { 0 };
	struct options o;
	double deadline;
	int status;

	if (parse_options(argc, argv, &o)) {
		fprintf(stderr, "usage: %s [--seconds N] [--seed S] [--iterations N] "
				"[--iteration I] [--objects DIR]... [--objects-under ROOT]... "
				"[--asm DIR]... [--out DIR] "
				"[--max-reports N] [--verbose] [--kernel] | --replay FILE\n", argv[0]);
		return 2;
	}
	/* vCPU 0 for every run: per-CPU values do not depend on which is free. */
	if (bpfvm_create(&vm_opts, &vm) || fuzz_gen_maps(vm, gen_maps) || bpfvm_cpu_bind(vm, 0)) {
		fprintf(stderr, "cannot create a runtime: %s\n", bpfvm_errmsg());
		return 2;
	}
	if (o.kernel && !fuzz_kernel_usable()) {
		printf("fuzz_verifier: bpf() is not usable: no kernel verdicts\n");
		o.kernel = false;
	}
	if (o.replay)
		return replay(o.replay);
	/* The seeds' own runs count against --seconds: the suite's bound is
	 * the test's wall time, whatever the number of objects in the tree. */
	deadline = now_seconds() + o.seconds;
	for (unsigned i = 0; i < o.object_dirs; i++)
		fuzz_seeds_add_objects(vm, &seeds, o.objects[i]);
	for (unsigned i = 0; i < o.tree_cnt; i++)
		fuzz_seeds_add_tree(vm, &seeds, o.trees[i]);
	for (unsigned i = 0; i < o.asm_dir_cnt; i++)
		fuzz_seeds_add_asm(&seeds, o.asm_dirs[i]);
	if (o.only < 0)
		run_seeds(&o, &stats, &seeds);
	for (uint64_t i = o.only < 0 ? 0 : (uint64_t)o.only;; i++) {
		if (o.only >= 0 && i > (uint64_t)o.only)
			break;
		if (o.only < 0 && ((o.iterations && i >= o.iterations) ||
				   (!o.iterations && now_seconds() > deadline)))
			break;
		iterate(&o, &stats, &seeds, gen_maps, i);
	}
	print_summary(&o, &stats, &seeds);
	status = stats.traps || stats.seed_traps ? 1 : 0;
	fuzz_seeds_release(&seeds);
	fuzz_kernel_release();
	bpfvm_cpu_unbind(vm);
	for (int i = 0; i < FUZZ_GEN_MAPS; i++)
		bpfvm_map_close(gen_maps[i]);
	bpfvm_destroy(vm);
	return status;
}
