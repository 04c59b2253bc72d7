// expect: reject
// reason: R6 min value is outside of the allowed memory range
// part: walk
//
// A legacy packet load past the packet returns 0 from the function it is
// in, not only the value the function sets: here the caller's index is 8
// on that path.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[8]);
} bytes SEC(".maps");

static __attribute__((noinline)) int first_byte_seen(struct __sk_buff *skb)
{
	unsigned long long byte = load_byte(skb, 64);
	int one = 1;

	/* keeps clang from dropping the load and folding the call away */
	asm volatile("" : "+r"(one) : "r"(byte));
	return one;
}

SEC("socket")
int ld_abs_subprog_returns_zero(struct __sk_buff *skb)
{
	__u32 key = 0;
	char *v = bpf_map_lookup_elem(&bytes, &key);
	int seen;

	if (!v)
		return 0;
	seen = first_byte_seen(skb);
	return v[8 - 8 * seen];
}

char LICENSE[] SEC("license") = "GPL";
