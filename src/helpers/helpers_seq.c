/* bpf_seq_write, bpf_seq_printf and bpf_seq_printf_btf
 * (kernel/trace/bpf_trace.c): an iterator program writes bytes, formats its
 * format string's arguments (an array of u64, maybe NULL when its size is
 * 0), or shows a kernel object as its BTF describes it (a struct btf_ptr
 * and flags), to the seq_file its context's meta names. The prototypes are the kernel's (a seq_file, never NULL;
 * read-only memory and its size), for iterator programs only
 * (progtype_attach_allows_helper), so that iterators verify as in the
 * kernel. bpfvm runs no iterator (no kernel objects to walk,
 * docs/differences.md): were one run, there would be no seq_file to write
 * to, and the helpers answer the kernel's -EOVERFLOW for a buffer that
 * cannot take the bytes (0 bytes fit). */
#include <errno.h>
#include <linux/bpf.h>

#include "helpers/helper_proto.h"

static uint64_t helper_seq_write(uint64_t seq, uint64_t data, uint64_t len, uint64_t r4,
				 uint64_t r5)
{
	return (uint32_t)len ? (uint64_t)-EOVERFLOW : 0;
}

static uint64_t helper_seq_printf(uint64_t seq, uint64_t fmt, uint64_t fmt_size, uint64_t data,
				  uint64_t data_len)
{
	return (uint64_t)-EOVERFLOW;
}

static uint64_t helper_seq_printf_btf(uint64_t seq, uint64_t ptr, uint64_t ptr_size,
				      uint64_t flags, uint64_t r5)
{
	return (uint64_t)-EOVERFLOW;
}

const struct helper_proto helper_protos_seq[] = {
	{ .id = BPF_FUNC_seq_write, .name = "bpf_seq_write", .fn = helper_seq_write,
	  .args = { ARG_PTR_TO_BTF_ID, ARG_PTR_TO_MEM, ARG_CONST_SIZE_OR_ZERO } },
	{ .id = BPF_FUNC_seq_printf, .name = "bpf_seq_printf", .fn = helper_seq_printf,
	  .gpl_only = true,
	  .args = { ARG_PTR_TO_BTF_ID, ARG_PTR_TO_MEM, ARG_CONST_SIZE, ARG_PTR_TO_MEM_OR_NULL,
		    ARG_CONST_SIZE_OR_ZERO } },
	{ .id = BPF_FUNC_seq_printf_btf, .name = "bpf_seq_printf_btf", .fn = helper_seq_printf_btf,
	  .gpl_only = true,
	  .args = { ARG_PTR_TO_BTF_ID, ARG_PTR_TO_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING } },
	{ 0 },
};
