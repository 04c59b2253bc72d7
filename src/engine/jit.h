/* The x86-64 JIT: compiles the verified, rewritten program (the stream the
 * interpreter decodes, with the operands interp_decode resolved) to machine
 * code, and runs it. See docs/jit.md and jit_internal.h for the layout. */
#ifndef BPFVM_ENGINE_JIT_H
#define BPFVM_ENGINE_JIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfvm/bpfvm.h"

struct interp_run;

/* Code memory (jit_code_mem.c): a piece of a pack, seen at two addresses,
 * the same bytes. Code runs at `rx` (read + execute) and is written
 * through `rw` (read + write). */
struct jit_pack;
struct jit_mem {
	struct jit_pack *pack;
	uint8_t *rx;
	uint8_t *rw;
	size_t size;	     /* bytes reserved, whole chunks */
};

struct jit_poke;

/* A program's machine code. */
struct jit_code {
	struct jit_mem mem;
	size_t code_size;    /* bytes of code from mem.rx */
	uint64_t (*enter)(void *state); /* the entry stub (jit_internal.h) */
	const void *body;    /* the main program's first instruction */
	const void *tail_entry; /* where constant-key tail calls land (jit_poke.c) */
	uint32_t *insn_offsets; /* code offset of each instruction (insn_cnt) */
	uint32_t insn_cnt;
	struct jit_poke *pokes; /* its constant-key tail-call sites */
	uint32_t poke_cnt;
};

/* Whether this build has the JIT (x86-64 only). */
bool jit_available(void);

/* The engine a runtime gets for `requested` (bpfvm.h: enum bpfvm_engine):
 * 0 and *engine, or -EINVAL / -ENOTSUP with a message. */
int jit_engine_choose(enum bpfvm_engine requested, enum bpfvm_engine *engine);

/* Compiles prog (checked and decoded: prog->interp set) and sets prog->jit
 * and prog->jit_body. Returns 0, or -ENOMEM with a message. */
int jit_compile(struct bpfvm_prog *prog);

/* Frees the code (its call sites untracked first); NULL is allowed. */
void jit_free(struct jit_code *code);

/* A prog array's slot `key` changed (maps/fd_array.c, after the slot is
 * written and before the old program is put): rewrites the direct jumps of
 * the constant-key tail calls through it (jit_poke.c). */
void jit_poke_slot_changed(const struct bpfvm_map *array, uint32_t key);

/* Runs prog's code from `entry` (a function's address, as an lddw
 * BPF_PSEUDO_FUNC loads it; 0: the main program) with the run's registers,
 * stack and budget. Returns 0 and sets *retval, or a negative errno. */
int jit_execute(const struct bpfvm_prog *prog, uint64_t entry, struct interp_run *run,
		uint64_t *retval);

/* Runs next->prog's main program `repeat` times (at least once), each run
 * readied by run_repeat_next (run_ctx.h), the state the code reads set up
 * once. Stops at the first error. Returns 0 and sets *retval to the last
 * run's r0, or a negative errno. */
struct run_repeat;
int jit_execute_repeat(const struct run_repeat *next, uint32_t repeat, uint64_t *retval);

#endif
