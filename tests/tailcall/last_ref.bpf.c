/* Slots cleared when the last user reference to a prog array goes
 * (SEMANTICS.md: PROG_ARRAY maps): lr_entry still references lr_jmp, but
 * once no file descriptor (bpfvm: no handle, no object) holds the array, its
 * slots are emptied and lr_entry falls through.
 *   lr_entry   tail-calls slot 0; returns 1 when that fails;
 *   lr_target  (slot 0, set from user space) returns 2. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} lr_jmp SEC(".maps");

SEC("tc")
int lr_entry(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &lr_jmp, 0);
	return 1;
}

SEC("tc")
int lr_target(struct __sk_buff *skb)
{
	return 2;
}

char _license[] SEC("license") = "GPL";
