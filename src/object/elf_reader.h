/* The reader's view of the ELF file while object_read() runs: the sections
 * by index with their names and checked data, the symbol table, the BTF.
 * Shared by the files of src/object/ only. */
#ifndef BPFVM_OBJECT_ELF_READER_H
#define BPFVM_OBJECT_ELF_READER_H

#include <gelf.h>
#include <libelf.h>

#include "object/object.h"

struct btf;
struct btf_type;

/* What a section is to the reader (libbpf's sec_type). */
enum elf_sec_kind {
	ELF_SEC_OTHER = 0,
	ELF_SEC_PROGS,	    /* executable: programs or .text subprograms */
	ELF_SEC_DATA,
	ELF_SEC_RODATA,
	ELF_SEC_BSS,
	ELF_SEC_RELO,	    /* relocations of an executable section or .maps */
	ELF_SEC_SKIPPED,    /* read and deliberately ignored */
};

struct elf_sec {
	const char *name;  /* never NULL: "" when the name is unreadable */
	GElf_Shdr shdr;
	const void *data;  /* NULL for NOBITS or empty sections */
	size_t size;	   /* bytes (sh_size for NOBITS) */
	enum elf_sec_kind kind;
};

struct elf_reader {
	struct object_file *file;
	Elf *elf;
	struct elf_sec *secs;
	size_t sec_cnt;
	const Elf64_Sym *syms;
	size_t sym_cnt;
	size_t symtab_idx;
	size_t strtab_idx;
	struct btf *btf;
	const void *btf_ext;
	size_t btf_ext_size;
	size_t text_idx;	/* 0: none */
	size_t maps_idx;	/* legacy "maps", 0: none */
	size_t btf_maps_idx;	/* ".maps", 0: none */
	/* The Kconfig externs (kconfig.c), and the .kconfig map that holds
	 * them (an index in object_file.maps, valid when kcfg_cnt > 0). */
	struct reader_kcfg *kcfg;
	uint32_t kcfg_cnt;
	uint32_t kcfg_map_idx;
	const char *kconfig; /* object_read_opts: Kconfig lines that take precedence */
	const char *btf_custom_path; /* object_read_opts */
	bool core_skip_kernel;
};

/* vm_error() with the file's path first: "<path>: <message>". Returns err. */
int reader_error(const struct elf_reader *reader, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Records a note on the object (see object_file.notes). -ENOMEM on failure. */
int reader_note(struct elf_reader *reader, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Symbol `idx`, or NULL when out of range. */
const Elf64_Sym *reader_sym(const struct elf_reader *reader, size_t idx);
/* A symbol's name ("" for none, NULL if st_name is out of the string table). */
const char *reader_sym_name(const struct elf_reader *reader, const Elf64_Sym *sym);
/* A name for messages: the symbol's, its section's for unnamed section
 * symbols, "<?>" if unreadable. */
const char *reader_sym_display_name(const struct elf_reader *reader, const Elf64_Sym *sym);
/* The section of index idx, or NULL. */
const struct elf_sec *reader_sec(const struct elf_reader *reader, size_t idx);
/* The index of the first section called `name`, or 0. */
size_t reader_find_sec(const struct elf_reader *reader, const char *name);

/* The steps of object_read(), in order. Each returns 0 or -errno. */
int reader_open_elf(struct elf_reader *reader);	      /* elf_file.c */
int reader_classify_sections(struct elf_reader *reader); /* elf_file.c */
int reader_collect_programs(struct elf_reader *reader);	 /* programs.c */
void reader_set_int_return_rules(struct elf_reader *reader); /* subprog_returns.c */
int reader_check_externs(struct elf_reader *reader);	 /* externs.c */
int reader_check_btf_ext(struct elf_reader *reader);	 /* btf_ext.c */
int reader_collect_legacy_maps(struct elf_reader *reader); /* legacy_maps.c */
int reader_collect_btf_maps(struct elf_reader *reader);	   /* btf_maps.c */
int reader_collect_data_maps(struct elf_reader *reader);   /* data_maps.c */
int reader_collect_kconfig(struct elf_reader *reader);	   /* kconfig.c */
int reader_find_spin_locks(struct elf_reader *reader);	   /* btf_spin_lock.c */
int reader_collect_prog_relocs(struct elf_reader *reader); /* relocations.c */
int reader_collect_map_slots(struct elf_reader *reader);   /* map_slots.c */
int reader_check_btf_ext_records(struct elf_reader *reader); /* btf_ext.c */

/* Relocation `i` of relocation section `sec` (bounds already checked by the
 * classification: the section is a whole number of Elf64_Rel). */
Elf64_Rel reader_rel(const struct elf_sec *sec, size_t i);

/* The type behind typedefs and modifiers, or NULL (bad id or a loop)
 * (btf_maps.c). */
const struct btf_type *reader_btf_skip_mods(const struct btf *btf, uint32_t id);

/* The .BTF section's header, before btf__new; then its types, after: what
 * the kernel would refuse and libbpf 1.1 lets through (btf_check.c). */
int reader_btf_check_header(struct elf_reader *reader, const void *data, size_t size);
int reader_btf_check_types(struct elf_reader *reader);

/* .BTF.ext's func_info and line_info parts (btf_ext_info.c). */
int reader_check_btf_ext_info(struct elf_reader *reader, const uint8_t *func_info,
			      size_t func_len, const uint8_t *line_info, size_t line_len);

/* btf__new without libbpf printing anything (btf_quiet.c). */
struct btf *reader_btf_new_quietly(const void *data, uint32_t size);
/* Likewise btf__parse(path), or btf__load_vmlinux_btf() for a NULL path.
 * NULL with errno set on failure. */
struct btf *reader_btf_load_quietly(const char *path);

/* A Kconfig extern (libbpf's extern_desc of type EXT_KCFG). */
enum reader_kcfg_type {
	KCFG_BOOL,	/* bool: 'y' or 'n', 0 or 1 */
	KCFG_CHAR,	/* a 1-byte integer: 'y', 'n', 'm' or a number */
	KCFG_INT,	/* 2, 4 or 8 bytes */
	KCFG_TRISTATE,	/* enum libbpf_tristate */
	KCFG_CHAR_ARR,	/* a "quoted string" */
};

struct reader_kcfg {
	const char *name; /* the symbol's (in the file's string table) */
	bool is_weak;
	bool is_signed;
	bool is_set;
	enum reader_kcfg_type type;
	uint32_t size;
	uint32_t align;
	uint32_t data_off; /* in the .kconfig map's value */
};

/* Records a VAR of the .kconfig DATASEC (externs.c finds them). */
int reader_add_kconfig_extern(struct elf_reader *reader, const char *name,
			      const struct btf_type *var, bool is_weak);
/* The Kconfig extern called `name`, or NULL. */
const struct reader_kcfg *reader_find_kconfig(const struct elf_reader *reader,
					      const char *name);
/* Fills the .kconfig value `data` as libbpf's bpf_object__resolve_externs:
 * the LINUX_* externs, then the opts' Kconfig, then the system's
 * (kconfig_values.c). */
int reader_resolve_kconfig(struct elf_reader *reader, void *data);
/* libbpf's internal_map_name() (data_maps.c). */
void reader_internal_map_name(const char *obj_name, const char *real_name, char name[16]);

/* Adds a map to the file; returns it zeroed, or NULL (ENOMEM, message set). */
struct object_map *reader_add_map(struct elf_reader *reader);

#endif
