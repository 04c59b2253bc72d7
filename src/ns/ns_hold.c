/* Holds of one namespace object on another's file (ns_hold.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
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

uint32_t ns_hold_count(const struct ns *ns, uint32_t kind, uint32_t id)
{
	char dir_path[PATH_MAX + 64], prefix[16];
	struct dirent *entry;
	uint32_t count = 0;
	size_t prefix_len;
	char *slash;
	DIR *dir;

	/* The holds sit next to the file: "<id>." in its directory. */
	ns_object_file(ns, kind, id, dir_path, sizeof(dir_path));
	slash = strrchr(dir_path, '/');
	if (!slash)
		return 0;
	*slash = '\0';
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
