/* One tiny program per __sk_buff / xdp_md field, so that a difference in how
 * a test run builds the context names the field. tc and socket programs
 * return the field; cgroup_skb must return 0 or 1, so it stores the field in
 * skb->mark and the run's ctx_out shows it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define TC_FIELD(field) TC_FIELD_AS(field, field)
#define TC_FIELD_AS(name, field)                                              \
	SEC("tc") int tc_##name(struct __sk_buff *skb) { return skb->field; }
#define SOCKET_FIELD(field) SOCKET_FIELD_AS(field, field)
#define SOCKET_FIELD_AS(name, field)                                          \
	SEC("socket") int sock_##name(struct __sk_buff *skb) { return skb->field; }
#define CGROUP_FIELD(field) CGROUP_FIELD_AS(field, field)
#define CGROUP_FIELD_AS(name, field)                                          \
	SEC("cgroup_skb/ingress") int cg_##name(struct __sk_buff *skb)       \
	{                                                                     \
		skb->mark = skb->field;                                       \
		return 1;                                                     \
	}

TC_FIELD(len)
TC_FIELD(pkt_type)
TC_FIELD(mark)
TC_FIELD(queue_mapping)
TC_FIELD(protocol)
TC_FIELD(vlan_present)
TC_FIELD(vlan_tci)
TC_FIELD(vlan_proto)
TC_FIELD(priority)
TC_FIELD(ingress_ifindex)
TC_FIELD(ifindex)
TC_FIELD(tc_index)
TC_FIELD(hash)
TC_FIELD(tc_classid)
TC_FIELD(napi_id)
TC_FIELD(wire_len)
TC_FIELD(gso_segs)
TC_FIELD(gso_size)
TC_FIELD_AS(cb0, cb[0])
TC_FIELD_AS(cb4, cb[4])

SEC("tc") int tc_data_len(struct __sk_buff *skb)
{
	return (long)skb->data_end - (long)skb->data;
}

SEC("tc") int tc_meta_len(struct __sk_buff *skb)
{
	return (long)skb->data - (long)skb->data_meta;
}

SEC("tc") int tc_tstamp_nonzero(struct __sk_buff *skb)
{
	return skb->tstamp != 0;
}

SOCKET_FIELD(len)
SOCKET_FIELD(pkt_type)
SOCKET_FIELD(protocol)
SOCKET_FIELD(ifindex)
SOCKET_FIELD(ingress_ifindex)
SOCKET_FIELD(mark)
SOCKET_FIELD(priority)
SOCKET_FIELD(queue_mapping)
SOCKET_FIELD(hash)
SOCKET_FIELD(vlan_present)
SOCKET_FIELD_AS(cb1, cb[1])

CGROUP_FIELD(len)
CGROUP_FIELD(protocol)
CGROUP_FIELD(pkt_type)
CGROUP_FIELD(ifindex)
CGROUP_FIELD(priority)
CGROUP_FIELD_AS(cb3, cb[3])

SEC("cgroup_skb/egress") int cg_data_len(struct __sk_buff *skb)
{
	skb->mark = (long)skb->data_end - (long)skb->data;
	return 1;
}

SEC("cgroup_skb/egress") int cg_family(struct __sk_buff *skb)
{
	skb->mark = skb->family;
	return 1;
}

SEC("xdp") int xdp_ingress_ifindex(struct xdp_md *ctx)
{
	return ctx->ingress_ifindex;
}

SEC("xdp") int xdp_rx_queue_index(struct xdp_md *ctx)
{
	return ctx->rx_queue_index;
}

SEC("xdp") int xdp_data_len(struct xdp_md *ctx)
{
	return ctx->data_end - ctx->data;
}

SEC("xdp") int xdp_meta_len(struct xdp_md *ctx)
{
	return ctx->data - ctx->data_meta;
}

char _license[] SEC("license") = "GPL";
