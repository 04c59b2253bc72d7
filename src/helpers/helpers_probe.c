/* Reading memory by address: bpf_probe_read_user / _kernel (and their _str
 * forms), as the kernel's copy_from_user_nofault / copy_from_kernel_nofault:
 * a bad address is -EFAULT, never a crash. In user space both read the
 * process's own memory, through process_vm_readv(2) on the process itself,
 * which the kernel answers with EFAULT for an unmapped or unreadable page
 * instead of a signal.
 *
 *   bpf_probe_read_*(dst, size, src)       size bytes, or -EFAULT and dst
 *                                          zeroed
 *   bpf_probe_read_*_str(dst, size, src)   up to the NUL, at most size - 1
 *                                          bytes then a NUL; returns the
 *                                          length with the NUL; -EFAULT and
 *                                          dst zeroed if a fault comes first
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
#include <sys/uio.h>
#include <unistd.h>

#include "helpers/helper_proto.h"
#include "helpers/helper_run.h"

#define PROBE_PAGE_SIZE 4096u

/* Copies size bytes from src; false on a fault. */
static bool read_nofault(void *dst, uint64_t src, size_t size)
{
	struct iovec local = { .iov_base = dst, .iov_len = size };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)src, .iov_len = size };

	if (!size)
		return true;
	return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == (ssize_t)size;
}

static uint64_t helper_probe_read(uint64_t dst, uint64_t size, uint64_t src, uint64_t r4,
				  uint64_t r5)
{
	if (read_nofault((void *)(uintptr_t)dst, src, size))
		return 0;
	memset((void *)(uintptr_t)dst, 0, size);
	return helper_errno(-EFAULT);
}

/* Reads page by page (a string may end before an unmapped page) until the
 * NUL or size - 1 bytes. dst past the NUL is left as it was (the kernel's
 * strncpy_from_*_nofault copies no further). */
static uint64_t helper_probe_read_str(uint64_t dst, uint64_t size, uint64_t src, uint64_t r4,
				      uint64_t r5)
{
	char *out = (char *)(uintptr_t)dst, page[PROBE_PAGE_SIZE];
	uint64_t done = 0;

	if (!size)
		return 0;
	while (done < size - 1) {
		uint64_t addr = src + done;
		uint64_t chunk = PROBE_PAGE_SIZE - addr % PROBE_PAGE_SIZE;
		char *nul;

		if (chunk > size - 1 - done)
			chunk = size - 1 - done;
		if (!read_nofault(page, addr, chunk)) {
			memset(out, 0, size);
			return helper_errno(-EFAULT);
		}
		nul = memchr(page, '\0', chunk);
		memcpy(out + done, page, nul ? (size_t)(nul - page) + 1 : chunk);
		if (nul)
			return done + (uint64_t)(nul - page) + 1;
		done += chunk;
	}
	out[size - 1] = '\0';
	return size;
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
	{ 0 },
};
