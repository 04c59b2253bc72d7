/* The library never prints; it records one message per thread instead, which
 * the caller (the CLI, a test, an embedder) shows as it sees fit. */
#include <stdio.h>

#include "bpfvm/bpfvm.h"
#include "core/error.h"

#define ERROR_MESSAGE_MAX 1024

static _Thread_local char error_message[ERROR_MESSAGE_MAX];

void vm_verror(const char *fmt, va_list ap)
{
	vsnprintf(error_message, sizeof(error_message), fmt, ap);
}

void vm_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vm_verror(fmt, ap);
	va_end(ap);
}

const char *bpfvm_errmsg(void)
{
	return error_message;
}
