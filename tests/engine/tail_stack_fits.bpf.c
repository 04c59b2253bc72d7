#define ENTRY_STACK 128
#define MIDDLE_STACK 112 /* 240 above tail_calling */
#include "tail_stack.h"
