/* One program set in the kernel and in both of bpfvm's engines (kdiff.h).
 *
 * Each side gets its own maps, made from the set's (which belong to the
 * mirror runtime): the interpreter's and the JIT's with bpfvm_map_create,
 * the kernel's with bpf(2), same type, sizes and flags. Before each input
 * every map of every runtime and the kernel's are filled from the input's
 * seed (emaps_fill, kdiff_kernel_map_fill), by the same operations; the
 * packet and the context come from the same seed. After the runs the kernel's result
 * and maps are compared with each engine's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "kdiff.h"
#include "verifier/checked_testlib.h"

#define ENGINES 2 /* KDIFF_INTERP, KDIFF_JIT: the runtimes that run */

static const char *const engine_names[ENGINES] = { "interp", "jit" };

struct loaded {
	const struct kdiff_set *set;
	uint32_t map_cnt;
	struct bpfvm_map *maps[KDIFF_RUNTIMES][KDIFF_MAPS_MAX]; /* the mirror's: the set's */
	struct kdiff_kmap kmaps[KDIFF_MAPS_MAX];
	struct bpfvm_prog *main[ENGINES], *targets[ENGINES][EGEN_TARGETS_MAX];
	int kmain, ktargets[EGEN_TARGETS_MAX];
	bool pooled; /* the maps came from a pool */
};

/* ---- helpers whose results differ ---------------------------------------- */

/* The clocks and bpf_get_prandom_u32 cannot return the same in the kernel
 * and in bpfvm; a constant in r0 keeps the rest of the program comparable
 * (the generators read no r1-r5 after a call, which it would clobber). */
unsigned kdiff_pin_helpers(struct bpf_insn *insns, size_t insn_cnt)
{
	static const int32_t ids[] = { BPF_FUNC_ktime_get_ns, BPF_FUNC_ktime_get_boot_ns,
				       BPF_FUNC_ktime_get_coarse_ns, BPF_FUNC_ktime_get_tai_ns,
				       BPF_FUNC_jiffies64, BPF_FUNC_get_prandom_u32 };
	unsigned n = 0;

	for (size_t i = 0; i < insn_cnt; i++) {
		struct bpf_insn *insn = &insns[i];

		if (insn->code != (BPF_JMP | BPF_CALL) || insn->src_reg)
			continue;
		for (size_t k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
			if (insn->imm != ids[k])
				continue;
			*insn = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K,
						   .dst_reg = 0, .imm = 0x5eed + (int32_t)k };
			n++;
		}
	}
	return n;
}

/* ---- loading --------------------------------------------------------------- */

/* The maps of each runtime and the kernel's, made like the set's (the
 * mirror's). With env->reuse_maps, they outlive the trial: a pool per set
 * of mirror maps (one per generator) keeps them, since making and freeing
 * them (mmap, munmap and their TLB flushes, BPF_MAP_CREATE) was most of a
 * trial's time. Every input fills them afresh, in every runtime alike, so a
 * later program sees them as an earlier input of the same program would.
 * A pool is also of one program type: the kernel's prog array takes the
 * type of the first program that uses it and refuses others (-EINVAL). */
#define POOLS 3 /* the engines' generator's XDP and tc, the verifier's XDP */

struct pool {
	struct bpfvm_map *like[KDIFF_MAPS_MAX]; /* the mirror's and the type: the key */
	enum bpf_prog_type type;
	uint32_t map_cnt;
	struct bpfvm_map *maps[ENGINES][KDIFF_MAPS_MAX];
	struct kdiff_kmap kmaps[KDIFF_MAPS_MAX];
};

static struct pool pools[POOLS];

static void close_maps(struct bpfvm_map *maps[ENGINES][KDIFF_MAPS_MAX], struct kdiff_kmap *kmaps,
		       uint32_t map_cnt)
{
	for (uint32_t i = 0; i < map_cnt; i++) {
		for (int e = 0; e < ENGINES; e++)
			bpfvm_map_close(maps[e][i]);
		kdiff_kernel_map_close(&kmaps[i]);
	}
}

static void pool_release(struct pool *pool)
{
	close_maps(pool->maps, pool->kmaps, pool->map_cnt);
	memset(pool, 0, sizeof(*pool));
}

