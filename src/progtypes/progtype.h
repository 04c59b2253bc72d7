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
 *
 * Types without an event source in bpfvm (kprobe, tracepoint, perf_event,
 * sock_ops, cgroup_sock_addr, sk_msg, lwt, ...: every type the loader maps)
 * have their access rules, return ranges and helper families, so that the
 * objects the kernel accepts verify here, but no runtime context and no
 * test run (test_run NULL: -ENOTSUP). Their rewrites keep the UAPI offset
 * and size of the access: when a runtime context comes, its type chooses
 * a layout and rewrites as above.
 */
#ifndef BPFVM_PROGTYPES_PROGTYPE_H
#define BPFVM_PROGTYPES_PROGTYPE_H

#include <stdbool.h>
#include <stdint.h>

#include "bpfvm/bpfvm.h"

/* BPF_PROG_TYPE_NETFILTER, newer than some system headers. */
#define PROGTYPE_NETFILTER 32

/* What a context field holds, for the type tracking after the load. */
enum ctx_field_kind {
	CTX_FIELD_SCALAR = 0,
	CTX_FIELD_PACKET,      /* pointer to the packet start */
	CTX_FIELD_PACKET_END,
	CTX_FIELD_PACKET_META,
	CTX_FIELD_PTR_OR_NULL, /* a kernel object or NULL: opaque here */
	CTX_FIELD_PTR,	       /* a kernel object never NULL (flow_keys) */
	CTX_FIELD_BTF_PTR,     /* a kernel object typed by BTF: btf_id, btf_flags */
	CTX_FIELD_BUF_OR_NULL,	      /* an iterator's value buffer, or NULL */
	CTX_FIELD_RDONLY_BUF_OR_NULL, /* an iterator's key buffer, or NULL */
	/* Sockets (verifier/types_sock.h): a full one (bpf_sock_addr.sk), one
	 * or NULL (bpf_sock_ops.sk), any kind or NULL (__sk_buff.sk). */
	CTX_FIELD_SOCKET,
	CTX_FIELD_SOCKET_OR_NULL,
	CTX_FIELD_SOCK_COMMON_OR_NULL,
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
	/* CTX_FIELD_BTF_PTR: the struct's id in the kernel's BTF and its
	 * BTF_PTR_* flags (progtypes/btf_ctx.h). */
	uint32_t btf_id;
	uint8_t btf_flags;
};

