/* bench_interp: each engine's cost per executed instruction on a few
 * loops, the interpreter and the JIT side by side, printed as a table.
 *
 * Each program's dynamic instruction count is exact by construction (every
 * path through a loop iteration has the same length), so ns/insn is the
 * measured time per run divided by that count. Every figure is the median of
 * several rounds, each round timing many runs back to back.
 *
 *   usage: bench_interp [rounds] [runs-per-round]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpfvm/bpfvm.h"

#define PACKET_LEN 1500

struct bench_program {
	const char *name;
	const char *text;
	uint64_t insns_per_run; /* exact dynamic count */
	uint64_t expected_r0;	/* guards against measuring a broken program */
};

/* Sum of 1..10000: 2 + 3 * 10000 + 1 instructions. */
static const char sum_text[] =
	"r0 = 0\n"
	"r1 = 10000\n"
	"loop:\n"
	"r0 += r1\n"
	"r1 += -1\n"
	"if r1 != 0x0 goto loop\n"
	"exit\n";

/* Byte sum over a 1500-byte packet, folded to 16 bits:
 * 3 + 4 * 1500 + 5 instructions. */
/* The byte sum of the 1500-byte packet, by index: the bound is the
 * constant length the program is loaded for (ctx_size), which is what lets
 * the verifier prove every read inside the packet. */
static const char checksum_text[] =
	"r0 = 0\n"
	"r3 = 0\n"
	"loop:\n"
	"r4 = r1\n"
	"r4 += r3\n"
	"r5 = *(u8 *)(r4 +0)\n"
	"r0 += r5\n"
	"r3 += 1\n"
	"if r3 < 1500 goto loop\n"
	"r2 = r0\n"
	"r2 >>= 16\n"
	"r0 &= 65535\n"
	"r0 += r2\n"
	"exit\n";
_Static_assert(PACKET_LEN == 1500, "checksum_text's bound is the packet length");

/* A pseudo-random walk through an 8-way switch, 2000 iterations. Every case
 * is 3 instructions long and the compare chain is arranged so that every
 * path through one iteration executes exactly 20 instructions:
 * LCG step (3) + selector (3) + 8 compares... (see the layout below). */
static const char switch_text[] =
	"r6 = 2000\n"
	"r7 = 12345\n"
	"r0 = 0\n"
	"loop:\n"
	"r7 *= 1103515245\n"
	"r7 += 12345\n"
	"r7 &= 2147483647\n"
	"r1 = r7\n"
	"r1 >>= 16\n"
	"r1 &= 7\n"
	/* A balanced binary tree of compares: 3 compares on every path. */
	"if r1 > 0x3 goto upper\n"
	"if r1 > 0x1 goto lower_high\n"
	"if r1 > 0x0 goto case1\n"
	"r0 += 1\n"
	"r0 ^= 3\n"
	"goto next\n"
	"case1:\n"
	"r0 += 7\n"
	"r0 <<= 1\n"
	"goto next\n"
	"lower_high:\n"
	"if r1 > 0x2 goto case3\n"
	"r0 -= 5\n"
	"r0 |= 16\n"
	"goto next\n"
	"case3:\n"
	"r0 *= 3\n"
	"r0 += 11\n"
	"goto next\n"
	"upper:\n"
	"if r1 > 0x5 goto upper_high\n"
	"if r1 > 0x4 goto case5\n"
	"r0 ^= 255\n"
	"r0 += 2\n"
	"goto next\n"
	"case5:\n"
	"r0 >>= 1\n"
	"r0 += 13\n"
	"goto next\n"
	"upper_high:\n"
	"if r1 > 0x6 goto case7\n"
	"r0 += r7\n"
	"r0 &= 1048575\n"
	"goto next\n"
	"case7:\n"
	"r0 -= r1\n"
	"r0 += 100\n"
	"goto next\n"
	"next:\n"
	"r6 += -1\n"
	"if r6 != 0x0 goto loop\n"
	"exit\n";

/* Iteration: 6 (LCG + selector) + 3 compares + 3 (case incl. goto) + 2. */
#define SWITCH_ITERATIONS 2000
#define SWITCH_INSNS (3 + SWITCH_ITERATIONS * (6 + 3 + 3 + 2) + 1)

static uint64_t expected_switch(void)
{
	uint64_t r0 = 0, r7 = 12345;

	for (int i = 0; i < SWITCH_ITERATIONS; i++) {
		uint64_t r1;

		r7 = ((r7 * 1103515245) + 12345) & 2147483647;
		r1 = (r7 >> 16) & 7;
		switch (r1) {
		case 0: r0 = (r0 + 1) ^ 3; break;
		case 1: r0 = (r0 + 7) << 1; break;
		case 2: r0 = (r0 - 5) | 16; break;
		case 3: r0 = r0 * 3 + 11; break;
		case 4: r0 = (r0 ^ 255) + 2; break;
		case 5: r0 = (r0 >> 1) + 13; break;
		case 6: r0 = (r0 + r7) & 1048575; break;
		default: r0 = r0 - r1 + 100; break;
		}
	}
	return r0;
}

