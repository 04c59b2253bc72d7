/* The runtime's map memory limit (bpfvm_opts.map_memory_max), as a memory
 * cgroup's on the kernel's maps: a map that would pass it is refused with
 * -ENOMEM and a message before anything is allocated, what a closed map held
 * is given back, and a runtime without the option has no limit but the
 * machine's memory. The object harness found why it matters: a 13 KB object
 * whose hash asks for 134 million entries made the loader touch 16 GB. */
#include <errno.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "testlib.h"

#define T "map_memory_limit"
#define LIMIT (1u << 20)
#define VALUE_SIZE 1024u
/* 600 entries of 1 KiB: over half the limit, so two do not fit. */
#define ENTRIES 600u

static int create_array(struct bpfvm *vm, const char *name, struct bpfvm_map **map)
{
	return bpfvm_map_create(vm, BPF_MAP_TYPE_ARRAY, name, 4, VALUE_SIZE, ENTRIES, NULL, map);
}

static void test_second_map_over_the_limit(void)
{
	struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = 2, .map_memory_max = LIMIT };
	struct bpfvm_map *first = NULL, *second = NULL, *third = NULL;
	struct bpfvm *vm = NULL;
	uint32_t key = ENTRIES - 1;
	char value[VALUE_SIZE];

	testlib_check(T, bpfvm_create(&opts, &vm) == 0, "runtime with a 1 MiB map limit");
	testlib_check(T, create_array(vm, "first", &first) == 0, "a 600 KiB array fits");
	testlib_check(T, create_array(vm, "second", &second) == -ENOMEM,
		      "a second one would pass the limit: -ENOMEM");
	testlib_check(T, strstr(bpfvm_errmsg(), "map 'second'") &&
			      strstr(bpfvm_errmsg(), "map_memory_max"),
		      "the message names the map and the limit: %s", bpfvm_errmsg());
	testlib_check(T, second == NULL, "no map is returned");
	memset(value, 0x5a, sizeof(value));
	testlib_check(T, bpfvm_map_update(first, &key, value, BPF_ANY) == 0,
		      "the first map is untouched by the refusal");
	bpfvm_map_close(first);
	testlib_check(T, create_array(vm, "third", &third) == 0,
		      "a closed map's memory is given back");
	bpfvm_map_close(third);
	bpfvm_destroy(vm);
}

static void test_hash_of_millions_refused(void)
{
	struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = 2, .map_memory_max = LIMIT };
	struct bpfvm_map *map = NULL;
	struct bpfvm *vm = NULL;

	testlib_check(T, bpfvm_create(&opts, &vm) == 0, "runtime with a 1 MiB map limit");
	testlib_check(T, bpfvm_map_create(vm, BPF_MAP_TYPE_HASH, "counts", 28, 8, 134217472, NULL,
				       &map) == -ENOMEM,
		      "the fuzzer's hash of 134 million entries: -ENOMEM, nothing touched");
	bpfvm_destroy(vm);
}

static void test_no_limit_by_default(void)
{
	struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = 2 };
	struct bpfvm_map *maps[4] = { 0 };
	struct bpfvm *vm = NULL;

	testlib_check(T, bpfvm_create(&opts, &vm) == 0, "runtime without a map limit");
	for (int i = 0; i < 4; i++)
		testlib_check(T, create_array(vm, "unlimited", &maps[i]) == 0,
			      "array %d of 600 KiB: no limit by default", i);
	for (int i = 0; i < 4; i++)
		bpfvm_map_close(maps[i]);
	bpfvm_destroy(vm);
}

int main(void)
{
	test_second_map_over_the_limit();
	test_hash_of_millions_refused();
	test_no_limit_by_default();
	return testlib_summary();
}
