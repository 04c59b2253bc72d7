/* Helper calls in BPF C compiled by clang (tests/verifier/progs): callbacks'
 * return values, ring buffer records on every path, bpf_spin_lock regions,
 * program return values. Each object is loaded by bpfvm and, when bpf() is
 * usable, by the kernel through libbpf; both must give the same verdict, and
 * refusals the expected reason (the kernel's last log line before
 * "processed N insns"; bpfvm's message ends with it). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "../testlib.h"
#include "verdict_kernel.h"

static const struct {
	const char *object;
	const char *reason; /* NULL: accepted */
} cases[] = {
	{ "loop_callback_ok", NULL },
	{ "loop_callback_returns_2",
	  "At callback return the register R0 has smin=2 smax=2 should have been in [0, 1]" },
	{ "for_each_callback_returns_2",
	  "At callback return the register R0 has smin=2 smax=2 should have been in [0, 1]" },
	{ "ringbuf_ok", NULL },
	{ "helper_ringbuf_leak", "BPF_EXIT instruction in main prog would lead to reference leak" },
	{ "spin_lock_ok", NULL },
	{ "spin_lock_call_inside", "function calls are not allowed while holding a lock" },
	{ "helper_cgroup_skb_returns_2",
	  "At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]" },
};

static char libbpf_log[1 << 20];
static size_t libbpf_len;

static int keep_libbpf_message(enum libbpf_print_level level, const char *fmt, va_list args)
{
	int n;

	if (level == LIBBPF_DEBUG || libbpf_len >= sizeof(libbpf_log) - 1)
		return 0;
	n = vsnprintf(libbpf_log + libbpf_len, sizeof(libbpf_log) - libbpf_len, fmt, args);
	if (n > 0)
		libbpf_len += (size_t)n;
	if (libbpf_len > sizeof(libbpf_log) - 1)
		libbpf_len = sizeof(libbpf_log) - 1;
	return 0;
}

/* -1: the kernel could not be asked; 0 accepted; 1 refused (reason in buf). */
static int kernel_verdict(const char *path, char *buf, size_t size)
{
	struct bpf_object *obj;
	int err;

	libbpf_len = 0;
	libbpf_log[0] = 0;
	libbpf_set_print(keep_libbpf_message);
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		snprintf(buf, size, "open: %s", strerror(errno));
		return -1;
	}
	err = bpf_object__load(obj);
	bpf_object__close(obj);
	if (!err)
		return 0;
	if (!strstr(libbpf_log, "processed "))
		snprintf(buf, size, "load: %d without a verifier log", err);
	else
		verdict_log_reason(libbpf_log, buf, size);
	return 1;
}

static bool kernel_usable(void)
{
	char buf[256];

	return kernel_verdict(BPFVM_HELPER_OBJDIR "/loop_callback_ok.bpf.o", buf, sizeof(buf)) == 0;
}

/* bpfvm's reason (the last line of its message), or NULL if it loaded. */
static const char *bpfvm_verdict(struct bpfvm *vm, const char *path, char *buf, size_t size)
{
	struct bpfvm_object *obj;
	const char *msg;
	int err = bpfvm_object_open(vm, path, NULL, &obj);

	if (!err) {
		err = bpfvm_object_load(obj);
		bpfvm_object_close(obj);
	}
	if (!err)
		return NULL;
	msg = bpfvm_errmsg();
	if (strrchr(msg, '\n'))
		msg = strrchr(msg, '\n') + 1;
	snprintf(buf, size, "%s", msg);
	return buf;
}

static bool says(const char *want, const char *got)
{
	if (!want || !got)
		return !want && !got;
	return strstr(got, want) != NULL;
}

int main(void)
{
	struct bpfvm *vm = testlib_vm_create();
	bool kernel = kernel_usable();
	char path[512], kbuf[1024], vbuf[2048];

	if (!kernel)
		printf("note: kernel bpf() not usable, comparing with the recorded reasons only\n");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *b;

		snprintf(path, sizeof(path), "%s/%s.bpf.o", BPFVM_HELPER_OBJDIR, cases[i].object);
		b = bpfvm_verdict(vm, path, vbuf, sizeof(vbuf));
		testlib_check(cases[i].object, says(cases[i].reason, b), "bpfvm: %s | want: %s",
			      b ? b : "(accepted)", cases[i].reason ? cases[i].reason : "(accepted)");
		if (kernel) {
			int k = kernel_verdict(path, kbuf, sizeof(kbuf));

			testlib_check(cases[i].object,
				      k >= 0 && says(cases[i].reason, k ? kbuf : NULL),
				      "kernel: %s | want: %s", k ? kbuf : "(accepted)",
				      cases[i].reason ? cases[i].reason : "(accepted)");
		}
	}
	bpfvm_destroy(vm);
	return testlib_summary();
}
