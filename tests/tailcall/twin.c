/* One object in bpfvm and in the kernel; see twin.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "testlib.h"
#include "twin.h"

static int kernel_state = -1; /* -1: not probed yet */
static char libbpf_log[16384];

/* Keeps libbpf's warnings (a refused load's verifier log) to show them when
 * a load fails unexpectedly, instead of printing them for every load. */
static int keep_libbpf_message(enum libbpf_print_level level, const char *fmt, va_list args)
{
	size_t used = strlen(libbpf_log);

	if (level == LIBBPF_DEBUG)
		return 0;
	if (used > sizeof(libbpf_log) / 2)
		used = 0;
	return vsnprintf(libbpf_log + used, sizeof(libbpf_log) - used, fmt, args);
}

bool twin_kernel_usable(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd;

	if (kernel_state >= 0)
		return kernel_state;
	libbpf_set_print(keep_libbpf_message);
	fd = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "probe", "GPL", insns, 2, NULL);
	kernel_state = fd >= 0;
	if (fd < 0)
		printf("SKIP kernel comparisons: bpf(BPF_PROG_LOAD) failed: %s; "
		       "checking bpfvm against the expected values only\n", strerror(errno));
	else
		close(fd);
	return kernel_state;
}

int twin_pin_cpu(struct bpfvm *vm)
{
	cpu_set_t set;
	int cpu = 0, bound;

	if (sched_getaffinity(0, sizeof(set), &set)) {
		perror("sched_getaffinity");
		exit(1);
	}
	while (cpu < CPU_SETSIZE - 1 && !CPU_ISSET(cpu, &set))
		cpu++;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "sched_setaffinity(CPU %d): %s\n", cpu, strerror(errno));
		exit(1);
	}
	bound = bpfvm_cpu_bind(vm, cpu);
	if (bound != cpu) {
		fprintf(stderr, "bpfvm_cpu_bind(%d): %d %s\n", cpu, bound, bpfvm_errmsg());
		exit(1);
	}
	return cpu;
}

uint32_t twin_cpu_count(struct bpfvm *vm)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	uint32_t nr_cpus = bpfvm_nr_cpus(vm);

	return online > 0 && (uint32_t)online < nr_cpus ? (uint32_t)online : nr_cpus;
}

struct bpfvm *twin_vm(void)
{
	struct bpfvm *vm;

	if (bpfvm_create(NULL, &vm)) {
		fprintf(stderr, "bpfvm_create: %s\n", bpfvm_errmsg());
		exit(1);
	}
	return vm;
}

void twin_packet(uint8_t packet[TWIN_PACKET_LEN])
{
	static const uint8_t headers[] = {
		/* Ethernet: dst, src, IPv4 */
		0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00,
		/* IPv4: 50 bytes, TTL 64, UDP, 10.0.0.1 -> 10.0.0.2 */
		0x45, 0, 0, 50, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
		/* UDP: 1000 -> 2000, 30 bytes */
		0x03, 0xe8, 0x07, 0xd0, 0, 30, 0, 0,
	};

	memset(packet, 0, TWIN_PACKET_LEN);
	memcpy(packet, headers, sizeof(headers));
}

static int kernel_open(struct twin *t, const char *path)
{
	int err;

	libbpf_log[0] = '\0';
	t->k_obj = bpf_object__open_file(path, NULL);
	if (!t->k_obj) {
		t->k_err = -errno;
		return t->k_err;
	}
	err = bpf_object__load(t->k_obj);
	if (err) {
		bpf_object__close(t->k_obj);
		t->k_obj = NULL;
	}
	return t->k_err = err;
}

int twin_open(struct twin *t, struct bpfvm *vm, const char *dir, const char *file)
{
	char path[4096];

	memset(t, 0, sizeof(*t));
	t->file = file;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	t->vm_err = bpfvm_object_open(vm, path, NULL, &t->vm_obj);
	if (!t->vm_err) {
		t->vm_err = bpfvm_object_load(t->vm_obj);
		if (t->vm_err) {
			bpfvm_object_close(t->vm_obj);
			t->vm_obj = NULL;
		}
	}
	if (twin_kernel_usable())
		kernel_open(t, path);
	return t->vm_err;
}

bool twin_open_ok(struct twin *t, struct bpfvm *vm, const char *dir, const char *file)
{
	char test[256];

	snprintf(test, sizeof(test), "%s_loads", file);
	twin_open(t, vm, dir, file);
	testlib_check(test, t->vm_err == 0, "bpfvm: %d %s", t->vm_err, bpfvm_errmsg());
	testlib_check(test, t->k_err == 0, "kernel: %d\n%s", t->k_err, libbpf_log);
	return t->vm_err == 0;
}

void twin_close(struct twin *t)
{
	bpfvm_object_close(t->vm_obj);
	bpf_object__close(t->k_obj);
	t->vm_obj = NULL;
	t->k_obj = NULL;
}

struct bpfvm_prog *twin_vm_prog(const struct twin *t, const char *name)
{
	struct bpfvm_prog *prog = t->vm_obj ? bpfvm_object_find_prog(t->vm_obj, name) : NULL;

