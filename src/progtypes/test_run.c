/* BPF_PROG_TEST_RUN: the public entry, the repeat loop that every type's test
 * run uses, and the copies in and out that they share (net/bpf/test_run.c:
 * bpf_test_run, bpf_ctx_init, bpf_test_finish, bpf_ctx_finish). */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/opts.h"
#include "engine/prog.h"
#include "engine/run_ctx.h"
#include "engine/vcpu.h"
#include "progtypes/progtype.h"
#include "progtypes/test_run.h"

/* The time a test run measures. The kernel's duration leaves out the time
 * its loop gave the CPU away (bpf_test_timer_continue stops the clock
 * around cond_resched), so a repeated run's figure does not count other
 * processes: the thread's CPU time is user space's nearest equivalent. It
 * is a system call (no vDSO), so a single run, which programs driven one
 * event at a time make, reads the monotonic clock instead. */
static uint64_t test_run_now_ns(uint32_t repeat)
{
	struct timespec ts;

	clock_gettime(repeat > 1 ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* As the kernel, nothing is reset between repeats: a program that changes
 * the packet or the context sees its own changes on the next run (the
 * kernel's bpf_test_run() runs the same skb / xdp_buff `repeat` times). The
 * repeats hold one vCPU, as the kernel's loop stays on its CPU, and let
 * grace periods end between them, as it lets RCU. */
int progtype_test_run_repeat(struct bpfvm_prog *prog, void *ctx,
			     struct bpfvm_test_run_opts *opts)
{
	uint32_t repeat = opts->repeat > 0 ? (uint32_t)opts->repeat : 1;
	int cpu = (opts->flags & BPF_F_TEST_RUN_ON_CPU) ? (int)opts->cpu : -1;
	uint64_t start, spent, retval = 0;
	struct vcpu_hold hold;
	struct run_ctx run;
	int err;

	err = vcpu_enter(prog->vm, cpu, &hold);
	if (err)
		return err;
	run = (struct run_ctx){
		.ctx = ctx, .cpu = hold.cpu, .checked = opts->checked, .hold = &hold,
	};
	start = test_run_now_ns(repeat);
	err = run_prog(prog, &run, repeat, &retval);
	spent = (test_run_now_ns(repeat) - start) / repeat;
	vcpu_exit(prog->vm, &hold);
	if (err)
		return err;
	opts->retval = (uint32_t)retval;
	opts->duration = spent > UINT32_MAX ? UINT32_MAX : (uint32_t)spent;
	return 0;
}

int test_run_ctx_in(const struct bpfvm_prog *prog, const struct bpfvm_test_run_opts *opts,
		    void *ctx, uint32_t uapi_size)
{
	const uint8_t *in = opts->ctx_in;

	if (!opts->ctx_in && !opts->ctx_out)
		return 0;
	memset(ctx, 0, uapi_size);
	if (!in)
		return 1;
	for (uint32_t i = uapi_size; i < opts->ctx_size_in; i++) {
		if (in[i]) {
			vm_error("%s: ctx_in: byte %u past the %u-byte context is not zero",
				 prog->name, i, uapi_size);
			return -E2BIG;
		}
	}
	memcpy(ctx, in, opts->ctx_size_in < uapi_size ? opts->ctx_size_in : uapi_size);
	return 1;
}

int test_run_data_out(const struct bpfvm_prog *prog, struct bpfvm_test_run_opts *opts,
		      const uint8_t *data, uint32_t size)
{
	uint32_t copy = size;
	int err = 0;

	if (opts->data_out && copy > opts->data_size_out) {
		vm_error("%s: data_out: the packet has %u bytes, the buffer %u", prog->name,
			 size, opts->data_size_out);
		copy = opts->data_size_out;
		err = -ENOSPC;
	}
	if (opts->data_out)
		memcpy(opts->data_out, data, copy);
	opts->data_size_out = size;
	return err;
}

int test_run_ctx_out(const struct bpfvm_prog *prog, struct bpfvm_test_run_opts *opts,
		     const void *ctx, uint32_t uapi_size)
{
	uint32_t copy = uapi_size;
	int err = 0;

	if (!opts->ctx_out)
		return 0;
	if (copy > opts->ctx_size_out) {
		vm_error("%s: ctx_out: the context has %u bytes, the buffer %u", prog->name,
			 uapi_size, opts->ctx_size_out);
		copy = opts->ctx_size_out;
		err = -ENOSPC;
	}
	memcpy(opts->ctx_out, ctx, copy);
	opts->ctx_size_out = uapi_size;
	return err;
}

static int test_run_check(const struct bpfvm_prog *prog, const struct bpfvm_test_run_opts *opts)
{
	if (!prog || !opts) {
		vm_error("bpfvm_prog_test_run: NULL argument");
		return -EINVAL;
	}
	if (!opts_valid(opts, sizeof(*opts))) {
		vm_error("%s: bpfvm_prog_test_run: invalid opts (sz %zu, or unknown fields set)",
			 prog->name, opts->sz);
		return -EINVAL;
	}
	if (!prog->loaded) {
		vm_error("%s: the program is not loaded", prog->name);
		return -EINVAL;
	}
	if ((!opts->data_in && opts->data_size_in) || (!opts->ctx_in && opts->ctx_size_in)) {
		vm_error("%s: bpfvm_prog_test_run: %s is NULL with a non-zero size", prog->name,
			 (!opts->data_in && opts->data_size_in) ? "data_in" : "ctx_in");
		return -EINVAL;
	}
	if (!prog->progtype->test_run) {
		vm_error("%s: program type '%s' has no test run", prog->name,
			 prog->progtype->name);
		return -ENOTSUP;
	}
	return 0;
}

/* A caller built against an older header has a shorter struct: work on a
 * full copy and hand back only the fields the caller has. */
int bpfvm_prog_test_run(struct bpfvm_prog *prog, struct bpfvm_test_run_opts *opts)
{
	struct bpfvm_test_run_opts full = { 0 };
	size_t size;
	int err;

	err = test_run_check(prog, opts);
	if (err)
		return err;
	size = opts->sz < sizeof(full) ? opts->sz : sizeof(full);
	memcpy(&full, opts, size);
	full.sz = sizeof(full);
	err = prog->progtype->test_run(prog, &full);
	full.sz = opts->sz;
	memcpy(opts, &full, size);
	return err;
}
