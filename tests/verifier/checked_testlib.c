/* See checked_testlib.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "bpfvm/bpfvm.h"
#include "checked_testlib.h"
#include "core/error.h"
#include "core/id_table.h"
#include "core/runtime.h"
#include "engine/interp.h"
#include "engine/prog.h"
#include "maps/map.h"
#include "progtypes/progtype.h"
#include "verifier/structure.h"

static int attach_maps(struct bpfvm_prog *prog, struct bpfvm_map *const *maps, uint32_t map_cnt)
{
	if (!map_cnt)
		return 0;
	prog->maps = calloc(map_cnt, sizeof(*prog->maps));
	if (!prog->maps)
		return -ENOMEM;
	for (uint32_t i = 0; i < map_cnt; i++) {
		map_get(maps[i]);
		prog->maps[i] = maps[i];
	}
	prog->map_cnt = map_cnt;
	return 0;
}

/* Everything prog_prepare() does but the type tracking: the engines need
 * the structure (subprograms, stack depths), the decoded form and an id. */
static int prepare_unverified(struct bpfvm_prog *prog)
{
	int64_t id;
	int err;

	prog->progtype = progtype_for(prog->type);
	if (!prog->progtype)
		return -ENOTSUP;
	err = verifier_check_structure(prog);
	if (err)
		return err;
	prog->interp = interp_decode(prog);
	if (!prog->interp)
		return -ENOMEM;
	id = id_table_add(&prog->vm->prog_ids, prog);
	if (id < 0)
		return (int)id;
	prog->id = (uint32_t)id;
	prog->loaded = true;
	return 0;
}

/* Verifies and prepares prog; with CHECKED_LOG=N in the environment, prints
 * the verifier's log of level N (to replay a fuzzer's reproducer). */
static int prepare_with_log(struct bpfvm_prog *prog)
{
	const char *level = getenv("CHECKED_LOG");
	static char log[1 << 24];
	int err;

	if (!level)
		return prog_prepare(prog);
	prog->log_level = (uint32_t)atoi(level);
	prog->log_buf = log;
	prog->log_size = sizeof(log);
	err = prog_prepare(prog);
	fprintf(stderr, "%s: verifier log:\n%s\n", prog->name, log);
	prog->log_buf = NULL;
	prog->log_size = 0;
	return err;
}

int checked_load_insns(struct bpfvm *vm, const char *name, enum bpf_prog_type type,
		       const struct bpf_insn *insns, size_t insn_cnt,
		       struct bpfvm_map *const *maps, uint32_t map_cnt, bool verify,
		       struct bpfvm_prog **prog_out)
{
	struct bpfvm_prog *prog = prog_alloc(vm, name, "checked_test", insns, insn_cnt);
	int err;

	if (!prog)
		return -ENOMEM;
	prog->type = type;
	err = attach_maps(prog, maps, map_cnt);
	if (!err && verify)
		err = prepare_with_log(prog);
	else if (!err)
		err = prepare_unverified(prog);
	if (err) {
		prog_destroy(prog);
		return err;
	}
	*prog_out = prog;
	return 0;
}

int checked_load_asm(struct bpfvm *vm, const char *name, enum bpf_prog_type type,
		     const char *text, struct bpfvm_map *const *maps, uint32_t map_cnt,
		     bool verify, struct bpfvm_prog **prog_out)
{
	struct bpf_insn *insns = NULL;
	size_t cnt = 0;
	int err;

	if (bpfvm_asm_parse(text, &insns, &cnt)) {
		fprintf(stderr, "%s: does not assemble: %s\n", name, bpfvm_errmsg());
		exit(2);
	}
	err = checked_load_insns(vm, name, type, insns, cnt, maps, map_cnt, verify, prog_out);
	free(insns);
	return err;
}

void checked_prog_free(struct bpfvm_prog *prog)
{
	if (prog)
		prog_put(prog);
}

uint32_t checked_prog_id(const struct bpfvm_prog *prog)
{
	return prog->id;
}

void checked_prog_set_budget(struct bpfvm_prog *prog, uint64_t insns)
{
	prog->insn_budget = insns;
}

const struct bpf_insn *checked_prog_insns(const struct bpfvm_prog *prog, size_t *insn_cnt)
{
	*insn_cnt = prog->insn_cnt;
	return prog->insns;
}
