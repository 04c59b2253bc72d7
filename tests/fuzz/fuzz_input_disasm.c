/* Harness: the disassembler. The input is instructions (a trailing partial
 * one ignored); every one is disassembled, and where all are valid the
 * assembler must read the text back into the same bytes (roundtrip.h).
 * Seeds: the instruction streams of the verifier harness's seeds. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cnt = size / sizeof(struct bpf_insn);
	struct bpf_insn *insns;

	if (!cnt || cnt > 4096)
		return 0;
	insns = malloc(cnt * sizeof(*insns));
	if (!insns)
		fuzz_fail("out of memory");
	memcpy(insns, data, cnt * sizeof(*insns));
	fuzz_roundtrip(insns, cnt);
	free(insns);
	return 0;
}
