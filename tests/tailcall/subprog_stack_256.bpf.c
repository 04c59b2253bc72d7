/* The entry frame is 256 bytes: see subprog_stack.h. */
#define OUTER_FRAME 256
#include "subprog_stack.h"