	testlib_check(t->file, prog != NULL, "bpfvm: no program %s", name);
	return prog;
}

struct bpfvm_map *twin_vm_map(const struct twin *t, const char *name)
{
	struct bpfvm_map *map = t->vm_obj ? bpfvm_object_find_map(t->vm_obj, name) : NULL;

	testlib_check(t->file, map != NULL, "bpfvm: no map %s", name);
	return map;
}

int twin_kernel_prog_fd(const struct twin *t, const char *name)
{
	struct bpf_program *prog = bpf_object__find_program_by_name(t->k_obj, name);

	testlib_check(t->file, prog != NULL, "kernel: no program %s", name);
	return prog ? bpf_program__fd(prog) : -1;
}

int twin_kernel_map_fd(const struct twin *t, const char *name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(t->k_obj, name);

	testlib_check(t->file, map != NULL, "kernel: no map %s", name);
	return map ? bpf_map__fd(map) : -1;
}

void twin_fill(struct twin *t, const char *test, const char *map, uint32_t slot,
	       const char *prog)
{
	struct bpfvm_prog *vm_prog = twin_vm_prog(t, prog);
	struct bpfvm_map *vm_map = twin_vm_map(t, map);
	uint32_t id;
	int err, fd;

	if (vm_prog && vm_map) {
		id = bpfvm_prog_id(vm_prog);
		err = bpfvm_map_update(vm_map, &slot, &id, BPF_ANY);
		testlib_check(test, err == 0, "bpfvm: %s[%u] = %s: %d %s", map, slot, prog, err,
			      bpfvm_errmsg());
	}
	if (!t->k_obj)
		return;
	fd = twin_kernel_prog_fd(t, prog);
	err = bpf_map_update_elem(twin_kernel_map_fd(t, map), &slot, &fd, BPF_ANY);
	testlib_check(test, err == 0, "kernel: %s[%u] = %s: %d", map, slot, prog, -errno);
}

static void vm_run(struct twin *t, const char *prog, const struct twin_input *in,
		   struct twin_output *out)
{
	struct bpfvm_test_run_opts opts = {
		.sz = sizeof(opts), .data_in = in->data, .data_size_in = in->data_size,
		.data_out = out->data, .data_size_out = sizeof(out->data),
		.ctx_in = in->ctx, .ctx_size_in = in->ctx_size,
		.ctx_out = in->ctx_size_out ? out->ctx : NULL, .ctx_size_out = in->ctx_size_out,
		.repeat = in->repeat, .flags = in->flags, .cpu = in->cpu,
	};
	struct bpfvm_prog *vm_prog = twin_vm_prog(t, prog);

	memset(out, 0, sizeof(*out));
	if (!in->data)
		opts.data_out = NULL, opts.data_size_out = 0;
	out->err = vm_prog ? bpfvm_prog_test_run(vm_prog, &opts) : -ENOENT;
	out->retval = opts.retval;
	out->data_size = opts.data_size_out;
	out->ctx_size = in->ctx_size_out ? opts.ctx_size_out : 0;
}

static void kernel_run(struct twin *t, const char *prog, const struct twin_input *in,
		       struct twin_output *out)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in->data, .data_size_in = in->data_size,
		    .data_out = out->data, .data_size_out = sizeof(out->data),
		    .ctx_in = in->ctx, .ctx_size_in = in->ctx_size,
		    .ctx_out = in->ctx_size_out ? out->ctx : NULL,
		    .ctx_size_out = in->ctx_size_out, .repeat = in->repeat, .flags = in->flags,
		    .cpu = in->cpu);
	int fd = twin_kernel_prog_fd(t, prog);

	memset(out, 0, sizeof(*out));
	if (!in->data)
		opts.data_out = NULL, opts.data_size_out = 0;
	out->err = bpf_prog_test_run_opts(fd, &opts) ? -errno : 0;
	out->retval = opts.retval;
	out->data_size = opts.data_size_out;
	out->ctx_size = in->ctx_size_out ? opts.ctx_size_out : 0;
}

bool twin_run(struct twin *t, const char *prog, const struct twin_input *in,
	      struct twin_output *vm_out, struct twin_output *k_out)
{
	vm_run(t, prog, in, vm_out);
	if (!t->k_obj)
		return false;
	kernel_run(t, prog, in, k_out);
	return true;
}

/* The first byte where two buffers differ, or -1. */
static long first_difference(const uint8_t *a, const uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (a[i] != b[i])
			return (long)i;
	}
	return -1;
}

/* One output buffer (data_out or ctx_out) of both sides. */
static void expect_bytes_agree(const char *test, const char *what, const uint8_t *vm,
			       uint32_t vm_size, const uint8_t *k, uint32_t k_size)
{
	long at = first_difference(vm, k, vm_size < k_size ? vm_size : k_size);

	testlib_check(test, vm_size == k_size, "%s: %u bytes in bpfvm, %u in the kernel", what,
		      vm_size, k_size);
	testlib_check(test, at < 0, "%s differs at byte %ld: bpfvm 0x%02x, kernel 0x%02x", what,
		      at, at < 0 ? 0 : vm[at], at < 0 ? 0 : k[at]);
}

