/* Program types: one table entry per type (STYLE.md), one file per context
 * family (xdp.c, skb.c, raw_tracepoint.c, raw.c, ...).
 *
 * Context layout. A program sees the UAPI context (struct xdp_md,
 * struct __sk_buff, ...). At run time r1 points to the type's runtime context
 * instead, whose layout the type chooses so that every context access
 * rewrites into one load or store: fields that hold pointers in 32-bit UAPI
 * slots (xdp_md.data, __sk_buff.data_end, ...) become 64-bit loads of real
 * pointers, as the kernel does (never place a packet below 4 GiB instead).
 * A write the kernel makes conditional (queue_mapping) carries a guard,
 * which the verifier expands into a compare and the store
 * (verifier/insn_patch.h).
 */
#ifndef BPFVM_PROGTYPES_PROGTYPE_H
#define BPFVM_PROGTYPES_PROGTYPE_H

#include <stdbool.h>
#include <stdint.h>

#include "bpfvm/bpfvm.h"

/* What a context field holds, for the type tracking after the load. */
enum ctx_field_kind {
	CTX_FIELD_SCALAR = 0,
	CTX_FIELD_PACKET,      /* pointer to the packet start */
	CTX_FIELD_PACKET_END,
	CTX_FIELD_PACKET_META,
	CTX_FIELD_PTR_OR_NULL, /* some kernel object (sk, flow_keys): opaque here */
};

/* How one context access is rewritten: the runtime context's offset and
 * access size (BPF_B/H/W/DW) of the same access. */
struct ctx_rewrite {
	int16_t off;
	uint8_t size;		 /* BPF_B, BPF_H, BPF_W or BPF_DW */
	enum ctx_field_kind kind;
	/* Writes only: a value >= store_limit is not stored (0: always
	 * stored), as the kernel skips NO_QUEUE_MAPPING. A register's value
	 * compares unsigned, a BPF_ST immediate signed, as in
	 * bpf_convert_ctx_access. */
	uint32_t store_limit;
};

struct progtype {
	enum bpf_prog_type type;
	const char *name;	/* as bpftool prints it: "xdp", "sched_cls" */
	uint32_t helper_families;
	uint32_t ctx_size;	/* size of the UAPI context */
	/* Checks an access of `size` bytes (1, 2, 4, 8) at `off` of the UAPI
	 * context and says how to rewrite it. Returns 0, or -EACCES with a
	 * message ("invalid bpf_context access off=76 size=2"). */
	int (*ctx_access)(const struct bpfvm_prog *prog, int32_t off, uint32_t size,
			  bool is_write, struct ctx_rewrite *rewrite);
	/* The values that the program may return (checked by the verifier
	 * issue); ret_checked false: any value. */
	bool ret_checked;
	int64_t ret_min;
	int64_t ret_max;
	/* For ld_abs / ld_ind: the packet of a runtime context (its linear
	 * data, as skb->data and skb_headlen). NULL: no legacy packet access. */
	void (*legacy_packet)(void *ctx, const uint8_t **data, uint64_t *len);
	/* The packet bytes that bpf_perf_event_output appends when its flags
	 * ask for them (BPF_F_CTXLEN_MASK): the kernel's bpf_skb_event_output
	 * and bpf_xdp_event_output. NULL: the type has none (-EINVAL). */
	void (*event_packet)(void *ctx, const uint8_t **data, uint64_t *len);
	/* BPF_PROG_TEST_RUN for this type, as the kernel's
	 * bpf_prog_test_run_<family>(). NULL: -ENOTSUP. */
	int (*test_run)(struct bpfvm_prog *prog, struct bpfvm_test_run_opts *opts);
};

/* The table entry for a program type, or NULL if bpfvm has none. */
const struct progtype *progtype_for(enum bpf_prog_type type);

/* Each context family's file exports its entries; progtype.c collects them. */
extern const struct progtype progtype_raw;
extern const struct progtype progtype_xdp;
extern const struct progtype progtype_socket_filter;
extern const struct progtype progtype_sched_cls;
extern const struct progtype progtype_sched_act;
extern const struct progtype progtype_cgroup_skb;
extern const struct progtype progtype_raw_tracepoint;

/* Runs `prog` `repeat` times over the runtime context `ctx` on virtual CPU
 * `cpu`, as the kernel's bpf_test_run(): fresh tail-call count each run;
 * fills opts->retval and opts->duration. Every type's test_run calls it. */
int progtype_test_run_repeat(struct bpfvm_prog *prog, void *ctx,
			     struct bpfvm_test_run_opts *opts);

#endif
