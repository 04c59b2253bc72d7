/* CO-RE relocations of every kind clang 14 emits, on types this program
 * defines with preserve_access_index as vmlinux.h does. core_target.bpf.c
 * lays the same types out differently: relocated against its BTF
 * (btf_custom_path), the offsets, sizes, shifts and enumerator values
 * change, and what the target lacks reads as absent. The packet holds a
 * struct core_pair in the target's layout. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct core_pair {
	int a;
	int b;
	int only_local; /* the target has no such field */
	unsigned int lo : 3, hi : 5;
	unsigned int grow; /* 64 bits in the target: the load widens */
} __attribute__((preserve_access_index));

enum core_color { CORE_RED, CORE_BLUE, CORE_PURPLE };

struct core_absent {
	int x;
};

struct core_results {
	__u64 a, b, hi, lo;
	__u64 b_exists, only_local_exists, only_local;
	__u64 size, blue, purple_exists, absent_exists;
	__u64 grow;
};

struct core_results results;

/* In .text: its records name that section. */
static __attribute__((noinline)) __u64 read_b(struct core_pair *pair)
{
	return pair->b;
}

SEC("tc")
int read_fields(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct core_pair *pair = data;

	if (data + 64 > end)
		return 1;
	results.a = pair->a;
	results.b = read_b(pair);
	results.hi = BPF_CORE_READ_BITFIELD(pair, hi);
	results.lo = BPF_CORE_READ_BITFIELD(pair, lo);
	results.b_exists = bpf_core_field_exists(pair->b);
	results.only_local_exists = bpf_core_field_exists(pair->only_local);
	if (bpf_core_field_exists(pair->only_local)) /* poisoned, and never reached */
		results.only_local = pair->only_local;
	results.size = bpf_core_type_size(struct core_pair);
	results.blue = bpf_core_enum_value(enum core_color, CORE_BLUE);
	results.purple_exists = bpf_core_enum_value_exists(enum core_color, CORE_PURPLE);
	results.absent_exists = bpf_core_type_exists(struct core_absent);
	results.grow = pair->grow;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
