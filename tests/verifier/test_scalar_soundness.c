/* The scalar domain (src/verifier/scalar.c) against concrete values: for
 * small random sets of 64-bit values, the abstract scalar built from each
 * set must hold every value of the set, every ALU result on abstract
 * operands must hold every concrete result on their values, and a branch
 * must never be decided against a concrete pair, nor refined so that a
 * pair taking that side is lost (or the side declared dead).
 *
 *   test_scalar_soundness [ROUNDS [SEED]]
 *
 * The sets mix edge values (0, ±1, the 32- and 64-bit sign boundaries),
 * clusters of neighbours, and random values; the abstract scalars are
 * sometimes loosened (a view made unbounded) as a verifier state is after
 * an imprecise op. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verifier/scalar.h"

#define SET_MAX 5
#define FAIL_REPORT_MAX 20

struct set {
	uint64_t v[SET_MAX];
	unsigned n;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static unsigned long failures, checks;

static uint64_t rnd(void)
{
	/* xorshift64*: reproducible from the seed */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static const uint64_t edges[] = {
	0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 33, 63, 64, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000,
	0xffff, 0x10000, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, 0x100000000,
	0x100000001, 0x17fffffff, 0x180000000, 0x7fffffffffffffff, 0x8000000000000000,
	0x8000000000000001, 0xffffffff00000000, 0xffffffff7fffffff, 0xffffffff80000000,
	UINT64_MAX, UINT64_MAX - 1, UINT64_MAX - 7, UINT64_MAX - 0x7f,
};

static uint64_t pick_value(uint64_t near)
{
	switch (rnd() % 4) {
	case 0: return edges[rnd() % (sizeof(edges) / sizeof(edges[0]))];
	case 1: return near + (rnd() % 9) - 4;
	case 2: return rnd() % 64;
	default: return rnd() >> (rnd() % 64);
	}
}

static struct set random_set(void)
{
	struct set s = { .n = 1 + (unsigned)(rnd() % SET_MAX) };
	uint64_t near = pick_value(0);

	for (unsigned i = 0; i < s.n; i++)
		s.v[i] = pick_value(near);
	return s;
}

/* The tightest scalar holding s, sometimes with a view loosened. */
static struct reg_state abstract_of(const struct set *s)
{
	struct reg_state r;
	uint64_t and = UINT64_MAX, or = 0;

	memset(&r, 0, sizeof(r));
	r.type = REG_SCALAR;
	r.smin = INT64_MAX, r.smax = INT64_MIN, r.umin = UINT64_MAX, r.umax = 0;
	r.s32_min = INT32_MAX, r.s32_max = INT32_MIN, r.u32_min = UINT32_MAX, r.u32_max = 0;
	for (unsigned i = 0; i < s->n; i++) {
		uint64_t x = s->v[i];

		and &= x, or |= x;
		if ((int64_t)x < r.smin) r.smin = (int64_t)x;
		if ((int64_t)x > r.smax) r.smax = (int64_t)x;
		if (x < r.umin) r.umin = x;
		if (x > r.umax) r.umax = x;
		if ((int32_t)(uint32_t)x < r.s32_min) r.s32_min = (int32_t)(uint32_t)x;
		if ((int32_t)(uint32_t)x > r.s32_max) r.s32_max = (int32_t)(uint32_t)x;
		if ((uint32_t)x < r.u32_min) r.u32_min = (uint32_t)x;
		if ((uint32_t)x > r.u32_max) r.u32_max = (uint32_t)x;
	}
	r.var_off = (struct tnum){ .value = and, .mask = and ^ or };
	switch (rnd() % 8) {
	case 0: r.var_off = tnum_unknown(); break;
	case 1: r.smin = INT64_MIN, r.smax = INT64_MAX; break;
	case 2: r.umin = 0, r.umax = UINT64_MAX; break;
	case 3: r.s32_min = INT32_MIN, r.s32_max = INT32_MAX, r.u32_min = 0, r.u32_max = UINT32_MAX;
		break;
	default: break;
	}
	scalar_bounds_sync(&r);
	return r;
}

