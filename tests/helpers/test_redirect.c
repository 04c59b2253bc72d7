/* bpf_redirect and bpf_redirect_map with DEVMAP / DEVMAP_HASH / CPUMAP /
 * XSKMAP: every
 * program of tests/helpers/bpf/redirect.bpf.c run in bpfvm and, when bpf()
 * is usable, in the kernel (libbpf, BPF_PROG_TEST_RUN); the actions must be
 * the expected ones on both. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/pkt_cls.h>

#include "bpfvm/bpfvm.h"
#include "testlib.h"

struct redirect_case {
	const char *prog;
	uint32_t retval;
};

static const struct redirect_case cases[] = {
	{ "xdp_redirect_ifindex", XDP_REDIRECT },  { "xdp_redirect_flags", XDP_ABORTED },
	{ "xdp_map_hit", XDP_REDIRECT },	   { "xdp_map_miss", XDP_PASS },
	{ "xdp_map_past_end", XDP_REDIRECT },	   { "xdp_map_bad_flags", XDP_ABORTED },
	{ "xdp_map_broadcast", XDP_REDIRECT },	   { "xdp_hash_hit", XDP_REDIRECT },
	{ "xdp_hash_miss", XDP_TX },		   { "xdp_devmap_lookup", 11 },
	{ "xdp_cpu_hit", XDP_REDIRECT },	   { "xdp_cpu_miss", XDP_PASS },
	{ "xdp_cpu_broadcast", XDP_ABORTED },	   { "xdp_xsk_miss", XDP_TX },
	{ "xdp_xsk_lookup", XDP_PASS },
	{ "tc_redirect", TC_ACT_REDIRECT },	   { "tc_redirect_ingress", TC_ACT_REDIRECT },
	{ "tc_redirect_bad_flags", TC_ACT_SHOT },
};

#define CASE_CNT (sizeof(cases) / sizeof(cases[0]))

static const char *objects_dir;
static int failures;
static uint8_t packet[64] = { [12] = 0x08 }; /* an IPv4 ethertype */

static void check(const char *who, const struct redirect_case *c, int err, uint32_t retval,
		  const char *message)
{
	bool ok = !err && retval == c->retval;

	printf("%-7s %-24s err %4d retval %u %s\n", who, c->prog, err, retval,
	       ok ? "OK" : "MISMATCH");
	if (!ok) {
		fprintf(stderr, "  expected retval %u; %s\n", c->retval, message);
		failures++;
	}
}

static void fill_bpfvm(struct bpfvm_object *obj)
{
	uint32_t key = 1, hkey = 7, cpu = 0, val[2] = { 1, 0 }, queue[2] = { 64, 0 };

	bpfvm_map_update(bpfvm_object_find_map(obj, "devs"), &key, val, 0);
	bpfvm_map_update(bpfvm_object_find_map(obj, "devs_hash"), &hkey, val, 0);
	bpfvm_map_update(bpfvm_object_find_map(obj, "cpus"), &cpu, queue, 0);
}

static void bpfvm_side(const char *path)
{
	struct bpfvm *vm = NULL;
	struct bpfvm_object *obj = NULL;
	int err = bpfvm_create(NULL, &vm);

	if (!err)
		err = bpfvm_object_open(vm, path, NULL, &obj);
	if (!err)
		err = bpfvm_object_load(obj);
	if (err) {
		fprintf(stderr, "bpfvm: %s\n", bpfvm_errmsg());
		failures++;
		goto done;
	}
	fill_bpfvm(obj);
	for (size_t i = 0; i < CASE_CNT; i++) {
		struct bpfvm_test_run_opts run = { .sz = sizeof(run), .data_in = packet,
						   .data_size_in = sizeof(packet) };
		struct bpfvm_prog *prog = bpfvm_object_find_prog(obj, cases[i].prog);

		err = prog ? bpfvm_prog_test_run(prog, &run) : -ENOENT;
		check("bpfvm", &cases[i], err, run.retval, err ? bpfvm_errmsg() : "");
	}
done:
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
}

