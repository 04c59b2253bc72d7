/* BPF_PROG_TYPE_XDP: struct xdp_md over struct xdp_ctx (layout in xdp.h),
 * the kernel's access rules (net/core/filter.c: xdp_is_valid_access) and
 * its test run (net/bpf/test_run.c: bpf_prog_test_run_xdp). */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "engine/prog.h"
#include "helpers/helper_proto.h"
#include "progtypes/progtype.h"
#include "progtypes/test_run.h"
#include "progtypes/xdp.h"

#define XDP_LOOPBACK_IFINDEX 1u

/* Every xdp_md field is 4 bytes, read whole (no narrow loads); programs
 * never write (only offloaded programs may write rx_queue_index). */
static int xdp_ctx_access(const struct bpfvm_prog *prog, int32_t off, uint32_t size,
			  bool is_write, struct ctx_rewrite *rewrite)
{
	static const struct ctx_rewrite fields[] = {
		{ .off = offsetof(struct xdp_ctx, data), .size = BPF_DW,
		  .kind = CTX_FIELD_PACKET },
		{ .off = offsetof(struct xdp_ctx, data_end), .size = BPF_DW,
		  .kind = CTX_FIELD_PACKET_END },
		{ .off = offsetof(struct xdp_ctx, data_meta), .size = BPF_DW,
		  .kind = CTX_FIELD_PACKET_META },
		{ .off = offsetof(struct xdp_ctx, ingress_ifindex), .size = BPF_W,
		  .kind = CTX_FIELD_SCALAR },
		{ .off = offsetof(struct xdp_ctx, rx_queue_index), .size = BPF_W,
		  .kind = CTX_FIELD_SCALAR },
		{ .off = offsetof(struct xdp_ctx, egress_ifindex), .size = BPF_W,
		  .kind = CTX_FIELD_SCALAR },
	};
	bool ok = off >= 0 && off < (int32_t)sizeof(struct xdp_md) && size == 4 && off % 4 == 0 &&
		  !is_write;

	/* egress_ifindex exists only for programs run from a devmap. */
	if (off == offsetof(struct xdp_md, egress_ifindex) &&
	    prog->expected_attach_type != BPF_XDP_DEVMAP)
		ok = false;
	if (!ok) {
		vm_error("%s: invalid bpf_context access off=%d size=%u%s", prog->name, off, size,
			 is_write ? " (write)" : "");
		return -EACCES;
	}
	*rewrite = fields[off / 4];
	return 0;
}

/* xdp_convert_md_to_buff(): the device and queue a ctx_in names. bpfvm has
 * one device, the loopback (ifindex 1) with one receive queue. */
static int xdp_ctx_in_check(const struct bpfvm_prog *prog, const struct xdp_md *md,
			    uint32_t size)
{
	if (md->data_meta || md->data_end > size || md->data > md->data_end ||
	    xdp_metalen_invalid(md->data)) {
		vm_error("%s: ctx_in: xdp_md needs data_meta 0, data_end at most the packet size "
			 "(%u) and data the metadata length (a multiple of 4, at most 252)",
			 prog->name, size);
		return -EINVAL;
	}
	/* Since Linux 6.18 data_end is the size of the linear part, the rest
	 * of data_in going to fragments (ctx_out alone gives data_end 0). */
	if (md->data_end < size) {
		vm_error("%s: ctx_in: xdp_md.data_end %u below the packet size %u asks for a "
			 "multi-buffer packet, which bpfvm does not support", prog->name,
			 md->data_end, size);
		return -ENOTSUP;
	}
	if (md->egress_ifindex || (!md->ingress_ifindex && md->rx_queue_index)) {
		vm_error("%s: ctx_in: xdp_md.egress_ifindex must be 0, and rx_queue_index "
			 "needs an ingress_ifindex", prog->name);
		return -EINVAL;
	}
	if (md->ingress_ifindex && md->ingress_ifindex != XDP_LOOPBACK_IFINDEX) {
		vm_error("%s: ctx_in: no device with ifindex %u (bpfvm has only the loopback, 1)",
			 prog->name, md->ingress_ifindex);
		return -ENODEV;
	}
	if (md->rx_queue_index) {
		vm_error("%s: ctx_in: the loopback has one receive queue, not %u", prog->name,
			 md->rx_queue_index + 1);
		return -EINVAL;
	}
	return 0;
}

