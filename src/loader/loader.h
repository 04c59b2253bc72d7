/* The object behind `struct bpfvm_object`, and the loader's steps.
 *
 *   bpfvm_object_open:  object_read (src/object/) ─► loader_link: each entry
 *                       program with the .text subprograms it calls appended,
 *                       call offsets fixed, as libbpf's bpf_object__reloc_code
 *                       ─► struct bpfvm_prog (not yet prepared)
 *   bpfvm_object_load:  maps created (global data filled, .rodata frozen,
 *                       map-in-map slots set) ─► lddw rewritten to
 *                       BPF_PSEUDO_MAP_IDX[_VALUE] with prog->maps[] ─►
 *                       prog_prepare ─► prog-array slots set
 *   bpfvm_object_close: programs destroyed, the object's map references
 *                       dropped.
 */
#ifndef BPFVM_LOADER_LOADER_H
#define BPFVM_LOADER_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfvm/bpfvm.h"
#include "maps/map.h"
#include "object/object.h"

/* An entry program after linking. */
struct loader_prog {
	struct bpfvm_prog *prog;
	uint32_t file_idx;	     /* in object_file.progs */
	struct object_reloc *relocs; /* in the linked instructions' coordinates */
	uint32_t reloc_cnt;
	/* The first linked subprogram that the kernel's check_btf_func refuses
	 * (object_prog.int_return_refusal): the load of this program fails. */
	const struct object_prog *refused_sub;
};

struct bpfvm_object {
	struct bpfvm *vm;
	struct object_file *file;
	struct loader_prog *progs; /* entry programs, in libbpf's order */
	size_t prog_cnt;
	struct bpfvm_map **maps;   /* file->map_cnt entries once loaded, else NULL */
	bool load_attempted;	   /* a second load is refused, as libbpf */
	/* The verifier's log of programs that set none (bpfvm_object_opts). */
	char *log_buf;
	size_t log_size;
	uint32_t log_level;
	/* Reuse and pinning (pin.c), per map index; NULL when none set. */
	struct bpfvm_map **reuse;  /* bpfvm_object_reuse_map: a user reference each */
	char **pin_paths;	   /* bpfvm_object_set_pin_path */
	char *pin_root_path;	   /* LIBBPF_PIN_BY_NAME's directory; NULL: the root */
};

/* The attributes the object gives map `name` (BPF_MAP_CREATE's). */
void loader_map_attr(const struct bpfvm_object *obj, const char *name,
		     const struct object_map_def *def, struct map_attr *attr);

/* pin.c: before creating map idx, reuse the given map or the one pinned at
 * its pin path (*reused, obj->maps[idx] set); after creating it, pin it
 * there (1 when pinned, 0 when it has no pin path). -errno with a message
 * naming the map and the path. loader_map_unpin removes the pin a failed
 * load made, as libbpf does. */
int loader_map_reuse(struct bpfvm_object *obj, uint32_t idx, bool *reused);
int loader_map_pin(struct bpfvm_object *obj, uint32_t idx);
void loader_map_unpin(struct bpfvm_object *obj, uint32_t idx);

/* Links every entry program of obj->file into obj->progs. */
int loader_link(struct bpfvm_object *obj);

/* Creates the maps, relocates and prepares the programs whose autoload is
 * on, fills the slots that name them. */
int loader_load(struct bpfvm_object *obj);

/* bpfvm_object_autoload_only: autoload on for obj->progs[root] and the
 * programs its prog arrays' static slots hold, transitively; off for the
 * rest. */
void loader_autoload_only(struct bpfvm_object *obj, size_t root);

#endif
