/* A hash of counters, each updated under its own bpf_spin_lock. */
#include "helpers_common.h"

struct counter {
	struct bpf_spin_lock lock;
	__u64 packets;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct counter);
} counters SEC(".maps");
