/* bpf_skb_adjust_room in sk_skb programs: the kernel's sk_skb_func_proto
 * returns sk_skb_adjust_room_proto for the id, not tc's
 * bpf_skb_adjust_room_proto (net/core/filter.c). Same prototype, other
 * semantics: a stream's skb has no headers to keep, so the room is pushed
 * or pulled at the front of the data.
 *
 *   flags or mode other than 0                 -EINVAL
 *   |len_diff| above 0xfff                     -EFAULT
 *   growing past the headroom (skb_cow)        -ENOMEM
 *   shrinking by more than the data            -ENOMEM (pskb_may_pull)
 *
 * The new room is zeroed. As for tc, the skb is not reallocated: growth is
 * bounded by the 64 bytes of headroom (docs/differences.md). sk_skb has no
 * test run here (nor in the kernel); the function is chosen per program
 * type by helper_fn_for_type (helper_per_type.c). */
#include <errno.h>
#include <string.h>
#include <linux/bpf.h>

#include "helpers/helper_per_type.h"
#include "progtypes/skb.h"

#define SK_SKB_ROOM_LEN_MAX 0xfffu

uint64_t helper_sk_skb_adjust_room(uint64_t ctx, uint64_t len_diff, uint64_t mode,
				   uint64_t flags, uint64_t r5)
{
	struct skb_ctx *skb = (struct skb_ctx *)(uintptr_t)ctx;
	int32_t diff = (int32_t)len_diff;
	uint32_t len = diff < 0 ? 0u - (uint32_t)diff : (uint32_t)diff;

	if (flags || (uint32_t)mode)
		return (uint64_t)-EINVAL;
	if (len > SK_SKB_ROOM_LEN_MAX)
		return (uint64_t)-EFAULT;
	if (diff >= 0) {
		if (len > (uint32_t)(skb->data - skb->head))
			return (uint64_t)-ENOMEM;
		skb->data -= len;
		skb->fields.len += len;
		memset(skb->data, 0, len);
	} else {
		if (len > skb->fields.len)
			return (uint64_t)-ENOMEM;
		skb->data += len;
		skb->fields.len -= len;
	}
	skb->data_end = skb->data + skb->fields.len;
	skb->data_meta = skb->data;
	return 0;
}
