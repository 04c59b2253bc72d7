/* HASH_OF_MAPS: values are inner map ids from user space, inner maps from a
 * program's lookup; every inner map matches the template (the kernel's
 * map_meta_equal); the outer map holds a reference on each inner map. */
#include "hash_test_util.h"

static struct bpfvm *vm;

static struct bpfvm_map *outer_map(const struct bpfvm_map *template, uint32_t flags)
{
	struct bpfvm_map *map;
	int err = hash_test_create(vm, BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 4, flags, template, &map);

	if (err) {
		fprintf(stderr, "outer map: %d %s\n", err, bpfvm_errmsg());
		exit(1);
	}
	return map;
}

static void test_creation(void)
{
	struct bpfvm_map *template = hash_test_map(vm, BPF_MAP_TYPE_HASH, 4, 8, 16, 0);
	struct bpfvm_map *outer = outer_map(template, 0), *map;
	int err;

	err = hash_test_create(vm, BPF_MAP_TYPE_HASH_OF_MAPS, 4, 8, 4, 0, template, &map);
	testlib_check("hash_of_maps_value_size_not_4_einval", err == -EINVAL, "got %d", err);
	err = hash_test_create(vm, BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 4, 0, NULL, &map);
	testlib_check("hash_of_maps_without_template_einval", err == -EINVAL, "got %d", err);
	testlib_check("hash_of_maps_without_template_message",
		      strstr(bpfvm_errmsg(), "template") != NULL, "'%s'", bpfvm_errmsg());
	err = hash_test_create(vm, BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 4, 0, outer, &map);
	testlib_check("hash_of_maps_nested_template_einval", err == -EINVAL, "got %d", err);
	err = hash_test_create(vm, BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 4, BPF_F_NO_COMMON_LRU,
			       template, &map);
	testlib_check("hash_of_maps_takes_hash_flag_rules", err == -EINVAL, "got %d", err);
	bpfvm_map_close(outer);
	bpfvm_map_close(template);
}

static void test_template_checks(void)
{
	struct bpfvm_map *template = hash_test_map(vm, BPF_MAP_TYPE_HASH, 4, 8, 16, 0);
	struct bpfvm_map *outer = outer_map(template, 0);
	struct bpfvm_map *same = hash_test_map(vm, BPF_MAP_TYPE_HASH, 4, 8, 1000, 0);
	struct bpfvm_map *bad_type = hash_test_map(vm, BPF_MAP_TYPE_LRU_HASH, 4, 8, 16, 0);
	struct bpfvm_map *bad_key = hash_test_map(vm, BPF_MAP_TYPE_HASH, 8, 8, 16, 0);
	struct bpfvm_map *bad_value = hash_test_map(vm, BPF_MAP_TYPE_HASH, 4, 4, 16, 0);
	struct bpfvm_map *bad_flags = hash_test_map(vm, BPF_MAP_TYPE_HASH, 4, 8, 16,
						    BPF_F_NO_PREALLOC);
	struct { struct bpfvm_map *map; const char *field; } bad[] = {
		{bad_type, "type"}, {bad_key, "key_size"}, {bad_value, "value_size"},
		{bad_flags, "map_flags"},
	};
	uint32_t key = 1, id, unknown = 999999, zero = 0;
	int err;

	id = same->region->id;
	err = hash_test_update(outer, &key, &id, BPF_ANY);
	testlib_check("hash_of_maps_inner_hash_other_max_entries_ok", err == 0, "got %d (%s)", err,
		      bpfvm_errmsg());
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		id = bad[i].map->region->id;
		err = hash_test_update(outer, &key, &id, BPF_ANY);
		testlib_check("hash_of_maps_template_mismatch_einval", err == -EINVAL,
			      "%s: got %d", bad[i].field, err);
		testlib_check("hash_of_maps_mismatch_names_field",
			      strstr(bpfvm_errmsg(), bad[i].field) != NULL, "'%s'", bpfvm_errmsg());
	}
	err = hash_test_update(outer, &key, &unknown, BPF_ANY);
	testlib_check("hash_of_maps_unknown_id_ebadf", err == -EBADF, "got %d", err);
	err = hash_test_update(outer, &key, &zero, BPF_ANY);
	testlib_check("hash_of_maps_id_zero_ebadf", err == -EBADF, "got %d", err);
	id = same->region->id;
	err = hash_test_update(outer, &key, &id, BPF_NOEXIST);
	testlib_check("hash_of_maps_noexist_eexist", err == -EEXIST, "got %d", err);
	bpfvm_map_close(outer);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		bpfvm_map_close(bad[i].map);
	bpfvm_map_close(same);
	bpfvm_map_close(template);
}

