/* The ELF layer of the reader: opening the image with libelf, checking the
 * header, reading every section's name and data once (bounds-checked by
 * libelf against the image), copying the symbol table, and sorting the
 * sections into kinds as libbpf's bpf_object__elf_collect does. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "object/elf_reader.h"

int reader_error(const struct elf_reader *reader, int err, const char *fmt, ...)
{
	char message[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	vm_error("%s: %s", reader->file->path, message);
	return err;
}

int reader_note(struct elf_reader *reader, const char *fmt, ...)
{
	struct object_file *file = reader->file;
	char message[512], **notes;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	notes = realloc(file->notes, (file->note_cnt + 1) * sizeof(*notes));
	if (!notes)
		return reader_error(reader, -ENOMEM, "out of memory");
	file->notes = notes;
	notes[file->note_cnt] = strdup(message);
	if (!notes[file->note_cnt])
		return reader_error(reader, -ENOMEM, "out of memory");
	file->note_cnt++;
	return 0;
}

const struct elf_sec *reader_sec(const struct elf_reader *reader, size_t idx)
{
	return idx < reader->sec_cnt ? &reader->secs[idx] : NULL;
}

size_t reader_find_sec(const struct elf_reader *reader, const char *name)
{
	for (size_t idx = 1; idx < reader->sec_cnt; idx++) {
		if (strcmp(reader->secs[idx].name, name) == 0)
			return idx;
	}
	return 0;
}

const Elf64_Sym *reader_sym(const struct elf_reader *reader, size_t idx)
{
	return idx < reader->sym_cnt ? &reader->syms[idx] : NULL;
}

const char *reader_sym_name(const struct elf_reader *reader, const Elf64_Sym *sym)
{
	if (sym->st_name == 0)
		return "";
	return elf_strptr(reader->elf, reader->strtab_idx, sym->st_name);
}

const char *reader_sym_display_name(const struct elf_reader *reader, const Elf64_Sym *sym)
{
	const struct elf_sec *sec;
	const char *name;

	if (ELF64_ST_TYPE(sym->st_info) == STT_SECTION && sym->st_name == 0) {
		sec = reader_sec(reader, sym->st_shndx);
		return sec ? sec->name : "<?>";
	}
	name = reader_sym_name(reader, sym);
	return name ? name : "<?>";
}

static int reader_check_header(struct elf_reader *reader)
{
	const char *ident;
	GElf_Ehdr ehdr;
	size_t ident_len;

	if (elf_kind(reader->elf) != ELF_K_ELF)
		return reader_error(reader, -EINVAL, "not an ELF file");
	ident = elf_getident(reader->elf, &ident_len);
	if (!ident || ident_len < EI_NIDENT || !gelf_getehdr(reader->elf, &ehdr))
		return reader_error(reader, -EINVAL, "cannot read the ELF header: %s",
				    elf_errmsg(-1));
	if (ident[EI_CLASS] != ELFCLASS64)
		return reader_error(reader, -EINVAL, "not a 64-bit ELF file");
	/* BPF objects are in the byte order of the machine that loads them. */
	if (ident[EI_DATA] != ELFDATA2LSB)
		return reader_error(reader, -ENOTSUP, "big-endian BPF object on a little-endian host");
	if (ehdr.e_type != ET_REL)
		return reader_error(reader, -EINVAL, "not a relocatable object (e_type %u)",
				    ehdr.e_type);
	if (ehdr.e_machine != EM_BPF && ehdr.e_machine != EM_NONE)
		return reader_error(reader, -EINVAL, "not a BPF object (e_machine %u)",
				    ehdr.e_machine);
	/* libelf reads section headers of its own size whatever this says. */
	if (ehdr.e_shentsize != sizeof(Elf64_Shdr))
		return reader_error(reader, -EINVAL, "section headers of %u bytes, not %zu",
				    ehdr.e_shentsize, sizeof(Elf64_Shdr));
	return 0;
}

