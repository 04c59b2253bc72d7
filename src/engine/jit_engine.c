/* Which engine a runtime runs its programs on (bpfvm.h: enum bpfvm_engine):
 * the caller's choice, else the BPFVM_ENGINE environment variable (so that
 * a whole test suite or an unchanged embedder can run under either), else
 * the JIT where there is one. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "engine/jit.h"

static int engine_from_env(enum bpfvm_engine *engine)
{
	const char *name = getenv("BPFVM_ENGINE");

	if (!name || !*name)
		*engine = jit_available() ? BPFVM_ENGINE_JIT : BPFVM_ENGINE_INTERP;
	else if (strcmp(name, "interp") == 0)
		*engine = BPFVM_ENGINE_INTERP;
	else if (strcmp(name, "jit") == 0)
		*engine = BPFVM_ENGINE_JIT;
	else {
		vm_error("bpfvm_create: BPFVM_ENGINE=%s: the engines are interp and jit", name);
		return -EINVAL;
	}
	return 0;
}

int jit_engine_choose(enum bpfvm_engine requested, enum bpfvm_engine *engine)
{
	switch (requested) {
	case BPFVM_ENGINE_DEFAULT:
		if (engine_from_env(engine))
			return -EINVAL;
		break;
	case BPFVM_ENGINE_INTERP:
	case BPFVM_ENGINE_JIT:
		*engine = requested;
		break;
	default:
		vm_error("bpfvm_create: unknown engine %d", (int)requested);
		return -EINVAL;
	}
	if (*engine == BPFVM_ENGINE_JIT && !jit_available()) {
		vm_error("bpfvm_create: the JIT compiles for x86-64 only; use the interpreter");
		return -ENOTSUP;
	}
	return 0;
}
