/* CO-RE relocations (Compile Once, Run Everywhere), as libbpf's relo_core.c.
 *
 * clang records in .BTF.ext, for each instruction that depends on a type
 * layout, what it depends on: a root type of the object's own ("local") BTF,
 * an access string ("0:1:3": element 0 of the root, its member 1, that
 * member's member 3) and a kind (the field's byte offset, its size, whether
 * it exists, a type's size, an enumerator's value, ...). Loading resolves
 * each against a target BTF (the running kernel's) and patches the
 * instruction with the target's value:
 *
 *   .BTF.ext record ──► local spec ──► candidates: target types whose names
 *   (btf_ext.c)         (core_spec.c)   match without "___flavor" (core_target.c)
 *                                              │ each matched (core_spec.c,
 *                                              ▼ core_types.c)
 *                       instruction ◄── value (core_calc.c): all matching
 *                       (core_patch.c)  candidates must agree; none: poison
 *
 * The target is btf_custom_path when given, else the kernel's BTF when
 * readable, else the object's own BTF (every relocation then keeps the value
 * clang compiled in). */
#ifndef BPFVM_OBJECT_CORE_RELO_H
#define BPFVM_OBJECT_CORE_RELO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isa/isa.h"

struct btf;
struct btf_type;
struct elf_reader;

/* libbpf's BPF_CORE_SPEC_MAX_LEN: the deepest access string. */
#define CORE_SPEC_MAX_LEN 64

/* What libbpf writes over an instruction whose relocation cannot be
 * resolved: `call 0xbad2310`. The kernel rejects it only when a path reaches
 * it, with "invalid func unknown#195896080". */
#define CORE_POISON_HELPER ISA_CORE_POISON_HELPER

/* One step of an access: a named member (name set), or an array element
 * (name NULL; for the first step, the root pointer's element). */
struct core_accessor {
	uint32_t type_id; /* the struct/union holding the member, or the element type */
	uint32_t idx;	  /* member index, or element index */
	const char *name;
};

/* A parsed access string against one BTF (libbpf's bpf_core_spec). Only
 * named members and array elements are accessors; anonymous members are
 * stepped through and count in raw_len and bit_offset. */
struct core_spec {
	const struct btf *btf;
	uint32_t kind;		/* enum bpf_core_relo_kind */
	uint32_t root_type_id;
	struct core_accessor acc[CORE_SPEC_MAX_LEN];
	uint32_t len;
	uint32_t raw_len;	/* steps of the access string, anonymous ones too */
	uint64_t bit_offset;	/* of the accessed field from the root pointer */
};

/* What a relocation turns an instruction from and into (libbpf's
 * bpf_core_relo_res). */
struct core_result {
	uint64_t orig_val; /* what clang compiled in */
	uint64_t new_val;
	uint32_t orig_sz, new_sz;	    /* field offsets: the field's size */
	uint32_t orig_type_id, new_type_id;
	bool poison;	       /* unresolved: the instruction becomes CORE_POISON_HELPER */
	bool validate;	       /* the instruction must hold orig_val */
	bool fail_memsz_adjust; /* the load/store size would change unsafely */
};

/* The kind's name in libbpf's words ("byte_off", "enumval_value", ...), or
 * NULL for an unknown kind. */
const char *core_kind_name(uint32_t kind);
bool core_kind_is_field(uint32_t kind);
bool core_kind_is_type(uint32_t kind);
bool core_kind_is_enumval(uint32_t kind);

/* ---- Types (core_types.c) ---- */

/* The type behind typedefs and modifiers, its id in *id_out; NULL for a bad
 * id or a loop. */
const struct btf_type *core_skip_mods(const struct btf *btf, uint32_t id, uint32_t *id_out);
/* Length of a name without its "___flavor" suffix. */
size_t core_essential_name_len(const char *name);
/* Kinds that may relocate into each other: equal, or enum and enum64. */
bool core_kinds_compat(const struct btf_type *local, const struct btf_type *targ);
/* libbpf's bpf_core_fields_are_compat, bpf_core_types_are_compat and
 * bpf_core_types_match: 1, 0, or -EINVAL for malformed or too deep BTF. */
