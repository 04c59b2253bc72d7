/* Objects with CO-RE relocations through the public API, as libbpf loads
 * them: relocated against btf_custom_path or the kernel's BTF, run, and
 * (with --kernel) compared with the same object loaded into the kernel by
 * libbpf and run with BPF_PROG_TEST_RUN.
 *
 *   core_fields.bpf.o  + core_target.bpf.o's BTF: offsets, bitfields, sizes,
 *                        enumerators, existence; a missing field poisoned in
 *                        dead code
 *   core_missing.bpf.o   the missing field read on a live path: rejected
 *   vmlinux_parse.bpf.o  XDP and tc built with the machine's vmlinux.h
 *   vmlinux_trace.bpf.o  tracing with most of bpf_core_read.h: with --kernel,
 *                        its relocated instructions are compared with libbpf's
 *
 * Usage: test_object_core OBJECTS_DIR [--kernel]  (--kernel exits 77 when
 * bpf() is not usable) */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "loader_testlib.h"
#include "object/object.h"
#include "testlib.h"

#define POISON_WORDS "invalid func unknown#195896080"

/* struct core_results of core_fields.bpf.c */
struct core_results {
	uint64_t a, b, hi, lo;
	uint64_t b_exists, only_local_exists, only_local;
	uint64_t size, blue, purple_exists, absent_exists;
	uint64_t grow;
};

/* What a run gave: the load's error and message, the return value, .bss. */
struct outcome {
	int load_err;
	char message[4096];
	uint32_t retval;
	struct core_results bss;
};

struct run_spec {
	const char *object;
	const char *btf;  /* a file of OBJECTS_DIR, or NULL: the kernel's BTF */
	const char *prog;
	const void *pkt;
	uint32_t pkt_len;
	bool read_bss;
};

static void object_file(char *buf, size_t size, const char *name)
{
	loader_object_path(buf, size, name);
}

/* ---- bpfvm's side ---- */

static void bpfvm_side(const struct run_spec *spec, struct outcome *out)
{
	char path[4096], btf[4096];
	struct bpfvm_object_opts opts = { .sz = sizeof(opts) };
	struct bpfvm *vm = loader_vm_create();
	struct bpfvm_object *obj = NULL;
	struct bpfvm_test_run_opts run = { .sz = sizeof(run) };
	uint32_t key = 0;

	memset(out, 0, sizeof(*out));
	object_file(path, sizeof(path), spec->object);
	if (spec->btf) {
		object_file(btf, sizeof(btf), spec->btf);
		opts.btf_custom_path = btf;
	}
	out->load_err = bpfvm_object_open(vm, path, &opts, &obj);
	if (!out->load_err)
		out->load_err = bpfvm_object_load(obj);
	if (out->load_err) {
		snprintf(out->message, sizeof(out->message), "%s", bpfvm_errmsg());
		goto done;
	}
	run.data_in = spec->pkt;
	run.data_size_in = spec->pkt_len;
	run.repeat = 1;
	out->load_err = bpfvm_prog_test_run(bpfvm_object_find_prog(obj, spec->prog), &run);
	out->retval = run.retval;
	if (!out->load_err && spec->read_bss)
		out->load_err = bpfvm_map_lookup(bpfvm_object_find_map(obj, ".bss"), &key,
						 &out->bss);
	if (out->load_err)
		snprintf(out->message, sizeof(out->message), "run: %s", bpfvm_errmsg());
done:
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
}

/* ---- the kernel's side, through libbpf ---- */

static char libbpf_messages[65536];

static int keep_message(enum libbpf_print_level level, const char *fmt, va_list args)
{
	size_t used = strlen(libbpf_messages);

	if (level == LIBBPF_DEBUG || used > sizeof(libbpf_messages) - 1024)
		return 0;
	return vsnprintf(libbpf_messages + used, sizeof(libbpf_messages) - used, fmt, args);
}

