/* BPF_PROG_TYPE_SK_MSG: every field of struct sk_msg_md, the message bytes
 * through data/data_end, the socket (never NULL). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ctx_read.h"

SEC("sk_msg")
int msg_fields(struct sk_msg_md *msg)
{
	void *data = msg->data, *data_end = msg->data_end;

	READ(msg->family);
	READ(msg->remote_ip4);
	READ(msg->local_ip4);
#pragma unroll
	for (int i = 0; i < 4; i++) {
		READ(msg->remote_ip6[i]);
		READ(msg->local_ip6[i]);
	}
	READ(msg->remote_port);
	READ(msg->local_port);
	READ(msg->size);
	READ(msg->sk->family);
	if (data + 4 <= data_end)
		READ(*(__u32 *)data);
	return SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
