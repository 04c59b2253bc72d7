/* The kernel's side of a trial (kdiff.h): maps of bpfvm's definitions made
 * with bpf(2), given a bpfvm map's contents, programs loaded with their map
 * fds, BPF_PROG_TEST_RUN. Everything runs on the CPU the thread is pinned
 * to, where user-space LRU operations and the test runs then happen too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/btf.h>

#include "isa/isa.h"
#include "kdiff.h"

#define KEY_MAX 64
#define VALUE_MAX 4096
#define ELEMENTS_MAX 1024

static char kernel_log[1 << 20];

bool kdiff_kernel_usable(char *why, size_t size)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "probe", 4, 4, 1, NULL);

	if (fd < 0) {
		snprintf(why, size, "bpf(BPF_MAP_CREATE) failed: %s", strerror(errno));
		return false;
	}
	close(fd);
	return true;
}

/* libbpf's callback: the record to the consumer kdiff_kernel_ring_consume
 * was given, or dropped. */
static int forward_record(void *ctx, void *data, size_t size)
{
	struct kdiff_kmap *map = ctx;

	return map->consume ? map->consume(map->consume_ctx, data, size) : 0;
}

int kdiff_kernel_ring_consume(struct kdiff_kmap *map, bpfvm_ringbuf_sample_fn fn, void *ctx)
{
	int n;

	map->consume = fn;
	map->consume_ctx = ctx;
	n = ring_buffer__consume(map->ring);
	map->consume = NULL;
	return n < 0 ? -EIO : 0;
}

int kdiff_kernel_map_create(struct bpfvm_map *like, struct kdiff_kmap *out)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);

	memset(out, 0, sizeof(*out));
	bpfvm_map_get_info(like, &out->info);
	opts.map_flags = out->info.map_flags;
	out->fd = bpf_map_create(out->info.type, "kdiff", out->info.key_size,
				 out->info.value_size, out->info.max_entries, &opts);
	if (out->fd < 0)
		return -errno;
	if (out->info.type != BPF_MAP_TYPE_RINGBUF)
		return 0;
	out->ring = ring_buffer__new(out->fd, forward_record, out, NULL);
	if (!out->ring) {
		close(out->fd);
		out->fd = -1;
		return -errno;
	}
	return 0;
}

void kdiff_kernel_map_close(struct kdiff_kmap *map)
{
	ring_buffer__free(map->ring);
	if (map->fd >= 0)
		close(map->fd);
	map->ring = NULL;
	map->fd = -1;
}

static bool is_queue(uint32_t type)
{
	return type == BPF_MAP_TYPE_QUEUE || type == BPF_MAP_TYPE_STACK;
}

