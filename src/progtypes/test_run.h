/* Building blocks that every type's test run shares, after the kernel's
 * net/bpf/test_run.c: copying ctx_in in, and the packet and the context out. */
#ifndef BPFVM_PROGTYPES_TEST_RUN_H
#define BPFVM_PROGTYPES_TEST_RUN_H

#include <stdint.h>

#include "bpfvm/bpfvm.h"

/* The kernel's bpf_ctx_init(): when the caller gives ctx_in or ctx_out,
 * fills `ctx` (uapi_size bytes) with ctx_in (zeros past ctx_size_in) and
 * returns 1; returns 0 when neither is given. A ctx_in longer than the
 * UAPI struct must be zero past it: -E2BIG otherwise, as
 * bpf_check_uarg_tail_zero(). */
int test_run_ctx_in(const struct bpfvm_prog *prog, const struct bpfvm_test_run_opts *opts,
		    void *ctx, uint32_t uapi_size);

/* The kernel's bpf_test_finish(): copies `size` bytes of packet to data_out
 * (at most data_size_out; -ENOSPC when cut) and sets data_size_out. */
int test_run_data_out(const struct bpfvm_prog *prog, struct bpfvm_test_run_opts *opts,
		      const uint8_t *data, uint32_t size);

/* The kernel's bpf_ctx_finish(): copies the UAPI context to ctx_out (at
 * most ctx_size_out; -ENOSPC when cut) and sets ctx_size_out. */
int test_run_ctx_out(const struct bpfvm_prog *prog, struct bpfvm_test_run_opts *opts,
		     const void *ctx, uint32_t uapi_size);

#endif
