/* The JIT's constant-key tail calls (jit_poke.c) follow their slot: a
 * direct jump re-pointed when the slot is set, replaced, deleted or
 * emptied, under both engines' results (the interpreter is the reference).
 * Under the JIT the test also reads the site: a `jmp` to the target's tail
 * entry while the slot holds a program, a `jmp` to the fall-through while
 * it is empty. A program replaced while it was the only holder of its
 * slot is freed (its code int3-filled) before the next run, which
 * would trap if the site still jumped there.
 *
 * poke_joined: a jump lands between `r2 = map ll` and the call, so the
 * call's map is not constant there: no site, and the run goes where r2
 * says (jit_poke.bpf.c).
 *
 *   usage: test_jit_poke OBJDIR */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "engine/jit.h"
#include "engine/jit_internal.h"
#include "engine/prog.h"
#include "testlib.h"

static const char *objdir;

struct setup {
	enum bpfvm_engine engine;
	struct bpfvm *vm;
	struct bpfvm_object *obj;
	struct bpfvm_map *slots;
};

static struct bpfvm_object *open_object(struct bpfvm *vm)
{
	struct bpfvm_object *obj = NULL;
	char path[512];

	snprintf(path, sizeof(path), "%s/jit_poke.bpf.o", objdir);
	if (bpfvm_object_open(vm, path, NULL, &obj) || bpfvm_object_load(obj)) {
		fprintf(stderr, "%s: %s\n", path, bpfvm_errmsg());
		exit(2);
	}
	return obj;
}

static void setup(struct setup *s, enum bpfvm_engine engine)
{
	struct bpfvm_opts opts = { .sz = sizeof(opts), .engine = engine };
	int err = bpfvm_create(&opts, &s->vm);

	if (err) {
		fprintf(stderr, "engine %d: %s\n", engine, bpfvm_errmsg());
		exit(err == -ENOTSUP ? 77 : 2);
	}
	s->engine = engine;
	s->obj = open_object(s->vm);
	s->slots = bpfvm_object_find_map(s->obj, "poke_jmp");
}

static long run(struct bpfvm_object *obj, const char *name)
{
	uint8_t packet[64] = { 0 };
	struct bpfvm_test_run_opts opts = {
		.sz = sizeof(opts), .data_in = packet, .data_size_in = sizeof(packet),
	};
	int err = bpfvm_prog_test_run(bpfvm_object_find_prog(obj, name), &opts);

	return err ? err : (long)opts.retval;
}

static int slot_set(struct setup *s, struct bpfvm_prog *prog)
{
	uint32_t key = 0, id = bpfvm_prog_id(prog);

	return bpfvm_map_update(s->slots, &key, &id, BPF_ANY);
}

static int slot_delete(struct setup *s)
{
	uint32_t key = 0;

	return bpfvm_map_delete(s->slots, &key);
}

/* Where poke_entry's site jumps: the target's tail entry, the site's
 * fall-through (NULL), or "nop" when it falls into the run-time sequence. */
static const char *site_goes_to(const struct bpfvm_prog *entry, const void **to)
{
	const struct jit_code *code = entry->jit;
	const uint8_t *site;
	int32_t rel;

	if (!code || code->poke_cnt != 1)
		return "no site";
	site = code->mem.rx + code->pokes[0].site;
	if (site[0] != 0xe9)
		return "nop";
	memcpy(&rel, site + 1, 4);
	*to = site + 5 + rel;
	if (*to == code->mem.rx + code->pokes[0].out)
		*to = NULL;
	return "jmp";
}

static void check_site(struct setup *s, const char *step, const struct bpfvm_prog *target)
{
	const struct bpfvm_prog *entry = bpfvm_object_find_prog(s->obj, "poke_entry");
	const void *to = NULL, *want;
	const char *kind;
	char name[128];

	if (s->engine != BPFVM_ENGINE_JIT)
		return;
	want = target ? target->jit->tail_entry : NULL;
	kind = site_goes_to(entry, &to);
	snprintf(name, sizeof(name), "jit_site_points_at_the_slot_%s", step);
	testlib_check(name, strcmp(kind, "jmp") == 0 && to == want,
		      "site: %s to %p, want a jmp to %p", kind, to, want);
}

static void check_run(struct setup *s, const char *step, long want)
{
	long r0 = run(s->obj, "poke_entry");
	char name[128];

	snprintf(name, sizeof(name), "constant_key_tail_call_%s_%s", step,
		 s->engine == BPFVM_ENGINE_JIT ? "jit" : "interp");
	testlib_check(name, r0 == want, "r0 %ld, want %ld", r0, want);
}

/* A program whose only reference is the slot: from a copy of the object,
 * closed at once. */
static int slot_set_only_holder(struct setup *s)
{
	struct bpfvm_object *copy = open_object(s->vm);
	int err = slot_set(s, bpfvm_object_find_prog(copy, "poke_a"));

	bpfvm_object_close(copy);
	return err;
}

static void check_follows_the_slot(enum bpfvm_engine engine)
{
	struct setup s;
	struct bpfvm_prog *a, *b;

	setup(&s, engine);
	a = bpfvm_object_find_prog(s.obj, "poke_a");
	b = bpfvm_object_find_prog(s.obj, "poke_b");
	check_run(&s, "falls_through_an_empty_slot", 1);
	check_site(&s, "empty_at_first", NULL);
	slot_set(&s, a);
	check_run(&s, "reaches_the_program_set", 2);
	check_site(&s, "set", a);
	slot_set(&s, b);
	check_run(&s, "reaches_the_replacement", 3);
	check_site(&s, "replaced", b);
	slot_delete(&s);
	check_run(&s, "falls_through_after_delete", 1);
	check_site(&s, "deleted", NULL);
	slot_set_only_holder(&s);
	check_run(&s, "reaches_a_program_only_the_slot_holds", 2);
	slot_set(&s, b); /* frees the copy's poke_a */
	check_run(&s, "leaves_a_freed_program", 3);
	check_site(&s, "replaced_freed", b);
	testlib_check(engine == BPFVM_ENGINE_JIT ? "jump_into_the_sequence_uses_r2_jit" :
			      "jump_into_the_sequence_uses_r2_interp",
		      run(s.obj, "poke_joined") == 4, "r0 %ld, want 4 (other_jmp's poke_c)",
		      run(s.obj, "poke_joined"));
	if (engine == BPFVM_ENGINE_JIT) {
		const struct bpfvm_prog *joined = bpfvm_object_find_prog(s.obj, "poke_joined");

		testlib_check("jump_into_the_sequence_has_no_site", joined->jit->poke_cnt == 0,
			      "%u sites", joined->jit->poke_cnt);
	}
	bpfvm_object_close(s.obj);
	bpfvm_destroy(s.vm);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJDIR\n", argv[0]);
		return 2;
	}
	objdir = argv[1];
	check_follows_the_slot(BPFVM_ENGINE_INTERP);
	check_follows_the_slot(BPFVM_ENGINE_JIT);
	return testlib_summary();
}
