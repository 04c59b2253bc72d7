#define REJECT_UNCHECKED_READ
#include "verifier_rejects.h"
