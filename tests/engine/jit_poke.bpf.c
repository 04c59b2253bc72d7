/* Constant-key tail calls for test_jit_poke.c.
 *
 *   poke_entry   tail-calls slot 0 of poke_jmp (constant key: a direct jump
 *                re-pointed at each slot change); 1 when it falls through.
 *   poke_a/b/c   return 2, 3, 4.
 *   poke_joined  `r2 = poke_jmp ll; r3 = 0; call 12` where a jump lands on
 *                `r3 = 0` with r2 = other_jmp (whose slot 0 holds poke_c):
 *                the call's map is not constant, so it must not jump
 *                through poke_jmp's slot (4 with a non-empty packet). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int poke_c(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} poke_jmp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct __sk_buff *));
} other_jmp SEC(".maps") = {
	.values = { [0] = (void *)&poke_c },
};

SEC("tc")
int poke_entry(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &poke_jmp, 0);
	return 1;
}

SEC("tc") int poke_a(struct __sk_buff *skb) { return 2; }
SEC("tc") int poke_b(struct __sk_buff *skb) { return 3; }
SEC("tc") int poke_c(struct __sk_buff *skb) { return 4; }

SEC("tc")
int poke_joined(struct __sk_buff *skb)
{
	asm volatile("r1 = %[ctx]\n"
		     "r0 = *(u32 *)(r1 + 0)\n"
		     "r2 = %[other] ll\n"
		     "if r0 != 0 goto +2\n"
		     "r2 = %[poke] ll\n"
		     "r3 = 0\n"
		     "call 12\n"
		     :: [ctx] "r"(skb), [other] "i"(&other_jmp), [poke] "i"(&poke_jmp)
		     : "r0", "r1", "r2", "r3", "r4", "r5", "memory");
	return 1;
}

char _license[] SEC("license") = "GPL";
