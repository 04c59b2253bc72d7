/* Reading a BPF object file: what clang put in the ELF, as libbpf reads it
 * (bpf_object__elf_collect and friends), without creating anything.
 *
 *   ELF file ──► object_read() ──► struct object_file
 *                                   progs[]  every function of every executable
 *                                            section, sorted by (section, offset);
 *                                            .text functions are subprograms
 *                                   maps[]   legacy "maps", BTF ".maps", global
 *                                            data (.data*, .rodata*, .bss*), in
 *                                            libbpf's order
 *                                   relocs   per program, in its own coordinates
 *                                   slots    statically initialised prog-array /
 *                                            map-in-map entries (.rel.maps)
 *
 * The loader (src/loader/) links, creates and relocates from this. Every
 * offset and index read from the file is checked before use: a malformed
 * object gives -EINVAL (or -ENOTSUP for what is valid but unsupported) with a
 * message naming the file, section and symbol, never a crash.
 */
#ifndef BPFVM_OBJECT_OBJECT_H
#define BPFVM_OBJECT_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfvm/bpfvm.h"

enum object_reloc_kind {
	OBJECT_RELOC_MAP,	/* lddw of a map (BTF or legacy) */
	OBJECT_RELOC_MAP_VALUE, /* lddw of an address in a global data map */
	OBJECT_RELOC_CALL,	/* call to a .text subprogram */
	OBJECT_RELOC_FUNC_ADDR, /* lddw BPF_PSEUDO_FUNC of a .text subprogram */
	OBJECT_RELOC_KFUNC_CALL, /* call of an `extern ... __ksym` function */
	OBJECT_RELOC_KFUNC_ADDR, /* lddw of one (bpf_ksym_exists) */
};

/* One relocation of a program's instructions. */
struct object_reloc {
	enum object_reloc_kind kind;
	uint32_t insn_idx; /* in the program's own instructions */
	uint32_t map_idx;  /* MAP, MAP_VALUE: index in object_file.maps */
	uint64_t sym_off;  /* MAP_VALUE: symbol's offset in its section;
			    * CALL, FUNC_ADDR: symbol's byte offset in .text */
	uint32_t extern_idx; /* KFUNC_*: index in object_file.externs */
};

/* A kfunc the object declares (`extern ... __ksym`, a FUNC in the BTF
 * DATASEC .ksyms), resolved by name when the object is loaded, as libbpf
 * resolves it against the kernel's BTF. */
struct object_extern {
	char *name;
	bool is_weak; /* __weak: 0 when not found (bpf_ksym_exists) */
};

/* A function found in an executable section. */
struct object_prog {
	char *name;		/* its symbol */
	char *section;		/* its section's name */
	uint32_t sec_idx;
	uint32_t sec_insn_off;	/* first instruction within the section */
	uint32_t insn_cnt;
	struct bpf_insn *insns; /* as in the file */
	bool is_subprog;	/* in .text: reached only by calls */
	enum bpf_prog_type type;
	enum bpf_attach_type expected_attach_type;
	uint32_t prog_flags;	/* BPF_F_SLEEPABLE, BPF_F_XDP_HAS_FRAGS, as libbpf */
	bool autoload;		/* false for SEC("?...") (libbpf's convention) */
	/* A .text function that uses LD_ABS or a tail call without an int
	 * return in its BTF: the kernel's refusal of every program that links
	 * it in (subprog_returns.c), else NULL. */
	const char *int_return_refusal;
	struct object_reloc *relocs;
	uint32_t reloc_cnt;
};

enum object_map_kind {
	OBJECT_MAP_LEGACY, /* struct bpf_map_def in SEC("maps") */
	OBJECT_MAP_BTF,	   /* SEC(".maps") */
	OBJECT_MAP_DATA,   /* .data, .data.* */
	OBJECT_MAP_RODATA, /* .rodata, .rodata.* */
	OBJECT_MAP_BSS,	   /* .bss, .bss.* */
	OBJECT_MAP_KCONFIG, /* the Kconfig externs' values (read-only, frozen) */
};

/* LIBBPF_PIN_NONE / LIBBPF_PIN_BY_NAME (bpf/libbpf.h). */
enum { OBJECT_PIN_NONE = 0, OBJECT_PIN_BY_NAME = 1 };