static void describe(const char *what, const struct reg_state *r)
{
	fprintf(stderr, "    %s: var_off (%#" PRIx64 "; %#" PRIx64 ") s64 [%" PRId64 ", %" PRId64
		"] u64 [%#" PRIx64 ", %#" PRIx64 "] s32 [%d, %d] u32 [%#x, %#x]\n", what,
		r->var_off.value, r->var_off.mask, r->smin, r->smax, r->umin, r->umax, r->s32_min,
		r->s32_max, r->u32_min, r->u32_max);
}

static void fail(const char *what, const struct reg_state *a, const struct reg_state *b,
		 uint64_t x, uint64_t y, const struct reg_state *result)
{
	if (++failures > FAIL_REPORT_MAX)
		return;
	fprintf(stderr, "FAIL %s: values %#" PRIx64 ", %#" PRIx64 "\n", what, x, y);
	describe("a", a);
	if (b)
		describe("b", b);
	if (result)
		describe("result", result);
}

static void expect_contains(const char *what, const struct reg_state *a,
			    const struct reg_state *b, uint64_t x, uint64_t y,
			    const struct reg_state *result, uint64_t value)
{
	checks++;
	if (!scalar_contains(result, value))
		fail(what, a, b, x, y, result);
}

static const struct { uint8_t op; const char *name; } alu_ops[] = {
	{ BPF_ADD, "add" }, { BPF_SUB, "sub" }, { BPF_MUL, "mul" }, { BPF_DIV, "div" },
	{ BPF_OR, "or" }, { BPF_AND, "and" }, { BPF_LSH, "lsh" }, { BPF_RSH, "rsh" },
	{ BPF_MOD, "mod" }, { BPF_XOR, "xor" }, { BPF_ARSH, "arsh" },
};

static void check_sync_keeps_values(const struct set *s, const struct reg_state *a)
{
	for (unsigned i = 0; i < s->n; i++)
		expect_contains("abstraction", a, NULL, s->v[i], 0, a, s->v[i]);
}

static void check_binary(const struct set *s1, const struct reg_state *a, const struct set *s2,
			 const struct reg_state *b)
{
	char what[64];

	for (size_t k = 0; k < sizeof(alu_ops) / sizeof(alu_ops[0]); k++) {
		for (int variant = 0; variant < 4; variant++) {
			bool is64 = variant & 1, is_signed = variant & 2;
			uint8_t op = alu_ops[k].op;
			struct reg_state r = *a;

			if (is_signed && op != BPF_DIV && op != BPF_MOD)
				continue;
			snprintf(what, sizeof(what), "%s%s%s", is_signed ? "s" : "", alu_ops[k].name,
				 is64 ? "64" : "32");
			scalar_alu(&r, b, op, is64, is_signed);
			for (unsigned i = 0; i < s1->n; i++)
				for (unsigned j = 0; j < s2->n; j++)
					expect_contains(what, a, b, s1->v[i], s2->v[j], &r,
							scalar_fold(op, is64, is_signed, s1->v[i],
								    s2->v[j]));
		}
	}
}

static uint64_t bswap_low(uint64_t x, unsigned bits)
{
	switch (bits) {
	case 16: return __builtin_bswap16((uint16_t)x);
	case 32: return __builtin_bswap32((uint32_t)x);
	default: return __builtin_bswap64(x);
	}
}

static uint64_t sext_low(uint64_t x, unsigned bits)
{
	return (uint64_t)((int64_t)(x << (64 - bits)) >> (64 - bits));
}

