/* Helpers over maps keyed by kernel objects (maps/kernel_keyed.c):
 * bpf_get_stackid and the local storages of sockets, tasks and inodes; and
 * bpf_get_stack, get_stackid's copy into the program's memory, and
 * bpf_get_task_stack, the same of a task's stack.
 *
 * bpfvm has no kernel stack to record and no socket, task or inode to store
 * for, so at run time these find nothing: get_stackid returns -EFAULT (the
 * kernel's answer when it cannot collect a stack), get_stack zeroes its
 * buffer and returns -EFAULT (the kernel's bpf_get_stack on failure), a
 * storage get returns
 * NULL (which every program must be ready for: the kernel's may fail to
 * allocate) and a delete -ENOENT. What they are for is the verifier: their
 * prototypes are the kernel's, so that programs using them verify as in the
 * kernel, NULL checks included. */
#include <errno.h>
#include <string.h>
#include <linux/bpf.h>

#include "helpers/helper_proto.h"

#define STACKID_FLAGS                                                                          \
	(BPF_F_SKIP_FIELD_MASK | BPF_F_USER_STACK | BPF_F_FAST_STACK_CMP | BPF_F_REUSE_STACKID)

static uint64_t helper_get_stackid(uint64_t ctx, uint64_t map, uint64_t flags, uint64_t r4,
				   uint64_t r5)
{
	if (flags & ~(uint64_t)STACKID_FLAGS)
		return (uint64_t)-EINVAL;
	return (uint64_t)-EFAULT;
}

/* bpf_get_stack's flags: get_stackid's but the hash-table ones, plus
 * BPF_F_USER_BUILD_ID. */
#define GET_STACK_FLAGS (BPF_F_SKIP_FIELD_MASK | BPF_F_USER_STACK | BPF_F_USER_BUILD_ID)

static uint64_t helper_get_stack(uint64_t ctx, uint64_t buf, uint64_t size, uint64_t flags,
				 uint64_t r5)
{
	memset((void *)(uintptr_t)buf, 0, (size_t)size);
	if (flags & ~(uint64_t)GET_STACK_FLAGS)
		return (uint64_t)-EINVAL;
	return (uint64_t)-EFAULT;
}

static uint64_t helper_storage_get(uint64_t map, uint64_t owner, uint64_t value, uint64_t flags,
				   uint64_t r5)
{
	return 0;
}

static uint64_t helper_storage_delete(uint64_t map, uint64_t owner, uint64_t r3, uint64_t r4,
				      uint64_t r5)
{
	return (uint64_t)-ENOENT;
}

#define STORAGE_GET(id_, name_, owner, families_)                                               \
	{ .id = (id_), .name = (name_), .fn = helper_storage_get,                              \
	  .ret = RET_PTR_TO_MAP_VALUE_OR_NULL,                                                 \
	  .args = { ARG_CONST_MAP_PTR, (owner), ARG_PTR_TO_MAP_VALUE_OR_NULL, ARG_ANYTHING },  \
	  .families = (families_) }
#define STORAGE_DELETE(id_, name_, owner, families_)                                           \
	{ .id = (id_), .name = (name_), .fn = helper_storage_delete,                           \
	  .args = { ARG_CONST_MAP_PTR, (owner) }, .families = (families_) }

/* Which program types may call them (checked against Linux 6.18 by
 * tests/helpers test_helper_sets_kernel): get_stackid every tracing type
 * (kprobe_prog_func_proto and its kin); the task storage every type
 * (bpf_base_func_proto); the socket storage its family; the inode storage
 * LSM only (progtypes/tracing.c: helpers_added). */
const struct helper_proto helper_protos_storage[] = {
	{ .id = BPF_FUNC_get_stackid, .name = "bpf_get_stackid", .fn = helper_get_stackid,
	  .args = { ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING },
	  .families = HELPER_FAMILY_TRACING, .gpl_only = true },
	{ .id = BPF_FUNC_get_stack, .name = "bpf_get_stack", .fn = helper_get_stack,
	  .args = { ARG_PTR_TO_CTX, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING },
	  .families = HELPER_FAMILY_TRACING, .gpl_only = true },
	/* A task's kernel stack: bpfvm has none to give (get_stack's answer).
	 * Linux 6.18 has it in bpf_base_func_proto: every type. */
	{ .id = BPF_FUNC_get_task_stack, .name = "bpf_get_task_stack", .fn = helper_get_stack,
	  .args = { ARG_PTR_TO_BTF_ID, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO,
		    ARG_ANYTHING },
	  .families = HELPER_FAMILY_ANY },
	STORAGE_GET(BPF_FUNC_task_storage_get, "bpf_task_storage_get", ARG_PTR_TO_BTF_ID_OR_NULL,
		    HELPER_FAMILY_ANY),
	STORAGE_DELETE(BPF_FUNC_task_storage_delete, "bpf_task_storage_delete",
		       ARG_PTR_TO_BTF_ID_OR_NULL, HELPER_FAMILY_ANY),
	STORAGE_GET(BPF_FUNC_inode_storage_get, "bpf_inode_storage_get",
		    ARG_PTR_TO_BTF_ID_OR_NULL, 0),
	STORAGE_DELETE(BPF_FUNC_inode_storage_delete, "bpf_inode_storage_delete",
		       ARG_PTR_TO_BTF_ID_OR_NULL, 0),
	STORAGE_GET(BPF_FUNC_sk_storage_get, "bpf_sk_storage_get", ARG_PTR_TO_BTF_ID_SOCK_COMMON,
		    HELPER_FAMILY_SK_STORAGE),
	STORAGE_DELETE(BPF_FUNC_sk_storage_delete, "bpf_sk_storage_delete",
		       ARG_PTR_TO_BTF_ID_SOCK_COMMON, HELPER_FAMILY_SK_STORAGE),
	{ 0 },
};