/* User lookups give ids; program lookups give the inner map; the outer map
 * keeps inner maps alive and lets them go on delete/replace. */
static void test_lookups_and_references(void)
{
	struct bpfvm_map *template = hash_test_map(vm, BPF_MAP_TYPE_HASH, 4, 8, 16, 0);
	struct bpfvm_map *outer = outer_map(template, 0);
	struct bpfvm_map *a = hash_test_map(vm, BPF_MAP_TYPE_HASH, 4, 8, 16, 0);
	struct bpfvm_map *b = hash_test_map(vm, BPF_MAP_TYPE_HASH, 4, 8, 16, 0);
	uint32_t key = 3, id_a = a->region->id, id_b = b->region->id, out = 0;
	uint32_t base_a = atomic_load(&a->refcnt);
	int err;

	hash_test_update(outer, &key, &id_a, BPF_ANY);
	err = hash_test_lookup(outer, &key, &out);
	testlib_check("hash_of_maps_user_lookup_gives_id", err == 0 && out == id_a, "got %d, %u",
		      err, out);
	testlib_check("hash_of_maps_bpf_lookup_gives_inner_map",
		      outer->ops->bpf_lookup(outer, &key, 0) == a, "wrong pointer");
	testlib_check("hash_of_maps_holds_a_reference", atomic_load(&a->refcnt) == base_a + 1,
		      "refcnt %u", atomic_load(&a->refcnt));
	hash_test_update(outer, &key, &id_b, BPF_EXIST);
	testlib_check("hash_of_maps_replace_drops_old_reference", atomic_load(&a->refcnt) == base_a,
		      "refcnt %u", atomic_load(&a->refcnt));
	testlib_check("hash_of_maps_bpf_lookup_after_replace", outer->ops->bpf_lookup(outer, &key, 0) == b,
		      "wrong pointer");
	bpfvm_map_close(b); /* the outer map keeps b alive */
	testlib_check("hash_of_maps_inner_alive_after_user_close",
		      outer->ops->bpf_lookup(outer, &key, 0) == b && b->region->id == id_b, "gone");
	err = bpfvm_map_lookup_and_delete(outer, &key, &out);
	testlib_check("hash_of_maps_lookup_and_delete_enotsupp", err == -MAP_ENOTSUPP, "got %d", err);
	err = hash_test_delete(outer, &key);
	testlib_check("hash_of_maps_delete", err == 0, "got %d", err);
	testlib_check("hash_of_maps_bpf_lookup_after_delete_null",
		      outer->ops->bpf_lookup(outer, &key, 0) == NULL, "not NULL");
	testlib_check("hash_of_maps_program_cannot_update", outer->ops->bpf_update == NULL, "set");
	hash_test_update(outer, &key, &id_a, BPF_ANY);
	bpfvm_map_close(outer); /* drops its reference on a */
	testlib_check("hash_of_maps_release_drops_references", atomic_load(&a->refcnt) == base_a,
		      "refcnt %u", atomic_load(&a->refcnt));
	bpfvm_map_close(a);
	bpfvm_map_close(template);
}

int main(void)
{
	vm = hash_test_vm(2);
	test_creation();
	test_template_checks();
	test_lookups_and_references();
	bpfvm_destroy(vm);
	return testlib_summary();
}
