/* The prog-array owner rule at load (SEMANTICS.md: PROG_ARRAY maps): the
 * first program that references a prog array, or is put into it, becomes
 * its owner; a later program of another type or expected attach type fails
 * the load with -EINVAL, whether it references the array (lddw) or fills a
 * statically initialised slot. The messages name the file, the array and
 * both types. The kernel fails these objects the same way (libbpf:
 * "prog 'xdp_entry': failed to load: -22", "map 'jumps': failed to
 * initialize slot [1] to prog 'tc_target'", checked with bpftool).
 *
 * Usage: test_object_owner OBJECTS_DIR */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "loader_testlib.h"
#include "testlib.h"

/* Loads `name`, expecting the owner rule to refuse it. Returns the object
 * (closed by the caller) when the load got as far as the rule, else NULL. */
static struct bpfvm_object *load_refused(const char *test, struct bpfvm *vm, const char *name,
					 const char *expected_message)
{
	struct bpfvm_object *obj = loader_open(test, vm, name);
	int err;

	if (!obj)
		return NULL;
	err = bpfvm_object_load(obj);
	if (loader_type_missing(test, err, "the owner rule")) {
		bpfvm_object_close(obj);
		return NULL;
	}
	testlib_check(test, err == -EINVAL && strstr(bpfvm_errmsg(), expected_message),
		      "load: %d %s\n  expected: %s", err, bpfvm_errmsg(), expected_message);
	return obj;
}

static uint32_t slot_id(struct bpfvm_object *obj, uint32_t key)
{
	uint32_t id = 0;

	if (bpfvm_map_lookup(bpfvm_object_find_map(obj, "jumps"), &key, &id))
		return 0;
	return id;
}

static void referencing_program_of_another_type_is_refused(void)
{
	const char *test = "referencing_program_of_another_type_is_refused";
	struct bpfvm *vm = loader_vm_create();
	struct bpfvm_object *obj = load_refused(
		test, vm, "owner_mixed.bpf.o",
		"owner_mixed.bpf.o: section 'xdp': program 'xdp_entry': prog array 'jumps' is "
		"owned by sched_cls programs; program 'xdp_entry' is xdp (-22)");

	if (obj) {
		testlib_check(test, bpfvm_prog_id(bpfvm_object_find_prog(obj, "tc_entry")) != 0,
			      "tc_entry, loaded first, was prepared and owns the array");
		bpfvm_object_close(obj);
	}
	bpfvm_destroy(vm);
}

static void static_slot_of_another_type_is_refused(void)
{
	const char *test = "static_slot_of_another_type_is_refused";
	struct bpfvm *vm = loader_vm_create();
	struct bpfvm_object *obj = load_refused(
		test, vm, "owner_slots.bpf.o",
		"owner_slots.bpf.o: map 'jumps': slot [1]: prog array 'jumps' is owned by xdp "
		"programs; program 'tc_target' is sched_cls (-22)");

	if (obj) {
		/* Slot [0] was filled before; the failed load then drops the
		 * object's maps, as libbpf's bpf_object_unload. */
		testlib_check(test, bpfvm_object_find_map(obj, "jumps") == NULL,
			      "the failed load leaves no map 'jumps' behind");
		bpfvm_object_close(obj);
	}
	bpfvm_destroy(vm);
}

static void static_slot_of_another_attach_type_is_refused(void)
{
	const char *test = "static_slot_of_another_attach_type_is_refused";
	struct bpfvm *vm = loader_vm_create();
	struct bpfvm_object *obj = load_refused(
		test, vm, "owner_attach.bpf.o",
		"owner_attach.bpf.o: map 'jumps': slot [0]: prog array 'jumps' is owned by "
		"cgroup_skb programs with attach type cgroup_inet_egress; program "
		"'ingress_target' is attach type cgroup_inet_ingress (-22)");

	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
}

static void static_slot_with_other_frags_is_refused(void)
{
	const char *test = "static_slot_with_other_frags_is_refused";
	struct bpfvm *vm = loader_vm_create();
	struct bpfvm_object *obj = load_refused(
		test, vm, "owner_frags.bpf.o",
		"owner_frags.bpf.o: map 'jumps': slot [0]: prog array 'jumps' is owned by xdp "
		"programs without frags; program 'frags_target' is xdp with frags (-22)");

	bpfvm_object_close(obj);
	bpfvm_destroy(vm);
}

/* The same rule, met: tail.bpf.o's entry program and its slot are both XDP. */
static void static_slot_of_the_owner_type_is_filled(void)
{
	const char *test = "static_slot_of_the_owner_type_is_filled";
	struct bpfvm *vm = loader_vm_create();
	struct bpfvm_object *obj = loader_open(test, vm, "tail.bpf.o");
	int err;

	if (!obj)
		goto out;
	err = bpfvm_object_load(obj);
	if (!loader_type_missing(test, err, "slot [0] filled")) {
		testlib_check(test, err == 0, "load: %d %s", err, bpfvm_errmsg());
		testlib_check(test, slot_id(obj, 0) != 0 &&
				    slot_id(obj, 0) ==
					    bpfvm_prog_id(bpfvm_object_find_prog(obj, "xdp_target")),
			      "slot [0] holds xdp_target's id (%u)", slot_id(obj, 0));
	}
	bpfvm_object_close(obj);
out:
	bpfvm_destroy(vm);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJECTS_DIR\n", argv[0]);
		return 2;
	}
	loader_objects_dir = argv[1];
	referencing_program_of_another_type_is_refused();
	static_slot_of_another_type_is_refused();
	static_slot_of_another_attach_type_is_refused();
	static_slot_with_other_frags_is_refused();
	static_slot_of_the_owner_type_is_filled();
	return testlib_summary();
}
