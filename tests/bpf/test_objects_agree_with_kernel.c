/* Every case of tests/bpf/cases.txt runs in the running kernel (libbpf,
 * BPF_PROG_TEST_RUN) and in bpfvm (public API) with the same object, input
 * packet and context; the return value, output packet, output context,
 * every map's contents, ring buffer and perf event records must agree. The
 * kernel's result must also still be the recorded expectation
 * (expected/<case>.txt), which test_objects_match_expected checks bpfvm
 * against where the kernel cannot be used.
 *
 *   test_objects_agree_with_kernel CASES OBJDIR PACKETDIR EXPECTDIR
 *   test_objects_agree_with_kernel CASES OBJDIR PACKETDIR EXPECTDIR --write-expected
 *
 * The second form records the kernel's results as the expectations.
 * Without a usable bpf() the test prints SKIP and exits 77. Runs happen on
 * CPU 0 (the process pins itself there), so per-CPU values and
 * bpf_get_smp_processor_id() are comparable. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus_run.h"

#define SKIP_RETURN_CODE 77

static int write_text(const char *path, const char *text)
{
	FILE *out = fopen(path, "w");
	int err;

	if (!out)
		return -errno;
	err = fputs(text ? text : "", out) < 0;
	return fclose(out) || err ? -EIO : 0;
}

struct tally {
	unsigned agree, differ, stale;
	char agreeing[4096];
};

static void run_case(const struct corpus_case *c, char **argv, bool write_expected,
		     struct tally *tally)
{
	struct run_result kernel = { 0 }, vm = { 0 };
	struct case_input input;
	char path[512];
	char *expected;

	if (case_input_build(c, argv[3], &input)) {
		tally->differ++;
		return;
	}
	kernel_run_case(c, argv[2], &input, &kernel);
	snprintf(path, sizeof(path), "%s/%s.txt", argv[4], c->name);
	if (write_expected) {
		if (write_text(path, kernel.text) == 0)
			printf("wrote %s\n", path);
		else
			printf("FAIL %s: cannot write %s\n", c->name, path);
	} else {
		expected = corpus_read_text(path);
		if (!result_compare(c->name, "expect", expected, "kernel", kernel.text)) {
			printf("    (the kernel no longer gives %s: check it, then rerun with "
			       "--write-expected)\n", path);
			tally->stale++;
		}
		free(expected);
		bpfvm_run_case(c, argv[2], &input, &vm);
		if (kernel.failed)
			printf("FAIL %s: the kernel cannot run it:\n%s", c->name, kernel.text);
		if (!kernel.failed && result_compare(c->name, "kernel", kernel.text, "bpfvm", vm.text)) {
			tally->agree++;
			snprintf(tally->agreeing + strlen(tally->agreeing),
				 sizeof(tally->agreeing) - strlen(tally->agreeing), " %s", c->name);
		} else {
			tally->differ++;
		}
	}
	result_release(&kernel);
	result_release(&vm);
	case_input_release(&input);
}

int main(int argc, char **argv)
{
	static struct corpus_list list;
	bool write_expected = argc == 6 && strcmp(argv[5], "--write-expected") == 0;
	struct tally tally = { 0 };
	char why[256];

	if (argc != 5 && !write_expected) {
		fprintf(stderr, "usage: %s CASES OBJDIR PACKETDIR EXPECTDIR [--write-expected]\n",
			argv[0]);
		return 2;
	}
	if (corpus_list_read(argv[1], &list))
		return 1;
	if (!kernel_bpf_usable(why, sizeof(why))) {
		printf("SKIP: %s\n", why);
		return write_expected ? 1 : SKIP_RETURN_CODE;
	}
	if (pin_to_cpu0()) {
		printf("SKIP: cannot run on CPU 0\n");
		return SKIP_RETURN_CODE;
	}
	for (size_t i = 0; i < list.count; i++)
		run_case(&list.cases[i], argv, write_expected, &tally);
	if (write_expected)
		return 0;
	printf("%zu cases: %u agree with the kernel, %u differ; %u expectations stale\n",
	       list.count, tally.agree, tally.differ, tally.stale);
	printf("agree:%s\n", tally.agreeing);
	return tally.differ || tally.stale ? 1 : 0;
}
