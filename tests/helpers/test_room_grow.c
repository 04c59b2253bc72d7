/* bpf_skb_adjust_room's grow path, where the kernel's answer depends on
 * the call before (skb->encapsulation: a second encapsulation is
 * -EALREADY) or on a packet shorter than the offset it grows at: every
 * program of bpf/room_grow.bpf.c run in bpfvm and, when bpf() is usable,
 * in the kernel (BPF_PROG_TEST_RUN). Answers must be the expected ones on
 * both sides, and bpfvm's packet out the kernel's byte for byte. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfvm/bpfvm.h"
#include "testlib.h"

struct grow_case {
	const char *prog;
	uint32_t size; /* packet bytes: Ethernet, IPv4 header, payload */
	int32_t retval;
	int run_err; /* the test run's own answer: 0, or -EINVAL for a short packet */
};

static const struct grow_case cases[] = {
	{ "encap_twice", 64, -EALREADY, 0 },
	{ "encap_then_grow", 64, 0, 0 },
	{ "grow_then_encap", 64, 0, 0 },
	{ "encap_gre_twice", 64, -EALREADY, 0 },
	{ "encap_twice_both_l3", 64, -EINVAL, 0 },
	{ "encap_decap_encap", 64, -EALREADY, 0 },
	/* Shorter than Ethernet + IPv4 header (the NET offset, 34): both test
	 * runs refuse the packet, so the grow never starts past its end. */
	{ "grow_net", 30, 0, -EINVAL },
	{ "grow_mac", 30, 0, -EINVAL },
	{ "encap_net", 30, 0, -EINVAL },
	{ "grow_net", 34, 0, 0 },
	{ "encap_net", 34, 0, 0 },
};

#define CASE_CNT (sizeof(cases) / sizeof(cases[0]))
#define OUT_SIZE 256

struct outcome {
	int err;
	int32_t retval;
	uint32_t size;
	uint8_t data[OUT_SIZE];
};

static struct outcome bpfvm_out[CASE_CNT];

/* Ethernet and an IPv4 header from and to loopback, then counting bytes,
 * cut at `size`. */
static void build_packet(uint8_t *p, uint32_t size)
{
	uint8_t full[64];

	for (int i = 0; i < 64; i++)
		full[i] = (uint8_t)i;
	memset(full, 0, 12);
	full[12] = 0x08, full[13] = 0x00;
	memset(full + 14, 0, 20);
	full[14] = 0x45;
	full[17] = 64 - 14;
	full[22] = 64, full[23] = 17;
	full[26] = 127, full[29] = 1;
	full[30] = 127, full[33] = 1;
	memcpy(p, full, size);
}

static void check(const char *who, const struct grow_case *c, const struct outcome *o)
{
	char name[64];

	snprintf(name, sizeof(name), "%s_%u_bytes_%s", c->prog, c->size, who);
	testlib_check(name, o->err == c->run_err && (o->err || o->retval == c->retval),
		      "err %d retval %d, want %d %d", o->err, o->retval, c->run_err, c->retval);
}

static void bpfvm_side(const char *path)
{
	struct bpfvm *vm = testlib_vm_create();
	struct bpfvm_object *obj = NULL;
	int err = bpfvm_object_open(vm, path, NULL, &obj);

	err = err ? err : bpfvm_object_load(obj);
	testlib_check("bpfvm_loads_the_object", !err, "%s", err ? bpfvm_errmsg() : "");
	for (size_t i = 0; !err && i < CASE_CNT; i++) {
		uint8_t packet[64];
		struct outcome *o = &bpfvm_out[i];
		struct bpfvm_test_run_opts run = { .sz = sizeof(run), .data_in = packet,
						   .data_size_in = cases[i].size,
						   .data_out = o->data,
						   .data_size_out = sizeof(o->data) };
		struct bpfvm_prog *prog = bpfvm_object_find_prog(obj, cases[i].prog);

		build_packet(packet, cases[i].size);
		o->err = prog ? bpfvm_prog_test_run(prog, &run) : -ENOENT;
		o->retval = (int32_t)run.retval;
		o->size = run.data_size_out;
		check("bpfvm", &cases[i], o);
	}
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
}

static void kernel_side(const char *path)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	int err = obj ? bpf_object__load(obj) : -errno;

	testlib_check("kernel_loads_the_object", !err, "%s", strerror(errno));
	for (size_t i = 0; !err && i < CASE_CNT; i++) {
		uint8_t packet[64];
		struct outcome o = { 0 };
		LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = packet,
			    .data_size_in = cases[i].size, .data_out = o.data,
			    .data_size_out = sizeof(o.data));
		struct bpf_program *prog = bpf_object__find_program_by_name(obj, cases[i].prog);
		char name[64];

		build_packet(packet, cases[i].size);
		o.err = prog ? bpf_prog_test_run_opts(bpf_program__fd(prog), &run) : -ENOENT;
		o.err = o.err ? -errno : 0;
		o.retval = (int32_t)run.retval;
		o.size = run.data_size_out;
		check("kernel", &cases[i], &o);
		snprintf(name, sizeof(name), "%s_%u_bytes_packet", cases[i].prog, cases[i].size);
		testlib_check(name, o.size == bpfvm_out[i].size &&
				    !memcmp(o.data, bpfvm_out[i].data, o.size),
			      "kernel %u bytes, bpfvm %u", o.size, bpfvm_out[i].size);
	}
	bpf_object__close(obj);
}

int main(int argc, char **argv)
{
	char path[4096];

	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJDIR\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/room_grow.bpf.o", argv[1]);
	bpfvm_side(path);
	if (testlib_kernel_usable())
		kernel_side(path);
	else
		printf("SKIP kernel side: bpf() is not usable\n");
	return testlib_summary();
}
