/* Memory rules on objects compiled by clang: each object holds one program,
 * refused for its reason or accepted, by bpfvm and (when bpf() is usable)
 * by the kernel through libbpf. The reason may have several lines: the
 * kernel's log ends with them, bpfvm's message (after "insn N: ") starts
 * with them.
 *
 *     test_mem_objects OBJDIR */
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../testlib.h"
#include "bpfvm/bpfvm.h"

#define SKIP_RETURN_CODE 77

static const struct {
	const char *object;
	const char *reason; /* NULL: accepted */
} cases[] = {
	{ "mem_spin_lock_touched", "bpf_spin_lock cannot be accessed directly by load/store" },
	{ "mem_value_past_the_end", "invalid access to map value, value_size=16 off=16 size=4\n"
				    "R1 min value is outside of the allowed memory range" },
	{ "mem_rodata_written", "write into map forbidden, value_size=4 off=0 size=4" },
	{ "mem_packet_parse", NULL },
};

static const char *objdir;
static char kernel_log[1 << 20];

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static bool log_ends_with(const char *reason)
{
	char *end = strstr(kernel_log, "\nprocessed ");
	size_t len = strlen(reason);

	if (!end)
		return false;
	if ((size_t)(end - kernel_log) < len || strncmp(end - len, reason, len) != 0)
		return false;
	return end - len == kernel_log || end[-(long)len - 1] == '\n';
}

/* 1 accepted, 0 refused, -1 could not run. */
static int kernel_verdict(const char *path)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *prog;
	int err;

	if (!obj)
		return -1;
	kernel_log[0] = 0;
	bpf_object__for_each_program(prog, obj)
		bpf_program__set_log_buf(prog, kernel_log, sizeof(kernel_log));
	err = bpf_object__load(obj);
	bpf_object__close(obj);
	return err ? 0 : 1;
}

/* "" accepted, else the reason after "insn N: ". */
static void bpfvm_verdict(struct bpfvm *vm, const char *path, char *out, size_t size)
{
	struct bpfvm_object *obj;
	const char *msg, *reason;
	int err = bpfvm_object_open(vm, path, NULL, &obj);

	if (!err) {
		err = bpfvm_object_load(obj);
		bpfvm_object_close(obj);
	}
	out[0] = 0;
	if (!err)
		return;
	msg = bpfvm_errmsg();
	reason = strstr(msg, ": insn ");
	reason = reason ? strstr(reason + 7, ": ") : NULL;
	snprintf(out, size, "%s", reason ? reason + 2 : msg);
}

static bool probe_kernel(void)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/mem_packet_parse.bpf.o", objdir);
	return kernel_verdict(path) == 1;
}

int main(int argc, char **argv)
{
	struct bpfvm *vm = testlib_vm_create();
	bool have_kernel;
	char got[4096];

	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJDIR\n", argv[0]);
		return 2;
	}
	objdir = argv[1];
	libbpf_set_print(quiet);
	have_kernel = probe_kernel();
	if (!have_kernel)
		printf("kernel bpf() not usable: bpfvm's verdicts only\n");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *want = cases[i].reason;
		char path[512];
		int k;

		snprintf(path, sizeof(path), "%s/%s.bpf.o", objdir, cases[i].object);
		bpfvm_verdict(vm, path, got, sizeof(got));
		testlib_check(cases[i].object,
			      want ? got[0] && strncmp(got, want, strlen(want)) == 0 : !got[0],
			      "bpfvm: %s | want: %s", got[0] ? got : "(accepted)",
			      want ? want : "(accepted)");
		if (!have_kernel)
			continue;
		k = kernel_verdict(path);
		testlib_check(cases[i].object, want ? k == 0 && log_ends_with(want) : k == 1,
			      "kernel: %s | want: %s", k == 1 ? "(accepted)" : kernel_log,
			      want ? want : "(accepted)");
	}
	bpfvm_destroy(vm);
	return testlib_summary();
}
