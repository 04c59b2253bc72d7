/* Map sizes at their limits, for each map type: the largest accepted and
 * the smallest refused, with the running kernel's errno (BPF_MAP_CREATE
 * through libbpf) beside bpfvm's, a message that names the map, and nothing
 * left behind by a refusal.
 *
 * The kernel bounds a map's total size only by memory: its vmalloc refuses
 * an area larger than the machine's memory (-ENOMEM) without trying, and
 * bpfvm refuses those sizes before allocating anything (the fuzzers found a
 * 10^9-slot PROG_ARRAY that made bpfvm ask calloc for ~30 GB). A case is put
 * to the kernel only where the kernel allocates nothing or little: refused
 * by its attribute checks, larger than this machine's memory, or small.
 * Without bpf() the kernel half is skipped, loudly; bpfvm's half still runs. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfvm/bpfvm.h"
#include "testlib.h"

#define KMALLOC_MAX (4u << 20)
#define U32_MAX_ENTRIES 0xffffffffu
/* A kernel allocation this small is fine to make in a test. */
#define KERNEL_SMALL (64ull << 20)

struct limit_case {
	const char *name; /* the rule; the map is named after it, truncated */
	enum bpf_map_type type;
	uint32_t key_size, value_size, max_entries, map_flags;
	int expect;	      /* bpfvm's answer */
	int expect_kernel;    /* the kernel's, where it differs (docs/differences.md) */
	bool kernel_differs;
	/* Bytes the kernel allocates at once for the map (its largest area):
	 * an -ENOMEM case holds only on a machine with less memory, and an
	 * accepted case is put to the kernel only if small. */
	uint64_t kernel_bytes;
	const char *kernel_not_asked; /* why the kernel is not asked, if it is not */
	uint64_t bpfvm_bytes; /* bpfvm's own need, where more than the kernel's */
};