struct progtype {
	enum bpf_prog_type type;
	const char *name;	/* as bpftool prints it: "xdp", "sched_cls" */
	uint32_t helper_families;
	/* Where this type's func_proto departs from its families: helpers
	 * the families grant that the kernel refuses here, and helpers it
	 * grants beyond them (0-terminated ids, or NULL). Read through
	 * progtype_has_helper(). */
	const uint32_t *helpers_refused;
	const uint32_t *helpers_added;
	uint32_t ctx_size;	/* size of the UAPI context */
	/* The ISA's own semantics (RFC 9669) where the kernel's verifier is
	 * stricter: division and modulo by an immediate 0, shifts by the width
	 * or more, unaligned stack accesses and dead code are allowed. Only the
	 * raw type, for the ISA conformance suite. */
	bool isa_semantics;
	/* Checks an access of `size` bytes (1, 2, 4, 8) at `off` of the UAPI
	 * context and says how to rewrite it. Returns 0, or -EACCES with a
	 * message ("invalid bpf_context access off=76 size=2"). */
	int (*ctx_access)(const struct bpfvm_prog *prog, int32_t off, uint32_t size,
			  bool is_write, struct ctx_rewrite *rewrite);
	/* The values that the program may return (checked by the verifier
	 * issue); ret_checked false: any value. Read them through
	 * progtype_ret_range(), which asks ret_range when the range depends on
	 * the expected attach type. */
	bool ret_checked;
	int64_t ret_min;
	int64_t ret_max;
	/* NULL, or the range for this program's expected attach type, as the
	 * kernel's check_return_code(): true and [*min, *max], or false (any
	 * value). */
	bool (*ret_range)(const struct bpfvm_prog *prog, int64_t *min, int64_t *max);
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

/* Whether the type's programs may call the built-in helper `id` of these
 * families, as the kernel's <type>_func_proto says. */
bool progtype_has_helper(const struct progtype *type, uint32_t id, uint32_t families);

/* Where the kernel's func_proto also asks the expected attach type:
 * bpf_seq_write only for iterators (tracing_prog_func_proto), bpf_bind
 * only for connect4/6 (sock_addr_func_proto). */
bool progtype_attach_allows_helper(const struct bpfvm_prog *prog, uint32_t id);

/* The values `prog` may return at its exit (prog->progtype set): true and
 * [*min, *max], or false when any value is allowed. */
bool progtype_ret_range(const struct bpfvm_prog *prog, int64_t *min, int64_t *max);

/* What an LSM program's hook returns, from the kernel's BTF (lsm_hooks.c). */
enum lsm_hook_ret { LSM_RET_UNKNOWN, LSM_RET_VOID, LSM_RET_BOOL, LSM_RET_INT };
enum lsm_hook_ret lsm_hook_ret(const struct bpfvm_prog *prog);
/* An LSM program's hook name when it is one the kernel refuses to attach
 * BPF to (bpf_lsm_verify_prog: "points to disabled hook"), else NULL. */
const char *lsm_hook_disabled(const struct bpfvm_prog *prog);

/* ---- For the ctx_access functions of the types ------------------------ */

/* The kernel's bpf_ctx_narrow_access_ok(): a power-of-two read no wider
 * than the field (the alignment, off % size, is checked before). */
static inline bool progtype_narrow_ok(uint32_t size, uint32_t field_size)
{
	return size <= field_size && (size & (size - 1)) == 0;
}

/* Refuses an access in the kernel's words ("invalid bpf_context access
 * off=76 size=2"); returns -EACCES. */
int progtype_ctx_refuse(const struct bpfvm_prog *prog, int32_t off, uint32_t size,
			bool is_write);

/* The rewrite of a type without a runtime context: the same offset and
 * size; `kind` for the type tracking. Returns 0. */
int progtype_ctx_keep(int32_t off, uint32_t size, enum ctx_field_kind kind,
		      struct ctx_rewrite *rewrite);

/* Each context family's file exports its entries; progtype.c collects them. */
extern const struct progtype progtype_raw;
extern const struct progtype progtype_xdp;
extern const struct progtype progtype_socket_filter;
extern const struct progtype progtype_sched_cls;
extern const struct progtype progtype_sched_act;
extern const struct progtype progtype_cgroup_skb;
extern const struct progtype progtype_raw_tracepoint;
extern const struct progtype progtype_raw_tracepoint_writable;
extern const struct progtype progtype_kprobe;
extern const struct progtype progtype_tracepoint;
extern const struct progtype progtype_perf_event;
extern const struct progtype progtype_tracing;
extern const struct progtype progtype_lsm;
extern const struct progtype progtype_struct_ops;
extern const struct progtype progtype_ext;
extern const struct progtype progtype_syscall;
extern const struct progtype progtype_sock_ops;
extern const struct progtype progtype_cgroup_sock;
extern const struct progtype progtype_cgroup_sock_addr;
extern const struct progtype progtype_sk_msg;
extern const struct progtype progtype_sk_skb;
extern const struct progtype progtype_lwt_in;
extern const struct progtype progtype_lwt_out;
extern const struct progtype progtype_lwt_xmit;
extern const struct progtype progtype_lwt_seg6local;
extern const struct progtype progtype_flow_dissector;
extern const struct progtype progtype_cgroup_device;
extern const struct progtype progtype_cgroup_sysctl;
extern const struct progtype progtype_cgroup_sockopt;
extern const struct progtype progtype_sk_lookup;
extern const struct progtype progtype_sk_reuseport;
extern const struct progtype progtype_netfilter;
extern const struct progtype progtype_lirc_mode2;

/* Runs `prog` `repeat` times over the runtime context `ctx` on virtual CPU
 * `cpu`, as the kernel's bpf_test_run(): fresh tail-call count each run;
 * fills opts->retval and opts->duration. Every type's test_run calls it. */
int progtype_test_run_repeat(struct bpfvm_prog *prog, void *ctx,
			     struct bpfvm_test_run_opts *opts);

#endif
