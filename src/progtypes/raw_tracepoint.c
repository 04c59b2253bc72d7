/* BPF_PROG_TYPE_RAW_TRACEPOINT: the context is struct
 * bpf_raw_tracepoint_args, the tracepoint's arguments as u64 args[]. The
 * runtime context is the same array, so accesses are not rewritten:
 *
 *   +0 args[0] | +8 args[1] | ... | +88 args[11]    (MAX_BPF_FUNC_ARGS u64s)
 *
 * Rules and test run as the kernel's (kernel/trace/bpf_trace.c:
 * raw_tp_prog_is_valid_access; net/bpf/test_run.c: bpf_prog_test_run_raw_tp):
 * reads only, aligned to their size; a test run takes the arguments from
 * ctx_in (at least as many bytes as the program reads) and nothing else.
 *
 * BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE has the same arguments, args[0]
 * being the tracepoint's writable buffer (raw_tp_writable_prog_is_valid_access:
 * read whole, it is a pointer; the kernel bounds the accesses through it by
 * the buffer's size when attaching, bpfvm treats it as an opaque kernel
 * object). bpfvm has no such tracepoints: no test run. */
#include <errno.h>
#include <string.h>

#include "core/error.h"
#include "core/runtime.h"
#include "engine/prog.h"
#include "helpers/helper_proto.h"
#include "progtypes/progtype.h"

#define RAW_TP_MAX_ARGS 12u /* MAX_BPF_FUNC_ARGS */
#define RAW_TP_CTX_SIZE (RAW_TP_MAX_ARGS * 8u)

static int raw_tp_ctx_access(const struct bpfvm_prog *prog, int32_t off, uint32_t size,
			     bool is_write, struct ctx_rewrite *rewrite)
{
	static const uint8_t size_codes[9] = { [1] = BPF_B, [2] = BPF_H, [4] = BPF_W, [8] = BPF_DW };

	if (off < 0 || off >= (int32_t)RAW_TP_CTX_SIZE || is_write || size > 8 ||
	    off % (int32_t)size) {
		vm_error("%s: invalid bpf_context access off=%d size=%u%s", prog->name, off, size,
			 is_write ? " (write)" : "");
		return -EACCES;
	}
	*rewrite = (struct ctx_rewrite){ .off = (int16_t)off, .size = size_codes[size] };
	return 0;
}

static int raw_tp_writable_ctx_access(const struct bpfvm_prog *prog, int32_t off, uint32_t size,
				      bool is_write, struct ctx_rewrite *rewrite)
{
	if (off == 0 && (size != 8 || is_write))
		return progtype_ctx_refuse(prog, off, size, is_write);
	if (off == 0)
		return progtype_ctx_keep(off, size, CTX_FIELD_PTR, rewrite);
	return raw_tp_ctx_access(prog, off, size, is_write, rewrite);
}

static int raw_tp_check_opts(const struct bpfvm_prog *prog, const struct bpfvm_test_run_opts *opts)
{
	if (opts->data_in || opts->data_out || opts->ctx_out || opts->repeat) {
		vm_error("%s: a raw tracepoint test run takes only ctx_in (no data_in, data_out, "
			 "ctx_out or repeat)", prog->name);
		return -EINVAL;
	}
	if (opts->ctx_size_in < prog->max_ctx_offset || opts->ctx_size_in > RAW_TP_CTX_SIZE) {
		vm_error("%s: ctx_in of %u bytes: the program reads %u, at most %u are allowed",
			 prog->name, opts->ctx_size_in, prog->max_ctx_offset, RAW_TP_CTX_SIZE);
		return -EINVAL;
	}
	if (!(opts->flags & BPF_F_TEST_RUN_ON_CPU) && opts->cpu) {
		vm_error("%s: cpu %u without BPF_F_TEST_RUN_ON_CPU", prog->name, opts->cpu);
		return -EINVAL;
	}
	if ((opts->flags & BPF_F_TEST_RUN_ON_CPU) && opts->cpu >= prog->vm->nr_cpus) {
		vm_error("%s: no cpu %u (the runtime has %u)", prog->name, opts->cpu,
			 prog->vm->nr_cpus);
		return -ENXIO;
	}
	return 0;
}

/* As the kernel, r1 is NULL when ctx_in is empty (the program then reads no
 * argument: max_ctx_offset is 0). */
static int raw_tp_test_run(struct bpfvm_prog *prog, struct bpfvm_test_run_opts *opts)
{
	uint64_t args[RAW_TP_MAX_ARGS] = { 0 };
	int err;

	err = raw_tp_check_opts(prog, opts);
	if (err)
		return err;
	if (opts->ctx_size_in)
		memcpy(args, opts->ctx_in, opts->ctx_size_in);
	err = progtype_test_run_repeat(prog, opts->ctx_size_in ? args : NULL, opts);
	opts->duration = 0; /* the kernel reports none */
	return err;
}

const struct progtype progtype_raw_tracepoint = {
	.type = BPF_PROG_TYPE_RAW_TRACEPOINT,
	.name = "raw_tracepoint",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_TRACING,
	.ctx_size = RAW_TP_CTX_SIZE,
	.ctx_access = raw_tp_ctx_access,
	.ret_checked = false,
	.legacy_packet = NULL,
	.test_run = raw_tp_test_run,
};

const struct progtype progtype_raw_tracepoint_writable = {
	.type = BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE,
	.name = "raw_tracepoint_writable",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_TRACING,
	.ctx_size = RAW_TP_CTX_SIZE,
	.ctx_access = raw_tp_writable_ctx_access,
	.ret_checked = false,
	.legacy_packet = NULL,
	.test_run = NULL,
};