static int reader_read_section(struct elf_reader *reader, size_t idx, size_t shstrndx)
{
	struct elf_sec *sec = &reader->secs[idx];
	Elf_Scn *scn = elf_getscn(reader->elf, idx);
	Elf_Data *data;
	const char *name;

	if (!scn || !gelf_getshdr(scn, &sec->shdr))
		return reader_error(reader, -EINVAL, "cannot read section header #%zu: %s", idx,
				    elf_errmsg(-1));
	name = elf_strptr(reader->elf, shstrndx, sec->shdr.sh_name);
	if (!name)
		return reader_error(reader, -EINVAL, "section #%zu: name offset %u out of the "
				    "section name table", idx, sec->shdr.sh_name);
	sec->name = name;
	if (sec->shdr.sh_type == SHT_NOBITS) {
		sec->size = sec->shdr.sh_size;
		return 0;
	}
	if (sec->shdr.sh_type == SHT_NULL || sec->shdr.sh_size == 0)
		return 0;
	/* libelf refuses these with "data outside the file": say what it is. */
	if (sec->shdr.sh_type == SHT_SYMTAB && sec->shdr.sh_size % sizeof(Elf64_Sym))
		return reader_error(reader, -EINVAL, "section '%s': malformed symbol table "
				    "(%llu bytes)", name, (unsigned long long)sec->shdr.sh_size);
	data = elf_getdata(scn, NULL);
	if (!data || data->d_size != sec->shdr.sh_size)
		return reader_error(reader, -EINVAL, "section '%s': data of %llu bytes at offset "
				    "%llu lies outside the file", name,
				    (unsigned long long)sec->shdr.sh_size,
				    (unsigned long long)sec->shdr.sh_offset);
	sec->data = data->d_buf;
	sec->size = data->d_size;
	/* elf_strptr would read a last name up to a NUL past the table. */
	if (sec->shdr.sh_type == SHT_STRTAB && ((const char *)sec->data)[sec->size - 1])
		return reader_error(reader, -EINVAL, "section '%s': string table does not end "
				    "with a NUL", name);
	return 0;
}

/* Every symbol's section exists: a symbol in a section that does not would
 * be silently left out of programs and maps. */
static int reader_check_symbols(struct elf_reader *reader, const struct elf_sec *sec)
{
	for (size_t i = 1; i < reader->sym_cnt; i++) {
		const Elf64_Sym *sym = &reader->syms[i];

		if (sym->st_shndx >= reader->sec_cnt && sym->st_shndx < SHN_LORESERVE)
			return reader_error(reader, -EINVAL, "section '%s': symbol '%s' (#%zu): "
					    "section #%u does not exist", sec->name,
					    reader_sym_display_name(reader, sym), i, sym->st_shndx);
	}
	return 0;
}

/* Copies the symbol table: the image may place it at any alignment. */
static int reader_read_symbols(struct elf_reader *reader, size_t idx)
{
	const struct elf_sec *sec = &reader->secs[idx];

	if (reader->syms)
		return reader_error(reader, -EINVAL, "more than one symbol table");
	if (sec->shdr.sh_entsize != sizeof(Elf64_Sym) || sec->size % sizeof(Elf64_Sym) ||
	    !sec->data)
		return reader_error(reader, -EINVAL, "section '%s': malformed symbol table",
				    sec->name);
	if (sec->shdr.sh_link == 0 || sec->shdr.sh_link >= reader->sec_cnt ||
	    reader->secs[sec->shdr.sh_link].shdr.sh_type != SHT_STRTAB)
		return reader_error(reader, -EINVAL, "section '%s': string table #%u is invalid",
				    sec->name, sec->shdr.sh_link);
	reader->sym_cnt = sec->size / sizeof(Elf64_Sym);
	reader->syms = malloc(sec->size);
	if (!reader->syms)
		return reader_error(reader, -ENOMEM, "out of memory");
	memcpy((void *)reader->syms, sec->data, sec->size);
	reader->symtab_idx = idx;
	reader->strtab_idx = sec->shdr.sh_link;
	return reader_check_symbols(reader, sec);
}

