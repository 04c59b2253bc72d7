/* printk for BPF programs: bpf_trace_printk (6) and bpf_trace_vprintk (177)
 * write a line to the runtime's trace pipe; bpf_snprintf (165) formats into
 * the program's memory. The format rules are the kernel's (bprintf.h). */
#include <errno.h>
#include <string.h>

#include "core/runtime.h"
#include "helpers/bprintf.h"
#include "helpers/helper_proto.h"
#include "helpers/helper_run.h"
#include "helpers/trace_pipe.h"

/* bpf_trace_printk takes at most 3 arguments (MAX_TRACE_PRINTK_VARARGS). */
#define TRACE_PRINTK_MAX_ARGS 3

/* Formats into the kernel's 1024-byte buffer and writes the line; returns
 * the formatted length (also beyond the buffer), as bstr_printf. */
static uint64_t trace_print(const char *fmt, uint32_t fmt_size, const uint64_t *args,
			    uint32_t num_args)
{
	char buf[BPRINTF_BUF_SIZE];
	long len = bprintf_format(buf, sizeof(buf), fmt, fmt_size, args, num_args);
	struct bpfvm *vm = helper_run_vm();

	if (len < 0)
		return helper_errno((int)len);
	/* The trace event copies the message as a C string. */
	if (vm)
		trace_pipe_write(vm->trace, helper_run_cpu(), buf, strlen(buf));
	return (uint64_t)len;
}

static uint64_t helper_trace_printk(uint64_t fmt, uint64_t fmt_size, uint64_t arg1,
				    uint64_t arg2, uint64_t arg3)
{
	const uint64_t args[TRACE_PRINTK_MAX_ARGS] = { arg1, arg2, arg3 };

	return trace_print((const char *)(uintptr_t)fmt, (uint32_t)fmt_size, args,
			   TRACE_PRINTK_MAX_ARGS);
}

/* The arguments are an array of u64, data_len bytes (a multiple of 8, at
 * most 12 of them). */
static int bprintf_array_args(uint64_t data, uint32_t data_len, uint32_t *num_args)
{
	if (data_len % 8 || data_len > BPRINTF_MAX_ARGS * 8 || (data_len && !data))
		return -EINVAL;
	*num_args = data_len / 8;
	return 0;
}

static uint64_t helper_trace_vprintk(uint64_t fmt, uint64_t fmt_size, uint64_t data,
				     uint64_t data_len, uint64_t r5)
{
	uint32_t num_args;
	int err = bprintf_array_args(data, (uint32_t)data_len, &num_args);

	if (err)
		return helper_errno(err);
	return trace_print((const char *)(uintptr_t)fmt, (uint32_t)fmt_size,
			   (const uint64_t *)(uintptr_t)data, num_args);
}

/* Returns the length of the whole output including its NUL, also when
 * str_size cut it. */
static uint64_t helper_snprintf(uint64_t str, uint64_t str_size, uint64_t fmt, uint64_t data,
				uint64_t data_len)
{
	uint32_t num_args;
	int err = bprintf_array_args(data, (uint32_t)data_len, &num_args);
	long len;

	if (err)
		return helper_errno(err);
	/* ARG_PTR_TO_CONST_STR: the verifier proved the NUL is there. */
	len = bprintf_format((char *)(uintptr_t)str, (uint32_t)str_size,
			     (const char *)(uintptr_t)fmt, strlen((const char *)(uintptr_t)fmt) + 1,
			     (const uint64_t *)(uintptr_t)data, num_args);
	return len < 0 ? helper_errno((int)len) : (uint64_t)len + 1;
}

/* kernel/trace/bpf_trace.c and kernel/bpf/helpers.c. */
const struct helper_proto helper_protos_trace[] = {
	{ .id = BPF_FUNC_trace_printk, .name = "bpf_trace_printk", .fn = helper_trace_printk,
	  .ret = RET_INTEGER, .args = { ARG_PTR_TO_MEM, ARG_CONST_SIZE },
	  .families = HELPER_FAMILY_ANY, .gpl_only = true },
	{ .id = BPF_FUNC_trace_vprintk, .name = "bpf_trace_vprintk", .fn = helper_trace_vprintk,
	  .ret = RET_INTEGER,
	  .args = { ARG_PTR_TO_MEM, ARG_CONST_SIZE, ARG_PTR_TO_MEM_OR_NULL, ARG_CONST_SIZE_OR_ZERO },
	  .families = HELPER_FAMILY_ANY, .gpl_only = true },
	{ .id = BPF_FUNC_snprintf, .name = "bpf_snprintf", .fn = helper_snprintf,
	  .ret = RET_INTEGER,
	  .args = { ARG_PTR_TO_MEM_OR_NULL, ARG_CONST_SIZE_OR_ZERO, ARG_PTR_TO_CONST_STR,
		    ARG_PTR_TO_MEM_OR_NULL, ARG_CONST_SIZE_OR_ZERO },
	  .families = HELPER_FAMILY_ANY, .gpl_only = true },
	{ 0 },
};
