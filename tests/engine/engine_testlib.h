/* What the engine's tests share: their object, loaded, and one XDP run. */
#ifndef BPFVM_TESTS_ENGINE_TESTLIB_H
#define BPFVM_TESTS_ENGINE_TESTLIB_H

#include "bpfvm/bpfvm.h"

/* Set by main() from its argument. */
extern const char *objects_dir;

/* objects_dir/lifetimes.bpf.o opened and loaded; NULL with a message. */
struct bpfvm_object *open_loaded(struct bpfvm *vm);

/* r0 of one XDP test run of `prog` over a 64-byte zeroed packet, or -errno. */
long run_once(struct bpfvm_prog *prog);

#endif
