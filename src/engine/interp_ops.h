/* The arithmetic and legacy packet loads whose semantics both interpreters
 * share (interpreter.c, interp_checked.c): one definition, so that the checked
 * mode computes exactly what the fast one does. */
#ifndef BPFVM_ENGINE_INTERP_OPS_H
#define BPFVM_ENGINE_INTERP_OPS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "engine/interp.h"
#include "engine/prog.h"

/* Unaligned-safe memory access: the verifier allows unaligned packet access,
 * and memcpy of a constant size compiles to a single move. */
static inline uint64_t load_u8(uint64_t addr) { return *(const uint8_t *)(uintptr_t)addr; }
static inline uint64_t load_u16(uint64_t addr) { uint16_t v; memcpy(&v, (const void *)(uintptr_t)addr, 2); return v; }
static inline uint64_t load_u32(uint64_t addr) { uint32_t v; memcpy(&v, (const void *)(uintptr_t)addr, 4); return v; }
static inline uint64_t load_u64(uint64_t addr) { uint64_t v; memcpy(&v, (const void *)(uintptr_t)addr, 8); return v; }
static inline void store_u8(uint64_t addr, uint64_t v) { *(uint8_t *)(uintptr_t)addr = (uint8_t)v; }
static inline void store_u16(uint64_t addr, uint64_t v) { uint16_t x = (uint16_t)v; memcpy((void *)(uintptr_t)addr, &x, 2); }
static inline void store_u32(uint64_t addr, uint64_t v) { uint32_t x = (uint32_t)v; memcpy((void *)(uintptr_t)addr, &x, 4); }
static inline void store_u64(uint64_t addr, uint64_t v) { memcpy((void *)(uintptr_t)addr, &v, 8); }

/* SEMANTICS.md, instruction set: division by zero gives 0, modulo by zero
 * leaves dst unchanged, INT_MIN / -1 = INT_MIN and INT_MIN % -1 = 0. */
static inline uint64_t sdiv64(uint64_t a, uint64_t b)
{
	if (b == 0)
		return 0;
	if ((int64_t)b == -1)
		return 0 - a;
	return (uint64_t)((int64_t)a / (int64_t)b);
}

static inline uint64_t smod64(uint64_t a, uint64_t b)
{
	if (b == 0)
		return a;
	if ((int64_t)b == -1)
		return 0;
	return (uint64_t)((int64_t)a % (int64_t)b);
}

static inline uint32_t sdiv32(uint32_t a, uint32_t b)
{
	if (b == 0)
		return 0;
	if ((int32_t)b == -1)
		return 0 - a;
	return (uint32_t)((int32_t)a / (int32_t)b);
}

static inline uint32_t smod32(uint32_t a, uint32_t b)
{
	if (b == 0)
		return a;
	if ((int32_t)b == -1)
		return 0;
	return (uint32_t)((int32_t)a % (int32_t)b);
}

/* Legacy packet load: the bytes at [offset, offset + size) of the packet in
 * network byte order, or false when out of range (the program then ends with
 * r0 = 0, as the kernel's bpf_load_pointer failure path does). */
static inline int packet_load(const struct interp_run *run, uint64_t offset,
			      unsigned size, uint64_t *value)
{
	const uint8_t *p;

	if ((int64_t)(int32_t)offset < 0 || (uint32_t)offset + (uint64_t)size > run->packet_len)
		return 0;
	p = run->packet + (uint32_t)offset;
	switch (size) {
	case 1: *value = p[0]; break;
	case 2: *value = (uint64_t)p[0] << 8 | p[1]; break;
	default: *value = (uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 | (uint64_t)p[2] << 8 | p[3]; break;
	}
	return 1;
}

/* Whether the target of a tail call made `depth` frames deep, with r10 at
 * `frame_pointer`, has room for its own call chains (see INTERP_RUN_STACK). */
static inline bool tail_call_fits(const struct interp_run *run, const struct bpfvm_prog *target,
				  unsigned depth, uint64_t frame_pointer)
{
	uint64_t room = frame_pointer - (uint64_t)(uintptr_t)run->stack_bottom;

	return depth + target->frames_max <= INTERP_RUN_FRAMES && target->stack_max <= room;
}

#endif
