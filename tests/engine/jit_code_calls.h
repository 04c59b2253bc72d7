/* What the JIT tests look for in a program's machine code. */
#ifndef BPFVM_TESTS_ENGINE_JIT_CODE_CALLS_H
#define BPFVM_TESTS_ENGINE_JIT_CODE_CALLS_H

#include <stdbool.h>

#include "engine/prog.h"

/* Whether prog's code calls fn: a call rel32 to it, or its address in a
 * movabs r11 (the far form). */
bool jit_code_calls(const struct bpfvm_prog *prog, const void *fn);

#endif
