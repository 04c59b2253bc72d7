/* bpfvm's verdict on a catalogue case. Assembler cases are prepared as an
 * object's program is (prog_prepare: structure, types, decoding) with the
 * case's program type and maps, since bpfvm_prog_load_raw() loads only
 * raw-mode programs; C cases go through bpfvm_object_open/load. The reason
 * is bpfvm_errmsg() after "<prog>: insn N: ", its last line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "catalogue_case.h"
#include "engine/prog.h"
#include "maps/map.h"

static struct bpfvm *vm;

static struct bpfvm *catalogue_vm(void)
{
	if (!vm && bpfvm_create(NULL, &vm)) {
		fprintf(stderr, "cannot create a runtime: %s\n", bpfvm_errmsg());
		exit(2);
	}
	return vm;
}

/* The message after "insn N: ", or all of it; of a message of several
 * lines (the kernel logs some refusals on two), the last, which is the
 * line the kernel's log ends with. */
static void set_reason(struct catalogue_verdict *v, const char *msg)
{
	const char *reason = strstr(msg, ": insn ");
	const char *last_line;

	reason = reason ? strstr(reason + 7, ": ") : NULL;
	reason = reason ? reason + 2 : msg;
	last_line = strrchr(reason, '\n');
	snprintf(v->reason, sizeof(v->reason), "%s", last_line ? last_line + 1 : reason);
}

static int create_maps(const struct catalogue_case *c, struct bpfvm_map **maps)
{
	for (unsigned i = 0; i < c->map_cnt; i++) {
		const struct catalogue_map *m = &c->maps[i];
		struct bpfvm_map_create_opts opts = { .sz = sizeof(opts), .map_flags = m->flags };
		int err = bpfvm_map_create(catalogue_vm(), m->type, "catalogue", m->key_size,
					   m->value_size, m->max_entries, &opts, &maps[i]);

		if (err)
			return err;
	}
	return 0;
}

/* A program with the case's type and maps (one reference each of its own). */
static struct bpfvm_prog *case_prog(const struct catalogue_case *c, struct bpfvm_map **maps,
				    const struct bpf_insn *insns, size_t cnt)
{
	struct bpfvm_prog *prog = prog_alloc(catalogue_vm(), "catalogue", "", insns, cnt);

	if (!prog)
		exit(2);
	prog->type = c->prog_type;
	prog->expected_attach_type = c->attach_type;
	prog->gpl_compatible = true;
	if (!c->map_cnt)
		return prog;
	prog->maps = calloc(c->map_cnt, sizeof(*prog->maps));
	if (!prog->maps)
		exit(2);
	for (unsigned i = 0; i < c->map_cnt; i++) {
		map_get(maps[i]);
		prog->maps[i] = maps[i];
	}
	prog->map_cnt = c->map_cnt;
	return prog;
}

static void run_asm(const struct catalogue_case *c, struct catalogue_verdict *v)
{
	struct bpfvm_map *maps[CATALOGUE_MAPS_MAX] = { 0 };
	struct bpfvm_prog *prog;
	struct bpf_insn *insns;
	size_t cnt;

	if (catalogue_case_insns(c, &insns, &cnt)) {
		snprintf(v->reason, sizeof(v->reason), "(assembler error)");
		return;
	}
	v->err = create_maps(c, maps);
	if (v->err) {
		snprintf(v->reason, sizeof(v->reason), "(map create: %s)", bpfvm_errmsg());
	} else {
		prog = case_prog(c, maps, insns, cnt);
		v->err = prog_prepare(prog);
		v->accepted = v->err == 0;
		if (!v->accepted)
			set_reason(v, bpfvm_errmsg());
		prog_destroy(prog);
	}
	for (unsigned i = 0; i < c->map_cnt; i++)
		bpfvm_map_close(maps[i]);
	free(insns);
}

static void run_obj(const struct catalogue_case *c, struct catalogue_verdict *v)
{
	struct bpfvm_object *obj = NULL;

	v->err = bpfvm_object_open(catalogue_vm(), c->object_path, NULL, &obj);
	if (!v->err)
		v->err = bpfvm_object_load(obj);
	v->accepted = v->err == 0;
	if (!v->accepted)
		set_reason(v, bpfvm_errmsg());
	bpfvm_object_close(obj);
}

void catalogue_run_bpfvm(const struct catalogue_case *c, struct catalogue_verdict *v)
{
	memset(v, 0, sizeof(*v));
	if (c->kind == CATALOGUE_ASM)
		run_asm(c, v);
	else
		run_obj(c, v);
}

void catalogue_bpfvm_release(void)
{
	bpfvm_destroy(vm);
	vm = NULL;
}
