/* Writing a relocation's value into its instruction, as libbpf's
 * bpf_core_patch_insn:
 *
 *   ALU/ALU64 with an immediate   imm            (r1 += offsetof(...), sizes, flags)
 *   LDX, ST, STX                  off            (*(u32 *)(r1 + off)); and the
 *                                                access size when the field's
 *                                                size changed (unsigned or pointer)
 *   LDDW                          the 64-bit immediate (type ids, enum64 values)
 *
 * The instruction must hold the value clang compiled in (the local one) unless
 * the relocation cannot know it (bitfields, target type ids). An unresolved
 * relocation poisons the instruction instead: `call 0xbad2310`, which the
 * verifier rejects only on a path that reaches it. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include "object/core_relo.h"

static bool patch_is_lddw(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW);
}

const char *core_insn_patchable(const struct bpf_insn *insns, uint32_t idx, uint32_t insn_cnt)
{
	const struct bpf_insn *insn = &insns[idx];

	switch (BPF_CLASS(insn->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		return BPF_SRC(insn->code) == BPF_K ? NULL : "an ALU instruction without "
							    "an immediate";
	case BPF_LDX:
	case BPF_ST:
	case BPF_STX:
		return NULL;
	case BPF_LD:
		if (!patch_is_lddw(insn) || idx + 1 >= insn_cnt)
			return "a BPF_LD that is not a whole lddw";
		if (insn[0].src_reg || insn[0].off || insn[1].code || insn[1].dst_reg ||
		    insn[1].src_reg || insn[1].off)
			return "an lddw of a pseudo value";
		return NULL;
	default:
		return "a jump, call or exit";
	}
}

static void patch_poison(struct bpf_insn *insn)
{
	*insn = (struct bpf_insn){ .code = BPF_JMP | BPF_CALL, .imm = CORE_POISON_HELPER };
}

static int patch_size_code(uint32_t bytes)
{
	switch (bytes) {
	case 1: return BPF_B;
	case 2: return BPF_H;
	case 4: return BPF_W;
	case 8: return BPF_DW;
	default: return -1;
	}
}

static uint32_t patch_size_bytes(const struct bpf_insn *insn)
{
	switch (BPF_SIZE(insn->code)) {
	case BPF_B: return 1;
	case BPF_H: return 2;
	case BPF_W: return 4;
	default: return 8;
	}
}

static int patch_mem(struct bpf_insn *insn, const struct core_result *res, char *why,
		     size_t why_size)
{
	int size_code;

	if (res->validate && (uint64_t)(int64_t)insn->off != res->orig_val) {
		snprintf(why, why_size, "the instruction's offset is %d, the relocation "
			 "expects %llu", insn->off, (unsigned long long)res->orig_val);
		return -EINVAL;
	}
	if (res->new_val > SHRT_MAX) {
		snprintf(why, why_size, "offset %llu does not fit an instruction",
			 (unsigned long long)res->new_val);
		return -ERANGE;
	}
	if (res->fail_memsz_adjust) { /* libbpf poisons it, and so does bpfvm */
		patch_poison(insn);
		return 0;
	}
	insn->off = (int16_t)res->new_val;
	if (res->new_sz == res->orig_sz)
		return 0;
	if (patch_size_bytes(insn) != res->orig_sz) {
		snprintf(why, why_size, "the instruction accesses %u bytes, the field has %u",
			 patch_size_bytes(insn), res->orig_sz);
		return -EINVAL;
	}
	size_code = patch_size_code(res->new_sz);
	if (size_code < 0) {
		snprintf(why, why_size, "the field's new size %u is not an access size",
			 res->new_sz);
		return -EINVAL;
	}
	insn->code = (uint8_t)(BPF_MODE(insn->code) | size_code | BPF_CLASS(insn->code));
	return 0;
}

int core_patch_insn(struct bpf_insn *insns, uint32_t idx, const struct core_result *res,
		    char *why, size_t why_size)
{
	struct bpf_insn *insn = &insns[idx];
	uint64_t imm;

	if (res->poison) { /* the second half of an lddw too, as libbpf */
		if (patch_is_lddw(insn))
			patch_poison(&insn[1]);
		patch_poison(insn);
		return 0;
	}
	switch (BPF_CLASS(insn->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		if (res->validate && (uint64_t)(int64_t)insn->imm != res->orig_val) {
			snprintf(why, why_size, "the instruction's immediate is %d, the relocation "
				 "expects %llu", insn->imm,
				 (unsigned long long)res->orig_val);
			return -EINVAL;
		}
		insn->imm = (int32_t)res->new_val;
		return 0;
	case BPF_LDX:
	case BPF_ST:
	case BPF_STX:
		return patch_mem(insn, res, why, why_size);
	default: /* lddw: core_insn_patchable() checked its form */
		imm = (uint32_t)insn[0].imm | ((uint64_t)(uint32_t)insn[1].imm << 32);
		if (res->validate && imm != res->orig_val) {
			snprintf(why, why_size, "the instruction's immediate is %llu, the "
				 "relocation expects %llu", (unsigned long long)imm,
				 (unsigned long long)res->orig_val);
			return -EINVAL;
		}
		insn[0].imm = (int32_t)(uint32_t)res->new_val;
		insn[1].imm = (int32_t)(uint32_t)(res->new_val >> 32);
		return 0;
	}
}
