/* bpf_perf_event_output (25), kernel/trace/bpf_trace.c and, for programs
 * that see a packet, net/core/filter.c's bpf_skb_event_output: the upper 32
 * bits of flags (BPF_F_CTXLEN_MASK) ask for that many packet bytes after the
 * data. The buffers are maps/perf_event_array.c's, one per virtual CPU.
 *
 * The packet comes from the program type's event_packet (skb types: the
 * linear data; xdp: data to data_end); for other types a context length is
 * -EINVAL, as for tracing programs in the kernel. */
#include <errno.h>

#include "engine/prog.h"
#include "helpers/helper_proto.h"
#include "helpers/helper_run.h"
#include "maps/perf_event_array.h"
#include "progtypes/progtype.h"

/* The packet bytes that BPF_F_CTXLEN_MASK asks for. */
static int perf_ctx_bytes(uint64_t ctx_len, const uint8_t **bytes)
{
	struct run_ctx *run = run_ctx_current();
	const struct progtype *type = run && run->prog ? run->prog->progtype : NULL;
	uint64_t len = 0;

	*bytes = NULL;
	if (!ctx_len)
		return 0;
	if (!type || !type->event_packet)
		return -EINVAL;
	type->event_packet(run->ctx, bytes, &len);
	return ctx_len > len ? -EFAULT : 0;
}

static uint64_t helper_perf_event_output(uint64_t ctx, uint64_t map, uint64_t flags,
					 uint64_t data, uint64_t size)
{
	uint64_t index = flags & BPF_F_INDEX_MASK;
	uint64_t ctx_len = (flags & BPF_F_CTXLEN_MASK) >> 32;
	uint32_t cpu = helper_run_cpu();
	const uint8_t *packet;
	int err;

	if (flags & ~(BPF_F_INDEX_MASK | BPF_F_CTXLEN_MASK))
		return helper_errno(-EINVAL);
	err = perf_ctx_bytes(ctx_len, &packet);
	if (err)
		return helper_errno(err);
	if (index == BPF_F_CURRENT_CPU)
		index = cpu;
	return helper_errno(perf_event_array_output((struct bpfvm_map *)(uintptr_t)map, index, cpu,
						    (const void *)(uintptr_t)data, size, packet,
						    ctx_len));
}

/* Tracing, skb and XDP programs all have it (the kernel's three prototypes
 * share the id and the argument types). */
const struct helper_proto helper_protos_perf[] = {
	{ .id = BPF_FUNC_perf_event_output, .name = "bpf_perf_event_output",
	  .fn = helper_perf_event_output, .ret = RET_INTEGER,
	  .args = { ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING, ARG_PTR_TO_MEM,
		    ARG_CONST_SIZE_OR_ZERO },
	  .families = HELPER_FAMILY_TRACING | HELPER_FAMILY_SKB | HELPER_FAMILY_XDP |
		      HELPER_FAMILY_CGROUP | HELPER_FAMILY_RAW,
	  .gpl_only = true },
	{ 0 },
};
