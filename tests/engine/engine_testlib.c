#include <stdint.h>
#include <stdio.h>

#include "engine_testlib.h"

const char *objects_dir;

struct bpfvm_object *open_loaded(struct bpfvm *vm)
{
	char path[512];
	struct bpfvm_object *obj = NULL;

	snprintf(path, sizeof(path), "%s/lifetimes.bpf.o", objects_dir);
	if (bpfvm_object_open(vm, path, NULL, &obj) || bpfvm_object_load(obj)) {
		fprintf(stderr, "cannot load %s: %s\n", path, bpfvm_errmsg());
		bpfvm_object_close(obj);
		return NULL;
	}
	return obj;
}

long run_once(struct bpfvm_prog *prog)
{
	uint8_t packet[64] = { 0 };
	struct bpfvm_test_run_opts opts = {
		.sz = sizeof(opts), .data_in = packet, .data_size_in = sizeof(packet),
	};
	int err = bpfvm_prog_test_run(prog, &opts);

	return err ? err : (long)opts.retval;
}
