#include <errno.h>
#include <stdlib.h>

#include "core/error.h"
#include "core/opts.h"
#include "core/runtime.h"

int bpfvm_create(const struct bpfvm_opts *opts, struct bpfvm **vm_out)
{
	struct bpfvm *vm;

	if (!vm_out) {
		vm_error("bpfvm_create: vm_out is NULL");
		return -EINVAL;
	}
	if (!opts_valid(opts, sizeof(*opts))) {
		vm_error("bpfvm_create: invalid opts (sz, or unknown fields set)");
		return -EINVAL;
	}
	vm = calloc(1, sizeof(*vm));
	if (!vm) {
		vm_error("bpfvm_create: out of memory");
		return -ENOMEM;
	}
	helper_table_init(&vm->helpers);
	*vm_out = vm;
	return 0;
}

void bpfvm_destroy(struct bpfvm *vm)
{
	if (!vm)
		return;
	helper_table_release(&vm->helpers);
	free(vm);
}

int bpfvm_helper_register(struct bpfvm *vm, uint32_t id, const char *name,
			  bpfvm_helper_fn fn)
{
	if (!vm) {
		vm_error("bpfvm_helper_register: vm is NULL");
		return -EINVAL;
	}
	return helper_table_set(&vm->helpers, id, name, fn);
}
