/* Runs (kdiff.h): an input made from a seed, a test run in bpfvm (the
 * kernel's is in kdiff_kernel.c), two results compared.
 *
 * The context holds only what the kernel's BPF_PROG_TEST_RUN accepts from
 * user space: for XDP data_end equal to the packet's size and the loopback
 * device (ifindex 1, queue 0); for tc the mark, the priority and cb[], every
 * other field zero (convert___skb_to_skb in net/bpf/test_run.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <linux/bpf.h>

#include "kdiff.h"

static void make_ctx(struct fuzz_rng *rng, enum bpf_prog_type type, struct kdiff_input *in)
{
	memset(in->ctx, 0, sizeof(in->ctx));
	in->ctx_size = 0;
	if (type == BPF_PROG_TYPE_XDP) {
		struct xdp_md *md = (struct xdp_md *)in->ctx;

		md->data_end = in->size;
		md->ingress_ifindex = 1;
		in->ctx_size = sizeof(*md);
	} else if (type == BPF_PROG_TYPE_SCHED_CLS || type == BPF_PROG_TYPE_SCHED_ACT) {
		struct __sk_buff *skb = (struct __sk_buff *)in->ctx;

		skb->mark = (uint32_t)fuzz_next(rng);
		skb->priority = (uint32_t)fuzz_next(rng);
		for (int i = 0; i < 5; i++)
			skb->cb[i] = (uint32_t)fuzz_next(rng);
		in->ctx_size = sizeof(*skb);
	}
}

/* A packet of 14 to 269 bytes, mostly short, shorter than an Ethernet
 * header sometimes (both refuse it: the error is compared). */
void kdiff_make_input(struct fuzz_rng *rng, enum bpf_prog_type type, struct kdiff_input *in)
{
	in->size = 14 + fuzz_below(rng, fuzz_below(rng, 4) ? 256 : 16);
	if (fuzz_below(rng, 32) == 0)
		in->size = fuzz_below(rng, 14);
	emaps_random_bytes(rng, in->data, in->size);
	make_ctx(rng, type, in);
}

void kdiff_bpfvm_run(struct bpfvm_prog *prog, const struct kdiff_input *in,
		     struct kdiff_result *r)
{
	struct bpfvm_test_run_opts opts = { .sz = sizeof(opts), .data_in = in->data,
					    .data_size_in = in->size, .data_out = r->data,
					    .data_size_out = sizeof(r->data) };

	memset(r, 0, sizeof(*r));
	if (in->ctx_size) {
		opts.ctx_in = in->ctx;
		opts.ctx_size_in = in->ctx_size;
		opts.ctx_out = r->ctx;
		opts.ctx_size_out = sizeof(r->ctx);
	}
	r->err = bpfvm_prog_test_run(prog, &opts);
	r->retval = opts.retval;
	r->data_size = opts.data_size_out;
	r->ctx_size = opts.ctx_size_out;
}

/* The first byte where a and b differ, from 0. */
static uint32_t first_difference(const uint8_t *a, const uint8_t *b, uint32_t len)
{
	uint32_t at = 0;

	while (at < len && a[at] == b[at])
		at++;
	return at;
}

bool kdiff_results_equal(const struct kdiff_result *kernel, const struct kdiff_result *vm,
			 char *why, size_t size)
{
	uint32_t data_len = kernel->data_size < KDIFF_DATA_MAX ? kernel->data_size : KDIFF_DATA_MAX;
	uint32_t ctx_len = kernel->ctx_size < KDIFF_CTX_MAX ? kernel->ctx_size : KDIFF_CTX_MAX;

	if (kernel->err != vm->err) {
		snprintf(why, size, "error: kernel %d, bpfvm %d (%s)", kernel->err, vm->err,
			 vm->err ? bpfvm_errmsg() : "");
	} else if (kernel->err) {
		return true; /* nothing else is given back then */
	} else if (kernel->retval != vm->retval) {
		snprintf(why, size, "r0: kernel %#x, bpfvm %#x", kernel->retval, vm->retval);
	} else if (kernel->data_size != vm->data_size) {
		snprintf(why, size, "packet out: kernel %u bytes, bpfvm %u", kernel->data_size,
			 vm->data_size);
	} else if (memcmp(kernel->data, vm->data, data_len)) {
		uint32_t at = first_difference(kernel->data, vm->data, data_len);

		snprintf(why, size, "packet out: byte %u of %u: kernel %02x, bpfvm %02x", at,
			 data_len, kernel->data[at], vm->data[at]);
	} else if (kernel->ctx_size != vm->ctx_size) {
		snprintf(why, size, "context out: kernel %u bytes, bpfvm %u", kernel->ctx_size,
			 vm->ctx_size);
	} else if (memcmp(kernel->ctx, vm->ctx, ctx_len)) {
		uint32_t at = first_difference(kernel->ctx, vm->ctx, ctx_len);

		snprintf(why, size, "context out: byte %u of %u: kernel %02x, bpfvm %02x", at,
			 ctx_len, kernel->ctx[at], vm->ctx[at]);
	} else {
		return true;
	}
	return false;
}