int reader_open_elf(struct elf_reader *reader)
{
	size_t shstrndx, sec_cnt;
	int err;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return reader_error(reader, -EINVAL, "libelf: %s", elf_errmsg(-1));
	reader->elf = elf_memory(reader->file->image, reader->file->image_size);
	if (!reader->elf)
		return reader_error(reader, -EINVAL, "not an ELF file: %s", elf_errmsg(-1));
	err = reader_check_header(reader);
	if (err)
		return err;
	if (elf_getshdrstrndx(reader->elf, &shstrndx) || elf_getshdrnum(reader->elf, &sec_cnt))
		return reader_error(reader, -EINVAL, "cannot read the section headers: %s",
				    elf_errmsg(-1));
	if (sec_cnt == 0 || shstrndx >= sec_cnt)
		return reader_error(reader, -EINVAL, "no section headers");
	reader->sec_cnt = sec_cnt;
	reader->secs = calloc(sec_cnt, sizeof(*reader->secs));
	if (!reader->secs)
		return reader_error(reader, -ENOMEM, "out of memory");
	reader->secs[0].name = "";
	for (size_t idx = 1; idx < sec_cnt; idx++) {
		err = reader_read_section(reader, idx, shstrndx);
		if (err)
			return err;
	}
	for (size_t idx = 1; idx < sec_cnt; idx++) {
		if (reader->secs[idx].shdr.sh_type == SHT_SYMTAB) {
			err = reader_read_symbols(reader, idx);
			if (err)
				return err;
		}
	}
	if (!reader->syms)
		return reader_error(reader, -EINVAL, "no symbol table");
	return 0;
}

static bool name_is(const char *name, const char *base)
{
	size_t len = strlen(base);

	return strncmp(name, base, len) == 0 && (name[len] == '\0' || name[len] == '.');
}

static bool sec_is_debug(const char *name)
{
	return strncmp(name, ".debug", 6) == 0 || strncmp(name, ".rel.debug", 10) == 0 ||
	       strcmp(name, ".rel.BTF") == 0 || strcmp(name, ".rel.BTF.ext") == 0 ||
	       strcmp(name, ".llvm_addrsig") == 0 || strcmp(name, ".strtab") == 0 ||
	       strcmp(name, ".symtab") == 0 || strcmp(name, ".shstrtab") == 0;
}

static int reader_classify_relo(struct elf_reader *reader, size_t idx)
{
	struct elf_sec *sec = &reader->secs[idx];
	const struct elf_sec *target;

	if (sec->shdr.sh_entsize != sizeof(Elf64_Rel) || sec->size % sizeof(Elf64_Rel) ||
	    sec->shdr.sh_info >= reader->sec_cnt)
		return reader_error(reader, -EINVAL, "section '%s': malformed relocation section",
				    sec->name);
	target = &reader->secs[sec->shdr.sh_info];
	if ((target->shdr.sh_flags & SHF_EXECINSTR) || strcmp(target->name, ".maps") == 0) {
		if (sec->shdr.sh_link != reader->symtab_idx)
			return reader_error(reader, -EINVAL, "section '%s': relocations refer to "
					    "symbol table #%u, not #%zu", sec->name,
					    sec->shdr.sh_link, reader->symtab_idx);
		sec->kind = ELF_SEC_RELO;
		return 0;
	}
	if (strcmp(target->name, ".struct_ops") == 0 || strcmp(target->name, ".struct_ops.link") == 0)
		return reader_error(reader, -ENOTSUP, "section '%s': struct_ops maps are not "
				    "supported by bpfvm", target->name);
	sec->kind = ELF_SEC_SKIPPED;
	if (sec_is_debug(sec->name))
		return 0;
	return reader_note(reader, "relocation section '%s' for section '%s' ignored, as libbpf "
			   "does", sec->name, target->name);
}

