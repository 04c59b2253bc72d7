/* The thread-local error message behind bpfvm_errmsg(). Every public function
 * that fails records why with vm_error() before returning a negative errno. */
#ifndef BPFVM_CORE_ERROR_H
#define BPFVM_CORE_ERROR_H

#include <stdarg.h>

/* The kernel's internal ENOTSUPP, which bpf() hands to user space as is
 * (no libc names it): an operation a map type or a helper mode lacks. */
#define KERNEL_ENOTSUPP 524

/* Records a printf-style message as this thread's last error. */
void vm_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Same, with a va_list. */
void vm_verror(const char *fmt, va_list ap);

#endif