static void check_unary(const struct set *s, const struct reg_state *a)
{
	static const unsigned widths[] = { 8, 16, 32, 64 };

	for (int is64 = 0; is64 < 2; is64++) {
		struct reg_state r = *a;

		scalar_neg(&r, is64);
		for (unsigned i = 0; i < s->n; i++)
			expect_contains(is64 ? "neg64" : "neg32", a, NULL, s->v[i], 0, &r,
					is64 ? 0 - s->v[i] : (uint32_t)(0 - s->v[i]));
	}
	for (size_t w = 1; w < 4; w++) {
		unsigned bits = widths[w];
		struct reg_state le = *a, sw = *a;

		scalar_end(&le, false, bits);
		scalar_end(&sw, true, bits);
		for (unsigned i = 0; i < s->n; i++) {
			uint64_t x = s->v[i];

			expect_contains("to_le", a, NULL, x, bits, &le,
					bits == 64 ? x : x & ((1ull << bits) - 1));
			expect_contains("bswap", a, NULL, x, bits, &sw, bswap_low(x, bits));
		}
	}
	for (size_t w = 0; w < 3; w++) {
		unsigned bits = widths[w];
		struct reg_state m64, m32, zx = *a, sx = *a;

		scalar_movsx(&m64, a, bits, true);
		scalar_movsx(&m32, a, bits, false);
		scalar_coerce_load(&zx, bits / 8, false);
		scalar_coerce_load(&sx, bits / 8, true);
		for (unsigned i = 0; i < s->n; i++) {
			uint64_t x = s->v[i];

			expect_contains("movsx64", a, NULL, x, bits, &m64, sext_low(x, bits));
			if (bits < 32)
				expect_contains("movsx32", a, NULL, x, bits, &m32,
						(uint32_t)sext_low(x, bits));
			expect_contains("load_zext", a, NULL, x, bits, &zx, x & ((1ull << bits) - 1));
			expect_contains("load_sext", a, NULL, x, bits, &sx, sext_low(x, bits));
		}
	}
	{
		struct reg_state z = *a;

		scalar_zext32(&z);
		for (unsigned i = 0; i < s->n; i++)
			expect_contains("zext32", a, NULL, s->v[i], 0, &z, (uint32_t)s->v[i]);
	}
}

static const struct { uint8_t op; const char *name; } jmp_ops[] = {
	{ BPF_JEQ, "jeq" }, { BPF_JNE, "jne" }, { BPF_JSET, "jset" }, { BPF_JGT, "jgt" },
	{ BPF_JGE, "jge" }, { BPF_JLT, "jlt" }, { BPF_JLE, "jle" }, { BPF_JSGT, "jsgt" },
	{ BPF_JSGE, "jsge" }, { BPF_JSLT, "jslt" }, { BPF_JSLE, "jsle" },
};

static bool concrete_jump(uint8_t op, bool is32, uint64_t a, uint64_t b)
{
	int64_t sa = is32 ? (int32_t)(uint32_t)a : (int64_t)a;
	int64_t sb = is32 ? (int32_t)(uint32_t)b : (int64_t)b;

	if (is32)
		a = (uint32_t)a, b = (uint32_t)b;
	switch (op) {
	case BPF_JEQ: return a == b;
	case BPF_JNE: return a != b;
	case BPF_JSET: return (a & b) != 0;
	case BPF_JGT: return a > b;
	case BPF_JGE: return a >= b;
	case BPF_JLT: return a < b;
	case BPF_JLE: return a <= b;
	case BPF_JSGT: return sa > sb;
	case BPF_JSGE: return sa >= sb;
	case BPF_JSLT: return sa < sb;
	default: return sa <= sb;
	}
}

static void check_side(const char *what, const struct set *s1, const struct reg_state *a,
		       const struct set *s2, const struct reg_state *b, uint8_t op, bool is32,
		       bool side)
{
	struct reg_state ra = *a, rb = *b;
	bool alive = scalar_refine(&ra, &rb, op, is32, side);

	for (unsigned i = 0; i < s1->n; i++) {
		for (unsigned j = 0; j < s2->n; j++) {
			uint64_t x = s1->v[i], y = s2->v[j];

			if (concrete_jump(op, is32, x, y) != side)
				continue;
			checks++;
			if (!alive) {
				fail(what, a, b, x, y, NULL);
				continue;
			}
			expect_contains(what, a, b, x, y, &ra, x);
			expect_contains(what, a, b, x, y, &rb, y);
		}
	}
}

