/* Dead branches and dead code after a verified walk (dead_code.c), as the
 * kernel's privileged loads. */
#ifndef BPFVM_VERIFIER_DEAD_CODE_H
#define BPFVM_VERIFIER_DEAD_CODE_H

#include "verifier/types_env.h"

/* Each conditional jump the walk saw go one way only becomes a `ja` that
 * way (or nothing), the instructions it never reached are removed, and so
 * is every `ja +0`; jumps, calls, function addresses, subprograms and the
 * walk's per-instruction tables follow. Before the context rewrites (the
 * indices are the walk's). 0 or -ENOMEM with a message. */
int types_remove_dead_code(struct types_env *env);

#endif
