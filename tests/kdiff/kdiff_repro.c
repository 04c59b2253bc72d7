/* Reproducers of kernel mismatches (kdiff.h): the set in the assembler's
 * syntax and the input's seed,
 *
 *     # bpfvm kernel differential reproducer: kdiff --replay THIS_FILE
 *     # type: 6                 the program type
 *     # maps: engines           the generator's maps: engines or verifier
 *     # input-seeds: 12 34      the maps' contents and the packets, run in turn
 *     # target: 0               a tail-call target (prog array slot 0),
 *     #| r0 = 0                 its instructions
 *     r6 = r1                   the main program
 *     ...
 *
 * minimised (kdiff_shrink.c: instructions deleted or made no-ops, constants
 * shrunk) while the mismatch stays the same, and replayed by
 * tests/kdiff/regressions.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>

#include "kdiff.h"

/* ---- writing ------------------------------------------------------------- */

static void write_text(FILE *out, const char *prefix, const char *text)
{
	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n');
		int len = end ? (int)(end - line) : (int)strlen(line);

		fprintf(out, "%s%.*s\n", prefix, len, line);
		line = end ? end + 1 : line + len;
	}
}

static void write_prog(FILE *out, const char *prefix, const struct fuzz_prog *prog)
{
	char *text = bpfvm_disasm_prog(prog->insns, prog->insn_cnt);

	write_text(out, prefix, text);
	free(text);
}

static const char *const verdict_names[] = {
	[KDIFF_BOTH_REFUSE] = "both refuse",
	[KDIFF_BOTH_ACCEPT] = "both accept",
	[KDIFF_ONLY_KERNEL_ACCEPTS] = "only the kernel accepts",
	[KDIFF_ONLY_BPFVM_ACCEPTS] = "only bpfvm accepts",
	[KDIFF_ENGINES_DISAGREE] = "bpfvm's engines disagree",
	[KDIFF_KERNEL_BUG] = "the kernel's verifier fails (its own bug)",
};

const char *kdiff_verdict_name(enum kdiff_verdict verdict)
{
	return verdict_names[verdict];
}

int kdiff_repro_write(const char *path, const struct kdiff_set *set,
		      const struct kdiff_outcome *outcome, const char *origin)
{
	FILE *out = fopen(path, "w");

	if (!out)
		return -1;
	fprintf(out, "# bpfvm kernel differential reproducer: kdiff --replay THIS_FILE\n");
	fprintf(out, "# origin: %s (%s)\n", origin, set->source);
	fprintf(out, "# type: %u\n", (unsigned)set->type);
	fprintf(out, "# maps: %s\n", set->prog_array >= 0 ? "engines" : "verifier");
	fprintf(out, "# input-seeds:");
	for (unsigned i = 0; i < outcome->input_cnt; i++)
		fprintf(out, " %" PRIu64, outcome->input_seeds[i]);
	fprintf(out, "\n");
	fprintf(out, "# verdict: %s%s%s\n", verdict_names[outcome->verdict],
		outcome->reason[0] ? ": " : "", outcome->reason);
	if (outcome->culprit >= 0)
		fprintf(out, "# of target %d\n", outcome->culprit);
	if (outcome->mismatch)
		fprintf(out, "# difference: %s\n", outcome->why);
	for (uint32_t i = 0; i < set->target_cnt; i++) {
		fprintf(out, "# target: %u\n", i);
		write_prog(out, "#| ", &set->targets[i]);
	}
	write_prog(out, "", &set->main);
	fclose(out);
	return 0;
}

/* ---- minimising ----------------------------------------------------------- */

/* Word for word: a looser test lets a minimised program drift into another
 * mismatch, such as reading stack it no longer writes. */
bool kdiff_same_mismatch(const struct kdiff_outcome *a, const struct kdiff_outcome *b)
{
	if (a->verdict != b->verdict || a->mismatch != b->mismatch)
		return false;
	return !a->mismatch || strcmp(a->why, b->why) == 0;
}

struct still_ctx {
	struct kdiff_env *env;
	const struct kdiff_set *set;
	const struct kdiff_outcome *outcome;
};

/* The set still mismatches the kernel in the same words, on fresh maps. */
static bool still_mismatches(void *ctx)
{
	static struct kdiff_outcome again;
	struct still_ctx *c = ctx;

	kdiff_trial(c->env, c->set, c->outcome->input_seeds, c->outcome->input_cnt, &again);
	return kdiff_same_mismatch(c->outcome, &again);
}

unsigned kdiff_repro_minimise(struct kdiff_env *env, struct kdiff_set *set,
			      const struct kdiff_outcome *outcome)
{
	struct fuzz_prog *culprit = outcome->culprit < 0 ? &set->main
							 : &set->targets[outcome->culprit];
	struct still_ctx ctx = { env, set, outcome };

	return kdiff_shrink(culprit, still_mismatches, &ctx);
}

