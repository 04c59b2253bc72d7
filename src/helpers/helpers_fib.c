/* bpf_fib_lookup (net/core/filter.c), for XDP and tc: the kernel looks the
 * packet's route up in its FIB and neighbour tables and fills
 * struct bpf_fib_lookup. bpfvm keeps no FIB of its own: it makes the
 * kernel's checks up to the lookup and then answers "not forwarded"
 * (docs/differences.md):
 *
 *   plen under sizeof(struct bpf_fib_lookup), an unknown flag   -EINVAL
 *   a family other than AF_INET or AF_INET6                     -EAFNOSUPPORT
 *   IPv6 link-local, multicast or loopback source or destination NOT_FWDED
 *   no interface params->ifindex (this network namespace)       -ENODEV
 *   forwarding off on it (/proc/sys/net/ipv{4,6}/conf/X)         FWD_DISABLED
 *   otherwise                                                   NOT_FWDED
 *
 * The kernel answers NOT_FWDED for every route that is not unicast (local
 * addresses, broadcast): bpfvm's answer is the kernel's for those, and
 * differs where the kernel would find a unicast route. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/bpf.h>

#include "helpers/helper_proto.h"

#define FIB_LOOKUP_MARK (1U << 5) /* newer than some UAPI headers */
#define FIB_LOOKUP_FLAGS                                                                       \
	(BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_OUTPUT | BPF_FIB_LOOKUP_SKIP_NEIGH |           \
	 BPF_FIB_LOOKUP_TBID | BPF_FIB_LOOKUP_SRC | FIB_LOOKUP_MARK)

/* rt6_need_strict(): multicast, link-local and loopback (::1) addresses. */
static bool ipv6_needs_strict(const uint32_t *addr)
{
	static const uint8_t loopback[16] = { [15] = 1 };
	const uint8_t *b = (const uint8_t *)addr;

	return b[0] == 0xff || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) ||
	       !memcmp(b, loopback, sizeof(loopback));
}

static bool forwarding_on(const char *family, uint32_t ifindex, bool *exists)
{
	char name[IF_NAMESIZE], path[96];
	int value = 0;
	FILE *f;

	*exists = if_indextoname(ifindex, name) != NULL;
	if (!*exists)
		return false;
	snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/forwarding", family, name);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (fscanf(f, "%d", &value) != 1)
		value = 0;
	fclose(f);
	return value != 0;
}

static uint64_t helper_fib_lookup(uint64_t ctx, uint64_t params_ptr, uint64_t plen,
				  uint64_t flags, uint64_t r5)
{
	const struct bpf_fib_lookup *params = (const void *)(uintptr_t)params_ptr;
	const char *family;
	bool exists;

	if ((int32_t)plen < (int32_t)sizeof(*params) || ((uint32_t)flags & ~FIB_LOOKUP_FLAGS))
		return (uint64_t)-EINVAL;
	if (params->family == AF_INET) {
		family = "ipv4";
	} else if (params->family == AF_INET6) {
		if (ipv6_needs_strict(params->ipv6_dst) || ipv6_needs_strict(params->ipv6_src))
			return BPF_FIB_LKUP_RET_NOT_FWDED;
		family = "ipv6";
	} else {
		return (uint64_t)-EAFNOSUPPORT;
	}
	if (!forwarding_on(family, params->ifindex, &exists))
		return exists ? BPF_FIB_LKUP_RET_FWD_DISABLED : (uint64_t)-ENODEV;
	return BPF_FIB_LKUP_RET_NOT_FWDED;
}

/* xdp_func_proto and tc_cls_act_func_proto (progtypes: helpers_added). */
const struct helper_proto helper_protos_fib[] = {
	{ .id = BPF_FUNC_fib_lookup, .name = "bpf_fib_lookup", .fn = helper_fib_lookup,
	  .args = { ARG_PTR_TO_CTX, ARG_PTR_TO_MEM, ARG_CONST_SIZE, ARG_ANYTHING },
	  .gpl_only = true },
	{ 0 },
};
