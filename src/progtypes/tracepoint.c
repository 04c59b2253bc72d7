/* BPF_PROG_TYPE_TRACEPOINT: the context is the tracepoint's record as perf
 * writes it, a common header then the event's fields:
 *
 *   +0 common_type u16 | +2 common_flags u8 | +3 common_preempt_count u8 |
 *   +4 common_pid s32 | +8 the event's fields ... (the event's size)
 *
 * The kernel's tp_prog_is_valid_access (kernel/trace/bpf_trace.c) allows
 * reads aligned to their size from 8 (past the header) up to
 * PERF_MAX_TRACE_SIZE (8192), and no writes. The real bound, the event's
 * size from its format file, is checked when the program is attached
 * (perf_event_attach_bpf_prog compares max_ctx_offset with it); bpfvm has
 * no tracepoints to attach to, so 8192 is its bound too, and a program that
 * reads past its event verifies here as it loads in the kernel.
 *
 * Negative offsets: the kernel compares the int offset with sizeof(void *)
 * unsigned, so a negative one passes that test, and then the signed one
 * against PERF_MAX_TRACE_SIZE; Linux 6.18 accepts aligned reads at any
 * negative offset (before the record). bpfvm accepts what the kernel
 * accepts (docs/differences.md). */
#include "helpers/helper_proto.h"
#include "progtypes/progtype.h"

#define TRACEPOINT_HEADER_SIZE 8    /* sizeof(void *), the common fields */
#define TRACEPOINT_MAX_SIZE 8192    /* PERF_MAX_TRACE_SIZE */

static int tracepoint_ctx_access(const struct bpfvm_prog *prog, int32_t off, uint32_t size,
				 bool is_write, struct ctx_rewrite *rewrite)
{
	bool in_header = off >= 0 && off < TRACEPOINT_HEADER_SIZE;

	if (in_header || off >= TRACEPOINT_MAX_SIZE || is_write || off % (int32_t)size)
		return progtype_ctx_refuse(prog, off, size, is_write);
	return progtype_ctx_keep(off, size, CTX_FIELD_SCALAR, rewrite);
}

const struct progtype progtype_tracepoint = {
	.type = BPF_PROG_TYPE_TRACEPOINT,
	.name = "tracepoint",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_TRACING,
	.ctx_size = TRACEPOINT_MAX_SIZE,
	.ctx_access = tracepoint_ctx_access,
	.ret_checked = false,
	.test_run = NULL,
};
