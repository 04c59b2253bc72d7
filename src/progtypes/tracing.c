/* The program types whose context is the attach target's arguments, typed
 * by the kernel's BTF: BPF_PROG_TYPE_TRACING (fentry, fexit, fmod_ret,
 * tp_btf, iter), BPF_PROG_TYPE_LSM, BPF_PROG_TYPE_STRUCT_OPS and, coarsely,
 * BPF_PROG_TYPE_EXT (freplace). The context is an array of u64, one per
 * argument (fexit and fmod_ret: the return value after them):
 *
 *   +0 arg0 | +8 arg1 | ... | +88 arg11    (MAX_BPF_FUNC_ARGS u64s)
 *
 * The kernel's bpf_tracing_btf_ctx_access and btf_ctx_access allow reads
 * aligned to their size at a multiple of 8, of an argument the target has,
 * and type each read by the argument's BTF type: integers are scalars,
 * pointers to structs kernel objects that the program may read through
 * (btf_ctx_access.c, from the running kernel's BTF). Without that BTF, or
 * for struct_ops and freplace programs, whose targets bpfvm does not look
 * up, any of the 12 slots reads as a scalar. No runtime context, no test
 * run. */
#include "engine/prog.h"
#include "helpers/helper_proto.h"
#include "progtypes/btf_ctx.h"
#include "progtypes/progtype.h"

#define TRACING_MAX_ARGS 12 /* MAX_BPF_FUNC_ARGS */
#define LSM_MAX_ERRNO 4095  /* MAX_ERRNO */
#define TRACING_CTX_SIZE (TRACING_MAX_ARGS * 8)

static int tracing_ctx_access(const struct bpfvm_prog *prog, int32_t off, uint32_t size,
			      bool is_write, struct ctx_rewrite *rewrite)
{
	struct btf_target target;

	if (off < 0 || off >= TRACING_CTX_SIZE || is_write || off % (int32_t)size)
		return progtype_ctx_refuse(prog, off, size, is_write);
	if (btf_ctx_target(prog, &target))
		return btf_ctx_access(prog, &target, off, size, rewrite);
	if (off % 8)
		return progtype_ctx_refuse(prog, off, size, is_write);
	return progtype_ctx_keep(off, size, CTX_FIELD_SCALAR, rewrite);
}

/* check_return_code(): fentry and fexit return 0, iterators 0 or 1 (1
 * stops the walk); tp_btf and fmod_ret anything. */
static bool tracing_ret_range(const struct bpfvm_prog *prog, int64_t *min, int64_t *max)
{
	*min = 0;
	*max = 0;
	switch (prog->expected_attach_type) {
	case BPF_TRACE_FENTRY:
	case BPF_TRACE_FEXIT:
		return true;
	case BPF_TRACE_ITER:
		*max = 1;
		return true;
	default:
		return false;
	}
}

/* check_return_code() and bpf_lsm_get_retval_range(), by the hook's
 * return type in the kernel's BTF (lsm_hooks.c): cgroup LSM programs return
 * 0 or 1 (1 only for a void hook); the others an errno or 0 (a bool hook: 0
 * or 1), nothing checked for a void hook. A hook bpfvm cannot find (no
 * kernel BTF) is checked as the kernel would only for cgroup programs. */
static bool lsm_ret_range(const struct bpfvm_prog *prog, int64_t *min, int64_t *max)
{
	enum lsm_hook_ret ret = lsm_hook_ret(prog);

	*min = 0;
	*max = 1;
	if (prog->expected_attach_type == BPF_LSM_CGROUP) {
		if (ret == LSM_RET_VOID)
			*min = 1;
		return true;
	}
	if (ret == LSM_RET_INT) {
		*min = -LSM_MAX_ERRNO;
		*max = 0;
	}
	return ret == LSM_RET_INT || ret == LSM_RET_BOOL;
}

/* bpf_lsm_func_proto: the inode storage. */
static const uint32_t lsm_added[] = { BPF_FUNC_inode_storage_get, BPF_FUNC_inode_storage_delete,
				      0 };

/* tracing_prog_func_proto: bpf_seq_write, bpf_seq_printf and
 * bpf_seq_printf_btf, for iterators only (progtype_attach_allows_helper). */
static const uint32_t tracing_added[] = { BPF_FUNC_seq_write, BPF_FUNC_seq_printf,
					  BPF_FUNC_seq_printf_btf, 0 };

const struct progtype progtype_tracing = {
	.type = BPF_PROG_TYPE_TRACING,
	.name = "tracing",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_TRACING | HELPER_FAMILY_SK_STORAGE,
	.helpers_added = tracing_added,
	.ctx_size = TRACING_CTX_SIZE,
	.ctx_access = tracing_ctx_access,
	.ret_range = tracing_ret_range,
	.test_run = NULL,
};

const struct progtype progtype_lsm = {
	.type = BPF_PROG_TYPE_LSM,
	.name = "lsm",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_TRACING | HELPER_FAMILY_SK_STORAGE,
	.ctx_size = TRACING_CTX_SIZE,
	.ctx_access = tracing_ctx_access,
	.ret_range = lsm_ret_range,
	.helpers_added = lsm_added,
	.test_run = NULL,
};

/* The struct_ops member's return type decides its range: not checked. */
const struct progtype progtype_struct_ops = {
	.type = BPF_PROG_TYPE_STRUCT_OPS,
	.name = "struct_ops",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_TRACING,
	.ctx_size = TRACING_CTX_SIZE,
	.ctx_access = tracing_ctx_access,
	.ret_checked = false,
	.test_run = NULL,
};

/* freplace returns what the replaced function returns: not checked. */
const struct progtype progtype_ext = {
	.type = BPF_PROG_TYPE_EXT,
	.name = "ext",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_TRACING,
	.ctx_size = TRACING_CTX_SIZE,
	.ctx_access = tracing_ctx_access,
	.ret_checked = false,
	.test_run = NULL,
};
