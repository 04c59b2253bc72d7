/* The table of program types. Each context family's file defines its
 * entries; this is the only place that lists them. */
#include <stddef.h>

#include "progtypes/progtype.h"

static const struct progtype *const progtypes[] = {
	&progtype_raw,
	&progtype_xdp,
	&progtype_socket_filter,
	&progtype_sched_cls,
	&progtype_sched_act,
	&progtype_cgroup_skb,
	&progtype_raw_tracepoint,
};

const struct progtype *progtype_for(enum bpf_prog_type type)
{
	for (size_t i = 0; i < sizeof(progtypes) / sizeof(progtypes[0]); i++)
		if (progtypes[i]->type == type)
			return progtypes[i];
	return NULL;
}
