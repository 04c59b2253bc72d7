/* Poke descriptors: the direct jumps of constant-key tail calls, kept
 * pointing at what their prog array slot holds (the kernel's
 * bpf_arch_poke_desc_update). jit_tail_call.c emits each site as
 *
 *         count check                     (33 reached: to out)
 *         lea r11, [rip + out]            (where the target's stack test fails to)
 *   site: 5 bytes, 8-byte aligned:  jmp target's tail entry   slot holds it
 *                                   jmp out                   slot empty
 *                                   nop5                      anything else
 *         the indirect tail call          (reads the slot at run time)
 *   out:
 *
 * "Anything else" (not yet patched, a target out of rel32 reach) falls into
 * the run-time sequence, which is right whatever the slot holds: a site is
 * only ever faster than the indirect call, never different from it.
 *
 * A site is rewritten by one aligned 8-byte store of the 5 bytes and the 3
 * that follow them (unchanged code) through the pack's writable view: it
 * crosses no 8-byte boundary, so a thread running the code fetches the old
 * or the new instruction, never a mix (the same guarantee the kernel's
 * text_poke_bp gets with its int3 dance, which user space cannot do).
 * membarrier(SYNC_CORE) then makes every thread of the process serialise
 * its instruction stream, as the kernel's text_poke_sync IPIs do, so that
 * no core runs a stale copy of a site once the update returns.
 *
 * Order with prog array updates (fd_array.c): the slot is written first,
 * then jit_poke_slot_changed() re-reads it and rewrites the sites under
 * poke_lock, and only then is the old program put. A site therefore never
 * points at a program that has left its slot once the put happens, and the
 * put frees it only after a grace period (engine/vcpu.h) covering the runs
 * that jumped in before. Concurrent updates of a slot each re-read it
 * under the lock, so the last one leaves the sites at what the slot holds.
 * A program's sites are tracked from the end of its compile to the start
 * of its free; its maps (the arrays) outlive both. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine/jit_internal.h"
#include "maps/prog_array.h"

#ifndef MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE (1 << 5)
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE (1 << 6)
#endif

const uint8_t jit_nop5[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };

static pthread_mutex_t poke_lock = PTHREAD_MUTEX_INITIALIZER;
/* Every program's code with sites, under poke_lock. */
static struct jit_code **tracked;
static size_t tracked_cnt, tracked_cap;
/* membarrier(SYNC_CORE) registered for this process; set once. */
static bool sync_core;

static void sync_core_register(void)
{
	static bool tried;

	if (tried)
		return;
	tried = true;
	sync_core = syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE,
			    0, 0) == 0;
}

/* The rel32 of a `jmp` from the site to `to`; false when out of reach. */
static bool site_rel(const struct jit_code *code, const struct jit_poke *poke, uintptr_t to,
		     int32_t *rel)
{
	int64_t diff = (int64_t)(to - ((uintptr_t)code->mem.rx + poke->site + 5));

	*rel = (int32_t)diff;
	return x86_fits_i32(diff);
}

/* What a site should hold for the slot's current program. */
static void site_insn(const struct jit_code *code, const struct jit_poke *poke, uint8_t insn[5])
{
	const struct bpfvm_prog *target = prog_array_get(poke->array, poke->key);
	uintptr_t to = (uintptr_t)code->mem.rx + poke->out;
	int32_t rel;

	if (target)
		to = target->jit ? (uintptr_t)target->jit->tail_entry : 0;
	if (!to || !site_rel(code, poke, to, &rel)) {
		memcpy(insn, jit_nop5, 5);
		return;
	}
	insn[0] = 0xe9;
	memcpy(insn + 1, &rel, 4);
}

/* Rewrites one site in one store; true if it changed. */
static bool poke_site(struct jit_code *code, const struct jit_poke *poke)
{
	_Atomic uint64_t *word = (_Atomic uint64_t *)(void *)(code->mem.rw + poke->site);
	uint64_t old = atomic_load_explicit(word, memory_order_relaxed), new = old;
	uint8_t insn[5];

	site_insn(code, poke, insn);
	memcpy(&new, insn, 5); /* x86 is little-endian: the low 5 bytes */
	if (new == old)
		return false;
	atomic_store_explicit(word, new, memory_order_release);
	return true;
}

/* Only tracked code has patched sites, and code is tracked only when
 * sync_core is registered. */
static void sync_cores(void)
{
	syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0);
}

int jit_poke_track(struct jit_code *code)
{
	if (!code->poke_cnt)
		return 0;
	pthread_mutex_lock(&poke_lock);
	sync_core_register();
	if (!sync_core) {
		/* Without membarrier a rewritten site could stay stale in
		 * another core: the sites keep their nop5, the run-time tail
		 * call, right whatever the slots hold. */
		pthread_mutex_unlock(&poke_lock);
		return 0;
	}
	if (tracked_cnt == tracked_cap) {
		size_t cap = tracked_cap ? 2 * tracked_cap : 16;
		struct jit_code **grown = realloc(tracked, cap * sizeof(*grown));

		if (!grown) {
			pthread_mutex_unlock(&poke_lock);
			return -ENOMEM;
		}
		tracked = grown;
		tracked_cap = cap;
	}
	tracked[tracked_cnt++] = code;
	for (uint32_t i = 0; i < code->poke_cnt; i++)
		poke_site(code, &code->pokes[i]);
	/* No sync: the code has not run yet, and its sites were nop5 (right
	 * whatever the slots hold) until now. */
	pthread_mutex_unlock(&poke_lock);
	return 0;
}

void jit_poke_untrack(struct jit_code *code)
{
	if (!code->poke_cnt)
		return;
	pthread_mutex_lock(&poke_lock);
	for (size_t i = 0; i < tracked_cnt; i++) {
		if (tracked[i] == code) {
			tracked[i] = tracked[--tracked_cnt];
			break;
		}
	}
	pthread_mutex_unlock(&poke_lock);
}

void jit_poke_slot_changed(const struct bpfvm_map *array, uint32_t key)
{
	bool changed = false;

	pthread_mutex_lock(&poke_lock);
	for (size_t i = 0; i < tracked_cnt; i++) {
		struct jit_code *code = tracked[i];

		for (uint32_t p = 0; p < code->poke_cnt; p++)
			if (code->pokes[p].array == array && code->pokes[p].key == key)
				changed |= poke_site(code, &code->pokes[p]);
	}
	if (changed)
		sync_cores();
	pthread_mutex_unlock(&poke_lock);
}
