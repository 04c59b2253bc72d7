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
/* One store of `value` into `field` in its own width. */
#define WRITE(field, value) (*(volatile typeof(field) *)&(field) = (value))

#endif
