/* A hold is not a pin (docs/namespace.md, "Shared maps of maps"): the
 * namespace listing's pin_cnt counts the pins of a map of maps and of the
 * maps its slots name, never the links by which the outer holds them, as
 * it leaves out a program's holds on its maps. Before the map of maps'
 * holds were ns_hold.c's, an unpinned inner map listed one pin (its hold)
 * and a pinned outer none (its holds' directory was taken for a hold). */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "ns/ns_testlib.h"
#include "testlib.h"

struct pins {
	uint32_t outer_id, inner_id;
	int outer_pins, inner_pins; /* -1: not listed */
};

static int pins_find(void *ctx, const struct bpfvm_ns_entry *entry)
{
	struct pins *pins = ctx;

	if (entry->kind != BPFVM_NS_MAP)
		return 0;
	if (entry->id == pins->outer_id)
		pins->outer_pins = (int)entry->pin_cnt;
	if (entry->id == pins->inner_id)
		pins->inner_pins = (int)entry->pin_cnt;
	return 0;
}

static void pins_list(struct bpfvm *vm, struct pins *pins)
{
	pins->outer_pins = pins->inner_pins = -1;
	if (bpfvm_ns_list(vm, pins_find, pins))
		fprintf(stderr, "bpfvm_ns_list: %s\n", bpfvm_errmsg());
}

static uint32_t map_id(struct bpfvm_map *map)
{
	struct bpfvm_map_info info = { 0 };

	return bpfvm_map_get_info(map, &info) ? 0 : info.id;
}

static void test_holds_are_not_pins(void)
{
	const char *test = "map_of_maps_holds_are_not_counted_as_pins";
	struct bpfvm_map *template = NULL, *outer = NULL, *inner = NULL;
	struct bpfvm_map_create_opts opts = { .sz = sizeof(opts) };
	struct pins pins = { 0 };
	char root[PATH_MAX];
	struct bpfvm *vm;
	uint32_t key = 0;
	int err;

	ns_test_root_make(root, sizeof(root));
	vm = ns_test_vm(root);
	err = bpfvm_map_create(vm, BPF_MAP_TYPE_ARRAY, "pin_tmpl", 4, 8, 1, NULL, &template);
	opts.inner_map = template;
	if (!err)
		err = bpfvm_map_create(vm, BPF_MAP_TYPE_ARRAY_OF_MAPS, "pin_outer", 4, 4, 2, &opts,
				       &outer);
	if (!err)
		err = bpfvm_map_create(vm, BPF_MAP_TYPE_ARRAY, "pin_inner", 4, 8, 1, NULL, &inner);
	if (!err)
		err = bpfvm_map_pin(outer, "pin_outer");
	pins.outer_id = outer ? map_id(outer) : 0;
	pins.inner_id = inner ? map_id(inner) : 0;
	if (!err)
		err = bpfvm_map_update(outer, &key, &pins.inner_id, BPF_ANY);
	testlib_check(test, err == 0 && pins.outer_id && pins.inner_id, "setup: %d %s", err,
		      err ? bpfvm_errmsg() : "");
	if (err)
		goto out;

	pins_list(vm, &pins);
	testlib_check(test, pins.outer_pins == 1 && pins.inner_pins == 0,
		      "held by a slot: outer pin_cnt %d (want 1), inner %d (want 0)",
		      pins.outer_pins, pins.inner_pins);

	err = bpfvm_map_pin(inner, "pin_inner");
	pins_list(vm, &pins);
	testlib_check(test, err == 0 && pins.outer_pins == 1 && pins.inner_pins == 1,
		      "inner pinned too: %d, outer pin_cnt %d (want 1), inner %d (want 1)", err,
		      pins.outer_pins, pins.inner_pins);
	bpfvm_obj_unpin(vm, "pin_inner");

	/* Held only by the slot, with no handle left: listed, no pin. */
	bpfvm_map_close(inner);
	inner = NULL;
	pins_list(vm, &pins);
	testlib_check(test, pins.inner_pins == 0, "inner closed: pin_cnt %d (want 0)",
		      pins.inner_pins);
out:
	bpfvm_map_close(inner);
	bpfvm_map_close(outer);
	bpfvm_map_close(template);
	bpfvm_obj_unpin(vm, "pin_outer");
	bpfvm_destroy(vm);
	ns_test_root_remove(root);
}

int main(void)
{
	test_holds_are_not_pins();
	return testlib_summary();
}
