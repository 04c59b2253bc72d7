/* A BTF type's kind as the kernel words it (btf_type_str()), for the
 * verifier's messages and the CLI's `btf dump`. */
#ifndef BPFVM_OBJECT_BTF_KIND_NAME_H
#define BPFVM_OBJECT_BTF_KIND_NAME_H

#include <bpf/btf.h>

/* "STRUCT", "PTR", ...; "UNKNOWN" for NULL or a kind this table lacks. */
const char *btf_kind_name(const struct btf_type *type);

#endif
