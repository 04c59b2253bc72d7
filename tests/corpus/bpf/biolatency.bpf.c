// SPDX-License-Identifier: GPL-2.0
/* biolatency: the request's issue time in a hash keyed by the request
 * pointer, a log2 histogram per disk at completion; tp_btf arguments read
 * both directly and with CO-RE. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define MAX_SLOTS 27

struct hist_key {
	u32 dev;
	u32 cmd_flags;
};

struct hist {
	u32 slots[MAX_SLOTS];
};

const volatile bool targ_per_disk = false;
const volatile bool targ_per_flag = false;
const volatile bool targ_queued = false;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct request *);
	__type(value, u64);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct hist_key);
	__type(value, struct hist);
} hists SEC(".maps");

static struct hist initial_hist;

static int trace_rq_start(struct request *rq, bool insert)
{
	u64 ts;

	if (insert != targ_queued)
		return 0;
	ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&start, &rq, &ts, 0);
	return 0;
}

SEC("tp_btf/block_rq_insert")
int BPF_PROG(block_rq_insert, struct request *rq)
{
	return trace_rq_start(rq, true);
}

SEC("tp_btf/block_rq_issue")
int BPF_PROG(block_rq_issue, struct request *rq)
{
	return trace_rq_start(rq, false);
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(block_rq_complete, struct request *rq, int error, unsigned int nr_bytes)
{
	struct hist_key hkey = {};
	struct hist *histp;
	u64 slot, *tsp, ts = bpf_ktime_get_ns();
	s64 delta;

	tsp = bpf_map_lookup_elem(&start, &rq);
	if (!tsp)
		return 0;
	delta = (s64)(ts - *tsp);
	if (delta < 0)
		goto cleanup;
	if (targ_per_disk) {
		struct gendisk *disk = BPF_CORE_READ(rq, q, disk);

		hkey.dev = disk ? ((u32)BPF_CORE_READ(disk, major) << 20) |
					  BPF_CORE_READ(disk, first_minor) : 0;
	}
	if (targ_per_flag)
		hkey.cmd_flags = rq->cmd_flags;
	histp = bpf_map_lookup_elem(&hists, &hkey);
	if (!histp) {
		bpf_map_update_elem(&hists, &hkey, &initial_hist, 0);
		histp = bpf_map_lookup_elem(&hists, &hkey);
		if (!histp)
			goto cleanup;
	}
	delta /= 1000U;
	slot = 0;
	while (delta > 1 && slot < MAX_SLOTS - 1) {
		delta >>= 1;
		slot++;
	}
	__sync_fetch_and_add(&histp->slots[slot], 1);
cleanup:
	bpf_map_delete_elem(&start, &rq);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
