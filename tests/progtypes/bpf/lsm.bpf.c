/* BPF_PROG_TYPE_LSM: a hook's arguments and the previous programs' verdict
 * (file_open(struct file *file): the argument, then the return value). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ctx_read.h"

SEC("lsm/file_open")
int lsm_file_open(__u64 *ctx)
{
	READ_PTR(ctx[0]);
	READ(ctx[1]);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
