/* The redirect family: bpf_redirect (XDP and tc) and bpf_redirect_map (XDP,
 * through a DEVMAP or DEVMAP_HASH). bpfvm has no devices to send a packet
 * to: the helpers compute the verdict the kernel's would, which is all a
 * test run reports (BPF_PROG_TEST_RUN without live frames returns the
 * program's action and does not redirect).
 *
 *   bpf_redirect(ifindex, flags)
 *     XDP: XDP_REDIRECT, or XDP_ABORTED for any flag
 *     tc:  TC_ACT_REDIRECT, or TC_ACT_SHOT for a flag other than
 *          BPF_F_INGRESS
 *   bpf_redirect_map(map, key, flags)
 *     a flag outside the action mask (and BROADCAST | EXCLUDE_INGRESS for
 *     device maps): XDP_ABORTED; the key present or BPF_F_BROADCAST:
 *     XDP_REDIRECT; otherwise the action in flags' low two bits
 *     (net/core/filter.c: __bpf_xdp_redirect_map). */
#include <linux/pkt_cls.h>

#include "engine/prog.h"
#include "engine/run_ctx.h"
#include "helpers/helper_proto.h"
#include "helpers/helper_run.h"
#include "maps/map.h"

#define REDIRECT_ACTION_MASK (XDP_ABORTED | XDP_DROP | XDP_PASS | XDP_TX)

static bool running_xdp(void)
{
	struct run_ctx *run = run_ctx_current();

	return run && run->prog && run->prog->type == BPF_PROG_TYPE_XDP;
}

static uint64_t helper_redirect(uint64_t ifindex, uint64_t flags, uint64_t r3, uint64_t r4,
				uint64_t r5)
{
	if (running_xdp())
		return flags ? XDP_ABORTED : XDP_REDIRECT;
	return flags & ~(uint64_t)BPF_F_INGRESS ? TC_ACT_SHOT : TC_ACT_REDIRECT;
}

static bool is_device_map(const struct bpfvm_map *map)
{
	return map_type(map) == BPF_MAP_TYPE_DEVMAP || map_type(map) == BPF_MAP_TYPE_DEVMAP_HASH;
}

static uint64_t helper_redirect_map(uint64_t map_ptr, uint64_t key, uint64_t flags, uint64_t r4,
				    uint64_t r5)
{
	struct bpfvm_map *map = (struct bpfvm_map *)(uintptr_t)map_ptr;
	uint64_t allowed = REDIRECT_ACTION_MASK;
	uint32_t index = (uint32_t)key; /* the kernel's lookup takes a u32 */

	if (is_device_map(map))
		allowed |= BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS;
	if (flags & ~allowed)
		return XDP_ABORTED;
	if (flags & BPF_F_BROADCAST)
		return XDP_REDIRECT;
	if (!map->ops->bpf_lookup || !map->ops->bpf_lookup(map, &index, helper_run_cpu()))
		return flags & REDIRECT_ACTION_MASK;
	return XDP_REDIRECT;
}

/* xdp_func_proto and tc_cls_act_func_proto (lwt_xmit too: SKB_WRITE). */
const struct helper_proto helper_protos_redirect[] = {
	{ .id = BPF_FUNC_redirect, .name = "bpf_redirect", .fn = helper_redirect,
	  .args = { ARG_ANYTHING, ARG_ANYTHING },
	  .families = HELPER_FAMILY_XDP | HELPER_FAMILY_SKB_WRITE },
	{ .id = BPF_FUNC_redirect_map, .name = "bpf_redirect_map", .fn = helper_redirect_map,
	  .args = { ARG_CONST_MAP_PTR, ARG_ANYTHING, ARG_ANYTHING },
	  .families = HELPER_FAMILY_XDP },
	{ 0 },
};