static const struct limit_case cases[] = {
	/* ARRAY, PERCPU_ARRAY (array_map_alloc_check, array_map_alloc). */
	{ "array_value_size_int_max_plus_one_is_e2big", BPF_MAP_TYPE_ARRAY, 4, 0x80000000u, 1, 0,
	  .expect = -E2BIG },
	{ "array_value_size_int_max_is_accepted", BPF_MAP_TYPE_ARRAY, 4, 0x7fffffffu, 1, 0, 0,
	  .kernel_bytes = 0x80000000ull },
	{ "array_beyond_memory_is_enomem", BPF_MAP_TYPE_ARRAY, 4, 8, U32_MAX_ENTRIES, 0, -ENOMEM,
	  .kernel_bytes = 8ull * U32_MAX_ENTRIES },
	{ "array_mmapable_beyond_memory_is_enomem", BPF_MAP_TYPE_ARRAY, 4, 4096, U32_MAX_ENTRIES,
	  BPF_F_MMAPABLE, -ENOMEM, .kernel_bytes = 4096ull * U32_MAX_ENTRIES },
	{ "percpu_array_value_32k_is_accepted", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 32768, 1, 0, 0,
	  .kernel_bytes = 32768 },
	{ "percpu_array_value_above_32k_is_e2big", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 32769, 1, 0,
	  .expect = -E2BIG },
	{ "percpu_array_beyond_memory_is_enomem", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8,
	  U32_MAX_ENTRIES, 0, -ENOMEM, .kernel_bytes = 8ull * U32_MAX_ENTRIES },
	/* Arrays of references (fd_array_map_alloc: a pointer per entry). */
	{ "prog_array_beyond_memory_is_enomem", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, U32_MAX_ENTRIES, 0,
	  -ENOMEM, .kernel_bytes = 8ull * U32_MAX_ENTRIES },
	{ "prog_array_of_a_million_is_accepted", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 1u << 20, 0, 0,
	  .kernel_bytes = 8u << 20 },
	{ "perf_event_array_beyond_memory_is_enomem", BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4,
	  U32_MAX_ENTRIES, 0, -ENOMEM, .kernel_bytes = 8ull * U32_MAX_ENTRIES },
	/* Hash maps (htab_map_alloc_check, htab_map_alloc). */
	{ "hash_key_and_value_below_kmalloc_max_are_accepted", BPF_MAP_TYPE_HASH, 4, 4194251, 1,
	  BPF_F_NO_PREALLOC, 0, .kernel_bytes = 8 },
	{ "hash_key_and_value_at_kmalloc_max_are_e2big", BPF_MAP_TYPE_HASH, 4, 4194252, 1,
	  BPF_F_NO_PREALLOC, .expect = -E2BIG },
	{ "hash_above_2_31_entries_is_e2big", BPF_MAP_TYPE_HASH, 4, 4, 0x80000001u,
	  BPF_F_NO_PREALLOC, .expect = -E2BIG },
	{ "hash_buckets_beyond_u32_bytes_are_e2big", BPF_MAP_TYPE_HASH, 4, 4, (1u << 27) + 1,
	  BPF_F_NO_PREALLOC, .expect = -E2BIG },
	{ "percpu_hash_value_32k_is_accepted", BPF_MAP_TYPE_PERCPU_HASH, 4, 32768, 1, 0, 0,
	  .kernel_bytes = 32768 },
	{ "percpu_hash_value_above_32k_is_e2big", BPF_MAP_TYPE_PERCPU_HASH, 4, 32769, 1, 0,
	  .expect = -E2BIG },
	{ "lru_hash_above_2_31_entries_is_e2big", BPF_MAP_TYPE_LRU_HASH, 4, 4, 0x80000001u, 0,
	  .expect = -E2BIG },
	/* QUEUE, STACK (queue_stack_map_alloc_check). */
	{ "queue_value_kmalloc_max_is_accepted", BPF_MAP_TYPE_QUEUE, 0, KMALLOC_MAX, 1, 0, 0,
	  .kernel_bytes = 2ull * KMALLOC_MAX },
	{ "queue_value_above_kmalloc_max_is_e2big", BPF_MAP_TYPE_QUEUE, 0, KMALLOC_MAX + 1, 1, 0,
	  .expect = -E2BIG },
	{ "queue_beyond_memory_is_enomem", BPF_MAP_TYPE_QUEUE, 0, KMALLOC_MAX, U32_MAX_ENTRIES, 0,
	  -ENOMEM, .kernel_bytes = (uint64_t)KMALLOC_MAX * U32_MAX_ENTRIES },
	{ "stack_beyond_memory_is_enomem", BPF_MAP_TYPE_STACK, 0, 8, U32_MAX_ENTRIES, 0, -ENOMEM,
	  .kernel_bytes = 8ull * U32_MAX_ENTRIES },
	/* LPM_TRIE (trie_alloc): nodes are allocated as elements come, in the
	 * kernel; bpfvm keeps a pool of 2 * max_entries - 1 in the region. */
	{ "lpm_key_size_260_is_accepted", BPF_MAP_TYPE_LPM_TRIE, 260, 8, 1, BPF_F_NO_PREALLOC, 0,
	  .kernel_bytes = 512 },
	{ "lpm_key_size_261_is_einval", BPF_MAP_TYPE_LPM_TRIE, 261, 8, 1, BPF_F_NO_PREALLOC,
	  .expect = -EINVAL },
	{ "lpm_largest_value_is_accepted", BPF_MAP_TYPE_LPM_TRIE, 8, KMALLOC_MAX - 256 - 24, 1,
	  BPF_F_NO_PREALLOC, 0, .kernel_bytes = 512 },
	{ "lpm_value_one_above_is_einval", BPF_MAP_TYPE_LPM_TRIE, 8, KMALLOC_MAX - 256 - 23, 1,
	  BPF_F_NO_PREALLOC, .expect = -EINVAL },
	{ "lpm_pool_beyond_memory_is_enomem", BPF_MAP_TYPE_LPM_TRIE, 8, 8, U32_MAX_ENTRIES,
	  BPF_F_NO_PREALLOC, -ENOMEM, 0, true, .kernel_bytes = 512, .bpfvm_bytes = 1ull << 38 },
	/* RINGBUF (ringbuf_map_alloc): a power of 2 of pages, up to 2^31. */
	{ "ringbuf_2_31_bytes_is_accepted", BPF_MAP_TYPE_RINGBUF, 0, 0, 0x80000000u, 0, 0,
	  .kernel_bytes = 0x80000000ull },
	{ "ringbuf_not_a_power_of_2_is_einval", BPF_MAP_TYPE_RINGBUF, 0, 0, 3 * 4096, 0,
	  .expect = -EINVAL },
	/* Device, CPU, socket maps. */
	{ "devmap_beyond_memory_is_enomem", BPF_MAP_TYPE_DEVMAP, 4, 4, U32_MAX_ENTRIES, 0, -ENOMEM,
	  .kernel_bytes = 8ull * U32_MAX_ENTRIES },
	{ "devmap_hash_above_2_31_entries_is_einval", BPF_MAP_TYPE_DEVMAP_HASH, 4, 4, 0x80000001u,
	  0, .expect = -EINVAL },
	{ "xskmap_beyond_memory_is_enomem", BPF_MAP_TYPE_XSKMAP, 4, 4, U32_MAX_ENTRIES, 0, -ENOMEM,
	  .kernel_bytes = 8ull * U32_MAX_ENTRIES },
	{ "cpumap_of_nr_cpus_is_accepted", BPF_MAP_TYPE_CPUMAP, 4, 4, 8192, 0, 0,
	  .kernel_bytes = 8 * 8192, .kernel_not_asked = "NR_CPUS is the kernel's build option" },
	{ "cpumap_above_nr_cpus_is_e2big", BPF_MAP_TYPE_CPUMAP, 4, 4, 8193, 0, .expect = -E2BIG },
	{ "sockmap_beyond_memory_is_enomem", BPF_MAP_TYPE_SOCKMAP, 4, 4, U32_MAX_ENTRIES, 0,
	  -ENOMEM, .kernel_bytes = 8ull * U32_MAX_ENTRIES },
	{ "sockhash_above_2_27_entries_is_einval", BPF_MAP_TYPE_SOCKHASH, 4, 4, (1u << 27) + 1, 0,
	  .expect = -EINVAL },
	/* STACK_TRACE (stack_map_alloc): bpfvm stores nothing, but refuses what
	 * the kernel would. Its 2^31 buckets are 16 GiB the kernel allocates
	 * before its elements: not put to the kernel. */
	{ "stack_trace_above_2_31_entries_is_e2big", BPF_MAP_TYPE_STACK_TRACE, 4, 8, 0x80000001u, 0,
	  .expect = -E2BIG },
	{ "stack_trace_elements_beyond_memory_are_enomem", BPF_MAP_TYPE_STACK_TRACE, 4, 1016,
	  0x80000000u, 0, .expect = -ENOMEM, .kernel_bytes = 0x80000000ull * (16 + 1016),
	  .kernel_not_asked = "it allocates 16 GiB of buckets first" },
};

