/* Every case of tests/bpf/cases.txt runs in bpfvm, and its result must be
 * the one recorded from the Linux kernel (expected/<case>.txt, written by
 * test_objects_agree_with_kernel --write-expected and rechecked against the
 * kernel by that test whenever bpf() is usable). This test needs no kernel
 * support, so the suite checks the corpus everywhere.
 *
 *   test_objects_match_expected CASES OBJDIR PACKETDIR EXPECTDIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus_run.h"

int main(int argc, char **argv)
{
	static struct corpus_list list;
	unsigned matched = 0, failed = 0;

	if (argc != 5) {
		fprintf(stderr, "usage: %s CASES OBJDIR PACKETDIR EXPECTDIR\n", argv[0]);
		return 2;
	}
	if (corpus_list_read(argv[1], &list))
		return 1;
	pin_to_cpu0(); /* not needed by bpfvm; keeps CPU ids equal in messages */
	for (size_t i = 0; i < list.count; i++) {
		const struct corpus_case *c = &list.cases[i];
		struct run_result vm = { 0 };
		struct case_input input;
		char path[512], *expected;

		if (case_input_build(c, argv[3], &input)) {
			failed++;
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s.txt", argv[4], c->name);
		expected = corpus_read_text(path);
		if (!expected) {
			printf("FAIL %s: no expectation %s\n", c->name, path);
			failed++;
		} else {
			bpfvm_run_case(c, argv[2], &input, &vm);
			if (result_compare(c->name, "expect", expected, "bpfvm", vm.text))
				matched++;
			else
				failed++;
		}
		free(expected);
		result_release(&vm);
		case_input_release(&input);
	}
	printf("%zu cases: %u match the kernel's recorded results, %u do not\n", list.count,
	       matched, failed);
	return failed ? 1 : 0;
}
