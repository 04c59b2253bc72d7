/* An outer map's holds on its inner maps: hard links (ns_map_hold.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "ns/ns.h"
#include "ns/ns_map_hold.h"

/* "<root>/.bpfvm/maps/<outer>.in" */
static void ns_map_hold_dir(const struct ns *ns, uint32_t outer_id, char *buf, size_t size)
{
	char outer[PATH_MAX + 64];

	ns_map_file(ns, outer_id, outer, sizeof(outer));
	snprintf(buf, size, "%s.in", outer);
}

int ns_map_hold_take(struct ns *ns, uint32_t outer_id, uint32_t inner_id)
{
	char dir[PATH_MAX + 80], hold[PATH_MAX + 96], inner[PATH_MAX + 64];

	ns_map_hold_dir(ns, outer_id, dir, sizeof(dir));
	snprintf(hold, sizeof(hold), "%s/%u", dir, inner_id);
	ns_map_file(ns, inner_id, inner, sizeof(inner));
	if ((mkdir(dir, 0700) && errno != EEXIST) || (link(inner, hold) && errno != EEXIST)) {
		int err = -errno;

		vm_error("map %u: cannot hold map %u ('%s'): %s", outer_id, inner_id, hold,
			 strerror(errno));
		return err;
	}
	return 0;
}

/* With the registry lock held: the inner map's file goes if that was the
 * last thing keeping it. */
static void ns_map_hold_reap_inner(struct ns *ns, uint32_t inner_id)
{
	char inner[PATH_MAX + 64];
	int fd;

	ns_map_file(ns, inner_id, inner, sizeof(inner));
	fd = open(inner, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ns_map_file_reap(ns, inner_id, fd);
	close(fd);
}

void ns_map_hold_drop(struct ns *ns, uint32_t outer_id, uint32_t inner_id)
{
	char dir[PATH_MAX + 80], hold[PATH_MAX + 96];

	ns_map_hold_dir(ns, outer_id, dir, sizeof(dir));
	snprintf(hold, sizeof(hold), "%s/%u", dir, inner_id);
	if (unlink(hold))
		return;
	if (ns_lock(ns) == 0) {
		ns_map_hold_reap_inner(ns, inner_id);
		ns_unlock(ns);
	}
}

/* The inner id a hold's name gives, or 0 for another entry. */
static uint32_t ns_map_hold_id(const char *name)
{
	char *end;
	unsigned long id;

	if (name[0] < '1' || name[0] > '9')
		return 0;
	id = strtoul(name, &end, 10);
	return *end || id >= NS_ID_MAX ? 0 : (uint32_t)id;
}

int ns_map_hold_walk(struct ns *ns, uint32_t outer_id,
		     void (*fn)(void *ctx, uint32_t inner_id), void *ctx)
{
	char dir_path[PATH_MAX + 80];
	struct dirent *entry;
	DIR *dir;

	ns_map_hold_dir(ns, outer_id, dir_path, sizeof(dir_path));
	dir = opendir(dir_path);
	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while ((entry = readdir(dir)))
		if (ns_map_hold_id(entry->d_name))
			fn(ctx, ns_map_hold_id(entry->d_name));
	closedir(dir);
	return 0;
}

void ns_map_hold_drop_all_locked(struct ns *ns, uint32_t outer_id)
{
	char dir_path[PATH_MAX + 80], hold[PATH_MAX + 96];
	struct dirent *entry;
	DIR *dir;

	ns_map_hold_dir(ns, outer_id, dir_path, sizeof(dir_path));
	dir = opendir(dir_path);
	if (!dir)
		return; /* not a map of maps, or it held nothing */
	while ((entry = readdir(dir))) {
		uint32_t inner_id = ns_map_hold_id(entry->d_name);

		if (!inner_id)
			continue;
		snprintf(hold, sizeof(hold), "%s/%u", dir_path, inner_id);
		if (unlink(hold) == 0)
			ns_map_hold_reap_inner(ns, inner_id);
	}
	closedir(dir);
	rmdir(dir_path);
}