void kdiff_trial_release_maps(void)
{
	for (int p = 0; p < POOLS; p++)
		pool_release(&pools[p]);
}

static struct pool *pool_of(struct loaded *l)
{
	for (int p = 0; p < POOLS; p++)
		if (pools[p].map_cnt == l->map_cnt && pools[p].type == l->set->type &&
		    !memcmp(pools[p].like, l->maps[KDIFF_MIRROR], l->map_cnt * sizeof(void *)))
			return &pools[p];
	return NULL;
}

static int create_maps(struct kdiff_env *env, struct loaded *l)
{
	const struct fuzz_prog *main = &l->set->main;
	struct pool *pool;

	l->map_cnt = main->map_cnt < KDIFF_MAPS_MAX ? main->map_cnt : KDIFF_MAPS_MAX;
	for (uint32_t i = 0; i < l->map_cnt; i++)
		l->maps[KDIFF_MIRROR][i] = main->maps[i];
	pool = env->reuse_maps ? pool_of(l) : NULL;
	if (pool) {
		memcpy(l->maps, pool->maps, sizeof(pool->maps));
		memcpy(l->kmaps, pool->kmaps, sizeof(pool->kmaps));
		l->pooled = true;
		return 0;
	}
	for (uint32_t i = 0; i < l->map_cnt; i++) {
		struct bpfvm_map *like = main->maps[i];
		struct bpfvm_map_info info;
		int err;

		bpfvm_map_get_info(like, &info);
		for (int e = 0; e < ENGINES; e++) {
			struct bpfvm_map_create_opts opts = { .sz = sizeof(opts),
							      .map_flags = info.map_flags };

			err = bpfvm_map_create(env->vm[e], info.type, "kdiff", info.key_size,
					       info.value_size, info.max_entries, &opts,
					       &l->maps[e][i]);
			if (err)
				return err;
		}
		err = kdiff_kernel_map_create(like, &l->kmaps[i]);
		if (err)
			return err;
	}
	return 0;
}

/* Into a free pool (the oldest's maps closed if none is), to be reused by
 * the next trial of the same mirror maps; empties the prog array's slots,
 * whose programs the trial frees. */
static void pool_keep(struct loaded *l)
{
	static int next;
	const struct kdiff_set *set = l->set;
	struct pool *pool = pool_of(l);

	if (!pool) {
		pool = &pools[next];
		next = (next + 1) % POOLS;
		pool_release(pool);
		pool->map_cnt = l->map_cnt;
		pool->type = l->set->type;
		memcpy(pool->like, l->maps[KDIFF_MIRROR], sizeof(pool->like));
		memcpy(pool->maps, l->maps, sizeof(pool->maps));
		memcpy(pool->kmaps, l->kmaps, sizeof(pool->kmaps));
	}
	for (uint32_t i = 0; set->prog_array >= 0 && i < set->target_cnt; i++) {
		for (int e = 0; e < ENGINES; e++)
			bpfvm_map_delete(l->maps[e][set->prog_array], &i);
		bpf_map_delete_elem(l->kmaps[set->prog_array].fd, &i);
	}
}

/* One program in both engines and the kernel; whether each accepts it. */
static void load_one(struct kdiff_env *env, struct loaded *l, const struct fuzz_prog *prog,
		     struct bpfvm_prog *out[ENGINES], int *kernel_fd, bool accepted[3],
		     char *reason, size_t size)
{
	char kernel_reason[256];

	for (int e = 0; e < ENGINES; e++) {
		accepted[e] = checked_load_insns(env->vm[e], "kdiff", l->set->type, prog->insns,
						 prog->insn_cnt, l->maps[e], l->map_cnt, true,
						 &out[e]) == 0;
		if (!accepted[e] && e == KDIFF_INTERP)
			snprintf(reason, size, "bpfvm: %s", bpfvm_errmsg());
	}
	*kernel_fd = kdiff_kernel_load(l->set->type, prog->insns, prog->insn_cnt, l->kmaps,
				       l->map_cnt, kernel_reason, sizeof(kernel_reason));
	accepted[2] = *kernel_fd >= 0;
	if (!accepted[2])
		snprintf(reason, size, "kernel: %s", kernel_reason);
}

/* The kernel's verifier reports its own inconsistencies as "verifier bug"
 * (verifier_bug() in kernel/bpf/verifier.c): a refusal that says nothing
 * of the program. */
