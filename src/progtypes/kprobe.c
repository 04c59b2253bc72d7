/* BPF_PROG_TYPE_KPROBE (kprobes, uprobes, their return probes, USDT, the
 * multi forms): the context is the probed task's registers, struct pt_regs
 * of x86-64, as the kernel's kprobe_prog_is_valid_access
 * (kernel/trace/bpf_trace.c) allows it:
 *
 *   +0 r15 | +8 r14 | ... | +120 orig_ax | +128 ip | ... | +160 ss   (168 bytes)
 *
 * reads of 1, 2, 4 or 8 bytes aligned to their size, anywhere inside; no
 * writes. bpfvm has no probes: no runtime context, no test run. */
#include "engine/prog.h"
#include "helpers/helper_proto.h"
#include "progtypes/progtype.h"

#define KPROBE_PT_REGS_SIZE 168 /* sizeof(struct pt_regs) on x86-64 */

/* Kernel values newer than some distributions' linux/bpf.h. */
enum {
	KPROBE_ATTACH_KPROBE_SESSION = 56, /* BPF_TRACE_KPROBE_SESSION */
	KPROBE_ATTACH_UPROBE_SESSION = 57, /* BPF_TRACE_UPROBE_SESSION */
};

static int kprobe_ctx_access(const struct bpfvm_prog *prog, int32_t off, uint32_t size,
			     bool is_write, struct ctx_rewrite *rewrite)
{
	if (off < 0 || off + (int32_t)size > KPROBE_PT_REGS_SIZE || is_write ||
	    off % (int32_t)size)
		return progtype_ctx_refuse(prog, off, size, is_write);
	return progtype_ctx_keep(off, size, CTX_FIELD_SCALAR, rewrite);
}

/* check_return_code(): any value, but 0 or 1 for session programs (1
 * skips the return probe). */
static bool kprobe_ret_range(const struct bpfvm_prog *prog, int64_t *min, int64_t *max)
{
	*min = 0;
	*max = 1;
	return (int)prog->expected_attach_type == KPROBE_ATTACH_KPROBE_SESSION ||
	       (int)prog->expected_attach_type == KPROBE_ATTACH_UPROBE_SESSION;
}

const struct progtype progtype_kprobe = {
	.type = BPF_PROG_TYPE_KPROBE,
	.name = "kprobe",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_TRACING,
	.ctx_size = KPROBE_PT_REGS_SIZE,
	.ctx_access = kprobe_ctx_access,
	.ret_range = kprobe_ret_range,
	.test_run = NULL,
};
