/* A struct with two bpf_spin_lock members: the kernel refuses the object's
 * BTF (-E2BIG) and libbpf loads it without, so no map value here has a lock,
 * not even `pair`'s (tests/maps/test_map_spin_lock.c). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct two_locks {
	struct bpf_spin_lock first;
	__u32 pad;
	struct bpf_spin_lock second;
};

struct pair {
	__u64 a;
	struct bpf_spin_lock lock;
	__u64 b;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct two_locks);
} two SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pair);
} pair SEC(".maps");

SEC("tc")
int touch(struct __sk_buff *skb)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&pair, &key) && bpf_map_lookup_elem(&two, &key);
}

char LICENSE[] SEC("license") = "GPL";
