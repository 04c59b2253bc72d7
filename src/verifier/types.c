#include <errno.h>

#include "core/error.h"
#include "progtypes/progtype.h"
#include "verifier/types.h"

int verifier_track_types(struct bpfvm_prog *prog)
{
	/* A type without context fields (raw memory) has nothing to rewrite. */
	if (!prog->progtype->ctx_access)
		return 0;
	vm_error("%s: context rewriting for program type '%s' is not implemented yet",
		 prog->name, prog->progtype->name);
	return -ENOTSUP;
}
