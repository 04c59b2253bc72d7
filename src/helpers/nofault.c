/* process_vm_readv(2) on the process itself: the kernel answers EFAULT for an
 * unmapped or unreadable page instead of raising SIGSEGV. It needs the
 * process's pid, which is asked once and again in a child after fork()
 * (pthread_atfork), not on every read: a probe read is a hot helper. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "helpers/nofault.h"

#define NOFAULT_PAGE_SIZE 4096u

static _Atomic pid_t nofault_pid;
static pthread_once_t nofault_once = PTHREAD_ONCE_INIT;

static void nofault_forget_pid(void)
{
	atomic_store_explicit(&nofault_pid, getpid(), memory_order_relaxed);
}

static void nofault_setup(void)
{
	nofault_forget_pid();
	pthread_atfork(NULL, NULL, nofault_forget_pid);
}

static pid_t nofault_self(void)
{
	pthread_once(&nofault_once, nofault_setup);
	return atomic_load_explicit(&nofault_pid, memory_order_relaxed);
}

bool helper_read_nofault(void *dst, uint64_t src, size_t size)
{
	struct iovec local = { .iov_base = dst, .iov_len = size };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)src, .iov_len = size };

	if (!size)
		return true;
	if (!src)
		return false;
	return process_vm_readv(nofault_self(), &local, 1, &remote, 1, 0) == (ssize_t)size;
}

/* Page by page: a string may end just before an unmapped page, which a
 * single read of count bytes would report as a fault. */
long helper_read_str_nofault(char *dst, uint64_t src, size_t count)
{
	char page[NOFAULT_PAGE_SIZE];
	size_t done = 0;

	while (done < count) {
		uint64_t addr = src + done;
		size_t chunk = NOFAULT_PAGE_SIZE - addr % NOFAULT_PAGE_SIZE;
		char *nul;

		if (chunk > count - done)
			chunk = count - done;
		if (!helper_read_nofault(page, addr, chunk))
			return -EFAULT;
		nul = memchr(page, '\0', chunk);
		memcpy(dst + done, page, nul ? (size_t)(nul - page) + 1 : chunk);
		if (nul)
			return (long)(done + (size_t)(nul - page) + 1);
		done += chunk;
	}
	if (count)
		dst[count - 1] = '\0';
	return (long)count;
}