static void expect_outputs_agree(const char *test, const struct twin_output *vm,
				 const struct twin_output *k)
{
	testlib_check(test, vm->err == k->err, "test run: bpfvm %d, kernel %d", vm->err, k->err);
	expect_bytes_agree(test, "data_out", vm->data, vm->data_size, k->data, k->data_size);
	expect_bytes_agree(test, "ctx_out", vm->ctx, vm->ctx_size, k->ctx, k->ctx_size);
}

void twin_expect_retval(struct twin *t, const char *test, const char *prog,
			const struct twin_input *in, uint32_t want, struct twin_output *vm_out)
{
	static struct twin_output vm, k;

	if (twin_run(t, prog, in, &vm, &k)) {
		testlib_check(test, k.err == 0 && k.retval == want,
			      "kernel: %s returned %u (0x%x), expected %u (0x%x); test run %d", prog,
			      k.retval, k.retval, want, want, k.err);
		expect_outputs_agree(test, &vm, &k);
	}
	testlib_check(test, vm.err == 0 && vm.retval == want,
		      "bpfvm: %s returned %u (0x%x), expected %u (0x%x); test run %d %s", prog,
		      vm.retval, vm.retval, want, want, vm.err, vm.err ? bpfvm_errmsg() : "");
	if (vm_out)
		*vm_out = vm;
}

void twin_expect_u64(struct twin *t, const char *test, const char *map, uint32_t key,
		     uint64_t want)
{
	struct bpfvm_map *vm_map = twin_vm_map(t, map);
	uint64_t value = 0;
	int err;

	if (vm_map) {
		err = bpfvm_map_lookup(vm_map, &key, &value);
		testlib_check(test, err == 0 && value == want,
			      "bpfvm: %s[%u] = %llu (lookup %d), expected %llu", map, key,
			      (unsigned long long)value, err, (unsigned long long)want);
	}
	if (!t->k_obj)
		return;
	value = 0;
	err = bpf_map_lookup_elem(twin_kernel_map_fd(t, map), &key, &value) ? -errno : 0;
	testlib_check(test, err == 0 && value == want,
		      "kernel: %s[%u] = %llu (lookup %d), expected %llu", map, key,
		      (unsigned long long)value, err, (unsigned long long)want);
}

static void expect_entry_agrees(const char *test, const char *map, struct bpfvm_map *vm_map,
				int fd, const void *key, size_t key_size, size_t value_size)
{
	uint8_t *vm_value = calloc(1, value_size), *k_value = calloc(1, value_size);
	int vm_err = bpfvm_map_lookup(vm_map, key, vm_value);
	int k_err = bpf_map_lookup_elem(fd, key, k_value) ? -errno : 0;
	long at = first_difference(vm_value, k_value, value_size);
	uint32_t key32 = 0;

	memcpy(&key32, key, key_size < 4 ? key_size : 4);
	testlib_check(test, vm_err == k_err, "%s key %u: lookup bpfvm %d, kernel %d", map, key32,
		      vm_err, k_err);
	testlib_check(test, at < 0, "%s key %u: byte %ld of the value: bpfvm 0x%02x, kernel 0x%02x",
		      map, key32, at, at < 0 ? 0 : vm_value[at], at < 0 ? 0 : k_value[at]);
	free(vm_value);
	free(k_value);
}

/* What a user-space lookup returns in the kernel (SEMANTICS.md: per-CPU
 * execution): one value per possible CPU, each rounded up to 8 bytes. */
static size_t kernel_value_size(const struct bpfvm_map_info *info)
{
	switch (info->type) {
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		return (size_t)((info->value_size + 7) & ~7u) * (size_t)libbpf_num_possible_cpus();
	default:
		return info->value_size;
	}
}

void twin_expect_maps_agree(struct twin *t, const char *test, const char *map)
{
	struct bpfvm_map *vm_map = twin_vm_map(t, map);
	struct bpfvm_map_info info;
	uint8_t key[64], next[64];
	size_t value_size;
	int fd;

	if (!vm_map || !t->k_obj)
		return;
	fd = twin_kernel_map_fd(t, map);
	bpfvm_map_get_info(vm_map, &info);
	value_size = bpfvm_map_value_size_user(vm_map);
	testlib_check(test, value_size == kernel_value_size(&info),
		      "%s: user-space value of %zu bytes in bpfvm, %zu in the kernel", map,
		      value_size, kernel_value_size(&info));
	if (value_size != kernel_value_size(&info))
		return;
	/* The kernel's keys drive the walk: bpfvm must have each of them. */
	for (int more = bpf_map_get_next_key(fd, NULL, next) == 0; more;
	     more = bpf_map_get_next_key(fd, key, next) == 0) {
		memcpy(key, next, info.key_size);
		expect_entry_agrees(test, map, vm_map, fd, key, info.key_size, value_size);
	}
}

int twin_summary(void)
{
	int code = testlib_summary();

	if (code == 0 && !twin_kernel_usable())
		return TWIN_SKIP;
	return code;
}
