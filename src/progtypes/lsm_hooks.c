/* The return range of an LSM hook, from the running kernel's BTF: the
 * kernel's bpf_lsm_get_retval_range and check_return_code. Each hook has a
 * BTF function bpf_lsm_<hook> with the hook's prototype:
 *
 *   void    nothing checked
 *   int     -MAX_ERRNO .. 0: an errno to deny, 0 to allow; 0 or 1 for the
 *           hooks of the kernel's bool_lsm_hooks set, which answer yes/no
 *
 * The kernel's BTF is CO-RE's (core_kernel_btf: read once per process,
 * often already for the object's relocations). Its hooks are listed once,
 * sorted by name, so that a program's hook is found by bisection rather
 * than by a walk of the kernel's 100,000-odd types. Without the BTF, or for
 * a hook it does not name, the hook is unknown and nothing is checked; the
 * kernel would refuse the load. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>

#include "engine/prog.h"
#include "object/core_relo.h"
#include "progtypes/progtype.h"

#define LSM_PREFIX "bpf_lsm_"

struct lsm_hook {
	const char *name; /* after "bpf_lsm_", in the kernel's BTF strings */
	bool is_void;
};

static struct lsm_hook *hooks;
static size_t hook_cnt;
static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

static int compare_hooks(const void *a, const void *b)
{
	return strcmp(((const struct lsm_hook *)a)->name, ((const struct lsm_hook *)b)->name);
}

static void hooks_load(void)
{
	const struct btf *btf = core_kernel_btf();
	uint32_t cnt = btf ? btf__type_cnt(btf) : 0;
	size_t cap = 0;

	for (uint32_t id = 1; id < cnt; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id), *proto;
		const char *name = btf__name_by_offset(btf, t->name_off);
		struct lsm_hook *grown;

		if (!btf_is_func(t) || !name || strncmp(name, LSM_PREFIX, strlen(LSM_PREFIX)))
			continue;
		proto = btf__type_by_id(btf, t->type);
		if (!proto)
			continue;
		if (hook_cnt == cap) {
			cap = cap ? cap * 2 : 256;
			grown = realloc(hooks, cap * sizeof(*hooks));
			if (!grown)
				break;
			hooks = grown;
		}
		hooks[hook_cnt++] = (struct lsm_hook){ name + strlen(LSM_PREFIX), !proto->type };
	}
	qsort(hooks, hook_cnt, sizeof(*hooks), compare_hooks);
}

/* "lsm/file_open", "lsm.s/bprm_check_security": the hook's name. */
static const char *hook_name(const struct bpfvm_prog *prog)
{
	const char *slash = strchr(prog->section, '/');

	return slash && slash[1] ? slash + 1 : NULL;
}

static bool hook_in(const char *hook, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(hook, *set) == 0)
			return true;
	return false;
}

/* kernel/bpf/bpf_lsm.c bool_lsm_hooks (Linux 6.12 to 6.18; a hook that the
 * kernel's configuration leaves out is not in its BTF either). */
static bool is_bool_hook(const char *hook)
{
	static const char *const bool_hooks[] = {
		"xfrm_state_pol_flow_match", "audit_rule_known", "inode_xattr_skipcap", NULL,
	};

	return hook_in(hook, bool_hooks);
}

/* kernel/bpf/bpf_lsm.c bpf_lsm_disabled_hooks: hooks whose callers expect
 * what a BPF program cannot give (a buffer filled, a length, a verdict of
 * another shape), refused at load by bpf_lsm_verify_prog. */
const char *lsm_hook_disabled(const struct bpfvm_prog *prog)
{
	static const char *const disabled[] = {
		"vm_enough_memory", "inode_need_killpriv", "inode_getsecurity",
		"inode_listsecurity", "inode_copy_up_xattr", "getselfattr", "getprocattr",
		"setprocattr", "key_getsecurity", "audit_rule_match", "xfrm_decode_session",
		"ismaclabel", NULL,
	};
	const char *hook = hook_name(prog);

	return prog->type == BPF_PROG_TYPE_LSM && hook && hook_in(hook, disabled) ? hook : NULL;
}

enum lsm_hook_ret lsm_hook_ret(const struct bpfvm_prog *prog)
{
	struct lsm_hook key = { .name = hook_name(prog) };
	const struct lsm_hook *hook;

	pthread_once(&hooks_once, hooks_load);
	if (!key.name)
		return LSM_RET_UNKNOWN;
	hook = bsearch(&key, hooks, hook_cnt, sizeof(*hooks), compare_hooks);
	if (!hook)
		return LSM_RET_UNKNOWN;
	if (hook->is_void)
		return LSM_RET_VOID;
	return is_bool_hook(key.name) ? LSM_RET_BOOL : LSM_RET_INT;
}
