/* The kernel's BTF as the context of BTF-typed programs sees it: the
 * prototype of the attach target (fentry/fexit/fmod_ret: the function;
 * tp_btf: the tracepoint's btf_trace_<name> typedef, whose first argument,
 * void *__data, the program does not see; lsm: bpf_lsm_<hook>; iter:
 * bpf_iter_<name>), and what each argument slot of the context holds, as
 * the kernel's btf_ctx_access says:
 *
 *   integer, enum, struct by value   a scalar
 *   pointer to a struct or union     a kernel object of that type
 *   any other pointer                a scalar (nothing to walk)
 *   past the arguments               refused, except fexit / fmod_ret /
 *                                    lsm: the return value
 *
 * The types come from the running kernel's BTF (core_kernel_btf), indexed
 * once per process by name so that a target or a struct is found by
 * bisection. Without it every slot is a scalar, as before. */
#ifndef BPFVM_PROGTYPES_BTF_CTX_H
#define BPFVM_PROGTYPES_BTF_CTX_H

#include <stdbool.h>
#include <stdint.h>
#include <bpf/btf.h>

#include "bpfvm/bpfvm.h"
#include "progtypes/progtype.h"

/* Flags of a kernel object pointer (the kernel's PTR_TRUSTED, MEM_RCU,
 * PTR_UNTRUSTED); NULL-ness is the register's REG_MAYBE_NULL. */
#define BTF_PTR_TRUSTED 0x1u
#define BTF_PTR_RCU 0x2u
#define BTF_PTR_UNTRUSTED 0x4u
#define BTF_PTR_MAYBE_NULL 0x8u /* in a ctx_rewrite only */
/* A pointer field to anything but a struct (char *name): memory of unknown
 * size that the kernel reads with fault-handling loads at any offset and
 * never writes (its rdonly_untrusted_mem); btf_id 0. */
#define BTF_PTR_MEM 0x10u
/* A socket cast's (bpf_skc_to_tcp_sock): bpfvm has no sockets, so a program
 * that runs never holds one that is not NULL (verifier/types_sock.c). */
#define BTF_PTR_NO_OBJECT 0x20u

struct btf_target {
	const struct btf *btf;
	const struct btf_type *proto; /* BTF_KIND_FUNC_PROTO */
	const char *name;	      /* as the kernel names it in messages */
	uint32_t skip;		      /* leading prototype arguments not seen */
};

/* The running kernel's BTF, or NULL. */
const struct btf *btf_ctx_kernel(void);

/* The id of the type `name` of `kind` (BTF_KIND_STRUCT, _FUNC, ...) in the
 * kernel's BTF, or 0. */
uint32_t btf_ctx_find(const char *name, uint32_t kind);

/* The attach target of a BTF-typed program; false if it has none that the
 * kernel's BTF names (no BTF, an unknown target, struct_ops, freplace). */
bool btf_ctx_target(const struct bpfvm_prog *prog, struct btf_target *target);

/* Type `id` with its modifiers and typedefs skipped, and its id in
 * *out_id (if not NULL); NULL for an id the BTF does not have. */
const struct btf_type *btf_ctx_skip_mods(const struct btf *btf, uint32_t id, uint32_t *out_id);

/* The struct (or union) that pointer type `ptr_id` points to, modifiers
 * skipped: its id, or 0 when it points to anything else. */
uint32_t btf_ctx_struct_ptr(const struct btf *btf, uint32_t ptr_id);

/* The struct's name, "" for an anonymous one. */
const char *btf_ctx_name(const struct btf *btf, uint32_t id);

/* A read of `size` bytes at `off` of the context of `prog`, whose target
 * is `target`: 0 and the rewrite (CTX_FIELD_BTF_PTR with the struct's id
 * for a kernel object, CTX_FIELD_SCALAR otherwise), or -EACCES and the
 * kernel's message (btf_ctx_access). */
int btf_ctx_access(const struct bpfvm_prog *prog, const struct btf_target *target, int32_t off,
		   uint32_t size, struct ctx_rewrite *rewrite);

#endif
