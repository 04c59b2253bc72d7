/* Reading the process's own memory by address without faulting, as the
 * kernel's copy_from_kernel_nofault and strncpy_from_kernel_nofault: a bad
 * address is a failure, never a signal. bpf_probe_read_* and the %s of
 * bprintf read through here. */
#ifndef BPFVM_HELPERS_NOFAULT_H
#define BPFVM_HELPERS_NOFAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Copies size bytes at src into dst; false on a fault (dst then holds an
 * unspecified prefix). size 0 always succeeds; address 0 always faults. */
bool helper_read_nofault(void *dst, uint64_t src, size_t size);

/* strncpy_from_kernel_nofault: reads up to count bytes at src, stopping
 * after the NUL, into dst; when count bytes hold no NUL, dst[count - 1]
 * becomes one. Returns the bytes read with the NUL (count for a cut string),
 * 0 for count 0, or -EFAULT when a fault comes before the NUL (dst then
 * holds an unspecified prefix). Nothing past the NUL is written. */
long helper_read_str_nofault(char *dst, uint64_t src, size_t count);

#endif
