/* See roundtrip.h. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "harness.h"
#include "roundtrip.h"

static bool all_valid(const struct bpf_insn *insns, size_t cnt)
{
	char text[128];
	bool valid = true;

	for (size_t i = 0; i < cnt;) {
		int slots = bpfvm_disasm_insn(insns, cnt, i, text, sizeof(text));

		/* Truncation must keep the string terminated, in any size. */
		bpfvm_disasm_insn(insns, cnt, i, text, 1 + i % 16);
		if (strnlen(text, sizeof(text)) >= 1 + i % 16)
			fuzz_fail("insn %zu: text not truncated to %zu bytes", i, 1 + i % 16);
		if (slots < 0) {
			valid = false;
			slots = 1;
		}
		i += (size_t)slots;
	}
	return valid;
}

void fuzz_roundtrip(const struct bpf_insn *insns, size_t cnt)
{
	char *text = bpfvm_disasm_prog(insns, cnt);
	struct bpf_insn *again = NULL;
	size_t again_cnt = 0;

	if (!text)
		fuzz_fail("bpfvm_disasm_prog: NULL for %zu instructions", cnt);
	if (!all_valid(insns, cnt)) {
		free(text);
		return;
	}
	if (bpfvm_asm_parse(text, &again, &again_cnt))
		fuzz_fail("the assembler refuses the disassembly (%s):\n%s", bpfvm_errmsg(), text);
	for (size_t i = 0; i < cnt && again_cnt == cnt; i++)
		if (memcmp(&insns[i], &again[i], sizeof(insns[i])))
			fuzz_fail("insn %zu reads back as %02x %02x %04x %08x, was %02x %02x %04x "
				  "%08x:\n%s", i, again[i].code, again[i].dst_reg | again[i].src_reg << 4,
				  (uint16_t)again[i].off, (uint32_t)again[i].imm, insns[i].code,
				  insns[i].dst_reg | insns[i].src_reg << 4, (uint16_t)insns[i].off,
				  (uint32_t)insns[i].imm, text);
	if (again_cnt != cnt)
		fuzz_fail("%zu instructions read back as %zu:\n%s", cnt, again_cnt, text);
	free(again);
	free(text);
}
