/* Program lifetimes (SEMANTICS.md: PROG_ARRAY maps; bpfvm.h: programs are
 * reference counted): a program lives while an object, a prog array slot or
 * a caller holds it, and is freed only when no run can still be inside it;
 * a prog array empties its slots when its last user reference goes, even
 * while programs still reference it.
 *
 * Usage: test_prog_lifetimes OBJECTS_DIR */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "engine_testlib.h"
#include "testlib.h"

static int set_slot(struct bpfvm_object *obj, uint32_t key, struct bpfvm_prog *prog)
{
	uint32_t id = bpfvm_prog_id(prog);

	return bpfvm_map_update(bpfvm_object_find_map(obj, "jmp"), &key, &id, BPF_ANY);
}

static void program_outlives_its_object_while_a_slot_holds_it(struct bpfvm *vm)
{
	const char *test = "program_outlives_its_object_while_a_slot_holds_it";
	struct bpfvm_object *chain = open_loaded(vm), *donor = open_loaded(vm);
	struct bpfvm_prog *probe = NULL;
	uint32_t key = 0, id;

	if (!chain || !donor)
		goto out;
	id = bpfvm_prog_id(bpfvm_object_find_prog(donor, "mark_two"));
	testlib_check(test, set_slot(chain, 0, bpfvm_object_find_prog(donor, "mark_two")) == 0,
		      "slot 0 = the other object's mark_two: %s", bpfvm_errmsg());
	bpfvm_object_close(donor);
	donor = NULL;
	testlib_check(test, run_once(bpfvm_object_find_prog(chain, "entry")) == 2,
		      "the chain still reaches mark_two after its object closed");
	testlib_check(test, bpfvm_prog_get_by_id(vm, id, &probe) == 0,
		      "mark_two is still found by id: %s", bpfvm_errmsg());
	bpfvm_prog_close(probe);
	testlib_check(test, bpfvm_map_delete(bpfvm_object_find_map(chain, "jmp"), &key) == 0,
		      "slot 0 deleted");
	testlib_check(test, bpfvm_prog_get_by_id(vm, id, &probe) == -ENOENT,
		      "with its last reference gone, mark_two is gone");
	testlib_check(test, run_once(bpfvm_object_find_prog(chain, "entry")) == 100,
		      "the chain falls through");
out:
	bpfvm_object_close(donor);
	bpfvm_object_close(chain);
}

static void last_user_reference_empties_the_prog_array(struct bpfvm *vm)
{
	const char *test = "last_user_reference_empties_the_prog_array";
	struct bpfvm_object *obj = open_loaded(vm);
	struct bpfvm_prog *entry = NULL;
	struct bpfvm_map *jmp = NULL;
	struct bpfvm_map_info info;
	uint32_t key = 0, id;

	if (!obj)
		return;
	set_slot(obj, 0, bpfvm_object_find_prog(obj, "mark_one"));
	bpfvm_prog_get_by_id(vm, bpfvm_prog_id(bpfvm_object_find_prog(obj, "entry")), &entry);
	bpfvm_map_get_info(bpfvm_object_find_map(obj, "jmp"), &info);
	testlib_check(test, bpfvm_map_get_by_id(vm, info.id, &jmp) == 0,
		      "a user reference to jmp: %s", bpfvm_errmsg());
	bpfvm_object_close(obj);
	testlib_check(test, entry && run_once(entry) == 1,
		      "a user reference left: the slots stay (entry -> mark_one)");
	testlib_check(test, bpfvm_map_lookup(jmp, &key, &id) == 0,
		      "slot 0 still holds a program id");
	bpfvm_map_close(jmp);
	testlib_check(test, entry && run_once(entry) == 100,
		      "the last user reference went: every slot is empty, entry falls through");
	bpfvm_prog_close(entry);
}

struct slow_runner {
	struct bpfvm_prog *entry;
	long retval;
	atomic_bool done;
};

static void *slow_runner_main(void *arg)
{
	struct slow_runner *runner = arg;

	runner->retval = run_once(runner->entry);
	atomic_store(&runner->done, true);
	return NULL;
}

