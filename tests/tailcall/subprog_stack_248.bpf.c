/* The entry frame is 248 bytes: see subprog_stack.h. */
#define OUTER_FRAME 248
#include "subprog_stack.h"
