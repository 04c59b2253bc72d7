/* kfunc externs in objects (tests/object/bpf/kfunc*.bpf.c): resolved by
 * name at load, a __weak one that is not found to 0 (bpf_ksym_exists false,
 * its calls dead code), a strong one that is not found failing the load with
 * libbpf's -EINVAL, the RCU pairing rule. Each case runs in bpfvm and, when
 * bpf() is usable, in the kernel through libbpf: the outcomes must be the
 * same. Then a kfunc registered by the embedder is found by the weak extern
 * that the kernel does not have. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfvm/bpfvm.h"
#include "object/loader_testlib.h"
#include "testlib.h"

struct kfunc_case {
	const char *object, *prog;
	int load_err;	 /* expected of both */
	uint32_t retval; /* XDP action, when loaded */
};

static const struct kfunc_case cases[] = {
	{ "kfuncs.bpf.o", "rcu_section", 0, XDP_PASS },
	{ "kfuncs.bpf.o", "weak_missing", 0, XDP_DROP },
	{ "kfuncs.bpf.o", "weak_maybe_present", 0, XDP_DROP },
	{ "kfunc_strong_missing.bpf.o", "strong_missing", -EINVAL, 0 },
	{ "kfunc_rcu_unpaired.bpf.o", "rcu_left_open", -EINVAL, 0 },
};

struct outcome {
	int load_err;
	uint32_t retval;
	char message[1024];
};

static int failures;

static uint64_t add3(uint64_t a, uint64_t b, uint64_t c, uint64_t r4, uint64_t r5)
{
	return a + b + c;
}

static void bpfvm_side(const struct kfunc_case *c, bool with_add3, struct outcome *out)
{
	static uint8_t packet[64];
	struct bpfvm_test_run_opts run = { .sz = sizeof(run), .data_in = packet,
					   .data_size_in = sizeof(packet) };
	struct bpfvm_kfunc kfunc = { .sz = sizeof(kfunc), .name = "bpfvm_test_add3", .id = 7,
				     .fn = add3, .args = { BPFVM_KFUNC_ARG_SCALAR,
							   BPFVM_KFUNC_ARG_SCALAR,
							   BPFVM_KFUNC_ARG_SCALAR } };
	struct bpfvm *vm = loader_vm_create();
	struct bpfvm_object *obj = NULL;
	struct bpfvm_prog *prog;
	char path[4096];

	memset(out, 0, sizeof(*out));
	if (with_add3 && bpfvm_kfunc_register(vm, &kfunc)) {
		out->load_err = -1;
		snprintf(out->message, sizeof(out->message), "register: %s", bpfvm_errmsg());
		goto done;
	}
	loader_object_path(path, sizeof(path), c->object);
	out->load_err = bpfvm_object_open(vm, path, NULL, &obj);
	if (out->load_err)
		goto failed;
	prog = bpfvm_object_find_prog(obj, c->prog);
	out->load_err = prog ? bpfvm_object_autoload_only(obj, prog) : -ENOENT;
	if (!out->load_err)
		out->load_err = bpfvm_object_load(obj);
	if (!out->load_err)
		out->load_err = bpfvm_prog_test_run(prog, &run);
	out->retval = run.retval;
failed:
	if (out->load_err)
		snprintf(out->message, sizeof(out->message), "%s", bpfvm_errmsg());
done:
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
}

static char libbpf_messages[16384];

static int keep_message(enum libbpf_print_level level, const char *fmt, va_list args)
{
	size_t used = strlen(libbpf_messages);

	if (level == LIBBPF_DEBUG || used > sizeof(libbpf_messages) - 1024)
		return 0;
	return vsnprintf(libbpf_messages + used, sizeof(libbpf_messages) - used, fmt, args);
}

static void kernel_side(const struct kfunc_case *c, struct outcome *out)
{
	static uint8_t packet[64];
	LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = packet, .data_size_in = sizeof(packet));
	struct bpf_program *prog, *p;
	struct bpf_object *obj;
	char path[4096];

	memset(out, 0, sizeof(*out));
	libbpf_messages[0] = '\0';
	loader_object_path(path, sizeof(path), c->object);
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		out->load_err = -errno;
		return;
	}
	prog = bpf_object__find_program_by_name(obj, c->prog);
	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, p == prog);
	out->load_err = bpf_object__load(obj);
	if (!out->load_err)
		out->load_err = bpf_prog_test_run_opts(bpf_program__fd(prog), &run);
	out->retval = run.retval;
	if (out->load_err)
		snprintf(out->message, sizeof(out->message), "%s", libbpf_messages);
	bpf_object__close(obj);
}

static void check(const char *who, const struct kfunc_case *c, const struct outcome *got)
{
	bool ok = got->load_err == c->load_err && (c->load_err || got->retval == c->retval);

	printf("%-8s %-28s %-20s err %4d retval %u %s\n", who, c->object, c->prog, got->load_err,
	       got->retval, ok ? "OK" : "MISMATCH");
	if (!ok) {
		fprintf(stderr, "  expected err %d retval %u; message: %s\n", c->load_err,
			c->retval, got->message);
		failures++;
	}
}

int main(int argc, char **argv)
{
	const struct kfunc_case present = { "kfuncs.bpf.o", "weak_maybe_present", 0, XDP_TX };
	bool kernel = testlib_kernel_usable();
	struct outcome out;

	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJECTS_DIR\n", argv[0]);
		return 2;
	}
	loader_objects_dir = argv[1];
	libbpf_set_print(keep_message);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bpfvm_side(&cases[i], false, &out);
		check("bpfvm", &cases[i], &out);
		if (!kernel)
			continue;
		kernel_side(&cases[i], &out);
		check("kernel", &cases[i], &out);
	}
	if (!kernel)
		printf("SKIP kernel side: bpf() is not usable\n");
	bpfvm_side(&present, true, &out);
	check("bpfvm+", &present, &out);
	return failures ? 1 : 0;
}
