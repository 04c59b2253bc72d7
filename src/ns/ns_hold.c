/* Holds of one namespace object on another's file (ns_hold.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ns/ns.h"
#include "ns/ns_hold.h"

static void ns_hold_path(const struct ns *ns, uint32_t kind, uint32_t id, const char *holder,
			 char *buf, size_t size)
{
	char file[PATH_MAX + 64];

	ns_object_file(ns, kind, id, file, sizeof(file));
	snprintf(buf, size, "%s.%s", file, holder);
}

int ns_hold_take(struct ns *ns, uint32_t kind, uint32_t id, const char *holder)
{
	char file[PATH_MAX + 64], hold[PATH_MAX + 128];

	ns_object_file(ns, kind, id, file, sizeof(file));
	ns_hold_path(ns, kind, id, holder, hold, sizeof(hold));
	return link(file, hold) == 0 || errno == EEXIST ? 0 : -errno;
}

void ns_hold_drop_locked(struct ns *ns, uint32_t kind, uint32_t id, const char *holder)
{
	char file[PATH_MAX + 64], hold[PATH_MAX + 128];
	int fd;

	ns_hold_path(ns, kind, id, holder, hold, sizeof(hold));
	unlink(hold);
	/* That may have been the object's last holder. */
	ns_object_file(ns, kind, id, file, sizeof(file));
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ns_object_file_reap(ns, kind, id, fd);
	close(fd);
}

/* The directory of kind's files, in buf. */
static void ns_hold_dir(const struct ns *ns, uint32_t kind, char *buf, size_t size)
{
	char *slash;

	ns_object_file(ns, kind, 1, buf, size);
	slash = strrchr(buf, '/');
	if (slash)
		*slash = '\0';
}

void ns_hold_drop(struct ns *ns, uint32_t kind, uint32_t id, const char *holder)
{
	if (ns_lock(ns) == 0) {
		ns_hold_drop_locked(ns, kind, id, holder);
		ns_unlock(ns);
	}
}

/* Whether directory entry `name` is a hold "<id>.<holder>[.<more>]" of
 * `holder`; its id in *id. */
static bool ns_hold_matches(const char *name, const char *holder, size_t holder_len,
			    uint32_t *id)
{
	unsigned long value;
	char *rest;

	if (name[0] < '1' || name[0] > '9')
		return false;
	value = strtoul(name, &rest, 10);
	if (value >= NS_ID_MAX || *rest != '.' || strncmp(rest + 1, holder, holder_len) != 0)
		return false;
	rest += 1 + holder_len;
	*id = (uint32_t)value;
	return *rest == '\0' || *rest == '.';
}

static int ns_hold_add(struct ns_hold **holds, size_t *cap, size_t count, uint32_t id,
		       const char *holder)
{
	struct ns_hold *hold;

	if (count == *cap) {
		size_t more = *cap ? 2 * *cap : 8;
		struct ns_hold *grown = realloc(*holds, more * sizeof(**holds));

		if (!grown)
			return -ENOMEM;
		*holds = grown;
		*cap = more;
	}
	hold = &(*holds)[count];
	hold->id = id;
	snprintf(hold->holder, sizeof(hold->holder), "%s", holder);
	return 0;
}

int ns_hold_find(const struct ns *ns, uint32_t kind, const char *holder,
		 struct ns_hold **holds_out)
{
	char dir_path[PATH_MAX + 64];
	size_t holder_len = strlen(holder), count = 0, cap = 0;
	struct ns_hold *holds = NULL;
	struct dirent *entry;
	int err = 0;
	uint32_t id;
	DIR *dir;

	ns_hold_dir(ns, kind, dir_path, sizeof(dir_path));
	dir = opendir(dir_path);
	while (dir && !err && (entry = readdir(dir))) {
		if (!ns_hold_matches(entry->d_name, holder, holder_len, &id))
			continue;
		err = ns_hold_add(&holds, &cap, count, id, strchr(entry->d_name, '.') + 1);
		count += !err;
	}
	if (dir)
		closedir(dir);
	if (err) {
		free(holds);
		holds = NULL;
	}
	*holds_out = holds;
	return err ? err : (int)count;
}

void ns_hold_outer_name(uint32_t outer_id, char *buf, size_t size)
{
	snprintf(buf, size, "in.%u", outer_id);
}

/* Drops every hold ns_hold_find finds. */
static void ns_hold_drop_all_locked(struct ns *ns, uint32_t kind, const char *holder)
{
	struct ns_hold *holds;
	int count = ns_hold_find(ns, kind, holder, &holds);

	for (int i = 0; i < count; i++)
		ns_hold_drop_locked(ns, kind, holds[i].id, holds[i].holder);
	free(holds);
}

void ns_hold_drop_map_holds_locked(struct ns *ns, uint32_t map_id)
{
	char holder[32];

	snprintf(holder, sizeof(holder), "slot.%u", map_id);
	ns_hold_drop_all_locked(ns, NS_KIND_PROG, holder);
	ns_hold_outer_name(map_id, holder, sizeof(holder));
	ns_hold_drop_all_locked(ns, NS_KIND_MAP, holder);
}

uint32_t ns_hold_count(const struct ns *ns, uint32_t kind, uint32_t id)
{
	char dir_path[PATH_MAX + 64], prefix[16];
	struct dirent *entry;
	uint32_t count = 0;
	size_t prefix_len;
	DIR *dir;

	/* The holds sit next to the file: "<id>." in its directory. */
	ns_hold_dir(ns, kind, dir_path, sizeof(dir_path));
	prefix_len = (size_t)snprintf(prefix, sizeof(prefix), "%u.", id);
	dir = opendir(dir_path);
	if (!dir)
		return 0;
	while ((entry = readdir(dir)))
		if (strncmp(entry->d_name, prefix, prefix_len) == 0)
			count++;
	closedir(dir);
	return count;
}
