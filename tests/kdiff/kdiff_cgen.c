/* Programs as C (kdiff.h, issue 8 item 2): a random program written as a
 * user writes one, compiled by clang with libbpf's bpf_helpers.h, opened by
 * libbpf into the kernel and by bpfvm_object_open into both engines, run on
 * the same inputs and compared. The loaders see a real object: BTF-defined
 * maps, relocations, several programs, a prog array filled from user space.
 *
 *     maps    arr   ARRAY       u32 -> u64[4], 4 entries
 *             hash  HASH        u32 -> u64[2], 8 entries, zero seed
 *             lru   LRU_HASH    u32 -> u64[2], 4 entries
 *             progs PROG_ARRAY  2 slots: t0, t1
 *     main    acc = seed; statements; arr[3][3] = acc; return acc
 *     t0, t1  the same, fewer statements
 *
 * Statements: arithmetic on unsigned values (no undefined behaviour for
 * clang to exploit), bounded loops, lookups with NULL checks, updates and
 * deletes, packet reads and writes behind bounds checks, tail calls, and
 * if/else around any of them.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "kdiff.h"

#define INPUTS 3
#define TARGETS 2

static const char *const map_names[] = { "arr", "hash", "lru", "progs" };
#define MAP_CNT (sizeof(map_names) / sizeof(map_names[0]))

struct source {
	char *text;
	size_t len, cap;
	struct fuzz_rng *rng;
	bool xdp;
	unsigned depth;
};

static void put(struct source *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct source *s, const char *fmt, ...)
{
	va_list args;
	int n;

	for (;;) {
		va_start(args, fmt);
		n = vsnprintf(s->text + s->len, s->cap - s->len, fmt, args);
		va_end(args);
		if (n >= 0 && (size_t)n < s->cap - s->len)
			break;
		s->cap = s->cap * 2 + (size_t)n + 64;
		s->text = realloc(s->text, s->cap);
		if (!s->text)
			abort();
	}
	s->len += (size_t)n;
}

static uint32_t below(struct source *s, uint32_t n)
{
	return fuzz_below(s->rng, n);
}

static void indent(struct source *s)
{
	for (unsigned i = 0; i < s->depth + 1; i++)
		put(s, "\t");
}

/* ---- statements --------------------------------------------------------- */

static void statement(struct source *s, bool tail_calls);

static void arithmetic(struct source *s)
{
	/* a constant (1 to 1000), then a shift or another constant (1 to 63) */
	static const char *const forms[] = {
		"acc = acc * %uu + (acc >> %u);",   "acc ^= (acc + %uu) << %u;",
		"acc += (acc %% %uu) * %u;",	     "acc = (acc | %uu) - (acc & %u);",
		"acc = (__u32)acc * %uu + %u;",	     "acc ^= __builtin_bswap64(acc) + %u * %u;",
		"if (acc & 0xff) acc = (acc * %u) / (acc & 0xff) + %u;",
		"acc = ((acc + %uu) >> %u) | (acc << 1);",
	};
	unsigned form = below(s, sizeof(forms) / sizeof(forms[0]));

	indent(s);
	put(s, forms[form], 1 + below(s, 1000), 1 + below(s, 63));
	put(s, "\n");
}

static void loop(struct source *s)
{
	indent(s);
	put(s, "for (__u32 i = 0; i < %u; i++)\n", 1 + below(s, 16));
	indent(s);
	put(s, "\tacc = acc * 31 + i + %u;\n", below(s, 100));
}

static void lookup(struct source *s)
{
	bool arr = below(s, 2);
	unsigned slots = arr ? 4 : 2;

	indent(s);
	put(s, "{\n");
	s->depth++;
	indent(s);
	put(s, "__u32 key = acc & %u;\n", arr ? 3 : 7);
	indent(s);
	put(s, "__u64 *v = bpf_map_lookup_elem(&%s, &key);\n",
	    arr ? "arr" : (below(s, 2) ? "hash" : "lru"));
	indent(s);
	put(s, "if (v) {\n");
	indent(s);
	put(s, "\tacc += v[%u];\n", below(s, slots));
	indent(s);
	put(s, "\tv[%u] = acc;\n", below(s, slots));
	indent(s);
	put(s, "}\n");
	s->depth--;
	indent(s);
	put(s, "}\n");
}

