/* Seed 001 (tail calls in libbpf programs), written out: a
 * raw_tracepoint/sys_enter program dispatches on the syscall number
 * (args[1]) through a 1024-slot PROG_ARRAY initialised with
 * [268] = enter_fchmodat; other numbers fall through and print. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int enter_fchmodat(struct bpf_raw_tracepoint_args *ctx);
int enter_openat(struct bpf_raw_tracepoint_args *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 1024);
	__array(values, int(void *));
} tail_jmp_map SEC(".maps") = {
	.values = {
		[257] = (void *)&enter_openat,
		[268] = (void *)&enter_fchmodat,
	},
};

__u64 calls_seen;

SEC("raw_tracepoint/sys_enter")
int enter_fchmodat(struct bpf_raw_tracepoint_args *ctx)
{
	calls_seen++;
	return 1000 + (int)ctx->args[1];
}

SEC("raw_tracepoint/sys_enter")
int enter_openat(struct bpf_raw_tracepoint_args *ctx)
{
	/* args[0] is the pt_regs pointer in a real sys_enter; here a number. */
	return 2000 + (int)(ctx->args[0] & 0xff);
}

SEC("raw_tracepoint/sys_enter")
int raw_tracepoint__sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 syscall_id = ctx->args[1];

	bpf_tail_call(ctx, &tail_jmp_map, syscall_id);

	char fmt[] = "no bpf program for syscall %d\n";
	bpf_trace_printk(fmt, sizeof(fmt), syscall_id);
	return 0;
}

char _license[] SEC("license") = "GPL";
