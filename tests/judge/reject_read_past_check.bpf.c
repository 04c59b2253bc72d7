#define REJECT_READ_PAST_CHECK
#include "verifier_rejects.h"
