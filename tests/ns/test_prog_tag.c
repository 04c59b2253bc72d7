/* Program tags (bpftool's `tag`) are the kernel's: every program of the
 * objects named on the command line gets the tag that Linux gives it when
 * libbpf loads the same object (bpf_prog_info.tag), and a fixed raw program
 * the tag recorded from Linux 6.18, which is checked without bpf() too.
 * Without a usable bpf() the kernel half prints SKIP and the test exits 77
 * once the recorded check has passed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "testlib.h"

#define SKIP_RETURN_CODE 77

static void tag_hex(const uint8_t tag[BPF_TAG_SIZE], char hex[2 * BPF_TAG_SIZE + 1])
{
	for (int i = 0; i < BPF_TAG_SIZE; i++)
		snprintf(hex + 2 * i, 3, "%02x", tag[i]);
}

/* r0 = 0; exit: Linux 6.18 gave it 59f4a931744dcdc6 (BPF_PROG_LOAD as a
 * socket filter, read back with BPF_OBJ_GET_INFO_BY_FD); SHA-1's tag, the
 * one before 6.18, would be a04f5eef06a7f555. The objects' programs check
 * the zeroed map references against the running kernel. */
static void a_raw_program_has_the_tag_linux_gave_it(void)
{
	const char *test = "a_raw_program_has_the_tag_linux_gave_it";
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpfvm_prog *prog;
	struct bpfvm *vm;
	uint8_t tag[BPF_TAG_SIZE];
	char hex[2 * BPF_TAG_SIZE + 1];
	int err = bpfvm_create(NULL, &vm);

	testlib_check(test, err == 0, "runtime: %d", err);
	err = bpfvm_prog_load_raw(vm, insns, 2, NULL, &prog);
	testlib_check(test, err == 0, "loaded: %d %s", err, bpfvm_errmsg());
	if (!err) {
		bpfvm_prog_tag(prog, tag);
		tag_hex(tag, hex);
		testlib_check(test, strcmp(hex, "59f4a931744dcdc6") == 0,
			      "tag %s, Linux 6.18 gave 59f4a931744dcdc6", hex);
		bpfvm_prog_free(prog);
	}
	bpfvm_destroy(vm);
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	(void)fmt;
	(void)args;
	return 0;
}

static bool kernel_usable(void)
{
	if (!testlib_kernel_usable()) {
		printf("SKIP: the kernel's tags: bpf(BPF_PROG_LOAD) failed: %s\n", strerror(errno));
		return false;
	}
	return true;
}

/* The tag the kernel gives program `name` of the loaded kernel object. */
static bool kernel_tag(struct bpf_object *kobj, const char *name, char hex[2 * BPF_TAG_SIZE + 1])
{
	struct bpf_program *kprog = bpf_object__find_program_by_name(kobj, name);
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (!kprog || bpf_obj_get_info_by_fd(bpf_program__fd(kprog), &info, &len))
		return false;
	tag_hex(info.tag, hex);
	return true;
}

/* Every program of `path`, in bpfvm and in the kernel: the same tag. */
static int an_objects_programs_have_the_kernels_tags(const char *path)
{
	const char *test = "an_objects_programs_have_the_kernels_tags";
	struct bpf_object *kobj = bpf_object__open_file(path, NULL);
	struct bpfvm_object *obj = NULL;
	struct bpfvm *vm = NULL;
	int compared = 0;

	if (!kobj || bpf_object__load(kobj)) {
		testlib_check(test, false, "%s: the kernel did not load it", path);
		bpf_object__close(kobj);
		return 0;
	}
	if (bpfvm_create(NULL, &vm) || bpfvm_object_open(vm, path, NULL, &obj) ||
	    bpfvm_object_load(obj)) {
		testlib_check(test, false, "%s: bpfvm did not load it: %s", path, bpfvm_errmsg());
		goto out;
	}
	for (size_t i = 0; i < bpfvm_object_prog_cnt(obj); i++) {
		struct bpfvm_prog *prog = bpfvm_object_prog(obj, i);
		char ours[2 * BPF_TAG_SIZE + 1], theirs[2 * BPF_TAG_SIZE + 1];
		uint8_t tag[BPF_TAG_SIZE];

		if (!kernel_tag(kobj, bpfvm_prog_name(prog), theirs))
			continue; /* not loaded by libbpf (autoload off) */
		bpfvm_prog_tag(prog, tag);
		tag_hex(tag, ours);
		testlib_check(test, strcmp(ours, theirs) == 0, "%s: %s: tag %s, the kernel's %s",
			      path, bpfvm_prog_name(prog), ours, theirs);
		compared++;
	}
	testlib_check(test, compared > 0, "%s: no program compared", path);
out:
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
	bpf_object__close(kobj);
	return compared;
}

int main(int argc, char **argv)
{
	int compared = 0;

	a_raw_program_has_the_tag_linux_gave_it();
	libbpf_set_print(quiet);
	if (!kernel_usable()) {
		testlib_summary();
		return testlib_failed() ? 1 : SKIP_RETURN_CODE;
	}
	for (int i = 1; i < argc; i++)
		compared += an_objects_programs_have_the_kernels_tags(argv[i]);
	printf("%d programs of %d objects: tags compared with the kernel's\n", compared, argc - 1);
	return testlib_summary();
}
