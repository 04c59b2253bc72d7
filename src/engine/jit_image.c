/* bpfvm_prog_jited (bpfvm.h): a loaded program's machine code, for
 * `bpfvm prog dump jited` and embedders' tools. */
#include <errno.h>

#include "core/error.h"
#include "engine/jit.h"
#include "engine/prog.h"

int bpfvm_prog_jited(const struct bpfvm_prog *prog, struct bpfvm_jited *jited)
{
	const struct jit_code *code = prog->jit;

	if (!prog->loaded || !code) {
		vm_error("%s: no machine code: %s", prog->name,
			 prog->loaded ? "the interpreter runs it" : "not loaded");
		return -ENOENT;
	}
	*jited = (struct bpfvm_jited){
		.code = code->mem.rx,
		.size = code->code_size,
		.insn_offsets = code->insn_offsets,
		.insn_cnt = code->insn_cnt,
	};
	return 0;
}
