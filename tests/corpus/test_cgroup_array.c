/* BPF_MAP_TYPE_CGROUP_ARRAY and bpf_current_task_under_cgroup against the
 * running kernel (src/maps/cgroup_array.c, src/helpers/helpers_cgroup.c):
 *
 *   - the same operations on a kernel map (bpf()) and a bpfvm map give the
 *     same errno: attributes, cgroup fds and fds that are not cgroups,
 *     flags, indices, user-space lookups, deletes;
 *   - cgroup_filter.bpf.o, loaded by libbpf into the kernel and by bpfvm,
 *     with the same slots, run (raw_tp test run, on this thread) while the
 *     process sits in a cgroup of its own: the same answers for the
 *     thread's cgroup, the root, a child of it, an empty slot and an index
 *     past the end.
 *
 * The test makes two cgroups under the cgroup2 mount, moves itself into
 * the first and back to where it was, and removes them. Exits 77 without a
 * usable bpf() or a cgroup2 mount it may write.
 *
 *   usage: test_cgroup_array CGROUP_FILTER.bpf.o */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfvm/bpfvm.h"
#include "../testlib.h"

#define SKIP 77
#define SLOTS 4
#define ENOTSUPP_ 524

static char mount_point[1024], home[2 * PATH_MAX], dir_a[2048], dir_c[2100];

static bool find_cgroup2(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[2 * PATH_MAX], root[PATH_MAX], point[PATH_MAX];

	while (f && fgets(line, sizeof(line), f)) {
		if (strstr(line, " - cgroup2 ") &&
		    sscanf(line, "%*s %*s %*s %4095s %4095s", root, point) == 2 &&
		    strcmp(root, "/") == 0) {
			snprintf(mount_point, sizeof(mount_point), "%.1023s", point);
			break;
		}
	}
	if (f)
		fclose(f);
	return mount_point[0] != '\0';
}

/* The process's cgroup v2 directory, to come back to. */
static bool find_home(void)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[PATH_MAX];

	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::/", 4) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(home, sizeof(home), "%s%s", mount_point, line + 3);
		}
	}
	if (f)
		fclose(f);
	return home[0] != '\0';
}

static int move_to(const char *dir)
{
	char path[PATH_MAX + 16];
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "we");
	if (!f)
		return -errno;
	err = fprintf(f, "%d\n", getpid()) < 0 ? -EIO : 0;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

/* ---- the map's operations, errno for errno ------------------------- */

struct op_result {
	int create, update_cg, update_dir, update_file, update_badfd, update_noexist,
		update_past, lookup, delete_full, delete_empty, delete_past, bad_value_size,
		rdonly_prog;
};

static int kernel_ops(struct op_result *r, int cg_fd, int dir_fd, int file_fd)
{
	LIBBPF_OPTS(bpf_map_create_opts, rdonly, .map_flags = BPF_F_RDONLY_PROG);
	uint32_t key = 0, past = SLOTS, value;
	int fd = bpf_map_create(BPF_MAP_TYPE_CGROUP_ARRAY, NULL, 4, 4, SLOTS, NULL);
	int other;

#define K(expr) ((expr) ? -errno : 0)
	r->create = fd < 0 ? -errno : 0;
	if (fd < 0)
		return r->create;
	r->update_cg = K(bpf_map_update_elem(fd, &key, &cg_fd, BPF_ANY));
	r->update_dir = K(bpf_map_update_elem(fd, &key, &dir_fd, BPF_ANY));
	r->update_file = K(bpf_map_update_elem(fd, &key, &file_fd, BPF_ANY));
	value = (uint32_t)-1;
	r->update_badfd = K(bpf_map_update_elem(fd, &key, &value, BPF_ANY));
	r->update_noexist = K(bpf_map_update_elem(fd, &key, &cg_fd, BPF_NOEXIST));
	r->update_past = K(bpf_map_update_elem(fd, &past, &cg_fd, BPF_ANY));
	r->lookup = K(bpf_map_lookup_elem(fd, &key, &value));
	r->delete_full = K(bpf_map_delete_elem(fd, &key));
	r->delete_empty = K(bpf_map_delete_elem(fd, &key));
	r->delete_past = K(bpf_map_delete_elem(fd, &past));
	close(fd);
	other = bpf_map_create(BPF_MAP_TYPE_CGROUP_ARRAY, NULL, 4, 8, SLOTS, NULL);
	r->bad_value_size = other < 0 ? -errno : 0;
	if (other >= 0)
		close(other);
	other = bpf_map_create(BPF_MAP_TYPE_CGROUP_ARRAY, NULL, 4, 4, SLOTS, &rdonly);
	r->rdonly_prog = other < 0 ? -errno : 0;
	if (other >= 0)
		close(other);
#undef K
	return 0;
}

