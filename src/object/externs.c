/* Externs: the undefined symbols of an object, as libbpf's
 * bpf_object__collect_externs. The BTF says what each is by the DATASEC that
 * holds it:
 *
 *   .ksyms    FUNC   a kfunc: recorded in object_file.externs, resolved by
 *                    name against the runtime's kfuncs at load (loader)
 *   .ksyms    VAR    a kernel variable: bpfvm has no kernel, refused
 *   .kconfig  VAR    a Kconfig value: recorded and given its value (kconfig.c)
 *
 * Anything else undefined is refused too, with its name. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "object/elf_reader.h"

/* The DATASEC in the BTF that holds `name`, and the type it names there. */
static const char *reader_extern_datasec(const struct elf_reader *reader, const char *name,
					 const struct btf_type **type_out)
{
	uint32_t cnt;

	if (!reader->btf)
		return NULL;
	cnt = btf__type_cnt(reader->btf);
	for (uint32_t id = 1; id < cnt; id++) {
		const struct btf_type *t = btf__type_by_id(reader->btf, id);
		const struct btf_var_secinfo *vsi;

		if (!t || !btf_is_datasec(t))
			continue;
		vsi = btf_var_secinfos(t);
		for (uint16_t i = 0; i < btf_vlen(t); i++) {
			const struct btf_type *var = btf__type_by_id(reader->btf, vsi[i].type);
			const char *var_name = var ? btf__name_by_offset(reader->btf, var->name_off)
						   : NULL;

			if (var_name && strcmp(var_name, name) == 0) {
				*type_out = var;
				return btf__name_by_offset(reader->btf, t->name_off);
			}
		}
	}
	return NULL;
}

static int reader_add_extern(struct elf_reader *reader, const char *name, bool is_weak)
{
	struct object_file *file = reader->file;
	struct object_extern *externs;

	if (object_find_extern(file, name) >= 0)
		return 0;
	externs = realloc(file->externs, (file->extern_cnt + 1) * sizeof(*externs));
	if (!externs)
		return reader_error(reader, -ENOMEM, "out of memory");
	file->externs = externs;
	externs[file->extern_cnt].name = strdup(name);
	externs[file->extern_cnt].is_weak = is_weak;
	if (!externs[file->extern_cnt].name)
		return reader_error(reader, -ENOMEM, "out of memory");
	file->extern_cnt++;
	return 0;
}

int reader_check_externs(struct elf_reader *reader)
{
	for (size_t i = 1; i < reader->sym_cnt; i++) {
		const Elf64_Sym *sym = &reader->syms[i];
		const struct btf_type *type = NULL;
		const char *name, *datasec;
		int bind = ELF64_ST_BIND(sym->st_info), err;

		if (sym->st_shndx != SHN_UNDEF || (bind != STB_GLOBAL && bind != STB_WEAK))
			continue;
		name = reader_sym_name(reader, sym);
		if (!name || !name[0])
			continue;
		datasec = reader_extern_datasec(reader, name, &type);
		if (datasec && strcmp(datasec, ".ksyms") == 0 && btf_is_func(type)) {
			err = reader_add_extern(reader, name, bind == STB_WEAK);
			if (err)
				return err;
			continue;
		}
		if (datasec && strcmp(datasec, ".kconfig") == 0 && btf_is_func(type))
			return reader_error(reader, -ENOTSUP, "extern function %s is unsupported "
					    "under .kconfig section", name);
		if (datasec && strcmp(datasec, ".kconfig") == 0) {
			err = reader_add_kconfig_extern(reader, name, type, bind == STB_WEAK);
			if (err)
				return err;
			continue;
		}
		return reader_error(reader, -ENOTSUP, "extern '%s' (%s): kernel symbols are not "
				    "supported by bpfvm (kfuncs are: a FUNC in .ksyms)", name,
				    ELF64_ST_TYPE(sym->st_info) == STT_FUNC ? "function" : "variable");
	}
	return 0;
}

int object_find_extern(const struct object_file *file, const char *name)
{
	for (uint32_t i = 0; i < file->extern_cnt; i++)
		if (strcmp(file->externs[i].name, name) == 0)
			return (int)i;
	return -1;
}
