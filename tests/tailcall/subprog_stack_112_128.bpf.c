/* Frames of 112 and 128 bytes above the tail-calling subprogram: 240 in
 * all, see subprog_stack.h. */
#define OUTER_FRAME 112
#define MIDDLE_FRAME 128
#include "subprog_stack.h"
