/* Programs in a namespace (docs/namespace.md, "Programs"): every program a
 * namespaced runtime loads gets a namespace id and a file,
 * <root>/.bpfvm/progs/<id>, that holds what another process needs to make
 * its own instance of it:
 *
 *     +------------------------------------------------------------+
 *     | header: magic (written last), version, size, id, type,     |
 *     |   expected attach type, prog_flags, GPL, insn_cnt, map_cnt, |
 *     |   insn budget, raw ctx size, name, section                 |
 *     | uint32_t map_ids[map_cnt]   the namespace ids of maps[]     |
 *     | struct bpf_insn insns[insn_cnt]   as given to the verifier: |
 *     |   lddw BPF_PSEUDO_MAP_IDX(_VALUE) imm = index in map_ids[]  |
 *     +------------------------------------------------------------+
 *
 * The instructions are kept from before the verifier's rewrites: those
 * bake in this process's addresses (maps, values, helpers, context
 * layout), while the loaded ones only name maps by index. Another process
 * re-verifies them against its own handles of the same maps, which also
 * means it never runs a file it has not checked.
 *
 * A file lives as a map's does (ns.h): while pinned (hard links) or while
 * some process holds an instance (a shared flock on it). An instance has
 * the program's namespace id as its id in its runtime, so a process makes
 * at most one instance of a program: the next open finds it by id. */
#ifndef BPFVM_NS_NS_PROG_H
#define BPFVM_NS_NS_PROG_H

#include <stdbool.h>
#include <stdint.h>

#include "bpfvm/bpfvm.h"

/* Gives a verified program of a namespaced runtime its namespace id
 * (prog->ns_id) and file; `loaded` are its loaded_cnt instructions as the
 * verifier got them (its rewrites may change prog->insn_cnt). Returns 0 or
 * -errno with a message. */
int ns_prog_publish(struct bpfvm_prog *prog, const struct bpf_insn *loaded, uint32_t loaded_cnt);

/* Drops this process's hold on the program's file (prog_destroy): removes
 * it with its record when it is unpinned and nobody else holds it. */
void ns_prog_release(struct bpfvm_prog *prog);

/* A reference to this process's instance of the program pinned at `path`
 * (when not NULL) or of namespace id `id`, made the first time: its maps
 * are opened by id, its instructions verified and prepared for the
 * runtime's engine. -ENOENT, -EINVAL (not a program file of this
 * namespace), -EOPNOTSUPP (a map it uses is private to its process), or
 * the verifier's error. */
int ns_prog_open(struct bpfvm *vm, const char *path, uint32_t id, struct bpfvm_prog **prog_out);

struct ns;

/* Whether the open file `fd` is a program file of this namespace; its id. */
bool ns_prog_is_file(const struct ns *ns, int fd, uint32_t *id);

/* The tag stored in program `id`'s file (computed by its loader): 0, or
 * -ENOENT / -EINVAL. */
int ns_prog_file_tag(const struct ns *ns, uint32_t id, uint8_t tag[BPF_TAG_SIZE]);

/* Program `id`'s file was just removed (ns_object_file_reap, `fd` open on
 * it): the holds it had on its maps go, and with them the maps nothing
 * else keeps. With the registry lock held. */
void ns_prog_file_removed(struct ns *ns, uint32_t id, int fd);

/* A shared prog array's slot holds its program as the kernel's does: a
 * hard link <root>/.bpfvm/progs/<id>.slot.<array id>.<index> keeps the
 * program's file while the slot holds its id, whichever process wrote it
 * and whether it still lives. take: made (before the id is stored), else
 * removed (after the id left), the file going if nothing else holds it. */
void ns_prog_slot_ref(struct ns *ns, uint32_t prog_id, uint32_t array_id, uint32_t index,
		      bool take);

#endif
