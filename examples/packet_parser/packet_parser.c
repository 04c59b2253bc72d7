/* The user side of the sockex3-style parser (seed 002's reference): loads
 * packet_parser.bpf.o, whose jump table the object fills itself, sends
 * packets of every kind through parse_eth, and shows for each the layers
 * the chain of stages recorded in this vCPU's parse state; then the flows
 * the parser counted and how often each stage ran.
 *
 * Usage: packet_parser [OBJECT [INPUT_DIR]]   (defaults: the build's files) */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "example.h"
#include "packet_parser.h"

#define NR_CPUS 2
#define PARSER_CPU 0
#define MAX_FLOWS 16

/* A per-CPU map's value from user space: one per vCPU, 8-byte aligned. */
struct parse_state_slot {
	struct parse_state state;
} __attribute__((aligned(8)));

static const char *const stage_names[PARSE_STAGES] = {
	[PARSE_ETH] = "parse_eth", [PARSE_VLAN] = "parse_vlan", [PARSE_MPLS] = "parse_mpls",
	[PARSE_IP] = "parse_ip",   [PARSE_IPV6] = "parse_ipv6",
};

static const char *const packet_names[] = {
	"ipv4_udp", "vlan_ipv4_tcp", "qinq_ipv4_udp", "mpls_ipv4_udp", "mpls2_ipv6_tcp",
	"ipv6_udp", "ipip_tcp", "ipv4_icmp_echo", "ipv4_udp", "ipv4_fragment", "arp",
};

#define PACKET_CNT (sizeof(packet_names) / sizeof(packet_names[0]))

struct parser {
	struct bpfvm *vm;
	struct bpfvm_object *obj;
	const char *packet_dir;
	struct flow_key flows[MAX_FLOWS]; /* in the order they first came */
	size_t flow_cnt;
};

static const char *layer_name(uint8_t layer)
{
	static const char *const names[] = {
		[LAYER_ETH] = "eth",   [LAYER_VLAN] = "vlan", [LAYER_MPLS] = "mpls",
		[LAYER_IPV4] = "ipv4", [LAYER_IPV6] = "ipv6", [LAYER_TCP] = "tcp",
		[LAYER_UDP] = "udp",   [LAYER_ICMP] = "icmp", [LAYER_ICMPV6] = "icmpv6",
	};

	return layer <= LAYER_ICMPV6 && names[layer] ? names[layer] : "?";
}

static uint8_t layer_at(const struct parse_state *state, uint8_t i)
{
	return (state->layers >> (4 * i)) & 0xf;
}

static void format_layers(const struct parse_state *state, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (uint8_t i = 0; i < state->layer_cnt && i < MAX_LAYERS; i++)
		used += snprintf(buf + used, used < size ? size - used : 0, "%s%s", i ? " " : "",
				 layer_name(layer_at(state, i)));
}

static void format_address(const struct flow_key *flow, const uint32_t *addr, uint16_t port,
			   char *buf, size_t size)
{
	char text[INET6_ADDRSTRLEN];
	int has_port = flow->ip_proto == IPPROTO_TCP || flow->ip_proto == IPPROTO_UDP;

	inet_ntop(flow->family == 6 ? AF_INET6 : AF_INET, addr, text, sizeof(text));
	if (!has_port)
		snprintf(buf, size, "%s", text);
	else if (flow->family == 6)
		snprintf(buf, size, "[%s]:%u", text, ntohs(port));
	else
		snprintf(buf, size, "%s:%u", text, ntohs(port));
}

/* "udp 10.0.0.1:40000 -> 10.0.0.2:53" */
static void format_flow(const struct flow_key *flow, char *buf, size_t size)
{
	char src[64], dst[64];
	const char *proto = flow->ip_proto == IPPROTO_TCP    ? "tcp"
			    : flow->ip_proto == IPPROTO_UDP  ? "udp"
			    : flow->ip_proto == IPPROTO_ICMP ? "icmp"
							     : "icmpv6";

	format_address(flow, flow->src, flow->sport, src, sizeof(src));
	format_address(flow, flow->dst, flow->dport, dst, sizeof(dst));
	snprintf(buf, size, "%s %s -> %s", proto, src, dst);
}

static void format_outcome(const struct parse_state *state, char *buf, size_t size)
{
	uint8_t last = state->layer_cnt ? layer_at(state, state->layer_cnt - 1) : 0;

	switch (state->outcome) {
	case OUTCOME_COUNTED:
		format_flow(&state->flow, buf, size);
		break;
	case OUTCOME_UNKNOWN_PROTOCOL:
		if (last == LAYER_IPV4 || last == LAYER_IPV6)
			snprintf(buf, size, "IP protocol %u: not parsed", state->unknown_protocol);
		else
			snprintf(buf, size, "ethertype 0x%04x: not parsed",
				 state->unknown_protocol);
		break;
	case OUTCOME_FRAGMENT:
		snprintf(buf, size, "a fragment: not counted");
		break;
	case OUTCOME_TRUNCATED:
		snprintf(buf, size, "truncated");
		break;
	case OUTCOME_NO_STAGE:
		snprintf(buf, size, "no program in jmp_table for the next header");
		break;
	default:
		snprintf(buf, size, "stopped");
	}
}