static void kernel_side(const struct run_spec *spec, struct outcome *out)
{
	char path[4096], btf[4096];
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = spec->pkt,
		    .data_size_in = spec->pkt_len, .repeat = 1);
	struct bpf_object *obj;
	uint32_t key = 0;

	memset(out, 0, sizeof(*out));
	libbpf_messages[0] = '\0';
	object_file(path, sizeof(path), spec->object);
	if (spec->btf) {
		object_file(btf, sizeof(btf), spec->btf);
		opts.btf_custom_path = btf;
	}
	obj = bpf_object__open_file(path, &opts);
	if (!obj) {
		out->load_err = -errno;
		snprintf(out->message, sizeof(out->message), "open: %s", libbpf_messages);
		return;
	}
	out->load_err = bpf_object__load(obj);
	if (out->load_err) {
		snprintf(out->message, sizeof(out->message), "%s", libbpf_messages);
		goto done;
	}
	out->load_err = bpf_prog_test_run_opts(
		bpf_program__fd(bpf_object__find_program_by_name(obj, spec->prog)), &run);
	out->retval = run.retval;
	if (!out->load_err && spec->read_bss)
		out->load_err = bpf_map__lookup_elem(bpf_object__find_map_by_name(obj, ".bss"),
						     &key, sizeof(key), &out->bss,
						     sizeof(out->bss), 0);
	if (out->load_err)
		snprintf(out->message, sizeof(out->message), "run: %s", strerror(errno));
done:
	bpf_object__close(obj);
}

/* ---- packets ---- */

/* struct core_pair in core_target.bpf.c's layout: pad, b = 5, a = 7, then
 * spare:4 = 0xf, lo:3 = 6, hi:5 = 19, then a 64-bit grow. */
static void target_layout_packet(uint8_t pkt[64])
{
	uint32_t b = 5, a = 7, bits = 0xf | 6u << 4 | 19u << 7;
	uint64_t grow = 0x100000002ull;

	memset(pkt, 0xee, 64);
	memcpy(pkt + 8, &b, 4);
	memcpy(pkt + 12, &a, 4);
	memcpy(pkt + 16, &bits, 4);
	memcpy(pkt + 24, &grow, 8);
}

static const struct core_results expected_against_target = {
	.a = 7, .b = 5, .hi = 19, .lo = 6, .b_exists = 1, .only_local_exists = 0,
	.only_local = 0, .size = 32, .blue = 20, .purple_exists = 0, .absent_exists = 0,
	.grow = 0x100000002ull,
};

static void check_results(const char *test, const char *who, const struct core_results *got,
			  const struct core_results *want)
{
	testlib_check(test, memcmp(got, want, sizeof(*got)) == 0,
		      "%s: a %llu b %llu hi %llu lo %llu b_exists %llu only_local_exists %llu "
		      "only_local %llu size %llu blue %llu purple_exists %llu absent_exists %llu "
		      "grow 0x%llx",
		      who, (unsigned long long)got->a, (unsigned long long)got->b,
		      (unsigned long long)got->hi, (unsigned long long)got->lo,
		      (unsigned long long)got->b_exists,
		      (unsigned long long)got->only_local_exists,
		      (unsigned long long)got->only_local, (unsigned long long)got->size,
		      (unsigned long long)got->blue, (unsigned long long)got->purple_exists,
		      (unsigned long long)got->absent_exists, (unsigned long long)got->grow);
}

/* ---- tests ---- */

static void fields_relocate_to_the_target_layout(bool kernel)
{
	const char *test = "fields_relocate_to_the_target_layout";
	uint8_t pkt[64];
	struct run_spec spec = { "core_fields.bpf.o", "core_target.bpf.o", "read_fields", pkt,
				 sizeof(pkt), true };
	struct outcome vm, k;

	target_layout_packet(pkt);
	bpfvm_side(&spec, &vm);
	testlib_check(test, vm.load_err == 0 && vm.retval == 0, "bpfvm: %d retval %u: %s",
		      vm.load_err, vm.retval, vm.message);
	if (!vm.load_err)
		check_results(test, "bpfvm", &vm.bss, &expected_against_target);
	if (!kernel)
		return;
	kernel_side(&spec, &k);
	testlib_check(test, k.load_err == 0 && k.retval == 0, "kernel: %d retval %u: %s",
		      k.load_err, k.retval, k.message);
	if (!k.load_err)
		check_results(test, "kernel", &k.bss, &vm.bss);
}

static void reaching_a_poisoned_insn_is_rejected(bool kernel)
{
	const char *test = "reaching_a_poisoned_insn_is_rejected";
	uint8_t pkt[64] = { 0 };
	struct run_spec spec = { "core_missing.bpf.o", "core_target.bpf.o", "read_missing", pkt,
				 sizeof(pkt), false };
	struct outcome vm, k;

	bpfvm_side(&spec, &vm);
	testlib_check(test, vm.load_err == -EINVAL && strstr(vm.message, POISON_WORDS),
		      "bpfvm: %d: %s", vm.load_err, vm.message);
	if (!kernel)
		return;
	kernel_side(&spec, &k);
	/* libbpf rewrites the kernel's line into its own explanation. */
	testlib_check(test, k.load_err != 0 && (strstr(k.message, POISON_WORDS) ||
						strstr(k.message, "invalid CO-RE relocation")),
		      "kernel: %d: %s", k.load_err, k.message);
}

