/* object_read(): the reader's steps in libbpf's order, and the object file's
 * lifetime. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "core/error.h"
#include "object/elf_reader.h"

struct object_map *reader_add_map(struct elf_reader *reader)
{
	struct object_file *file = reader->file;
	struct object_map *maps = realloc(file->maps, (file->map_cnt + 1) * sizeof(*maps));

	if (!maps) {
		reader_error(reader, -ENOMEM, "out of memory");
		return NULL;
	}
	file->maps = maps;
	memset(&maps[file->map_cnt], 0, sizeof(*maps));
	return &maps[file->map_cnt++];
}

static int reader_load_btf(struct elf_reader *reader)
{
	for (size_t idx = 1; idx < reader->sec_cnt; idx++) {
		const struct elf_sec *sec = &reader->secs[idx];
		long err;

		if (strcmp(sec->name, ".BTF") != 0)
			continue;
		if (!sec->data || sec->size > UINT32_MAX)
			return reader_error(reader, -EINVAL, "section '.BTF': empty or too large");
		err = reader_btf_check_header(reader, sec->data, sec->size);
		if (err)
			return err;
		reader->btf = reader_btf_new_quietly(sec->data, (uint32_t)sec->size);
		err = libbpf_get_error(reader->btf);
		if (err || !reader->btf) {
			reader->btf = NULL;
			return reader_error(reader, -EINVAL, "section '.BTF': malformed BTF (%ld)",
					    err);
		}
		return reader_btf_check_types(reader);
	}
	return 0;
}

static int reader_run(struct elf_reader *reader)
{
	int err = reader_open_elf(reader);

	err = err ? err : reader_classify_sections(reader);
	err = err ? err : reader_load_btf(reader);
	err = err ? err : reader_collect_programs(reader);
	err = err ? err : reader_check_externs(reader);
	err = err ? err : reader_check_btf_ext(reader);
	/* libbpf's map order: legacy, BTF-defined, global data, .kconfig. */
	err = err ? err : reader_collect_legacy_maps(reader);
	err = err ? err : reader_collect_btf_maps(reader);
	err = err ? err : reader_collect_data_maps(reader);
	err = err ? err : reader_collect_kconfig(reader);
	err = err ? err : reader_find_spin_locks(reader);
	err = err ? err : reader_collect_prog_relocs(reader);
	err = err ? err : reader_collect_map_slots(reader);
	err = err ? err : reader_check_btf_ext_records(reader);
	return err;
}

static void reader_release(struct elf_reader *reader)
{
	btf__free(reader->btf);
	free(reader->kcfg);
	free((void *)reader->syms);
	free(reader->secs);
	if (reader->elf)
		elf_end(reader->elf);
}

int object_read(const void *buf, size_t size, const char *path, const char *obj_name,
		const struct object_read_opts *opts, struct object_file **file_out)
{
	struct elf_reader reader = { 0 };
	struct object_file *file = calloc(1, sizeof(*file));
	int err;

	if (!file) {
		vm_error("%s: out of memory", path);
		return -ENOMEM;
	}
	file->path = strdup(path);
	file->name = strdup(obj_name);
	file->image = malloc(size ? size : 1);
	if (!file->path || !file->name || !file->image) {
		object_file_free(file);
		vm_error("%s: out of memory", path);
		return -ENOMEM;
	}
	memcpy(file->image, buf, size);
	file->image_size = size;
	reader.file = file;
	reader.btf_custom_path = opts ? opts->btf_custom_path : NULL;
	reader.core_skip_kernel = opts && opts->skip_kernel_btf;
	reader.kconfig = opts ? opts->kconfig : NULL;
	err = reader_run(&reader);
	reader_release(&reader);
	if (err) {
		object_file_free(file);
		return err;
	}
	free(file->image);
	file->image = NULL;
	*file_out = file;
	return 0;
}

void object_file_free(struct object_file *file)
{
	if (!file)
		return;
	for (uint32_t i = 0; i < file->prog_cnt; i++) {
		free(file->progs[i].name);
		free(file->progs[i].section);
		free(file->progs[i].insns);
		free(file->progs[i].relocs);
	}
	for (uint32_t i = 0; i < file->map_cnt; i++) {
		free(file->maps[i].name);
		free(file->maps[i].real_name);
		free(file->maps[i].data);
		free(file->maps[i].slots);
	}
	for (uint32_t i = 0; i < file->note_cnt; i++)
		free(file->notes[i]);
	free(file->notes);
	for (uint32_t i = 0; i < file->extern_cnt; i++)
		free(file->externs[i].name);
	free(file->externs);
	free(file->progs);
	free(file->maps);
	free(file->image);
	free(file->path);
	free(file->name);
	free(file);
}

int object_find_prog(const struct object_file *file, const char *name)
{
	for (uint32_t i = 0; i < file->prog_cnt; i++) {
		if (!file->progs[i].is_subprog && strcmp(file->progs[i].name, name) == 0)
			return (int)i;
	}
	return -1;
}

int object_find_map(const struct object_file *file, const char *name)
{
	for (uint32_t i = 0; i < file->map_cnt; i++) {
		if (strcmp(file->maps[i].name, name) == 0 ||
		    strcmp(file->maps[i].real_name, name) == 0)
			return (int)i;
	}
	return -1;
}

void object_name_from_path(const char *path, char name[16])
{
	const char *base = strrchr(path, '/');
	char *dot;

	base = base ? base + 1 : path;
	strncpy(name, base, 15);
	name[15] = '\0';
	dot = strchr(name, '.');
	if (dot)
		*dot = '\0';
}
