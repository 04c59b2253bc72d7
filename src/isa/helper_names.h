/* Names of the kernel's BPF helpers, by helper id, as the kernel's
 * disassembler prints them ("bpf_map_lookup_elem" for id 1). The table is
 * generated from linux/bpf.h's __BPF_FUNC_MAPPER, so it follows the UAPI
 * header the project is built against. */
#ifndef BPFVM_ISA_HELPER_NAMES_H
#define BPFVM_ISA_HELPER_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* The kernel name of helper `id` ("bpf_..."), or NULL if the header knows no
 * helper with that id. */
const char *isa_helper_name(int64_t id);

/* The id of the helper called `name` (its first `len` characters), with or
 * without the "bpf_" prefix; -1 if there is none. */
int64_t isa_helper_id(const char *name, size_t len);

#endif