static void kernel_side(const char *path)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	uint32_t key = 1, hkey = 7, cpu = 0, val[2] = { 1, 0 }, queue[2] = { 64, 0 };

	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "kernel: cannot load %s: %s\n", path, strerror(errno));
		failures++;
		bpf_object__close(obj);
		return;
	}
	bpf_map__update_elem(bpf_object__find_map_by_name(obj, "devs"), &key, 4, val, 8, 0);
	bpf_map__update_elem(bpf_object__find_map_by_name(obj, "devs_hash"), &hkey, 4, val, 4, 0);
	bpf_map__update_elem(bpf_object__find_map_by_name(obj, "cpus"), &cpu, 4, queue, 8, 0);
	for (size_t i = 0; i < CASE_CNT; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = packet,
			    .data_size_in = sizeof(packet));
		struct bpf_program *prog = bpf_object__find_program_by_name(obj, cases[i].prog);
		int err = prog ? bpf_prog_test_run_opts(bpf_program__fd(prog), &run) : -ENOENT;

		check("kernel", &cases[i], err ? -errno : 0, run.retval, err ? strerror(errno) : "");
	}
	bpf_object__close(obj);
}

/* User-space operations on CPUMAP and XSKMAP, in order, with the errno
 * Linux 6.18 gives (checked by running them on both). */
enum op_kind { OP_UPDATE, OP_LOOKUP, OP_DELETE };

struct map_op {
	enum op_kind kind;
	uint32_t key;
	int32_t value[2]; /* XSKMAP: value[0] < 0 names a descriptor of fds[] */
	uint64_t flags;
	int expected;
};

static const struct map_op cpumap_ops[] = {
	{ OP_UPDATE, 0, { 64, 0 }, 0, 0 },	     { OP_UPDATE, 0, { 64, 0 }, BPF_NOEXIST, -EEXIST },
	{ OP_UPDATE, 0, { 20000, 0 }, 0, -EOVERFLOW }, { OP_UPDATE, 4, { 64, 0 }, 0, -E2BIG },
	{ OP_UPDATE, 0, { 64, 0 }, 3, -EINVAL },     { OP_UPDATE, 1, { 64, 1 }, 0, -ENOMEM },
	{ OP_LOOKUP, 0, { 64, 0 }, 0, 0 },	     { OP_LOOKUP, 1, { 0 }, 0, -ENOENT },
	{ OP_DELETE, 1, { 0 }, 0, 0 },		     { OP_DELETE, 4, { 0 }, 0, -EINVAL },
	{ OP_DELETE, 0, { 0 }, 0, 0 },		     { OP_LOOKUP, 0, { 0 }, 0, -ENOENT },
};

static int fds[3]; /* a TCP socket, /dev/null, an AF_XDP socket (or -1) */

static const struct map_op xskmap_ops[] = {
	{ OP_UPDATE, 0, { -1 }, 0, -EOPNOTSUPP }, { OP_UPDATE, 0, { -2 }, 0, -ENOTSOCK },
	{ OP_UPDATE, 0, { 9999 }, 0, -EBADF },	  { OP_UPDATE, 9, { -1 }, 0, -E2BIG },
	{ OP_UPDATE, 0, { -1 }, 4, -EINVAL },	  { OP_UPDATE, 1, { -3 }, 0, 0 },
	{ OP_LOOKUP, 1, { 0 }, 0, -EOPNOTSUPP },  { OP_DELETE, 9, { 0 }, 0, -EINVAL },
	{ OP_DELETE, 1, { 0 }, 0, 0 },
};

static void op_value(const struct map_op *op, bool xsk, int32_t value[2])
{
	value[0] = xsk && op->value[0] < 0 ? fds[-op->value[0] - 1] : op->value[0];
	value[1] = op->value[1];
}

static void check_op(const char *who, const char *map, size_t i, int err, const struct map_op *op)
{
	if (err == op->expected)
		return;
	fprintf(stderr, "%s %s op %zu: %d, expected %d\n", who, map, i, err, op->expected);
	failures++;
}

