/* The input of the verifier's harness (fuzz_input_verifier.c), which the
 * seed maker (make_seeds.c) writes too:
 *
 *   byte 0   the program type: fuzz_prog_types[byte % FUZZ_PROG_TYPE_CNT]
 *   byte 1   flags: FUZZ_F_*
 *   byte 2   expected_attach_type (the raw value)
 *   byte 3   raw mode: ctx_size / 8
 *   4..7     zero (reserved)
 *   8..      the instructions (struct bpf_insn), a trailing partial one
 *            ignored
 *
 * lddw map[idx:N] names the harness's maps (FUZZ_GEN_MAPS of the soundness
 * fuzzer's generator, then a prog array). */
#ifndef BPFVM_TESTS_FUZZ_INPUT_FORMAT_H
#define BPFVM_TESTS_FUZZ_INPUT_FORMAT_H

#include <linux/bpf.h>

#include "bpfvm/bpfvm.h"

#define FUZZ_HEADER_SIZE 8

#define FUZZ_F_JIT 0x01u     /* the JIT's runtime, not the interpreter's */
#define FUZZ_F_LOG 0x02u     /* a verifier log of level 2, in a small buffer */
#define FUZZ_F_NO_GPL 0x04u  /* a program without a GPL-compatible license */

static const enum bpf_prog_type fuzz_prog_types[] = {
	BPFVM_PROG_TYPE_RAW,	       BPF_PROG_TYPE_XDP,	    BPF_PROG_TYPE_SCHED_CLS,
	BPF_PROG_TYPE_SOCKET_FILTER,   BPF_PROG_TYPE_CGROUP_SKB,   BPF_PROG_TYPE_RAW_TRACEPOINT,
	BPF_PROG_TYPE_KPROBE,	       BPF_PROG_TYPE_TRACEPOINT,   BPF_PROG_TYPE_PERF_EVENT,
	BPF_PROG_TYPE_SCHED_ACT,       BPF_PROG_TYPE_CGROUP_SOCK,  BPF_PROG_TYPE_LWT_IN,
	BPF_PROG_TYPE_SOCK_OPS,	       BPF_PROG_TYPE_SK_SKB,	    BPF_PROG_TYPE_CGROUP_DEVICE,
	BPF_PROG_TYPE_SK_MSG,	       BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_PROG_TYPE_FLOW_DISSECTOR,
	BPF_PROG_TYPE_CGROUP_SYSCTL,   BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_PROG_TYPE_SK_REUSEPORT,
	BPF_PROG_TYPE_SK_LOOKUP,       BPF_PROG_TYPE_SYSCALL,	    BPF_PROG_TYPE_LIRC_MODE2,
	BPF_PROG_TYPE_TRACING,
};

#define FUZZ_PROG_TYPE_CNT (sizeof(fuzz_prog_types) / sizeof(fuzz_prog_types[0]))

#endif
