/* Programs that once made the verifier wrong, kept as they were found
 * (tests/verifier/regressions/, one .s file each): a raw program that must verify
 * and run. The first line gives the memory size r1 points to:
 *   ; ctx_size: N
 * Usage: test_regressions FILE.s... */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "../testlib.h"

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	long size;

	if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
	    !(text = calloc(1, (size_t)size + 1)) || fread(text, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
		exit(2);
	}
	fclose(f);
	return text;
}

static void verifies_and_runs(struct bpfvm *vm, const char *path)
{
	char *text = read_text(path);
	unsigned ctx_size = 0;
	struct bpf_insn *insns = NULL;
	size_t cnt = 0;
	struct bpfvm_prog *prog = NULL;
	uint8_t *mem;
	uint64_t r0;
	int err;

	if (sscanf(text, "; ctx_size: %u", &ctx_size) != 1 || bpfvm_asm_parse(text, &insns, &cnt)) {
		fprintf(stderr, "%s: no '; ctx_size: N' first line, or: %s\n", path, bpfvm_errmsg());
		exit(2);
	}
	struct bpfvm_prog_opts opts = { .sz = sizeof(opts), .name = "regression",
					.ctx_size = ctx_size };

	err = bpfvm_prog_load_raw(vm, insns, cnt, &opts, &prog);
	testlib_check(path, err == 0, "refused: %s", bpfvm_errmsg());
	mem = calloc(1, ctx_size);
	if (!err)
		testlib_check(path, bpfvm_prog_run_raw(prog, mem, ctx_size, &r0) == 0, "run: %s",
			      bpfvm_errmsg());
	bpfvm_prog_free(prog);
	free(mem);
	free(insns);
	free(text);
}

int main(int argc, char **argv)
{
	struct bpfvm *vm = testlib_vm_create();

	for (int i = 1; i < argc; i++)
		verifies_and_runs(vm, argv[i]);
	bpfvm_destroy(vm);
	return testlib_summary();
}