/* core_pair is not a kernel type: against the kernel's BTF, every access
 * is poisoned and the first reached rejects the program, in both. */
static void kernel_btf_lacks_the_program_types(bool kernel)
{
	const char *test = "kernel_btf_lacks_the_program_types";
	uint8_t pkt[64];
	struct run_spec spec = { "core_fields.bpf.o", NULL, "read_fields", pkt, sizeof(pkt),
				 true };
	struct outcome vm, k;

	target_layout_packet(pkt);
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		printf("NOT CHECKED %s: no kernel BTF here\n", test);
		return;
	}
	bpfvm_side(&spec, &vm);
	testlib_check(test, vm.load_err == -EINVAL && strstr(vm.message, POISON_WORDS),
		      "bpfvm: %d: %s", vm.load_err, vm.message);
	if (!kernel)
		return;
	kernel_side(&spec, &k);
	testlib_check(test, k.load_err != 0, "the kernel loaded it: %s", k.message);
}

struct parse_case {
	const char *name;
	uint8_t proto_hi, proto_lo, ttl, ip_proto;
	uint32_t len;
	uint32_t xdp; /* expected XDP action */
	int tc_err;   /* BPF_PROG_TEST_RUN refuses an IPv4 packet shorter than its header */
};

static void fill_packet(uint8_t *pkt, const struct parse_case *c)
{
	memset(pkt, 0, 128);
	memset(pkt, 0xaa, 12);
	pkt[12] = c->proto_hi;
	pkt[13] = c->proto_lo;
	pkt[14] = 0x45;
	pkt[16] = 0;
	pkt[17] = (uint8_t)(c->len - 14);
	pkt[22] = c->ttl;
	pkt[23] = c->ip_proto;
}

static void vmlinux_programs_parse_packets(bool kernel)
{
	const char *test = "vmlinux_programs_parse_packets";
	static const struct parse_case cases[] = {
		{ "udp", 0x08, 0x00, 64, 17, 60, 1 /* XDP_DROP */, 0 },
		{ "tcp", 0x08, 0x00, 64, 6, 74, 2 /* XDP_PASS */, 0 },
		{ "ttl1", 0x08, 0x00, 1, 6, 60, 3 /* XDP_TX */, 0 },
		{ "arp", 0x08, 0x06, 64, 17, 60, 2, 0 },
		{ "short", 0x08, 0x00, 64, 17, 20, 0 /* XDP_ABORTED */, -EINVAL },
	};
	char path[4096];
	uint8_t pkt[128];

	object_file(path, sizeof(path), "vmlinux_parse.bpf.o");
	if (access(path, R_OK) != 0) {
		printf("NOT CHECKED %s: no vmlinux.h was generated (bpftool or the kernel's "
		       "BTF missing)\n", test);
		return;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct parse_case *c = &cases[i];
		struct run_spec xdp = { "vmlinux_parse.bpf.o", NULL, "xdp_classify", pkt, c->len,
					false };
		struct run_spec tc = xdp;
		struct outcome vm_xdp, vm_tc, k;

		tc.prog = "tc_fields";
		fill_packet(pkt, c);
		bpfvm_side(&xdp, &vm_xdp);
		testlib_check(test, vm_xdp.load_err == 0 && vm_xdp.retval == c->xdp,
			      "%s: bpfvm xdp: %d retval %u, expected %u: %s", c->name,
			      vm_xdp.load_err, vm_xdp.retval, c->xdp, vm_xdp.message);
		bpfvm_side(&tc, &vm_tc);
		testlib_check(test, vm_tc.load_err == c->tc_err, "%s: bpfvm tc: %d: %s", c->name,
			      vm_tc.load_err, vm_tc.message);
		if (!kernel)
			continue;
		kernel_side(&xdp, &k);
		testlib_check(test, k.load_err == 0 && k.retval == vm_xdp.retval,
			      "%s: kernel xdp: %d retval %u, bpfvm %u: %s", c->name, k.load_err,
			      k.retval, vm_xdp.retval, k.message);
		kernel_side(&tc, &k);
		testlib_check(test, k.load_err == c->tc_err && k.retval == vm_tc.retval,
			      "%s: kernel tc: %d retval 0x%x, bpfvm 0x%x: %s", c->name,
			      k.load_err, k.retval, vm_tc.retval, k.message);
	}
}

/* Instruction idx of bpfvm's (read, not linked) and libbpf's (loaded)
 * program differ in more than what the other relocations change: map and
 * global data lddw (libbpf puts fds) and calls to subprograms (libbpf
 * appends them elsewhere). */
