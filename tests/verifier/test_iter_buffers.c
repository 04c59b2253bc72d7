/* The key and value buffers of the iterators over a map's elements
 * (iter/bpf_map_elem): the key read-only, both NULL at the end of the walk,
 * accessed at constant offsets that are not negative, and the furthest byte
 * of each recorded for the attach, as the kernel's check_buffer_access.
 * Each program of iter/iter_buffers.bpf.c is loaded alone by bpfvm and,
 * when bpf() is usable, by the kernel through libbpf: same verdict, the
 * kernel's words. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "../testlib.h"
#include "engine/prog.h"
#include "object_verdict.h"
#include "verdict_kernel.h"

static const struct {
	const char *prog;
	const char *reason; /* NULL: accepted */
	uint32_t max_rdonly, max_rdwr; /* accepted: the furthest bytes */
} cases[] = {
	{ "iter_ok", NULL, 4, 16 },
	{ "iter_far", NULL, 24, 4096 },
	{ "iter_key_to_a_map_helper", "R2 type=rdonly_buf expected=fp, pkt, pkt_meta, map_key, "
	  "map_value, mem, ringbuf_mem, buf, trusted_ptr_", 0, 0 },
	{ "iter_key_written", "cannot write into rdonly_buf", 0, 0 },
	{ "iter_key_unchecked", "invalid mem access 'rdonly_buf_or_null'", 0, 0 },
	{ "iter_value_before", "invalid rdwr buffer access: off=-1, size=1", 0, 0 },
	{ "iter_value_variable", "invalid variable buffer offset: off=0, var_off=(0x0; 0x7)", 0,
	  0 },
};

/* bpfvm's verdict; an accepted program's furthest buffer bytes in *prog_out. */
static const char *bpfvm_verdict(struct bpfvm *vm, const char *path, const char *name,
				 uint32_t max[2], char *buf, size_t size)
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
	if (!err) {
		max[0] = prog->max_rdonly_access;
		max[1] = prog->max_rdwr_access;
	}
	bpfvm_object_close(obj);
	if (!err)
		return NULL;
	snprintf(buf, size, "%s", bpfvm_errmsg());
	return buf;
}

int main(int argc, char **argv)
{
	struct bpfvm *vm = testlib_vm_create();
	bool kernel = verdict_kernel_usable();
	char path[512], kbuf[1024], vbuf[4096];

	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJDIR\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/iter_buffers.bpf.o", argv[1]);
	if (!kernel)
		printf("note: kernel bpf() not usable, comparing with the recorded reasons only\n");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t max[2] = { 0, 0 };
		const char *b = bpfvm_verdict(vm, path, cases[i].prog, max, vbuf, sizeof(vbuf));

		testlib_check(cases[i].prog, object_verdict_says(cases[i].reason, b),
			      "bpfvm: %s | want: %s", b ? b : "(accepted)",
			      cases[i].reason ? cases[i].reason : "(accepted)");
		if (!b && !cases[i].reason)
			testlib_check(cases[i].prog, max[0] == cases[i].max_rdonly &&
				      max[1] == cases[i].max_rdwr, "max access %u/%u, want %u/%u",
				      max[0], max[1], cases[i].max_rdonly, cases[i].max_rdwr);
		if (kernel) {
			int k = object_verdict_kernel(path, cases[i].prog, kbuf, sizeof(kbuf));
			const char *kr = k ? kbuf : NULL;

			testlib_check(cases[i].prog, k >= 0 && object_verdict_says(cases[i].reason, kr),
				      "kernel: %s | want: %s", k ? kbuf : "(accepted)",
				      cases[i].reason ? cases[i].reason : "(accepted)");
		}
	}
	bpfvm_destroy(vm);
	return testlib_summary();
}
