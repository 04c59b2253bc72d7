/* See object_verdict.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "../testlib.h"
#include "object_verdict.h"
#include "verdict_kernel.h"

static char kernel_log[1 << 20];

int object_verdict_kernel(const char *path, const char *name, char *buf, size_t size)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *prog;
	int err;

	if (!obj) {
		snprintf(buf, size, "open: %s", strerror(errno));
		return -1;
	}
	prog = bpf_object__find_program_by_name(obj, name);
	if (!prog) {
		bpf_object__close(obj);
		snprintf(buf, size, "no program %s", name);
		return -1;
	}
	kernel_log[0] = 0;
	bpf_program__set_autoload(prog, true);
	bpf_program__set_log_buf(prog, kernel_log, sizeof(kernel_log));
	bpf_program__set_log_level(prog, 1);
	err = bpf_object__load(obj);
	bpf_object__close(obj);
	if (!err)
		return 0;
	if (!strstr(kernel_log, "processed ")) {
		snprintf(buf, size, "load: %d without a verifier log", err);
		return -1;
	}
	verdict_log_reason(kernel_log, buf, size);
	return 1;
}

const char *object_verdict_bpfvm(struct bpfvm *vm, const char *path, const char *name, char *buf,
				 size_t size)
{
	struct bpfvm_object *obj;
	struct bpfvm_prog *prog = NULL;
	int err = bpfvm_object_open(vm, path, NULL, &obj);

	if (err) {
		snprintf(buf, size, "open: %s", bpfvm_errmsg());
		return buf;
	}
	for (size_t i = 0; i < bpfvm_object_prog_cnt(obj); i++)
		if (strcmp(bpfvm_prog_name(bpfvm_object_prog(obj, i)), name) == 0)
			prog = bpfvm_object_prog(obj, i);
	err = prog ? bpfvm_object_autoload_only(obj, prog) : -ENOENT;
	if (!err)
		err = bpfvm_object_load(obj);
	bpfvm_object_close(obj);
	if (!err)
		return NULL;
	snprintf(buf, size, "%s", prog ? bpfvm_errmsg() : "no such program");
	return buf;
}

bool object_verdict_says(const char *want, const char *got)
{
	if (!want || !got)
		return !want && !got;
	return strstr(got, want) != NULL;
}

void object_verdict_run(struct bpfvm *vm, const char *path, const struct object_case *cases,
			size_t cnt)
{
	bool kernel = verdict_kernel_usable();
	char kbuf[1024], vbuf[4096];

	if (!kernel)
		printf("note: kernel bpf() not usable, comparing with the recorded reasons only\n");
	for (size_t i = 0; i < cnt; i++) {
		const char *want = cases[i].reason, *prog = cases[i].prog;
		const char *b = object_verdict_bpfvm(vm, path, prog, vbuf, sizeof(vbuf));

		testlib_check(prog, object_verdict_says(want, b), "bpfvm: %s | want: %s",
			      b ? b : "(accepted)", want ? want : "(accepted)");
		if (kernel) {
			int k = object_verdict_kernel(path, prog, kbuf, sizeof(kbuf));
			const char *kr = k ? kbuf : NULL;

			testlib_check(prog, k >= 0 && object_verdict_says(want, kr),
				      "kernel: %s | want: %s", k ? kbuf : "(accepted)",
				      want ? want : "(accepted)");
		}
	}
}
