#define EMPTY_TABLE
#include "seed_xdp_chain.bpf.c"
