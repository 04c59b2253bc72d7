/* Prints what the object reader finds in a file: a debugging aid for the
 * object tests (`object_dump FILE`). */
#include <stdio.h>
#include <stdlib.h>

#include "bpfvm/bpfvm.h"
#include "object/object.h"

static const char *reloc_kind_name(enum object_reloc_kind kind)
{
	static const char *const names[] = { "map", "map_value", "call", "func_addr" };

	return names[kind];
}

int main(int argc, char **argv)
{
	struct object_file *file;
	char *buf;
	long size;
	FILE *f;
	int err;

	if (argc != 2 || !(f = fopen(argv[1], "rb"))) {
		fprintf(stderr, "usage: object_dump FILE\n");
		return 2;
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	buf = malloc(size);
	if (fread(buf, 1, size, f) != (size_t)size)
		return 2;
	fclose(f);
	err = object_read(buf, size, argv[1], "dump", NULL, &file);
	free(buf);
	if (err) {
		printf("error %d: %s\n", err, bpfvm_errmsg());
		return 1;
	}
	printf("license '%s'\n", file->license);
	for (uint32_t i = 0; i < file->prog_cnt; i++) {
		const struct object_prog *p = &file->progs[i];

		printf("prog %u '%s' sec '%s' off %u cnt %u sub %d type %u attach %u flags %u\n", i,
		       p->name, p->section, p->sec_insn_off, p->insn_cnt, p->is_subprog, p->type,
		       p->expected_attach_type, p->prog_flags);
		for (uint32_t r = 0; r < p->reloc_cnt; r++)
			printf("    reloc insn %u %s map %u sym_off %llu\n", p->relocs[r].insn_idx,
			       reloc_kind_name(p->relocs[r].kind), p->relocs[r].map_idx,
			       (unsigned long long)p->relocs[r].sym_off);
	}
	for (uint32_t i = 0; i < file->map_cnt; i++) {
		const struct object_map *m = &file->maps[i];

		printf("map %u '%s' (%s) kind %d type %u key %u value %u max %u flags 0x%x pin %u "
		       "inner %d (type %u key %u value %u max %u)\n", i, m->name, m->real_name,
		       m->kind, m->def.type, m->def.key_size, m->def.value_size,
		       m->def.max_entries, m->def.map_flags, m->def.pinning, m->has_inner,
		       m->inner.type, m->inner.key_size, m->inner.value_size, m->inner.max_entries);
		for (uint32_t s = 0; s < m->slot_cnt; s++)
			printf("    slot [%u] = %u\n", m->slots[s].index, m->slots[s].target);
	}
	for (uint32_t i = 0; i < file->note_cnt; i++)
		printf("note: %s\n", file->notes[i]);
	object_file_free(file);
	return 0;
}
