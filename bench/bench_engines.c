/* Loading an object in the three engines and running its programs. Each run
 * reports two times: the test run's own `duration` (its repeat loop, timed
 * inside, in whole nanoseconds per run) and the thread's CPU time around the
 * whole call (the kernel's test run is system time of this thread, so one
 * clock serves both sides, and time spent preempted is left out). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfvm/bpfvm.h"
#include "bench_engines.h"

#define RING_BUFFERS_MAX 8

const char *const bench_engine_names[BENCH_ENGINES] = { "interp", "jit", "kernel" };

struct bench_object {
	struct bench_runtimes *runtimes;
	struct bpfvm_object *vm_obj[BENCH_KERNEL];
	struct bpf_object *k_obj; /* NULL: the kernel refused it, or no kernel */
	struct bpfvm_map *vm_rings[BENCH_KERNEL][RING_BUFFERS_MAX];
	size_t vm_ring_cnt[BENCH_KERNEL];
	struct ring_buffer *k_rings; /* NULL: none */
};

static char libbpf_log[4096];

/* Keeps libbpf's last warnings (the verifier's complaint) for `why`. */
static int keep_libbpf_message(enum libbpf_print_level level, const char *fmt, va_list args)
{
	size_t used = strlen(libbpf_log);

	if (level == LIBBPF_DEBUG)
		return 0;
	if (used > sizeof(libbpf_log) / 2)
		used = 0;
	return vsnprintf(libbpf_log + used, sizeof(libbpf_log) - used, fmt, args);
}

static bool kernel_usable(char *why, size_t size)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "probe", "GPL", insns, 2, NULL);

	if (fd < 0) {
		snprintf(why, size, "bpf(BPF_PROG_LOAD) failed: %s", strerror(errno));
		return false;
	}
	close(fd);
	return true;
}

int bench_runtimes_create(struct bench_runtimes *runtimes, bool want_kernel, char *why,
			  size_t why_size)
{
	static const enum bpfvm_engine engines[BENCH_KERNEL] = { BPFVM_ENGINE_INTERP,
								 BPFVM_ENGINE_JIT };
	int err = 0;

	memset(runtimes, 0, sizeof(*runtimes));
	for (int i = 0; i < BENCH_KERNEL && !err; i++) {
		struct bpfvm_opts opts = { .sz = sizeof(opts), .engine = engines[i] };

		err = bpfvm_create(&opts, &runtimes->vm[i]);
	}
	if (err) {
		snprintf(why, why_size, "bpfvm_create: %s", bpfvm_errmsg());
		bench_runtimes_destroy(runtimes);
		return err;
	}
	libbpf_set_print(keep_libbpf_message);
	snprintf(why, why_size, "--no-kernel given");
	runtimes->kernel = want_kernel && kernel_usable(why, why_size);
	return 0;
}

void bench_runtimes_destroy(struct bench_runtimes *runtimes)
{
	for (int i = 0; i < BENCH_KERNEL; i++)
		bpfvm_destroy(runtimes->vm[i]);
	memset(runtimes, 0, sizeof(*runtimes));
}

static int ignore_record(void *ctx, void *data, size_t size)
{
	return 0;
}

static int vm_open(struct bench_object *obj, int engine, const char *path, char *why,
		   size_t why_size)
{
	struct bpfvm_object *vm_obj;
	int err;

	err = bpfvm_object_open(obj->runtimes->vm[engine], path, NULL, &vm_obj);
	if (!err) {
		obj->vm_obj[engine] = vm_obj;
		err = bpfvm_object_load(vm_obj);
	}
	if (err) {
		snprintf(why, why_size, "bpfvm (%s): %s", bench_engine_names[engine],
			 bpfvm_errmsg());
		return err;
	}
	for (size_t i = 0; i < bpfvm_object_map_cnt(vm_obj); i++) {
		struct bpfvm_map *map = bpfvm_object_map(vm_obj, i);
		struct bpfvm_map_info info;

		if (bpfvm_map_get_info(map, &info) || info.type != BPF_MAP_TYPE_RINGBUF ||
		    obj->vm_ring_cnt[engine] == RING_BUFFERS_MAX)
			continue;
		obj->vm_rings[engine][obj->vm_ring_cnt[engine]++] = map;
	}
	return 0;
}

static int kernel_rings_open(struct bench_object *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj->k_obj) {
		int fd = bpf_map__fd(map);

		if (bpf_map__type(map) != BPF_MAP_TYPE_RINGBUF)
			continue;
		if (!obj->k_rings)
			obj->k_rings = ring_buffer__new(fd, ignore_record, NULL, NULL);
		else if (ring_buffer__add(obj->k_rings, fd, ignore_record, NULL))
			return -errno;
		if (!obj->k_rings)
			return -errno;
	}
	return 0;
}

/* A kernel that refuses the object leaves the object without a kernel side. */
static void kernel_open(struct bench_object *obj, const char *path, char *why, size_t why_size)
{
	libbpf_log[0] = 0;
	obj->k_obj = bpf_object__open_file(path, NULL);
	if (!obj->k_obj) {
		snprintf(why, why_size, "kernel: cannot open %s: %s", path, strerror(errno));
		return;
	}
	if (bpf_object__load(obj->k_obj) || kernel_rings_open(obj)) {
		snprintf(why, why_size, "kernel: cannot load %s: %s\n%s", path, strerror(errno),
			 libbpf_log);
		ring_buffer__free(obj->k_rings);
		obj->k_rings = NULL;
		bpf_object__close(obj->k_obj);
		obj->k_obj = NULL;
	}
}

