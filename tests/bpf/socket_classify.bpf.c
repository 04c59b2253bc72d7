/* A socket filter in the classic style: the packet is read with the legacy
 * packet loads (ld_abs, through clang's llvm.bpf.load.* builtins, as the
 * kernel's samples/bpf do), from the network header on. Sources are counted
 * in an LRU hash; the source address is classified by longest prefix match
 * in an LPM trie that the program fills itself. Returns the number of bytes
 * to keep: all for known networks, 0 (drop) otherwise. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

struct ipv4_lpm_key {
	__u32 prefixlen;
	__u32 addr; /* network order */
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ipv4_lpm_key);
	__type(value, __u32);
} networks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} sources SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} classes SEC(".maps");

static __always_inline void add_network(__u32 prefixlen, __u32 addr_host, __u32 class)
{
	struct ipv4_lpm_key key = { .prefixlen = prefixlen, .addr = bpf_htonl(addr_host) };

	bpf_map_update_elem(&networks, &key, &class, BPF_NOEXIST);
}

SEC("socket")
int socket_classify_source(struct __sk_buff *skb)
{
	struct ipv4_lpm_key key = { .prefixlen = 32 };
	__u64 one = 1, *seen;
	__u32 *class, slot;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	if ((load_byte(skb, 0) >> 4) != 4)
		return 0;
	add_network(8, 0x0a000000, 1);	/* 10.0.0.0/8 */
	add_network(24, 0x0a000000, 2);	/* 10.0.0.0/24 */
	add_network(16, 0xc0a80000, 3);	/* 192.168.0.0/16 */

	key.addr = bpf_htonl(load_word(skb, 12)); /* saddr */
	seen = bpf_map_lookup_elem(&sources, &key.addr);
	if (seen)
		__sync_fetch_and_add(seen, 1);
	else
		bpf_map_update_elem(&sources, &key.addr, &one, BPF_ANY);

	class = bpf_map_lookup_elem(&networks, &key);
	slot = class ? *class : 0;
	class = bpf_map_lookup_elem(&classes, &slot);
	if (class)
		*class += load_half(skb, 2); /* total length */
	return slot ? skb->len : 0;
}

char LICENSE[] SEC("license") = "GPL";
