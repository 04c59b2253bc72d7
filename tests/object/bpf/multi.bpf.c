/* An object with most of what libbpf reads: three programs in one section,
 * programs in other sections, static and global subprograms called from
 * several programs, BTF maps of several types, a prog array initialised
 * statically, a map-in-map with its inner map, global data in every kind of
 * section, and a license. tests/object/test_object_read.c pins what the
 * reader finds in it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, __u32);
	__type(value, __u64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, 4);
	__uint(value_size, 16);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 32);
	__type(key, __u64);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(numa_node, 1);
} pinned_lru SEC(".maps");

struct inner_def {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
};

struct inner_def inner_a SEC(".maps");
struct inner_def inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 3);
	__type(key, __u32);
	__array(values, struct inner_def);
} outer SEC(".maps") = {
	.values = { [0] = &inner_a, [2] = &inner_b },
};

int prog_b(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__array(values, int(void *));
} jumps SEC(".maps") = {
	.values = { [1] = (void *)&prog_b },
};

__u64 data_counter = 7;			/* .data */
const volatile __u32 rodata_limit = 42;	/* .rodata */
__u64 bss_total;			/* .bss */
__u32 custom_data SEC(".data.custom") = 0x11223344;
const __u16 custom_ro SEC(".rodata.custom") = 0x5566;

static __attribute__((noinline)) __u64 add_static(__u64 a, __u64 b)
{
	return a + b + rodata_limit;
}

__attribute__((noinline)) int global_helper(__u32 key)
{
	__u64 *value = bpf_map_lookup_elem(&counts, &key);

	bss_total += 1;
	return value ? (int)add_static(*value, key) : 0;
}

SEC("cgroup_skb/egress")
int prog_a(struct __sk_buff *skb)
{
	data_counter++;
	return global_helper(skb->len) & 1;
}

SEC("cgroup_skb/egress")
int prog_b(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jumps, 0);
	return (int)add_static(custom_data, custom_ro) & 1;
}

SEC("cgroup_skb/egress")
int prog_c(struct __sk_buff *skb)
{
	__u32 key = 0;
	void *inner = bpf_map_lookup_elem(&outer, &key);

	if (!inner)
		return 0;
	return bpf_map_lookup_elem(inner, &key) != 0;
}

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	__u32 key = 1;
	void *value = bpf_map_lookup_elem(&scratch, &key);

	return value ? XDP_PASS + global_helper(key) * 0 : XDP_DROP;
}

SEC("raw_tp/sys_enter")
int on_enter(void *ctx)
{
	__u64 key = 1;
	__u32 *value = bpf_map_lookup_elem(&pinned_lru, &key);

	return value ? *value : 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
