/* Harness: the verifier (and, for the JIT's runtime, its compiler). The
 * input is a program of any type with maps to reference (input_format.h);
 * it is loaded as bpfvm_prog_load_raw loads a raw program and as the loader
 * loads an object's program of that type, then freed. Nothing runs: the
 * soundness fuzzer (make fuzz-verifier) runs what the verifier accepts.
 *
 * Seeds: the asm examples and the tests' programs (make_seeds.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "engine/prog.h"
#include "harness.h"
#include "input_format.h"
#include "maps/map.h"
#include "../verifier/fuzz.h"

#define FUZZ_MAP_CNT (FUZZ_GEN_MAPS + 1)

struct fuzz_runtime {
	struct bpfvm *vm;
	struct bpfvm_map *maps[FUZZ_MAP_CNT];
};

static struct fuzz_runtime *runtime(bool jit)
{
	static struct fuzz_runtime runtimes[2];
	struct fuzz_runtime *rt = &runtimes[jit];
	struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = 2,
				   .engine = jit ? BPFVM_ENGINE_JIT : BPFVM_ENGINE_INTERP };

	if (rt->vm)
		return rt;
	/* No JIT on this machine: the interpreter's runtime stands in. */
	if (jit && bpfvm_create(&opts, &rt->vm) == -ENOTSUP)
		return runtime(false);
	if (!rt->vm && bpfvm_create(&opts, &rt->vm))
		fuzz_fail("cannot create a runtime: %s", bpfvm_errmsg());
	if (fuzz_gen_maps(rt->vm, rt->maps) ||
	    bpfvm_map_create(rt->vm, BPF_MAP_TYPE_PROG_ARRAY, "fuzz_progs", 4, 4, 4, NULL,
			     &rt->maps[FUZZ_GEN_MAPS]))
		fuzz_fail("cannot create the maps: %s", bpfvm_errmsg());
	return rt;
}

static char log_buf[512];

static void load_raw(struct fuzz_runtime *rt, const struct bpf_insn *insns, size_t cnt,
		     const uint8_t *header)
{
	struct bpfvm_prog_opts opts = { .sz = sizeof(opts), .ctx_size = header[3] * 8u };
	struct bpfvm_prog *prog = NULL;

	if (header[1] & FUZZ_F_LOG) {
		opts.log_level = BPFVM_LOG_LEVEL2;
		opts.log_buf = log_buf;
		opts.log_size = sizeof(log_buf);
	}
	if (!bpfvm_prog_load_raw(rt->vm, insns, cnt, &opts, &prog))
		bpfvm_prog_free(prog);
}

/* As the loader loads an object's program: type, attach type, license,
 * maps (one reference each, which prog_destroy and prog_put drop). */
static void load_typed(struct fuzz_runtime *rt, enum bpf_prog_type type,
		       const struct bpf_insn *insns, size_t cnt, const uint8_t *header)
{
	struct bpfvm_prog *prog = prog_alloc(rt->vm, "fuzzed", "fuzz", insns, cnt);

	if (!prog)
		fuzz_fail("out of memory");
	prog->type = type;
	prog->expected_attach_type = header[2];
	prog->gpl_compatible = !(header[1] & FUZZ_F_NO_GPL);
	prog->maps = calloc(FUZZ_MAP_CNT, sizeof(*prog->maps));
	if (!prog->maps)
		fuzz_fail("out of memory");
	for (unsigned i = 0; i < FUZZ_MAP_CNT; i++) {
		map_get(rt->maps[i]);
		prog->maps[i] = rt->maps[i];
	}
	prog->map_cnt = FUZZ_MAP_CNT;
	if (header[1] & FUZZ_F_LOG) {
		prog->log_level = BPFVM_LOG_LEVEL2;
		prog->log_buf = log_buf;
		prog->log_size = sizeof(log_buf);
	}
	if (prog_prepare(prog)) {
		prog_destroy(prog);
		return;
	}
	prog->log_buf = NULL;
	prog->log_size = 0;
	prog_put(prog);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cnt = size > FUZZ_HEADER_SIZE ? (size - FUZZ_HEADER_SIZE) / sizeof(struct bpf_insn) : 0;
	enum bpf_prog_type type;
	struct fuzz_runtime *rt;
	struct bpf_insn *insns;

	if (!cnt || cnt > 4096)
		return 0;
	type = fuzz_prog_types[data[0] % FUZZ_PROG_TYPE_CNT];
	rt = runtime(data[1] & FUZZ_F_JIT);
	/* A copy: the input need not be aligned for struct bpf_insn. */
	insns = malloc(cnt * sizeof(*insns));
	if (!insns)
		fuzz_fail("out of memory");
	memcpy(insns, data + FUZZ_HEADER_SIZE, cnt * sizeof(*insns));
	if (type == BPFVM_PROG_TYPE_RAW)
		load_raw(rt, insns, cnt, data);
	else
		load_typed(rt, type, insns, cnt, data);
	free(insns);
	return 0;
}