static int reader_classify_progbits(struct elf_reader *reader, size_t idx)
{
	struct elf_sec *sec = &reader->secs[idx];

	if (sec->shdr.sh_flags & SHF_EXECINSTR) {
		if (strcmp(sec->name, ".text") == 0) {
			reader->text_idx = idx;
			reader->file->text_sec_idx = (uint32_t)idx;
		}
		sec->kind = ELF_SEC_PROGS;
	} else if (name_is(sec->name, ".data")) {
		sec->kind = ELF_SEC_DATA;
	} else if (name_is(sec->name, ".rodata")) {
		sec->kind = ELF_SEC_RODATA;
	} else if (name_is(sec->name, ".struct_ops")) {
		return reader_error(reader, -ENOTSUP, "section '%s': struct_ops maps are not "
				    "supported by bpfvm", sec->name);
	} else if (strcmp(sec->name, ".addr_space.1") == 0) {
		return reader_error(reader, -ENOTSUP, "section '%s': arena maps are not "
				    "supported by bpfvm", sec->name);
	} else {
		sec->kind = ELF_SEC_SKIPPED;
		if (!sec_is_debug(sec->name))
			return reader_note(reader, "data section '%s' ignored, as libbpf does",
					   sec->name);
	}
	return 0;
}

static int reader_read_license(struct elf_reader *reader, const struct elf_sec *sec)
{
	size_t len = sec->size < sizeof(reader->file->license) - 1
			     ? sec->size : sizeof(reader->file->license) - 1;

	if (sec->data)
		memcpy(reader->file->license, sec->data, len);
	reader->file->license[len] = '\0';
	return 1;
}

static int reader_read_version(struct elf_reader *reader, const struct elf_sec *sec)
{
	if (sec->size != sizeof(uint32_t) || !sec->data)
		return reader_error(reader, -EINVAL, "section 'version': invalid size %zu",
				    sec->size);
	memcpy(&reader->file->kern_version, sec->data, sizeof(uint32_t));
	return 1;
}

/* Sections known by name, whatever their type. Returns 1 when handled. */
static int reader_classify_named(struct elf_reader *reader, size_t idx)
{
	struct elf_sec *sec = &reader->secs[idx];
	int err = 1;

	if (strcmp(sec->name, "license") == 0)
		err = reader_read_license(reader, sec);
	else if (strcmp(sec->name, "version") == 0)
		err = reader_read_version(reader, sec);
	else if (strcmp(sec->name, "maps") == 0)
		reader->maps_idx = idx;
	else if (strcmp(sec->name, ".maps") == 0)
		reader->btf_maps_idx = idx;
	else if (strcmp(sec->name, ".BTF") == 0)
		; /* parsed by object_read() once every section is known */
	else if (strcmp(sec->name, ".BTF.ext") == 0) {
		reader->btf_ext = sec->data;
		reader->btf_ext_size = sec->data ? sec->size : 0;
	} else
		return 0;
	if (err < 0)
		return err;
	sec->kind = ELF_SEC_SKIPPED;
	return 1;
}

int reader_classify_sections(struct elf_reader *reader)
{
	for (size_t idx = 1; idx < reader->sec_cnt; idx++) {
		struct elf_sec *sec = &reader->secs[idx];
		int err = reader_classify_named(reader, idx);

		if (err < 0)
			return err;
		if (err > 0 || sec->shdr.sh_type == SHT_SYMTAB)
			continue;
		if (sec->shdr.sh_type == SHT_PROGBITS && sec->size > 0)
			err = reader_classify_progbits(reader, idx);
		else if (sec->shdr.sh_type == SHT_REL)
			err = reader_classify_relo(reader, idx);
		else if (sec->shdr.sh_type == SHT_RELA &&
			 sec->shdr.sh_info < reader->sec_cnt &&
			 (reader->secs[sec->shdr.sh_info].shdr.sh_flags & SHF_EXECINSTR))
			err = reader_error(reader, -EINVAL, "section '%s': RELA relocations are "
					   "not used by the BPF target", sec->name);
		else if (sec->shdr.sh_type == SHT_NOBITS && name_is(sec->name, ".bss"))
			sec->kind = ELF_SEC_BSS;
		if (err)
			return err;
	}
	return 0;
}
