/* bpf_current_task_under_cgroup(map, index) (kernel/trace/bpf_trace.c):
 * whether the calling thread's cgroup is the CGROUP_ARRAY's cgroup at
 * `index` or a descendant of it; -E2BIG past the end, -EAGAIN for an empty
 * slot. The calling thread is the one running the program: its cgroup v2
 * path (/proc/thread-self/cgroup, "0::/a/b") under the cgroup2 mount, and
 * each directory from there up to the mount is compared, by inode number,
 * with the slot's id (maps/cgroup_array.h). Without a cgroup2 mount or a
 * v2 line the thread is under no cgroup of the map: 0.
 *
 * The mount is found once per process (/proc/self/mountinfo); a mount of
 * a subtree of the hierarchy (a bind mount whose root is not "/") is not
 * followed: the paths would not line up, and the answer is 0. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "helpers/helper_proto.h"
#include "maps/cgroup_array.h"

static char cgroup2_mount[PATH_MAX];
static pthread_once_t cgroup2_once = PTHREAD_ONCE_INIT;

/* mountinfo: "id parent major:minor root mount-point options... - type ...". */
static void cgroup2_find_mount(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[2 * PATH_MAX], root[PATH_MAX], point[PATH_MAX];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - cgroup2 ");

		if (sep && sscanf(line, "%*s %*s %*s %4095s %4095s", root, point) == 2 &&
		    strcmp(root, "/") == 0) {
			snprintf(cgroup2_mount, sizeof(cgroup2_mount), "%s", point);
			break;
		}
	}
	fclose(f);
}

/* The calling thread's cgroup directory, or false. */
static bool current_cgroup_dir(char *path, size_t size)
{
	FILE *f;
	char line[PATH_MAX];
	bool found = false;

	pthread_once(&cgroup2_once, cgroup2_find_mount);
	if (!cgroup2_mount[0])
		return false;
	f = fopen("/proc/thread-self/cgroup", "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::/", 4) != 0)
			continue;
		line[strcspn(line, "\n")] = '\0';
		found = (size_t)snprintf(path, size, "%s%s", cgroup2_mount,
					 strcmp(line + 3, "/") ? line + 3 : "") < size;
	}
	fclose(f);
	return found;
}

/* task_under_cgroup_hierarchy: the thread's cgroup or one of its
 * ancestors, up to the hierarchy's root, has this id. */
static bool current_under_cgroup(uint64_t id)
{
	char path[PATH_MAX];
	size_t root_len = strlen(cgroup2_mount);
	struct stat st;

	if (!current_cgroup_dir(path, sizeof(path)))
		return false;
	for (;;) {
		char *slash;

		if (stat(path, &st) == 0 && (uint64_t)st.st_ino == id)
			return true;
		slash = strrchr(path, '/');
		if (strlen(path) <= root_len || !slash || (size_t)(slash - path) < root_len)
			return false;
		*slash = '\0';
	}
}

static uint64_t helper_current_task_under_cgroup(uint64_t map_arg, uint64_t index, uint64_t r3,
						 uint64_t r4, uint64_t r5)
{
	const struct bpfvm_map *map = (const struct bpfvm_map *)(uintptr_t)map_arg;
	uint64_t id;

	if ((uint32_t)index >= map_max_entries(map))
		return (uint64_t)-E2BIG;
	id = cgroup_array_id(map, (uint32_t)index);
	if (!id)
		return (uint64_t)-EAGAIN;
	return current_under_cgroup(id);
}

/* Linux 6.18 has it in bpf_base_func_proto: every program type. */
const struct helper_proto helper_protos_cgroup[] = {
	{ .id = BPF_FUNC_current_task_under_cgroup, .name = "bpf_current_task_under_cgroup",
	  .fn = helper_current_task_under_cgroup, .ret = RET_INTEGER,
	  .args = { ARG_CONST_MAP_PTR, ARG_ANYTHING }, .families = HELPER_FAMILY_ANY },
	{ 0 },
};