static void remember_flow(struct parser *p, const struct flow_key *flow)
{
	for (size_t i = 0; i < p->flow_cnt; i++)
		if (memcmp(&p->flows[i], flow, sizeof(*flow)) == 0)
			return;
	if (p->flow_cnt < MAX_FLOWS)
		p->flows[p->flow_cnt++] = *flow;
}

/* Runs parse_eth on one packet and prints what this vCPU's parse state
 * holds afterwards. */
static void parse_packet(struct parser *p, const char *name)
{
	struct bpfvm_map *states = example_map(p->obj, "parse_states");
	struct parse_state_slot slots[NR_CPUS];
	char packet[256], layers[128], outcome[160];
	struct bpfvm_test_run_opts run = { .sz = sizeof(run), .data_in = packet };
	uint32_t zero = 0;
	int err;

	run.data_size_in = example_read_packet(p->packet_dir, name, packet, sizeof(packet));
	err = bpfvm_prog_test_run(example_prog(p->obj, "parse_eth"), &run);
	if (err)
		example_fail(name, err);
	err = bpfvm_map_lookup(states, &zero, slots);
	if (err)
		example_fail("bpfvm_map_lookup(parse_states)", err);
	format_layers(&slots[PARSER_CPU].state, layers, sizeof(layers));
	format_outcome(&slots[PARSER_CPU].state, outcome, sizeof(outcome));
	printf("  %-15s %-24s %s\n", name, layers, outcome);
	if (slots[PARSER_CPU].state.outcome == OUTCOME_COUNTED)
		remember_flow(p, &slots[PARSER_CPU].state.flow);
}

static void show_flows(struct parser *p)
{
	struct bpfvm_map *flows = example_map(p->obj, "flows");
	struct flow_key key;
	size_t entries = 0;

	while (bpfvm_map_get_next_key(flows, entries ? &key : NULL, &key) == 0)
		entries++;
	printf("flows: %zu entries (packets, bytes)\n", entries);
	for (size_t i = 0; i < p->flow_cnt; i++) {
		struct flow_counters counters;
		char flow[160];
		int err = bpfvm_map_lookup(flows, &p->flows[i], &counters);

		if (err)
			example_fail("bpfvm_map_lookup(flows)", err);
		format_flow(&p->flows[i], flow, sizeof(flow));
		printf("  %-52s %llu, %llu\n", flow, (unsigned long long)counters.packets,
		       (unsigned long long)counters.bytes);
	}
}

static void show_stage_runs(struct parser *p)
{
	struct bpfvm_map *stage_runs = example_map(p->obj, "stage_runs");

	printf("stage_runs:");
	for (uint32_t stage = 0; stage < PARSE_STAGES; stage++) {
		uint64_t runs;
		int err = bpfvm_map_lookup(stage_runs, &stage, &runs);

		if (err)
			example_fail("bpfvm_map_lookup(stage_runs)", err);
		printf(" %s %llu%s", stage_names[stage], (unsigned long long)runs,
		       stage + 1 < PARSE_STAGES ? "," : "\n");
	}
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : EXAMPLE_DIR "/packet_parser.bpf.o";
	struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = NR_CPUS };
	struct parser p = { .packet_dir = argc > 2 ? argv[2] : EXAMPLE_DIR "/inputs" };
	int err = bpfvm_create(&opts, &p.vm);

	if (err)
		example_fail("bpfvm_create", err);
	p.obj = example_load_object(p.vm, path);
	/* Every run on one vCPU, whose parse state is read after each. */
	err = bpfvm_cpu_bind(p.vm, PARSER_CPU);
	if (err < 0)
		example_fail("bpfvm_cpu_bind", err);

	printf("parse_eth on each packet (on vCPU %d), tail-calling a stage per header:\n",
	       PARSER_CPU);
	printf("  %-15s %-24s %s\n", "packet", "layers", "flow");
	for (size_t i = 0; i < PACKET_CNT; i++)
		parse_packet(&p, packet_names[i]);
	show_flows(&p);
	show_stage_runs(&p);

	bpfvm_cpu_unbind(p.vm);
	bpfvm_object_close(p.obj);
	bpfvm_destroy(p.vm);
	return 0;
}
