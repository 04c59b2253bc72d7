// SPDX-License-Identifier: GPL-2.0
/* syscount: entry time per thread at raw_syscalls:sys_enter, count and
 * latency per syscall (or per process) at sys_exit, in a hash with a
 * per-CPU array as a zeroed template. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct data_t {
	u64 count;
	u64 total_ns;
	char comm[16];
};

const volatile bool filter_failed = false;
const volatile bool count_by_process = false;
const volatile bool measure_latency = false;
const volatile pid_t filter_pid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, u32);
	__type(value, u64);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, struct data_t);
} data SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct data_t);
} zero_data SEC(".maps");

SEC("tracepoint/raw_syscalls/sys_enter")
int sys_enter(struct trace_event_raw_sys_enter *args)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tid = id;
	u64 ts;

	if (filter_pid && filter_pid != (id >> 32))
		return 0;
	ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&start, &tid, &ts, 0);
	return 0;
}

SEC("tracepoint/raw_syscalls/sys_exit")
int sys_exit(struct trace_event_raw_sys_exit *args)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 pid = id >> 32, tid = id, key, zero = 0;
	struct data_t *val, *tmpl;
	u64 *start_ts, lat = 0;

	if (filter_pid && filter_pid != pid)
		return 0;
	if (filter_failed && args->ret >= 0)
		return 0;
	if (measure_latency) {
		start_ts = bpf_map_lookup_elem(&start, &tid);
		if (!start_ts)
			return 0;
		lat = bpf_ktime_get_ns() - *start_ts;
	}
	key = count_by_process ? pid : args->id;
	val = bpf_map_lookup_elem(&data, &key);
	if (!val) {
		tmpl = bpf_map_lookup_elem(&zero_data, &zero);
		if (!tmpl)
			return 0;
		bpf_map_update_elem(&data, &key, tmpl, BPF_NOEXIST);
		val = bpf_map_lookup_elem(&data, &key);
		if (!val)
			return 0;
		if (count_by_process)
			bpf_get_current_comm(val->comm, sizeof(val->comm));
	}
	__sync_fetch_and_add(&val->count, 1);
	if (measure_latency)
		__sync_fetch_and_add(&val->total_ns, lat);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
