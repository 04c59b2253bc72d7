/* The __sk_buff types without a test run in bpfvm: sk_skb (stream parser
 * and verdict) and the lightweight tunnels. Each reads the fields its type
 * allows, uses the packet pointers, and writes what it may write. */
#include <stddef.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ctx_read.h"

/* The fields every __sk_buff type reads. */
static __always_inline void read_skb_common(struct __sk_buff *skb)
{
	READ(skb->len);
	READ(skb->pkt_type);
	READ(skb->queue_mapping);
	READ(skb->protocol);
	READ(skb->vlan_present);
	READ(skb->vlan_tci);
	READ(skb->vlan_proto);
	READ(skb->priority);
	READ(skb->ingress_ifindex);
	READ(skb->ifindex);
	READ(skb->tc_index);
	READ(skb->hash);
	READ(skb->napi_id);
	READ(skb->gso_segs);
	READ(skb->gso_size);
#pragma unroll
	for (int i = 0; i < 5; i++)
		READ(skb->cb[i]);
	READ_AT(skb, __u8, offsetof(struct __sk_buff, cb[4]) + 3);
	READ_AT(skb, __u16, offsetof(struct __sk_buff, protocol) + 2);
	if (skb->sk)
		READ(skb->sk->family);
}

static __always_inline void read_packet(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;

	if (data + 14 <= data_end)
		READ(*(__u16 *)(data + 12));
}

/* sk_skb also sees the socket's addresses and ports. */
static __always_inline void read_sk_skb(struct __sk_buff *skb)
{
	read_skb_common(skb);
	read_packet(skb);
	READ(skb->family);
	READ(skb->remote_ip4);
	READ(skb->local_ip4);
#pragma unroll
	for (int i = 0; i < 4; i++) {
		READ(skb->remote_ip6[i]);
		READ(skb->local_ip6[i]);
	}
	READ(skb->remote_port);
	READ(skb->local_port);
}

SEC("sk_skb/stream_parser")
int stream_parser(struct __sk_buff *skb)
{
	read_sk_skb(skb);
	return skb->len;
}

SEC("sk_skb/stream_verdict")
int stream_verdict(struct __sk_buff *skb)
{
	read_sk_skb(skb);
	WRITE(skb->tc_index, 1);
	WRITE(skb->priority, 2);
	return SK_PASS;
}

static __always_inline int lwt(struct __sk_buff *skb)
{
	read_skb_common(skb);
	read_packet(skb);
	READ(skb->mark);
	WRITE(skb->mark, 1);
	WRITE(skb->priority, 2);
	WRITE(skb->cb[0], 3);
	return BPF_OK;
}

SEC("lwt_in")
int in_prog(struct __sk_buff *skb)
{
	return lwt(skb);
}

SEC("lwt_out")
int out_prog(struct __sk_buff *skb)
{
	return lwt(skb);
}

SEC("lwt_xmit")
int xmit_prog(struct __sk_buff *skb)
{
	return lwt(skb);
}

SEC("lwt_seg6local")
int seg6local_prog(struct __sk_buff *skb)
{
	return lwt(skb);
}

char LICENSE[] SEC("license") = "GPL";