int core_fields_compat(const struct btf *local_btf, uint32_t local_id,
		       const struct btf *targ_btf, uint32_t targ_id);
int core_types_compat(const struct btf *local_btf, uint32_t local_id,
		      const struct btf *targ_btf, uint32_t targ_id);
int core_types_match(const struct btf *local_btf, uint32_t local_id,
		     const struct btf *targ_btf, uint32_t targ_id);

/* ---- Access specs (core_spec.c) ---- */

/* Parses `access` for a relocation of `kind` on local type `type_id`.
 * 0, or -EINVAL / -E2BIG with *why naming the defect. */
int core_spec_parse(const struct btf *btf, uint32_t type_id, const char *access,
		    uint32_t kind, struct core_spec *spec, const char **why);
/* Whether target type targ_id has what `local` accesses; fills *targ. 1, 0
 * or -errno (malformed target BTF, too deep). */
int core_spec_match(const struct core_spec *local, const struct btf *targ_btf,
		    uint32_t targ_id, struct core_spec *targ);

/* ---- Values (core_calc.c) ---- */

/* The result of a relocation from the local spec and the matched target spec
 * (NULL: no candidate matched). 0, or -errno with *why. */
int core_calc(const struct core_spec *local, const struct core_spec *targ,
	      struct core_result *res, const char **why);

/* ---- Instructions (core_patch.c) ---- */

/* Whether insns[idx] is an instruction a relocation can patch. NULL, or why
 * not. */
const char *core_insn_patchable(const struct bpf_insn *insns, uint32_t idx, uint32_t insn_cnt);
/* Applies res to insns[idx] (and its second half for lddw). 0, or -errno
 * with the defect written to why[why_size]. */
int core_patch_insn(struct bpf_insn *insns, uint32_t idx, const struct core_result *res,
		    char *why, size_t why_size);

/* ---- Targets (core_target.c) ---- */

/* The BTF relocations resolve against, with its types indexed by essential
 * name. */
struct core_target;

/* Chooses the target: the file at custom_path (btf__parse: raw BTF or an ELF
 * with .BTF), else the kernel's (unless skip_kernel), else NULL: the object's
 * own BTF. *what_out names it for notes. 0, or -errno with a message. */
int core_target_open(struct elf_reader *reader, const char *custom_path, bool skip_kernel,
		     struct core_target **target_out, const char **what_out);
void core_target_close(struct core_target *target);
const struct btf *core_target_btf(const struct core_target *target);
/* The running kernel's BTF, read once per process and kept (the CO-RE
 * target's), or NULL when the kernel has none. */
const struct btf *core_kernel_btf(void);
/* Calls fn for every target type whose essential name and kind match local
 * type `local_id`, in id order, until fn returns non-zero (returned). */
int core_target_for_each_candidate(const struct core_target *target,
				   const struct btf *local_btf, uint32_t local_id,
				   int (*fn)(uint32_t targ_id, void *arg), void *arg);

/* ---- The driver (core_relo.c) ---- */

/* One record of .BTF.ext's CO-RE part, as in the file. */
struct core_record {
	uint32_t insn_off; /* bytes from the start of its section */
	uint32_t type_id;
	uint32_t access_str_off;
	uint32_t kind;
};

struct core_stats {
	uint32_t applied;  /* instructions relocated (poisoned ones included) */
	uint32_t poisoned;
	uint32_t skipped;  /* records of no program (a weak function the linker dropped) */
	uint32_t next_idx; /* the next record's number, for messages */
};

/* Relocates the programs of section `sec_name` by its `cnt` records against
 * `target` (NULL: the object's own BTF). 0, or -errno with a message naming
 * the section, program, instruction and record. */
int reader_apply_core_section(struct elf_reader *reader, const struct core_target *target,
			      const char *sec_name, const struct core_record *recs, uint32_t cnt,
			      struct core_stats *stats);

#endif
