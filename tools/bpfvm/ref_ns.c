/* HOOK(namespace): references that only the namespace can resolve.
 *
 * bpfvm has no namespace yet (issue 7, src/ns/): nothing is pinned and ids
 * live only as long as the command's runtime. When it lands, these two
 * functions look `pinned FILE` up in it (and `id N` among the namespace's
 * ids, for references without `of OBJ`), returning a reference that
 * cli_object_close() drops; ref.c's table routes every `pinned` here. */
#include "bpfvm/bpfvm.h"
#include "cli.h"
#include "ref.h"

int cli_ns_map(struct cli_object *co, const struct cli_ref *ref, struct bpfvm_map **map)
{
	(void)co;
	*map = NULL;
	return cli_error("pinned %s: bpfvm has no namespace to pin in yet; "
			 "use 'name MAP of OBJ' or 'id N of OBJ'", ref->path);
}

int cli_ns_prog(struct cli_object *co, const struct cli_ref *ref, struct bpfvm_prog **prog)
{
	(void)co;
	*prog = NULL;
	return cli_error("pinned %s: bpfvm has no namespace to pin in yet; "
			 "use 'name PROG of OBJ' or 'id N of OBJ'", ref->path);
}
