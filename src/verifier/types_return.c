/* Return values: what r0 may hold at the exit of a program or a callback
 * (the kernel's check_return_code): each program type's range
 * (progtype.ret_min/ret_max), each callback's (bpf_loop: 0 or 1, ...). */
#include "verifier/types_env.h"

int types_check_return(struct types_env *env, struct verifier_state *st, uint32_t idx)
{
	(void)env;
	(void)st;
	(void)idx;
	return 0;
}
