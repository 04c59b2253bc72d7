/* The maps keyed by kernel objects (src/maps/kernel_keyed.c): STACK_TRACE
 * attributes accepted and refused as the running kernel's BPF_MAP_CREATE
 * does (when bpf() is usable), the local storages' attribute rules, and
 * what user space finds in them: nothing. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "bpfvm/bpfvm.h"
#include "../testlib.h"

struct attr_case {
	const char *name;
	enum bpf_map_type type;
	uint32_t key_size, value_size, max_entries, flags;
	int err; /* bpfvm's (and, for STACK_TRACE, the kernel's) */
};

static const struct attr_case cases[] = {
	{ "stack ok", BPF_MAP_TYPE_STACK_TRACE, 4, 127 * 8, 64, 0, 0 },
	{ "stack key 8", BPF_MAP_TYPE_STACK_TRACE, 8, 64, 64, 0, -EINVAL },
	{ "stack value 12", BPF_MAP_TYPE_STACK_TRACE, 4, 12, 64, 0, -EINVAL },
	{ "stack 128 frames", BPF_MAP_TYPE_STACK_TRACE, 4, 128 * 8, 64, 0, -EINVAL },
	{ "stack no entries", BPF_MAP_TYPE_STACK_TRACE, 4, 64, 0, 0, -EINVAL },
	{ "stack build id", BPF_MAP_TYPE_STACK_TRACE, 4, 32 * 4, 64, BPF_F_STACK_BUILD_ID, 0 },
	{ "stack build id 24", BPF_MAP_TYPE_STACK_TRACE, 4, 24, 64, BPF_F_STACK_BUILD_ID, -EINVAL },
	{ "stack no prealloc", BPF_MAP_TYPE_STACK_TRACE, 4, 64, 64, BPF_F_NO_PREALLOC, -EINVAL },
	{ "task storage", BPF_MAP_TYPE_TASK_STORAGE, 4, 16, 0, BPF_F_NO_PREALLOC, 0 },
	{ "task storage prealloc", BPF_MAP_TYPE_TASK_STORAGE, 4, 16, 0, 0, -EINVAL },
	{ "sk storage entries", BPF_MAP_TYPE_SK_STORAGE, 4, 16, 1, BPF_F_NO_PREALLOC, -EINVAL },
	{ "inode storage key 8", BPF_MAP_TYPE_INODE_STORAGE, 8, 16, 0, BPF_F_NO_PREALLOC, -EINVAL },
	{ "inode storage", BPF_MAP_TYPE_INODE_STORAGE, 4, 8, 0, BPF_F_NO_PREALLOC, 0 },
};

static void check_attrs(struct bpfvm *vm, bool kernel)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct attr_case *c = &cases[i];
		struct bpfvm_map_create_opts opts = { .sz = sizeof(opts), .map_flags = c->flags };
		LIBBPF_OPTS(bpf_map_create_opts, kopts, .map_flags = c->flags);
		struct bpfvm_map *map = NULL;
		int err = bpfvm_map_create(vm, c->type, "m", c->key_size, c->value_size,
					   c->max_entries, &opts, &map);
		int fd;

		testlib_check(c->name, err == c->err, "bpfvm: %d, expected %d (%s)", err, c->err,
			      bpfvm_errmsg());
		bpfvm_map_close(map);
		if (!kernel || c->type != BPF_MAP_TYPE_STACK_TRACE)
			continue;
		fd = bpf_map_create(c->type, "m", c->key_size, c->value_size, c->max_entries,
				    &kopts);
		testlib_check(c->name, (fd < 0 ? -errno : 0) == c->err, "kernel: %d, expected %d",
			      fd < 0 ? -errno : 0, c->err);
		if (fd >= 0)
			close(fd);
	}
}

static void check_empty(struct bpfvm *vm, enum bpf_map_type type, uint32_t value_size,
			uint32_t max_entries, uint32_t flags, int update_err)
{
	struct bpfvm_map_create_opts opts = { .sz = sizeof(opts), .map_flags = flags };
	uint8_t value[1024] = { 0 };
	uint32_t key = 0, next;
	struct bpfvm_map *map;
	char test[64];

	snprintf(test, sizeof(test), "map type %d is empty", type);
	if (bpfvm_map_create(vm, type, "m", 4, value_size, max_entries, &opts, &map)) {
		testlib_check(test, false, "create: %s", bpfvm_errmsg());
		return;
	}
	testlib_check(test, bpfvm_map_lookup(map, &key, value) == -ENOENT, "lookup");
	testlib_check(test, bpfvm_map_get_next_key(map, NULL, &next) == -ENOENT, "get_next_key");
	testlib_check(test, bpfvm_map_delete(map, &key) == -ENOENT, "delete");
	testlib_check(test, bpfvm_map_update(map, &key, value, 0) == update_err, "update");
	bpfvm_map_close(map);
}

int main(void)
{
	static const struct bpf_insn ret0[] = { { .code = 0xb7 }, { .code = 0x95 } };
	struct bpfvm *vm = testlib_vm_create();
	char log[256];
	int fd = testlib_kernel_load(BPF_PROG_TYPE_SOCKET_FILTER, 0, ret0, 2, log, sizeof(log));

	if (fd >= 0)
		close(fd);
	else
		printf("SKIP the kernel's half: bpf() is not usable here\n");
	check_attrs(vm, fd >= 0);
	check_empty(vm, BPF_MAP_TYPE_STACK_TRACE, 64, 16, 0, -EINVAL);
	check_empty(vm, BPF_MAP_TYPE_TASK_STORAGE, 16, 0, BPF_F_NO_PREALLOC, -EOPNOTSUPP);
	check_empty(vm, BPF_MAP_TYPE_SK_STORAGE, 16, 0, BPF_F_NO_PREALLOC, -EOPNOTSUPP);
	bpfvm_destroy(vm);
	return testlib_summary();
}
