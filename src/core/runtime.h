/* The runtime object behind `struct bpfvm`. */
#ifndef BPFVM_CORE_RUNTIME_H
#define BPFVM_CORE_RUNTIME_H

#include "bpfvm/bpfvm.h"
#include "helpers/helper_table.h"

struct bpfvm {
	struct helper_table helpers;
};

#endif
