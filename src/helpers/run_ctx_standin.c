/* Stand-in for the run context until the engine defines it (engine/run.c,
 * on main). Weak: the engine's definitions replace these as soon as they are
 * linked. DELETE this file when merging the engine's run context. */
#include <errno.h>

#include "engine/run_ctx.h"

__attribute__((weak)) struct run_ctx *run_ctx_current(void)
{
	return NULL;
}

__attribute__((weak)) int run_call_function(struct run_ctx *run, uint64_t func, uint64_t r1,
					    uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
					    uint64_t *retval)
{
	return -ENOSYS;
}
