/* The program object behind `struct bpfvm_prog`: the instructions as loaded,
 * the layout of their subprograms, and each engine's executable form. */
#ifndef BPFVM_ENGINE_PROG_H
#define BPFVM_ENGINE_PROG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "bpfvm/bpfvm.h"

struct interp_code;
struct jit_code;

/* A subprogram: the main program (index 0) or a function reached by a local
 * call. Subprograms are contiguous and sorted by start. */
struct subprog {
	uint32_t start;	      /* first instruction */
	uint32_t end;	      /* one past the last instruction */
	uint32_t stack_depth; /* bytes of stack its frame needs, multiple of 16 */
};

struct bpfvm_map;
struct bpfvm_object;
struct progtype;
struct verifier_log;

/* A program. Raw programs (bpfvm_prog_load_raw) have progtype "raw" and no
 * maps. Programs of an object are created when it is opened (insns as linked
 * by the loader: main program, then the subprograms it calls) and prepared
 * by prog_prepare() when it is loaded.
 *
 * insns: after loading, the stream the engines run (bpftool's "xlated"): map
 * references are lddw BPF_PSEUDO_MAP_IDX / BPF_PSEUDO_MAP_IDX_VALUE with imm
 * the index into maps[]; callbacks are lddw BPF_PSEUDO_FUNC with imm the
 * pc-relative offset of the function, as the kernel; context accesses are
 * rewritten for the runtime context (progtypes/progtype.h). */
struct bpfvm_prog {
	struct bpfvm *vm;
	_Atomic uint32_t refcnt;  /* the object or raw load, slots, callers */
	char *name;
	char *section;		  /* "" for raw programs */
	enum bpf_prog_type type;
	enum bpf_attach_type expected_attach_type;
	uint32_t prog_flags;	  /* BPF_PROG_LOAD's: BPF_F_SLEEPABLE, BPF_F_XDP_HAS_FRAGS
				   * (a section name's ".s" / ".frags", as libbpf) */
	const struct progtype *progtype;
	uint32_t id;		  /* 0 until loaded */
	bool gpl_compatible;
	bool loaded;
	struct bpfvm_object *obj; /* owner, or NULL for raw programs and for
				   * programs that outlived their object */
	struct bpf_insn *insns;
	uint32_t insn_cnt;
	struct bpfvm_map **maps;  /* referenced maps (one reference each) */
	uint32_t map_cnt;
	struct subprog *subprogs;
	uint32_t subprog_cnt;
	uint32_t frames_max;	  /* most frames of a call chain from the main program */
	uint32_t stack_max;	  /* most stack bytes of such a chain */
	uint64_t insn_budget;
	struct interp_code *interp; /* always decoded: checked mode runs it */
	/* The label of interp's first entry: where an interpreted tail call
	 * into this program jumps, one load away from the slot. */
	const void *interp_entry_label;
	/* The JIT's machine code (engine/jit.h) when the runtime's engine is
	 * the JIT, else NULL; jit_body is its main program's first
	 * instruction, where tail calls jump (NULL: the interpreter runs it). */
	struct jit_code *jit;
	const void *jit_body;
	/* The end (off + size) of the furthest context access, set by the type
	 * tracking as the kernel's prog->aux->max_ctx_offset: a raw tracepoint
	 * test run refuses a shorter ctx_in. */
	uint32_t max_ctx_offset;
	/* The furthest byte an iterator program reads of its key buffer and
	 * reads or writes of its value buffer, as the kernel's aux fields:
	 * an attach to a map whose key or value is smaller is refused
	 * (bpf_iter_attach_map; bpfvm has no iterator attach yet). */
	uint32_t max_rdonly_access;
	uint32_t max_rdwr_access;
	/* The verifier's log (bpfvm.h): what the caller asked for, where the
	 * verifier writes while it runs (NULL: no log), what bpfvm kept. */
	uint32_t log_level;
	char *log_buf;
	size_t log_size;
	struct verifier_log *log;
	char *kept_log;
	struct bpfvm_verifier_stats verifier_stats;
	bool autoload;		  /* bpfvm_prog_set_autoload; true by default */
	bool load_attempted;	  /* prog_prepare ran: the settings above are fixed */
	/* Raw mode: the size of the memory r1 points to (bpfvm_prog_opts.
	 * ctx_size), what the verifier proved the accesses against; a run must
	 * pass at least that many bytes. */
	uint32_t raw_ctx_size;
	/* A namespaced runtime's program (ns/ns_prog.h): its namespace id
	 * (also its id here), and its file, on which this process holds a
	 * shared flock while the program lives. 0: no namespace. */
	uint32_t ns_id;
	int ns_fd;
	/* The kernel's tag (engine/prog_tag.h), set by prog_prepare. */
	uint8_t tag[BPF_TAG_SIZE];
};

/* Allocates an unloaded program with a copy of insns. NULL on ENOMEM. */
struct bpfvm_prog *prog_alloc(struct bpfvm *vm, const char *name, const char *section,
			      const struct bpf_insn *insns, size_t insn_cnt);

/* Prepares a program for running: the structural check, the type tracking
 * (context rewrites) with the verifier's log that prog->log_* ask for,
 * decoding for the engines, an id. prog->type and prog->maps must be set.
 * In a namespaced runtime the id is the namespace's: a new one with the
 * program's file (ns_prog_publish), or prog->ns_id when it is already set
 * (an instance of another process's program, ns_prog_open).
 * Returns 0 or -errno with a message. */
int prog_prepare(struct bpfvm_prog *prog);

/* Releases everything a program holds, maps included, at once: for
 * programs no run can have reached (failed loads). */
void prog_destroy(struct bpfvm_prog *prog);

/* References (bpfvm.h: programs are reference counted). The last prog_put
 * removes the id at once and frees the program after a grace period
 * (engine/vcpu.h), since a run may still be inside it. prog_try_get fails
 * on a program whose last reference is going. */
void prog_get(struct bpfvm_prog *prog);
bool prog_try_get(struct bpfvm_prog *prog);
void prog_put(struct bpfvm_prog *prog);

/* The subprogram that contains instruction `idx`. */
const struct subprog *prog_subprog_of(const struct bpfvm_prog *prog, uint32_t idx);

#endif
