/* The object's symbols sorted once, so that the lookups made per DATASEC
 * variable (where libbpf places it, where a value's bpf_spin_lock lies)
 * or per .BTF.ext record (where functions start) are binary searches: a
 * scan of the symbol table per lookup was quadratic on a large object
 * (20,000 variables or functions). */
#ifndef BPFVM_OBJECT_SYM_INDEX_H
#define BPFVM_OBJECT_SYM_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "object/elf_reader.h"

struct sym_entry {
	uint32_t shndx;
	uint32_t order;	  /* the symbol's index: the first of equals wins */
	uint32_t type;	  /* STT_OBJECT, STT_FUNC, ... */
	uint64_t value;
	const char *name; /* never NULL: unreadable names are left out */
};

struct sym_index {
	struct sym_entry *entries;
	size_t cnt;
};

/* The named symbols (all but STT_SECTION ones) sorted by section and name.
 * 0 or -ENOMEM. */
int sym_index_names(struct sym_index *index, const struct elf_reader *reader);

/* The STT_FUNC symbols sorted by section and value. 0 or -ENOMEM. */
int sym_index_functions(struct sym_index *index, const struct elf_reader *reader);

void sym_index_free(struct sym_index *index);

/* Where libbpf finds a variable of a data section: the value of the first
 * symbol (by symbol index) of section `shndx` named `name`, of ELF type
 * `type` (-1: any), whose value fits 32 bits. False if none. */
bool sym_index_value_of(const struct sym_index *index, uint32_t shndx, const char *name,
			int type, uint32_t *value);

/* The symbols of section `shndx`, in the index's order: *cnt of them from
 * the returned one (NULL and 0 if none). */
const struct sym_entry *sym_index_section(const struct sym_index *index, uint32_t shndx,
					  size_t *cnt);

#endif
