#define REJECT_NO_NULL_CHECK
#include "verifier_rejects.h"