static int xdp_check_opts(const struct bpfvm_prog *prog, const struct bpfvm_test_run_opts *opts)
{
	if (prog->expected_attach_type == BPF_XDP_DEVMAP ||
	    prog->expected_attach_type == BPF_XDP_CPUMAP) {
		vm_error("%s: devmap and cpumap XDP programs have no test run", prog->name);
		return -EINVAL;
	}
	if (opts->flags & ~BPF_F_TEST_XDP_LIVE_FRAMES) {
		vm_error("%s: test run flags 0x%x are not valid for XDP", prog->name, opts->flags);
		return -EINVAL;
	}
	if (opts->flags & BPF_F_TEST_XDP_LIVE_FRAMES) {
		vm_error("%s: BPF_F_TEST_XDP_LIVE_FRAMES is not supported by bpfvm", prog->name);
		return -ENOTSUP;
	}
	return 0;
}

/* Lays the packet out in the frame (picture in xdp.h). With a ctx_in, its
 * first md->data bytes are metadata, placed below the packet. */
static int xdp_build(const struct bpfvm_prog *prog, const struct bpfvm_test_run_opts *opts,
		     const struct xdp_md *md, uint8_t *frame, struct xdp_ctx *xdp)
{
	uint32_t headroom = XDP_PACKET_HEADROOM - (md ? md->data : 0);
	uint32_t max_size = XDP_FRAME_SIZE - headroom - XDP_TAILROOM;
	uint32_t size = opts->data_size_in;

	if (size > max_size) {
		vm_error("%s: a packet of %u bytes does not fit one %u-byte XDP frame "
			 "(multi-buffer packets are not supported by bpfvm)",
			 prog->name, size, max_size);
		return -ENOTSUP;
	}
	if (size < XDP_ETH_HLEN) {
		vm_error("%s: data_in of %u bytes is shorter than an Ethernet header", prog->name,
			 size);
		return -EINVAL;
	}
	memcpy(frame + headroom, opts->data_in, size);
	*xdp = (struct xdp_ctx){
		.data_hard_start = frame,
		.data_meta = frame + headroom,
		.data = frame + headroom + (md ? md->data : 0),
		.data_end = frame + headroom + size,
		.frame_sz = XDP_FRAME_SIZE,
		.ingress_ifindex = XDP_LOOPBACK_IFINDEX,
	};
	return 0;
}

static int xdp_test_run(struct bpfvm_prog *prog, struct bpfvm_test_run_opts *opts)
{
	struct xdp_md md;
	struct xdp_ctx xdp;
	uint8_t *frame;
	int has_ctx, err;

	err = xdp_check_opts(prog, opts);
	if (err)
		return err;
	has_ctx = test_run_ctx_in(prog, opts, &md, sizeof(md));
	if (has_ctx < 0)
		return has_ctx;
	if (has_ctx) {
		err = xdp_ctx_in_check(prog, &md, opts->data_size_in);
		if (err)
			return err;
	}
	frame = calloc(1, XDP_FRAME_SIZE);
	if (!frame) {
		vm_error("%s: out of memory for the XDP frame", prog->name);
		return -ENOMEM;
	}
	err = xdp_build(prog, opts, has_ctx ? &md : NULL, frame, &xdp);
	if (!err)
		err = progtype_test_run_repeat(prog, &xdp, opts);
	if (!err) {
		/* xdp_convert_buff_to_md(): offsets from the metadata start. */
		md.data = (uint32_t)(xdp.data - xdp.data_meta);
		md.data_end = (uint32_t)(xdp.data_end - xdp.data_meta);
		err = test_run_data_out(prog, opts, xdp.data_meta,
					(uint32_t)(xdp.data_end - xdp.data_meta));
	}
	if (!err && has_ctx)
		err = test_run_ctx_out(prog, opts, &md, sizeof(md));
	free(frame);
	return err;
}

/* bpf_xdp_event_output's bytes: the packet from data to data_end (the
 * kernel also copies fragments; bpfvm's frames have none beyond data_end
 * when a helper runs). */
static void xdp_event_packet(void *ctx, const uint8_t **data, uint64_t *len)
{
	const struct xdp_ctx *xdp = ctx;

	*data = xdp->data;
	*len = (uint64_t)(xdp->data_end - xdp->data);
}

/* xdp_func_proto: the FIB lookup. */
static const uint32_t xdp_added[] = { BPF_FUNC_fib_lookup, 0 };

const struct progtype progtype_xdp = {
	.type = BPF_PROG_TYPE_XDP,
	.name = "xdp",
	.helper_families = HELPER_FAMILY_ANY | HELPER_FAMILY_XDP | HELPER_FAMILY_SK_LOOKUP,
	.helpers_added = xdp_added,
	.ctx_size = sizeof(struct xdp_md),
	.ctx_access = xdp_ctx_access,
	.ret_checked = false,
	.legacy_packet = NULL,
	.event_packet = xdp_event_packet,
	.test_run = xdp_test_run,
};
