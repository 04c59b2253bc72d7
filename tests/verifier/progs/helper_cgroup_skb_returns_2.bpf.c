/* cgroup_skb ingress programs return 0 (drop) or 1 (pass). */
#include "helpers_common.h"

SEC("cgroup_skb/ingress")
int ingress_two(struct __sk_buff *skb)
{
	return 2;
}
