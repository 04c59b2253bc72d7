/* What a helper needs from the run it is called in: the runtime and the
 * virtual CPU (engine/run_ctx.h). Outside a run (a helper called directly by
 * a test, say) there is no runtime and the CPU is 0. */
#ifndef BPFVM_HELPERS_HELPER_RUN_H
#define BPFVM_HELPERS_HELPER_RUN_H

#include <stdint.h>

#include "engine/run_ctx.h"

static inline uint32_t helper_run_cpu(void)
{
	struct run_ctx *run = run_ctx_current();

	return run ? run->cpu : 0;
}

static inline struct bpfvm *helper_run_vm(void)
{
	struct run_ctx *run = run_ctx_current();

	return run ? run->vm : NULL;
}

/* A helper returns a negative errno in r0 as the kernel's do. */
static inline uint64_t helper_errno(int err)
{
	return (uint64_t)(int64_t)err;
}

#endif
