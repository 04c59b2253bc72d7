/* Unsafe: a load of a map value's bpf_spin_lock word, which only the lock
 * helpers may touch ("bpf_spin_lock cannot be accessed directly by
 * load/store"). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct locked {
	__u32 count;
	struct bpf_spin_lock lock;
	__u64 total;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct locked);
} values SEC(".maps");

SEC("tc")
int read_lock_word(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct locked *v = bpf_map_lookup_elem(&values, &key);

	if (!v)
		return 0;
	return v->lock.val;
}

char LICENSE[] SEC("license") = "GPL";
