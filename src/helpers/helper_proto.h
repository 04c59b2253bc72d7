/* Helper prototypes: what the verifier (and the type tracking that rewrites
 * context accesses) knows about each helper, as the kernel's
 * `struct bpf_func_proto`. A helper is an id, a name, a prototype, a function
 * and the program-type families allowed to call it (DESIGN.md: helpers are
 * tables). */
#ifndef BPFVM_HELPERS_HELPER_PROTO_H
#define BPFVM_HELPERS_HELPER_PROTO_H

#include <stdbool.h>
#include <stdint.h>

#include "bpfvm/bpfvm.h"

/* Argument types, named after the kernel's enum bpf_arg_type. */
enum helper_arg {
	ARG_NONE = 0,		      /* not an argument */
	ARG_ANYTHING,		      /* any initialised value */
	ARG_CONST_MAP_PTR,	      /* lddw map pointer */
	ARG_PTR_TO_MAP_KEY,	      /* key_size readable bytes */
	ARG_PTR_TO_MAP_VALUE,	      /* value_size readable bytes */
	ARG_PTR_TO_CTX,
	ARG_PTR_TO_MEM,		      /* readable memory; size in the next arg */
	ARG_PTR_TO_MEM_OR_NULL,
	ARG_PTR_TO_UNINIT_MEM,	      /* writable memory; size in the next arg */
	ARG_CONST_SIZE,		      /* size > 0 of the previous memory arg */
	ARG_CONST_SIZE_OR_ZERO,
	ARG_CONST_ALLOC_SIZE_OR_ZERO, /* ringbuf_reserve's size */
	ARG_PTR_TO_CONST_STR,	      /* NUL-terminated string in .rodata */
	ARG_PTR_TO_FUNC,	      /* callback subprogram (lddw BPF_PSEUDO_FUNC) */
	ARG_PTR_TO_STACK_OR_NULL,     /* callback context */
	ARG_PTR_TO_SPIN_LOCK,
	ARG_PTR_TO_RINGBUF_MEM,	      /* a ringbuf_reserve result */
	ARG_PTR_TO_LONG,	      /* 8 writable bytes */
	ARG_PTR_TO_INT,		      /* 4 writable bytes */
	ARG_PTR_TO_UNINIT_MAP_VALUE,  /* value_size writable bytes (pop, peek) */
	ARG_PTR_TO_CTX_OR_NULL,
	ARG_PTR_TO_MAP_VALUE_OR_NULL,	/* value_size readable bytes, or NULL */
	/* A kernel object typed by BTF (a task, an inode), or NULL; a socket,
	 * never NULL (ARG_PTR_TO_BTF_ID_SOCK_COMMON); a task, never NULL
	 * (ARG_PTR_TO_BTF_ID: bpf_get_task_stack). */
	ARG_PTR_TO_BTF_ID_OR_NULL,
	ARG_PTR_TO_BTF_ID_SOCK_COMMON,
	ARG_PTR_TO_BTF_ID,
	/* Sockets (verifier/types_sock.c): any socket pointer (the kernel's
	 * ARG_PTR_TO_SOCK_COMMON); a full socket or NULL (sk_lookup's
	 * bpf_sk_assign); the socket reference bpf_sk_release gives back
	 * (ARG_PTR_TO_BTF_ID_SOCK_COMMON | OBJ_RELEASE). */
	ARG_PTR_TO_SOCK_COMMON,
	ARG_PTR_TO_SOCKET_OR_NULL,
	ARG_PTR_TO_BTF_ID_SOCK_COMMON_RELEASE,
};

/* Return types (enum bpf_return_type). */
enum helper_ret {
	RET_INTEGER = 0,
	RET_VOID,
	RET_PTR_TO_MAP_VALUE_OR_NULL,
	RET_PTR_TO_RINGBUF_MEM_OR_NULL, /* size: the constant in arg 2 */
	RET_PTR_TO_MAP_OR_NULL,		/* map-in-map lookup */
	RET_PTR_TO_MEM_OR_NULL,		/* a kfunc's: ret_mem_size bytes or NULL */
	RET_PTR_TO_BTF_ID_TRUSTED,	/* a kernel object, never NULL */
	/* Sockets or NULL (verifier/types_sock.c): a lookup's is a reference;
	 * a cast's (bpf_sk_fullsock, bpf_tcp_sock) shares its argument's. */
	RET_PTR_TO_SOCKET_OR_NULL,
	RET_PTR_TO_SOCK_COMMON_OR_NULL,
	RET_PTR_TO_TCP_SOCK_OR_NULL,
	RET_PTR_TO_BTF_ID_OR_NULL,	/* bpf_skc_to_<struct>: that kernel struct, or NULL */
};

