/* Seed 000's user side: loads egress_chain.bpf.o, sends one packet through
 * egress1 (which tail-calls egress2, which tail-calls egress3) and shows what
 * the chain printed and what it left in each vCPU's chain_context slot.
 *
 * Usage: egress_chain [OBJECT [INPUT_DIR]]   (defaults: the build's files) */
#include <stdio.h>
#include <stdlib.h>

#include "egress_chain.h"
#include "example.h"

#define NR_CPUS 2

/* A user-space lookup of a per-CPU map gives every vCPU's value, each
 * rounded up to 8 bytes (SEMANTICS.md: per-CPU execution). */
struct chain_context_slot {
	struct chain_context value;
} __attribute__((aligned(8)));

static void run_egress1(struct bpfvm *vm, struct bpfvm_prog *egress1, const char *packet_dir)
{
	char packet[256];
	struct bpfvm_test_run_opts run = { .sz = sizeof(run), .data_in = packet };
	int err;

	run.data_size_in = example_read_packet(packet_dir, "ipv4_udp", packet, sizeof(packet));
	/* The chain must run on a known vCPU for its slot to be found below. */
	err = bpfvm_cpu_bind(vm, 0);
	if (err < 0)
		example_fail("bpfvm_cpu_bind", err);
	printf("egress1 runs on an outgoing IPv4/UDP packet, on vCPU 0:\n");
	err = bpfvm_prog_test_run(egress1, &run);
	if (err)
		example_fail("bpfvm_prog_test_run(egress1)", err);
	example_print_trace(vm, "  ");
	printf("  return value %u (%s)\n", run.retval, run.retval == 1 ? "pass" : "drop");
	bpfvm_cpu_unbind(vm);
}

static void show_chain_contexts(struct bpfvm_map *map)
{
	struct chain_context_slot slots[NR_CPUS];
	uint32_t zero = 0;
	int err = bpfvm_map_lookup(map, &zero, slots);

	if (err)
		example_fail("bpfvm_map_lookup(chain_context_map)", err);
	printf("chain_context_map[0], one value per vCPU:\n");
	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		printf("  vCPU %d: value_from_1=%u value_from_2=%u\n", cpu,
		       slots[cpu].value.value_from_1, slots[cpu].value.value_from_2);
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : EXAMPLE_DIR "/egress_chain.bpf.o";
	const char *packet_dir = argc > 2 ? argv[2] : EXAMPLE_DIR "/inputs";
	struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = NR_CPUS };
	struct bpfvm_object *obj;
	struct bpfvm *vm;
	int err = bpfvm_create(&opts, &vm);

	if (err)
		example_fail("bpfvm_create", err);
	obj = example_load_object(vm, path);
	run_egress1(vm, example_prog(obj, "egress1"), packet_dir);
	show_chain_contexts(example_map(obj, "chain_context_map"));
	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
	return 0;
}
