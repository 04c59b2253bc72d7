/* A program's tag (bpftool's `tag`, bpf_prog_info.tag): the first 8 bytes
 * of the kernel's bpf_prog_calc_tag digest, over the instructions as given
 * to the verifier with the map references zeroed, so that the same program
 * has the same tag in every load, whatever its maps' fds. */
#ifndef BPFVM_ENGINE_PROG_TAG_H
#define BPFVM_ENGINE_PROG_TAG_H

#include <linux/bpf.h>
#include <stdint.h>

/* `insns` as bpfvm's loader gives them (maps as BPF_PSEUDO_MAP_IDX(_VALUE),
 * loader/load.c). Returns 0 or -ENOMEM. */
int prog_calc_tag(const struct bpf_insn *insns, uint32_t insn_cnt, uint8_t tag[BPF_TAG_SIZE]);

#endif
