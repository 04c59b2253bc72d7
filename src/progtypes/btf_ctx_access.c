/* What a read of the context of a BTF-typed program gives, from the attach
 * target's prototype: the kernel's btf_ctx_access (Linux 6.18), in its
 * words. Slot i holds argument i (an argument passed by value as a struct
 * takes its size rounded up to 8 bytes: btf_ctx_arg_idx); after the
 * arguments, fexit, fmod_ret and lsm programs read the return value.
 *
 * A pointer to a struct is a kernel object of that type: trusted in tp_btf,
 * iter and lsm programs (prog_args_trusted), plain in fentry/fexit/fmod_ret.
 * It may be NULL where the kernel says so: an iterator's objects (NULL ends
 * the walk), and the tracepoint arguments the kernel lists
 * (raw_tp_null_args). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "engine/prog.h"
#include "object/btf_kind_name.h"
#include "progtypes/btf_ctx.h"
#include "progtypes/progtype.h"

#define CTX_SLOT 8

/* The kernel's btf_type_is_small_int: an integer of at most 8 bytes that
 * is not a bitfield. */
static bool is_small_int(const struct btf_type *t)
{
	return t && btf_is_int(t) && t->size <= 8 && btf_int_offset(t) == 0 &&
	       btf_int_bits(t) == t->size * 8;
}

static uint32_t slot_size(const struct btf *btf, uint32_t type_id)
{
	const struct btf_type *t = btf_ctx_skip_mods(btf, type_id, NULL);

	if (!t || btf_is_ptr(t))
		return CTX_SLOT;
	return (t->size + CTX_SLOT - 1) / CTX_SLOT * CTX_SLOT;
}

/* btf_ctx_arg_idx: over the whole prototype (tp_btf's __data included, as
 * the kernel counts), then the return value, then past it. */
static uint32_t arg_index(const struct btf *btf, const struct btf_type *proto, int32_t off)
{
	const struct btf_param *params = btf_params(proto);
	uint32_t nr = btf_vlen(proto), end = 0;

	for (uint32_t i = 0; i < nr; i++) {
		end += slot_size(btf, params[i].type);
		if ((uint32_t)off < end)
			return i;
	}
	end += proto->type ? slot_size(btf, proto->type) : 0;
	return (uint32_t)off < end ? nr : nr + 1;
}

static int refuse(const struct bpfvm_prog *prog, int32_t off, uint32_t size, const char *why)
{
	vm_error("%s: %s\ninvalid bpf_context access off=%d size=%u", prog->name, why, off,
		 size);
	return -EACCES;
}

/* The return value's slot; NULL type id 0 is a void function's. */
static int ret_slot(const struct bpfvm_prog *prog, const struct btf_target *target,
		    int32_t off, uint32_t size, uint32_t arg, uint32_t *type_id)
{
	const struct btf_type *t;
	char why[160];

	switch (prog->expected_attach_type) {
	case BPF_LSM_MAC:
	case BPF_LSM_CGROUP:
	case BPF_TRACE_FEXIT:
		*type_id = target->proto->type;
		return 0;
	case BPF_MODIFY_RETURN:
		t = btf_ctx_skip_mods(target->btf, target->proto->type, NULL);
		*type_id = target->proto->type;
		if (is_small_int(t))
			return 0;
		snprintf(why, sizeof(why), "ret type %s not allowed for fmod_ret", btf_kind_name(t));
		return refuse(prog, off, size, why);
	default:
		snprintf(why, sizeof(why), "func '%s' doesn't have %u-th argument", target->name,
			 arg + 1);
		return refuse(prog, off, size, why);
	}
}

/* The tracepoint arguments that may be NULL (the kernel's
 * raw_tp_null_args, for the tracepoints of a common build). */
static bool trace_arg_maybe_null(const char *tp, uint32_t arg)
{
	static const struct {
		const char *tp;
		uint32_t args; /* bit i: argument i */
	} null_args[] = {
		{ "sched_pi_setprio", 1u << 1 },   { "sched_stick_numa", 1u << 2 },
		{ "sched_swap_numa", 1u << 2 },    { "fib_table_lookup", 1u << 2 },
		{ "mm_page_alloc", 1u << 0 },	   { "mm_page_pcpu_drain", 1u << 0 },
		{ "mm_page_alloc_zone_locked", 1u << 0 }, { "qdisc_dequeue", 1u << 3 },
		{ "kfree_skb", 1u << 3 },	   { "tcp_send_reset", 1u << 0 | 1u << 1 },
		{ "tcp_sendmsg_locked", 1u << 2 }, { "neigh_update", 1u << 1 },
		{ "tmigr_update_events", 1u << 0 }, { "writeback_dirty_folio", 1u << 1 },
		{ "folio_wait_writeback", 1u << 1 }, { "mm_khugepaged_scan_pmd", 1u << 1 },
		{ "mm_collapse_huge_page_isolate", 1u << 0 },
		{ "mm_khugepaged_scan_file", 1u << 1 }, { "mm_khugepaged_collapse_file", 1u << 1 },
	};

	for (size_t i = 0; i < sizeof(null_args) / sizeof(null_args[0]); i++)
		if (strcmp(tp, null_args[i].tp) == 0)
			return null_args[i].args & (1u << arg);
	return false;
}

/* The kernel's ctx_arg_info of the iterators: every object after the
 * meta is NULL at the end of the walk, except the map of the iterators over
 * one map's elements (bpf_map_elem, sockmap, sk_storage_map). */
