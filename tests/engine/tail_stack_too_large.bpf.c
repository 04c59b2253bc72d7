#define ENTRY_STACK 128
#define MIDDLE_STACK 120 /* 128 + round_up(120, 16) = 256 */
#include "tail_stack.h"