static uint64_t machine_memory(void)
{
	return (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE);
}

static bool kernel_usable(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "probe", 4, 4, 1, NULL);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* What this process holds: its mappings and its descriptors. */
static unsigned count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	unsigned lines = 0;
	int c;

	if (!f)
		return 0;
	while ((c = fgetc(f)) != EOF)
		lines += c == '\n';
	fclose(f);
	return lines;
}

static unsigned count_fds(void)
{
	unsigned n = 0;

	for (int fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) != -1;
	return n;
}

static int kernel_create(const struct limit_case *c)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = c->map_flags);
	int fd = bpf_map_create(c->type, "limit", c->key_size, c->value_size, c->max_entries,
				&opts);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* Whether asking the kernel costs it nothing much: it refuses by its
 * checks, or by vmalloc's bound (more than this machine's memory), or the
 * map is small. */
static bool kernel_safe(const struct limit_case *c, int kernel_expect, uint64_t memory)
{
	if (kernel_expect == -ENOMEM)
		return c->kernel_bytes > memory;
	if (kernel_expect == 0)
		return c->kernel_bytes <= KERNEL_SMALL;
	return true;
}

static void check_bpfvm(struct bpfvm *vm, const struct limit_case *c)
{
	struct bpfvm_map_create_opts opts = { .sz = sizeof(opts), .map_flags = c->map_flags };
	char name[16];
	struct bpfvm_map *map = NULL;
	unsigned maps_before = count_lines("/proc/self/maps"), fds_before = count_fds();
	int err;

	snprintf(name, sizeof(name), "%s", c->name);
	err = bpfvm_map_create(vm, c->type, name, c->key_size, c->value_size, c->max_entries,
			       &opts, &map);
	testlib_check(c->name, err == c->expect, "bpfvm: %d, expected %d (%s)", err, c->expect,
		      err ? bpfvm_errmsg() : "created");
	if (!err) {
		bpfvm_map_close(map);
		return;
	}
	testlib_check(c->name, strstr(bpfvm_errmsg(), name) != NULL,
		      "the message does not name the map '%s': %s", name, bpfvm_errmsg());
	/* Refused before allocating: the message compares the bytes with the
	 * machine's memory, not an allocator's failure. */
	if (err == -ENOMEM)
		testlib_check(c->name, strstr(bpfvm_errmsg(), "bytes of memory of this machine"),
			      "not refused before allocating: %s", bpfvm_errmsg());
	testlib_check(c->name, count_lines("/proc/self/maps") == maps_before &&
				       count_fds() == fds_before,
		      "a refusal left mappings (%u -> %u) or descriptors (%u -> %u)", maps_before,
		      count_lines("/proc/self/maps"), fds_before, count_fds());
}

