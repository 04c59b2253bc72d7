/* Two frames of 128 bytes above the tail-calling subprogram: 256 in all,
 * see subprog_stack.h. */
#define OUTER_FRAME 128
#define MIDDLE_FRAME 128
#include "subprog_stack.h"