static enum kdiff_verdict verdict_of(const bool accepted[3], const char *reason)
{
	if (!accepted[2] && strstr(reason, "kernel: verifier bug"))
		return KDIFF_KERNEL_BUG;
	if (accepted[KDIFF_INTERP] != accepted[KDIFF_JIT])
		return KDIFF_ENGINES_DISAGREE;
	if (accepted[KDIFF_INTERP] == accepted[2])
		return accepted[2] ? KDIFF_BOTH_ACCEPT : KDIFF_BOTH_REFUSE;
	return accepted[2] ? KDIFF_ONLY_KERNEL_ACCEPTS : KDIFF_ONLY_BPFVM_ACCEPTS;
}

/* The targets into their slots (those all accept), then the main program:
 * the set's verdict is the first that is not shared, else the main's. */
static enum kdiff_verdict load_set(struct kdiff_env *env, struct loaded *l, char *reason,
				   size_t size, int *culprit)
{
	const struct kdiff_set *set = l->set;
	enum kdiff_verdict verdict;
	bool accepted[3];

	for (uint32_t i = 0; i < set->target_cnt; i++) {
		struct bpfvm_prog *progs[ENGINES] = { NULL };

		load_one(env, l, &set->targets[i], progs, &l->ktargets[i], accepted, reason,
			 size);
		for (int e = 0; e < ENGINES; e++)
			l->targets[e][i] = progs[e];
		verdict = verdict_of(accepted, reason);
		*culprit = (int)i;
		if (verdict != KDIFF_BOTH_ACCEPT && verdict != KDIFF_BOTH_REFUSE)
			return verdict;
		if (verdict == KDIFF_BOTH_REFUSE || set->prog_array < 0)
			continue;
		for (int e = 0; e < ENGINES; e++) {
			uint32_t id = checked_prog_id(progs[e]);

			bpfvm_map_update(l->maps[e][set->prog_array], &i, &id, BPF_ANY);
		}
		bpf_map_update_elem(l->kmaps[set->prog_array].fd, &i, &l->ktargets[i], BPF_ANY);
	}
	reason[0] = '\0';
	load_one(env, l, &set->main, l->main, &l->kmain, accepted, reason, size);
	*culprit = -1;
	return verdict_of(accepted, reason);
}

/* The programs freed; the maps kept for the next trial if they may be
 * (not after a mismatch: the sides' contents then differ). */
static void unload(struct loaded *l, bool keep_maps)
{
	struct pool *pool;

	for (int e = 0; e < ENGINES; e++) {
		checked_prog_free(l->main[e]);
		for (int i = 0; i < EGEN_TARGETS_MAX; i++)
			checked_prog_free(l->targets[e][i]);
	}
	if (l->kmain >= 0)
		close(l->kmain);
	for (int i = 0; i < EGEN_TARGETS_MAX; i++)
		if (l->ktargets[i] >= 0)
			close(l->ktargets[i]);
	if (keep_maps) {
		pool_keep(l);
		return;
	}
	pool = l->pooled ? pool_of(l) : NULL;
	if (pool)
		memset(pool, 0, sizeof(*pool)); /* its maps are closed below */
	close_maps(l->maps, l->kmaps, l->map_cnt);
}

/* ---- one input --------------------------------------------------------------- */

/* Whether the kernel's maps hold the mirror's contents after the fill
 * (queues, stacks and ring buffers, which reading drains, are not read). */
static bool filled_alike(struct loaded *l, char *why, size_t size)
{
	for (uint32_t i = 0; i < l->map_cnt; i++) {
		uint32_t type = l->kmaps[i].info.type;
		struct kdiff_snapshot *k, *v;
		char where[512];
		bool equal;

		if (!emaps_is_hash(type) && type != BPF_MAP_TYPE_ARRAY &&
		    type != BPF_MAP_TYPE_PERCPU_ARRAY)
			continue;
		k = kdiff_snapshot_kernel(&l->kmaps[i]);
		v = kdiff_snapshot_vm(l->maps[KDIFF_MIRROR][i]);
		equal = kdiff_snapshots_equal(k, v, where, sizeof(where));
		kdiff_snapshot_free(k);
		kdiff_snapshot_free(v);
		if (!equal) {
			snprintf(why, size, "filled differently: map %u (type %u): %s", i, type,
				 where);
			return false;
		}
	}
	return true;
}

