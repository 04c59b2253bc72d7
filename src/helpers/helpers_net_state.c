/* Helpers that set or read kernel networking state bpfvm does not keep: a
 * packet's tunnel metadata (bpf_skb_set_tunnel_key), a socket's options
 * (bpf_setsockopt), the sysctl a cgroup_sysctl program judges
 * (bpf_sysctl_get_name). Their prototypes are the kernel's, so that
 * programs calling them verify as in the kernel; run, they make the
 * kernel's checks on their arguments and then act on nothing
 * (docs/differences.md):
 *
 *   skb_set_tunnel_key  an unknown flag, a size that is no layout of
 *                       struct bpf_tunnel_key, a label without
 *                       BPF_F_TUNINFO_IPV6 or tunnel_ext set: -EINVAL;
 *                       otherwise 0 (the kernel attaches a metadata dst
 *                       that tunnel devices read: bpfvm has none)
 *   setsockopt          -EINVAL, the kernel's answer without a full socket
 *                       (sock_ops and sock_addr have no runtime context)
 *   sysctl_get_name     the buffer emptied, -EINVAL (cgroup_sysctl has no
 *   sysctl_get_current_value, sysctl_get_new_value
 *                       runtime context: no sysctl to name, no value: the
 *                       kernel's answer without a value or a write)
 *   sysctl_set_new_value -EINVAL (no write to replace)
 *   msg_pull_data, msg_push_data, msg_pop_data
 *                       -EINVAL: sk_msg has no runtime context, no message
 *                       whose bytes a range could name (push_data of 0
 *                       bytes without flags: 0, as the kernel's) */
#include <errno.h>
#include <string.h>
#include <linux/bpf.h>

#include "helpers/helper_proto.h"

/* struct bpf_tunnel_key: its size now and the sizes of its older layouts
 * (the kernel zero-fills the missing tail); the offsets of its fields. */
#define TUNNEL_KEY_SIZE 44u
#define TUNNEL_KEY_V6_OLD 8u	  /* up to remote_ipv6[1] */
#define TUNNEL_KEY_EXT_OFF 22u	  /* tunnel_ext */
#define TUNNEL_KEY_LABEL_OFF 24u  /* tunnel_label */
#define TUNNEL_KEY_LOCAL_OFF 28u  /* local_ipv4 */
#define TUNNEL_KEY_NO_KEY (1ULL << 4) /* BPF_F_NO_TUNNEL_KEY, newer than some headers */
#define TUNNEL_KEY_FLAGS                                                                       \
	(BPF_F_TUNINFO_IPV6 | BPF_F_ZERO_CSUM_TX | BPF_F_DONT_FRAGMENT | BPF_F_SEQ_NUMBER |    \
	 TUNNEL_KEY_NO_KEY)

static uint64_t helper_skb_set_tunnel_key(uint64_t ctx, uint64_t from, uint64_t size,
					  uint64_t flags, uint64_t r5)
{
	uint8_t key[TUNNEL_KEY_SIZE] = { 0 };
	uint16_t ext;
	uint32_t label;

	if (flags & ~(uint64_t)TUNNEL_KEY_FLAGS)
		return (uint64_t)-EINVAL;
	switch ((uint32_t)size) {
	case TUNNEL_KEY_SIZE: case TUNNEL_KEY_V6_OLD: case TUNNEL_KEY_EXT_OFF:
	case TUNNEL_KEY_LABEL_OFF: case TUNNEL_KEY_LOCAL_OFF:
		break;
	default:
		return (uint64_t)-EINVAL;
	}
	memcpy(key, (const void *)(uintptr_t)from, (uint32_t)size);
	memcpy(&ext, key + TUNNEL_KEY_EXT_OFF, sizeof(ext));
	memcpy(&label, key + TUNNEL_KEY_LABEL_OFF, sizeof(label));
	if ((!(flags & BPF_F_TUNINFO_IPV6) && label) || ext)
		return (uint64_t)-EINVAL;
	return 0;
}

static uint64_t helper_setsockopt(uint64_t ctx, uint64_t level, uint64_t optname,
				  uint64_t optval, uint64_t optlen)
{
	return (uint64_t)-EINVAL;
}

static uint64_t helper_sysctl_get_name(uint64_t ctx, uint64_t buf, uint64_t buf_len,
				       uint64_t flags, uint64_t r5)
{
	memset((void *)(uintptr_t)buf, 0, (size_t)buf_len);
	return (uint64_t)-EINVAL;
}

/* bpf_sysctl_set_new_value: the kernel's answer when the access is no
 * write. */
static uint64_t helper_sysctl_set_new_value(uint64_t ctx, uint64_t buf, uint64_t buf_len,
					    uint64_t r4, uint64_t r5)
{
	return (uint64_t)-EINVAL;
}

static uint64_t helper_msg_pull_data(uint64_t ctx, uint64_t start, uint64_t end, uint64_t flags,
				     uint64_t r5)
{
	return (uint64_t)-EINVAL;
}

static uint64_t helper_msg_push_data(uint64_t ctx, uint64_t start, uint64_t len, uint64_t flags,
				     uint64_t r5)
{
	return !flags && !(uint32_t)len ? 0 : (uint64_t)-EINVAL;
}

/* Program types (progtypes: helpers_added): set_tunnel_key tc and
 * lwt_xmit; setsockopt sock_ops and sock_addr (bpf_sock_ops_setsockopt
 * and bpf_sock_addr_setsockopt: the context, not a BTF socket);
 * the sysctl ones cgroup_sysctl; the msg_*_data ones sk_msg. */
const struct helper_proto helper_protos_net_state[] = {
	{ .id = BPF_FUNC_skb_set_tunnel_key, .name = "bpf_skb_set_tunnel_key",
	  .fn = helper_skb_set_tunnel_key,
	  .args = { ARG_PTR_TO_CTX, ARG_PTR_TO_MEM, ARG_CONST_SIZE, ARG_ANYTHING } },
	{ .id = BPF_FUNC_setsockopt, .name = "bpf_setsockopt", .fn = helper_setsockopt,
	  .args = { ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_PTR_TO_MEM, ARG_CONST_SIZE } },
	{ .id = BPF_FUNC_sysctl_get_name, .name = "bpf_sysctl_get_name",
	  .fn = helper_sysctl_get_name,
	  .args = { ARG_PTR_TO_CTX, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE, ARG_ANYTHING } },
	{ .id = BPF_FUNC_sysctl_get_current_value, .name = "bpf_sysctl_get_current_value",
	  .fn = helper_sysctl_get_name,
	  .args = { ARG_PTR_TO_CTX, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE } },
	{ .id = BPF_FUNC_sysctl_get_new_value, .name = "bpf_sysctl_get_new_value",
	  .fn = helper_sysctl_get_name,
	  .args = { ARG_PTR_TO_CTX, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE } },
	{ .id = BPF_FUNC_sysctl_set_new_value, .name = "bpf_sysctl_set_new_value",
	  .fn = helper_sysctl_set_new_value,
	  .args = { ARG_PTR_TO_CTX, ARG_PTR_TO_MEM, ARG_CONST_SIZE } },
	{ .id = BPF_FUNC_msg_pull_data, .name = "bpf_msg_pull_data", .fn = helper_msg_pull_data,
	  .args = { ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING } },
	{ .id = BPF_FUNC_msg_push_data, .name = "bpf_msg_push_data", .fn = helper_msg_push_data,
	  .args = { ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING } },
	{ .id = BPF_FUNC_msg_pop_data, .name = "bpf_msg_pop_data", .fn = helper_msg_pull_data,
	  .args = { ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING } },
	{ 0 },
};
