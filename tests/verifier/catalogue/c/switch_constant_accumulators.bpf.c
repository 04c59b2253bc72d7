// expect: accept
// part: walk
//
// A 16-way switch in a loop that adds a different constant to accumulators
// in each case: the accumulators are never compared or used as offsets, so
// their values need no precision and the kernel prunes the paths that
// differ only in them.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
int switch_constant_accumulators(struct __sk_buff *skb)
{
	__u64 a = 0, b = 0;
	__u32 x = skb->len;

#pragma clang loop unroll(disable)
	for (int i = 0; i < 32; i++) {
		switch ((x >> (i & 7)) & 15) {
		case 0: a += 1; b += 16; break;
		case 1: a += 2; b += 15; break;
		case 2: a += 3; b += 14; break;
		case 3: a += 4; b += 13; break;
		case 4: a += 5; b += 12; break;
		case 5: a += 6; b += 11; break;
		case 6: a += 7; b += 10; break;
		case 7: a += 8; b += 9; break;
		case 8: a += 9; b += 8; break;
		case 9: a += 10; b += 7; break;
		case 10: a += 11; b += 6; break;
		case 11: a += 12; b += 5; break;
		case 12: a += 13; b += 4; break;
		case 13: a += 14; b += 3; break;
		case 14: a += 15; b += 2; break;
		default: a += 16; b += 1; break;
		}
	}
	return (a ^ b) & 1;
}

char LICENSE[] SEC("license") = "GPL";