/* Program-type families that may call a helper (bitmask). */
enum helper_family {
	HELPER_FAMILY_ANY = 1u << 0,	   /* every program type, raw included */
	HELPER_FAMILY_SKB = 1u << 1,	   /* __sk_buff types that read packets */
	HELPER_FAMILY_SKB_WRITE = 1u << 2, /* tc / lwt: may change the packet */
	HELPER_FAMILY_XDP = 1u << 3,
	HELPER_FAMILY_TRACING = 1u << 4,   /* kprobe, tracepoint, raw_tp, perf_event */
	HELPER_FAMILY_CGROUP = 1u << 5,
	HELPER_FAMILY_RAW = 1u << 6,	   /* BPFVM_PROG_TYPE_RAW */
	HELPER_FAMILY_SOCK = 1u << 7,	   /* sk_lookup, sk_msg: bpf_sk_base_func_proto */
	/* sk_skb: sk_skb_func_proto writes the stream's packet
	 * (skb_store_bytes) but has neither tc's checksum helpers nor
	 * bpf_redirect (it redirects through sockmaps). */
	HELPER_FAMILY_SK_SKB = 1u << 8,
	/* Socket local storage (bpf_sk_storage_get/delete_proto): tc, cgroup
	 * skb, sock_addr and sockopt, sk_msg, sock_ops, syscall, tracing. */
	HELPER_FAMILY_SK_STORAGE = 1u << 9,
	/* Socket lookups and bpf_sk_release: tc, xdp, cgroup skb, sock_addr,
	 * sk_skb (helpers_sock.c). */
	HELPER_FAMILY_SK_LOOKUP = 1u << 10,
	/* bpf_sk_fullsock, bpf_tcp_sock, bpf_get_listener_sock: tc, cgroup
	 * skb. */
	HELPER_FAMILY_SK_CAST = 1u << 11,
	/* bpf_sk_base_func_proto's socket casts (bpf_skc_to_*) where the
	 * families that have them (skb, XDP, sk_lookup and sk_msg) do not
	 * reach: sock_addr, sock_ops, syscall. */
	HELPER_FAMILY_SKC_TO = 1u << 12,
};

struct helper_proto {
	uint32_t id;
	const char *name;      /* "bpf_map_lookup_elem" */
	bpfvm_helper_fn fn;
	enum helper_ret ret;
	enum helper_arg args[5];
	uint32_t families;     /* enum helper_family bits */
	bool gpl_only;
	/* Internal helpers that the engines handle themselves (tail_call). */
	bool engine_builtin;
	uint32_t ret_mem_size; /* RET_PTR_TO_MEM_OR_NULL */
};

/* Registers every built-in helper of bpfvm into `vm`. */
int helpers_register_builtins(struct bpfvm *vm);

/* The built-in prototype for a Linux helper id, or NULL. */
const struct helper_proto *helper_builtin_proto(uint32_t id);

/* Each file of src/helpers/ exports its table; helpers_register_builtins()
 * registers them all. Terminated by an entry with a NULL name. */
extern const struct helper_proto helper_protos_maps[];
extern const struct helper_proto helper_protos_misc[];
extern const struct helper_proto helper_protos_cgroup[];
extern const struct helper_proto helper_protos_trace[];
extern const struct helper_proto helper_protos_ringbuf[];
extern const struct helper_proto helper_protos_perf[];
extern const struct helper_proto helper_protos_packet[];
extern const struct helper_proto helper_protos_callbacks[];
extern const struct helper_proto helper_protos_probe[];
extern const struct helper_proto helper_protos_redirect[];
extern const struct helper_proto helper_protos_storage[];
extern const struct helper_proto helper_protos_sock_ops[];
/* Held-out judging (issue 5): sockmap, tunnel, FIB, sockopt, sysctl. */
extern const struct helper_proto helper_protos_sockmap[];
extern const struct helper_proto helper_protos_skb_room[];
extern const struct helper_proto helper_protos_fib[];
extern const struct helper_proto helper_protos_net_state[];
extern const struct helper_proto helper_protos_seq[];
extern const struct helper_proto helper_protos_user_copy[];
extern const struct helper_proto helper_protos_sock[];

/* The kernel's might_sleep of a helper's prototype: for sleepable programs
 * only (helpers_user_copy.c). */
bool helper_might_sleep(uint32_t id);

#endif