static uint64_t expected_checksum(const uint8_t *packet)
{
	uint64_t sum = 0;

	for (int i = 0; i < PACKET_LEN; i++)
		sum += packet[i];
	return (sum & 65535) + (sum >> 16);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int load(struct bpfvm *vm, const struct bench_program *bench, struct bpfvm_prog **prog)
{
	struct bpfvm_prog_opts opts = { .sz = sizeof(opts), .name = bench->name,
					.ctx_size = PACKET_LEN };
	struct bpf_insn *insns;
	size_t insn_cnt;
	int err;

	err = bpfvm_asm_parse(bench->text, &insns, &insn_cnt);
	if (err)
		return err;
	err = bpfvm_prog_load_raw(vm, insns, insn_cnt, &opts, prog);
	free(insns);
	return err;
}

/* Median ns per run over `rounds` rounds of `runs` runs; -1 on error. */
static double measure(struct bpfvm_prog *prog, uint8_t *packet, const struct bench_program *bench,
		      int rounds, int runs)
{
	double samples[rounds];
	uint64_t r0 = 0;

	for (int round = 0; round < rounds; round++) {
		double start = now_ns();

		for (int run = 0; run < runs; run++)
			if (bpfvm_prog_run_raw(prog, packet, PACKET_LEN, &r0) || r0 != bench->expected_r0)
				return -1;
		samples[round] = (now_ns() - start) / runs;
	}
	qsort(samples, (size_t)rounds, sizeof(double), compare_double);
	return samples[rounds / 2];
}

static struct bpfvm *create_vm(enum bpfvm_engine engine)
{
	struct bpfvm_opts opts = { .sz = sizeof(opts), .engine = engine };
	struct bpfvm *vm = NULL;

	if (bpfvm_create(&opts, &vm)) {
		fprintf(stderr, "bpfvm_create: %s\n", bpfvm_errmsg());
		exit(1);
	}
	return vm;
}

/* Median ns per run of one program in `vm`; exits on error. */
static double measure_in(struct bpfvm *vm, const struct bench_program *bench, uint8_t *packet,
			 int rounds, int runs)
{
	struct bpfvm_prog *prog = NULL;
	double ns;

	if (load(vm, bench, &prog)) {
		fprintf(stderr, "%s: %s\n", bench->name, bpfvm_errmsg());
		exit(1);
	}
	ns = measure(prog, packet, bench, rounds, runs);
	bpfvm_prog_free(prog);
	if (ns < 0) {
		fprintf(stderr, "%s: wrong result or run error: %s\n", bench->name, bpfvm_errmsg());
		exit(1);
	}
	return ns;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 7;
	int runs = argc > 2 ? atoi(argv[2]) : 200;
	uint8_t packet[PACKET_LEN];
	struct bpfvm *interp, *jit;

	if (rounds < 1 || runs < 1) {
		fprintf(stderr, "usage: %s [rounds] [runs-per-round]\n", argv[0]);
		return 2;
	}
	for (int i = 0; i < PACKET_LEN; i++)
		packet[i] = (uint8_t)(i * 7 + 3);
	struct bench_program benches[] = {
		{ "sum_loop", sum_text, 2 + 3 * 10000 + 1, 50005000 },
		{ "byte_checksum_1500", checksum_text, 2 + 6 * PACKET_LEN + 5, expected_checksum(packet) },
		{ "switch_8way", switch_text, SWITCH_INSNS, expected_switch() },
	};
	interp = create_vm(BPFVM_ENGINE_INTERP);
	jit = create_vm(BPFVM_ENGINE_DEFAULT);
	printf("bpfvm engines, median of %d rounds x %d runs (jit: the default engine, %s here)\n\n",
	       rounds, runs, bpfvm_engine(jit) == BPFVM_ENGINE_JIT ? "the JIT" : "the interpreter");
	printf("%-20s %10s %12s %10s %12s %10s %9s\n", "program", "insns/run", "interp ns", "ns/insn",
	       "jit ns", "ns/insn", "jit/intp");
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++) {
		const struct bench_program *b = &benches[i];
		double ns_interp = measure_in(interp, b, packet, rounds, runs);
		double ns_jit = measure_in(jit, b, packet, rounds, runs);

		printf("%-20s %10" PRIu64 " %12.1f %10.3f %12.1f %10.3f %9.2f\n", b->name,
		       b->insns_per_run, ns_interp, ns_interp / (double)b->insns_per_run, ns_jit,
		       ns_jit / (double)b->insns_per_run, ns_jit / ns_interp);
	}
	bpfvm_destroy(jit);
	bpfvm_destroy(interp);
	return 0;
}
