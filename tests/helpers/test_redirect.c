/* bpf_redirect and bpf_redirect_map with DEVMAP / DEVMAP_HASH: every
 * program of tests/helpers/bpf/redirect.bpf.c run in bpfvm and, when bpf()
 * is usable, in the kernel (libbpf, BPF_PROG_TEST_RUN); the actions must be
 * the expected ones on both. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/pkt_cls.h>

#include "bpfvm/bpfvm.h"

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
	uint32_t key = 1, hkey = 7, val[2] = { 1, 0 };

	bpfvm_map_update(bpfvm_object_find_map(obj, "devs"), &key, val, 0);
	bpfvm_map_update(bpfvm_object_find_map(obj, "devs_hash"), &hkey, val, 0);
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
	uint32_t key = 1, hkey = 7, val[2] = { 1, 0 };

	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "kernel: cannot load %s: %s\n", path, strerror(errno));
		failures++;
		bpf_object__close(obj);
		return;
	}
	bpf_map__update_elem(bpf_object__find_map_by_name(obj, "devs"), &key, 4, val, 8, 0);
	bpf_map__update_elem(bpf_object__find_map_by_name(obj, "devs_hash"), &hkey, 4, val, 4, 0);
	for (size_t i = 0; i < CASE_CNT; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = packet,
			    .data_size_in = sizeof(packet));
		struct bpf_program *prog = bpf_object__find_program_by_name(obj, cases[i].prog);
		int err = prog ? bpf_prog_test_run_opts(bpf_program__fd(prog), &run) : -ENOENT;

		check("kernel", &cases[i], err ? -errno : 0, run.retval, err ? strerror(errno) : "");
	}
	bpf_object__close(obj);
}

static bool kernel_usable(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "probe", "GPL", insns, 2, NULL);

	if (fd < 0)
		return false;
	close(fd);
	return true;
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
	bpfvm_side(path);
	if (kernel_usable())
		kernel_side(path);
	else
		printf("SKIP kernel side: bpf() is not usable\n");
	return failures ? 1 : 0;
}