static bool is_array(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

static void clear_kernel_elements(int fd)
{
	uint8_t key[KEY_MAX];

	while (bpf_map_get_next_key(fd, NULL, key) == 0)
		if (bpf_map_delete_elem(fd, key))
			break;
}

/* Below, emaps_fill (tests/engine/fuzz_engines_maps.c) done to a kernel
 * map: the same operations in the same order with the same random bytes,
 * so that an LRU map's lists, and a hash map's buckets, end as bpfvm's do
 * (copying contents would not: an LRU's evictions depend on its history).
 * The trial checks after each fill that the kernel's contents are the
 * mirror's, so that the two cannot drift apart unnoticed. */
static void fill_queue(struct fuzz_rng *rng, struct kdiff_kmap *map, uint8_t *value)
{
	uint32_t n = fuzz_below(rng, map->info.max_entries + 1);

	while (bpf_map_lookup_and_delete_elem(map->fd, NULL, value) == 0)
		;
	for (uint32_t i = 0; i < n; i++) {
		emaps_random_bytes(rng, value, map->info.value_size);
		bpf_map_update_elem(map->fd, NULL, value, BPF_ANY);
	}
}

static void fill_elements(struct fuzz_rng *rng, struct kdiff_kmap *map, uint8_t *value,
			  size_t value_len)
{
	bool hash = emaps_is_hash(map->info.type);
	uint8_t key[KEY_MAX];

	if (hash)
		clear_kernel_elements(map->fd);
	for (uint32_t i = 0; i < map->info.max_entries && i < ELEMENTS_MAX; i++) {
		bool random_value = i < 8;

		if (hash && !random_value)
			break;
		memset(key, 0, map->info.key_size);
		if (!hash)
			memcpy(key, &i, 4);
		else if (fuzz_below(rng, 2))
			memcpy(key, &i, map->info.key_size < 4 ? map->info.key_size : 4);
		else
			emaps_random_bytes(rng, key, map->info.key_size);
		memset(value, 0, value_len);
		if (random_value)
			emaps_random_bytes(rng, value, value_len);
		bpf_map_update_elem(map->fd, key, value, BPF_ANY);
	}
}

int kdiff_kernel_map_fill(struct fuzz_rng *rng, struct kdiff_kmap *map)
{
	static uint8_t value[VALUE_MAX];
	uint32_t type = map->info.type;
	size_t value_len = kdiff_kernel_value_size_user(&map->info);

	if (type == BPF_MAP_TYPE_RINGBUF)
		return kdiff_kernel_ring_consume(map, NULL, NULL);
	if (value_len > VALUE_MAX || map->info.key_size > KEY_MAX)
		return -E2BIG;
	if (is_queue(type))
		fill_queue(rng, map, value);
	else if (is_array(type) || emaps_is_hash(type))
		fill_elements(rng, map, value, value_len);
	return 0; /* prog arrays: filled by the trial */
}

size_t kdiff_kernel_value_size_user(const struct bpfvm_map_info *info)
{
	bool percpu = info->type == BPF_MAP_TYPE_PERCPU_ARRAY ||
		      info->type == BPF_MAP_TYPE_PERCPU_HASH ||
		      info->type == BPF_MAP_TYPE_LRU_PERCPU_HASH;

	return percpu ? ((info->value_size + 7) / 8 * 8) * (size_t)libbpf_num_possible_cpus()
		      : info->value_size;
}

/* map[idx:N] becomes the fd of maps[N]; false if N is out of range. */
static bool translate(struct bpf_insn *insns, size_t insn_cnt, const struct kdiff_kmap *maps,
		      uint32_t map_cnt)
{
	for (size_t i = 0; i < insn_cnt; i++) {
		struct bpf_insn *insn = &insns[i];

		if (!isa_is_lddw(insn->code) || (insn->src_reg != BPF_PSEUDO_MAP_IDX &&
						  insn->src_reg != BPF_PSEUDO_MAP_IDX_VALUE))
			continue;
		if ((uint32_t)insn->imm >= map_cnt)
			return false;
		insn->src_reg = insn->src_reg == BPF_PSEUDO_MAP_IDX ? BPF_PSEUDO_MAP_FD
								    : BPF_PSEUDO_MAP_VALUE;
		insn->imm = maps[insn->imm].fd;
	}
	return true;
}

/* ---- BTF for subprograms ------------------------------------------------------ */

/* What clang and libbpf give every object: BTF with a FUNC per subprogram
 * and func_info saying where each starts. The kernel requires it for
 * callbacks ("missing btf func_info") and for tail calls in subprograms;
 * bpfvm's raw loads take no BTF (docs/kdiff.md). Every function is
 * "static int f(void)": the kernel checks the arguments of global
 * functions only, and ld_abs in a subprogram needs an int return. */
static int func_btf_fd(void)
{
	static int fd = -1;
	struct btf *btf;
	int int_id, proto_id;

	if (fd >= 0)
		return fd;
	btf = btf__new_empty();
	if (!btf)
		return -1;
	int_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	proto_id = btf__add_func_proto(btf, int_id);
	btf__add_func(btf, "main", BTF_FUNC_STATIC, proto_id);
	btf__add_func(btf, "sub", BTF_FUNC_STATIC, proto_id);
	if (btf__load_into_kernel(btf) == 0)
		fd = dup(btf__fd(btf));
	btf__free(btf);
	return fd;
}

#define BTF_ID_MAIN 3
#define BTF_ID_SUB 4

/* The first instruction of every subprogram, in order: how many. */
static uint32_t subprog_starts(const struct bpf_insn *insns, size_t insn_cnt,
			       struct bpf_func_info *info)
{
	bool *starts = calloc(insn_cnt, sizeof(*starts));
	uint32_t n = 0;

	if (!starts)
		return 0;
	starts[0] = true;
	for (size_t i = 0; i < insn_cnt; i++) {
		int64_t target = (int64_t)i + 1 + insns[i].imm;
		bool refers = isa_is_local_call(&insns[i]) ||
			      (isa_is_lddw(insns[i].code) && insns[i].src_reg == BPF_PSEUDO_FUNC);

		if (refers && target >= 0 && target < (int64_t)insn_cnt)
			starts[target] = true;
		if (isa_is_lddw(insns[i].code))
			i++;
	}
	for (size_t i = 0; i < insn_cnt; i++) {
		if (!starts[i])
			continue;
		info[n] = (struct bpf_func_info){ .insn_off = (uint32_t)i,
						  .type_id = n ? BTF_ID_SUB : BTF_ID_MAIN };
		n++;
	}
	free(starts);
	return n;
}

/* The log's last line before "processed N insns": the kernel's reason. */
static void last_reason(char *reason, size_t size)
{
	char *end = strstr(kernel_log, "\nprocessed "), *start;

	if (!end)
		end = kernel_log + strlen(kernel_log);
	start = end;
	while (start > kernel_log && start[-1] != '\n')
		start--;
	snprintf(reason, size, "%.*s", (int)(end - start), start);
}

int kdiff_kernel_load(enum bpf_prog_type type, const struct bpf_insn *insns, size_t insn_cnt,
		      const struct kdiff_kmap *maps, uint32_t map_cnt, char *reason, size_t size)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = kernel_log,
		    .log_size = sizeof(kernel_log), .log_level = 1);
	struct bpf_insn *copy = malloc(insn_cnt * sizeof(*copy));
	struct bpf_func_info *func_info = calloc(insn_cnt, sizeof(*func_info));
	uint32_t func_cnt;
	int fd;

	reason[0] = '\0';
	if (!copy || !func_info) {
		free(copy);
		free(func_info);
		return -1;
	}
	func_cnt = subprog_starts(insns, insn_cnt, func_info);
	if (func_cnt > 1 && func_btf_fd() >= 0) {
		opts.prog_btf_fd = func_btf_fd();
		opts.func_info = func_info;
		opts.func_info_cnt = func_cnt;
		opts.func_info_rec_size = sizeof(*func_info);
	}
	memcpy(copy, insns, insn_cnt * sizeof(*copy));
	if (!translate(copy, insn_cnt, maps, map_cnt)) {
		snprintf(reason, size, "a map index past the set's maps");
		free(copy);
		free(func_info);
		return -1;
	}
	/* Without a log first: writing it was a tenth of the kernel's time, and
	 * most programs load; a refused one is loaded again for its reason. */
	opts.log_buf = NULL;
	opts.log_size = 0;
	opts.log_level = 0;
	fd = bpf_prog_load(type, "kdiff", "GPL", copy, insn_cnt, &opts);
	if (fd < 0) {
		opts.log_buf = kernel_log;
		opts.log_size = sizeof(kernel_log);
		opts.log_level = 1;
		kernel_log[0] = '\0';
		fd = bpf_prog_load(type, "kdiff", "GPL", copy, insn_cnt, &opts);
	}
	if (fd < 0) {
		int err = errno;

		last_reason(reason, size);
		if (err == ENOSPC)
			snprintf(reason, size, "refused (log too long)");
		else if (!reason[0])
			snprintf(reason, size, "bpf(BPF_PROG_LOAD): %s", strerror(err));
	}
	free(copy);
	free(func_info);
	return fd < 0 ? -1 : fd;
}

void kdiff_kernel_run(int prog_fd, const struct kdiff_input *in, struct kdiff_result *r)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in->data, .data_size_in = in->size,
		    .data_out = r->data, .data_size_out = sizeof(r->data), .repeat = 1);

	memset(r, 0, sizeof(*r));
	if (in->ctx_size) {
		opts.ctx_in = in->ctx;
		opts.ctx_size_in = in->ctx_size;
		opts.ctx_out = r->ctx;
		opts.ctx_size_out = sizeof(r->ctx);
	}
	r->err = bpf_prog_test_run_opts(prog_fd, &opts) ? -errno : 0;
	r->retval = opts.retval;
	r->data_size = opts.data_size_out;
	r->ctx_size = opts.ctx_size_out;
}
