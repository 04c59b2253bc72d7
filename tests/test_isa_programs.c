/* Runs the ISA corpus (tests/isa/NAME.s, given on the command line): every case
 * is assembled with bpfvm_asm_parse, loaded with bpfvm_prog_load_raw into a
 * runtime that has helpers 5 (returns r1) and 6 (returns r1+..+r5), run over
 * a writable copy of its input memory, and r0 (or the errno) is compared with
 * the value the case expects, which was worked out from RFC 9669.
 *
 * Output: one FAIL line (with the disassembly) per failing case, then
 * "N passed, M failed". Exit status 0 only if nothing failed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

struct outcome {
	int err;	   /* 0 or negative errno */
	const char *stage; /* "load" or "run" when err */
	char message[512];
	uint64_t r0;
};

static void outcome_set_error(struct outcome *out, int err, const char *stage)
{
	out->err = err;
	out->stage = stage;
	snprintf(out->message, sizeof(out->message), "%s", bpfvm_errmsg());
}

static void run_case(struct bpfvm *vm, const struct corpus_case *c,
		     const struct bpf_insn *insns, size_t insn_cnt, struct outcome *out)
{
	struct bpfvm_prog_opts opts = { .sz = sizeof(opts), .name = c->name,
					.ctx_size = (uint32_t)c->mem_len };
	struct bpfvm_prog *prog = NULL;
	int err;

	memset(out, 0, sizeof(*out));
	err = bpfvm_prog_load_raw(vm, insns, insn_cnt, &opts, &prog);
	if (err) {
		outcome_set_error(out, err, "load");
		return;
	}
	err = testlib_run(prog, c->mem, c->mem_len, &out->r0);
	if (err)
		outcome_set_error(out, err, "run");
	bpfvm_prog_free(prog);
}

/* Returns true if the outcome is what the case expects; otherwise prints why
 * into `why`. */
static bool outcome_matches(const struct corpus_case *c, const struct outcome *out,
			    char *why, size_t size)
{
	if (c->has_expect_error) {
		if (out->err == c->expect_error && out->message[0])
			return true;
		if (out->err == c->expect_error)
			snprintf(why, size, "expected error %d got it with an empty bpfvm_errmsg()",
				 c->expect_error);
		else if (out->err)
			snprintf(why, size, "expected error %d got %s error %d (%s)",
				 c->expect_error, out->stage, out->err, out->message);
		else
			snprintf(why, size, "expected error %d got r0 = 0x%" PRIx64,
				 c->expect_error, out->r0);
		return false;
	}
	if (!out->err && out->r0 == c->expect)
		return true;
	if (out->err)
		snprintf(why, size, "expected 0x%" PRIx64 " got %s error %d (%s)", c->expect,
			 out->stage, out->err, out->message);
	else
		snprintf(why, size, "expected 0x%" PRIx64 " got 0x%" PRIx64, c->expect, out->r0);
	return false;
}

/* Returns true if the case passed. */
static bool check_case(struct bpfvm *vm, const struct corpus_case *c)
{
	struct bpf_insn *insns = NULL;
	size_t insn_cnt = 0;
	struct outcome out;
	char why[768];
	int err;

	err = bpfvm_asm_parse(c->text, &insns, &insn_cnt);
	if (err) {
		printf("FAIL %s:%u:%s: the assembler rejects the case: %d (%s)\n", c->file, c->line,
		       c->name, err, bpfvm_errmsg());
		return false;
	}
	run_case(vm, c, insns, insn_cnt, &out);
	if (outcome_matches(c, &out, why, sizeof(why))) {
		free(insns);
		return true;
	}
	printf("FAIL %s:%u:%s: %s\n", c->file, c->line, c->name, why);
	testlib_print_disasm(insns, insn_cnt);
	free(insns);
	return false;
}

int main(int argc, char **argv)
{
	struct corpus corpus = { 0 };
	unsigned passed = 0, failed = 0;
	struct bpfvm *vm;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS.s...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		if (corpus_read_file(&corpus, argv[i]))
			failed++; /* the message is printed; the file's other cases still run */
	}
	vm = testlib_vm_create();
	for (size_t i = 0; i < corpus.count; i++) {
		if (check_case(vm, &corpus.cases[i]))
			passed++;
		else
			failed++;
	}
	bpfvm_destroy(vm);
	corpus_release(&corpus);
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
