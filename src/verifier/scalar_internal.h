/* What the files of the scalar domain (scalar.c, scalar_alu.c,
 * scalar_branch.c) share and nothing else needs. */
#ifndef BPFVM_VERIFIER_SCALAR_INTERNAL_H
#define BPFVM_VERIFIER_SCALAR_INTERNAL_H

#include "verifier/scalar.h"

#define S32_MIN INT32_MIN
#define S32_MAX INT32_MAX
#define U32_MAX UINT32_MAX

static inline uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }
static inline uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static inline int64_t max_s64(int64_t a, int64_t b) { return a > b ? a : b; }
static inline int64_t min_s64(int64_t a, int64_t b) { return a < b ? a : b; }
static inline uint32_t max_u32(uint32_t a, uint32_t b) { return a > b ? a : b; }
static inline uint32_t min_u32(uint32_t a, uint32_t b) { return a < b ? a : b; }
static inline int32_t max_s32(int32_t a, int32_t b) { return a > b ? a : b; }
static inline int32_t min_s32(int32_t a, int32_t b) { return a < b ? a : b; }

/* One view unbounded (the tnum stays). */
void scalar_mark_unbounded64(struct reg_state *reg);
void scalar_mark_unbounded32(struct reg_state *reg);
/* Every view says value. */
void scalar_mark_known(struct reg_state *reg, uint64_t value);
/* Whether the scalar is one value on 64 bits, or in its low 32 (!is64). */
bool scalar_is_const(const struct reg_state *reg, bool is64);

#endif
