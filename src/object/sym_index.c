/* Sorted symbol indexes (sym_index.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "object/sym_index.h"

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int by_name(const void *a, const void *b)
{
	const struct sym_entry *x = a, *y = b;
	int c = cmp_u64(x->shndx, y->shndx);

	c = c ? c : strcmp(x->name, y->name);
	return c ? c : cmp_u64(x->order, y->order);
}

static int by_value(const void *a, const void *b)
{
	const struct sym_entry *x = a, *y = b;
	int c = cmp_u64(x->shndx, y->shndx);

	c = c ? c : cmp_u64(x->value, y->value);
	return c ? c : cmp_u64(x->order, y->order);
}

/* The named symbols of `type` (-1: all but STT_SECTION), in `order`. */
static int sym_index_build(struct sym_index *index, const struct elf_reader *reader,
			   int type, int (*order)(const void *, const void *))
{
	index->cnt = 0;
	index->entries = malloc((reader->sym_cnt ? reader->sym_cnt : 1) * sizeof(*index->entries));
	if (!index->entries)
		return -ENOMEM;
	for (size_t i = 1; i < reader->sym_cnt; i++) {
		const Elf64_Sym *sym = &reader->syms[i];
		const char *name = reader_sym_name(reader, sym);

		unsigned sym_type = ELF64_ST_TYPE(sym->st_info);

		if (!name || (type < 0 ? sym_type == STT_SECTION : sym_type != (unsigned)type))
			continue;
		index->entries[index->cnt++] = (struct sym_entry){
			.shndx = sym->st_shndx, .order = (uint32_t)i, .type = sym_type,
			.value = sym->st_value, .name = name,
		};
	}
	qsort(index->entries, index->cnt, sizeof(*index->entries), order);
	return 0;
}

int sym_index_names(struct sym_index *index, const struct elf_reader *reader)
{
	return sym_index_build(index, reader, -1, by_name);
}

int sym_index_functions(struct sym_index *index, const struct elf_reader *reader)
{
	return sym_index_build(index, reader, STT_FUNC, by_value);
}

void sym_index_free(struct sym_index *index)
{
	free(index->entries);
	index->entries = NULL;
	index->cnt = 0;
}

/* The first entry not before (shndx, name) or (shndx, -) in the order. */
static size_t lower_bound(const struct sym_index *index, uint32_t shndx, const char *name)
{
	size_t lo = 0, hi = index->cnt;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct sym_entry *e = &index->entries[mid];
		int c = cmp_u64(e->shndx, shndx);

		if (!c && name)
			c = strcmp(e->name, name);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool sym_index_value_of(const struct sym_index *index, uint32_t shndx, const char *name,
			int type, uint32_t *value)
{
	for (size_t i = lower_bound(index, shndx, name); i < index->cnt; i++) {
		const struct sym_entry *e = &index->entries[i];

		if (e->shndx != shndx || strcmp(e->name, name) != 0)
			break;
		if ((type < 0 || e->type == (uint32_t)type) && e->value <= UINT32_MAX) {
			*value = (uint32_t)e->value;
			return true;
		}
	}
	return false;
}

const struct sym_entry *sym_index_section(const struct sym_index *index, uint32_t shndx,
					  size_t *cnt)
{
	size_t first = lower_bound(index, shndx, NULL), last = first;

	while (last < index->cnt && index->entries[last].shndx == shndx)
		last++;
	*cnt = last - first;
	return *cnt ? &index->entries[first] : NULL;
}
