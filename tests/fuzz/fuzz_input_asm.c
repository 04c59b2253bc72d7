/* Harness: the assembler. The input is assembler text (up to its first NUL
 * byte); what assembles must disassemble and assemble again into the same
 * instructions (roundtrip.h). Seeds: the asm examples, tests/isa and the
 * verifier's regressions. */
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "harness.h"
#include "roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct bpf_insn *insns = NULL;
	size_t cnt = 0;

	if (!text)
		fuzz_fail("out of memory");
	memcpy(text, data, size);
	text[size] = '\0';
	if (!bpfvm_asm_parse(text, &insns, &cnt)) {
		fuzz_roundtrip(insns, cnt);
		free(insns);
	}
	free(text);
	return 0;
}
