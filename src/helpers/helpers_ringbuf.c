/* Ring buffer helpers (kernel/bpf/ringbuf.c): output (130), reserve (131),
 * submit (132), discard (133), query (134). The ring is maps/ringbuf.c. */
#include <errno.h>
#include <string.h>

#include "helpers/helper_proto.h"
#include "helpers/helper_run.h"
#include "maps/ringbuf.h"

#define RINGBUF_WAKEUP_FLAGS (BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP)

static uint64_t helper_ringbuf_output(uint64_t map, uint64_t data, uint64_t size,
				      uint64_t flags, uint64_t r5)
{
	void *record;

	if (flags & ~(uint64_t)RINGBUF_WAKEUP_FLAGS)
		return helper_errno(-EINVAL);
	record = ringbuf_reserve((struct bpfvm_map *)(uintptr_t)map, size);
	if (!record)
		return helper_errno(-EAGAIN);
	memcpy(record, (const void *)(uintptr_t)data, size);
	ringbuf_commit(record, flags, false);
	return 0;
}

/* Any flag makes the reservation fail (NULL), as in the kernel. */
static uint64_t helper_ringbuf_reserve(uint64_t map, uint64_t size, uint64_t flags, uint64_t r4,
				       uint64_t r5)
{
	if (flags)
		return 0;
	return (uint64_t)(uintptr_t)ringbuf_reserve((struct bpfvm_map *)(uintptr_t)map, size);
}

static uint64_t helper_ringbuf_submit(uint64_t sample, uint64_t flags, uint64_t r3, uint64_t r4,
				      uint64_t r5)
{
	ringbuf_commit((void *)(uintptr_t)sample, flags, false);
	return 0;
}

static uint64_t helper_ringbuf_discard(uint64_t sample, uint64_t flags, uint64_t r3,
				       uint64_t r4, uint64_t r5)
{
	ringbuf_commit((void *)(uintptr_t)sample, flags, true);
	return 0;
}

static uint64_t helper_ringbuf_query(uint64_t map, uint64_t flags, uint64_t r3, uint64_t r4,
				     uint64_t r5)
{
	return ringbuf_query((struct bpfvm_map *)(uintptr_t)map, flags);
}

const struct helper_proto helper_protos_ringbuf[] = {
	{ .id = BPF_FUNC_ringbuf_output, .name = "bpf_ringbuf_output",
	  .fn = helper_ringbuf_output, .ret = RET_INTEGER,
	  .args = { ARG_CONST_MAP_PTR, ARG_PTR_TO_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING },
	  .families = HELPER_FAMILY_ANY },
	{ .id = BPF_FUNC_ringbuf_reserve, .name = "bpf_ringbuf_reserve",
	  .fn = helper_ringbuf_reserve, .ret = RET_PTR_TO_RINGBUF_MEM_OR_NULL,
	  .args = { ARG_CONST_MAP_PTR, ARG_CONST_ALLOC_SIZE_OR_ZERO, ARG_ANYTHING },
	  .families = HELPER_FAMILY_ANY },
	{ .id = BPF_FUNC_ringbuf_submit, .name = "bpf_ringbuf_submit",
	  .fn = helper_ringbuf_submit, .ret = RET_VOID,
	  .args = { ARG_PTR_TO_RINGBUF_MEM, ARG_ANYTHING }, .families = HELPER_FAMILY_ANY },
	{ .id = BPF_FUNC_ringbuf_discard, .name = "bpf_ringbuf_discard",
	  .fn = helper_ringbuf_discard, .ret = RET_VOID,
	  .args = { ARG_PTR_TO_RINGBUF_MEM, ARG_ANYTHING }, .families = HELPER_FAMILY_ANY },
	{ .id = BPF_FUNC_ringbuf_query, .name = "bpf_ringbuf_query", .fn = helper_ringbuf_query,
	  .ret = RET_INTEGER, .args = { ARG_CONST_MAP_PTR, ARG_ANYTHING },
	  .families = HELPER_FAMILY_ANY },
	{ 0 },
};