static void check_branches(const struct set *s1, const struct reg_state *a, const struct set *s2,
			   const struct reg_state *b)
{
	char what[64];

	for (size_t k = 0; k < sizeof(jmp_ops) / sizeof(jmp_ops[0]); k++) {
		for (int is32 = 0; is32 < 2; is32++) {
			uint8_t op = jmp_ops[k].op;
			int taken = scalar_branch_taken(a, b, op, is32);

			snprintf(what, sizeof(what), "%s%s taken=%d", jmp_ops[k].name,
				 is32 ? "32" : "", taken);
			for (unsigned i = 0; i < s1->n; i++)
				for (unsigned j = 0; j < s2->n; j++) {
					bool c = concrete_jump(op, is32, s1->v[i], s2->v[j]);

					checks++;
					if (taken >= 0 && c != (bool)taken)
						fail(what, a, b, s1->v[i], s2->v[j], NULL);
				}
			if (taken >= 0)
				continue;
			snprintf(what, sizeof(what), "%s%s refined taken", jmp_ops[k].name,
				 is32 ? "32" : "");
			check_side(what, s1, a, s2, b, op, is32, true);
			snprintf(what, sizeof(what), "%s%s refined not taken", jmp_ops[k].name,
				 is32 ? "32" : "");
			check_side(what, s1, a, s2, b, op, is32, false);
		}
	}
}

/* A copy linked with a constant added learns from its original. */
static void check_linked_copies(const struct set *s, const struct reg_state *a)
{
	struct func_state frame;
	struct verifier_state st;
	struct reg_state bound;
	uint32_t id_gen = 0;
	int32_t delta = (int32_t)(rnd() % 64) - 32;
	struct reg_state k;

	memset(&frame, 0, sizeof(frame));
	memset(&st, 0, sizeof(st));
	st.frames[0] = &frame;
	frame.regs[1] = *a;
	scalar_link_before_copy(&frame.regs[1], &id_gen);
	frame.regs[2] = frame.regs[1];
	reg_mark_const(&k, (uint64_t)(int64_t)delta);
	scalar_alu(&frame.regs[2], &k, BPF_ADD, true, false);
	if (frame.regs[1].id) {
		frame.regs[2].id = frame.regs[1].id | SCALAR_ID_ADD_CONST;
		frame.regs[2].off = delta;
	}
	/* if r1 < bound: r1 and r2 = r1 + delta both learn */
	reg_mark_const(&bound, s->v[rnd() % s->n]);
	if (scalar_branch_taken(&frame.regs[1], &bound, BPF_JLT, false) >= 0)
		return;
	if (!scalar_refine(&frame.regs[1], &bound, BPF_JLT, false, true))
		return;
	scalar_sync_linked(&st, &frame.regs[1]);
	for (unsigned i = 0; i < s->n; i++) {
		uint64_t x = s->v[i];

		if (!(x < bound.var_off.value))
			continue;
		expect_contains("linked original", a, &bound, x, 0, &frame.regs[1], x);
		expect_contains("linked copy", a, &bound, x, (uint64_t)(int64_t)delta, &frame.regs[2],
				x + (uint64_t)(int64_t)delta);
	}
}

int main(int argc, char **argv)
{
	unsigned long rounds = argc > 1 ? strtoul(argv[1], NULL, 0) : 20000;

	if (argc > 2)
		rng_state = strtoull(argv[2], NULL, 0) | 1;
	for (unsigned long round = 0; round < rounds; round++) {
		struct set s1 = random_set(), s2 = random_set();
		struct reg_state a = abstract_of(&s1), b = abstract_of(&s2);

		check_sync_keeps_values(&s1, &a);
		check_sync_keeps_values(&s2, &b);
		check_binary(&s1, &a, &s2, &b);
		check_unary(&s1, &a);
		check_branches(&s1, &a, &s2, &b);
		check_linked_copies(&s1, &a);
	}
	printf("%lu rounds, %lu checks, %lu failures\n", rounds, checks, failures);
	return failures ? 1 : 0;
}
