/* Maps of maps pinned by name, the same object (ns_mim.bpf.c) and the same
 * steps in the kernel (libbpf, bpf()) and in a bpfvm namespace: static
 * slots filled at creation and not at reuse, user-space lookups giving the
 * inner map's id, the template's checks, update flags and errno, what the
 * program reaches after each change. Every step's result is logged on both
 * sides and the logs must be equal. Without a usable bpf() the kernel side
 * is skipped (exit 77). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ns/ns_testlib.h"
#include "testlib.h"

/* One way to reach the object: the kernel's (file descriptors) or bpfvm's
 * (handles; a map of maps takes ids where the kernel takes fds). */
struct side {
	const char *name;
	bool kernel;
	char pin_root[PATH_MAX];
	struct bpf_object *kobj[2];
	struct bpfvm *vm;
	struct bpfvm_object *vobj[2];
	struct testlib_log log;
};

static const char *objdir;
static const uint8_t packet[64] = { [12] = 0x08 };

/* Loads the object a (n+1)th time: the pins are reused from then on. */
static int side_load(struct side *s, int n)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/ns_mim.bpf.o", objdir);
	if (s->kernel) {
		LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = s->pin_root);

		s->kobj[n] = bpf_object__open_file(path, &opts);
		if (!s->kobj[n])
			return -errno;
		return bpf_object__load(s->kobj[n]);
	}
	s->vobj[n] = ns_test_load_object(s->vm, objdir, "ns_mim.bpf.o");
	return s->vobj[n] ? 0 : -EINVAL;
}

static int side_run(struct side *s, int n)
{
	if (s->kernel) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = packet,
			    .data_size_in = sizeof(packet));
		struct bpf_program *p = bpf_object__find_program_by_name(s->kobj[n], "mim_count");
		int err = testlib_kernel_rc(bpf_prog_test_run_opts(bpf_program__fd(p), &opts));

		return err ? err : (int)opts.retval;
	}
	struct bpfvm_test_run_opts opts = { .sz = sizeof(opts), .data_in = packet,
					    .data_size_in = sizeof(packet) };
	int err = bpfvm_prog_test_run(bpfvm_object_find_prog(s->vobj[n], "mim_count"), &opts);

	return err ? err : (int)opts.retval;
}

/* A map of the object: its fd (kernel) or handle. */
static int side_fd(struct side *s, const char *map)
{
	return bpf_map__fd(bpf_object__find_map_by_name(s->kobj[0], map));
}

static struct bpfvm_map *side_map(struct side *s, const char *map)
{
	return bpfvm_object_find_map(s->vobj[0], map);
}

static uint32_t side_id(struct side *s, const char *map)
{
	if (s->kernel) {
		struct bpf_map_info info = { 0 };
		uint32_t len = sizeof(info);

		bpf_obj_get_info_by_fd(side_fd(s, map), &info, &len);
		return info.id;
	}
	struct bpfvm_map_info info = { 0 };

	bpfvm_map_get_info(side_map(s, map), &info);
	return info.id;
}

static int side_lookup(struct side *s, const char *outer, uint32_t key, uint32_t *id)
{
	*id = 0;
	if (s->kernel)
		return testlib_kernel_rc(bpf_map_lookup_elem(side_fd(s, outer), &key, id));
	return bpfvm_map_lookup(side_map(s, outer), &key, id);
}

/* Stores inner map `inner` (a map of the object, or a made one: fd /
 * handle in *made) in outer[key]. */
static int side_store(struct side *s, const char *outer, uint32_t key, const char *inner,
		      uint64_t flags)
{
	if (s->kernel) {
		int fd = side_fd(s, inner);

		return testlib_kernel_rc(bpf_map_update_elem(side_fd(s, outer), &key, &fd, flags));
	}
	uint32_t id = side_id(s, inner);

	return bpfvm_map_update(side_map(s, outer), &key, &id, flags);
}

/* Stores a new map of the given shape: the template's checks. */
static int side_store_new(struct side *s, const char *outer, uint32_t key, uint32_t type,
			  uint32_t value_size, uint32_t max_entries)
{
	int err;

	if (s->kernel) {
		int fd = bpf_map_create(type, "mim_new", 4, value_size, max_entries, NULL);

		if (fd < 0)
			return -errno;
		err = testlib_kernel_rc(bpf_map_update_elem(side_fd(s, outer), &key, &fd, BPF_ANY));
		close(fd);
		return err;
	}
	struct bpfvm_map_info info;
	struct bpfvm_map *map;

	err = bpfvm_map_create(s->vm, type, "mim_new", 4, value_size, max_entries, NULL, &map);
	if (err)
		return err;
	bpfvm_map_get_info(map, &info);
	err = bpfvm_map_update(side_map(s, outer), &key, &info.id, BPF_ANY);
	bpfvm_map_close(map);
	return err;
}

static int side_delete(struct side *s, const char *outer, uint32_t key)
{
	if (s->kernel)
		return testlib_kernel_rc(bpf_map_delete_elem(side_fd(s, outer), &key));
	return bpfvm_map_delete(side_map(s, outer), &key);
}

static uint64_t side_counter(struct side *s, const char *inner)
{
	uint32_t zero = 0;
	uint64_t count = 0;

	if (s->kernel)
		bpf_map_lookup_elem(side_fd(s, inner), &zero, &count);
	else
		bpfvm_map_lookup(side_map(s, inner), &zero, &count);
	return count;
}

