/* BPF_PROG_TYPE_PERF_EVENT: the context is struct bpf_perf_event_data, as
 * the kernel's pe_prog_is_valid_access (kernel/trace/bpf_trace.c) allows it:
 *
 *   +0   regs           struct pt_regs (x86-64, 168 bytes): 8-byte reads only
 *   +168 sample_period  u64: reads of 1, 2, 4 or 8 bytes
 *   +176 addr           u64: reads of 1, 2, 4 or 8 bytes
 *
 * aligned to their size; no writes. bpfvm has no perf events: no runtime
 * context, no test run. */
#include "helpers/helper_proto.h"
#include "progtypes/progtype.h"

#define PERF_EVENT_REGS_SIZE 168 /* sizeof(bpf_user_pt_regs_t) on x86-64 */
#define PERF_EVENT_CTX_SIZE (PERF_EVENT_REGS_SIZE + 16)

static int perf_event_ctx_access(const struct bpfvm_prog *prog, int32_t off, uint32_t size,
				 bool is_write, struct ctx_rewrite *rewrite)
{
	bool ok = off >= 0 && off < PERF_EVENT_CTX_SIZE && !is_write && off % (int32_t)size == 0;

	/* The registers are read as longs; sample_period and addr narrowly. */
	if (off < PERF_EVENT_REGS_SIZE && size != 8)
		ok = false;
	if (!ok)
		return progtype_ctx_refuse(prog, off, size, is_write);
	return progtype_ctx_keep(off, size, CTX_FIELD_SCALAR, rewrite);
}

const struct progtype progtype_perf_event = {
	.type = BPF_PROG_TYPE_PERF_EVENT,
	.name = "perf_event",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_TRACING,
	.ctx_size = PERF_EVENT_CTX_SIZE,
	.ctx_access = perf_event_ctx_access,
	.ret_checked = false,
	.test_run = NULL,
};
