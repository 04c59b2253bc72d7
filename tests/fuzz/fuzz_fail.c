/* See harness.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "FUZZ FAILURE: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}
