#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/error.h"
#include "core/opts.h"
#include "core/runtime.h"
#include "engine/jit.h"
#include "engine/vcpu.h"
#include "helpers/helper_proto.h"
#include "helpers/trace_pipe.h"
#include "ns/ns.h"

/* The machine's possible CPUs, as libbpf's libbpf_num_possible_cpus() reads
 * them ("0-3,5" ranges in /sys/devices/system/cpu/possible); the number of
 * online CPUs when that file cannot be read. */
static uint32_t runtime_possible_cpus(void)
{
	FILE *file = fopen("/sys/devices/system/cpu/possible", "r");
	unsigned first, last, count = 0;
	int matched;
	long online;

	if (file) {
		while ((matched = fscanf(file, "%u-%u", &first, &last)) >= 1) {
			if (matched == 1)
				last = first;
			if (last >= first)
				count = last + 1;
			if (fgetc(file) != ',')
				break;
		}
		fclose(file);
	}
	if (count)
		return count;
	online = sysconf(_SC_NPROCESSORS_CONF);
	return online > 0 ? (uint32_t)online : 1;
}

int bpfvm_create(const struct bpfvm_opts *opts, struct bpfvm **vm_out)
{
	enum bpfvm_engine engine;
	struct bpfvm *vm;
	int err;

	if (!vm_out) {
		vm_error("bpfvm_create: vm_out is NULL");
		return -EINVAL;
	}
	if (!opts_valid(opts, sizeof(*opts))) {
		vm_error("bpfvm_create: invalid opts (sz, or unknown fields set)");
		return -EINVAL;
	}
	err = jit_engine_choose(OPTS_GET(opts, engine, BPFVM_ENGINE_DEFAULT), &engine);
	if (err)
		return err;
	vm = calloc(1, sizeof(*vm));
	if (!vm) {
		vm_error("bpfvm_create: out of memory");
		return -ENOMEM;
	}
	helper_table_init(&vm->helpers);
	kfunc_table_init(&vm->kfuncs);
	id_table_init(&vm->map_ids);
	id_table_init(&vm->prog_ids);
	vm->engine = engine;
	vm->nr_cpus = OPTS_GET(opts, nr_cpus, 0);
	vm->map_memory_max = OPTS_GET(opts, map_memory_max, 0);
	if (OPTS_GET(opts, use_ns, false) || OPTS_GET(opts, ns_root, NULL)) {
		err = ns_open(OPTS_GET(opts, ns_root, NULL), vm->nr_cpus, runtime_possible_cpus(),
			      &vm->ns);
		if (err) {
			bpfvm_destroy(vm);
			return err;
		}
		vm->nr_cpus = ns_nr_cpus(vm->ns);
	}
	if (!vm->nr_cpus)
		vm->nr_cpus = runtime_possible_cpus();
	vm->trace = trace_pipe_create();
	vm->vcpus = vcpu_table_create(vm->nr_cpus, vm->ns ? ns_vcpus(vm->ns) : NULL);
	err = vm->trace && vm->vcpus ? helpers_register_builtins(vm) : -ENOMEM;
	if (!err)
		err = kfuncs_register_builtins(&vm->kfuncs);
	if (err) {
		vm_error("bpfvm_create: cannot set up the built-in helpers: %d", err);
		bpfvm_destroy(vm);
		return err;
	}
	*vm_out = vm;
	return 0;
}

void bpfvm_destroy(struct bpfvm *vm)
{
	if (!vm)
		return;
	if (vm->vcpus)
		vcpu_drain_deferred(vm);
	vcpu_table_destroy(vm->vcpus);
	helper_table_release(&vm->helpers);
	kfunc_table_release(&vm->kfuncs);
	trace_pipe_destroy(vm->trace);
	id_table_release(&vm->map_ids);
	id_table_release(&vm->prog_ids);
	ns_close(vm->ns);
	free(vm);
}

int bpfvm_helper_register(struct bpfvm *vm, uint32_t id, const char *name,
			  bpfvm_helper_fn fn)
{
	if (!vm) {
		vm_error("bpfvm_helper_register: vm is NULL");
		return -EINVAL;
	}
	return helper_table_set(&vm->helpers, id, name, fn, NULL);
}

enum bpfvm_engine bpfvm_engine(const struct bpfvm *vm)
{
	return vm->engine;
}

uint32_t bpfvm_nr_cpus(const struct bpfvm *vm)
{
	return vm->nr_cpus;
}