static void update(struct source *s)
{
	const char *map = below(s, 2) ? "hash" : "lru";

	indent(s);
	put(s, "{\n");
	s->depth++;
	indent(s);
	put(s, "__u32 key = acc & 7;\n");
	indent(s);
	put(s, "__u64 val[2] = { acc, %u };\n", below(s, 1000));
	indent(s);
	if (below(s, 4) == 0)
		put(s, "acc += bpf_map_delete_elem(&%s, &key);\n", map);
	else
		put(s, "acc += bpf_map_update_elem(&%s, &key, val, %u);\n", map, below(s, 3));
	s->depth--;
	indent(s);
	put(s, "}\n");
}

static void packet(struct source *s)
{
	unsigned off = below(s, 64);

	indent(s);
	put(s, "if (data + %u < data_end) ", off);
	if (below(s, 2))
		put(s, "acc += ((__u8 *)data)[%u];\n", off);
	else
		put(s, "((__u8 *)data)[%u] = (__u8)acc;\n", off);
}

static void parse(struct source *s)
{
	indent(s);
	put(s, "if (data + 14 <= data_end) {\n");
	indent(s);
	put(s, "\t__u16 proto = ((__u16 *)data)[6];\n");
	indent(s);
	put(s, "\tacc += proto == %u ? %u : proto;\n", below(s, 2) ? 8 : 0xdd86u, below(s, 50));
	indent(s);
	put(s, "}\n");
}

static void tail_call(struct source *s)
{
	indent(s);
	put(s, "bpf_tail_call(ctx, &progs, %s);\n", below(s, 2) ? "acc & 3" : "0");
}

static void branch(struct source *s, bool tail_calls)
{
	indent(s);
	put(s, "if (acc & %u) {\n", 1u << below(s, 16));
	s->depth++;
	statement(s, tail_calls);
	s->depth--;
	indent(s);
	put(s, "} else {\n");
	s->depth++;
	statement(s, tail_calls);
	s->depth--;
	indent(s);
	put(s, "}\n");
}

static void statement(struct source *s, bool tail_calls)
{
	switch (below(s, s->depth < 2 ? 9 : 8)) {
	case 0: case 1: arithmetic(s); break;
	case 2: loop(s); break;
	case 3: lookup(s); break;
	case 4: update(s); break;
	case 5: packet(s); break;
	case 6: parse(s); break;
	case 7:
		if (tail_calls)
			tail_call(s);
		else
			arithmetic(s);
		break;
	default: branch(s, tail_calls); break;
	}
}

/* ---- the object --------------------------------------------------------- */

static void prologue(struct source *s)
{
	put(s, "// SPDX-License-Identifier: GPL-2.0\n"
	       "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n\n"
	       "struct {\n\t__uint(type, BPF_MAP_TYPE_ARRAY);\n\t__uint(max_entries, 4);\n"
	       "\t__type(key, __u32);\n\t__type(value, __u64[4]);\n} arr SEC(\".maps\");\n"
	       "struct {\n\t__uint(type, BPF_MAP_TYPE_HASH);\n\t__uint(max_entries, 8);\n"
	       "\t__uint(map_flags, BPF_F_ZERO_SEED);\n"
	       "\t__type(key, __u32);\n\t__type(value, __u64[2]);\n} hash SEC(\".maps\");\n"
	       "struct {\n\t__uint(type, BPF_MAP_TYPE_LRU_HASH);\n\t__uint(max_entries, 4);\n"
	       "\t__uint(map_flags, BPF_F_ZERO_SEED);\n"
	       "\t__type(key, __u32);\n\t__type(value, __u64[2]);\n} lru SEC(\".maps\");\n"
	       "struct {\n\t__uint(type, BPF_MAP_TYPE_PROG_ARRAY);\n\t__uint(max_entries, %u);\n"
	       "\t__type(key, __u32);\n\t__type(value, __u32);\n} progs SEC(\".maps\");\n\n",
	    TARGETS);
}

static void function(struct source *s, const char *name, unsigned statements, bool tail_calls)
{
	put(s, "SEC(\"%s\")\nint %s(%s *ctx)\n{\n", s->xdp ? "xdp" : "tc", name,
	    s->xdp ? "struct xdp_md" : "struct __sk_buff");
	put(s, "\tvoid *data = (void *)(long)ctx->data;\n"
	       "\tvoid *data_end = (void *)(long)ctx->data_end;\n"
	       "\t__u64 acc = %" PRIu64 "ull;\n", fuzz_next(s->rng) >> below(s, 64));
	for (unsigned i = 0; i < statements; i++)
		statement(s, tail_calls);
	put(s, "\t{\n\t\t__u32 key = 3;\n\t\t__u64 *v = bpf_map_lookup_elem(&arr, &key);\n\n"
	       "\t\tif (v)\n\t\t\tv[3] = acc;\n\t}\n\treturn (int)acc;\n}\n\n");
}

