#include <stdint.h>
#include <string.h>

#include "engine/jit.h"
#include "jit_code_calls.h"

bool jit_code_calls(const struct bpfvm_prog *prog, const void *fn)
{
	const uint8_t *code = prog->jit->mem.rx;
	uint64_t address = (uint64_t)(uintptr_t)fn;

	for (size_t i = 0; i + 10 <= prog->jit->code_size; i++) {
		int32_t rel;
		uint64_t imm;

		memcpy(&rel, code + i + 1, 4);
		memcpy(&imm, code + i + 2, 8);
		if ((code[i] == 0xe8 && (uint64_t)(uintptr_t)(code + i + 5) + (uint64_t)(int64_t)rel ==
		     address) || (code[i] == 0x49 && code[i + 1] == 0xbb && imm == address))
			return true;
	}
	return false;
}
