/* raw_tracepoint/sys_enter programs for the helpers that are not about
 * packets: the current task's ids, trace_printk, snprintf, strncmp, bpf_loop
 * with a callback, for_each_map_elem. A test run passes the context
 * (struct bpf_raw_tracepoint_args) as ctx_in: the tests put the expected
 * tgid and pid in args[0] and args[1], so the program can say whether the
 * helper agrees without storing values that change from run to run. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

enum result_slot {
	RES_TGID_MATCHES,
	RES_PID_MATCHES,
	RES_PRINTK_RET,
	RES_SNPRINTF_RET,
	RES_STRNCMP_EQUAL,
	RES_STRNCMP_LESS,
	RES_STRNCMP_PREFIX,
	RES_LOOP_RET,
	RES_LOOP_SUM,
	RES_FOREACH_RET,
	RES_FOREACH_SUM,
	RES_UID_GID_NONZERO_CALL,
	RES_COUNT
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RES_COUNT);
	__type(key, __u32);
	__type(value, __s64);
} results SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} squares SEC(".maps");

char message[64];			/* .bss: bpf_snprintf writes here */
const char expected_word[] = "bpfvm";	/* .rodata: strncmp's third */
const char later_word[] = "bpfvn";	/* argument is read-only memory */
const char other_prefix[] = "bpx";
const volatile __u32 loop_count = 10;	/* .rodata */

static __always_inline void put(__u32 slot, __s64 value)
{
	bpf_map_update_elem(&results, &slot, &value, BPF_ANY);
}

SEC("raw_tracepoint/sys_enter")
int rawtp_task_ids(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 uid_gid = bpf_get_current_uid_gid();

	put(RES_TGID_MATCHES, (pid_tgid >> 32) == ctx->args[0]);
	put(RES_PID_MATCHES, (__u32)pid_tgid == ctx->args[1]);
	put(RES_UID_GID_NONZERO_CALL, uid_gid != ~0ull);
	return 0;
}

SEC("raw_tracepoint/sys_enter")
int rawtp_strings(struct bpf_raw_tracepoint_args *ctx)
{
	static const char fmt[] = "id %d word %s hex %x";
	__u64 args[3] = { ctx->args[2], (__u64)(long)expected_word, 0xbeef };
	char word[8] = "bpfvm";

	put(RES_PRINTK_RET, bpf_printk("hello from rawtp %d", (int)ctx->args[2]));
	put(RES_SNPRINTF_RET, bpf_snprintf(message, sizeof(message), fmt, args, sizeof(args)));
	put(RES_STRNCMP_EQUAL, bpf_strncmp(word, sizeof(word), expected_word));
	put(RES_STRNCMP_LESS, bpf_strncmp(word, sizeof(word), later_word));
	put(RES_STRNCMP_PREFIX, bpf_strncmp(word, 3, other_prefix));
	return 7;
}

static long add_index(__u32 index, void *ctx)
{
	__u64 *sum = ctx;

	*sum += index * 3;
	return index == 6; /* stop after index 6 */
}

static long sum_squares(void *map, __u32 *key, __u64 *value, void *ctx)
{
	__u64 *sum = ctx;

	*sum += *value + *key;
	return 0;
}

/* A global subprogram with a loop: fills the hash with key -> key^2. */
__noinline int fill_squares(__u32 n)
{
	int filled = 0;

	for (int i = 1; i <= 16; i++) {
		__u32 key = i;
		__u64 square = (__u64)i * i;

		if (key > n)
			break;
		if (bpf_map_update_elem(&squares, &key, &square, BPF_ANY) == 0)
			filled++;
	}
	return filled;
}

SEC("raw_tracepoint/sys_enter")
int rawtp_callbacks(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 loop_sum = 0, map_sum = 0;
	int filled = fill_squares(5);

	put(RES_LOOP_RET, bpf_loop(loop_count, add_index, &loop_sum, 0));
	put(RES_LOOP_SUM, loop_sum);
	put(RES_FOREACH_RET, bpf_for_each_map_elem(&squares, sum_squares, &map_sum, 0));
	put(RES_FOREACH_SUM, map_sum);
	return filled;
}

char LICENSE[] SEC("license") = "GPL";
