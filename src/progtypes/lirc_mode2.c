/* BPF_PROG_TYPE_LIRC_MODE2: infrared decoders; the context is one u32, the
 * raw sample (pulse or space and its duration), as the kernel's
 * lirc_mode2_is_valid_access (drivers/media/rc/bpf-lirc.c) allows it: a
 * whole read at offset 0, no writes. bpfvm has no remote controls: no
 * runtime context, no test run; the return value is not checked. */
#include "helpers/helper_proto.h"
#include "progtypes/progtype.h"

static int lirc_mode2_ctx_access(const struct bpfvm_prog *prog, int32_t off, uint32_t size,
				 bool is_write, struct ctx_rewrite *rewrite)
{
	if (off != 0 || size != 4 || is_write)
		return progtype_ctx_refuse(prog, off, size, is_write);
	return progtype_ctx_keep(off, size, CTX_FIELD_SCALAR, rewrite);
}

const struct progtype progtype_lirc_mode2 = {
	.type = BPF_PROG_TYPE_LIRC_MODE2,
	.name = "lirc_mode2",
	.helper_families = HELPER_FAMILY_ANY,
	.ctx_size = 4,
	.ctx_access = lirc_mode2_ctx_access,
	.ret_checked = false,
	.test_run = NULL,
};