static char *generate(struct fuzz_rng *rng, bool xdp)
{
	struct source s = { .rng = rng, .xdp = xdp, .cap = 4096, .text = malloc(4096) };

	if (!s.text)
		abort();
	prologue(&s);
	for (unsigned i = 0; i < TARGETS; i++) {
		char name[8];

		snprintf(name, sizeof(name), "t%u", i);
		function(&s, name, 1 + below(&s, 4), i == 0);
	}
	function(&s, "main_prog", 2 + below(&s, 12), true);
	put(&s, "char LICENSE[] SEC(\"license\") = \"GPL\";\n");
	return s.text;
}

static int compile(const char *clang, const char *include_dir, const char *src,
		   const char *obj)
{
	char command[4096];

	snprintf(command, sizeof(command),
		 "%s -O2 -g -target bpf -D__TARGET_ARCH_x86 -I%s -c %s -o %s 2>/dev/null", clang,
		 include_dir ? include_dir : "/usr/include", src, obj);
	return system(command) == 0 ? 0 : -1;
}

/* ---- loading and running ------------------------------------------------- */

struct c_trial {
	struct bpf_object *kobj;
	struct bpfvm_object *obj[2];
	struct kdiff_kmap kmaps[MAP_CNT];
	struct bpfvm_map *maps[2][MAP_CNT];
	struct bpfvm_prog *main[2];
	int kmain;
};

static int load_kernel(struct c_trial *t, const char *path)
{
	t->kobj = bpf_object__open_file(path, NULL);
	if (!t->kobj || bpf_object__load(t->kobj))
		return -1;
	for (size_t i = 0; i < MAP_CNT; i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(t->kobj, map_names[i]);

		if (!map)
			return -1;
		t->kmaps[i].fd = bpf_map__fd(map);
		t->kmaps[i].info = (struct bpfvm_map_info){
			.type = bpf_map__type(map), .key_size = bpf_map__key_size(map),
			.value_size = bpf_map__value_size(map),
			.max_entries = bpf_map__max_entries(map) };
	}
	for (uint32_t i = 0; i < TARGETS; i++) {
		char name[8];
		int fd;

		snprintf(name, sizeof(name), "t%u", i);
		fd = bpf_program__fd(bpf_object__find_program_by_name(t->kobj, name));
		bpf_map_update_elem(t->kmaps[MAP_CNT - 1].fd, &i, &fd, BPF_ANY);
	}
	t->kmain = bpf_program__fd(bpf_object__find_program_by_name(t->kobj, "main_prog"));
	return t->kmain >= 0 ? 0 : -1;
}

static int load_bpfvm(struct kdiff_env *env, struct c_trial *t, int e, const char *path)
{
	if (bpfvm_object_open(env->vm[e], path, NULL, &t->obj[e]) ||
	    bpfvm_object_load(t->obj[e]))
		return -1;
	for (size_t i = 0; i < MAP_CNT; i++) {
		t->maps[e][i] = bpfvm_object_find_map(t->obj[e], map_names[i]);
		if (!t->maps[e][i])
			return -1;
	}
	for (uint32_t i = 0; i < TARGETS; i++) {
		char name[8];
		uint32_t id;

		snprintf(name, sizeof(name), "t%u", i);
		id = bpfvm_prog_id(bpfvm_object_find_prog(t->obj[e], name));
		bpfvm_map_update(t->maps[e][MAP_CNT - 1], &i, &id, BPF_ANY);
	}
	t->main[e] = bpfvm_object_find_prog(t->obj[e], "main_prog");
	return t->main[e] ? 0 : -1;
}

static bool maps_equal(struct c_trial *t, char *why, size_t size)
{
	bool equal = true;

	for (size_t i = 0; i < MAP_CNT - 1; i++) {
		struct kdiff_snapshot *k = kdiff_snapshot_kernel(&t->kmaps[i]);

		for (int e = 0; e < 2; e++) {
			struct kdiff_snapshot *v = kdiff_snapshot_vm(t->maps[e][i]);
			char where[512];

			if (equal && !kdiff_snapshots_equal(k, v, where, sizeof(where))) {
				snprintf(why, size, "engine %d: map %s: %s", e, map_names[i], where);
				equal = false;
			}
			kdiff_snapshot_free(v);
		}
		kdiff_snapshot_free(k);
	}
	return equal;
}

