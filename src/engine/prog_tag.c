/* Program tags (prog_tag.h), as Linux 6.18's bpf_prog_calc_tag
 * (kernel/bpf/core.c) computes them: SHA-256 (SHA-1 before 6.18) over a copy
 * of the instructions where an lddw of a map (BPF_PSEUDO_MAP_FD) or of a map
 * value (BPF_PSEUDO_MAP_VALUE) has both imm fields zeroed: the fd and, for
 * a value, its offset. The kernel hashes the instructions libbpf gives it,
 * where a map is named by fd; bpfvm's loader names maps by index in the
 * program's map list (BPF_PSEUDO_MAP_IDX, _IDX_VALUE), so those are hashed
 * as the fd forms libbpf would have sent. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/sha256.h"
#include "engine/prog_tag.h"

/* The src_reg libbpf would have given the kernel for an lddw of a map,
 * or 0 when the instruction is not one. */
static uint8_t prog_tag_map_src(const struct bpf_insn *insn)
{
	if (insn->code != (BPF_LD | BPF_IMM | BPF_DW))
		return 0;
	switch (insn->src_reg) {
	case BPF_PSEUDO_MAP_FD:
	case BPF_PSEUDO_MAP_IDX:
		return BPF_PSEUDO_MAP_FD;
	case BPF_PSEUDO_MAP_VALUE:
	case BPF_PSEUDO_MAP_IDX_VALUE:
		return BPF_PSEUDO_MAP_VALUE;
	default:
		return 0;
	}
}

/* The kernel's second half test: an lddw's second instruction is all zero
 * but its imm. */
static bool prog_tag_is_second_half(const struct bpf_insn *insn)
{
	return insn->code == 0 && insn->dst_reg == 0 && insn->src_reg == 0 && insn->off == 0;
}

int prog_calc_tag(const struct bpf_insn *insns, uint32_t insn_cnt, uint8_t tag[BPF_TAG_SIZE])
{
	uint8_t digest[SHA256_DIGEST_SIZE];
	struct bpf_insn *copy = malloc((size_t)insn_cnt * sizeof(*copy) + 1);
	bool was_ld_map = false;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, insns, (size_t)insn_cnt * sizeof(*copy));
	for (uint32_t i = 0; i < insn_cnt; i++) {
		uint8_t src = was_ld_map ? 0 : prog_tag_map_src(&copy[i]);

		if (src) {
			copy[i].src_reg = src;
			copy[i].imm = 0;
			was_ld_map = true;
		} else if (was_ld_map && prog_tag_is_second_half(&copy[i])) {
			copy[i].imm = 0;
			was_ld_map = false;
		} else {
			was_ld_map = false;
		}
	}
	sha256(copy, (size_t)insn_cnt * sizeof(*copy), digest);
	free(copy);
	memcpy(tag, digest, BPF_TAG_SIZE);
	return 0;
}