static void check_kernel(const struct limit_case *c, uint64_t memory)
{
	int expect = c->kernel_differs ? c->expect_kernel : c->expect;
	int got;

	if (c->kernel_not_asked) {
		printf("     kernel: not asked (%s)\n", c->kernel_not_asked);
		return;
	}
	if (!kernel_safe(c, expect, memory)) {
		printf("     kernel: not asked (it would allocate %llu bytes)\n",
		       (unsigned long long)c->kernel_bytes);
		return;
	}
	got = kernel_create(c);
	testlib_check(c->name, got == expect, "kernel: %d, expected %d%s", got, expect,
		      c->kernel_differs ? " (a difference bpfvm documents)" : "");
}

int main(void)
{
	uint64_t memory = machine_memory();
	bool kernel = kernel_usable();
	struct bpfvm *vm;

	libbpf_set_print(NULL);
	if (!kernel)
		printf("SKIP (kernel half): bpf() is not usable here (%s): bpfvm alone is "
		       "checked\n", strerror(errno));
	if (bpfvm_create(NULL, &vm)) {
		printf("cannot create a runtime: %s\n", bpfvm_errmsg());
		return 1;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct limit_case *c = &cases[i];
		unsigned before = testlib_failed();

		uint64_t needs = c->kernel_bytes > c->bpfvm_bytes ? c->kernel_bytes
								  : c->bpfvm_bytes;

		if (c->expect == -ENOMEM && needs <= memory) {
			printf("skip %s: this machine has %llu bytes of memory\n", c->name,
			       (unsigned long long)memory);
			continue;
		}
		check_bpfvm(vm, c);
		if (kernel)
			check_kernel(c, memory);
		printf("%s %s\n", testlib_failed() == before ? "ok  " : "FAIL", c->name);
	}
	bpfvm_destroy(vm);
	return testlib_failed() ? 1 : 0;
}
