/* Test-side BTF editing inside an ELF image (elf_edit.h): the raw .BTF
 * section's header, its types by id and its strings, to corrupt them on
 * purpose. Only for the well-formed BTF clang emits. */
#ifndef BPFVM_TESTS_OBJECT_BTF_EDIT_H
#define BPFVM_TESTS_OBJECT_BTF_EDIT_H

#include <linux/btf.h>
#include <stdbool.h>
#include <stdint.h>

#include "elf_edit.h"

struct btf_img {
	struct btf_header *hdr;
	uint8_t *types;	  /* the type section */
	const char *strs; /* the string section */
	uint32_t *offs;	  /* offs[id]: byte offset of type id in types (id >= 1) */
	uint32_t cnt;	  /* number of types + 1 (id 0 is void) */
};

/* Parses .BTF of img; false when the object has none. */
bool btf_img_open(const struct elf_img *img, struct btf_img *btf);
void btf_img_close(struct btf_img *btf);

struct btf_type *btf_img_type(const struct btf_img *btf, uint32_t id);
const char *btf_img_name(const struct btf_img *btf, const struct btf_type *t);
/* The first type of `kind` (and name, unless NULL) after id `after`, or 0. */
uint32_t btf_img_find(const struct btf_img *btf, uint32_t kind, const char *name,
		      uint32_t after);

#endif