/* Every map of every runtime, and the kernel's, filled from the seed; the
 * input (the same from each runtime's generator). */
static bool prepare(struct loaded *l, uint64_t seed, struct kdiff_input *in, char *why,
		    size_t size)
{
	struct fuzz_rng rng = { seed };

	for (uint32_t i = 0; i < l->map_cnt; i++) {
		int err = kdiff_kernel_map_fill(&rng, &l->kmaps[i]);

		if (err) {
			snprintf(why, size, "map %u: the kernel's not filled: %d", i, err);
			return false;
		}
	}
	for (int e = 0; e < KDIFF_RUNTIMES; e++) {
		rng.state = seed;
		for (uint32_t i = 0; i < l->map_cnt; i++)
			emaps_fill(&rng, l->maps[e][i]);
		kdiff_make_input(&rng, l->set->type, in);
	}
	in->seed = seed;
	return filled_alike(l, why, size);
}

static bool maps_equal(struct loaded *l, char *why, size_t size)
{
	bool equal = true;

	for (uint32_t i = 0; i < l->map_cnt; i++) {
		struct kdiff_snapshot *k = kdiff_snapshot_kernel(&l->kmaps[i]);

		for (int e = 0; e < ENGINES; e++) {
			struct kdiff_snapshot *v = kdiff_snapshot_vm(l->maps[e][i]);
			char where[512];

			if (equal && !kdiff_snapshots_equal(k, v, where, sizeof(where))) {
				snprintf(why, size, "%s: map %u (type %u): %s", engine_names[e], i,
					 l->kmaps[i].info.type, where);
				equal = false;
			}
			kdiff_snapshot_free(v);
		}
		kdiff_snapshot_free(k);
	}
	return equal;
}

/* Runs the input in the kernel and both engines; false on a mismatch. */
static bool compare_input(struct loaded *l, uint64_t seed, struct kdiff_outcome *out)
{
	static struct kdiff_input in;
	static struct kdiff_result kernel, vm[ENGINES];
	char why[768];

	if (!prepare(l, seed, &in, out->why, sizeof(out->why)))
		return false;
	kdiff_kernel_run(l->kmain, &in, &kernel);
	for (int e = 0; e < ENGINES; e++) {
		kdiff_bpfvm_run(l->main[e], &in, &vm[e]);
		if (!kdiff_results_equal(&kernel, &vm[e], why, sizeof(why))) {
			snprintf(out->why, sizeof(out->why), "%s: %s", engine_names[e], why);
			maps_equal(l, why, sizeof(why)); /* drained for the next input */
			out->engines_differ += !kdiff_results_equal(&vm[0], &vm[1], why, sizeof(why));
			return false;
		}
	}
	return maps_equal(l, out->why, sizeof(out->why));
}

void kdiff_trial(struct kdiff_env *env, const struct kdiff_set *set, const uint64_t *input_seeds,
		 unsigned inputs, struct kdiff_outcome *out)
{
	static struct loaded l;

	memset(out, 0, sizeof(*out));
	memset(&l, 0, sizeof(l));
	l.set = set;
	l.kmain = -1;
	for (int i = 0; i < EGEN_TARGETS_MAX; i++)
		l.ktargets[i] = -1;
	for (uint32_t i = 0; i < KDIFF_MAPS_MAX; i++)
		l.kmaps[i].fd = -1;
	if (create_maps(env, &l)) {
		out->verdict = KDIFF_BOTH_REFUSE;
		snprintf(out->reason, sizeof(out->reason), "maps not created: %s",
			 strerror(errno));
		unload(&l, false);
		return;
	}
	out->verdict = load_set(env, &l, out->reason, sizeof(out->reason), &out->culprit);
	for (unsigned k = 0; out->verdict == KDIFF_BOTH_ACCEPT && k < inputs && k < 8; k++) {
		out->inputs_compared++;
		out->input_seeds[out->input_cnt++] = input_seeds[k];
		if (compare_input(&l, input_seeds[k], out))
			continue;
		out->mismatch = true;
		break;
	}
	unload(&l, env->reuse_maps && !out->mismatch && out->verdict != KDIFF_ENGINES_DISAGREE);
}