static int bpfvm_create_cg(struct bpfvm *vm, uint32_t value_size, uint32_t flags,
			   struct bpfvm_map **map)
{
	struct bpfvm_map_create_opts opts = { .sz = sizeof(opts), .map_flags = flags };

	return bpfvm_map_create(vm, BPF_MAP_TYPE_CGROUP_ARRAY, "cg", 4, value_size, SLOTS, &opts,
				map);
}

static void bpfvm_ops(struct bpfvm *vm, struct op_result *r, int cg_fd, int dir_fd,
		      int file_fd)
{
	uint32_t key = 0, past = SLOTS, value = (uint32_t)-1;
	struct bpfvm_map *map = NULL, *other = NULL;

	r->create = bpfvm_create_cg(vm, 4, 0, &map);
	if (r->create)
		return;
	r->update_cg = bpfvm_map_update(map, &key, &cg_fd, BPF_ANY);
	r->update_dir = bpfvm_map_update(map, &key, &dir_fd, BPF_ANY);
	r->update_file = bpfvm_map_update(map, &key, &file_fd, BPF_ANY);
	r->update_badfd = bpfvm_map_update(map, &key, &value, BPF_ANY);
	r->update_noexist = bpfvm_map_update(map, &key, &cg_fd, BPF_NOEXIST);
	r->update_past = bpfvm_map_update(map, &past, &cg_fd, BPF_ANY);
	r->lookup = bpfvm_map_lookup(map, &key, &value);
	r->delete_full = bpfvm_map_delete(map, &key);
	r->delete_empty = bpfvm_map_delete(map, &key);
	r->delete_past = bpfvm_map_delete(map, &past);
	bpfvm_map_close(map);
	r->bad_value_size = bpfvm_create_cg(vm, 8, 0, &other);
	if (!r->bad_value_size)
		bpfvm_map_close(other);
	r->rdonly_prog = bpfvm_create_cg(vm, 4, BPF_F_RDONLY_PROG, &other);
	if (!r->rdonly_prog)
		bpfvm_map_close(other);
}

static void compare_ops(struct bpfvm *vm)
{
	struct op_result k = { 0 }, v = { 0 };
	int cg_fd = open(mount_point, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int dir_fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int file_fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	const char *names[] = { "create", "update with a cgroup", "update with a directory",
				"update with a file", "update with a bad fd",
				"update BPF_NOEXIST", "update past the end", "lookup",
				"delete a slot", "delete an empty slot", "delete past the end",
				"value_size 8", "BPF_F_RDONLY_PROG" };
	const int *ki = &k.create, *vi = &v.create;

	kernel_ops(&k, cg_fd, dir_fd, file_fd);
	bpfvm_ops(vm, &v, cg_fd, dir_fd, file_fd);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		testlib_check(names[i], ki[i] == vi[i], "the kernel %d, bpfvm %d", ki[i], vi[i]);
	testlib_check("lookup is ENOTSUPP", v.lookup == -ENOTSUPP_, "bpfvm %d", v.lookup);
	close(cg_fd);
	close(dir_fd);
	close(file_fd);
}

/* ---- the helper, in a program --------------------------------------- */

static const char *slot_dirs[SLOTS]; /* NULL: left empty */

static int fill_fd_slots(int (*update)(void *map, uint32_t key, int fd), void *map)
{
	for (uint32_t i = 0; i < SLOTS; i++) {
		int fd, err;

		if (!slot_dirs[i])
			continue;
		fd = open(slot_dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		err = update(map, i, fd);
		close(fd);
		if (err)
			return err;
	}
	return 0;
}

static int kernel_update(void *map, uint32_t key, int fd)
{
	return bpf_map_update_elem(bpf_map__fd(map), &key, &fd, BPF_ANY) ? -errno : 0;
}

static int bpfvm_update(void *map, uint32_t key, int fd)
{
	return bpfvm_map_update(map, &key, &fd, BPF_ANY);
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return 0;
}

static int kernel_run(const char *path, long *under, size_t size)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	uint64_t args[1] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, run, .ctx_in = args, .ctx_size_in = sizeof(args));
	struct bpf_map *bss;
	int err = libbpf_get_error(obj), zero = 0;

	if (err)
		return err;
	err = bpf_object__load(obj);
	if (!err)
		err = fill_fd_slots(kernel_update, bpf_object__find_map_by_name(obj, "cgroup_map"));
	if (!err && bpf_prog_test_run_opts(bpf_program__fd(bpf_object__find_program_by_name(
						   obj, "filter_by_cgroup")), &run))
		err = -errno;
	bss = err ? NULL : bpf_object__find_map_by_name(obj, "cgroup_f.bss");
	if (!err && (!bss || bpf_map__value_size(bss) < size))
		err = -ENOENT;
	if (!err && bpf_map_lookup_elem(bpf_map__fd(bss), &zero, under))
		err = -errno;
	bpf_object__close(obj);
	return err;
}

