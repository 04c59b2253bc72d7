/* Helper id <-> name, generated from the UAPI header's own list of helpers
 * (__BPF_FUNC_MAPPER) rather than a pasted copy, so that a newer header brings
 * its new helpers with it. Newer headers pass (name, id, ctx...) to the
 * mapper, older ones (name) only; the entry macro accepts both. The mapper
 * puts the commas between entries itself. */
#include <stdbool.h>
#include <string.h>

#include <linux/bpf.h>

#include "isa/helper_names.h"

#define HELPER_NAME_ENTRY(name, ...) [BPF_FUNC_##name] = "bpf_" #name

static const char *const helper_names[__BPF_FUNC_MAX_ID] = {
	__BPF_FUNC_MAPPER(HELPER_NAME_ENTRY)
};

#undef HELPER_NAME_ENTRY

const char *isa_helper_name(int64_t id)
{
	if (id < 0 || id >= __BPF_FUNC_MAX_ID)
		return NULL;
	return helper_names[id];
}

static bool helper_name_matches(const char *known, const char *name, size_t len)
{
	return strlen(known) == len && memcmp(known, name, len) == 0;
}

int64_t isa_helper_id(const char *name, size_t len)
{
	static const char prefix[] = "bpf_";
	size_t prefix_len = sizeof(prefix) - 1;
	int64_t id;

	for (id = 0; id < __BPF_FUNC_MAX_ID; id++) {
		const char *known = helper_names[id];

		if (!known)
			continue;
		if (helper_name_matches(known, name, len) ||
		    helper_name_matches(known + prefix_len, name, len))
			return id;
	}
	return -1;
}
