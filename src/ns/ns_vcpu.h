/* The namespace's vCPU ownership table: which thread of which process holds
 * vCPU n (docs/namespace.md, "Virtual CPUs").
 *
 *     <root>/.bpfvm/vcpus (mode 0644, as the registry: chmod to share)
 *     +----------------------------------------------------+
 *     | magic, version, nr_cpus, size                      |  64 bytes
 *     +----------------------------------------------------+
 *     | vcpu[0].owner: core/owner.h's ident, 0 = free       |  one cache line each
 *     | vcpu[1].owner ...                                   |
 *     +----------------------------------------------------+
 *
 * A run (or a bound thread) takes vCPU n with one compare-and-swap of its
 * owner word from 0 to its ident and gives it back with a store of 0
 * (engine/vcpu.c): no system call per run. A word whose ident names a dead
 * thread (a process killed in a run, a bound thread that ended without
 * unbinding) is taken back by a waiter: owner_ident_dead(). The grace
 * periods' sequence counts stay in each runtime's own table: they guard
 * objects of one process. */
#ifndef BPFVM_NS_NS_VCPU_H
#define BPFVM_NS_NS_VCPU_H

#include <stdatomic.h>
#include <stdint.h>

struct ns_vcpus;

/* Maps (creating and formatting if needed) the table of the namespace at
 * `root`, which has nr_cpus vCPUs. -EACCES when the caller may not write it
 * (the caller then keeps its vCPUs to itself); -EINVAL for a file that is
 * not such a table. */
int ns_vcpus_map(const char *root, uint32_t nr_cpus, struct ns_vcpus **out);
void ns_vcpus_unmap(struct ns_vcpus *vcpus);

/* The owner word of vCPU `cpu` (< nr_cpus); the next vCPU's is
 * NS_VCPU_STRIDE bytes further. */
#define NS_VCPU_STRIDE 64u
_Atomic uint64_t *ns_vcpus_owner(struct ns_vcpus *vcpus, uint32_t cpu);

#endif
