/* Tail-call chains of tailcalls.bpf.c through the public API, with the
 * results Linux 6.18 gives (recorded with the judge corpus):
 * - SEMANTICS.md, tail calls: 33 successful tail calls per invocation, the
 *   count restarting at every repeat;
 * - a tail call made from a subprogram keeps the frames above it, 33 times
 *   over: every one of the 34 programs returns into the frame that called
 *   the subprogram (51 * 2 + 34 for a 51-byte packet). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "testlib.h"

/* Any 51-byte Ethernet/IPv4 packet: the programs read only skb->len. */
static uint8_t packet[51] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00, 0x45, 0, 0, 37 };

static void expect_retval(struct bpfvm_object *obj, const char *test, const char *prog_name,
			  int repeat, uint32_t want)
{
	uint8_t out[128];
	struct bpfvm_test_run_opts opts = {
		.sz = sizeof(opts), .data_in = packet, .data_size_in = sizeof(packet),
		.data_out = out, .data_size_out = sizeof(out), .repeat = repeat,
	};
	struct bpfvm_prog *prog = bpfvm_object_find_prog(obj, prog_name);
	int err;

	if (!prog) {
		testlib_check(test, false, "no program %s", prog_name);
		return;
	}
	err = bpfvm_prog_test_run(prog, &opts);
	testlib_check(test, err == 0 && opts.retval == want, "err %d (%s), retval %u, want %u",
		      err, err ? bpfvm_errmsg() : "", opts.retval, want);
}

int main(int argc, char **argv)
{
	struct bpfvm_object *obj;
	struct bpfvm *vm;
	char path[4096];
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJDIR\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/tailcalls.bpf.o", argv[1]);
	vm = testlib_vm_create();
	err = bpfvm_object_open(vm, path, NULL, &obj);
	if (!err)
		err = bpfvm_object_load(obj);
	testlib_check("tailcalls_object_loads", err == 0, "%d: %s", err, bpfvm_errmsg());
	if (err)
		return testlib_summary();

	expect_retval(obj, "tail_call_limit_runs_34_programs", "tailcall_limit", 1, 34);
	/* .bss keeps counting: 34 more for each repeat. */
	expect_retval(obj, "tail_call_limit_restarts_at_every_repeat", "tailcall_limit", 2,
		      34 * 3);
	expect_retval(obj, "tail_calls_from_subprograms_nest_33_deep", "tailcall_subprog", 1,
		      51 * 2 + 34);
	expect_retval(obj, "tail_call_bad_indexes_fall_through", "tailcall_bad_index", 1, 15);

	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
	return testlib_summary();
}
