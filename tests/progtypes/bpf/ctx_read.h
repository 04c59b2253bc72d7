/* What the program-type objects share: reading a context field exactly as
 * written (one load of the field's own size, which clang neither merges nor
 * drops), narrow reads of a field's bytes, and a sink that keeps them. */
#ifndef BPFVM_TESTS_PROGTYPES_CTX_READ_H
#define BPFVM_TESTS_PROGTYPES_CTX_READ_H

#include <linux/types.h>

__u64 sink;

/* One load of `field` in its own width. */
#define READ(field) (sink += *(volatile typeof(field) *)&(field))
/* One load of `type` at byte `off` of the context. */
#define READ_AT(ctx, type, off) (sink += *(volatile type *)((char *)(ctx) + (off)))
/* One load of a pointer `field` that BTF types as a kernel object: kept
 * by a comparison with NULL, since the verifier allows no arithmetic with
 * an unbounded scalar on it. */
#define READ_PTR(field) (sink += *(volatile typeof(field) *)&(field) != 0)
/* The same at byte `off` of `base`. */
#define READ_PTR_AT(base, off) (sink += *(volatile __u64 *)((char *)(base) + (off)) != 0)
/* One store of `value` into `field` in its own width. */
#define WRITE(field, value) (*(volatile typeof(field) *)&(field) = (value))

#endif
