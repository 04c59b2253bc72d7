/* libbpf's SEC("?...") convention: a program whose section name starts with
 * '?' has the type of the rest of the name and starts with autoload off, so
 * a load leaves it out until it is asked for. Here the optional program is
 * one the verifier refuses: loading the object must not try it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("?xdp")
int optional_ctx_read(struct xdp_md *ctx)
{
	/* Past struct xdp_md: "invalid bpf_context access off=400 size=4". */
	return *(volatile __u32 *)((char *)ctx + 400);
}

SEC("xdp")
int always_passes(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