/* ---- replaying ----------------------------------------------------------- */

struct repro {
	struct kdiff_set set;
	char *main_text, *target_text[EGEN_TARGETS_MAX];
	char maps[32];
	uint64_t input_seeds[8];
	unsigned input_cnt;
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

static void parse_seeds(const char *text, struct repro *r)
{
	char *end;

	for (r->input_cnt = 0; r->input_cnt < 8; r->input_cnt++) {
		unsigned long long seed = strtoull(text, &end, 10);

		if (end == text)
			break;
		r->input_seeds[r->input_cnt] = seed;
		text = end;
	}
}

static int parse(const char *path, struct repro *r)
{
	FILE *file = fopen(path, "r");
	char line[4096];
	int target = -1;

	if (!file)
		return -1;
	r->set.type = BPF_PROG_TYPE_XDP;
	while (fgets(line, sizeof(line), file)) {
		unsigned type;

		if (sscanf(line, "# type: %u", &type) == 1)
			r->set.type = type;
		else if (sscanf(line, "# maps: %31s", r->maps) == 1)
			continue;
		else if (strncmp(line, "# input-seeds:", 14) == 0)
			parse_seeds(line + 14, r);
		else if (sscanf(line, "# target: %d", &target) == 1 && target >= 0 &&
			 target < EGEN_TARGETS_MAX)
			r->set.target_cnt = (uint32_t)target + 1;
		else if (strncmp(line, "#| ", 3) == 0 && target >= 0 && target < EGEN_TARGETS_MAX)
			append(&r->target_text[target], line + 3);
		else if (line[0] != '#')
			append(&r->main_text, line);
	}
	fclose(file);
	if (!r->main_text || bpfvm_asm_parse(r->main_text, &r->set.main.insns,
					     &r->set.main.insn_cnt))
		return -1;
	for (uint32_t i = 0; i < r->set.target_cnt; i++)
		if (!r->target_text[i] || bpfvm_asm_parse(r->target_text[i],
							  &r->set.targets[i].insns,
							  &r->set.targets[i].insn_cnt))
			return -1;
	return 0;
}

static void release(struct repro *r, struct bpfvm_map **maps, uint32_t map_cnt)
{
	free(r->main_text);
	free(r->set.main.insns);
	for (int i = 0; i < EGEN_TARGETS_MAX; i++) {
		free(r->target_text[i]);
		free(r->set.targets[i].insns);
	}
	for (uint32_t i = 0; i < map_cnt; i++)
		bpfvm_map_close(maps[i]);
}

int kdiff_repro_replay(struct kdiff_env *env, const char *path, bool verbose)
{
	static struct repro r;
	static struct kdiff_outcome outcome;
	struct bpfvm_map *maps[KDIFF_MAPS_MAX] = { NULL };
	uint32_t map_cnt;
	int status;

	memset(&r, 0, sizeof(r));
	if (parse(path, &r)) {
		fprintf(stderr, "%s: cannot read or assemble: %s\n", path, bpfvm_errmsg());
		release(&r, maps, 0);
		return 2;
	}
	if (strcmp(r.maps, "verifier") == 0) {
		map_cnt = FUZZ_GEN_MAPS;
		r.set.prog_array = -1;
		status = fuzz_gen_maps(env->vm[KDIFF_MIRROR], maps);
	} else {
		map_cnt = EGEN_MAPS;
		r.set.prog_array = EGEN_PROG_ARRAY;
		status = egen_maps(env->vm[KDIFF_MIRROR], maps);
	}
	if (status) {
		fprintf(stderr, "%s: maps: %s\n", path, bpfvm_errmsg());
		release(&r, maps, 0);
		return 2;
	}
	r.set.main.maps = maps;
	r.set.main.map_cnt = map_cnt;
	snprintf(r.set.source, sizeof(r.set.source), "%s", path);
	kdiff_trial(env, &r.set, r.input_seeds, r.input_cnt, &outcome);
	status = outcome.mismatch || (outcome.verdict != KDIFF_BOTH_ACCEPT &&
				      outcome.verdict != KDIFF_BOTH_REFUSE &&
				      outcome.verdict != KDIFF_KERNEL_BUG);
	printf("%s: %s%s%s\n", path, verdict_names[outcome.verdict],
	       outcome.mismatch ? ", runs differ: " : (outcome.reason[0] ? ": " : ", runs agree"),
	       outcome.mismatch ? outcome.why : outcome.reason);
	if (verbose && outcome.reason[0])
		printf("  reason: %s\n", outcome.reason);
	release(&r, maps, map_cnt);
	return status;
}
