// expect: accept
// part: memory
//
// Frozen .rodata values read as known constants at offsets that are not
// multiples of their sizes: the verifier reads the bytes (it once read them
// through misaligned casts, which UBSan stops on) and proves dead the
// branch that reads a field socket filters may not read.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u8 consts[8] = { 0, 4, 3, 2, 1, 7, 0, 9 };

SEC("socket")
int rodata_unaligned_constant(struct __sk_buff *skb)
{
	__u64 word, half;

	/* Loads of 4 and 2 bytes at offsets 1 and 5 (clang would split a
	 * misaligned C access into bytes). */
	asm volatile("%[w] = *(u32 *)(%[p] + 1)\n"
		     "%[h] = *(u16 *)(%[p] + 5)"
		     : [w] "=r"(word), [h] "=r"(half)
		     : [p] "r"(consts));

	if (word != 0x01020304 || half != 7)
		return skb->tc_classid; /* refused to socket filters, never reached */
	return consts[7];
}

char _license[] SEC("license") = "GPL";
