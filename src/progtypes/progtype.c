/* The table of program types. Each context family's file defines its
 * entries; this is the only place that lists them. */
#include <errno.h>
#include <stddef.h>

#include "core/error.h"
#include "engine/prog.h"
#include "progtypes/progtype.h"

static const struct progtype *const progtypes[] = {
	&progtype_raw,
	&progtype_xdp,
	&progtype_socket_filter,
	&progtype_sched_cls,
	&progtype_sched_act,
	&progtype_cgroup_skb,
	&progtype_raw_tracepoint,
	&progtype_raw_tracepoint_writable,
	&progtype_kprobe,
	&progtype_tracepoint,
	&progtype_perf_event,
	&progtype_tracing,
	&progtype_lsm,
	&progtype_struct_ops,
	&progtype_ext,
	&progtype_syscall,
	&progtype_sock_ops,
	&progtype_cgroup_sock,
	&progtype_cgroup_sock_addr,
	&progtype_sk_msg,
	&progtype_sk_skb,
	&progtype_lwt_in,
	&progtype_lwt_out,
	&progtype_lwt_xmit,
	&progtype_lwt_seg6local,
	&progtype_flow_dissector,
	&progtype_cgroup_device,
	&progtype_cgroup_sysctl,
	&progtype_cgroup_sockopt,
	&progtype_sk_lookup,
	&progtype_sk_reuseport,
	&progtype_netfilter,
	&progtype_lirc_mode2,
};

const struct progtype *progtype_for(enum bpf_prog_type type)
{
	for (size_t i = 0; i < sizeof(progtypes) / sizeof(progtypes[0]); i++)
		if (progtypes[i]->type == type)
			return progtypes[i];
	return NULL;
}

static bool id_listed(const uint32_t *ids, uint32_t id)
{
	for (; ids && *ids; ids++)
		if (*ids == id)
			return true;
	return false;
}

bool progtype_attach_allows_helper(const struct bpfvm_prog *prog, uint32_t id)
{
	if (id == BPF_FUNC_seq_write || id == BPF_FUNC_seq_printf ||
	    id == BPF_FUNC_seq_printf_btf)
		return prog->expected_attach_type == BPF_TRACE_ITER;
	if (id == BPF_FUNC_bind) /* sock_addr_func_proto */
		return prog->expected_attach_type == BPF_CGROUP_INET4_CONNECT ||
		       prog->expected_attach_type == BPF_CGROUP_INET6_CONNECT;
	return true;
}

bool progtype_has_helper(const struct progtype *type, uint32_t id, uint32_t families)
{
	if (id_listed(type->helpers_added, id))
		return true;
	return (families & type->helper_families) && !id_listed(type->helpers_refused, id);
}

bool progtype_ret_range(const struct bpfvm_prog *prog, int64_t *min, int64_t *max)
{
	const struct progtype *type = prog->progtype;

	if (type->ret_range)
		return type->ret_range(prog, min, max);
	*min = type->ret_min;
	*max = type->ret_max;
	return type->ret_checked;
}

int progtype_ctx_refuse(const struct bpfvm_prog *prog, int32_t off, uint32_t size,
			bool is_write)
{
	vm_error("%s: invalid bpf_context access off=%d size=%u%s", prog->name, off, size,
		 is_write ? " (write)" : "");
	return -EACCES;
}

int progtype_ctx_keep(int32_t off, uint32_t size, enum ctx_field_kind kind,
		      struct ctx_rewrite *rewrite)
{
	/* size is an access size of the ISA: 1, 2, 4 or 8. */
	static const uint8_t size_codes[9] = { [1] = BPF_B, [2] = BPF_H, [4] = BPF_W, [8] = BPF_DW };

	*rewrite = (struct ctx_rewrite){ .off = (int16_t)off, .size = size_codes[size],
					 .kind = kind };
	return 0;
}
