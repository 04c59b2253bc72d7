/* Computation over the packet, each a loop the verifier bounds: the IPv4
 * header checksum and a ones'-complement sum of the payload (as a UDP/TCP
 * checksum is computed), FNV-1a over the bytes, jhash over the first words,
 * an arithmetic loop, a switch dispatch over the bytes (a tiny bytecode
 * interpreter), and a chain of noinline functions (bpf-to-bpf calls); and
 * an empty program, the floor of the others. */
#include "bench_common.h"

#define PAYLOAD_MAX 1500
#define FNV_BYTES 512
#define JHASH_WORDS 16
#define LOOP_ROUNDS 1024
#define SWITCH_BYTES 64

static __always_inline __u16 csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* Writes the IPv4 header checksum (computed with the field as zero, so the
 * next run computes the same) and returns the folded sum of the L4 bytes. */
SEC("xdp")
int xdp_csum(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u16 *word;
	__u32 sum = 0;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5)
		return 0xbad;
	ip->check = 0;
	word = (__u16 *)ip;
#pragma unroll
	for (int i = 0; i < 10; i++)
		sum += word[i];
	ip->check = csum_fold(sum);

	sum = 0;
	word = (__u16 *)(ip + 1);
	for (int i = 0; i < PAYLOAD_MAX / 2; i++) {
		if ((void *)(word + 1) > end)
			break;
		sum += *word++;
	}
	return csum_fold(sum);
}

SEC("xdp")
int xdp_fnv(struct xdp_md *ctx)
{
	__u8 *byte = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 hash = 2166136261u;

	for (int i = 0; i < FNV_BYTES; i++) {
		if ((void *)(byte + 1) > (void *)end)
			break;
		hash = (hash ^ *byte++) * 16777619u;
	}
	return hash;
}

static __always_inline __u32 rol32(__u32 word, unsigned int shift)
{
	return (word << shift) | (word >> (32 - shift));
}

/* The kernel's jhash2 (include/linux/jhash.h). */
#define JHASH_MIX(a, b, c)                                  \
	do {                                                \
		a -= c; a ^= rol32(c, 4); c += b;           \
		b -= a; b ^= rol32(a, 6); a += c;           \
		c -= b; c ^= rol32(b, 8); b += a;           \
		a -= c; a ^= rol32(c, 16); c += b;          \
		b -= a; b ^= rol32(a, 19); a += c;          \
		c -= b; c ^= rol32(b, 4); b += a;           \
	} while (0)

#define JHASH_FINAL(a, b, c)                                \
	do {                                                \
		c ^= b; c -= rol32(b, 14);                  \
		a ^= c; a -= rol32(c, 11);                  \
		b ^= a; b -= rol32(a, 25);                  \
		c ^= b; c -= rol32(b, 16);                  \
		a ^= c; a -= rol32(c, 4);                   \
		b ^= a; b -= rol32(a, 14);                  \
		c ^= b; c -= rol32(b, 24);                  \
	} while (0)

SEC("xdp")
int xdp_jhash(struct xdp_md *ctx)
{
	__u32 *word = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 a, b, c, length = JHASH_WORDS;

	if ((void *)(word + JHASH_WORDS) > end)
		return 0xbad;
	a = b = c = 0xdeadbeef + (length << 2) + 0x9e3779b9;
#pragma unroll
	for (int i = 0; i < JHASH_WORDS - 3; i += 3) {
		a += word[i];
		b += word[i + 1];
		c += word[i + 2];
		JHASH_MIX(a, b, c);
	}
	a += word[JHASH_WORDS - 1];
	JHASH_FINAL(a, b, c);
	return c;
}

/* A linear congruential generator seeded by the packet: the loop the
 * verifier bounds by walking it, and the JIT runs as a plain loop. */
SEC("xdp")
int xdp_loop(struct xdp_md *ctx)
{
	__u32 *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 state, acc = 0;

	if ((void *)(data + 1) > end)
		return 0xbad;
	state = *data;
	for (__u32 i = 0; i < LOOP_ROUNDS; i++) {
		state = state * 1103515245u + 12345u;
		acc += (state >> 16) ^ i;
	}
	return acc;
}

/* Each byte is an opcode for a one-register machine: clang turns the switch
 * into a tree of compares (BPF has no jump tables). */
SEC("xdp")
int xdp_switch(struct xdp_md *ctx)
{
	__u8 *code = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 acc, other;

	if ((void *)(code + SWITCH_BYTES + 8) > end)
		return 0xbad;
	/* Unknown to the verifier from the start: with constants it would
	 * walk every path of the 16-way switch, 64 times over. */
	acc = *(__u32 *)(code + SWITCH_BYTES);
	other = *(__u32 *)(code + SWITCH_BYTES + 4);
	for (int i = 0; i < SWITCH_BYTES; i++) {
		__u8 op = code[i];

		switch (op & 15) {
		case 0: acc += op; break;
		case 1: acc -= other; break;
		case 2: acc ^= acc << 3; break;
		case 3: acc ^= acc >> 5; break;
		case 4: acc *= 33; break;
		case 5: other += acc; break;
		case 6: other ^= op << 8; break;
		case 7: acc = acc + (other >> 1); break;
		case 8: acc |= 1u << (op & 31); break;
		case 9: acc &= ~(other & 0xff); break;
		case 10: other = acc ^ other; break;
		case 11: acc = (acc << 7) | (acc >> 25); break;
		case 12: acc += i; break;
		case 13: other -= op; break;
		case 14: acc = acc * 5 + other; break;
		default: acc ^= 0x5bd1e995; break;
		}
	}
	return acc ^ other;
}

/* bpf-to-bpf calls: a mix built from eight noinline functions, three deep. */
static noinline __u32 call_rotate(__u32 x, __u32 shift)
{
	shift &= 31;
	return (x << shift) | (x >> ((32 - shift) & 31));
}

static noinline __u32 call_mul(__u32 x, __u32 y)
{
	return x * 0x85ebca6b + y;
}

static noinline __u32 call_xorshift(__u32 x)
{
	x ^= x << 13;
	x ^= x >> 17;
	return x ^ (x << 5);
}

static noinline __u32 call_add(__u32 x, __u32 y)
{
	return call_rotate(x + y, y);
}

static noinline __u32 call_mix2(__u32 x, __u32 y)
{
	return call_mul(call_xorshift(x), y);
}

static noinline __u32 call_mix3(__u32 x, __u32 y, __u32 z)
{
	return call_add(call_mix2(x, y), z);
}

static noinline __u32 call_round(__u32 acc, __u32 word, __u32 i)
{
	return call_mix3(acc, word, i) ^ call_xorshift(word + i);
}

static noinline __u32 call_final(__u32 acc)
{
	return call_mul(call_xorshift(acc), acc >> 3);
}

SEC("xdp")
int xdp_calls(struct xdp_md *ctx)
{
	__u32 *word = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 acc = 0x12345678;

	if ((void *)(word + 16) > end)
		return 0xbad;
	for (int i = 0; i < 16; i++)
		acc = call_round(acc, word[i], i);
	return call_final(acc);
}

/* Nothing: what a test-run loop costs per run around the program. */
SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