static void run_ops_bpfvm(enum bpf_map_type type, const struct map_op *ops, size_t cnt)
{
	const char *name = type == BPF_MAP_TYPE_XSKMAP ? "xskmap" : "cpumap";
	bool xsk = type == BPF_MAP_TYPE_XSKMAP;
	struct bpfvm *vm = NULL;
	struct bpfvm_map *map = NULL;
	int err = bpfvm_create(NULL, &vm);

	if (!err)
		err = bpfvm_map_create(vm, type, name, 4, xsk ? 4 : 8, 4, NULL, &map);
	for (size_t i = 0; i < cnt && !err; i++) {
		int32_t value[2], out[2] = { 0, 0 };
		int r;

		if (xsk && ops[i].value[0] == -3 && fds[2] < 0)
			continue;
		op_value(&ops[i], xsk, value);
		if (ops[i].kind == OP_UPDATE)
			r = bpfvm_map_update(map, &ops[i].key, value, ops[i].flags);
		else if (ops[i].kind == OP_DELETE)
			r = bpfvm_map_delete(map, &ops[i].key);
		else
			r = bpfvm_map_lookup(map, &ops[i].key, out);
		check_op("bpfvm", name, i, r, &ops[i]);
		if (ops[i].kind == OP_LOOKUP && !r && memcmp(out, value, sizeof(out))) {
			fprintf(stderr, "bpfvm %s op %zu: value %d %d\n", name, i, out[0], out[1]);
			failures++;
		}
	}
	if (err) {
		fprintf(stderr, "bpfvm %s: %s\n", name, bpfvm_errmsg());
		failures++;
	}
	bpfvm_map_close(map);
	bpfvm_destroy(vm);
}

static void run_ops_kernel(enum bpf_map_type type, const struct map_op *ops, size_t cnt)
{
	bool xsk = type == BPF_MAP_TYPE_XSKMAP;
	const char *name = xsk ? "xskmap" : "cpumap";
	int fd = bpf_map_create(type, name, 4, xsk ? 4 : 8, 4, NULL);

	if (fd < 0) {
		fprintf(stderr, "kernel %s: %s\n", name, strerror(errno));
		failures++;
		return;
	}
	for (size_t i = 0; i < cnt; i++) {
		int32_t value[2], out[2];
		int r;

		if (xsk && ops[i].value[0] == -3 && fds[2] < 0)
			continue;
		op_value(&ops[i], xsk, value);
		if (ops[i].kind == OP_UPDATE)
			r = bpf_map_update_elem(fd, &ops[i].key, value, ops[i].flags);
		else if (ops[i].kind == OP_DELETE)
			r = bpf_map_delete_elem(fd, &ops[i].key);
		else
			r = bpf_map_lookup_elem(fd, &ops[i].key, out);
		check_op("kernel", name, i, r ? -errno : 0, &ops[i]);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	char path[4096];

	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJECTS_DIR\n", argv[0]);
		return 2;
	}
	objects_dir = argv[1];
	snprintf(path, sizeof(path), "%s/redirect.bpf.o", objects_dir);
	fds[0] = socket(AF_INET, SOCK_STREAM, 0);
	fds[1] = open("/dev/null", O_RDONLY);
	fds[2] = socket(44 /* AF_XDP */, SOCK_RAW, 0);
	bpfvm_side(path);
	run_ops_bpfvm(BPF_MAP_TYPE_CPUMAP, cpumap_ops, sizeof(cpumap_ops) / sizeof(cpumap_ops[0]));
	run_ops_bpfvm(BPF_MAP_TYPE_XSKMAP, xskmap_ops, sizeof(xskmap_ops) / sizeof(xskmap_ops[0]));
	if (testlib_kernel_usable()) {
		kernel_side(path);
		run_ops_kernel(BPF_MAP_TYPE_CPUMAP, cpumap_ops,
			       sizeof(cpumap_ops) / sizeof(cpumap_ops[0]));
		run_ops_kernel(BPF_MAP_TYPE_XSKMAP, xskmap_ops,
			       sizeof(xskmap_ops) / sizeof(xskmap_ops[0]));
	} else
		printf("SKIP kernel side: bpf() is not usable\n");
	return failures ? 1 : 0;
}
