/* Safe, and shaped like the selftests' pyperf600_nounroll, which the kernel
 * verifies in about 540,000 instructions: a loop that is not unrolled walks
 * a chain of user-space records, each iteration reading into the stack with
 * bpf_probe_read_user, branching on what it read, looking a key up (and
 * adding it when missing), comparing it with a counter and storing at the
 * iteration's index of a map value. Every iteration's counter is precise (it bounds the loop and
 * indexes the value), so iterations never prune each other: what keeps the
 * count down is that the paths inside one iteration prune each other where
 * they join. That needs the kernel's prune points (the target of a
 * conditional jump too), liveness that reads only the arguments a helper's
 * prototype names (a left-over r3 before bpf_map_lookup_elem), a spilled
 * scalar covering a slot a helper wrote, and checkpoints inside a loop that
 * the comparisons with other iterations do not evict. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define RECORDS 150

struct record {
	__u64 next;
	__u64 code;
	__u64 name;
};

struct symbol {
	char name[32];
	char file[32];
};

struct walk {
	__u32 len;
	__u32 ids[RECORDS];
	__u32 hits;
	__u8 complete;
	__u8 same_thread;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct walk);
} walks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct symbol);
	__type(value, __u32);
} symbols SEC(".maps");

static __always_inline int read_record(__u64 at, struct record *rec, struct symbol *sym)
{
	bpf_probe_read_user(&rec->next, sizeof(rec->next), (void *)at);
	bpf_probe_read_user(&rec->code, sizeof(rec->code), (void *)(at + 8));
	if (!rec->code)
		return 0;
	bpf_probe_read_user(&rec->name, sizeof(rec->name), (void *)(rec->code + 16));
	if (rec->name)
		bpf_probe_read_user_str(sym->name, sizeof(sym->name), (void *)rec->name);
	if (rec->code & 1)
		bpf_probe_read_user_str(sym->file, sizeof(sym->file), (void *)(rec->code + 24));
	return 1;
}

SEC("raw_tracepoint/sys_enter")
int walk_records(void *ctx)
{
	__u64 at = bpf_get_current_pid_tgid();
	struct symbol sym = {};
	struct record rec;
	struct walk *walk;
	__u32 cpu = bpf_get_smp_processor_id();
	__u32 zero = 0;

	walk = bpf_map_lookup_elem(&walks, &zero);
	if (!walk)
		return 0;
	walk->same_thread = (at >> 32) == (__u32)at;
#pragma clang loop unroll(disable)
	for (int i = 0; i < RECORDS; i++) {
		if (at && read_record(at, &rec, &sym)) {
			__u32 *id = bpf_map_lookup_elem(&symbols, &sym);

			if (!id) {
				bpf_map_update_elem(&symbols, &sym, &zero, BPF_ANY);
				id = bpf_map_lookup_elem(&symbols, &sym);
				if (!id)
					return 0;
			}
			if (*id == walk->len * 64 + cpu)
				walk->hits++;
			walk->ids[i] = *id;
			walk->len = i + 1;
			at = rec.next;
		}
	}
	walk->complete = at == 0;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