static bool iter_arg_maybe_null(const struct btf_target *target, uint32_t arg)
{
	const struct btf_param *param = btf_params(target->proto) + arg;
	const char *name = btf__name_by_offset(target->btf, param->name_off);

	if (arg == 0)
		return false;
	return !name || strcmp(name, "map") != 0 || strcmp(target->name, "bpf_iter_bpf_map") == 0;
}

static uint32_t ptr_flags(const struct bpfvm_prog *prog, const struct btf_target *target,
			  uint32_t arg)
{
	uint32_t flags = 0;

	switch (prog->expected_attach_type) {
	case BPF_TRACE_RAW_TP:
		flags = BTF_PTR_TRUSTED;
		if (trace_arg_maybe_null(target->name, arg))
			flags |= BTF_PTR_MAYBE_NULL;
		break;
	case BPF_TRACE_ITER:
		flags = BTF_PTR_TRUSTED;
		if (iter_arg_maybe_null(target, arg))
			flags |= BTF_PTR_MAYBE_NULL;
		break;
	case BPF_LSM_MAC:
	case BPF_LSM_CGROUP:
		flags = BTF_PTR_TRUSTED;
		break;
	default:
		break;
	}
	return flags;
}

/* The iterators' buffers (their bpf_iter_reg ctx_arg_info): the element's
 * key, read-only, and its value, of the map the iterator is attached to;
 * NULL at the end of the walk. 0: not a buffer. */
static enum ctx_field_kind iter_buffer(const struct bpfvm_prog *prog,
				       const struct btf_target *target, uint32_t arg)
{
	static const struct {
		const char *iter, *arg;
		enum ctx_field_kind kind;
	} buffers[] = {
		{ "bpf_iter_bpf_map_elem", "key", CTX_FIELD_RDONLY_BUF_OR_NULL },
		{ "bpf_iter_bpf_map_elem", "value", CTX_FIELD_BUF_OR_NULL },
		{ "bpf_iter_sockmap", "key", CTX_FIELD_RDONLY_BUF_OR_NULL },
		{ "bpf_iter_bpf_sk_storage_map", "value", CTX_FIELD_BUF_OR_NULL },
	};
	const struct btf_param *param = btf_params(target->proto) + arg + target->skip;
	const char *name = btf__name_by_offset(target->btf, param->name_off);

	if (prog->expected_attach_type != BPF_TRACE_ITER || !name)
		return CTX_FIELD_SCALAR;
	for (size_t i = 0; i < sizeof(buffers) / sizeof(buffers[0]); i++)
		if (strcmp(target->name, buffers[i].iter) == 0 && strcmp(name, buffers[i].arg) == 0)
			return buffers[i].kind;
	return CTX_FIELD_SCALAR;
}

/* A slot typed `type_id`: a scalar, a kernel object, or an iterator's
 * buffer. */
static int typed_slot(const struct bpfvm_prog *prog, const struct btf_target *target,
		      int32_t off, uint32_t size, uint32_t arg, uint32_t type_id,
		      struct ctx_rewrite *rewrite)
{
	const struct btf_type *t = btf_ctx_skip_mods(target->btf, type_id, NULL);
	uint32_t struct_id;
	char why[256];

	if (!type_id || is_small_int(t) || (t && (btf_is_any_enum(t) || btf_is_composite(t))))
		return progtype_ctx_keep(off, size, CTX_FIELD_SCALAR, rewrite);
	if (!t || !btf_is_ptr(t)) {
		snprintf(why, sizeof(why), "func '%s' arg%u '%s' has type %s. Only pointer access "
			 "is allowed", target->name, arg, t ? btf__name_by_offset(target->btf,
			 t->name_off) : "", btf_kind_name(t));
		return refuse(prog, off, size, why);
	}
	if (size != CTX_SLOT) {
		snprintf(why, sizeof(why), "func '%s' size %u must be 8", target->name, size);
		return refuse(prog, off, size, why);
	}
	if (arg < btf_vlen(target->proto) - target->skip && iter_buffer(prog, target, arg))
		return progtype_ctx_keep(off, size, iter_buffer(prog, target, arg), rewrite);
	struct_id = btf_ctx_struct_ptr(target->btf, type_id);
	if (!struct_id)
		return progtype_ctx_keep(off, size, CTX_FIELD_SCALAR, rewrite);
	progtype_ctx_keep(off, size, CTX_FIELD_BTF_PTR, rewrite);
	rewrite->btf_id = struct_id;
	rewrite->btf_flags = (uint8_t)ptr_flags(prog, target, arg);
	return 0;
}

int btf_ctx_access(const struct bpfvm_prog *prog, const struct btf_target *target, int32_t off,
		   uint32_t size, struct ctx_rewrite *rewrite)
{
	uint32_t nr_args = btf_vlen(target->proto) - target->skip;
	uint32_t arg = arg_index(target->btf, target->proto, off), type_id;
	char why[160];
	int err;

	if (off % CTX_SLOT) {
		snprintf(why, sizeof(why), "func '%s' offset %d is not multiple of 8",
			 target->name, off);
		return refuse(prog, off, size, why);
	}
	if (arg > nr_args) {
		snprintf(why, sizeof(why), "func '%s' doesn't have %u-th argument", target->name,
			 arg + 1);
		return refuse(prog, off, size, why);
	}
	if (arg == nr_args) {
		err = ret_slot(prog, target, off, size, arg, &type_id);
		if (err)
			return err;
	} else {
		type_id = btf_params(target->proto)[arg + target->skip].type;
	}
	return typed_slot(prog, target, off, size, arg, type_id, rewrite);
}
