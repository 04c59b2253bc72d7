/* Loads through kernel objects (PTR_TO_BTF_ID) whose fields sit in
 * anonymous unions and structs, as the kernel's btf_struct_access walks
 * them: a member struct found at the access's offset is walked on from its
 * start, so a pointer first in an anonymous union is a pointer (not a
 * number), half of it is refused, and an access wider than the member
 * struct is refused there. Each program of iter/btf_walk_anon.bpf.c is
 * loaded alone by bpfvm and, when bpf() is usable, by the kernel through
 * libbpf: same verdict, the kernel's words. */
#include <stdio.h>

#include "../testlib.h"
#include "object_verdict.h"

static const struct object_case cases[] = {
	{ "walk_meta_seq", NULL },
	{ "walk_union_first_ptr", NULL },
	{ "walk_union_half_ptr", "cannot access ptr member mnt with moff 0 in struct path with "
	  "off 0 size 4" },
	{ "walk_past_member_struct", "access beyond struct refcount_struct at off 0 size 8" },
	{ "walk_member_struct_int", NULL },
	{ "walk_store_refused", "only read is supported" },
};

int main(int argc, char **argv)
{
	struct bpfvm *vm = testlib_vm_create();
	char path[512];

	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJDIR\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/btf_walk_anon.bpf.o", argv[1]);
	object_verdict_run(vm, path, cases, sizeof(cases) / sizeof(cases[0]));
	bpfvm_destroy(vm);
	return testlib_summary();
}
