/* The runtime object behind `struct bpfvm`. */
#ifndef BPFVM_CORE_RUNTIME_H
#define BPFVM_CORE_RUNTIME_H

#include <stdatomic.h>
#include "bpfvm/bpfvm.h"
#include "core/id_table.h"
#include "helpers/helper_table.h"
#include "helpers/kfunc_table.h"

struct ns;
struct trace_pipe;
struct vcpu_table;

struct bpfvm {
	struct helper_table helpers;
	struct kfunc_table kfuncs; /* runtime functions, by id and name */
	uint32_t nr_cpus;
	enum bpfvm_engine engine; /* INTERP or JIT, chosen at creation */
	struct vcpu_table *vcpus; /* engine/vcpu.h */
	struct id_table map_ids;  /* id -> struct bpfvm_map * */
	struct id_table prog_ids; /* id -> struct bpfvm_prog * */
	struct trace_pipe *trace;
	/* The namespace (ns/ns.h) whose ids the maps take and where shareable
	 * maps live, or NULL: maps private to the runtime, ids its own. */
	struct ns *ns;
	/* The most stack (prog->stack_max) of any program loaded so far: what
	 * a run clears at the top of its fresh stack (engine/run.c). Only
	 * grows. */
	_Atomic uint32_t stack_max;
	/* bpfvm_opts.map_memory_max (0: none), and what the maps this
	 * runtime created hold now (maps/map.c, map_charge). */
	uint64_t map_memory_max;
	_Atomic uint64_t map_memory;
};

#endif
