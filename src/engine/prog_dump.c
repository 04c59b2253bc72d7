/* What a loaded program looks like from outside, as the kernel shows it
 * through BPF_OBJ_GET_INFO_BY_FD and bpftool: the maps it uses and its
 * "xlated" instructions, where a map reference is the map's id
 * (bpf_insn_prepare_dump turns map pointers back into
 * BPF_PSEUDO_MAP_FD / BPF_PSEUDO_MAP_VALUE with imm = id). */
#include <stdlib.h>
#include <string.h>

#include "engine/prog.h"
#include "isa/isa.h"
#include "maps/map.h"

size_t bpfvm_prog_map_cnt(const struct bpfvm_prog *prog)
{
	return prog->map_cnt;
}

struct bpfvm_map *bpfvm_prog_map(const struct bpfvm_prog *prog, size_t idx)
{
	return idx < prog->map_cnt ? prog->maps[idx] : NULL;
}

/* The kernel's dump form of the instructions: map references by id. */
static struct bpf_insn *prog_dump_insns(const struct bpfvm_prog *prog)
{
	struct bpf_insn *insns = malloc(prog->insn_cnt * sizeof(*insns));

	if (!insns)
		return NULL;
	memcpy(insns, prog->insns, prog->insn_cnt * sizeof(*insns));
	for (uint32_t idx = 0; idx + 1 < prog->insn_cnt; idx++) {
		struct bpf_insn *insn = &insns[idx];

		if (!isa_is_lddw(insn->code))
			continue;
		if (insn->src_reg == BPF_PSEUDO_MAP_IDX || insn->src_reg == BPF_PSEUDO_MAP_IDX_VALUE) {
			insn->src_reg = insn->src_reg == BPF_PSEUDO_MAP_IDX ? BPF_PSEUDO_MAP_FD
									    : BPF_PSEUDO_MAP_VALUE;
			insn->imm = (int32_t)prog->maps[insn->imm]->region->id;
		}
		idx++;
	}
	return insns;
}

char *bpfvm_prog_disasm(const struct bpfvm_prog *prog)
{
	struct bpf_insn *insns = prog_dump_insns(prog);
	char *text, *at;

	if (!insns)
		return NULL;
	text = bpfvm_disasm_prog(insns, prog->insn_cnt);
	free(insns);
	/* The disassembler names the source as a descriptor ("map[fd:N]");
	 * here it is an id, and bpftool prints "map[id:N]". */
	for (at = text; at && (at = strstr(at, "map[fd:")); at += 7)
		memcpy(at, "map[id:", 7);
	return text;
}
