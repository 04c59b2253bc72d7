/* Harness: the ELF and BTF reader and the loader. The input is an object
 * file's bytes, opened from memory, loaded (maps created, programs relocated
 * and verified) and closed. Seeds: every BPF object the build compiles.
 *
 * Only the object's first program is loaded (autoload off for the others):
 * the verifier is fuzzed by fuzz_input_verifier, and verifying every program
 * of an object made each input take a tenth of a second to seconds (175
 * seeds took most of a 150 s run). The runtime is the interpreter's, created
 * once: the JIT's compiler is fuzzed through fuzz_input_verifier too. An
 * input whose open or load fails must leave nothing behind (ASan's leak
 * check runs after every input that allocated more than it freed). */
#include <stdlib.h>

#include "bpfvm/bpfvm.h"
#include "harness.h"

static struct bpfvm *runtime(void)
{
	static struct bpfvm *vm;
	/* An object may ask for maps of gigabytes, which a kernel with the
	 * memory would allocate (and touch, to thread their free lists): the
	 * embedder's limit keeps an input to a few hundred megabytes. */
	struct bpfvm_opts opts = { .sz = sizeof(opts), .nr_cpus = 2,
				   .engine = BPFVM_ENGINE_INTERP,
				   .map_memory_max = FUZZ_MAP_MEMORY_MAX };

	if (!vm && bpfvm_create(&opts, &vm))
		fuzz_fail("cannot create a runtime: %s", bpfvm_errmsg());
	return vm;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpfvm_object *obj = NULL;

	if (bpfvm_object_open_mem(runtime(), data, size, NULL, &obj))
		return 0;
	for (size_t i = 1; i < bpfvm_object_prog_cnt(obj); i++)
		bpfvm_prog_set_autoload(bpfvm_object_prog(obj, i), false);
	bpfvm_object_load(obj);
	bpfvm_object_close(obj);
	return 0;
}
