/* The formatter behind bpf_trace_printk, bpf_trace_vprintk and bpf_snprintf,
 * with the kernel's rules (kernel/bpf/helpers.c: bpf_bprintf_prepare, then
 * lib/vsprintf.c: bstr_printf):
 *
 * - fmt must hold a NUL within fmt_size bytes, and only printable ASCII and
 *   whitespace before it: otherwise -EINVAL.
 * - Conversions: %% and, with optional flags "0+- " and a width, %d %i %u
 *   %x %X with the l / ll length modifiers (int, or 64-bit), %c, %s, %p,
 *   %pK %px %ps %pS %pB, %pks %pus, %pI4 %pi4 %pI6 %pi6. No precision, no
 *   '#', no h/z/j: -EINVAL. %s (and %pks / %pus) must be followed by the
 *   end, whitespace or punctuation: "%sx" is -EINVAL.
 * - More conversions than num_args: -EINVAL. Strings, characters and
 *   numbers share the kernel's 512 bytes of argument space: a long string
 *   is cut there, and a conversion that finds no space left is -ENOSPC.
 * - %s reads the string without faulting (helpers/nofault.h), so that a bad pointer
 *   prints "" (the kernel's strncpy_from_kernel_nofault), never crashes.
 *
 * Differences from the kernel, on purpose: pointers are not hashed (%p and
 * %pK print the value as %px does, 16 hex digits), and %ps / %pS / %pB print
 * "0x" and the hex value (a user-space address has no kernel symbol). */
#ifndef BPFVM_HELPERS_BPRINTF_H
#define BPFVM_HELPERS_BPRINTF_H

#include <stddef.h>
#include <stdint.h>

/* MAX_BPRINTF_VARARGS and MAX_BPRINTF_BUF of the kernel. */
#define BPRINTF_MAX_ARGS 12
#define BPRINTF_BUF_SIZE 1024

/* Formats fmt with args into out (out_size bytes, NUL-terminated when
 * out_size > 0; out may be NULL when out_size is 0). Returns the length of
 * the whole output without the NUL (as vsnprintf) or -EINVAL / -ENOSPC. */
long bprintf_format(char *out, size_t out_size, const char *fmt, size_t fmt_size,
		    const uint64_t *args, uint32_t num_args);

#endif
