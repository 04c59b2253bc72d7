/* Code memory: mapped read + write while the compiler writes it, then read +
 * execute, never both at once (W^X). Mapped near this library's own code
 * when the address space allows, so that calls to helpers can be 5-byte
 * rel32 calls; the compiler checks each call's reach and falls back to an
 * absolute call otherwise. Freed with the program, which the runtime frees
 * only after a grace period (engine/vcpu.h): no run is inside it then. */
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine/jit_internal.h"

static size_t page_size(void)
{
	static size_t size;

	if (!size)
		size = (size_t)sysconf(_SC_PAGESIZE);
	return size;
}

/* A hint 256 MiB below this library's code: far from the heap, within
 * rel32 reach of every function linked with it. */
static void *near_code_hint(void)
{
	uintptr_t text = (uintptr_t)(const void *)jit_code_map;
	uintptr_t gap = (uintptr_t)256 << 20;

	if (text < gap * 2)
		return NULL;
	return (void *)((text - gap) & ~(uintptr_t)(page_size() - 1));
}

/* Where the next mapping is asked for: after the last one that landed
 * where it was asked for, so that programs line up near the code. */
static _Atomic uintptr_t next_hint;

void *jit_code_map(size_t size)
{
	uintptr_t hint = atomic_load_explicit(&next_hint, memory_order_relaxed);
	void *code;

	if (!hint)
		hint = (uintptr_t)near_code_hint();
	code = mmap((void *)hint, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (code == MAP_FAILED)
		return NULL;
	if ((uintptr_t)code == hint)
		atomic_store_explicit(&next_hint, hint + size, memory_order_relaxed);
	return code;
}

size_t jit_code_seal(void *code, size_t size, size_t used)
{
	size_t keep = (used + page_size() - 1) & ~(page_size() - 1);

	if (keep < size)
		munmap((uint8_t *)code + keep, size - keep);
	if (mprotect(code, keep, PROT_READ | PROT_EXEC))
		return 0;
	return keep;
}

void jit_code_unmap(void *code, size_t size)
{
	if (code)
		munmap(code, size);
}
