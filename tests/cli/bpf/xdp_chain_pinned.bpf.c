/* Seed 002 across processes, for the README's two terminals: prog_entry
 * says "Enter prog_entry", tail-calls jmp_table[0] and, when the slot is
 * empty, says "Exit prog_entry" and passes; prog_drop says "Enter
 * prog_drop" and drops. They speak through bpf_trace_printk, which the process
 * that runs them prints (a perf event array would be the loader's alone:
 * the runner could not run another process's prog_drop that writes to it).
 *
 * The messages are written on the stack, not with bpf_printk's static
 * format: that would be in .rodata, a map that nobody pins, and a pinned
 * program does not keep its maps alive once its loader exits
 * (docs/cli.md, "What is not there").
 *
 * jmp_table and chain_counts are pinned by name, so that `bpfvm prog load`
 * of this object in another terminal reuses the runner's maps. chain_counts
 * accounts for every packet: [0] entered, [1] dropped by prog_drop, [2]
 * passed by prog_entry; [0] == [1] + [2] whatever the slot did meanwhile.
 *
 * prog_drop comes first: `bpfvm prog load OBJ PATH` pins the first program,
 * as bpftool does. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} jmp_table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} chain_counts SEC(".maps");

enum { ENTERED, DROPPED, PASSED };

/* Inlined: the message is copied by constant stores, no .rodata. */
static __always_inline void say(const char *text, __u32 len)
{
	char message[20];

	__builtin_memcpy(message, text, len);
	bpf_trace_printk(message, len);
}

#define SAY(text) say(text, sizeof(text))

static __always_inline void count(__u32 what)
{
	__u64 *value = bpf_map_lookup_elem(&chain_counts, &what);

	if (value)
		__sync_fetch_and_add(value, 1);
}

SEC("xdp")
int prog_drop(struct xdp_md *ctx)
{
	SAY("Enter prog_drop");
	count(DROPPED);
	return XDP_DROP;
}

SEC("xdp")
int prog_entry(struct xdp_md *ctx)
{
	SAY("Enter prog_entry");
	count(ENTERED);
	bpf_tail_call(ctx, &jmp_table, 0);
	SAY("Exit prog_entry");
	count(PASSED);
	return XDP_PASS;
}

/* Another type: the owner rule refuses it in jmp_table, whose owner is
 * XDP. */
SEC("tc")
int prog_tc(struct __sk_buff *skb)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