static uint64_t progress(struct bpfvm_map *map, uint32_t key)
{
	uint64_t value = 0;

	bpfvm_map_lookup(map, &key, &value);
	return value;
}

/* The deleting thread drops the last reference to a program while another
 * thread runs inside it: the program must survive until that run leaves
 * (AddressSanitizer would see a use after free otherwise), and the delete
 * returns only then, since it frees the program after a grace period. */
static void program_is_freed_only_after_runs_leave_it(struct bpfvm *vm)
{
	const char *test = "program_is_freed_only_after_runs_leave_it";
	struct bpfvm_object *chain = open_loaded(vm), *donor = open_loaded(vm);
	struct slow_runner runner = { 0 };
	struct bpfvm_map *slow_progress = NULL;
	struct bpfvm_map_info info;
	uint32_t key = 0;
	pthread_t thread;

	if (!chain || !donor)
		goto out;
	set_slot(chain, 0, bpfvm_object_find_prog(donor, "slow"));
	bpfvm_map_get_info(bpfvm_object_find_map(donor, "progress"), &info);
	bpfvm_map_get_by_id(vm, info.id, &slow_progress);
	bpfvm_object_close(donor); /* the slot now holds slow's only reference */
	donor = NULL;
	runner.entry = bpfvm_object_find_prog(chain, "entry");
	pthread_create(&thread, NULL, slow_runner_main, &runner);
	while (!progress(slow_progress, 0) && !atomic_load(&runner.done))
		sched_yield();
	testlib_check(test, !atomic_load(&runner.done), "the run is inside slow (else: too fast "
		      "a machine for this test's loop)");
	testlib_check(test, bpfvm_map_delete(bpfvm_object_find_map(chain, "jmp"), &key) == 0,
		      "slot deleted while the run is inside its program");
	/* Not runner.done: the runner thread sets it only after its test run
	 * has returned, a moment after its vCPU went offline and ended the
	 * grace period (a race the sanitizer build lost). */
	testlib_check(test, progress(slow_progress, 1) == 1,
		      "the delete, dropping the last reference, returned after the run left "
		      "the program");
	pthread_join(thread, NULL);
	testlib_check(test, runner.retval == 3 && progress(slow_progress, 1) == 1,
		      "the run finished in the program it had entered: r0 %ld", runner.retval);
out:
	bpfvm_map_close(slow_progress);
	bpfvm_object_close(donor);
	bpfvm_object_close(chain);
}

static void raw_program_reference_api(struct bpfvm *vm)
{
	const char *test = "raw_program_reference_api";
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 7 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpfvm_prog *prog = NULL, *again = NULL;
	uint64_t r0 = 0;

	bpfvm_prog_load_raw(vm, insns, 2, NULL, &prog);
	testlib_check(test, bpfvm_prog_get_by_id(vm, bpfvm_prog_id(prog), &again) == 0 &&
				    again == prog,
		      "a raw program is found by id");
	bpfvm_prog_free(prog);
	testlib_check(test, bpfvm_prog_run_raw(again, NULL, 0, &r0) == 0 && r0 == 7,
		      "the caller's reference keeps it runnable after bpfvm_prog_free");
	bpfvm_prog_close(again);
	testlib_check(test, bpfvm_prog_get_by_id(vm, 999999, &again) == -ENOENT,
		      "an unknown id: -ENOENT");
	testlib_check(test, bpfvm_prog_get_by_id(NULL, 1, &again) == -EINVAL, "NULL vm: -EINVAL");
}

int main(int argc, char **argv)
{
	struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = 2 };
	struct bpfvm *vm;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJECTS_DIR\n", argv[0]);
		return 2;
	}
	objects_dir = argv[1];
	if (bpfvm_create(&opts, &vm))
		return 1;
	program_outlives_its_object_while_a_slot_holds_it(vm);
	last_user_reference_empties_the_prog_array(vm);
	program_is_freed_only_after_runs_leave_it(vm);
	raw_program_reference_api(vm);
	bpfvm_destroy(vm);
	return testlib_summary();
}
