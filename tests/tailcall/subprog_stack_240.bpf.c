/* The entry frame is 240 bytes: see subprog_stack.h. */
#define OUTER_FRAME 240
#include "subprog_stack.h"