static bool insn_differs(const struct bpf_insn *vm, const struct bpf_insn *lib)
{
	if (lib->src_reg == BPF_PSEUDO_CALL && lib->code == (BPF_JMP | BPF_CALL))
		return false;
	return memcmp(vm, lib, sizeof(*vm)) != 0;
}

static void compare_program(const char *test, const char *object, const struct object_prog *prog,
			    const struct bpf_program *lib_prog)
{
	const struct bpf_insn *lib = bpf_program__insns(lib_prog);
	uint32_t differ = 0, first = 0;

	testlib_check(test, lib && bpf_program__insn_cnt(lib_prog) >= prog->insn_cnt,
		      "%s: %s: libbpf has no instructions", object, prog->name);
	for (uint32_t i = 0; lib && i < prog->insn_cnt; i++) {
		bool lddw = lib[i].code == (BPF_LD | BPF_IMM | BPF_DW);

		if (lddw && lib[i].src_reg) { /* a map: the fd in both halves */
			i++;
			continue;
		}
		if (insn_differs(&prog->insns[i], &lib[i]) && differ++ == 0)
			first = i;
	}
	testlib_check(test, differ == 0, "%s: %s: %u instructions differ from libbpf's, the "
		      "first at %u: code 0x%02x off %d imm %d, libbpf code 0x%02x off %d imm %d",
		      object, prog->name, differ, first, prog->insns[first].code,
		      prog->insns[first].off, prog->insns[first].imm, lib[first].code,
		      lib[first].off, lib[first].imm);
}

/* bpfvm relocates to exactly libbpf's instructions. */
static void relocated_insns_are_libbpfs(const char *object, const char *btf_name)
{
	const char *test = "relocated_insns_are_libbpfs";
	char path[4096], btf[4096];
	struct object_read_opts read_opts = { 0 };
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	struct object_file *file = NULL;
	struct bpf_object *obj;
	struct bpf_program *lib_prog;
	char *buf;
	size_t size;
	FILE *f;
	int err;

	object_file(path, sizeof(path), object);
	if (access(path, R_OK) != 0) {
		printf("NOT CHECKED %s: %s was not built (no vmlinux.h)\n", test, object);
		return;
	}
	if (btf_name) {
		object_file(btf, sizeof(btf), btf_name);
		read_opts.btf_custom_path = opts.btf_custom_path = btf;
	}
	f = fopen(path, "rb");
	buf = malloc(1 << 22);
	size = f && buf ? fread(buf, 1, 1 << 22, f) : 0;
	if (f)
		fclose(f);
	err = object_read(buf, size, path, "core", &read_opts, &file);
	testlib_check(test, err == 0, "%s: bpfvm: %d %s", object, err, bpfvm_errmsg());
	libbpf_messages[0] = '\0';
	obj = bpf_object__open_file(path, &opts);
	err = obj ? bpf_object__load(obj) : -errno;
	testlib_check(test, err == 0, "%s: libbpf: %d %s", object, err, libbpf_messages);
	bpf_object__for_each_program(lib_prog, obj) {
		int idx = file && !err ? object_find_prog(file, bpf_program__name(lib_prog)) : -1;

		if (idx >= 0)
			compare_program(test, object, &file->progs[idx], lib_prog);
	}
	bpf_object__close(obj);
	object_file_free(file);
	free(buf);
}

int main(int argc, char **argv)
{
	bool kernel = argc == 3 && strcmp(argv[2], "--kernel") == 0;

	if (argc != 2 && !kernel) {
		fprintf(stderr, "usage: %s OBJECTS_DIR [--kernel]\n", argv[0]);
		return 2;
	}
	loader_objects_dir = argv[1];
	libbpf_set_print(keep_message);
	if (kernel && !testlib_kernel_usable()) {
		printf("SKIP: bpf(BPF_PROG_LOAD) is not usable: %s\n", strerror(errno));
		return 77;
	}
	fields_relocate_to_the_target_layout(kernel);
	reaching_a_poisoned_insn_is_rejected(kernel);
	kernel_btf_lacks_the_program_types(kernel);
	vmlinux_programs_parse_packets(kernel);
	if (kernel) {
		relocated_insns_are_libbpfs("core_fields.bpf.o", "core_target.bpf.o");
		relocated_insns_are_libbpfs("vmlinux_parse.bpf.o", NULL);
		relocated_insns_are_libbpfs("vmlinux_trace.bpf.o", NULL);
	}
	return testlib_summary();
}
