/* The return range of an LSM hook, from the running kernel's BTF: the
 * kernel's bpf_lsm_get_retval_range and check_return_code. Each hook has a
 * BTF function bpf_lsm_<hook> with the hook's prototype:
 *
 *   void    nothing checked
 *   int     -MAX_ERRNO .. 0: an errno to deny, 0 to allow; 0 or 1 for the
 *           hooks of the kernel's bool_lsm_hooks set, which answer yes/no
 *
 * The kernel's BTF is read once per process and kept. Without it (no
 * /sys/kernel/btf/vmlinux) or for a hook it does not name, the hook is
 * unknown and nothing is checked; the kernel would refuse the load. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>

#include "engine/prog.h"
#include "object/elf_reader.h"
#include "progtypes/progtype.h"

static struct btf *vmlinux_btf;
static pthread_once_t vmlinux_once = PTHREAD_ONCE_INIT;

static void vmlinux_load(void)
{
	vmlinux_btf = reader_btf_load_quietly(NULL);
}

/* "lsm/file_open", "lsm.s/bprm_check_security": the hook's name. */
static const char *hook_name(const struct bpfvm_prog *prog)
{
	const char *slash = strchr(prog->section, '/');

	return slash && slash[1] ? slash + 1 : NULL;
}

/* kernel/bpf/bpf_lsm.c bool_lsm_hooks (Linux 6.18). */
static bool is_bool_hook(const char *hook)
{
	return strcmp(hook, "xfrm_state_pol_flow_match") == 0;
}

enum lsm_hook_ret lsm_hook_ret(const struct bpfvm_prog *prog)
{
	const char *hook = hook_name(prog);
	const struct btf_type *func, *proto;
	char name[128];
	int id;

	pthread_once(&vmlinux_once, vmlinux_load);
	if (!vmlinux_btf || !hook)
		return LSM_RET_UNKNOWN;
	snprintf(name, sizeof(name), "bpf_lsm_%s", hook);
	id = btf__find_by_name_kind(vmlinux_btf, name, BTF_KIND_FUNC);
	if (id <= 0)
		return LSM_RET_UNKNOWN;
	func = btf__type_by_id(vmlinux_btf, (uint32_t)id);
	proto = btf__type_by_id(vmlinux_btf, func->type);
	if (!proto)
		return LSM_RET_UNKNOWN;
	if (!proto->type)
		return LSM_RET_VOID;
	return is_bool_hook(hook) ? LSM_RET_BOOL : LSM_RET_INT;
}
