/* vCPUs and bpf_spin_lock shared by the processes of a namespace
 * (tests/ns/test_ns_vcpu.c). Both maps are pinned by name, so every
 * process that loads this object uses the same two maps. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vcpu_counts SEC(".maps");

struct locked {
	__u64 a;
	struct bpf_spin_lock lock;
	__u64 b;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct locked);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} locked_pair SEC(".maps");

/* Adds one to this CPU's counter with a plain load and store, far apart:
 * two runs on one vCPU at once would lose updates. Returns the vCPU. */
SEC("tc")
int count_on_cpu(struct __sk_buff *skb)
{
	volatile __u64 widen = 0;
	__u32 key = 0;
	__u64 *count = bpf_map_lookup_elem(&vcpu_counts, &key);
	__u64 seen;

	if (!count)
		return -1;
	seen = *count;
	for (int i = 0; i < 1000; i++)
		widen += i;
	*count = seen + 1 + (widen & 0x100000);
	return bpf_get_smp_processor_id();
}

/* Adds one to both fields under the value's lock: a and b stay equal. */
SEC("tc")
int locked_add(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct locked *pair = bpf_map_lookup_elem(&locked_pair, &key);

	if (!pair)
		return -1;
	bpf_spin_lock(&pair->lock);
	pair->a++;
	pair->b++;
	bpf_spin_unlock(&pair->lock);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