/* One input in the kernel and both engines: false on a mismatch. */
static bool compare_input(struct c_trial *t, uint64_t seed, bool xdp, char *why, size_t size)
{
	static struct kdiff_input in;
	static struct kdiff_result kernel, vm;
	struct fuzz_rng rng = { seed };
	enum bpf_prog_type type = xdp ? BPF_PROG_TYPE_XDP : BPF_PROG_TYPE_SCHED_CLS;

	for (size_t i = 0; i < MAP_CNT; i++)
		kdiff_kernel_map_fill(&rng, &t->kmaps[i]);
	for (int e = 0; e < 2; e++) {
		rng.state = seed;
		for (size_t i = 0; i < MAP_CNT; i++)
			emaps_fill(&rng, t->maps[e][i]);
		kdiff_make_input(&rng, type, &in);
	}
	kdiff_kernel_run(t->kmain, &in, &kernel);
	for (int e = 0; e < 2; e++) {
		char what[512];

		kdiff_bpfvm_run(t->main[e], &in, &vm);
		if (!kdiff_results_equal(&kernel, &vm, what, sizeof(what))) {
			snprintf(why, size, "engine %d: %s", e, what);
			return false;
		}
	}
	return maps_equal(t, why, size);
}

static void unload(struct c_trial *t)
{
	for (int e = 0; e < 2; e++)
		bpfvm_object_close(t->obj[e]);
	bpf_object__close(t->kobj);
}

void kdiff_cgen_one(struct kdiff_env *env, uint64_t seed, const char *work_dir,
		    const char *clang, const char *include_dir, struct kdiff_cgen_stats *stats,
		    bool verbose)
{
	struct fuzz_rng rng = { seed };
	bool xdp = fuzz_below(&rng, 2);
	char *text = generate(&rng, xdp), src[1024], obj[1024], why[1024] = "";
	struct c_trial t = { .kmain = -1 };
	bool kernel_ok, vm_ok, keep = false;
	FILE *file;

	stats->tried++;
	snprintf(src, sizeof(src), "%s/kdiff-c-%" PRIu64 ".bpf.c", work_dir, seed);
	snprintf(obj, sizeof(obj), "%s/kdiff-c-%" PRIu64 ".bpf.o", work_dir, seed);
	file = fopen(src, "w");
	if (!file || fputs(text, file) < 0) {
		if (file)
			fclose(file);
		free(text);
		return;
	}
	fclose(file);
	free(text);
	if (compile(clang, include_dir, src, obj)) {
		printf("kdiff: C program %s does not compile (kept)\n", src);
		return;
	}
	stats->compiled++;
	kernel_ok = load_kernel(&t, obj) == 0;
	vm_ok = load_bpfvm(env, &t, KDIFF_INTERP, obj) == 0 &&
		load_bpfvm(env, &t, KDIFF_JIT, obj) == 0;
	if (!vm_ok)
		snprintf(why, sizeof(why), "bpfvm: %s", bpfvm_errmsg());
	stats->kernel_accepted += kernel_ok;
	stats->bpfvm_accepted += vm_ok;
	if (kernel_ok != vm_ok) {
		keep = true;
		printf("=== mismatch: C program %s: %s\n", src,
		       kernel_ok ? why : "only bpfvm accepts it");
	}
	for (int k = 0; kernel_ok && vm_ok && k < INPUTS; k++) {
		uint64_t input_seed = fuzz_next(&rng);

		if (compare_input(&t, input_seed, xdp, why, sizeof(why)))
			continue;
		keep = true;
		printf("=== mismatch: C program %s, input %d (seed %" PRIu64 "): %s\n", src, k,
		       input_seed, why);
		break;
	}
	stats->compared += kernel_ok && vm_ok && !keep;
	stats->mismatches += keep;
	if (verbose)
		printf("C program %" PRIu64 ": kernel %s, bpfvm %s\n", seed,
		       kernel_ok ? "accepts" : "refuses", vm_ok ? "accepts" : "refuses");
	unload(&t);
	if (!keep) {
		unlink(src);
		unlink(obj);
	}
}
