/* The built-in helpers: every file of src/helpers/ exports a table of kernel
 * prototypes (helper_proto.h); this file lists the tables, registers them in
 * a new runtime and answers "what is helper N" for the loader and verifier. */
#include <stddef.h>

#include "helpers/helper_proto.h"
#include "helpers/helper_table.h"
#include "core/runtime.h"

static const struct helper_proto *helper_builtin_table(size_t idx)
{
	const struct helper_proto *tables[] = {
		helper_protos_maps, helper_protos_misc,	     helper_protos_trace,
		helper_protos_ringbuf, helper_protos_perf,   helper_protos_callbacks,
		helper_protos_packet, helper_protos_probe,   helper_protos_redirect,
		helper_protos_storage, helper_protos_sock_ops, helper_protos_cgroup,
		helper_protos_sockmap, helper_protos_skb_room, helper_protos_fib,
		helper_protos_net_state, helper_protos_seq,   helper_protos_user_copy,
		helper_protos_sock,
	};

	return idx < sizeof(tables) / sizeof(tables[0]) ? tables[idx] : NULL;
}

int helpers_register_builtins(struct bpfvm *vm)
{
	const struct helper_proto *proto;

	for (size_t t = 0; (proto = helper_builtin_table(t)); t++) {
		for (; proto->name; proto++) {
			int err = helper_table_set(&vm->helpers, proto->id, proto->name,
						   proto->fn, proto);

			if (err)
				return err;
		}
	}
	return 0;
}

const struct helper_proto *helper_builtin_proto(uint32_t id)
{
	const struct helper_proto *proto;

	for (size_t t = 0; (proto = helper_builtin_table(t)); t++) {
		for (; proto->name; proto++)
			if (proto->id == id)
				return proto;
	}
	return NULL;
}