struct object_map_def {
	uint32_t type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	uint32_t numa_node;
	uint64_t map_extra;
	uint32_t pinning;
	uint32_t btf_value_type_id; /* __type(value, T): T's BTF id, else 0 */
	/* The value's struct bpf_spin_lock, as the kernel would record it for
	 * this map (btf_spin_lock.c). */
	bool has_spin_lock;
	uint32_t spin_lock_off;
};

/* A statically initialised entry of a prog array or map-in-map
 * (`.values = { [index] = &target }`). */
struct object_slot {
	uint32_t index;	 /* the key */
	uint32_t target; /* index in object_file.progs (prog array) or .maps */
};

struct object_map {
	char *name;	 /* libbpf's: variable name, or internal name of global data */
	char *real_name; /* the section name of global data, else = name */
	enum object_map_kind kind;
	uint32_t sec_idx;
	uint64_t sec_offset;
	struct object_map_def def;
	bool has_inner;	 /* map-in-map: inner map template */
	struct object_map_def inner;
	void *data;	  /* global data contents (NULL for .bss) */
	struct object_slot *slots;
	uint32_t slot_cnt;
	/* BTF maps: the variable's place in the .maps DATASEC. */
	uint32_t btf_var_off;
	uint32_t btf_var_size;
	uint32_t btf_values_off; /* byte offset of `values` in the definition, or 0 */
};

struct object_file {
	char *path; /* for messages: the path, or the object name for memory */
	char *name; /* libbpf's object name */
	char license[128];
	uint32_t text_sec_idx; /* section index of .text, 0 if none */
	uint32_t kern_version;
	struct object_prog *progs;
	uint32_t prog_cnt;
	struct object_map *maps;
	uint32_t map_cnt;
	struct object_extern *externs;
	uint32_t extern_cnt;
	/* What was accepted but ignored (numa_node, map_extra, .BTF.ext, ...),
	 * one sentence each, for the curious (bpfvm prog show). */
	char **notes;
	uint32_t note_cnt;
	void *image; /* the file's bytes while it is read */
	size_t image_size;
};

/* How CO-RE relocations are resolved (core_relo.h). */
struct object_read_opts {
	const char *btf_custom_path; /* the target BTF; NULL: the kernel's */
	bool skip_kernel_btf;	     /* tests: the object's own BTF, not the kernel's */
	const char *kconfig;	     /* bpfvm_object_opts.kconfig */
};

/* Reads an object from `buf` (copied). `path` names it in messages;
 * `obj_name` is the object name (libbpf's rules applied by the caller);
 * opts may be NULL. Returns 0 or -errno with a message. */
int object_read(const void *buf, size_t size, const char *path, const char *obj_name,
		const struct object_read_opts *opts, struct object_file **file_out);
void object_file_free(struct object_file *file);

/* Index of the program whose symbol is `name` among non-subprograms, or -1. */
int object_find_prog(const struct object_file *file, const char *name);
/* Index of the kfunc extern called `name`, or -1. */
int object_find_extern(const struct object_file *file, const char *name);
/* Index of the map called `name` (its name or real name), or -1. */
int object_find_map(const struct object_file *file, const char *name);

/* The program that contains instruction `insn_idx` of section `sec_idx`. */
struct object_prog *object_prog_at(const struct object_file *file, uint32_t sec_idx,
				   uint64_t insn_idx);

/* The section-name table (section_table.c), libbpf's section_defs[]. */
struct object_sec_def {
	const char *sec;	/* "xdp", "kprobe+", "tp_btf+" (see matching) */
	enum bpf_prog_type prog_type;
	enum bpf_attach_type expected_attach_type;
	uint32_t prog_flags;
};

const struct object_sec_def *object_find_sec_def(const char *sec_name);

/* Whether the kernel sees `license` as GPL-compatible
 * (include/linux/license.h: license_is_gpl_compatible). */
bool object_license_is_gpl(const char *license);

/* libbpf's object name for a path: basename up to the first '.', at most
 * 15 characters. Writes to buf[16]. */
void object_name_from_path(const char *path, char name[16]);

#endif