static int run_setups(struct bench_object *obj, char *why, size_t why_size)
{
	struct bpfvm_object *vm_obj = obj->vm_obj[BENCH_INTERP];
	struct bench_packet packet;
	struct bench_result *result = malloc(sizeof(*result));

	if (!result)
		return -ENOMEM;
	bench_packet_build(&packet, PACKET_IPV4_TCP);
	for (size_t i = 0; i < bpfvm_object_prog_cnt(vm_obj); i++) {
		const char *name = bpfvm_prog_name(bpfvm_object_prog(vm_obj, i));
		size_t len = strlen(name);

		if (len < 6 || strcmp(name + len - 6, "_setup"))
			continue;
		for (int engine = 0; engine < BENCH_ENGINES; engine++) {
			if (!bench_object_has_engine(obj, engine))
				continue;
			bench_object_run(obj, engine, name, &packet, 1, result);
			if (result->err || result->retval) {
				snprintf(why, why_size,
					 "%s (%s): setup failed: error %d, returned %u", name,
					 bench_engine_names[engine], result->err, result->retval);
				free(result);
				return -EINVAL;
			}
		}
	}
	free(result);
	return 0;
}

int bench_object_open(struct bench_runtimes *runtimes, const char *path,
		      struct bench_object **obj_out, char *why, size_t why_size)
{
	struct bench_object *obj = calloc(1, sizeof(*obj));
	int err = 0;

	why[0] = 0;
	if (!obj)
		return -ENOMEM;
	obj->runtimes = runtimes;
	for (int engine = 0; engine < BENCH_KERNEL && !err; engine++)
		err = vm_open(obj, engine, path, why, why_size);
	if (!err && runtimes->kernel)
		kernel_open(obj, path, why, why_size);
	if (!err)
		err = run_setups(obj, why, why_size);
	if (err) {
		bench_object_close(obj);
		return err;
	}
	*obj_out = obj;
	return 0;
}

void bench_object_close(struct bench_object *obj)
{
	if (!obj)
		return;
	ring_buffer__free(obj->k_rings);
	bpf_object__close(obj->k_obj);
	for (int engine = 0; engine < BENCH_KERNEL; engine++)
		bpfvm_object_close(obj->vm_obj[engine]);
	free(obj);
}

bool bench_object_has_engine(const struct bench_object *obj, enum bench_engine engine)
{
	return engine != BENCH_KERNEL || obj->k_obj;
}

bool bench_object_has_prog(const struct bench_object *obj, const char *prog)
{
	return bpfvm_object_find_prog(obj->vm_obj[BENCH_INTERP], prog) != NULL;
}

static double thread_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void vm_run(struct bench_object *obj, int engine, const char *name,
		   struct bench_packet *packet, int repeat, struct bench_result *result)
{
	struct bpfvm_prog *prog = bpfvm_object_find_prog(obj->vm_obj[engine], name);
	struct bpfvm_test_run_opts opts = {
		.sz = sizeof(opts), .data_in = packet->bytes, .data_size_in = packet->len,
		.data_out = result->data_out, .data_size_out = sizeof(result->data_out),
		.repeat = repeat,
	};
	double start = thread_ns();

	result->err = prog ? bpfvm_prog_test_run(prog, &opts) : -ENOENT;
	result->ns = thread_ns() - start;
	result->retval = opts.retval;
	result->duration = opts.duration;
	result->size_out = opts.data_size_out;
	for (size_t i = 0; i < obj->vm_ring_cnt[engine]; i++)
		bpfvm_ringbuf_consume(obj->vm_rings[engine][i], ignore_record, NULL);
}

static void kernel_run(struct bench_object *obj, const char *name, struct bench_packet *packet,
		       int repeat, struct bench_result *result)
{
	struct bpf_program *prog = bpf_object__find_program_by_name(obj->k_obj, name);
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = packet->bytes,
		    .data_size_in = packet->len, .data_out = result->data_out,
		    .data_size_out = sizeof(result->data_out), .repeat = repeat);
	double start;

	if (!prog) {
		result->err = -ENOENT;
		return;
	}
	start = thread_ns();
	result->err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts) ? -errno : 0;
	result->ns = thread_ns() - start;
	result->retval = opts.retval;
	result->duration = opts.duration;
	result->size_out = opts.data_size_out;
	if (obj->k_rings)
		ring_buffer__consume(obj->k_rings);
}

void bench_object_run(struct bench_object *obj, enum bench_engine engine, const char *prog,
		      const struct bench_packet *packet, int repeat, struct bench_result *result)
{
	struct bench_packet copy = *packet;

	memset(result->data_out, 0, sizeof(result->data_out));
	if (engine == BENCH_KERNEL)
		kernel_run(obj, prog, &copy, repeat, result);
	else
		vm_run(obj, engine, prog, &copy, repeat, result);
}