static int bpfvm_run(struct bpfvm *vm, const char *path, long *under, size_t size)
{
	uint64_t args[1] = { 0 };
	struct bpfvm_test_run_opts run = { .sz = sizeof(run), .ctx_in = args,
					   .ctx_size_in = sizeof(args) };
	struct bpfvm_object *obj = NULL;
	struct bpfvm_map *bss;
	uint8_t value[4096];
	int err = bpfvm_object_open(vm, path, NULL, &obj), zero = 0;

	if (!err)
		err = bpfvm_object_load(obj);
	if (!err)
		err = fill_fd_slots(bpfvm_update, bpfvm_object_find_map(obj, "cgroup_map"));
	if (!err)
		err = bpfvm_prog_test_run(bpfvm_object_find_prog(obj, "filter_by_cgroup"), &run);
	bss = err ? NULL : bpfvm_object_find_map(obj, ".bss");
	if (!err && (!bss || bpfvm_map_value_size_user(bss) > sizeof(value)))
		err = -ENOENT;
	if (!err)
		err = bpfvm_map_lookup(bss, &zero, value);
	if (!err)
		memcpy(under, value, size);
	bpfvm_object_close(obj);
	return err;
}

static void compare_runs(struct bpfvm *vm, const char *path, const char *where)
{
	long k[SLOTS + 1] = { 0 }, v[SLOTS + 1] = { 0 };
	int kerr = kernel_run(path, k, sizeof(k)), verr = bpfvm_run(vm, path, v, sizeof(v));

	testlib_check(where, kerr == 0 && verr == 0, "kernel run %d, bpfvm run %d (%s)", kerr,
		      verr, verr ? bpfvm_errmsg() : "");
	printf("%s: the kernel says %ld %ld %ld %ld %ld, bpfvm %ld %ld %ld %ld %ld\n", where, k[0],
	       k[1], k[2], k[3], k[4], v[0], v[1], v[2], v[3], v[4]);
	for (int i = 0; !kerr && !verr && i <= SLOTS; i++)
		testlib_check(where, k[i] == v[i], "slot %d (%s): the kernel %ld, bpfvm %ld", i,
			      i < SLOTS && slot_dirs[i] ? slot_dirs[i] : "none", k[i], v[i]);
}

int main(int argc, char **argv)
{
	struct bpfvm *vm;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CGROUP_FILTER.bpf.o\n", argv[0]);
		return 2;
	}
	libbpf_set_print(quiet);
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL);
	if (fd < 0) {
		printf("SKIP the kernel is the reference: bpf() is not usable (%s)\n",
		       strerror(errno));
		return SKIP;
	}
	close(fd);
	if (!find_cgroup2() || !find_home()) {
		printf("SKIP no cgroup2 mount, or this process is in no cgroup v2\n");
		return SKIP;
	}
	snprintf(dir_a, sizeof(dir_a), "%s/bpfvm_cgarray_%d", mount_point, getpid());
	snprintf(dir_c, sizeof(dir_c), "%s/child", dir_a);
	if (mkdir(dir_a, 0755) || mkdir(dir_c, 0755)) {
		printf("SKIP cannot make a cgroup under %s: %s\n", mount_point, strerror(errno));
		rmdir(dir_a);
		return SKIP;
	}
	vm = testlib_vm_create();
	compare_ops(vm);
	slot_dirs[0] = dir_a;
	slot_dirs[1] = mount_point;
	slot_dirs[2] = dir_c;
	slot_dirs[3] = NULL;
	compare_runs(vm, argv[1], "at home");
	if (move_to(dir_a) == 0) {
		compare_runs(vm, argv[1], "in a cgroup of its own");
		testlib_check("moved back", move_to(home) == 0, "%s", strerror(errno));
	} else {
		testlib_check("move into a cgroup", false, "%s", strerror(errno));
	}
	rmdir(dir_c);
	rmdir(dir_a);
	bpfvm_destroy(vm);
	return testlib_summary();
}
