/* BPF_PROG_TYPE_SYSCALL: programs run by BPF_PROG_TEST_RUN to make bpf()
 * calls; the context is the caller's buffer (ctx_in), of any size below
 * 64 KiB. The kernel's syscall_prog_is_valid_access (kernel/bpf/syscall.c)
 * allows reads and writes aligned to their size at any offset below
 * U16_MAX; the test run then requires ctx_in to cover max_ctx_offset.
 * bpfvm has no bpf_sys_bpf: no test run yet. */
#include "helpers/helper_proto.h"
#include "progtypes/progtype.h"

#define SYSCALL_CTX_MAX 65535 /* U16_MAX */

static int syscall_ctx_access(const struct bpfvm_prog *prog, int32_t off, uint32_t size,
			      bool is_write, struct ctx_rewrite *rewrite)
{
	if (off < 0 || off >= SYSCALL_CTX_MAX || off % (int32_t)size)
		return progtype_ctx_refuse(prog, off, size, is_write);
	return progtype_ctx_keep(off, size, CTX_FIELD_SCALAR, rewrite);
}

/* The tracing family's attach cookie: a syscall program attaches nowhere. */
static const uint32_t syscall_helpers_refused[] = { BPF_FUNC_get_attach_cookie, 0 };

const struct progtype progtype_syscall = {
	.type = BPF_PROG_TYPE_SYSCALL,
	.name = "syscall",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_TRACING | HELPER_FAMILY_SK_STORAGE |
			   HELPER_FAMILY_SKC_TO,
	.helpers_refused = syscall_helpers_refused,
	.ctx_size = SYSCALL_CTX_MAX,
	.ctx_access = syscall_ctx_access,
	.ret_checked = false,
	.test_run = NULL,
};
