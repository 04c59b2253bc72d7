/* LSM hooks as the kernel's bpf_lsm.c sorts them: a bool hook returns 0 or
 * 1, the others 0 or an errno; some hooks take no BPF program at all.
 * Loaded one program at a time (test_selftest_findings.c). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char _license[] SEC("license") = "GPL";

SEC("lsm/audit_rule_known")
int bool_hook_says_yes(void *ctx)
{
	return 1;
}

SEC("lsm/audit_rule_known")
int bool_hook_returns_an_errno(void *ctx)
{
	return -1;
}

SEC("lsm/file_mprotect")
int errno_hook_returns_an_errno(void *ctx)
{
	return -1;
}

SEC("lsm/getprocattr")
int disabled_hook(void *ctx)
{
	return 0;
}