static void scenario(struct side *s)
{
	struct testlib_log *log = &s->log;
	uint32_t id;
	int rc;

	testlib_log(log, "load: %d", side_load(s, 0));
	testlib_log(log, "run: %d", side_run(s, 0));
	rc = side_lookup(s, "mim_array", 0, &id);
	testlib_log(log, "lookup array[0]: %d, inner_a's id: %d", rc,
		    id == side_id(s, "mim_inner_a"));
	rc = side_lookup(s, "mim_hash", 2, &id);
	testlib_log(log, "lookup hash[2]: %d, inner_b's id: %d", rc,
		    id == side_id(s, "mim_inner_b"));
	testlib_log(log, "lookup array[2]: %d", side_lookup(s, "mim_array", 2, &id));
	testlib_log(log, "lookup hash[0]: %d", side_lookup(s, "mim_hash", 0, &id));
	testlib_log(log, "store 2-entry array: %d",
		    side_store_new(s, "mim_array", 1, BPF_MAP_TYPE_ARRAY, 8, 2));
	testlib_log(log, "store 4-byte values: %d",
		    side_store_new(s, "mim_array", 1, BPF_MAP_TYPE_ARRAY, 4, 1));
	testlib_log(log, "store a hash: %d",
		    side_store_new(s, "mim_hash", 1, BPF_MAP_TYPE_HASH, 8, 1));
	testlib_log(log, "store a fitting array: %d",
		    side_store_new(s, "mim_array", 3, BPF_MAP_TYPE_ARRAY, 8, 1));
	testlib_log(log, "store array[4]: %d",
		    side_store(s, "mim_array", 4, "mim_inner_a", BPF_ANY));
	testlib_log(log, "store array[2] NOEXIST: %d",
		    side_store(s, "mim_array", 2, "mim_inner_a", BPF_NOEXIST));
	testlib_log(log, "store hash[1] NOEXIST: %d",
		    side_store(s, "mim_hash", 1, "mim_inner_a", BPF_NOEXIST));
	testlib_log(log, "again: %d", side_store(s, "mim_hash", 1, "mim_inner_a", BPF_NOEXIST));
	testlib_log(log, "store hash[6] EXIST: %d",
		    side_store(s, "mim_hash", 6, "mim_inner_a", BPF_EXIST));
	testlib_log(log, "delete array[0]: %d", side_delete(s, "mim_array", 0));
	testlib_log(log, "again: %d", side_delete(s, "mim_array", 0));
	testlib_log(log, "delete array[9]: %d", side_delete(s, "mim_array", 9));
	testlib_log(log, "run: %d", side_run(s, 0));
	/* Reuse: the pinned outer maps keep their slots. */
	testlib_log(log, "load again: %d", side_load(s, 1));
	testlib_log(log, "run the second: %d", side_run(s, 1));
	testlib_log(log, "delete hash[2]: %d", side_delete(s, "mim_hash", 2));
	testlib_log(log, "again: %d", side_delete(s, "mim_hash", 2));
	testlib_log(log, "run the second: %d", side_run(s, 1));
	testlib_log(log, "counters: a %llu b %llu",
		    (unsigned long long)side_counter(s, "mim_inner_a"),
		    (unsigned long long)side_counter(s, "mim_inner_b"));
}

static void side_cleanup(struct side *s)
{
	char path[PATH_MAX + 32];

	for (int n = 0; n < 2; n++) {
		if (s->kernel)
			bpf_object__close(s->kobj[n]);
		else
			bpfvm_object_close(s->vobj[n]);
	}
	if (s->kernel) {
		snprintf(path, sizeof(path), "%s/mim_array", s->pin_root);
		unlink(path);
		snprintf(path, sizeof(path), "%s/mim_hash", s->pin_root);
		unlink(path);
		rmdir(s->pin_root);
		return;
	}
	bpfvm_obj_unpin(s->vm, "mim_array");
	bpfvm_obj_unpin(s->vm, "mim_hash");
	bpfvm_destroy(s->vm);
	ns_test_root_remove(s->pin_root);
}

static bool kernel_usable(struct side *s)
{
	if (!testlib_kernel_usable())
		return false;
	snprintf(s->pin_root, sizeof(s->pin_root), "/sys/fs/bpf/bpfvm_mim_%d", (int)getpid());
	return mkdir(s->pin_root, 0700) == 0;
}

int main(int argc, char **argv)
{
	const char *test = "map_of_maps_pinned_by_name_agree_with_linux_kernel";
	static struct side kernel = { .name = "kernel", .kernel = true };
	static struct side vm = { .name = "bpfvm" };

	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJDIR\n", argv[0]);
		return 2;
	}
	objdir = argv[1];
	libbpf_set_print(NULL);
	if (!kernel_usable(&kernel)) {
		printf("SKIP: bpf() or bpffs is not usable here (%s)\n", strerror(errno));
		return 77;
	}
	ns_test_root_make(vm.pin_root, sizeof(vm.pin_root));
	vm.vm = ns_test_vm(vm.pin_root);
	scenario(&kernel);
	scenario(&vm);
	side_cleanup(&kernel);
	side_cleanup(&vm);
	testlib_logs_compare(test, &kernel.log, &vm.log);
	testlib_log_print(&kernel.log);
	return testlib_summary();
}
