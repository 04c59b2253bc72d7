/* The raw program type: the context is a plain memory buffer (r1 = buffer,
 * r2 = its length), as the ISA conformance suite uses. Its accesses are
 * memory accesses, not context-field accesses: nothing is rewritten. */
#include "helpers/helper_proto.h"
#include "progtypes/progtype.h"

const struct progtype progtype_raw = {
	.type = BPFVM_PROG_TYPE_RAW,
	.name = "raw",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_RAW,
	.ctx_size = 0,
	.isa_semantics = true,
	.ctx_access = NULL,
	.ret_checked = false,
	.test_run = NULL,
};
