/* Programs for the tests of virtual CPUs and program lifetimes: an entry
 * that tail-calls slot 0, targets that return their own mark, a target
 * that runs long enough to be caught inside, and a per-CPU counter updated
 * without atomics (lost updates would show two runs on one vCPU). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} jmp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} per_cpu_runs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} progress SEC(".maps");

SEC("xdp")
int entry(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jmp, 0);
	return 100;
}

SEC("xdp")
int mark_one(struct xdp_md *ctx)
{
	return 1;
}

SEC("xdp")
int mark_two(struct xdp_md *ctx)
{
	return 2;
}

static long spin(__u32 index, void *data)
{
	__u64 *sum = data;

	*sum += index;
	return 0;
}

/* Announces that it is running (progress[0]), then loops for a while and
 * counts its completed runs (progress[1]). */
SEC("xdp")
int slow(struct xdp_md *ctx)
{
	__u32 started = 0, finished = 1;
	__u64 sum = 0, *value;

	value = bpf_map_lookup_elem(&progress, &started);
	if (value)
		__sync_fetch_and_add(value, 1);
	bpf_loop(1 << 20, spin, &sum, 0);
	value = bpf_map_lookup_elem(&progress, &finished);
	if (value)
		__sync_fetch_and_add(value, 1);
	return 3 + (sum & 0);
}

/* A read-modify-write that is safe only if no other run shares the vCPU. */
SEC("xdp")
int count_on_cpu(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 *runs = bpf_map_lookup_elem(&per_cpu_runs, &zero);
	__u64 seen, sum = 0;

	if (!runs)
		return 0;
	seen = *runs;
	bpf_loop(256, spin, &sum, 0);
	*runs = seen + 1 + (sum & 0);
	return bpf_get_smp_processor_id();
}

char LICENSE[] SEC("license") = "GPL";
