/* Holds of one namespace object on another's file (ns_hold.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

struct ns_slot_hold {
	uint32_t prog_id, index;
};

/* The slot holds of `array_id` in the programs' directory, read whole
 * before any is dropped (dropping one may remove other entries). */
static size_t ns_hold_find_slots(const struct ns *ns, uint32_t array_id,
				 struct ns_slot_hold **holds_out)
{
	char dir_path[PATH_MAX + 64];
	struct ns_slot_hold *holds = NULL, hold;
	size_t count = 0, cap = 0;
	struct dirent *entry;
	uint32_t array;
	char end;
	DIR *dir;

	ns_hold_dir(ns, NS_KIND_PROG, dir_path, sizeof(dir_path));
	dir = opendir(dir_path);
	while (dir && (entry = readdir(dir))) {
		if (sscanf(entry->d_name, "%u.slot.%u.%u%c", &hold.prog_id, &array, &hold.index,
			   &end) != 3 || array != array_id)
			continue;
		if (count == cap) {
			struct ns_slot_hold *more = realloc(holds, (cap ? 2 * cap : 8) * sizeof(hold));

			if (!more)
				break;
			holds = more;
			cap = cap ? 2 * cap : 8;
		}
		holds[count++] = hold;
	}
	if (dir)
		closedir(dir);
	*holds_out = holds;
	return count;
}

void ns_hold_drop_slots(struct ns *ns, uint32_t array_id)
{
	struct ns_slot_hold *holds;
	size_t count = ns_hold_find_slots(ns, array_id, &holds);
	char holder[48];

	for (size_t i = 0; i < count; i++) {
		snprintf(holder, sizeof(holder), "slot.%u.%u", array_id, holds[i].index);
		ns_hold_drop_locked(ns, NS_KIND_PROG, holds[i].prog_id, holder);
	}
	free(holds);
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
