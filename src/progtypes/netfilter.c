/* BPF_PROG_TYPE_NETFILTER: the context is struct bpf_nf_ctx, as the
 * kernel's nf_is_valid_access (net/netfilter/nf_bpf_link.c) allows it:
 *
 *   +0 state   u64 read: struct nf_hook_state, never NULL
 *   +8 skb     u64 read: struct sk_buff, never NULL
 *
 * No writes. Both are trusted kernel objects typed by the kernel's BTF
 * (PTR_TO_BTF_ID) that the program only reads through: the kernel has no
 * btf_struct_access for netfilter, so a store through them is refused
 * ("only read is supported"). No netfilter hooks in bpfvm: no runtime
 * context, no test run. */
#include "helpers/helper_proto.h"
#include "progtypes/btf_ctx.h"
#include "progtypes/progtype.h"

#define NETFILTER_CTX_SIZE 16

static int netfilter_ctx_access(const struct bpfvm_prog *prog, int32_t off, uint32_t size,
				bool is_write, struct ctx_rewrite *rewrite)
{
	if (off < 0 || off >= NETFILTER_CTX_SIZE || is_write || size != 8 || off % 8)
		return progtype_ctx_refuse(prog, off, size, is_write);
	progtype_ctx_keep(off, size, CTX_FIELD_BTF_PTR, rewrite);
	rewrite->btf_id = btf_ctx_find(off == 0 ? "nf_hook_state" : "sk_buff", BTF_KIND_STRUCT);
	rewrite->btf_flags = BTF_PTR_TRUSTED;
	return 0;
}

/* check_return_code(): NF_DROP (0) or NF_ACCEPT (1). */
const struct progtype progtype_netfilter = {
	.type = (enum bpf_prog_type)PROGTYPE_NETFILTER,
	.name = "netfilter",
	.helper_families = HELPER_FAMILY_ANY,
	.ctx_size = NETFILTER_CTX_SIZE,
	.ctx_access = netfilter_ctx_access,
	.ret_checked = true,
	.ret_min = 0,
	.ret_max = 1,
	.test_run = NULL,
};
