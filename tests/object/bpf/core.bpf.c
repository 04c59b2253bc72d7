/* A CO-RE relocation: needs the running kernel's BTF. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_like {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

SEC("raw_tp/sys_enter")
int uses_core(struct task_like *task)
{
	return BPF_CORE_READ(task, tgid);
}

char LICENSE[] SEC("license") = "GPL";
