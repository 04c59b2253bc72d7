/* Reading memory by address: bpf_probe_read_user / _kernel (and their _str
 * forms), as the kernel's copy_from_user_nofault / copy_from_kernel_nofault:
 * a bad address is -EFAULT, never a crash. In user space both read the
 * process's own memory (helpers/nofault.h).
 *
 *   bpf_probe_read_*(dst, size, src)       size bytes, or -EFAULT and dst
 *                                          zeroed
 *   bpf_probe_read_*_str(dst, size, src)   up to the NUL, at most size
 *                                          bytes (the last then becomes a
 *                                          NUL); returns the length with
 *                                          the NUL (size for a cut
 *                                          string); -EFAULT and dst zeroed
 *                                          if a fault comes first, the
 *                                          size-th byte included
 *
 * Differences from the kernel, on purpose:
 * - _user and _kernel read the same address space: there is no kernel
 *   half (the kernel's _kernel refuses user addresses).
 * - bpf_get_current_task: the calling thread's pthread_self(), an opaque
 *   value stable for the thread (no task_struct to point to).
 * - bpf_probe_read / bpf_probe_read_str (the old forms, tracing programs
 *   only) are the _kernel ones, as on architectures where the address
 *   spaces do not overlap. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "helpers/helper_proto.h"
#include "helpers/helper_run.h"
#include "helpers/nofault.h"

static uint64_t helper_probe_read(uint64_t dst, uint64_t size, uint64_t src, uint64_t r4,
				  uint64_t r5)
{
	if (helper_read_nofault((void *)(uintptr_t)dst, src, size))
		return 0;
	memset((void *)(uintptr_t)dst, 0, size);
	return helper_errno(-EFAULT);
}

/* bpf_probe_read_kernel_str_common: up to size bytes, the last one becoming
 * a NUL when none came first; dst past the NUL is left as it was (the
 * kernel's strncpy_from_kernel_nofault copies no further). */
static uint64_t helper_probe_read_str(uint64_t dst, uint64_t size, uint64_t src, uint64_t r4,
				      uint64_t r5)
{
	long len = helper_read_str_nofault((char *)(uintptr_t)dst, src, size);

	if (len >= 0)
		return (uint64_t)len;
	memset((void *)(uintptr_t)dst, 0, size);
	return helper_errno(len);
}

static uint64_t helper_get_current_task(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
					uint64_t r5)
{
	return (uint64_t)pthread_self();
}

#define PROBE_ARGS { ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING }

/* kernel/trace/bpf_trace.c: the _user and _kernel forms and the current
 * task are in bpf_base_func_proto (every type, for a root load); the old
 * forms in bpf_tracing_func_proto only (Linux 6.18, checked with bpf()). */
const struct helper_proto helper_protos_probe[] = {
	{ .id = BPF_FUNC_probe_read_user, .name = "bpf_probe_read_user", .fn = helper_probe_read,
	  .args = PROBE_ARGS, .families = HELPER_FAMILY_ANY, .gpl_only = true },
	{ .id = BPF_FUNC_probe_read_kernel, .name = "bpf_probe_read_kernel",
	  .fn = helper_probe_read, .args = PROBE_ARGS, .families = HELPER_FAMILY_ANY,
	  .gpl_only = true },
	{ .id = BPF_FUNC_probe_read_user_str, .name = "bpf_probe_read_user_str",
	  .fn = helper_probe_read_str, .args = PROBE_ARGS, .families = HELPER_FAMILY_ANY,
	  .gpl_only = true },
	{ .id = BPF_FUNC_probe_read_kernel_str, .name = "bpf_probe_read_kernel_str",
	  .fn = helper_probe_read_str, .args = PROBE_ARGS, .families = HELPER_FAMILY_ANY,
	  .gpl_only = true },
	{ .id = BPF_FUNC_probe_read, .name = "bpf_probe_read", .fn = helper_probe_read,
	  .args = PROBE_ARGS, .families = HELPER_FAMILY_TRACING, .gpl_only = true },
	{ .id = BPF_FUNC_probe_read_str, .name = "bpf_probe_read_str",
	  .fn = helper_probe_read_str, .args = PROBE_ARGS, .families = HELPER_FAMILY_TRACING,
	  .gpl_only = true },
	{ .id = BPF_FUNC_get_current_task, .name = "bpf_get_current_task",
	  .fn = helper_get_current_task, .families = HELPER_FAMILY_ANY, .gpl_only = true },
	/* The same thread handle, typed as a trusted task the verifier lets
	 * programs read through and pass to the task storage helpers. */
	{ .id = BPF_FUNC_get_current_task_btf, .name = "bpf_get_current_task_btf",
	  .fn = helper_get_current_task, .ret = RET_PTR_TO_BTF_ID_TRUSTED,
	  .families = HELPER_FAMILY_ANY, .gpl_only = true },
	{ 0 },
};
