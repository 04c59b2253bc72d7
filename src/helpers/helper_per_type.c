/* The per-type helper functions (helper_per_type.h). */
#include <stddef.h>

#include "helpers/helper_per_type.h"
#include "helpers/helper_proto.h"
#include "helpers/helper_table.h"

struct helper_per_type {
	enum bpf_prog_type type;
	uint32_t id;
	bpfvm_helper_fn fn;
};

static const struct helper_per_type per_type[] = {
	{ BPF_PROG_TYPE_SK_SKB, BPF_FUNC_skb_adjust_room, helper_sk_skb_adjust_room },
};

bpfvm_helper_fn helper_fn_for_type(const struct helper_entry *entry, uint32_t id,
				   enum bpf_prog_type type)
{
	if (!entry)
		return NULL;
	for (size_t i = 0; i < sizeof(per_type) / sizeof(per_type[0]); i++) {
		if (per_type[i].type == type && per_type[i].id == id)
			/* An embedder's helper (no built-in prototype) wins. */
			return entry->proto && entry->proto == helper_builtin_proto(id)
				       ? per_type[i].fn
				       : entry->fn;
	}
	return entry->fn;
}
